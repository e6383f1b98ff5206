/** Absolute path of the AssemblyScript source of the kernels. */
export declare const SOURCE: string;
/** Absolute path of the generated binary (src/wasm/build/kernels.wasm). */
export declare const OUTPUT: string;
/** The asc flags the build uses. */
export declare const ASC_FLAGS: readonly string[];
/** Compiles SOURCE into OUTPUT; rejects with the compiler's message on an error. */
export declare function buildWasm(): Promise<string>;

// Compiles the WebAssembly SIMD kernels from source:
//   src/wasm/assembly/kernels.ts (AssemblyScript) -> src/wasm/build/kernels.wasm
// Run by `npm run build:wasm`, which the build, test and bench scripts run first
// (the binary is generated, never committed). Exits non-zero on a compile error.
import asc from 'assemblyscript/asc';
import { mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const SOURCE = join(here, 'assembly', 'kernels.ts');
export const OUTPUT = join(here, 'build', 'kernels.wasm');

/** The exact compiler flags (also checked by tests/engine/simd-build.test.ts). */
export const ASC_FLAGS = ['-O3', '--runtime', 'stub', '--enable', 'simd', '--noAssert'];

export async function buildWasm() {
  mkdirSync(dirname(OUTPUT), { recursive: true });
  const cwd = process.cwd();
  const { error, stderr } = await asc.main([
    relative(cwd, SOURCE),
    '-o',
    relative(cwd, OUTPUT),
    ...ASC_FLAGS,
  ]);
  if (error) {
    throw new Error(`AssemblyScript failed on ${SOURCE}: ${error.message}\n${stderr.toString()}`);
  }
  return OUTPUT;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildWasm().then(
    (out) => console.log(`wasm kernels built: ${relative(process.cwd(), out)}`),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}

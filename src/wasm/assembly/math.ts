// Gatescope WebAssembly SIMD kernels: the elementwise math shared by the forward
// (kernels.ts) and the backward (backward.ts). Not the entry file, so nothing here becomes a
// module export (v128 signatures could not be called from JS anyway).

// ---------------------------------------------------------------------------------------
// Elementwise math (f32x4 and a scalar twin for tails, same polynomial: Cephes expf).

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const EXP_HI: f32 = 88.3762626647949;
const EXP_LO: f32 = -87.3365447504;
const P0: f32 = 1.9875691500e-4;
const P1: f32 = 1.3981999507e-3;
const P2: f32 = 8.3334519073e-3;
const P3: f32 = 4.1665795894e-2;
const P4: f32 = 1.6666665459e-1;
const P5: f32 = 5.0000001201e-1;

// Round-to-nearest by the 1.5 * 2^23 trick: adding it leaves round(v) in the low mantissa bits,
// so the same sum gives the rounded float (minus the constant) and, read as an integer, the
// exponent bits of 2^round(v): cheaper than f32x4.nearest plus a saturating float->int.
const ROUND_MAGIC: f32 = 12582912.0;
const MAGIC_BITS: i32 = 0x4b400000;

@inline
export function expV(x0: v128): v128 {
  // pmin/pmax are one minps/maxps each; min/max carry wasm's NaN and -0 rules (several
  // instructions each on x86: 15% of an H = 32 LSTM step). A NaN x0 still comes out NaN,
  // since pmin(a, b) = b < a ? b : a keeps a when the comparison is false.
  const x1 = f32x4.pmax(f32x4.pmin(x0, f32x4.splat(EXP_HI)), f32x4.splat(EXP_LO));
  const t = f32x4.add(f32x4.mul(x1, f32x4.splat(LOG2E)), f32x4.splat(ROUND_MAGIC));
  const fx = f32x4.sub(t, f32x4.splat(ROUND_MAGIC));
  let x = f32x4.sub(x1, f32x4.mul(fx, f32x4.splat(LN2_HI)));
  x = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(LN2_LO)));
  const z = f32x4.mul(x, x);
  let y = f32x4.splat(P0);
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(P1));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(P2));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(P3));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(P4));
  y = f32x4.add(f32x4.mul(y, x), f32x4.splat(P5));
  y = f32x4.add(f32x4.add(f32x4.mul(y, z), x), f32x4.splat(1.0));
  const e = i32x4.shl(i32x4.add(t, i32x4.splat(127 - MAGIC_BITS)), 23);
  return f32x4.mul(y, e);
}

@inline
export function expS(x0: f32): f32 {
  const x1 = max(min(x0, EXP_HI), EXP_LO);
  const fx = nearest<f32>(x1 * LOG2E);
  let x = x1 - fx * LN2_HI;
  x = x - fx * LN2_LO;
  const z = x * x;
  let y = P0;
  y = y * x + P1;
  y = y * x + P2;
  y = y * x + P3;
  y = y * x + P4;
  y = y * x + P5;
  y = y * z + x + 1.0;
  return y * reinterpret<f32>((<i32>fx + 127) << 23);
}

@inline
export function sigmoidV(x: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, expV(f32x4.neg(x))));
}

@inline
export function sigmoidS(x: f32): f32 {
  return 1.0 / (1.0 + expS(-x));
}

// tanh(x) = 1 - 2 / (exp(2x) + 1): exact at both saturations; near 0 the absolute error
// stays ~1e-7, which is what the engine's tolerances measure.
@inline
export function tanhV(x: v128): v128 {
  const one = f32x4.splat(1.0);
  const e = expV(f32x4.add(x, x));
  return f32x4.sub(one, f32x4.div(f32x4.splat(2.0), f32x4.add(e, one)));
}

@inline
export function tanhS(x: f32): f32 {
  return 1.0 - 2.0 / (expS(x + x) + 1.0);
}

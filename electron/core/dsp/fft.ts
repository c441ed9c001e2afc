/**
 * Radix-2 complex FFT (1-D and 2-D, in place) on split real/imaginary arrays.
 * Pure typed-array code: runs in worker threads. Sizes must be powers of two.
 * Forward uses e^{-2πi·kn/N}; the inverse includes the 1/N scaling, so ifft(fft(x)) = x.
 */

interface Plan {
  n: number;
  cos: Float64Array;
  sin: Float64Array;
  rev: Uint32Array;
}

const plans = new Map<number, Plan>();

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** The smallest power of two ≥ n. */
export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p <<= 1;
  return p;
}

function plan(n: number): Plan {
  let p = plans.get(n);
  if (p) return p;
  if (!isPowerOfTwo(n)) throw new RangeError(`FFT size must be a power of two, got ${n}`);
  const half = n >> 1;
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  for (let k = 0; k < half; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = Math.sin((2 * Math.PI * k) / n);
  }
  const rev = new Uint32Array(n);
  const bits = Math.log2(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0, x = i; b < bits; b++, x >>= 1) r = (r << 1) | (x & 1);
    rev[i] = r;
  }
  p = { n, cos, sin, rev };
  plans.set(n, p);
  return p;
}

/**
 * In-place FFT of `n` complex values stored at re[offset + i*stride], im[offset + i*stride].
 */
export function fft(re: Float64Array, im: Float64Array, inverse = false, n = re.length, offset = 0, stride = 1): void {
  if (n <= 1) return;
  const { cos, sin, rev } = plan(n);
  for (let i = 0; i < n; i++) {
    const j = rev[i]!;
    if (j > i) {
      const a = offset + i * stride;
      const b = offset + j * stride;
      const tr = re[a]!;
      re[a] = re[b]!;
      re[b] = tr;
      const ti = im[a]!;
      im[a] = im[b]!;
      im[b] = ti;
    }
  }
  const sign = inverse ? 1 : -1;
  for (let size = 2; size <= n; size <<= 1) {
    const halfSize = size >> 1;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < halfSize; k++) {
        const wr = cos[k * step]!;
        const wi = sign * sin[k * step]!;
        const a = offset + (start + k) * stride;
        const b = a + halfSize * stride;
        const br = re[b]!;
        const bi = im[b]!;
        const tr = br * wr - bi * wi;
        const ti = br * wi + bi * wr;
        const ar = re[a]!;
        const ai = im[a]!;
        re[b] = ar - tr;
        im[b] = ai - ti;
        re[a] = ar + tr;
        im[a] = ai + ti;
      }
    }
  }
  if (inverse) {
    const s = 1 / n;
    for (let i = 0; i < n; i++) {
      const a = offset + i * stride;
      re[a]! *= s;
      im[a]! *= s;
    }
  }
}

/**
 * In-place 2-D FFT of a width×height row-major complex array (both powers of two).
 * Columns are gathered into scratch rows so every 1-D transform runs on contiguous memory.
 */
export function fft2d(re: Float64Array, im: Float64Array, width: number, height: number, inverse = false): void {
  for (let y = 0; y < height; y++) fft(re, im, inverse, width, y * width, 1);
  const block = 16;
  const cr = new Float64Array(height * block);
  const ci = new Float64Array(height * block);
  for (let x0 = 0; x0 < width; x0 += block) {
    const bw = Math.min(block, width - x0);
    for (let y = 0; y < height; y++) {
      const row = y * width + x0;
      for (let b = 0; b < bw; b++) {
        cr[b * height + y] = re[row + b]!;
        ci[b * height + y] = im[row + b]!;
      }
    }
    for (let b = 0; b < bw; b++) fft(cr, ci, inverse, height, b * height, 1);
    for (let y = 0; y < height; y++) {
      const row = y * width + x0;
      for (let b = 0; b < bw; b++) {
        re[row + b] = cr[b * height + y]!;
        im[row + b] = ci[b * height + y]!;
      }
    }
  }
}

/**
 * Circular autocorrelation of a real width×height image (powers of two): IFFT(|FFT(x)|²).
 * Lag (dx, dy) is at index ((dy + height) % height) * width + (dx + width) % width.
 */
export function autocorrelate2d(data: Float64Array, width: number, height: number): Float64Array {
  const re = Float64Array.from(data);
  const im = new Float64Array(re.length);
  fft2d(re, im, width, height);
  for (let i = 0; i < re.length; i++) {
    re[i] = re[i]! * re[i]! + im[i]! * im[i]!;
    im[i] = 0;
  }
  fft2d(re, im, width, height, true);
  return re;
}

/**
 * Circular cross-correlation of two real n×n images: out[t] = Σ_x a[x + t]·b[x] (indices mod n).
 * The peak of out is at the shift t that moves b onto a.
 */
export function crossCorrelate2d(a: Float64Array, b: Float64Array, width: number, height: number): Float64Array {
  const ar = Float64Array.from(a);
  const ai = new Float64Array(ar.length);
  const br = Float64Array.from(b);
  const bi = new Float64Array(br.length);
  fft2d(ar, ai, width, height);
  fft2d(br, bi, width, height);
  for (let i = 0; i < ar.length; i++) {
    // A · conj(B)
    const r = ar[i]! * br[i]! + ai[i]! * bi[i]!;
    const m = ai[i]! * br[i]! - ar[i]! * bi[i]!;
    ar[i] = r;
    ai[i] = m;
  }
  fft2d(ar, ai, width, height, true);
  return ar;
}

/**
 * Separable smoothing filters on single-channel float images (row-major, width×height).
 * Edges are handled by clamping coordinates (replicate padding). Pure typed-array code.
 */

/** Normalised 1-D Gaussian kernel, radius ⌈3σ⌉. */
export function gaussianKernel(sigma: number): Float64Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const v = Math.exp(-(i * i) / (2 * sigma * sigma));
    k[i + radius] = v;
    sum += v;
  }
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  return k;
}

/** Convolves rows then columns with the same symmetric kernel. Returns a new array. */
export function separableFilter(src: Float32Array, width: number, height: number, kernel: Float64Array): Float32Array {
  const radius = (kernel.length - 1) >> 1;
  const tmp = new Float32Array(width * height);
  const out = new Float32Array(width * height);
  const line = new Float64Array(Math.max(width, height) + 2 * radius);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let i = 0; i < width + 2 * radius; i++) line[i] = src[row + Math.min(width - 1, Math.max(0, i - radius))]!;
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = 0; k < kernel.length; k++) s += kernel[k]! * line[x + k]!;
      tmp[row + x] = s;
    }
  }
  for (let x = 0; x < width; x++) {
    for (let i = 0; i < height + 2 * radius; i++) line[i] = tmp[Math.min(height - 1, Math.max(0, i - radius)) * width + x]!;
    for (let y = 0; y < height; y++) {
      let s = 0;
      for (let k = 0; k < kernel.length; k++) s += kernel[k]! * line[y + k]!;
      out[y * width + x] = s;
    }
  }
  return out;
}

export function gaussianBlur(src: Float32Array, width: number, height: number, sigma: number): Float32Array {
  return separableFilter(src, width, height, gaussianKernel(sigma));
}

/** Mean over a (2r+1)×(2r+1) window via running sums: cost independent of r. */
export function boxBlur(src: Float32Array, width: number, height: number, radius: number): Float32Array {
  const tmp = new Float32Array(width * height);
  const out = new Float32Array(width * height);
  const n = 2 * radius + 1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let s = 0;
    for (let i = -radius - 1; i < radius; i++) s += src[row + Math.min(width - 1, Math.max(0, i))]!;
    for (let x = 0; x < width; x++) {
      s += src[row + Math.min(width - 1, x + radius)]! - src[row + Math.max(0, x - radius - 1)]!;
      tmp[row + x] = s / n;
    }
  }
  for (let x = 0; x < width; x++) {
    let s = 0;
    for (let i = -radius - 1; i < radius; i++) s += tmp[Math.min(height - 1, Math.max(0, i)) * width + x]!;
    for (let y = 0; y < height; y++) {
      s += tmp[Math.min(height - 1, y + radius) * width + x]! - tmp[Math.max(0, y - radius - 1) * width + x]!;
      out[y * width + x] = s / n;
    }
  }
  return out;
}

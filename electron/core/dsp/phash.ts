import { resampleBox } from './resample.ts';
import type { Box } from './trim.ts';

/**
 * DCT perceptual hashes on a luma grid, and Hamming distances between them.
 * Pure typed-array code (runs in worker threads and the main thread alike).
 */

/** Side of the grid the hashes are computed on. */
export const HASH_GRID = 32;

const cosTables = new Map<number, Float64Array>();

/** cos((2x+1)uπ/2n) for u < k, x < n, row-major by u. */
function cosTable(n: number, k: number): Float64Array {
  const key = n * 1000 + k;
  let t = cosTables.get(key);
  if (!t) {
    t = new Float64Array(k * n);
    for (let u = 0; u < k; u++) for (let x = 0; x < n; x++) t[u * n + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * n));
    cosTables.set(key, t);
  }
  return t;
}

/**
 * The k×k lowest-frequency coefficients of the (unnormalised) 2-D DCT-II of an n×n grid,
 * row-major with the vertical frequency first: out[v*k+u].
 */
export function dctLowFreq(grid: Float64Array | Float32Array, n: number, k: number): Float64Array {
  const c = cosTable(n, k);
  // Rows first: tmp[y][u] = Σx grid[y][x]·c[u][x]
  const tmp = new Float64Array(n * k);
  for (let y = 0; y < n; y++) {
    for (let u = 0; u < k; u++) {
      let s = 0;
      for (let x = 0; x < n; x++) s += grid[y * n + x]! * c[u * n + x]!;
      tmp[y * k + u] = s;
    }
  }
  const out = new Float64Array(k * k);
  for (let v = 0; v < k; v++) {
    for (let u = 0; u < k; u++) {
      let s = 0;
      for (let y = 0; y < n; y++) s += tmp[y * k + u]! * c[v * n + y]!;
      out[v * k + u] = s;
    }
  }
  return out;
}

/** Area-average resample of a region of a single-channel image to an n×n grid. */
export function resampleArea(src: Uint8Array | Uint8ClampedArray, width: number, box: Box, n: number): Float64Array {
  return resampleBox(src, width, box, n, n);
}

/** The 8 symmetries of a square grid (dihedral group D4), as indices into DIHEDRAL_NAMES. */
export const DIHEDRAL_NAMES = ['identity', 'rot90', 'rot180', 'rot270', 'flip', 'flip+rot90', 'flip+rot180', 'flip+rot270'] as const;
export type Dihedral = (typeof DIHEDRAL_NAMES)[number];

/**
 * Applies dihedral element `d` to an n×n grid. Rotations are clockwise; "flip" is a mirror
 * left↔right applied first, then the rotation.
 */
export function dihedralGrid(grid: Float64Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n * n);
  const flip = d >= 4;
  const rot = d & 3;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      // Source pixel (x, y) after mirror lands at (fx, y); then rotate clockwise `rot` times.
      const fx = flip ? n - 1 - x : x;
      let ox = fx;
      let oy = y;
      for (let r = 0; r < rot; r++) {
        const t = ox;
        ox = n - 1 - oy;
        oy = t;
      }
      out[oy * n + ox] = grid[y * n + x]!;
    }
  }
  return out;
}

/** Bits above the median of the coefficients, packed into 32-bit words (bit i in word i>>5). */
function packAboveMedian(coeffs: Float64Array, skipFirst: boolean): Uint32Array {
  const values = skipFirst ? coeffs.subarray(1) : coeffs;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const words = new Uint32Array(Math.ceil(coeffs.length / 32));
  for (let i = skipFirst ? 1 : 0; i < coeffs.length; i++) {
    if (coeffs[i]! > median) words[i >> 5]! |= 1 << (i & 31);
  }
  return words;
}

/**
 * The plain 64-bit DCT perceptual hash (the common "pHash" of imagehash): 32×32 grid, 2-D DCT,
 * the 8×8 lowest frequencies (DC included), one bit per coefficient above their median.
 * Used as the benchmark's baseline.
 */
export function phash64(grid32: Float64Array): Uint32Array {
  return packAboveMedian(dctLowFreq(grid32, HASH_GRID, 8), false);
}

/**
 * ProofMark's global hash: 16×16 lowest DCT frequencies of the 32×32 grid (DC left out, so its
 * bit is always 0), one bit per coefficient above their median: 255 informative bits in 8 words.
 * Brightness and contrast changes move every coefficient alike and leave the bits as they are.
 */
export function dctHash256(grid32: Float64Array): Uint32Array {
  return packAboveMedian(dctLowFreq(grid32, HASH_GRID, 16), true);
}

/** Set bits in a 32-bit word. */
export function popcount32(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Hamming distance between two equal-length bit strings stored as 32-bit words (at offsets). */
export function hamming(a: Uint32Array, aOff: number, b: Uint32Array, bOff: number, words: number): number {
  let d = 0;
  for (let i = 0; i < words; i++) d += popcount32(a[aOff + i]! ^ b[bOff + i]!);
  return d;
}

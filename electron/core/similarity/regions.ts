/**
 * Region hashes: 63-bit DCT hashes of overlapping windows of a picture, so that a crop finds
 * its original even when the original is too smooth for keypoints (sky, bokeh, blurred bark).
 * An original stores the hash of every window keeping REGION_SIDE of each side, on a grid of
 * REGION_STEP; a suspect is hashed whole. A crop keeping about 60% of each side lands within
 * half a step of one window, whose hash is then a few bits from the suspect's.
 * Computed on the 128 px thumbnail: the low frequencies are all the hash uses.
 */
import { dctLowFreq } from '../dsp/phash.ts';
import { resampleBox } from '../dsp/resample.ts';

/** Share of each side a window keeps. */
export const REGION_SIDE = 0.6;
/** Offset between neighbouring windows, as a share of the side. */
export const REGION_STEP = 0.05;
/** Windows per side, and words per hash. */
export const REGION_PER_SIDE = Math.round((1 - REGION_SIDE) / REGION_STEP) + 1;
export const REGION_COUNT = REGION_PER_SIDE * REGION_PER_SIDE;
export const REGION_WORDS = 2;

const GRID = 32;

/**
 * 63-bit hash of a 32×32 grid: the 8×8 lowest DCT frequencies without the DC term, one bit per
 * coefficient above their median (bit 0 of word 0 is always 0). Brightness and contrast changes
 * leave it as it is.
 */
function regionHash(grid: Float64Array, out: Uint32Array, at: number): void {
  const c = dctLowFreq(grid, GRID, 8);
  const sorted = Float64Array.from(c.subarray(1)).sort();
  const median = sorted[sorted.length >> 1]!;
  let a = 0;
  let b = 0;
  for (let i = 1; i < 64; i++) {
    if (c[i]! <= median) continue;
    if (i < 32) a |= 1 << i;
    else b |= 1 << (i - 32);
  }
  out[at] = a >>> 0;
  out[at + 1] = b >>> 0;
}

/** The hash of the whole thumbnail (what a suspect is looked up with). */
export function wholeHash(thumb: Uint8Array, width: number, height: number): Uint32Array {
  const out = new Uint32Array(REGION_WORDS);
  regionHash(resampleBox(thumb, width, { x: 0, y: 0, width, height }, GRID, GRID), out, 0);
  return out;
}

/** The hashes of all REGION_COUNT windows, row by row (REGION_WORDS words each). */
export function windowHashes(thumb: Uint8Array, width: number, height: number): Uint32Array {
  const out = new Uint32Array(REGION_COUNT * REGION_WORDS);
  for (let j = 0; j < REGION_PER_SIDE; j++) {
    for (let i = 0; i < REGION_PER_SIDE; i++) {
      const w = REGION_SIDE * width;
      const h = REGION_SIDE * height;
      // Clamped so rounding never reaches past the last pixel row or column.
      const box = { x: Math.min(width - w, i * REGION_STEP * width), y: Math.min(height - h, j * REGION_STEP * height), width: w, height: h };
      regionHash(resampleBox(thumb, width, box, GRID, GRID), out, (j * REGION_PER_SIDE + i) * REGION_WORDS);
    }
  }
  return out;
}

/** The window's box as shares of the picture's sides. */
export function windowBox(index: number): { x: number; y: number; width: number; height: number } {
  const i = index % REGION_PER_SIDE;
  const j = Math.floor(index / REGION_PER_SIDE);
  return { x: i * REGION_STEP, y: j * REGION_STEP, width: REGION_SIDE, height: REGION_SIDE };
}

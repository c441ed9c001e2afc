/**
 * Source-over blending of an RGBA overlay (straight alpha, 8 bit) onto interleaved 8-bit pixels,
 * only where the overlay has visible pixels: the cost is the mark's ink, not the image's area.
 * Pure typed-array code.
 */

/** round(x / 255) for 0 <= x <= 65535, without a division. */
function div255(x: number): number {
  return (x + 128 + ((x + 128) >> 8)) >> 8;
}

export interface RawPixels {
  data: Uint8Array;
  width: number;
  height: number;
  /** 3 (RGB) or 4 (RGBA, straight alpha). */
  channels: number;
}

export interface Overlay {
  data: Uint8Array;
  width: number;
  height: number;
  /** Runs of non-transparent pixels as (row, first x, end x) triplets; see `visibleSpans`. */
  spans?: Int32Array;
}

/**
 * The runs of pixels with any alpha, row by row (gaps shorter than 8 px are bridged). A tile of
 * rotated text is mostly transparent; blending only its runs visits ~10% of its bounding box.
 */
export function visibleSpans(o: Overlay): Int32Array {
  const out: number[] = [];
  for (let y = 0; y < o.height; y++) {
    const row = y * o.width * 4;
    let start = -1;
    let lastOn = -1;
    for (let x = 0; x < o.width; x++) {
      if (o.data[row + x * 4 + 3]! === 0) continue;
      if (start >= 0 && x - lastOn > 8) {
        out.push(y, start, lastOn + 1);
        start = -1;
      }
      if (start < 0) start = x;
      lastOn = x;
    }
    if (start >= 0) out.push(y, start, lastOn + 1);
  }
  return Int32Array.from(out);
}

function fullSpans(width: number, height: number): Int32Array {
  const out = new Int32Array(height * 3);
  for (let y = 0; y < height; y++) out.set([y, 0, width], y * 3);
  return out;
}

/** Shared memory holding a copy of `a`, so worker threads can read it without another copy. */
function shared<T extends Uint8Array | Int32Array>(a: T): T {
  const out = new (a.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

/** MUL[(255 − a) << 8 | v] = div255(v · (255 − a)): one table load instead of a multiply and a division. */
const MUL = new Uint8Array(65536);
for (let ia = 0; ia < 256; ia++) {
  for (let v = 0; v < 256; v++) MUL[(ia << 8) | v] = div255(v * ia);
}

/**
 * An overlay ready to blend at one opacity onto frames with `channels` channels. For RGB frames:
 * one 32-bit word per pixel, r·a | g·a << 8 | b·a << 16 | (255 − a) << 24 (÷255, opacity
 * applied), so blending a pixel is one load and three table look-ups. Its arrays are on shared
 * memory: a worker thread blends with them as they are.
 */
export interface PreparedOverlay {
  width: number;
  height: number;
  channels: 3 | 4;
  /** Opacity 0..255. */
  op: number;
  spans: Int32Array;
  /** Premultiplied words (RGB frames), or the straight RGBA bytes (RGBA frames). */
  words: Uint32Array | null;
  rgba: Uint8Array | null;
}

function premultipliedWords(src: Uint8Array, op: number): Uint32Array {
  const words = new Uint32Array(new SharedArrayBuffer(src.length));
  for (let i = 0, w = 0; i < src.length; i += 4, w++) {
    const a = div255(src[i + 3]! * op);
    const r = div255(src[i]! * a);
    const g = div255(src[i + 1]! * a);
    const b = div255(src[i + 2]! * a);
    words[w] = (r | (g << 8) | (b << 16) | ((255 - a) << 24)) >>> 0;
  }
  return words;
}

/** Prepared once per overlay, opacity and channel count. */
const preparedCache = new WeakMap<Overlay, Map<string, PreparedOverlay>>();
export function prepareOverlay(o: Overlay, opacity: number, channels: number): PreparedOverlay {
  if (channels !== 3 && channels !== 4) throw new Error(`blending needs 3 or 4 channels, not ${channels}`);
  const op = Math.max(0, Math.min(255, Math.round(opacity * 255)));
  let byKey = preparedCache.get(o);
  if (!byKey) preparedCache.set(o, (byKey = new Map()));
  const key = `${channels}:${op}`;
  let p = byKey.get(key);
  if (!p) {
    p = {
      width: o.width, height: o.height, channels, op,
      spans: shared(o.spans ?? fullSpans(o.width, o.height)),
      words: channels === 3 ? premultipliedWords(o.data, op) : null,
      rgba: channels === 4 ? shared(o.data) : null,
    };
    byKey.set(key, p);
  }
  return p;
}

/**
 * One run of `n` pixels onto RGB: dst = pm + dst·(255 − a)/255, rounded as div255. One load per
 * overlay pixel and one table load per channel; transparent pixels are skipped.
 */
function blendRun3(dst: Uint8Array, d: number, pm: Uint32Array, s: number, n: number): void {
  for (const end = s + n; s < end; s++, d += 3) {
    const v = pm[s]!;
    const ia = v >>> 24;
    if (ia === 255) continue;
    const row = ia << 8;
    dst[d] = (v & 255) + MUL[row | dst[d]!]!;
    dst[d + 1] = ((v >>> 8) & 255) + MUL[row | dst[d + 1]!]!;
    dst[d + 2] = ((v >>> 16) & 255) + MUL[row | dst[d + 2]!]!;
  }
}

/** One run onto RGBA (straight alpha, as sharp expects): out = src·a + dst·da·(1−a), back to straight alpha. */
function blendRun4(dst: Uint8Array, d: number, src: Uint8Array, s: number, n: number, op: number): void {
  for (const end = d + n * 4; d < end; s += 4, d += 4) {
    const sa = src[s + 3]!;
    if (sa === 0) continue;
    const a = div255(sa * op);
    if (a === 0) continue;
    const da = dst[d + 3]!;
    const rest = da * (255 - a);
    const oa = a * 255 + rest; // alpha × 255
    dst[d] = Math.round((src[s]! * a * 255 + dst[d]! * rest) / oa);
    dst[d + 1] = Math.round((src[s + 1]! * a * 255 + dst[d + 1]! * rest) / oa);
    dst[d + 2] = Math.round((src[s + 2]! * a * 255 + dst[d + 2]! * rest) / oa);
    dst[d + 3] = div255(oa);
  }
}

/**
 * Blends a prepared overlay at each (left, top) of `positions`, visiting only its visible runs;
 * parts outside the image are skipped. Runs on the main thread or in a worker (watermark.blend).
 */
export function blendPrepared(image: RawPixels, o: PreparedOverlay, positions: Int32Array): void {
  const { data: dst, width: dw, height: dh, channels: dc } = image;
  if (dc !== o.channels) throw new Error(`the overlay was prepared for ${o.channels} channels, the image has ${dc}`);
  if (o.op === 0) return;
  const { spans, width: sw } = o;
  for (let k = 0; k + 1 < positions.length; k += 2) {
    const left = positions[k]!;
    const top = positions[k + 1]!;
    for (let i = 0; i + 2 < spans.length; i += 3) {
      const y = top + spans[i]!;
      if (y < 0 || y >= dh) continue;
      const x0 = Math.max(0, left + spans[i + 1]!);
      const x1 = Math.min(dw, left + spans[i + 2]!);
      if (x0 >= x1) continue;
      const s = (y - top) * sw + (x0 - left);
      const d = (y * dw + x0) * dc;
      if (dc === 3) blendRun3(dst, d, o.words!, s, x1 - x0);
      else blendRun4(dst, d, o.rgba!, s * 4, x1 - x0, o.op);
    }
  }
}

/** Blends `overlay` at (left, top) with an extra opacity (0..1), on this thread. */
export function blendOver(image: RawPixels, overlay: Overlay, left: number, top: number, opacity: number): void {
  blendPrepared(image, prepareOverlay(overlay, opacity, image.channels), Int32Array.of(left, top));
}

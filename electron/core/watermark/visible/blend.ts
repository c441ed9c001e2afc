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

/**
 * The overlay with the opacity applied and colours premultiplied: per pixel r·a, g·a, b·a (÷255)
 * and 255−a, so blending one pixel is three table look-ups and adds. Computed once per overlay and opacity.
 */
const prepared = new WeakMap<Overlay, Map<number, Uint8Array>>();
function premultiplied(o: Overlay, op: number): Uint8Array {
  let byOpacity = prepared.get(o);
  if (!byOpacity) prepared.set(o, (byOpacity = new Map()));
  let pm = byOpacity.get(op);
  if (!pm) {
    const src = o.data;
    pm = new Uint8Array(src.length);
    for (let i = 0; i < src.length; i += 4) {
      const a = div255(src[i + 3]! * op);
      pm[i] = div255(src[i]! * a);
      pm[i + 1] = div255(src[i + 1]! * a);
      pm[i + 2] = div255(src[i + 2]! * a);
      pm[i + 3] = 255 - a;
    }
    byOpacity.set(op, pm);
  }
  return pm;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The premultiplied overlay as one 32-bit word a pixel (r | g << 8 | b << 16 | (255 − a) << 24). */
const wordViews = new WeakMap<Uint8Array, Uint32Array>();
function words(pm: Uint8Array): Uint32Array {
  let w = wordViews.get(pm);
  if (!w) {
    if (LITTLE_ENDIAN && pm.byteOffset % 4 === 0) {
      w = new Uint32Array(pm.buffer, pm.byteOffset, pm.length >> 2);
    } else {
      w = new Uint32Array(pm.length >> 2);
      for (let i = 0; i < w.length; i++) w[i] = (pm[i * 4]! | (pm[i * 4 + 1]! << 8) | (pm[i * 4 + 2]! << 16) | (pm[i * 4 + 3]! << 24)) >>> 0;
    }
    wordViews.set(pm, w);
  }
  return w;
}

/** MUL[(255 − a) << 8 | v] = div255(v · (255 − a)): one table load instead of a multiply and a division. */
const MUL = new Uint8Array(65536);
for (let ia = 0; ia < 256; ia++) {
  for (let v = 0; v < 256; v++) MUL[(ia << 8) | v] = div255(v * ia);
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

/**
 * Blends `overlay` at (left, top) with an extra opacity (0..1), visiting only its visible runs.
 * Parts outside the image are skipped. An RGBA image keeps straight (non-premultiplied) alpha, as sharp expects.
 */
export function blendOver(image: RawPixels, overlay: Overlay, left: number, top: number, opacity: number): void {
  const { data: dst, width: dw, height: dh, channels: dc } = image;
  const { data: src, width: sw, height: sh } = overlay;
  if (dc !== 3 && dc !== 4) throw new Error(`blendOver needs 3 or 4 channels, not ${dc}`);
  const op = Math.max(0, Math.min(255, Math.round(opacity * 255)));
  if (op === 0) return;
  const spans = overlay.spans ?? fullSpans(sw, sh);
  const pm = dc === 3 ? premultiplied(overlay, op) : src;
  const pm32 = dc === 3 ? words(pm) : null;
  for (let i = 0; i + 2 < spans.length; i += 3) {
    const y = top + spans[i]!;
    if (y < 0 || y >= dh) continue;
    const x0 = Math.max(0, left + spans[i + 1]!);
    const x1 = Math.min(dw, left + spans[i + 2]!);
    if (x0 >= x1) continue;
    let s = ((y - top) * sw + (x0 - left)) * 4;
    let d = (y * dw + x0) * dc;
    if (dc === 3) {
      blendRun3(dst, d, pm32!, s >> 2, x1 - x0);
    } else {
      for (let x = x0; x < x1; x++, s += 4, d += 4) {
        const sa = src[s + 3]!;
        if (sa === 0) continue;
        const a = div255(sa * op);
        if (a === 0) continue;
        const da = dst[d + 3]!;
        // out = src·a + dst·da·(1−a), then back to straight alpha.
        const rest = da * (255 - a);
        const oa = a * 255 + rest; // alpha × 255
        dst[d] = Math.round((src[s]! * a * 255 + dst[d]! * rest) / oa);
        dst[d + 1] = Math.round((src[s + 1]! * a * 255 + dst[d + 1]! * rest) / oa);
        dst[d + 2] = Math.round((src[s + 2]! * a * 255 + dst[d + 2]! * rest) / oa);
        dst[d + 3] = div255(oa);
      }
    }
  }
}

/** The same overlay at many positions (tiles); `positions` holds left, top pairs. */
export function blendTiles(image: RawPixels, overlay: Overlay, positions: Int32Array, opacity: number): void {
  for (let i = 0; i + 1 < positions.length; i += 2) blendOver(image, overlay, positions[i]!, positions[i + 1]!, opacity);
}

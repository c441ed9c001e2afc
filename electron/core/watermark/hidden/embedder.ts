/**
 * Embedding, as pure typed-array steps: plan the mark on the working-resolution luma (perceptual
 * mask × tiled pattern), then add the upsampled plan to the full-resolution pixels, a band of
 * rows at a time (so two workers can share a 24 MP image).
 */
import { boxBlur } from '../../dsp/blur.ts';
import { TILE } from './layout.ts';

export interface MarkPlanOptions {
  /** Mark amplitude (8-bit levels) in flat areas and in busy texture. */
  flatLevel: number;
  textureLevel: number;
  /** Local standard deviation (levels) at which the amplitude is halfway between the two. */
  textureKnee: number;
  /** Largest RMS of the mark over the image (keeps PSNR above target). */
  maxRms: number;
}

export const DEFAULT_PLAN: MarkPlanOptions = { flatLevel: 0.5, textureLevel: 12, textureKnee: 7, maxRms: 2.1 };

export interface MarkPlan {
  /** Luma change at working resolution (levels), row-major ww×wh. */
  delta: Float32Array;
  /** RMS of delta (levels). */
  rms: number;
  /** Mean of the perceptual mask over the image relative to a fully textured image (0..1). */
  coverage: number;
}

/**
 * The perceptual mask: amplitude grows with local texture (5×5 standard deviation at working
 * resolution), and the mark fades out where the image is close to white or black.
 */
export function perceptualMask(luma: Float32Array, ww: number, wh: number, opts: MarkPlanOptions = DEFAULT_PLAN): Float32Array {
  const sq = new Float32Array(luma.length);
  for (let i = 0; i < luma.length; i++) sq[i] = luma[i]! * luma[i]!;
  const mean = boxBlur(luma, ww, wh, 2);
  const meanSq = boxBlur(sq, ww, wh, 2);
  const variance = new Float32Array(luma.length);
  for (let i = 0; i < luma.length; i++) variance[i] = Math.max(0, meanSq[i]! - mean[i]! * mean[i]!);
  // Structure tensor: how much the local gradients share one orientation (1 on an edge or a
  // line such as a cup's rim, near 0 in isotropic texture like grass, fabric or foliage).
  const gxx = new Float32Array(luma.length);
  const gyy = new Float32Array(luma.length);
  const gxy = new Float32Array(luma.length);
  for (let y = 0; y < wh; y++) {
    for (let x = 0; x < ww; x++) {
      const i = y * ww + x;
      const gx = luma[y * ww + Math.min(ww - 1, x + 1)]! - luma[y * ww + Math.max(0, x - 1)]!;
      const gy = luma[Math.min(wh - 1, y + 1) * ww + x]! - luma[Math.max(0, y - 1) * ww + x]!;
      gxx[i] = gx * gx;
      gyy[i] = gy * gy;
      gxy[i] = gx * gy;
    }
  }
  const jxx = boxBlur(gxx, ww, wh, 2);
  const jyy = boxBlur(gyy, ww, wh, 2);
  const jxy = boxBlur(gxy, ww, wh, 2);
  const mask = new Float32Array(luma.length);
  const k2 = opts.textureKnee * opts.textureKnee;
  const o = EDGE_OFFSET;
  for (let y = 0; y < wh; y++) {
    const ya = Math.max(0, y - o) * ww;
    const yb = Math.min(wh - 1, y + o) * ww;
    for (let x = 0; x < ww; x++) {
      const xa = Math.max(0, x - o);
      const xb = Math.min(ww - 1, x + o);
      // Texture is what every neighbouring window sees: a lone edge (product against white, a
      // cup's rim) has a calm side, so it is not mistaken for texture that hides the pattern.
      const v = Math.min(variance[ya + xa]!, variance[ya + xb]!, variance[yb + xa]!, variance[yb + xb]!);
      const i = y * ww + x;
      const sum = jxx[i]! + jyy[i]!;
      const coherence = sum > 1e-6 ? Math.sqrt((jxx[i]! - jyy[i]!) ** 2 + 4 * jxy[i]! ** 2) / sum : 0;
      const texture = (v / (v + k2)) * (1 - 0.7 * coherence);
      const m = mean[i]!;
      const headroom = Math.min(1, Math.max(0, Math.min(m, 255 - m) / 24));
      mask[i] = (opts.flatLevel + (opts.textureLevel - opts.flatLevel) * texture) * headroom;
    }
  }
  return mask;
}

/** Offset (working pixels) of the four windows whose smallest variance measures texture. */
const EDGE_OFFSET = 3;

/** Mask × tile (tiled from the working grid's origin), scaled down if over the RMS budget. */
export function planMark(luma: Float32Array, ww: number, wh: number, tile: Float64Array, opts: MarkPlanOptions = DEFAULT_PLAN): MarkPlan {
  const mask = perceptualMask(luma, ww, wh, opts);
  const delta = new Float32Array(ww * wh);
  let sum = 0;
  let maskSum = 0;
  for (let y = 0; y < wh; y++) {
    const trow = (y % TILE) * TILE;
    for (let x = 0; x < ww; x++) {
      const i = y * ww + x;
      const d = mask[i]! * tile[trow + (x % TILE)]!;
      delta[i] = d;
      sum += d * d;
      maskSum += mask[i]!;
    }
  }
  let rms = Math.sqrt(sum / delta.length);
  if (rms > opts.maxRms) {
    const k = opts.maxRms / rms;
    for (let i = 0; i < delta.length; i++) delta[i]! *= k;
    rms = opts.maxRms;
  }
  return { delta, rms, coverage: maskSum / delta.length / opts.textureLevel };
}

export interface ApplyInput {
  /** 8-bit interleaved pixels, modified in place (rows rowStart..rowEnd-1 only; see rowOffset). */
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  delta: Float32Array;
  ww: number;
  wh: number;
  rowStart: number;
  rowEnd: number;
  /** Image row held at pixels[0] (a band of rows given alone); 0 for the whole image. */
  rowOffset?: number;
}

/** One row of an RGB image: the general loop below with the channel loop unrolled (the same arithmetic, so the same pixels). */
function applyRowRgb(pixels: Uint8Array, p: number, width: number, rowA: Float32Array, rowB: Float32Array, fy: number): number {
  let sse = 0;
  for (let x = 0; x < width; x++, p += 3) {
    const top = rowA[x]!;
    let d = top + (rowB[x]! - top) * fy;
    const r = pixels[p]!;
    const g = pixels[p + 1]!;
    const b = pixels[p + 2]!;
    const luma = 0.299 * r + 0.587 * g + 0.114 * b;
    const headroom = luma < 127.5 ? luma : 255 - luma;
    if (headroom < 12) d *= headroom > 0 ? headroom / 12 : 0;
    const vr = r + d;
    const vg = g + d;
    const vb = b + d;
    const qr = vr <= 0 ? 0 : vr >= 255 ? 255 : (vr + 0.5) | 0;
    const qg = vg <= 0 ? 0 : vg >= 255 ? 255 : (vg + 0.5) | 0;
    const qb = vb <= 0 ? 0 : vb >= 255 ? 255 : (vb + 0.5) | 0;
    pixels[p] = qr;
    pixels[p + 1] = qg;
    pixels[p + 2] = qb;
    sse += (qr - r) * (qr - r) + (qg - g) * (qg - g) + (qb - b) * (qb - b);
  }
  return sse;
}

/**
 * Adds the bilinearly upsampled luma change to every colour channel (the same amount to R, G
 * and B changes luma only). Near-white and near-black pixels get proportionally less, so white
 * backgrounds stay clean; alpha scales the change and is itself untouched. Returns the sum of
 * squared changes over the colour samples (for PSNR).
 *
 * Speed: each working row is upsampled horizontally once (cached for the two rows in use), so a
 * full-resolution pixel costs one vertical interpolation.
 */
export function applyMark(input: ApplyInput): number {
  const { pixels, width, height, channels, delta, ww, wh } = input;
  const colour = channels >= 3 ? 3 : 1;
  const hasAlpha = channels === 2 || channels === 4;
  const sx = ww / width;
  const sy = wh / height;
  const x0 = new Int32Array(width);
  const x1 = new Int32Array(width);
  const fx = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const u = Math.min(ww - 1, Math.max(0, (x + 0.5) * sx - 0.5));
    const i = Math.max(0, Math.min(ww - 2, Math.floor(u)));
    x0[x] = i;
    x1[x] = Math.min(ww - 1, i + 1);
    fx[x] = ww > 1 ? u - i : 0;
  }
  const upsample = (row: number, out: Float32Array) => {
    const r = row * ww;
    for (let x = 0; x < width; x++) {
      const a = delta[r + x0[x]!]!;
      out[x] = a + (delta[r + x1[x]!]! - a) * fx[x]!;
    }
  };
  let rowA = new Float32Array(width);
  let rowB = new Float32Array(width);
  let haveA = -1;
  let haveB = -1;
  let sse = 0;
  const offset = input.rowOffset ?? 0;
  for (let y = input.rowStart; y < input.rowEnd; y++) {
    const v = Math.min(wh - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.max(0, Math.min(wh - 2, Math.floor(v)));
    const y1 = Math.min(wh - 1, y0 + 1);
    const fy = wh > 1 ? v - y0 : 0;
    if (haveA !== y0) {
      if (haveB === y0) {
        const t = rowA;
        rowA = rowB;
        rowB = t;
        haveA = y0;
        haveB = -1;
      } else {
        upsample(y0, rowA);
        haveA = y0;
      }
    }
    if (haveB !== y1) {
      upsample(y1, rowB);
      haveB = y1;
    }
    let p = (y - offset) * width * channels;
    if (channels === 3) {
      sse += applyRowRgb(pixels, p, width, rowA, rowB, fy);
      continue;
    }
    for (let x = 0; x < width; x++, p += channels) {
      const top = rowA[x]!;
      let d = top + (rowB[x]! - top) * fy;
      const luma = colour === 3 ? 0.299 * pixels[p]! + 0.587 * pixels[p + 1]! + 0.114 * pixels[p + 2]! : pixels[p]!;
      const headroom = luma < 127.5 ? luma : 255 - luma;
      if (headroom < 12) d *= headroom > 0 ? headroom / 12 : 0;
      if (hasAlpha) d *= pixels[p + channels - 1]! / 255;
      for (let c = 0; c < colour; c++) {
        const old = pixels[p + c]!;
        const value = old + d;
        const q = value <= 0 ? 0 : value >= 255 ? 255 : (value + 0.5) | 0;
        pixels[p + c] = q;
        sse += (q - old) * (q - old);
      }
    }
  }
  return sse;
}

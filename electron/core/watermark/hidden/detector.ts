/**
 * Blind detection of the tiled mark in a suspect luma image, as pure typed-array steps:
 *
 * 1. whiten: subtract a local prediction, weight by local activity (flat areas carry no mark);
 * 2. find the tile lattice (scale, rotation, even shear) from the autocorrelation peaks that any
 *    periodic pattern leaves, whatever the key and payload;
 * 3. fold the image onto one tile along that lattice, and find the tile's flip/rotation and
 *    offset by FFT cross-correlation with each key's pilot pattern (z-score against the
 *    correlation surface's own spread);
 * 4. refine the lattice from the offsets of the image's quadrants, re-fold, and soft-decode the
 *    chips with the Viterbi decoder.
 */
import { gaussianBlur } from '../../dsp/blur.ts';
import { autocorrelate2d, fft2d, nextPowerOfTwo } from '../../dsp/fft.ts';
import { viterbiDecode, convolutionalEncode } from '../../dsp/convolutional.ts';
import { CHIPS, CODED_BITS, INFO_BITS, TILE, parsePayload, type Layout } from './layout.ts';
import { bandLimitedTile, copyChipBand, dihedral, pilotGrid } from './pattern.ts';

/** 2×2 matrix [a, b, c, d] mapping an analysis-pixel offset (x, y) to tile pixels (a·x + b·y, c·x + d·y). */
export type Mat2 = [number, number, number, number];

export interface WhitenOptions {
  /** Gaussian σ (analysis pixels) of the local prediction that is subtracted. */
  sigma: number;
  /** Activity (levels) below which a region is treated as flat and weighted down. */
  floor: number;
}
export const DEFAULT_WHITEN: WhitenOptions = { sigma: 1.6, floor: 1.5 };

/** High-pass residual weighted by local activity, clipped: roughly unit variance where textured. */
export function whiten(luma: Float32Array, width: number, height: number, opts: WhitenOptions = DEFAULT_WHITEN): Float32Array {
  const smooth = gaussianBlur(luma, width, height, opts.sigma);
  const r = new Float32Array(luma.length);
  const sq = new Float32Array(luma.length);
  for (let i = 0; i < luma.length; i++) {
    r[i] = luma[i]! - smooth[i]!;
    sq[i] = r[i]! * r[i]!;
  }
  const energy = gaussianBlur(sq, width, height, 4);
  const f2 = opts.floor * opts.floor;
  for (let i = 0; i < r.length; i++) {
    // r·e/(e² + floor²): ≈ r/e (unit variance) where textured, fading to 0 where flat.
    const e2 = energy[i]!;
    const v = (r[i]! * Math.sqrt(e2)) / (e2 + f2);
    r[i] = v > 3 ? 3 : v < -3 ? -3 : v;
  }
  return r;
}

export interface LatticeCandidate {
  matrix: Mat2;
  /** Weighted sum of autocorrelation z-scores over the lattice's points. */
  score: number;
  /** Tile period (pixels) along each lattice vector. */
  period: number;
  angleDeg: number;
}

export interface LatticeOptions {
  minPeriod: number;
  maxPeriod: number;
  candidates: number;
  /** Compression block grid (pixels) whose periodic autocorrelation is removed (0: none). */
  blockPeriod: number;
}

/** Autocorrelation z-scores for lags |dx|, |dy| ≤ R, smoothed, with bilinear lookup. */
class LagTable {
  readonly R: number;
  readonly side: number;
  readonly z: Float32Array;
  readonly width: number;
  readonly height: number;
  constructor(R: number, z: Float32Array, width: number, height: number) {
    this.R = R;
    this.side = 2 * R + 1;
    this.z = z;
    this.width = width;
    this.height = height;
  }
  /** Bilinear lookup; 0 outside the table. */
  at(x: number, y: number): number {
    const R = this.R;
    if (!(Math.abs(x) < R - 1 && Math.abs(y) < R - 1)) return 0;
    const fx = x + R;
    const fy = y + R;
    const ix = Math.floor(fx);
    const iy = Math.floor(fy);
    const ax = fx - ix;
    const ay = fy - iy;
    const i = iy * this.side + ix;
    const z = this.z;
    return (z[i]! * (1 - ax) + z[i + 1]! * ax) * (1 - ay) + (z[i + this.side]! * (1 - ax) + z[i + this.side + 1]! * ax) * ay;
  }
  /**
   * Evidence for the lattice spanned by (ax, ay) and (bx, by): z-scores at its points in one
   * half-plane, weighted by the square root of their overlap (their expected z), normalised so
   * that pure noise gives unit variance.
   */
  score(ax: number, ay: number, bx: number, by: number): number {
    let s = 0;
    let w2 = 0;
    const lim = this.R - 2;
    for (let m = 0; m <= 6; m++) {
      for (let n = -6; n <= 6; n++) {
        if (m === 0 && n <= 0) continue;
        const x = m * ax + n * bx;
        const y = m * ay + n * by;
        if (Math.abs(x) >= lim || Math.abs(y) >= lim) continue;
        const overlap = (1 - Math.abs(x) / this.width) * (1 - Math.abs(y) / this.height);
        if (overlap < 0.15) continue;
        const w = Math.sqrt(overlap);
        s += w * this.at(x, y);
        w2 += w * w;
      }
    }
    return w2 > 0 ? s / Math.sqrt(w2) : 0;
  }
}

/**
 * Tile lattices suggested by the autocorrelation of the whitened image. Every integer lag p with
 * a length in the period range and an angle in [-45°, 45°) is scored as a square lattice (p, p⊥)
 * summed over all its points in reach; the best local maxima are then refined continuously in
 * period and angle, which places the lattice far more precisely than any single peak could.
 */
export function latticeCandidates(rw: Float32Array, width: number, height: number, opts: LatticeOptions): LatticeCandidate[] {
  const pw = nextPowerOfTwo(width);
  const ph = nextPowerOfTwo(height);
  const buf = new Float64Array(pw * ph);
  let energy = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = rw[y * width + x]!;
      buf[y * pw + x] = v;
      energy += v * v;
    }
  }
  if (energy <= 0) return [];
  const ac = autocorrelate2d(buf, pw, ph);
  const variance = energy / (width * height);
  const R = Math.floor(Math.min(pw / 2, ph / 2, 0.85 * width, 0.85 * height, 4 * opts.maxPeriod + 4));
  const side = 2 * R + 1;
  const raw = new Float32Array(side * side);
  for (let dy = -R; dy <= R; dy++) {
    for (let dx = -R; dx <= R; dx++) {
      const overlap = Math.max(1, (width - Math.abs(dx)) * (height - Math.abs(dy)));
      raw[(dy + R) * side + dx + R] = ac[((dy + ph) % ph) * pw + ((dx + pw) % pw)]! / (variance * Math.sqrt(overlap));
    }
  }
  if (opts.blockPeriod > 1) removeBlockGrid(raw, side, R, opts.blockPeriod, opts.minPeriod);
  // Residual correlation of the whitened image inflates the spread: rescale to unit variance.
  let ss = 0;
  let count = 0;
  for (let dy = -R; dy <= R; dy += 3) {
    for (let dx = -R; dx <= R; dx += 3) {
      if (Math.hypot(dx, dy) < opts.minPeriod / 2) continue;
      const v = raw[(dy + R) * side + dx + R]!;
      ss += v * v;
      count++;
    }
  }
  const spread = Math.sqrt(ss / Math.max(1, count)) || 1;
  for (let i = 0; i < raw.length; i++) raw[i]! /= spread;
  const table = new LagTable(R, raw, width, height);

  const rmax = Math.min(Math.floor(opts.maxPeriod), R - 2);
  const gside = 2 * rmax + 1;
  const score = new Float32Array(gside * gside).fill(-Infinity);
  for (let py = -rmax; py <= rmax; py++) {
    for (let px = 1; px <= rmax; px++) {
      if (py < -px || py >= px) continue;
      const len = Math.hypot(px, py);
      if (len < opts.minPeriod || len > opts.maxPeriod) continue;
      score[(py + rmax) * gside + px + rmax] = table.score(px, py, -py, px);
    }
  }
  const peaks: { px: number; py: number; s: number }[] = [];
  for (let py = -rmax; py <= rmax; py++) {
    for (let px = 1; px <= rmax; px++) {
      const s = score[(py + rmax) * gside + px + rmax]!;
      if (!Number.isFinite(s)) continue;
      let isMax = true;
      for (let dy = -2; dy <= 2 && isMax; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          if (!dx && !dy) continue;
          const yy = py + dy;
          const xx = px + dx;
          if (Math.abs(yy) > rmax || xx < 1 || xx > rmax) continue;
          const o = score[(yy + rmax) * gside + xx + rmax]!;
          if (o > s || (o === s && (dy < 0 || (dy === 0 && dx < 0)))) {
            isMax = false;
            break;
          }
        }
      }
      if (isMax) peaks.push({ px, py, s });
    }
  }
  peaks.sort((a, b) => b.s - a.s);
  const out: LatticeCandidate[] = [];
  for (const p of peaks.slice(0, opts.candidates)) {
    const r = refineLattice(table, Math.hypot(p.px, p.py), Math.atan2(p.py, p.px));
    const ax = r.period * Math.cos(r.angle);
    const ay = r.period * Math.sin(r.angle);
    // The matrix maps the lattice vectors a → (TILE, 0) and a⊥ → (0, TILE).
    const k = TILE / (r.period * r.period);
    out.push({ matrix: [k * ax, k * ay, -k * ay, k * ax], score: r.score, period: r.period, angleDeg: (r.angle * 180) / Math.PI });
  }
  return out;
}

/** Coarse-to-fine search of period and angle around a starting lattice. */
function refineLattice(table: LagTable, period: number, angle: number): { period: number; angle: number; score: number } {
  let best = { period, angle, score: table.score(period * Math.cos(angle), period * Math.sin(angle), -period * Math.sin(angle), period * Math.cos(angle)) };
  let dp = 0.6;
  let da = 0.012;
  for (let round = 0; round < 4; round++) {
    const centre = best;
    for (let i = -3; i <= 3; i++) {
      for (let j = -3; j <= 3; j++) {
        const p = centre.period + i * dp;
        const a = centre.angle + j * da;
        const ax = p * Math.cos(a);
        const ay = p * Math.sin(a);
        const s = table.score(ax, ay, -ay, ax);
        if (s > best.score) best = { period: p, angle: a, score: s };
      }
    }
    dp /= 3;
    da /= 3;
  }
  return best;
}

/** Subtracts, per phase of the block grid, the median z-score over the searched lags. */
function removeBlockGrid(zt: Float32Array, side: number, R: number, period: number, minLag: number): void {
  const groups: number[][] = Array.from({ length: period * period }, () => []);
  for (let dy = -R; dy <= R; dy++) {
    for (let dx = -R; dx <= R; dx++) {
      if (Math.hypot(dx, dy) < minLag / 2) continue;
      groups[(((dy % period) + period) % period) * period + (((dx % period) + period) % period)]!.push(zt[(dy + R) * side + dx + R]!);
    }
  }
  const medians = groups.map((g) => {
    if (g.length === 0) return 0;
    g.sort((a, b) => a - b);
    return g[g.length >> 1]!;
  });
  for (let dy = -R; dy <= R; dy++) {
    for (let dx = -R; dx <= R; dx++) {
      zt[(dy + R) * side + dx + R]! -= medians[(((dy % period) + period) % period) * period + (((dx % period) + period) % period)]!;
    }
  }
}

/** Sums the whitened image onto one tile (bilinear splatting), optionally only a rectangle of it. */
export function fold(rw: Float32Array, width: number, height: number, m: Mat2, rect?: { x0: number; y0: number; x1: number; y1: number }): Float64Array {
  const acc = new Float64Array(TILE * TILE);
  const cx = width / 2;
  const cy = height / 2;
  const [a, b, c, d] = m;
  const x0 = rect?.x0 ?? 0;
  const y0 = rect?.y0 ?? 0;
  const x1 = rect?.x1 ?? width;
  const y1 = rect?.y1 ?? height;
  const big = TILE * 1024;
  for (let y = y0; y < y1; y++) {
    const oy = y - cy;
    let u = a * (x0 - cx) + b * oy + big;
    let v = c * (x0 - cx) + d * oy + big;
    const row = y * width;
    for (let x = x0; x < x1; x++, u += a, v += c) {
      const val = rw[row + x]!;
      if (val === 0) continue;
      const iu = Math.floor(u);
      const iv = Math.floor(v);
      const fu = u - iu;
      const fv = v - iv;
      const u0 = iu & (TILE - 1);
      const v0 = iv & (TILE - 1);
      const u1 = (u0 + 1) & (TILE - 1);
      const v1 = (v0 + 1) & (TILE - 1);
      const top = val * (1 - fv);
      const bottom = val * fv;
      acc[v0 * TILE + u0]! += top * (1 - fu);
      acc[v0 * TILE + u1]! += top * fu;
      acc[v1 * TILE + u0]! += bottom * (1 - fu);
      acc[v1 * TILE + u1]! += bottom * fu;
    }
  }
  return acc;
}

/** Frequency response (per tile frequency bin) of the whitening, for a tile period in analysis pixels. */
export function whiteningResponse(period: number, sigma = DEFAULT_WHITEN.sigma): Float64Array {
  const h = new Float64Array(TILE * TILE);
  for (let ky = 0; ky < TILE; ky++) {
    const fy = ky < TILE / 2 ? ky : ky - TILE;
    for (let kx = 0; kx < TILE; kx++) {
      const fx = kx < TILE / 2 ? kx : kx - TILE;
      const f2 = (fx * fx + fy * fy) / (period * period);
      h[ky * TILE + kx] = 1 - Math.exp(-2 * Math.PI * Math.PI * sigma * sigma * f2);
    }
  }
  return h;
}

/** A key's pilot reference in the frequency domain: conj(FFT(D_d(pilot tile))) for the 8 symmetries. */
export interface PilotBank {
  re: Float64Array[];
  im: Float64Array[];
}

export function pilotBank(layout: Layout): PilotBank {
  const tile = bandLimitedTile(pilotGrid(layout));
  const re: Float64Array[] = [];
  const im: Float64Array[] = [];
  for (let d = 0; d < 8; d++) {
    const r = dihedral(tile, TILE, d);
    const i = new Float64Array(r.length);
    fft2d(r, i, TILE, TILE);
    for (let k = 0; k < i.length; k++) i[k] = -i[k]!;
    re.push(r);
    im.push(i);
  }
  return { re, im };
}

export interface PilotMatch {
  /** Symmetry d such that the folded tile F(x) ≈ w(D_d (x − shift)) for the embedded tile w. */
  d: number;
  /** Sub-pixel shift (tile pixels). */
  shift: [number, number];
  /** Peak over the spread of the whole correlation surface (all 8 symmetries). */
  z: number;
  /** Peak value (for comparing refinements). */
  peak: number;
}

/** FFT of a folded tile, ready for correlation. */
export function tileSpectrum(folded: Float64Array): { re: Float64Array; im: Float64Array } {
  const re = Float64Array.from(folded);
  const im = new Float64Array(re.length);
  fft2d(re, im, TILE, TILE);
  return { re, im };
}

/**
 * Correlates a folded tile with the pilot under each of the 8 symmetries (or only `onlyD`),
 * whitening-filtered by `h`. Returns the best match.
 */
export function matchPilot(spec: { re: Float64Array; im: Float64Array }, bank: PilotBank, h: Float64Array, onlyD?: number): PilotMatch {
  let best: PilotMatch = { d: 0, shift: [0, 0], z: 0, peak: -Infinity };
  let sumSq = 0;
  let count = 0;
  let bestSurface: Float64Array | null = null;
  const n = TILE * TILE;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let d = 0; d < 8; d++) {
    if (onlyD !== undefined && d !== onlyD) continue;
    const br = bank.re[d]!;
    const bi = bank.im[d]!;
    for (let k = 0; k < n; k++) {
      const ar = spec.re[k]! * h[k]!;
      const ai = spec.im[k]! * h[k]!;
      re[k] = ar * br[k]! - ai * bi[k]!;
      im[k] = ar * bi[k]! + ai * br[k]!;
    }
    fft2d(re, im, TILE, TILE, true);
    let peak = -Infinity;
    let at = 0;
    for (let k = 0; k < n; k++) {
      const v = re[k]!;
      sumSq += v * v;
      if (v > peak) {
        peak = v;
        at = k;
      }
    }
    count += n;
    if (peak > best.peak) {
      best = { d, shift: [at % TILE, Math.floor(at / TILE)], z: 0, peak };
      bestSurface = Float64Array.from(re);
    }
  }
  const std = Math.sqrt(sumSq / count);
  best.z = std > 0 ? best.peak / std : 0;
  if (bestSurface) {
    const [sx, sy] = best.shift;
    const v = (x: number, y: number) => bestSurface![((y + TILE) % TILE) * TILE + ((x + TILE) % TILE)]!;
    const sub = (l: number, c: number, r: number) => {
      const den = l - 2 * c + r;
      return den < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (l - r)) / den)) : 0;
    };
    let fx = sx + sub(v(sx - 1, sy), best.peak, v(sx + 1, sy));
    let fy = sy + sub(v(sx, sy - 1), best.peak, v(sx, sy + 1));
    if (fx > TILE / 2) fx -= TILE;
    if (fy > TILE / 2) fy -= TILE;
    best.shift = [fx, fy];
  }
  return best;
}

/** Inverse of a symmetry index (see dihedral). */
export function inverseSymmetry(d: number): number {
  return d & 1 ? 1 | ((d & 2) << 1) | ((d & 4) >> 1) : d;
}

export interface ChipDecode {
  bits: Uint8Array;
  ownerId: number;
  imageId: number;
  checkOk: boolean;
  /** Coded bits whose hard decision disagreed with the decoded codeword. */
  codedErrors: number;
  /** Mean pilot chip value over its spread: a per-chip signal-to-noise ratio. */
  pilotSnr: number;
}

/**
 * Aligns the folded tile (symmetry d, sub-pixel shift), reads every chip with a matched filter,
 * combines the chips of each coded bit, and Viterbi-decodes.
 */
export function decodeTile(spec: { re: Float64Array; im: Float64Array }, match: PilotMatch, layout: Layout, h: Float64Array): ChipDecode {
  // G(x) = F(x + s): shift by a phase ramp, with the whitening's matched filter applied.
  const n = TILE * TILE;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  const [sx, sy] = match.shift;
  for (let ky = 0; ky < TILE; ky++) {
    const fy = ky < TILE / 2 ? ky : ky - TILE;
    for (let kx = 0; kx < TILE; kx++) {
      const fx = kx < TILE / 2 ? kx : kx - TILE;
      const k = ky * TILE + kx;
      const phase = (2 * Math.PI * (fx * sx + fy * sy)) / TILE;
      const c = Math.cos(phase);
      const s = Math.sin(phase);
      const ar = spec.re[k]! * h[k]!;
      const ai = spec.im[k]! * h[k]!;
      re[k] = ar * c - ai * s;
      im[k] = ar * s + ai * c;
    }
  }
  fft2d(re, im, TILE, TILE, true);
  // F(x) ≈ w(D (x − s)): with G(x) = F(x + s), w(y) = G(D⁻¹ y).
  const aligned = dihedral(re, TILE, inverseSymmetry(match.d));
  // Chip values: the band-limited basis is orthogonal, so the chips are the low band of the spectrum.
  const ar = aligned;
  const ai = new Float64Array(n);
  fft2d(ar, ai, TILE, TILE);
  const { re: cr, im: ci } = copyChipBand(ar, ai, TILE, CHIPS);
  fft2d(cr, ci, CHIPS, CHIPS, true);
  const soft = new Float64Array(CODED_BITS);
  let ps = 0;
  let pss = 0;
  let pn = 0;
  for (let j = 0; j < cr.length; j++) {
    const v = cr[j]! * layout.sign[j]!;
    const b = layout.bit[j]!;
    if (b < 0) {
      ps += v;
      pss += v * v;
      pn++;
    } else soft[b]! += v;
  }
  const mean = ps / pn;
  const sd = Math.sqrt(Math.max(1e-12, pss / pn - mean * mean));
  const bits = viterbiDecode(soft, INFO_BITS);
  const coded = convolutionalEncode(bits);
  let codedErrors = 0;
  for (let i = 0; i < CODED_BITS; i++) if ((soft[i]! > 0 ? 1 : 0) !== coded[i]) codedErrors++;
  const parsed = parsePayload(bits, layout.checkMask);
  return { bits, ...parsed, codedErrors, pilotSnr: mean / sd };
}

export interface DetectKey {
  layout: Layout;
  bank: PilotBank;
}

export interface DetectOptions {
  /** Tile periods searched at each pyramid level (level pixels); the top level searches up to maxPeriod. */
  minPeriod: number;
  levelMaxPeriod: number;
  /** Lattice candidates kept per level. */
  candidatesPerLevel: number;
  /** Compression block grid at level 0 (pixels), 0 if none. */
  blockPeriod: number;
  /** Pilot z-score a candidate needs before it is decoded. */
  zDecode: number;
  /** At most this many decodes per key (bounds the chance that random bits pass the check). */
  maxDecodes: number;
}

export const DEFAULT_DETECT: DetectOptions = { minPeriod: 40, levelMaxPeriod: 100, candidatesPerLevel: 8, blockPeriod: 0, zDecode: 5, maxDecodes: 3 };

export interface KeyResult {
  key: number;
  z: number;
  decode: ChipDecode | null;
  /** Pyramid level and lattice matrix (level pixels → tile pixels) of the best candidate. */
  level: number;
  matrix: Mat2;
  symmetry: number;
  /** Tile period in level-0 pixels, and lattice angle. */
  period: number;
  angleDeg: number;
  decodes: number;
}

export interface MarkSearch {
  /** Best result per key (same order as the keys given). */
  keys: KeyResult[];
  latticeCandidates: number;
}

function matrixPeriod(m: Mat2): number {
  // Lattice vectors are the columns of TILE · m⁻¹.
  const det = m[0] * m[3] - m[1] * m[2];
  const ax = (TILE * m[3]) / det;
  const ay = (-TILE * m[2]) / det;
  const bx = (-TILE * m[1]) / det;
  const by = (TILE * m[0]) / det;
  return (Math.hypot(ax, ay) + Math.hypot(bx, by)) / 2;
}

function matrixAngle(m: Mat2): number {
  const det = m[0] * m[3] - m[1] * m[2];
  return (Math.atan2((-TILE * m[2]) / det, (TILE * m[3]) / det) * 180) / Math.PI;
}

interface Level {
  width: number;
  height: number;
  rw: Float32Array;
}

/**
 * Refines the lattice from the pilot offsets of the image's quadrants: a residual scale/rotation
 * error E shows as offsets that grow linearly with position, s_q ≈ s₀ − E·m_q.
 */
function refineMatrix(lv: Level, m: Mat2, key: DetectKey, match: PilotMatch): Mat2 | null {
  const { rw, width, height } = lv;
  const h = whiteningResponse(matrixPeriod(m));
  const rows: { mx: number; my: number; sx: number; sy: number; w: number }[] = [];
  const grid = 2;
  for (let gy = 0; gy < grid; gy++) {
    for (let gx = 0; gx < grid; gx++) {
      const rect = { x0: Math.floor((gx * width) / grid), x1: Math.floor(((gx + 1) * width) / grid), y0: Math.floor((gy * height) / grid), y1: Math.floor(((gy + 1) * height) / grid) };
      const f = fold(rw, width, height, m, rect);
      const r = matchPilot(tileSpectrum(f), key.bank, h, match.d);
      if (r.z < 4) continue;
      const ox = (rect.x0 + rect.x1) / 2 - width / 2;
      const oy = (rect.y0 + rect.y1) / 2 - height / 2;
      let dx = r.shift[0] - match.shift[0];
      let dy = r.shift[1] - match.shift[1];
      dx -= TILE * Math.round(dx / TILE);
      dy -= TILE * Math.round(dy / TILE);
      rows.push({ mx: m[0] * ox + m[1] * oy, my: m[2] * ox + m[3] * oy, sx: dx, sy: dy, w: r.z * r.z });
    }
  }
  if (rows.length < 3) return null;
  // Weighted least squares: s = c + S·m (separately for x and y), with S = −E.
  const solve = (pick: (r: (typeof rows)[number]) => number): [number, number, number] | null => {
    const A = [0, 0, 0, 0, 0, 0, 0, 0, 0];
    const b = [0, 0, 0];
    for (const r of rows) {
      const v = [1, r.mx, r.my];
      for (let i = 0; i < 3; i++) {
        b[i]! += r.w * v[i]! * pick(r);
        for (let j = 0; j < 3; j++) A[i * 3 + j]! += r.w * v[i]! * v[j]!;
      }
    }
    return solve3(A, b);
  };
  const sx = solve((r) => r.sx);
  const sy = solve((r) => r.sy);
  if (!sx || !sy) return null;
  // E = −S;  m_new = (I + E)·m
  const e: Mat2 = [-sx[1], -sx[2], -sy[1], -sy[2]];
  return [
    (1 + e[0]) * m[0] + e[1] * m[2],
    (1 + e[0]) * m[1] + e[1] * m[3],
    e[2] * m[0] + (1 + e[3]) * m[2],
    e[2] * m[1] + (1 + e[3]) * m[3],
  ];
}

function solve3(A: number[], b: number[]): [number, number, number] | null {
  const m = [A.slice(0, 3).concat(b[0]!), A.slice(3, 6).concat(b[1]!), A.slice(6, 9).concat(b[2]!)];
  for (let c = 0; c < 3; c++) {
    let p = c;
    for (let r = c + 1; r < 3; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    if (Math.abs(m[p]![c]!) < 1e-12) return null;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = 0; r < 3; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k < 4; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return [m[0]![3]! / m[0]![0]!, m[1]![3]! / m[1]![1]!, m[2]![3]! / m[2]![2]!];
}

/** Halves an image by 2×2 averaging (odd last row/column dropped). */
export function halve(src: Float32Array, width: number, height: number): { data: Float32Array; width: number; height: number } {
  const w = width >> 1;
  const h = height >> 1;
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const r0 = 2 * y * width;
    const r1 = r0 + width;
    for (let x = 0; x < w; x++) out[y * w + x] = 0.25 * (src[r0 + 2 * x]! + src[r0 + 2 * x + 1]! + src[r1 + 2 * x]! + src[r1 + 2 * x + 1]!);
  }
  return { data: out, width: w, height: h };
}

/**
 * The whole search on an analysis-resolution luma image, for every key. The lattice is searched on
 * a pyramid: each level looks for tile periods of minPeriod..levelMaxPeriod of its own pixels,
 * where the whitening matches the chip size, so crops (large periods) and small copies (small
 * periods) are found with the same sensitivity.
 */
export function detectMark(luma: Float32Array, width: number, height: number, keys: DetectKey[], options: Partial<DetectOptions> = {}): MarkSearch {
  const opts = { ...DEFAULT_DETECT, ...options };
  const levels: Level[] = [];
  let img = { data: luma, width, height };
  const minSide = Math.ceil(2.2 * opts.minPeriod);
  while (Math.min(img.width, img.height) >= minSide) {
    levels.push({ width: img.width, height: img.height, rw: whiten(img.data, img.width, img.height) });
    img = halve(img.data, img.width, img.height);
  }
  const cands: { level: number; m: Mat2; score: number }[] = [];
  levels.forEach((lv, l) => {
    const last = l === levels.length - 1;
    const block = Math.round(opts.blockPeriod / 2 ** l);
    const found = latticeCandidates(lv.rw, lv.width, lv.height, {
      minPeriod: opts.minPeriod,
      maxPeriod: last ? 0.45 * Math.min(lv.width, lv.height) : opts.levelMaxPeriod,
      candidates: opts.candidatesPerLevel,
      blockPeriod: block >= 4 ? block : 0,
    });
    for (const c of found) cands.push({ level: l, m: c.matrix, score: c.score });
  });
  // Fold once per lattice candidate; every key is matched against the same fold.
  const folds = cands.map((c) => {
    const lv = levels[c.level]!;
    return { ...c, spec: tileSpectrum(fold(lv.rw, lv.width, lv.height, c.m)), h: whiteningResponse(matrixPeriod(c.m)) };
  });
  const results: KeyResult[] = keys.map((key, k) => {
    const ranked = folds.map((f) => ({ ...f, match: matchPilot(f.spec, key.bank, f.h) })).sort((a, b) => b.match.z - a.match.z);
    const top = ranked[0];
    let best: KeyResult = { key: k, z: top?.match.z ?? 0, decode: null, level: top?.level ?? 0, matrix: top?.m ?? [1, 0, 0, 1], symmetry: top?.match.d ?? 0, period: 0, angleDeg: 0, decodes: 0 };
    let decodes = 0;
    for (const cand of ranked) {
      if (decodes >= opts.maxDecodes || cand.match.z < opts.zDecode) break;
      const lv = levels[cand.level]!;
      let { m, match, spec, h } = cand;
      // Refine twice from the quadrant offsets; keep a refinement only if the pilot peak grows.
      for (let it = 0; it < 2; it++) {
        const refined = refineMatrix(lv, m, key, match);
        if (!refined) break;
        const rspec = tileSpectrum(fold(lv.rw, lv.width, lv.height, refined));
        const rh = whiteningResponse(matrixPeriod(refined));
        const rmatch = matchPilot(rspec, key.bank, rh, match.d);
        if (rmatch.peak <= match.peak) break;
        m = refined;
        match = { ...rmatch, z: Math.max(rmatch.z, match.z) };
        spec = rspec;
        h = rh;
      }
      decodes++;
      const decode = decodeTile(spec, match, key.layout, h);
      if (!best.decode || decode.checkOk) best = { key: k, z: match.z, decode, level: cand.level, matrix: m, symmetry: match.d, period: 0, angleDeg: 0, decodes };
      if (decode.checkOk) break;
    }
    best.decodes = decodes;
    best.period = matrixPeriod(best.matrix) * 2 ** best.level;
    best.angleDeg = matrixAngle(best.matrix);
    return best;
  });
  return { keys: results, latticeCandidates: cands.length };
}

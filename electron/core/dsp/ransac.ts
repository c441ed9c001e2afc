/**
 * Robust fit of a 2-D similarity transform (scale, rotation, translation) to point matches,
 * by RANSAC over 2-point samples with least-squares refinement on the inliers.
 *
 * Model (maps train/original points to query points):
 *   x' = a·x − b·y + c
 *   y' = b·x + a·y + d          scale = √(a²+b²), rotation = atan2(b, a)
 */

export interface Similarity {
  a: number;
  b: number;
  c: number;
  d: number;
}

export interface PointMatches {
  /** Original (train) points. */
  tx: Float32Array | Float64Array;
  ty: Float32Array | Float64Array;
  /** Query points. */
  qx: Float32Array | Float64Array;
  qy: Float32Array | Float64Array;
  /** Keypoint orientations in degrees (optional: then orientation is not checked). */
  ta?: Float32Array | Float64Array;
  qa?: Float32Array | Float64Array;
  count: number;
}

export interface RansacOptions {
  /** Largest reprojection error of an inlier, in query units. @default 6 */
  threshold?: number;
  /** Largest orientation disagreement of an inlier, in degrees. @default 25 */
  angleTolerance?: number;
  /** Plausible scale range of the transform. @default [0.04, 25] */
  minScale?: number;
  maxScale?: number;
  /** @default 1500 */
  maxIterations?: number;
  /** Seed of the sampler, so a search gives the same answer every time. @default 1 */
  seed?: number;
}

export interface RansacResult {
  model: Similarity;
  inliers: Uint8Array;
  inlierCount: number;
  /** Root-mean-square reprojection error of the inliers. */
  rmse: number;
}

export const scaleOf = (m: Similarity) => Math.hypot(m.a, m.b);
export const rotationOf = (m: Similarity) => (Math.atan2(m.b, m.a) * 180) / Math.PI;

export function applySimilarity(m: Similarity, x: number, y: number): [number, number] {
  return [m.a * x - m.b * y + m.c, m.b * x + m.a * y + m.d];
}

export function invertSimilarity(m: Similarity): Similarity {
  const s2 = m.a * m.a + m.b * m.b;
  const a = m.a / s2;
  const b = -m.b / s2;
  return { a, b, c: -(a * m.c - b * m.d), d: -(b * m.c + a * m.d) };
}

/** Small deterministic PRNG (mulberry32). */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Least-squares similarity through the selected matches (closed form). */
export function fitSimilarity(m: PointMatches, use: Uint8Array | null): Similarity | null {
  let n = 0, sx = 0, sy = 0, su = 0, sv = 0;
  for (let i = 0; i < m.count; i++) {
    if (use && !use[i]) continue;
    n++;
    sx += m.tx[i]!; sy += m.ty[i]!; su += m.qx[i]!; sv += m.qy[i]!;
  }
  if (n < 2) return null;
  const mx = sx / n, my = sy / n, mu = su / n, mv = sv / n;
  let num1 = 0, num2 = 0, den = 0;
  for (let i = 0; i < m.count; i++) {
    if (use && !use[i]) continue;
    const x = m.tx[i]! - mx, y = m.ty[i]! - my, u = m.qx[i]! - mu, v = m.qy[i]! - mv;
    num1 += x * u + y * v;
    num2 += x * v - y * u;
    den += x * x + y * y;
  }
  if (den === 0) return null;
  const a = num1 / den;
  const b = num2 / den;
  return { a, b, c: mu - (a * mx - b * my), d: mv - (b * mx + a * my) };
}

function angleDiff(d: number): number {
  const r = ((d % 360) + 540) % 360 - 180;
  return Math.abs(r);
}

function countInliers(m: PointMatches, model: Similarity, thr2: number, angleTol: number, out: Uint8Array | null): { count: number; err: number } {
  const rot = (Math.atan2(model.b, model.a) * 180) / Math.PI;
  const checkAngles = m.ta !== undefined && m.qa !== undefined;
  let count = 0;
  let err = 0;
  for (let i = 0; i < m.count; i++) {
    const x = m.tx[i]!, y = m.ty[i]!;
    const du = model.a * x - model.b * y + model.c - m.qx[i]!;
    const dv = model.b * x + model.a * y + model.d - m.qy[i]!;
    const e2 = du * du + dv * dv;
    let ok = e2 <= thr2;
    if (ok && checkAngles) ok = angleDiff(m.qa![i]! - m.ta![i]! - rot) <= angleTol;
    if (out) out[i] = ok ? 1 : 0;
    if (ok) {
      count++;
      err += e2;
    }
  }
  return { count, err };
}

/** Best similarity explaining the matches, or null when fewer than 2 matches agree on one. */
export function ransacSimilarity(m: PointMatches, opts: RansacOptions = {}): RansacResult | null {
  if (m.count < 2) return null;
  const thr = opts.threshold ?? 6;
  const thr2 = thr * thr;
  const angleTol = opts.angleTolerance ?? 25;
  const minScale = opts.minScale ?? 0.04;
  const maxScale = opts.maxScale ?? 25;
  const maxIter = opts.maxIterations ?? 1500;
  const rand = mulberry32(opts.seed ?? 1);
  let best: Similarity | null = null;
  let bestCount = 1;
  let bestErr = Infinity;
  let needed = maxIter;
  for (let it = 0; it < needed; it++) {
    const i = Math.floor(rand() * m.count);
    let j = Math.floor(rand() * (m.count - 1));
    if (j >= i) j++;
    const x1 = m.tx[i]!, y1 = m.ty[i]!, x2 = m.tx[j]!, y2 = m.ty[j]!;
    const dx = x2 - x1, dy = y2 - y1;
    const du = m.qx[j]! - m.qx[i]!, dv = m.qy[j]! - m.qy[i]!;
    const den = dx * dx + dy * dy;
    if (den < 1e-6 || du * du + dv * dv < 1e-6) continue;
    const a = (dx * du + dy * dv) / den;
    const b = (dx * dv - dy * du) / den;
    const s = Math.hypot(a, b);
    if (s < minScale || s > maxScale) continue;
    const model = { a, b, c: m.qx[i]! - (a * x1 - b * y1), d: m.qy[i]! - (b * x1 + a * y1) };
    const { count, err } = countInliers(m, model, thr2, angleTol, null);
    if (count > bestCount || (count === bestCount && err < bestErr)) {
      best = model;
      bestCount = count;
      bestErr = err;
      // Adaptive stop: enough samples for a 99.9% chance of one all-inlier pair.
      const w = count / m.count;
      const p = Math.max(w * w, 1e-9);
      needed = Math.min(maxIter, Math.ceil(Math.log(0.001) / Math.log(1 - p)) + it + 1);
    }
  }
  if (!best) return null;
  const inliers = new Uint8Array(m.count);
  let model = best;
  let result = countInliers(m, model, thr2, angleTol, inliers);
  for (let round = 0; round < 3; round++) {
    const refined = fitSimilarity(m, inliers);
    if (!refined) break;
    const s = scaleOf(refined);
    if (s < minScale || s > maxScale) break;
    const next = new Uint8Array(m.count);
    const r = countInliers(m, refined, thr2, angleTol, next);
    if (r.count < result.count) break;
    model = refined;
    result = r;
    inliers.set(next);
  }
  return { model, inliers, inlierCount: result.count, rmse: result.count ? Math.sqrt(result.err / result.count) : 0 };
}

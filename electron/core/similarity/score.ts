/**
 * The 0–100 score and the match threshold. Two independent pieces of evidence, each turned into
 * a logistic score, the stronger one wins:
 *   - global: Hamming distance of the 256-bit content hashes (0 = same picture; unrelated ≈ 128 ± 8);
 *   - local: keypoints that agree on one geometric transform, backed by the aligned pixels agreeing.
 * The constants were fitted on the benchmark's labelled pairs (tests/bench/find.bench.ts prints the
 * evidence distributions): see CALIBRATION below and the README's find section.
 */
import type { Verification } from './kernels.ts';

export const MATCH_THRESHOLD = 50;

export const CALIBRATION = {
  /** Global distance at which the global evidence alone scores 50, and its spread. */
  globalMid: 46,
  globalSpread: 4,
  /** Pixel-backed inliers at which local evidence alone scores 50, and its spread. */
  localMid: 13,
  localSpread: 2.5,
  /**
   * Correlation of the aligned thumbnails below which the pixels back no inlier, and from which
   * they back all: a true copy aligned by the fit correlates above 0.95, while look-alikes from
   * the same scene that line up a dozen keypoints by chance reached 0.68–0.97 in the benchmark.
   */
  correlationNone: 0.6,
  correlationFull: 0.95,
  /** Texture below which the global hash says nothing, and from which it counts fully. */
  textureNone: 0.4,
  textureFull: 1.2,
} as const;

const logistic = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * Inliers count for more when the aligned pixels agree too: a repeated texture can line up a few
 * keypoints by chance, but not make the pictures look alike.
 */
export function effectiveInliers(v: Pick<Verification, 'inliers' | 'correlation' | 'agreeing'>): number {
  const pixel = Math.max(0, Math.min(1, (v.agreeing - 0.2) / 0.5)) * Math.max(0, Math.min(1, (v.correlation - CALIBRATION.correlationNone) / (CALIBRATION.correlationFull - CALIBRATION.correlationNone)));
  return v.inliers * (0.35 + 0.65 * pixel);
}

/**
 * `texture`: the smaller of the two pictures' texture (see textureOf); the global hash of a
 * nearly plain picture is mostly noise, so its evidence fades out below TEXTURE_FULL.
 */
export function scoreOf(globalDistance: number, v: Pick<Verification, 'inliers' | 'correlation' | 'agreeing'> | null, texture = Infinity): { score: number; local: number; global: number } {
  const trust = Math.max(0, Math.min(1, (texture - CALIBRATION.textureNone) / (CALIBRATION.textureFull - CALIBRATION.textureNone)));
  const global = trust * logistic((CALIBRATION.globalMid - globalDistance) / CALIBRATION.globalSpread);
  const local = v ? logistic((effectiveInliers(v) - CALIBRATION.localMid) / CALIBRATION.localSpread) : 0;
  return { score: Math.round(1000 * Math.max(global, local)) / 10, local, global };
}

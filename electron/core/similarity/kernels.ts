/**
 * The pixel work of the find feature, run in worker threads (electron/core/jobs/tasks.ts):
 * fingerprinting a decoded picture, and verifying candidate originals against a query.
 * Inputs and outputs are plain typed arrays (structured-cloneable).
 */
import { dctHash256, dihedralGrid, HASH_GRID, phash64, resampleArea } from '../dsp/phash.ts';
import { resizeRegion, resampleBox } from '../dsp/resample.ts';
import { mainBlock, trimUniformBorder, type Box } from '../dsp/trim.ts';
import { DescriptorMatcher } from './popscan.ts';
import { ransacSimilarity, scaleOf } from '../dsp/ransac.ts';
import { chain, fromSimilarity, mirrorX, scaling, type Affine } from '../dsp/affine.ts';
import { compareAligned } from '../dsp/alignment.ts';
import { detectOrb, type Keypoints } from './orb.ts';
import { wholeHash, windowHashes } from './regions.ts';

/** Bump when the fingerprint changes meaning; older ones are recomputed by the back-fill job. */
export const FINGERPRINT_VERSION = 3;
/** Long side of the normalised picture keypoints are found on. */
export const WORK_SIDE = 640;
/** Long side of the small picture kept for the pixel comparison. */
export const THUMB_SIDE = 128;
/** Keypoints kept per picture. */
export const KEYPOINTS = 500;

export interface PictureFingerprint {
  version: number;
  /** Size of the decoded (upright, possibly shrunk) picture the fingerprint was computed on. */
  decodedWidth: number;
  decodedHeight: number;
  /** Content box inside uniform borders, in decoded pixels. */
  trim: Box;
  /** Normalised picture: the trimmed box resized to WORK_SIDE on its long side. */
  workWidth: number;
  workHeight: number;
  /** ProofMark's 256-bit global hash of the trimmed content. */
  hash: Uint32Array;
  /** The plain 64-bit pHash of the whole picture (benchmark baseline). */
  phash64: Uint32Array;
  keypoints: Keypoints;
  /** Global hash of the 8 rotations/mirrors of the content (8 words each, in DIHEDRAL order). */
  variants: Uint32Array;
  thumb: Uint8Array;
  thumbWidth: number;
  thumbHeight: number;
  /** Region hashes of the thumbnail's overlapping windows (see regions.ts); empty on a suspect. */
  regions: Uint32Array;
  /** Region hash of the whole thumbnail (a suspect is looked up with it). */
  whole: Uint32Array;
}

export interface QueryFingerprint extends PictureFingerprint {
  /** Keypoints of the mirrored work picture (ORB descriptors are not mirror-invariant). */
  mirrored: Keypoints;
}

export interface FingerprintTaskInput {
  luma: Uint8Array;
  width: number;
  height: number;
  query: boolean;
}

export async function fingerprintPicture(input: FingerprintTaskInput): Promise<PictureFingerprint | QueryFingerprint> {
  const { luma, width, height } = input;
  const trim = mainBlock(luma, width, height, trimUniformBorder(luma, width, height));
  const grid = resampleArea(luma, width, trim, HASH_GRID);
  const hash = dctHash256(grid);
  const ph = phash64(resampleArea(luma, width, { x: 0, y: 0, width, height }, HASH_GRID));
  const s = WORK_SIDE / Math.max(trim.width, trim.height);
  const workWidth = Math.max(1, Math.round(trim.width * s));
  const workHeight = Math.max(1, Math.round(trim.height * s));
  const work = resizeRegion(luma, width, height, trim, workWidth, workHeight);
  const keypoints = await detectOrb(work, workWidth, workHeight, { keep: KEYPOINTS });
  const t = THUMB_SIDE / Math.max(workWidth, workHeight);
  const thumbWidth = Math.max(1, Math.round(workWidth * t));
  const thumbHeight = Math.max(1, Math.round(workHeight * t));
  const thumbF = resampleBox(work, workWidth, { x: 0, y: 0, width: workWidth, height: workHeight }, thumbWidth, thumbHeight);
  const thumb = Uint8Array.from(thumbF, (v) => Math.round(v));
  const variants = new Uint32Array(64);
  for (let d = 0; d < 8; d++) variants.set(dctHash256(dihedralGrid(grid, HASH_GRID, d)), d * 8);
  const base: PictureFingerprint = {
    version: FINGERPRINT_VERSION, decodedWidth: width, decodedHeight: height, trim, workWidth, workHeight,
    hash, phash64: ph, keypoints, variants, thumb, thumbWidth, thumbHeight,
    regions: input.query ? new Uint32Array(0) : windowHashes(thumb, thumbWidth, thumbHeight), whole: wholeHash(thumb, thumbWidth, thumbHeight),
  };
  if (!input.query) return base;
  const mirroredWork = new Uint8Array(work.length);
  for (let y = 0; y < workHeight; y++) {
    const row = y * workWidth;
    for (let x = 0; x < workWidth; x++) mirroredWork[row + x] = work[row + workWidth - 1 - x]!;
  }
  const mirrored = await detectOrb(mirroredWork, workWidth, workHeight, { keep: KEYPOINTS });
  return { ...base, mirrored };
}

/** What the keypoints and pixels say about one candidate original. */
export interface Verification {
  /** Keypoint matches that agree on one geometric transform. */
  inliers: number;
  /** Tentative descriptor matches before the geometric check. */
  matches: number;
  /** The fit went through the mirrored query. */
  mirrored: boolean;
  /** Original work picture → query work picture, or null without a geometric fit. */
  map: Affine | null;
  /** Pixel agreement of the aligned thumbnails (see compareAligned). */
  correlation: number;
  agreeing: number;
  overlap: number;
  /** Brightness change seen in the aligned pixels: query ≈ gain·original + offset. */
  gain: number;
  offset: number;
}

export interface VerifyTaskInput {
  query: QueryFingerprint;
  candidates: PictureFingerprint[];
  /** Per candidate, which query keypoints to match: the plain ones, the mirrored ones or both (default). */
  sides?: Side[];
}

export type Side = 'plain' | 'mirrored' | 'both';

type VerifyPicture = Pick<PictureFingerprint, 'keypoints' | 'workWidth' | 'workHeight' | 'thumb' | 'thumbWidth' | 'thumbHeight'>;

let matcher: DescriptorMatcher | null = null;

export interface DescriptorMatch {
  /** Index of the descriptor in the query set. */
  q: number;
  /** Index of its nearest neighbour in the train set. */
  t: number;
  distance: number;
}

/**
 * Nearest train descriptor of each query descriptor (256-bit ORB, 8 words) when it is clearly
 * better than the second nearest (ratio test) and close enough. Brute force in WebAssembly,
 * about ten times faster than JavaScript; the sets are a few hundred each.
 */
export function matchDescriptors(query: Uint32Array, nq: number, train: Uint32Array, nt: number, ratio: number, maxDistance: number): DescriptorMatch[] {
  if (nq === 0 || nt === 0) return [];
  matcher ??= new DescriptorMatcher();
  const r = matcher.match(query, nq, train, nt);
  const out: DescriptorMatch[] = [];
  for (let i = 0; i < nq; i++) {
    const t = r[i * 3]!, best = r[i * 3 + 1]!, second = r[i * 3 + 2]!;
    if (t >= 0 && best <= maxDistance && best < ratio * second) out.push({ q: i, t, distance: best });
  }
  return out;
}

/** Keypoint matching and RANSAC of one orientation (plain or mirrored query). */
function fitOne(q: Keypoints, o: Keypoints) {
  const matches = matchDescriptors(q.desc, q.n, o.desc, o.n, 0.85, 72);
  const count = matches.length;
  const pm = {
    tx: new Float32Array(count), ty: new Float32Array(count), qx: new Float32Array(count), qy: new Float32Array(count),
    ta: new Float32Array(count), qa: new Float32Array(count), count,
  };
  matches.forEach((m, i) => {
    pm.tx[i] = o.x[m.t]!; pm.ty[i] = o.y[m.t]!; pm.ta[i] = o.angle[m.t]!;
    pm.qx[i] = q.x[m.q]!; pm.qy[i] = q.y[m.q]!; pm.qa[i] = q.angle[m.q]!;
  });
  const fit = ransacSimilarity(pm, { threshold: 6, angleTolerance: 25, minScale: 0.05, maxScale: 20 });
  return { matches: count, fit };
}

/** Verifies one candidate: the better of the plain and mirrored fits, then the pixel check. */
export function verifyCandidate(query: QueryFingerprint, cand: VerifyPicture, side: Side = 'both'): Verification {
  // Only the side the index's evidence points to is matched when that is clear (half the work).
  const none = { matches: 0, fit: null };
  const plain = side === 'mirrored' ? none : fitOne(query.keypoints, cand.keypoints);
  const mirror = side === 'plain' ? none : fitOne(query.mirrored, cand.keypoints);
  const pi = plain.fit?.inlierCount ?? 0;
  const mi = mirror.fit?.inlierCount ?? 0;
  const useMirror = mi > pi;
  const best = useMirror ? mirror : plain;
  if (!best.fit || best.fit.inlierCount < 3 || scaleOf(best.fit.model) === 0) {
    return { inliers: best.fit?.inlierCount ?? 0, matches: best.matches, mirrored: useMirror, map: null, correlation: 0, agreeing: 0, overlap: 0, gain: 1, offset: 0 };
  }
  // Original work → query work (undoing the mirror of the mirrored query picture).
  const map = useMirror ? chain(fromSimilarity(best.fit.model), mirrorX(query.workWidth)) : fromSimilarity(best.fit.model);
  const agreement = compareAligned(
    cand.thumb, cand.thumbWidth, cand.thumbHeight, query.thumb, query.thumbWidth, query.thumbHeight,
    chain(scaling(cand.workWidth / cand.thumbWidth, cand.workHeight / cand.thumbHeight), map, scaling(query.thumbWidth / query.workWidth, query.thumbHeight / query.workHeight)),
  );
  return { inliers: best.fit.inlierCount, matches: best.matches, mirrored: useMirror, map, ...agreement };
}

export async function verifyCandidates(input: VerifyTaskInput): Promise<Verification[]> {
  return input.candidates.map((c, i) => verifyCandidate(input.query, c, input.sides?.[i] ?? 'both'));
}

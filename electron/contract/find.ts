import { z } from 'zod';
import { method } from './define.ts';
import type { HiddenDetectResult } from './hidden.ts';

/** A box in an image's own pixels (upright, as shown). */
export interface PixelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What was done to the original to make the suspect picture, read from the geometric fit and the pixels. */
export interface FindTransform {
  /** Suspect pixels per original pixel (0.4 = shown at 40%). */
  scale: number;
  /** The part of the original visible in the suspect, in original pixels. */
  cropBox: PixelBox;
  /** Share of the original's area that is visible in the suspect (1 = uncropped). */
  cropShare: number;
  /** Mirrored left↔right. */
  flip: boolean;
  /** Rotation in degrees, clockwise, after any mirror (−180…180). */
  rotation: number;
  /** Where the original's corners land in the suspect, in suspect pixels (outline of the matched region). */
  regionInSuspect: { x: number; y: number }[];
  /** Extra margin or canvas around the copied picture (white border, listing square). */
  padded: boolean;
  colour: {
    /** Mean brightness of the suspect relative to the original (1.3 = 30% brighter). */
    brightness: number;
    /** Spread of brightness relative to the original (0.7 = 30% less contrast). */
    contrast: number;
    /** Colourfulness relative to the original (0 = made grey). */
    saturation: number;
    greyscale: boolean;
  };
  /** Something was put over the picture (text, logo, price tag) inside the matched region. */
  overlay: boolean;
  /** Share of the matched region covered by what was added. */
  overlayShare: number;
  /** Bounding box of the added marks, in suspect pixels. */
  overlayBox: PixelBox | null;
  /** How the transform was found: keypoints fitted geometrically, or the global hash alone. */
  method: 'keypoints' | 'global-hash';
}

export interface FindMatch {
  id: number;
  sha256: string;
  title: string;
  importedAt: string;
  width: number;
  height: number;
  /** 0–100, calibrated: at or above `threshold` it is reported as a match. */
  score: number;
  isMatch: boolean;
  transform: FindTransform;
  /** The raw evidence behind the score. */
  evidence: { globalDistance: number; inliers: number; correlation: number; votes: number };
}

/** The hidden-watermark reading of the suspect, shown next to the matches. */
export interface FindHiddenResult {
  /** What the hidden-watermark detector reported (null when it could not read the picture). */
  result: HiddenDetectResult | null;
  error?: string;
}

export interface FindResult {
  /** Candidates ranked by score (matches first); at most `limit`. */
  matches: FindMatch[];
  /** Score at which a candidate counts as a match. */
  threshold: number;
  /** Time to search the index and verify candidates, after the query's own fingerprint. */
  queryMs: number;
  fingerprintMs: number;
  /** Pictures searched, and library items that have no fingerprint yet (run the back-fill). */
  searched: number;
  notFingerprinted: number;
  /** `path`: the file searched, or where a pasted picture was saved for this session (for a complaint); null when given as bytes by another feature. */
  query: { width: number; height: number; format: string; sha256: string; name: string; path: string | null };
  /** The query is itself an item of the library (same bytes). */
  exactItemId: number | null;
  hidden: FindHiddenResult;
  /** One sentence for people: the best match and what changed, or that nothing matched. */
  summary: string;
}

export interface DuplicateGroup {
  items: { id: number; sha256: string; title: string; score: number }[];
}

export interface FindCompareResult {
  match: FindMatch | null;
  /** Media tokens (api.mediaUrl('file', token)) of PNG renders. */
  sideBySide: string;
  overlay: string | null;
  difference: string | null;
}

const imageId = z.number({ error: 'the image id must be a number' }).int().positive('the image id must be a positive whole number');

/** A suspect picture: a file path, or the bytes (base64) of a pasted image. */
const suspect = {
  path: z.string().min(1, 'the path must not be empty').optional(),
  base64: z.string().min(1, 'the pasted image is empty').max(70_000_000, 'the pasted image is over 50 MB').optional(),
  name: z.string().max(300).optional(),
};
const oneSource = [
  (s: { path?: string | undefined; base64?: string | undefined }) => (s.path === undefined) !== (s.base64 === undefined),
  { message: 'give either the path of an image file or its bytes as base64 (one of them)' },
] as const;

export const findMethods = {
  'find.search': method<FindResult>()({
    input: z.object({ ...suspect, limit: z.number().int().min(1, 'limit must be at least 1').max(50, 'limit is at most 50').default(10) }).refine(...oneSource),
    summary: 'Which library original a picture was copied from, and what was changed.',
  }),
  'find.compare': method<FindCompareResult>()({
    input: z.object({ ...suspect, originalId: imageId }).refine(...oneSource),
    summary: 'Side-by-side, overlay and difference renders of one original and a suspect picture.',
  }),
  'find.duplicates': method<{ groups: DuplicateGroup[]; checked: number; notFingerprinted: number }>()({
    input: z.object({}).default({}),
    summary: 'Groups of library items that are copies or edits of each other.',
    job: true,
  }),
  'find.backfill': method<{ fingerprinted: number; alreadyDone: number; failed: { id: number; error: string }[] }>()({
    input: z.object({ redo: z.boolean().default(false) }).default({ redo: false }),
    summary: 'Compute the fingerprints that library items are missing (or all of them again).',
    job: true,
  }),
  'find.status': method<{ total: number; fingerprinted: number; missing: number; threshold: number }>()({
    input: z.object({}).default({}),
    summary: 'How many library items can be found (have a fingerprint).',
  }),
} as const;

import { z } from 'zod';
import { method, type Notice } from './define.ts';

/** What a hidden-mark detection says about one image. */
export interface HiddenDetectResult {
  /** A payload was decoded and passed both checks (the key's secret check bits and its owner id). */
  found: boolean;
  ownerId: number | null;
  imageId: number | null;
  /**
   * 0..1. When found: 1 minus an upper bound on the chance that an unmarked image (or one marked
   * with another key) would decode to this owner. When not found: 0.
   */
  confidence: number;
  /** That bound as odds, e.g. "below 1 in 10^18" (null when not found). */
  falseMatchOdds: string | null;
  /** The same as a power of ten: the chance is below 10^-falseMatchExponent (null when not found). */
  falseMatchExponent: number | null;
  /** The mark was made with this library's own key (not an imported one). */
  ownKey: boolean;
  /** Label of the key that decoded it (own or imported). */
  keyLabel: string | null;
  /** Library image with that id (only when the owner is this library's own key). */
  title: string | null;
  inLibrary: boolean;
  /** 'found', 'faint' (a mark-like pattern was seen but not read), or 'none'. */
  signal: 'found' | 'faint' | 'none';
  /** Pilot correlation score of the best candidate (z-score; unmarked images stay below ~6). */
  pilotZ: number;
  /** How the copy is oriented relative to the original (e.g. "mirrored", "rotated 90°"), when found. */
  orientation: string | null;
  /** Keys tried (own + imported). */
  keysTried: number;
  width: number;
  height: number;
  warnings: Notice[];
}

export interface HiddenKeyInfo {
  /** The own (embedding) key; null until the first embed or export. */
  own: { ownerId: number; fingerprint: string; createdAt: string; source: string } | null;
  /** Every key used for detection (own first). */
  keys: { ownerId: number; fingerprint: string; label: string; own: boolean; source: string; createdAt: string }[];
}

export interface HiddenEmbedResult {
  path: string;
  width: number;
  height: number;
  ownerId: number;
  imageId: number;
  /** Peak signal-to-noise ratio of the marked pixels against the decoded input (dB). */
  psnr: number;
  warnings: Notice[];
}

const filePath = z.string({ error: 'give a file path' }).min(1, 'give a file path');
const imageId = z
  .number({ error: 'the image id must be a number' })
  .int('the image id must be a whole number')
  .min(0, 'the image id must be 0 or more')
  .max(0xffffffff, 'the image id must fit in 32 bits (at most 4294967295)');

export const hiddenMethods = {
  'hidden.key.info': method<HiddenKeyInfo>()({
    input: z.object({ create: z.boolean().default(false) }).default({ create: false }),
    summary: "The library's hidden-mark owner key (owner id and fingerprint, never the secret) and the imported keys used for detection; create makes the own key if there is none.",
  }),
  'hidden.key.export': method<{ text: string; ownerId: number; path: string | null }>()({
    input: z.object({
      /** Write the backup to this file (never over an existing one); otherwise only returned. */
      path: filePath.optional(),
      ownerId: z.number().int().min(1).max(0xffffffff).optional(),
    }).default({}),
    summary: 'Export the own key (or the given owner id) as a text backup: keep it private, anyone holding it can mark images in your name.',
  }),
  'hidden.key.import': method<{ ownerId: number; fingerprint: string; added: boolean; own: boolean }>()({
    input: z
      .object({
        text: z.string().min(1, 'paste the key backup text').max(10_000, 'a key backup is under 10,000 characters').optional(),
        path: filePath.optional(),
        /** Make it the embedding key (restoring a backup on a new machine). */
        useForEmbedding: z.boolean().default(false),
        label: z.string().trim().max(100, 'keep the label under 100 characters').optional(),
      })
      .refine((v) => Boolean(v.text) !== Boolean(v.path), { message: 'give either the backup text or the path of a backup file' }),
    summary: 'Import a key backup: used for detection, and for embedding when useForEmbedding is set or the library has no key yet.',
  }),
  'hidden.embed': method<HiddenEmbedResult>()({
    input: z.object({
      input: filePath,
      output: filePath,
      /** Image id written into the mark; default: the library id of an identical library image, else 0. */
      imageId: imageId.optional(),
      quality: z.number().int().min(50, 'use a JPEG/WebP quality of at least 50').max(100).default(92),
    }),
    summary: 'Write a copy of an image with the invisible hidden mark (owner id + image id); the output format follows its extension.',
  }),
  'hidden.detect': method<HiddenDetectResult>()({
    input: z.object({ path: filePath.optional(), bytesBase64: z.string().min(1).optional() }).refine((v) => Boolean(v.path) !== Boolean(v.bytesBase64), {
      message: 'give either a file path or the image bytes',
    }),
    summary: 'Look for the hidden mark in a suspect image alone (any size, crop, flip or quarter turn): owner, image id and confidence, or not found.',
  }),
} as const;

import { z } from 'zod';
import { method, type ItemOutcome } from './define.ts';
import type { Wording } from './errors.ts';

export const imageFormats = ['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif', 'heif', 'bmp', 'svg'] as const;
export type ImageFormat = (typeof imageFormats)[number];

/** Density exactly as the file stores it; `unit: 'none'` means an aspect ratio only, not a density. */
export interface StoredDensity {
  x: number;
  y: number;
  unit: 'inch' | 'cm' | 'm' | 'none';
  /** Where it was read: JFIF APP0, EXIF IFD0, PNG pHYs, TIFF tags, … */
  source: 'jfif' | 'exif' | 'png-phys' | 'tiff' | 'webp-exif' | 'other';
}

export interface ImageMetadata {
  capturedAt: string | null;
  cameraMake: string | null;
  cameraModel: string | null;
  lens: string | null;
  artist: string | null;
  copyright: string | null;
  orientation: number | null;
  software: string | null;
  gps: { latitude: number; longitude: number } | null;
  /** Other readable EXIF/XMP/IPTC fields (strings, numbers) for tokens and evidence. */
  fields: Record<string, string | number>;
}

export interface ImageItem {
  id: number;
  sha256: string;
  format: ImageFormat;
  width: number;
  height: number;
  density: StoredDensity | null;
  colourSpace: string;
  channels: number;
  bitDepth: number;
  hasAlpha: boolean;
  hasIcc: boolean;
  byteSize: number;
  metadata: ImageMetadata;
  sourcePath: string;
  importedAt: string;
  title: string;
  tags: string[];
  collection: string | null;
  notes: string;
}

export interface ProvenanceEvent {
  id: number;
  imageId: number | null;
  type: string;
  at: string;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface ImportItem {
  id: number;
  sha256: string;
  path: string;
  title: string;
}
export interface ImportResult {
  imported: ImportItem[];
  existing: ImportItem[];
  /** `wording`: the error as a phrase code, for the interface's language. */
  errors: { path: string; error: string; wording?: Wording }[];
}

export interface VerifyProblem {
  kind: 'file_missing' | 'file_changed' | 'file_unexpected' | 'chain_broken' | 'event_changed' | 'head_mismatch' | 'row_missing' | 'integrity';
  message: string;
  imageId?: number;
  eventId?: number;
  path?: string;
}
export interface VerifyLibraryResult {
  ok: boolean;
  imagesChecked: number;
  eventsChecked: number;
  problems: VerifyProblem[];
}

const pathList = z.array(z.string().min(1, 'a path must not be empty')).min(1, 'give at least one file or folder');
const imageId = z.number({ error: 'the image id must be a number' }).int().positive('the image id must be a positive whole number');

export const ListQuery = z.object({
  text: z.string().optional(),
  tag: z.string().optional(),
  collection: z.string().optional(),
  from: z.string().date('use a date like 2026-03-02').optional(),
  to: z.string().date('use a date like 2026-03-02').optional(),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(50_000).default(50_000),
});

export const libraryMethods = {
  'library.info': method<{ root: string; imageCount: number; eventCount: number; version: string }>()({
    input: z.object({}).default({}),
    summary: 'Where the library is and how much it holds.',
  }),
  'library.import': method<ImportResult>()({
    input: z.object({ paths: pathList, recursive: z.boolean().default(true) }),
    summary: 'Copy image files (or folders of them) into the library, once each by SHA-256.',
    job: true,
  }),
  'library.list': method<{ items: ImageItem[]; total: number }>()({
    input: ListQuery.default({ offset: 0, limit: 50_000 }),
    summary: 'Library items, filtered by title text, tag, collection and import date.',
  }),
  'library.get': method<{ item: ImageItem; history: ProvenanceEvent[] }>()({
    input: z.object({ id: imageId }),
    summary: 'One item with its provenance history.',
  }),
  'library.update': method<ImageItem>()({
    input: z.object({
      id: imageId,
      title: z.string().max(500).optional(),
      tags: z.array(z.string().min(1).max(100)).max(100).optional(),
      collection: z.string().max(200).nullable().optional(),
      notes: z.string().max(20_000).optional(),
    }),
    summary: 'Edit the title, tags, collection or notes of an item (recorded in its history).',
  }),
  'library.verify': method<VerifyLibraryResult>()({
    input: z.object({}).default({}),
    summary: 'Re-hash every stored original and walk the provenance chain.',
    job: true,
  }),
  'library.originalPath': method<{ path: string }>()({
    input: z.object({ id: imageId }),
    summary: 'Path of the stored (read-only) original of an item.',
  }),
} as const;

export type ImportOutcome = ItemOutcome<ImportItem & { existing: boolean }>;

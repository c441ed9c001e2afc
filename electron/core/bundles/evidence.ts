import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { ProofmarkError, type EvidenceFile, type FindMatch } from '../../contract/index.ts';
import { canonicalExtension } from '../imaging/format.ts';
import { readMetadata } from '../imaging/metadata.ts';
import { probeImage } from '../imaging/probe.ts';
import type { CoreDeps } from '../deps.ts';
import type { Picture } from './images.ts';
import type { AlignInput } from './align.ts';

/** Largest screenshot or suspect file taken into custody. */
export const MAX_EVIDENCE_BYTES = 100 * 1024 * 1024;

interface EvidenceRow {
  sha256: string;
  stored_name: string;
  original_path: string;
  byte_size: number;
  format: string;
  width: number;
  height: number;
  captured_at: string;
  captured_source: EvidenceFile['capturedAtSource'];
  received_at: string;
}

function evidenceDir(deps: CoreDeps): string {
  return path.join(deps.config.libraryDir, 'evidence');
}

function toFile(deps: CoreDeps, r: EvidenceRow, originalPath: string): EvidenceFile {
  return {
    path: path.join(evidenceDir(deps), r.stored_name), originalPath, sha256: r.sha256, byteSize: r.byte_size, format: r.format,
    width: r.width, height: r.height, capturedAt: r.captured_at, capturedAtSource: r.captured_source, receivedAt: r.received_at,
  };
}

/** PNG tIME chunk (always UTC), as ISO 8601. */
export function pngTime(bytes: Uint8Array): string | null {
  if (bytes[0] !== 0x89 || bytes[1] !== 0x50) return null;
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 8;
  while (o + 8 <= view.length) {
    const len = view.readUInt32BE(o);
    const type = view.toString('latin1', o + 4, o + 8);
    if (type === 'tIME' && len === 7 && o + 15 <= view.length) {
      const d = new Date(Date.UTC(view.readUInt16BE(o + 8), view[o + 10]! - 1, view[o + 11], view[o + 12], view[o + 13], view[o + 14]));
      return Number.isNaN(d.getTime()) ? null : d.toISOString();
    }
    if (type === 'IDAT' || type === 'IEND') return null;
    o += 12 + len;
  }
  return null;
}

function givenTime(text: string): string | null {
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/**
 * Takes a screenshot or suspect file into custody: checks size and header before reading pixels,
 * hashes it on arrival, keeps its capture time (given, PNG tIME, EXIF, else the file's time, all
 * UTC) and stores a read-only copy in the library named by its SHA-256.
 */
export async function takeEvidence(deps: CoreDeps, file: string, given?: { sha256?: string | undefined; capturedAt?: string | undefined }): Promise<EvidenceFile> {
  let st;
  try {
    st = await fs.stat(file);
  } catch {
    throw new ProofmarkError('not_found', `${file} does not exist.`);
  }
  if (!st.isFile()) throw new ProofmarkError('invalid_input', `${file} is not a file.`);
  if (st.size > MAX_EVIDENCE_BYTES) {
    throw new ProofmarkError('too_large', `${file} is ${(st.size / 1024 / 1024).toFixed(0)} MB; evidence files may be at most ${MAX_EVIDENCE_BYTES / 1024 / 1024} MB. Save the screenshot as JPEG or a smaller PNG.`);
  }
  const bytes = await fs.readFile(file);
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  if (given?.sha256 && given.sha256 !== sha256) {
    throw new ProofmarkError('conflict', `${file} changed since it was added as evidence (its SHA-256 was ${given.sha256}, now ${sha256}). Add it again if the change is intended.`);
  }
  const known = deps.db.prepare('SELECT * FROM bundle_evidence WHERE sha256 = ?').get(sha256) as EvidenceRow | undefined;
  if (known) return toFile(deps, known, file);

  const probe = await probeImage(bytes, { pixelLimit: deps.config.pixelLimit, name: path.basename(file) });
  let capturedAt: string | null = null;
  let source: EvidenceFile['capturedAtSource'] = 'file-time';
  if (given?.capturedAt) {
    capturedAt = givenTime(given.capturedAt);
    if (!capturedAt) throw new ProofmarkError('invalid_input', `The capture time "${given.capturedAt}" of ${file} is not a date and time (use ISO 8601, e.g. 2026-03-02T14:05:00Z).`);
    source = 'given';
  }
  if (!capturedAt) {
    capturedAt = pngTime(bytes);
    if (capturedAt) source = 'png-time';
  }
  if (!capturedAt) {
    const exif = (await readMetadata(bytes)).capturedAt;
    // EXIF times carry no zone: read as this computer's local time.
    const d = exif ? new Date(exif) : null;
    if (d && !Number.isNaN(d.getTime())) {
      capturedAt = d.toISOString();
      source = 'exif';
    }
  }
  capturedAt ??= st.mtime.toISOString();

  const storedName = `${sha256}.${canonicalExtension(probe.format)}`;
  await fs.mkdir(evidenceDir(deps), { recursive: true });
  try {
    await fs.writeFile(path.join(evidenceDir(deps), storedName), bytes, { flag: 'wx', mode: 0o444 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const row: EvidenceRow = {
    sha256, stored_name: storedName, original_path: file, byte_size: bytes.length, format: probe.format, width: probe.width,
    height: probe.height, captured_at: capturedAt, captured_source: source, received_at: new Date().toISOString(),
  };
  deps.db.prepare(`INSERT OR IGNORE INTO bundle_evidence (sha256, stored_name, original_path, byte_size, format, width, height, captured_at, captured_source, received_at)
    VALUES (@sha256, @stored_name, @original_path, @byte_size, @format, @width, @height, @captured_at, @captured_source, @received_at)`).run(row);
  return toFile(deps, deps.db.prepare('SELECT * FROM bundle_evidence WHERE sha256 = ?').get(sha256) as EvidenceRow, file);
}

// ---------------------------------------------------------------------------------------------
// Comparison pictures
// ---------------------------------------------------------------------------------------------

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface NormalTransform {
  /** Region of the upright original the suspect shows, in the original's pixels. */
  cropBox: Box | null;
  flipH: boolean;
  flipV: boolean;
  rotation: number;
  scale: number | null;
}

/** Find's transform, clamped to the upright original (width × height). */
export function normaliseTransform(t: FindMatch['transform'] | null | undefined, width: number, height: number): NormalTransform {
  let box: Box | null = null;
  const c = t?.cropBox;
  if (c && Number.isFinite(c.x) && Number.isFinite(c.y) && c.width > 0 && c.height > 0) {
    const bx = Math.max(0, Math.min(width - 1, Math.round(c.x)));
    const by = Math.max(0, Math.min(height - 1, Math.round(c.y)));
    box = { x: bx, y: by, width: Math.max(1, Math.min(width - bx, Math.round(c.width))), height: Math.max(1, Math.min(height - by, Math.round(c.height))) };
  }
  return { cropBox: box, flipH: t?.flip === true, flipV: false, rotation: Number.isFinite(t?.rotation) ? t!.rotation : 0, scale: Number.isFinite(t?.scale) ? t!.scale : null };
}

export interface Comparison {
  original: Picture;
  suspect: Picture;
  /** The matched region on the original picture, in its pixels. */
  outline: Box | null;
  overlay: Picture;
  difference: Picture;
  /** Mean absolute difference of the aligned pictures after matching colours, 0..1. */
  meanDifference: number;
  alignment: 'find' | 'whole-frame';
}

const jpeg = (raw: Buffer, width: number, height: number) =>
  sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();

export interface PreparedOriginal {
  raw: Buffer;
  width: number;
  height: number;
  /** Upright width and height of the full-size original, and its file (the overlay is cut from it). */
  fullWidth: number;
  fullHeight: number;
  file: string;
  picture: Picture;
}

const DISPLAY = 1000;

/** The original, upright and at most 1000 px, decoded once for every use of a complaint. */
export async function prepareOriginal(originalFile: string, pixelLimit: number): Promise<PreparedOriginal> {
  const opts = { limitInputPixels: pixelLimit };
  const orig = await sharp(originalFile, opts).rotate().resize(DISPLAY, DISPLAY, { fit: 'inside', withoutEnlargement: true }).flatten({ background: '#ffffff' }).toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const meta = await sharp(originalFile, opts).metadata();
  const swap = (meta.orientation ?? 1) >= 5;
  const picture: Picture = { data: await jpeg(orig.data, orig.info.width, orig.info.height), width: orig.info.width, height: orig.info.height };
  return {
    raw: orig.data, width: orig.info.width, height: orig.info.height, picture, file: originalFile,
    fullWidth: (swap ? meta.height : meta.width) ?? orig.info.width, fullHeight: (swap ? meta.width : meta.height) ?? orig.info.height,
  };
}

/** Runs the region search (bundles/align.ts) in the worker pool. */
export type AlignRunner = (input: AlignInput, transfer: ArrayBuffer[]) => Promise<Box>;

/**
 * The region of the original that best lines up with the (already un-rotated, un-mirrored)
 * suspect: the pictures are prepared here (grey, small) and the search runs in a worker.
 */
async function refineRegion(orig: PreparedOriginal, aligned: Buffer, r: Box, run: AlignRunner): Promise<Box> {
  const W = orig.width;
  const H = orig.height;
  const grey = new Uint8Array(W * H);
  for (let i = 0; i < W * H; i++) grey[i] = Math.round(0.299 * orig.raw[i * 3]! + 0.587 * orig.raw[i * 3 + 1]! + 0.114 * orig.raw[i * 3 + 2]!);
  const shrink = async (size: number) => {
    const width = Math.max(8, Math.min(size, r.width));
    const height = Math.max(8, Math.round((width * r.height) / r.width));
    const data = new Uint8Array(await sharp(aligned).resize(width, height, { fit: 'fill' }).removeAlpha().greyscale().raw().toBuffer());
    return { data, width, height };
  };
  const [coarse, fine] = await Promise.all([shrink(160), shrink(400)]);
  return run({ grey, width: W, height: H, coarse, fine, region: r }, [grey.buffer as ArrayBuffer, coarse.data.buffer as ArrayBuffer, fine.data.buffer as ArrayBuffer]);
}

/**
 * Side-by-side pictures, a 50% overlay and a difference heat map of the original's matched region
 * against the suspect mapped back onto it (undoing Find's rotation and flip, scaled to the region).
 */
export async function compare(orig: PreparedOriginal, suspect: Buffer, transform: NormalTransform | null, pixelLimit: number, align: AlignRunner): Promise<Comparison> {
  const opts = { limitInputPixels: pixelLimit };
  const f = orig.width / orig.fullWidth;
  const region = transform?.cropBox
    ? { x: Math.round(transform.cropBox.x * f), y: Math.round(transform.cropBox.y * f), width: Math.max(1, Math.round(transform.cropBox.width * f)), height: Math.max(1, Math.round(transform.cropBox.height * f)) }
    : null;
  const r = region
    ? { x: Math.min(region.x, orig.width - 1), y: Math.min(region.y, orig.height - 1), width: 0, height: 0 }
    : { x: 0, y: 0, width: orig.width, height: orig.height };
  if (region) {
    r.width = Math.max(1, Math.min(region.width, orig.width - r.x));
    r.height = Math.max(1, Math.min(region.height, orig.height - r.y));
  }
  const rawOrig = () => sharp(orig.raw, { raw: { width: orig.width, height: orig.height, channels: 3 } });

  const sus = await sharp(suspect, opts).rotate().resize(DISPLAY, DISPLAY, { fit: 'inside', withoutEnlargement: true }).flatten({ background: '#ffffff' }).toColourspace('srgb').removeAlpha().jpeg({ quality: 85 }).toBuffer({ resolveWithObject: true });
  const suspectPic: Picture = { data: sus.data, width: sus.info.width, height: sus.info.height };

  // Both pictures at the region's size (at most 700 px wide) for the overlay and the difference.
  const k = Math.min(1, 700 / r.width, 700 / r.height);
  const w = Math.max(1, Math.round(r.width * k));
  const h = Math.max(1, Math.round(r.height * k));
  // Turns under a degree are measurement noise; undoing them would only add white corners.
  let aligned = sharp(sus.data).rotate(transform && Math.abs(transform.rotation) >= 1 ? -transform.rotation : 0, { background: '#ffffff' });
  if (transform?.flipH) aligned = aligned.flop();
  if (transform?.flipV) aligned = aligned.flip();
  const alignedBytes = await aligned.toBuffer();
  // Find's region is close; a small search for the best shift and scale makes the overlay line up.
  let a: Buffer;
  if (region) {
    // The region cut from the full-size original (sub-pixel accurate at display size).
    Object.assign(r, await refineRegion(orig, alignedBytes, r, align));
    const fx = orig.fullWidth / orig.width;
    const fy = orig.fullHeight / orig.height;
    const left = Math.max(0, Math.min(orig.fullWidth - 1, Math.round(r.x * fx)));
    const top = Math.max(0, Math.min(orig.fullHeight - 1, Math.round(r.y * fy)));
    const cut = { left, top, width: Math.max(1, Math.min(orig.fullWidth - left, Math.round(r.width * fx))), height: Math.max(1, Math.min(orig.fullHeight - top, Math.round(r.height * fy))) };
    a = await sharp(orig.file, opts).rotate().extract(cut).resize(w, h, { fit: 'fill' }).flatten({ background: '#ffffff' }).toColourspace('srgb').removeAlpha().raw().toBuffer();
    for (const k of ['x', 'y', 'width', 'height'] as const) r[k] = Math.round(r[k]);
  } else {
    a = await rawOrig().resize(w, h, { fit: 'fill' }).raw().toBuffer();
  }
  const b = await sharp(alignedBytes).resize(w, h, { fit: 'fill' }).removeAlpha().raw().toBuffer();

  // The difference compares the suspect after matching its colours to the original (mean and
  // spread per channel), so a brightness or colour change does not hide what was added or removed.
  // Slightly blurred copies for the difference: resampling never puts sharp edges on exactly the
  // same pixel, and a thin outline of every edge would hide what really differs.
  const soft = (raw: Buffer) => sharp(raw, { raw: { width: w, height: h, channels: 3 } }).blur(1.5).raw().toBuffer();
  const [sa, sb] = await Promise.all([soft(a), soft(b)]);
  const n = w * h;
  const gain = [1, 1, 1];
  const offset = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    let ma = 0, mb = 0, va = 0, vb = 0;
    for (let p = 0; p < n; p++) { ma += sa[p * 3 + c]!; mb += sb[p * 3 + c]!; }
    ma /= n; mb /= n;
    for (let p = 0; p < n; p++) { va += (sa[p * 3 + c]! - ma) ** 2; vb += (sb[p * 3 + c]! - mb) ** 2; }
    gain[c] = vb > 1 ? Math.sqrt(va / vb) : 1;
    offset[c] = ma - gain[c]! * mb;
  }
  const over = Buffer.alloc(n * 3);
  const diff = Buffer.alloc(n * 3);
  let sum = 0;
  for (let p = 0; p < n; p++) {
    let d = 0;
    for (let c = 0; c < 3; c++) {
      const i = p * 3 + c;
      over[i] = (a[i]! + b[i]!) >> 1;
      d += Math.abs(sa[i]! - Math.max(0, Math.min(255, gain[c]! * sb[i]! + offset[c]!)));
    }
    d /= 3;
    sum += d;
    // Heat map: black (same) through red to yellow (very different), amplified 3x.
    const v = Math.min(255, d * 3);
    diff[p * 3] = Math.min(255, v * 2);
    diff[p * 3 + 1] = Math.max(0, Math.min(255, (v - 128) * 2));
    diff[p * 3 + 2] = 0;
  }
  return {
    original: orig.picture,
    suspect: suspectPic,
    outline: region ? r : null,
    overlay: { data: await jpeg(over, w, h), width: w, height: h },
    difference: { data: await jpeg(diff, w, h), width: w, height: h },
    meanDifference: sum / (w * h) / 255,
    alignment: transform ? 'find' : 'whole-frame',
  };
}

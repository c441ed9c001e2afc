import fs from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import type { FileFacts, ImageFormat } from '../../contract/index.ts';
import { densityFacts, readDensityDeclarations } from '../imaging/density.ts';
import { readExifEssentials } from './exif.ts';
import { fail, HEAD_BYTES, limitAndPrint, overLimit, scanFile, type Inspection, type Scan, type ScanOptions, type Unreadable } from './scan.ts';

export { emptyFacts, HEAD_BYTES, type Inspection, type Unreadable } from './scan.ts';

export interface InspectOptions extends ScanOptions {
  /** Decode the whole image to prove it is intact. */
  integrity: boolean;
}

/**
 * Everything the rules need about one file, from its header and its last bytes only (plus a full
 * decode when `integrity` is asked for). Never throws for a bad file: the problem is returned.
 * Reads synchronously: batches go through the worker pool (see checker.ts) and call `finishScan`.
 */
export async function inspectFile(file: string, opts: InspectOptions): Promise<Inspection> {
  return finishScan(scanFile(file, opts), file, opts);
}

/** Completes a scan on the main side: libvips for the formats it deferred, then the optional full decode. */
export async function finishScan(scan: Scan, file: string, opts: InspectOptions): Promise<Inspection> {
  let inspection: Inspection;
  if ('defer' in scan) inspection = await inspectOther(file, scan.defer, scan.facts, opts);
  else inspection = { facts: scan.facts, unreadable: scan.unreadable, orientation: scan.orientation, trailing: scan.trailing };
  if (opts.integrity && !inspection.unreadable) {
    const facts = inspection.facts;
    const decoded = await decodeFully(file, opts.pixelLimit);
    // A structure problem stays the finding; the decode only adds what it saw.
    if (facts.intact.method === 'structure' && !facts.intact.ok) {
      if (!decoded.ok) facts.intact = { ...facts.intact, detail: `${facts.intact.detail}; a full decode also fails (${decoded.detail})` };
    } else facts.intact = decoded;
  }
  return inspection;
}

const DEPTH_BITS: Record<string, number> = { uchar: 8, char: 8, ushort: 16, short: 16, uint: 32, int: 32, float: 32, double: 64 };

/** TIFF, WebP, GIF, BMP, AVIF, HEIF, SVG: libvips reads their headers. */
async function inspectOther(file: string, format: ImageFormat, facts: FileFacts, opts: ScanOptions): Promise<Inspection> {
  const size = facts.byteSize;
  let head: Uint8Array;
  let meta: Metadata;
  try {
    const fh = await fs.open(file, 'r');
    try {
      const buf = Buffer.allocUnsafe(Math.min(size, HEAD_BYTES));
      head = buf.subarray(0, (await fh.read(buf, 0, buf.length, 0)).bytesRead);
    } finally {
      await fh.close();
    }
    meta = await sharp(file, { limitInputPixels: false }).metadata();
  } catch (err) {
    const why = (err as Error).message.split('\n')[0];
    const unsupported = format === 'heif' ? ' (this computer cannot decode HEIC/HEIF: the HEVC codec is not included)' : '';
    const problem: Unreadable = { kind: 'damaged-header', en: `The file is ${format.toUpperCase()} but its header cannot be read${unsupported}: ${why}.`, zh: `文件是 ${format.toUpperCase()} 格式，但无法读取文件头：${why}。` };
    return fail(facts, problem);
  }
  const space = meta.space ?? '';
  Object.assign(facts, {
    width: meta.width ?? null,
    height: meta.height ?? null,
    bitDepth: meta.bitsPerSample ?? DEPTH_BITS[meta.depth ?? 'uchar'] ?? 8,
    channels: meta.channels ?? null,
    colourModel: meta.isPalette ? 'palette' : space === 'cmyk' ? 'cmyk' : space === 'b-w' || space === 'grey16' ? 'gray' : space ? 'rgb' : 'unknown',
    hasAlpha: meta.hasAlpha ?? false,
    iccProfile: meta.hasProfile ? 'embedded ICC profile' : null,
    progressive: meta.isProgressive ?? null,
    frames: meta.pages ?? 1,
  });
  if (meta.exif && meta.exif.length > 14) facts.capturedAt = readExifEssentials(meta.exif, 6, meta.exif.length).capturedAt;
  let declarations = readDensityDeclarations(head);
  if (declarations.length === 0 && meta.density) {
    const unit = meta.resolutionUnit === 'cm' ? 'cm' : 'inch';
    declarations = [{ x: meta.density, y: meta.density, unit, source: format === 'tiff' ? 'tiff' : format === 'webp' ? 'webp-exif' : 'other' }];
  }
  facts.density = densityFacts(declarations);
  const orientation = meta.orientation ?? null;
  if (!overLimit(facts, opts)) facts.intact = await otherStructure(file, format, head, size);
  return limitAndPrint(facts, orientation, 0, opts);
}

async function otherStructure(file: string, format: ImageFormat, head: Uint8Array, size: number): Promise<FileFacts['intact']> {
  if (format === 'gif') {
    const fh = await fs.open(file, 'r');
    const last = Buffer.alloc(1);
    try {
      await fh.read(last, 0, 1, size - 1);
    } finally {
      await fh.close();
    }
    return last[0] === 0x3b
      ? { ok: true, method: 'structure', detail: 'complete: ends with the GIF trailer' }
      : { ok: false, method: 'structure', detail: 'cut off: the file does not end with the GIF trailer byte (truncated or damaged)' };
  }
  if (format === 'webp') {
    const riff = (head[4]! | (head[5]! << 8) | (head[6]! << 16)) + head[7]! * 0x1000000 + 8;
    return size >= riff
      ? { ok: true, method: 'structure', detail: 'complete: the file is as long as its RIFF header says' }
      : { ok: false, method: 'structure', detail: `cut off: the RIFF header says ${riff} bytes but the file has ${size}` };
  }
  return { ok: true, method: 'none', detail: 'header readable; the rest is only checked by a full decode (integrity check)' };
}

/** Decodes every pixel (streamed through libvips, nothing kept) to prove the file is intact. */
export async function decodeFully(file: string, pixelLimit: number): Promise<FileFacts['intact']> {
  try {
    await sharp(file, { limitInputPixels: pixelLimit, failOn: 'truncated' }).stats();
    return { ok: true, method: 'decode', detail: 'complete: every pixel decodes without error' };
  } catch (err) {
    return { ok: false, method: 'decode', detail: `decoding fails: ${(err as Error).message.split('\n')[0]}` };
  }
}

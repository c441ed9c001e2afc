import fs from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Metadata } from 'sharp';
import type { FileFacts, ImageFormat, StoredDensity } from '../../contract/index.ts';
import { densityFacts, readDensityDeclarations } from '../imaging/density.ts';
import { extensionMatches, sniffFormat } from '../imaging/format.ts';
import { readExifEssentials } from './exif.ts';
import { jpegEnd, readJpegHeader, scanToEoi, type Walk } from './jpeg.ts';
import { pngEnd, readPngHeader } from './png.ts';

/** Bytes read from the start of every file; enough for nearly every header. */
export const HEAD_BYTES = 64 * 1024;
/** Bytes read from the end, to find the end-of-image marker. */
const TAIL_BYTES = 4096;

/** Why a file could not be looked at as an image; the checker turns it into a failing "readable" rule. */
export interface Unreadable {
  kind: 'io' | 'empty' | 'not-image' | 'damaged-header' | 'too-large';
  en: string;
  zh: string;
}

export interface Inspection {
  facts: FileFacts;
  unreadable: Unreadable | null;
  /** EXIF orientation; 5–8 mean the picture is shown turned by 90 degrees. */
  orientation: number | null;
  /** Bytes that follow the end-of-image marker (appended data), when known. */
  trailing: number;
}

export interface InspectOptions {
  pixelLimit: number;
  /** Decode the whole image to prove it is intact. */
  integrity: boolean;
  /** The density the print size is given at. */
  printDpi: number;
}

export function emptyFacts(file: string, byteSize: number): FileFacts {
  const name = path.basename(file);
  return {
    name, byteSize, format: null, extension: extensionOf(name), extensionMatches: false, width: null, height: null, bitDepth: null,
    channels: null, colourModel: null, hasAlpha: false, iccProfile: null, density: densityFacts([]), printSize: null,
    capturedAt: null, progressive: null, frames: null, intact: { ok: false, method: 'none', detail: 'not checked' },
  };
}

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

type Handle = Awaited<ReturnType<typeof fs.open>>;

async function readAt(fh: Handle, position: number, length: number): Promise<Uint8Array> {
  const buf = Buffer.allocUnsafe(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/**
 * Everything the rules need about one file, from its header and its last bytes only (plus a full
 * decode when `integrity` is asked for). Never throws for a bad file: the problem is returned.
 */
export async function inspectFile(file: string, opts: InspectOptions): Promise<Inspection> {
  let fh: Handle;
  try {
    fh = await fs.open(file, 'r');
  } catch (err) {
    return ioProblem(file, err as NodeJS.ErrnoException);
  }
  try {
    const stat = await fh.stat();
    if (!stat.isFile()) return fail(emptyFacts(file, 0), { kind: 'io', en: `${path.basename(file)} is not a file.`, zh: `${path.basename(file)} 不是文件。` });
    const size = stat.size;
    const facts = emptyFacts(file, size);
    if (size === 0) return fail(facts, { kind: 'empty', en: 'The file is empty (0 bytes).', zh: '文件是空的（0 字节）。' });
    let head = await readAt(fh, 0, Math.min(size, HEAD_BYTES));
    const format = sniffFormat(head.subarray(0, 512));
    facts.format = format;
    if (!format) {
      return fail(facts, {
        kind: 'not-image',
        en: 'The file is not an image: its bytes are not JPEG, PNG, WebP, GIF, TIFF, AVIF, HEIF, BMP or SVG (whatever its name says).',
        zh: '这不是图片文件：它的内容不是 JPEG、PNG、WebP、GIF、TIFF、AVIF、HEIF、BMP 或 SVG（与文件名无关）。',
      });
    }
    facts.extensionMatches = extensionMatches(facts.name, format);
    const readMore = async <T>(parse: (b: Uint8Array) => Walk<T>): Promise<Walk<T>> => {
      for (;;) {
        const r = parse(head);
        if (r.ok || !('needMore' in r)) return r;
        head = await readAt(fh, 0, r.needMore);
      }
    };
    const tail = async () => (size <= head.length ? { bytes: head, start: 0 } : { bytes: await readAt(fh, Math.max(0, size - TAIL_BYTES), Math.min(size, TAIL_BYTES)), start: Math.max(0, size - TAIL_BYTES) });
    let orientation: number | null = null;
    let trailing = 0;
    let declarations: StoredDensity[];

    if (format === 'jpeg') {
      const r = await readMore((b) => readJpegHeader(b, size));
      if (!r.ok) return fail(facts, damagedHeader('JPEG', r));
      const h = r.value;
      Object.assign(facts, { width: h.width, height: h.height, bitDepth: h.precision, channels: h.components, colourModel: h.colourModel, iccProfile: h.iccProfile, capturedAt: h.capturedAt, progressive: h.progressive, frames: 1 });
      orientation = h.orientation;
      declarations = readDensityDeclarations(head.subarray(0, h.sos));
      if (!overLimit(facts, opts)) {
        const t = await tail();
        let end = jpegEnd(t.bytes, t.start, h.sos, size);
        if (!end.found && size > head.length) {
          // The end is not in the last 4 KB: follow the scans through the whole file (a long trailer, or truncation).
          const all = await readAt(fh, 0, size);
          const at = scanToEoi(all, h.sos);
          end = at > 0 ? { found: true, trailing: size - at } : end;
        }
        trailing = end.trailing;
        facts.intact = end.found
          ? { ok: true, method: 'structure', detail: trailing > 0 ? `complete: ends with the end-of-image marker, followed by ${trailing} bytes of appended data` : 'complete: ends with the end-of-image marker' }
          : { ok: false, method: 'structure', detail: 'cut off: the compressed image data stops without an end-of-image marker (the file is truncated or damaged)' };
      }
    } else if (format === 'png') {
      const r = await readMore((b) => readPngHeader(b, size));
      if (!r.ok) return fail(facts, damagedHeader('PNG', r));
      const h = r.value;
      Object.assign(facts, { width: h.width, height: h.height, bitDepth: h.bitDepth, channels: h.channels, colourModel: h.colourModel, hasAlpha: h.hasAlpha, iccProfile: h.iccProfile, capturedAt: h.capturedAt, progressive: h.interlaced, frames: h.frames ?? 1 });
      orientation = h.orientation;
      // A pHYs chunk with a bad CRC is dropped by PNG readers: it declares nothing.
      declarations = h.badCrc.includes('pHYs') ? [] : readDensityDeclarations(head.subarray(0, h.idat));
      if (!overLimit(facts, opts)) {
        const t = await tail();
        const end = pngEnd(t.bytes, t.start, h.idat, size);
        trailing = end.trailing;
        facts.intact = end.found
          ? { ok: true, method: 'structure', detail: trailing > 0 ? `complete: ends with the IEND chunk, followed by ${trailing} bytes of appended data` : 'complete: ends with the IEND chunk' }
          : { ok: false, method: 'structure', detail: 'cut off: the image data stops without the closing IEND chunk (the file is truncated or damaged)' };
      }
    } else {
      const other = await inspectOther(file, format, head, size, facts);
      if (other.unreadable) return fail(facts, other.unreadable);
      orientation = other.orientation;
      declarations = other.declarations;
      if (!overLimit(facts, opts)) facts.intact = await otherStructure(format, head, size, tail);
    }
    facts.density = densityFacts(declarations);
    if (overLimit(facts, opts)) {
      const w = facts.width!;
      const h = facts.height!;
      const mp = Math.round((w * h) / 1e6);
      const limit = Math.round(opts.pixelLimit / 1e6);
      return fail(facts, {
        kind: 'too-large',
        en: `The image declares ${w} x ${h} pixels (${mp} MP), over the ${limit} MP limit; ProofMark refuses it without decoding it.`,
        zh: `图片声明的尺寸为 ${w} x ${h} 像素（${mp} 百万像素），超过 ${limit} 百万像素的上限；ProofMark 拒绝处理，未解码。`,
      }, orientation);
    }
    facts.printSize = printSize(facts, orientation, opts.printDpi);
    if (opts.integrity) {
      const decoded = await decodeFully(file, opts.pixelLimit);
      // A structure problem stays the finding; the decode only adds what it saw.
      if (facts.intact.method === 'structure' && !facts.intact.ok) {
        if (!decoded.ok) facts.intact = { ...facts.intact, detail: `${facts.intact.detail}; a full decode also fails (${decoded.detail})` };
      } else facts.intact = decoded;
    }
    return { facts, unreadable: null, orientation, trailing };
  } catch (err) {
    return ioProblem(file, err as NodeJS.ErrnoException);
  } finally {
    await fh.close();
  }
}

function fail(facts: FileFacts, unreadable: Unreadable, orientation: number | null = null): Inspection {
  return { facts, unreadable, orientation, trailing: 0 };
}

function ioProblem(file: string, err: NodeJS.ErrnoException): Inspection {
  const name = path.basename(file);
  const why: Record<string, [string, string]> = {
    ENOENT: ['does not exist', '不存在'],
    EACCES: ['cannot be read (permission denied)', '无法读取（没有权限）'],
    EPERM: ['cannot be read (permission denied)', '无法读取（没有权限）'],
    EISDIR: ['is a folder, not a file', '是文件夹，不是文件'],
    ELOOP: ['is a symbolic link loop', '是循环的符号链接'],
  };
  const [en, zh] = why[err.code ?? ''] ?? [`cannot be read (${err.code ?? err.message})`, `无法读取（${err.code ?? err.message}）`];
  return fail(emptyFacts(file, 0), { kind: 'io', en: `${name} ${en}.`, zh: `${name} ${zh}。` });
}

function damagedHeader(kind: string, r: Walk<unknown>): Unreadable {
  const detail = !r.ok && 'error' in r ? r.error : 'incomplete';
  return {
    kind: 'damaged-header',
    en: `The file is ${kind} but its header is damaged: ${detail}.`,
    zh: `文件是 ${kind} 格式，但文件头已损坏：${detail}。`,
  };
}

function overLimit(facts: FileFacts, opts: InspectOptions): boolean {
  return facts.width !== null && facts.height !== null && facts.width * facts.height > opts.pixelLimit;
}

/** Print size as the picture is shown (EXIF orientations 5–8 turn it by 90 degrees). */
function printSize(facts: FileFacts, orientation: number | null, dpi: number): FileFacts['printSize'] {
  if (!facts.width || !facts.height) return null;
  const turned = orientation !== null && orientation >= 5 && orientation <= 8;
  const w = turned ? facts.height : facts.width;
  const h = turned ? facts.width : facts.height;
  // Unrounded: rounding twice (here and for display) would print 13.547 cm as 13.6.
  return { dpi, widthIn: w / dpi, heightIn: h / dpi, widthCm: (w / dpi) * 2.54, heightCm: (h / dpi) * 2.54 };
}

const DEPTH_BITS: Record<string, number> = { uchar: 8, char: 8, ushort: 16, short: 16, uint: 32, int: 32, float: 32, double: 64 };

/** TIFF, WebP, GIF, BMP, AVIF, HEIF, SVG: libvips reads their headers. */
async function inspectOther(file: string, format: ImageFormat, head: Uint8Array, size: number, facts: FileFacts) {
  let meta: Metadata;
  try {
    meta = await sharp(file, { limitInputPixels: false }).metadata();
  } catch (err) {
    const why = (err as Error).message.split('\n')[0];
    const unsupported = format === 'heif' ? ' (this computer cannot decode HEIC/HEIF: the HEVC codec is not included)' : '';
    return { unreadable: { kind: 'damaged-header', en: `The file is ${format.toUpperCase()} but its header cannot be read${unsupported}: ${why}.`, zh: `文件是 ${format.toUpperCase()} 格式，但无法读取文件头：${why}。` } as Unreadable, orientation: null, declarations: [] };
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
  return { unreadable: null, orientation: meta.orientation ?? null, declarations };
}

async function otherStructure(format: ImageFormat, head: Uint8Array, size: number, tail: () => Promise<{ bytes: Uint8Array }>): Promise<FileFacts['intact']> {
  if (format === 'gif') {
    const t = (await tail()).bytes;
    return t[t.length - 1] === 0x3b
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

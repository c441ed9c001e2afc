import fs from 'node:fs';
import path from 'node:path';
import type { FileFacts, ImageFormat, StoredDensity } from '../../contract/index.ts';
import { densityFacts, readDensityDeclarations } from '../imaging/density.ts';
import { extensionMatches, looksLikeImageName, sniffFormat } from '../imaging/format.ts';
import { walkError, type WalkError } from '../jobs/walk.ts';
import { bmpExpectedSize, readBmpHeader } from './bmp.ts';
import { jpegEnd, readJpegHeader, scanToEoi, type Walk } from './jpeg.ts';
import { pngEnd, readPngHeader } from './png.ts';

// The header-only part of a check, with synchronous file I/O and no native image library, so it
// runs in the worker pool: a thousand files cost a few syscalls each instead of a thread-pool
// round trip per read, and the Electron main process never waits on a disk.

/** Bytes read from the start of a file at first: most headers (without a large EXIF thumbnail) fit. */
const FIRST_READ = 16 * 1024;
/** Headers up to this size are read into a reused buffer; longer ones get their own. */
export const HEAD_BYTES = 64 * 1024;
/** Bytes read from the end, to find the end-of-image marker. */
const TAIL_BYTES = 4096;

// Reused for every file of a batch (reads are synchronous, and nothing returned points into them).
const headScratch = Buffer.allocUnsafe(HEAD_BYTES);
const tailScratch = Buffer.allocUnsafe(TAIL_BYTES);

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

export interface ScanOptions {
  pixelLimit: number;
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

function readAt(fd: number, position: number, length: number, into?: Buffer): Uint8Array {
  const buf = into && into.length >= length ? into : Buffer.allocUnsafe(length);
  const n = fs.readSync(fd, buf, 0, length, position);
  return buf.subarray(0, n);
}

/** A format libvips must read (TIFF, WebP, GIF, BMP, AVIF, HEIF, SVG): finished on the main side. */
export interface Deferred {
  defer: ImageFormat;
  facts: FileFacts;
  /** Device and inode, to notice the same file reached twice (links). */
  id: string;
}

export type Scan = (Inspection & { id: string | null }) | Deferred;

/**
 * Everything the rules need about a JPEG or PNG, from its header and its last bytes only; other
 * formats are deferred to libvips. Never throws for a bad file: the problem is returned.
 */
export function scanFile(file: string, opts: ScanOptions): Scan {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    return { ...ioProblem(file, err as NodeJS.ErrnoException), id: null };
  }
  try {
    const stat = fs.fstatSync(fd);
    const id = `${stat.dev}:${stat.ino}`;
    const done = (i: Inspection): Scan => ({ ...i, id });
    if (!stat.isFile()) return done(fail(emptyFacts(file, 0), { kind: 'io', en: `${path.basename(file)} is not a file.`, zh: `${path.basename(file)} 不是文件。` }));
    const size = stat.size;
    const facts = emptyFacts(file, size);
    if (size === 0) return done(fail(facts, { kind: 'empty', en: 'The file is empty (0 bytes).', zh: '文件是空的（0 字节）。' }));
    let head = readAt(fd, 0, Math.min(size, FIRST_READ), headScratch);
    const format = sniffFormat(head.subarray(0, 512));
    facts.format = format;
    if (!format) {
      return done(fail(facts, {
        kind: 'not-image',
        en: 'The file is not an image: its bytes are not JPEG, PNG, WebP, GIF, TIFF, AVIF, HEIF, BMP or SVG (whatever its name says).',
        zh: '这不是图片文件：它的内容不是 JPEG、PNG、WebP、GIF、TIFF、AVIF、HEIF、BMP 或 SVG（与文件名无关）。',
      }));
    }
    facts.extensionMatches = extensionMatches(facts.name, format);
    const readMore = <T>(parse: (b: Uint8Array) => Walk<T>): Walk<T> => {
      for (;;) {
        const r = parse(head);
        if (r.ok || !('needMore' in r)) return r;
        head = readAt(fd, 0, r.needMore, headScratch);
      }
    };
    const tail = () => (size <= head.length ? { bytes: head, start: 0 } : { bytes: readAt(fd, Math.max(0, size - TAIL_BYTES), Math.min(size, TAIL_BYTES), tailScratch), start: Math.max(0, size - TAIL_BYTES) });
    let orientation: number | null = null;
    let trailing = 0;
    let declarations: StoredDensity[];

    if (format === 'jpeg') {
      const r = readMore((b) => readJpegHeader(b, size));
      if (!r.ok) return done(fail(facts, damagedHeader('JPEG', r)));
      const h = r.value;
      Object.assign(facts, { width: h.width, height: h.height, bitDepth: h.precision, channels: h.components, colourModel: h.colourModel, iccProfile: h.iccProfile, capturedAt: h.capturedAt, progressive: h.progressive, frames: 1 });
      orientation = h.orientation;
      declarations = readDensityDeclarations(head.subarray(0, h.sos));
      if (!overLimit(facts, opts)) {
        const t = tail();
        let end = jpegEnd(t.bytes, t.start, h.sos, size);
        if (!end.found && size > head.length) {
          // The end is not in the last 4 KB: follow the scans through the whole file (a long trailer, or truncation).
          const all = readAt(fd, 0, size);
          const at = scanToEoi(all, h.sos);
          end = at > 0 ? { found: true, trailing: size - at } : end;
        }
        trailing = end.trailing;
        facts.intact = end.found
          ? { ok: true, method: 'structure', detail: trailing > 0 ? `complete: ends with the end-of-image marker, followed by ${trailing} bytes of appended data` : 'complete: ends with the end-of-image marker' }
          : { ok: false, method: 'structure', detail: 'cut off: the compressed image data stops without an end-of-image marker (the file is truncated or damaged)' };
      }
    } else if (format === 'png') {
      const r = readMore((b) => readPngHeader(b, size));
      if (!r.ok) return done(fail(facts, damagedHeader('PNG', r)));
      const h = r.value;
      Object.assign(facts, { width: h.width, height: h.height, bitDepth: h.bitDepth, channels: h.channels, colourModel: h.colourModel, hasAlpha: h.hasAlpha, iccProfile: h.iccProfile, capturedAt: h.capturedAt, progressive: h.interlaced, frames: h.frames ?? 1 });
      orientation = h.orientation;
      // A pHYs chunk with a bad CRC is dropped by PNG readers: it declares nothing.
      declarations = h.badCrc.includes('pHYs') ? [] : readDensityDeclarations(head.subarray(0, h.idat));
      if (!overLimit(facts, opts)) {
        const t = tail();
        const end = pngEnd(t.bytes, t.start, h.idat, size);
        trailing = end.trailing;
        facts.intact = end.found
          ? { ok: true, method: 'structure', detail: trailing > 0 ? `complete: ends with the IEND chunk, followed by ${trailing} bytes of appended data` : 'complete: ends with the IEND chunk' }
          : { ok: false, method: 'structure', detail: 'cut off: the image data stops without the closing IEND chunk (the file is truncated or damaged)' };
      }
    } else if (format === 'bmp') {
      const h = readBmpHeader(head);
      if ('error' in h) return done(fail(facts, damagedHeader('BMP', { ok: false, error: h.error })));
      Object.assign(facts, { width: h.width, height: h.height, bitDepth: 8, channels: h.hasAlpha ? 4 : 3, colourModel: h.bitCount === 8 ? 'palette' : 'rgb', hasAlpha: h.hasAlpha, progressive: false, frames: 1 });
      declarations = readDensityDeclarations(head);
      const need = bmpExpectedSize(h);
      facts.intact = size >= need
        ? { ok: true, method: 'structure', detail: 'complete: the file holds every pixel row its header declares' }
        : { ok: false, method: 'structure', detail: `cut off: the header declares ${need} bytes of pixel rows but the file has ${size} bytes` };
    } else {
      return { defer: format, facts, id };
    }
    facts.density = densityFacts(declarations);
    return done(limitAndPrint(facts, orientation, trailing, opts));
  } catch (err) {
    return { ...ioProblem(file, err as NodeJS.ErrnoException), id: null };
  } finally {
    fs.closeSync(fd);
  }
}

/** Refuses an image over the pixel limit (from its header); otherwise adds the print size. */
export function limitAndPrint(facts: FileFacts, orientation: number | null, trailing: number, opts: ScanOptions): Inspection {
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
  return { facts, unreadable: null, orientation, trailing };
}

export function fail(facts: FileFacts, unreadable: Unreadable, orientation: number | null = null): Inspection {
  return { facts, unreadable, orientation, trailing: 0 };
}

export function ioProblem(file: string, err: NodeJS.ErrnoException): Inspection {
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

export function overLimit(facts: FileFacts, opts: ScanOptions): boolean {
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


/**
 * The synchronous twin of jobs/walk.ts collectFiles for the worker: files given directly are kept,
 * folders are walked (sorted, hidden folders skipped) keeping image-looking names, symlinks are
 * followed but no real folder is walked twice, so link loops end. Directory entries give their
 * type without a stat, which keeps a folder of thousands of photos cheap.
 */
export function walkSync(inputs: string[], recursive: boolean): { files: string[]; errors: WalkError[] } {
  const files: string[] = [];
  const errors: WalkError[] = [];
  const seenDirs = new Set<string>();
  const walk = (dir: string) => {
    let real: string;
    let entries: fs.Dirent[];
    try {
      real = fs.realpathSync.native(dir);
      if (seenDirs.has(real)) return;
      seenDirs.add(real);
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      errors.push(walkError(err as NodeJS.ErrnoException, dir));
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        try {
          const st = fs.statSync(abs);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ELOOP' || looksLikeImageName(e.name)) errors.push(walkError(err as NodeJS.ErrnoException, abs));
          continue;
        }
      }
      if (isDir) {
        if (recursive && !e.name.startsWith('.')) walk(abs);
      } else if (isFile && looksLikeImageName(e.name)) files.push(abs);
    }
  };
  for (const input of inputs) {
    const abs = path.resolve(input);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch (err) {
      errors.push(walkError(err as NodeJS.ErrnoException, abs));
      continue;
    }
    if (st.isDirectory()) walk(abs);
    else files.push(abs);
  }
  return { files, errors };
}

/** The worker task: scan a batch of files. */
export function scanFiles(input: { files: string[]; pixelLimit: number; printDpi: number }): Scan[] {
  return input.files.map((f) => scanFile(f, input));
}

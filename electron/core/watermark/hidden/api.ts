/**
 * The hidden mark for other features (batch export, Find, Bundles) and for this feature's own
 * handlers and CLI. Plain functions taking `deps`; pixel work runs in the worker pool, decoding
 * and resizing in sharp (libuv threads), so the main thread only orchestrates.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { ProofmarkError } from '../../../contract/errors.ts';
import type { Notice } from '../../../contract/define.ts';
import type { HiddenDetectResult, HiddenEmbedResult, HiddenKeyInfo } from '../../../contract/hidden.ts';
import type { CoreDeps } from '../../deps.ts';
import type { RawPixels } from '../visible/blend.ts';
import { HiddenKeyStore, keyFingerprint } from './keys.ts';
import { ANALYSIS_AREA, WEAK_COVERAGE, analysisSize, tooSmall, workingSize, type SearchHit } from './mark.ts';
import { DEFAULT_DETECT } from './detector.ts';

export { MIN_SIDE } from './mark.ts';

/** Pilot z-score above which an unread pattern is reported as a faint mark-like signal. */
export const FAINT_Z = 7;
/** Smallest suspect side the search is attempted on. */
export const MIN_DETECT_SIDE = 48;

/** Said when most of the image is flat: the mark holds only in its textured parts. */
const WEAK_NOTICE: Notice = { code: 'hidden.flat', text: 'Hidden mark: most of this image is flat (plain background or very smooth areas); the hidden mark lives only in its textured parts and may not survive heavy edits.' };

/**
 * Adds the hidden mark (the library's own key, generated on first use) to upright 8-bit pixels
 * (1–4 channels). Returns new pixels and leaves the input as it was, unless `inPlace` and the
 * pixels are on shared memory: then they are marked where they lie (an export's own frame, which
 * spares a copy into fresh memory).
 */
export async function embedHiddenInRaw(deps: CoreDeps, raw: RawPixels, imageId: number, opts: { inPlace?: boolean } = {}): Promise<RawPixels & { notice?: Notice; psnr: number }> {
  const small = tooSmall(raw.width, raw.height);
  if (small) throw new ProofmarkError('invalid_input', small);
  if (!Number.isInteger(imageId) || imageId < 0 || imageId > 0xffffffff) throw new ProofmarkError('invalid_input', 'The image id must be a whole number from 0 to 4294967295.');
  const channels = raw.channels as 1 | 2 | 3 | 4;
  if (![1, 2, 3, 4].includes(channels)) throw new ProofmarkError('unsupported_format', `Images with ${raw.channels} channels cannot be marked.`);
  const key = new HiddenKeyStore(deps.db).ensureOwn();
  const ws = workingSize(raw.width, raw.height);
  let img = sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels } });
  if (channels === 2 || channels === 4) img = img.removeAlpha();
  const luma = new Uint8Array(await img.resize(ws.width, ws.height, { fit: 'fill' }).toColourspace('b-w').raw().toBuffer());
  const plan = await deps.pool.run('hidden.plan', { luma, width: ws.width, height: ws.height, secret: key.secret, ownerId: key.ownerId, imageId }, { transfer: [luma.buffer as ArrayBuffer] });
  // The output lives on shared memory: two workers (large images) mark their own rows in place.
  let out = raw.data;
  if (!opts.inPlace || !(raw.data.buffer instanceof SharedArrayBuffer)) {
    out = new Uint8Array(new SharedArrayBuffer(raw.data.length));
    out.set(raw.data);
  }
  const bands = raw.width * raw.height > 2_000_000 ? 2 : 1;
  const sses = await Promise.all(
    Array.from({ length: bands }, (_, b) =>
      deps.pool.run('hidden.apply', {
        pixels: out, width: raw.width, height: raw.height, channels, delta: plan.delta, ww: ws.width, wh: ws.height,
        rowStart: Math.floor((b * raw.height) / bands), rowEnd: Math.floor(((b + 1) * raw.height) / bands),
      }),
    ),
  );
  const sse = sses.reduce((a, b) => a + b, 0);
  const mse = sse / Math.max(1, raw.width * raw.height * Math.min(3, channels));
  const psnr = mse > 0 ? 10 * Math.log10((255 * 255) / mse) : Infinity;
  const result: RawPixels & { notice?: Notice; psnr: number } = { data: out, width: raw.width, height: raw.height, channels: raw.channels, psnr };
  if (plan.coverage < WEAK_COVERAGE) result.notice = WEAK_NOTICE;
  return result;
}

function damaged(err: unknown): ProofmarkError {
  const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
  return new ProofmarkError('damaged_file', `The image cannot be read; the file is damaged, truncated or not an image (${first}).`);
}

const ORIENTATIONS = ['as marked', 'mirrored across the diagonal', 'mirrored left-right', 'rotated 90° anticlockwise', 'mirrored top-bottom', 'rotated 90° clockwise', 'rotated 180°', 'mirrored across the anti-diagonal'];

/** Upper bound on the chance that one detection names an owner falsely (see README: 64 known bits per decode, at most maxDecodes per key per pass, two passes). */
export function falseMatchBound(keys: number): number {
  return keys * 2 * DEFAULT_DETECT.maxDecodes * 2 ** -64;
}

function oddsText(bound: number): string {
  return `below 1 in 10^${Math.floor(-Math.log10(bound))}`;
}

export interface Suspect {
  width: number;
  height: number;
  warnings: Notice[];
  /** Analysis-size luma, or null when the image is too small to search. */
  analysis: { luma: Uint8Array; width: number; height: number } | null;
}

/**
 * Decodes a suspect image (first frame, alpha flattened onto white) to analysis-size luma;
 * `areaFactor` enlarges the analysis area (the second pass for small tiles, see searchSuspect).
 */
export async function readSuspect(deps: CoreDeps, bytes: Uint8Array, areaFactor = 1): Promise<Suspect> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: deps.config.pixelLimit }).metadata();
  } catch (err) {
    throw damaged(err);
  }
  const width = meta.width ?? 0;
  const height = meta.pageHeight ?? meta.height ?? 0;
  const warnings: Notice[] = [];
  if ((meta.pages ?? 1) > 1) warnings.push({ code: 'hidden.animated-searched', values: { frames: meta.pages! }, text: `Animated image (${meta.pages} frames): only the first frame was searched.` });
  if (width * height > deps.config.pixelLimit) throw new ProofmarkError('too_large', `The image is ${width}×${height} px, over the ${Math.round(deps.config.pixelLimit / 1e6)} MP limit.`);
  if (Math.min(width, height) < MIN_DETECT_SIDE) {
    warnings.push({ code: 'hidden.too-small', values: { width, height, min: MIN_DETECT_SIDE }, text: `The image is ${width}×${height} px: too small to hold a readable hidden mark (at least ${MIN_DETECT_SIDE} px on the shorter side).` });
    return { width, height, warnings, analysis: null };
  }
  const as = analysisSize(width, height, areaFactor);
  try {
    let img = sharp(bytes, { limitInputPixels: deps.config.pixelLimit, failOn: 'truncated' });
    if (meta.hasAlpha) img = img.flatten({ background: '#ffffff' });
    const buf = await img.resize(as.width, as.height, { fit: 'fill' }).toColourspace('b-w').raw({ depth: 'uchar' }).toBuffer();
    return { width, height, warnings, analysis: { luma: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength).slice(), width: as.width, height: as.height } };
  } catch (err) {
    throw damaged(err);
  }
}

/** Analysis area of the second pass, relative to the first. */
export const SECOND_PASS_AREA = 2;

/**
 * The search, in up to two passes: at the normal analysis size, then, when nothing was read and
 * the file has the pixels for it, at twice the area (a copy shrunk onto a larger canvas, like a
 * marketplace square, leaves tiles too small for the first pass).
 */
export async function searchSuspect(deps: CoreDeps, bytes: Uint8Array, keys: { ownerId: number; secret: Uint8Array }[], opts: { signal?: AbortSignal } = {}): Promise<{ suspect: Suspect; hit: SearchHit | null; passes: number }> {
  const suspect = await readSuspect(deps, bytes);
  if (!suspect.analysis || keys.length === 0) return { suspect, hit: null, passes: 0 };
  const run = (a: NonNullable<Suspect['analysis']>) =>
    deps.pool.run('hidden.search', { luma: a.luma, width: a.width, height: a.height, keys }, { transfer: [a.luma.buffer as ArrayBuffer], ...(opts.signal ? { signal: opts.signal } : {}) });
  let hit = await run(suspect.analysis);
  let passes = 1;
  if (!hit.found && suspect.width * suspect.height >= SECOND_PASS_AREA * ANALYSIS_AREA) {
    const again = await readSuspect(deps, bytes, SECOND_PASS_AREA);
    const second = await run(again.analysis!);
    passes = 2;
    if (second.found || second.z > hit.z) hit = { ...second, decodes: second.decodes + hit.decodes };
    else hit = { ...hit, decodes: second.decodes + hit.decodes };
  }
  return { suspect, hit, passes };
}

/**
 * Looks for the hidden mark in an image file's bytes, with every key of the library (own and
 * imported). Names the library image when the mark is the own key's and the id is in the library.
 */
export async function detectHiddenInBytes(deps: CoreDeps, bytes: Uint8Array, opts: { signal?: AbortSignal } = {}): Promise<HiddenDetectResult> {
  const keys = new HiddenKeyStore(deps.db).all();
  const { suspect, hit } = await searchSuspect(deps, bytes, keys.map((k) => ({ ownerId: k.ownerId, secret: k.secret })), opts);
  const { width, height, warnings } = suspect;
  const base: HiddenDetectResult = {
    found: false, ownerId: null, imageId: null, confidence: 0, falseMatchOdds: null, falseMatchExponent: null, ownKey: false, keyLabel: null, title: null, inLibrary: false,
    signal: 'none', pilotZ: 0, orientation: null, keysTried: keys.length, width, height, warnings,
  };
  if (!hit) {
    if (suspect.analysis && keys.length === 0) warnings.push({ code: 'hidden.no-key', text: 'This library has no hidden-mark key yet (one is made on the first embed, or import a key backup).' });
    return base;
  }
  base.pilotZ = Math.round(hit.z * 100) / 100;
  if (!hit.found) {
    base.signal = hit.z >= FAINT_Z ? 'faint' : 'none';
    return base;
  }
  const key = keys[hit.key]!;
  const bound = falseMatchBound(keys.length);
  const result: HiddenDetectResult = {
    ...base,
    found: true,
    ownerId: hit.ownerId,
    imageId: hit.imageId,
    confidence: 1 - bound,
    falseMatchOdds: oddsText(bound),
    falseMatchExponent: Math.floor(-Math.log10(bound)),
    ownKey: key.own,
    keyLabel: key.label,
    signal: 'found',
    orientation: ORIENTATIONS[hit.symmetry] ?? null,
  };
  if (key.own && hit.imageId) {
    const item = deps.library.images.byId(hit.imageId);
    if (item) {
      result.inLibrary = true;
      result.title = item.title;
    }
  }
  return result;
}

/** Reads a file and detects (a missing file is a clear error). */
export async function detectHiddenInFile(deps: CoreDeps, file: string, opts: { signal?: AbortSignal } = {}): Promise<HiddenDetectResult> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (err) {
    throw new ProofmarkError((err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not_found' : 'io_error', `Cannot read ${file}: ${(err as Error).message}`);
  }
  return detectHiddenInBytes(deps, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), opts);
}

export function hiddenKeyInfo(deps: CoreDeps, create = false): HiddenKeyInfo {
  const store = new HiddenKeyStore(deps.db);
  if (create) store.ensureOwn();
  const keys = store.all();
  const own = keys.find((k) => k.own);
  return {
    own: own ? { ownerId: own.ownerId, fingerprint: keyFingerprint(own.secret), createdAt: own.createdAt, source: own.source } : null,
    keys: keys.map((k) => ({ ownerId: k.ownerId, fingerprint: keyFingerprint(k.secret), label: k.label, own: k.own, source: k.source, createdAt: k.createdAt })),
  };
}

/** The own key (made if needed) or another stored key as backup text; written to `file` when given (never over an existing file). */
export function exportHiddenKey(deps: CoreDeps, opts: { path?: string | undefined; ownerId?: number | undefined } = {}): { text: string; ownerId: number; path: string | null } {
  const store = new HiddenKeyStore(deps.db);
  const text = store.exportText(opts.ownerId);
  const ownerId = (JSON.parse(text) as { ownerId: number }).ownerId;
  if (opts.path) {
    const file = path.resolve(opts.path);
    try {
      fs.writeFileSync(file, text, { flag: 'wx', mode: 0o600 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new ProofmarkError('conflict', `${file} already exists; choose another file name (a key backup is never written over a file).`);
      throw new ProofmarkError('io_error', `Cannot write ${file}: ${(err as Error).message}`);
    }
    deps.library.record(null, 'hidden-key-exported', { ownerId, path: file });
    return { text, ownerId, path: file };
  }
  return { text, ownerId, path: null };
}

export function importHiddenKey(deps: CoreDeps, opts: { text?: string | undefined; path?: string | undefined; useForEmbedding?: boolean | undefined; label?: string | undefined }): { ownerId: number; fingerprint: string; added: boolean; own: boolean } {
  let text = opts.text;
  if (!text && opts.path) {
    try {
      text = fs.readFileSync(opts.path, 'utf8');
    } catch (err) {
      throw new ProofmarkError((err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not_found' : 'io_error', `Cannot read ${opts.path}: ${(err as Error).message}`);
    }
  }
  if (!text) throw new ProofmarkError('invalid_input', 'Give the key backup text or the path of a backup file.');
  const { key, added } = new HiddenKeyStore(deps.db).importText(text, { useForEmbedding: opts.useForEmbedding ?? false, ...(opts.label ? { label: opts.label } : {}) });
  deps.library.record(null, 'hidden-key-imported', { ownerId: key.ownerId, own: key.own, added });
  return { ownerId: key.ownerId, fingerprint: keyFingerprint(key.secret), added, own: key.own };
}

const ENCODERS: Record<string, (img: Sharp, quality: number) => Sharp> = {
  '.jpg': (img, q) => img.jpeg({ quality: q, chromaSubsampling: '4:4:4' }),
  '.jpeg': (img, q) => img.jpeg({ quality: q, chromaSubsampling: '4:4:4' }),
  '.png': (img) => img.png(),
  '.webp': (img, q) => img.webp({ quality: q }),
  '.tif': (img) => img.tiff({ compression: 'lzw' }),
  '.tiff': (img) => img.tiff({ compression: 'lzw' }),
};

/**
 * Marks an image file into a new file (never over an existing one). The image id defaults to the
 * library id of an identical library image (same SHA-256), else 0.
 */
export async function embedHiddenFile(deps: CoreDeps, input: string, output: string, opts: { imageId?: number | undefined; quality?: number | undefined } = {}): Promise<HiddenEmbedResult> {
  const out = path.resolve(output);
  const encoder = ENCODERS[path.extname(out).toLowerCase()];
  if (!encoder) throw new ProofmarkError('invalid_input', `Cannot write ${path.basename(out)}: the output name must end in .jpg, .jpeg, .png, .webp, .tif or .tiff.`);
  if (fs.existsSync(out)) throw new ProofmarkError('conflict', `${out} already exists; choose another output name (files are never overwritten).`);
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(input);
  } catch (err) {
    throw new ProofmarkError((err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not_found' : 'io_error', `Cannot read ${input}: ${(err as Error).message}`);
  }
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: deps.config.pixelLimit }).metadata();
  } catch (err) {
    throw damaged(err);
  }
  const warnings: Notice[] = [];
  if ((meta.width ?? 0) * (meta.pageHeight ?? meta.height ?? 0) > deps.config.pixelLimit) throw new ProofmarkError('too_large', `The image is over the ${Math.round(deps.config.pixelLimit / 1e6)} MP limit.`);
  if (meta.space === 'cmyk') warnings.push({ code: 'hidden.cmyk', text: 'CMYK image: converted to sRGB (the mark is added in RGB).' });
  if (meta.depth === 'ushort') warnings.push({ code: 'hidden.16-bit', text: '16-bit image: written with 8 bits per channel.' });
  if ((meta.pages ?? 1) > 1) warnings.push({ code: 'hidden.animated-marked', values: { frames: meta.pages! }, text: `Animated image (${meta.pages} frames): only the first frame was marked.` });
  const grey = (meta.channels ?? 3) < 3 || meta.space === 'b-w' || meta.space === 'grey16';
  let raw: RawPixels;
  try {
    let img = sharp(bytes, { limitInputPixels: deps.config.pixelLimit, failOn: 'truncated' }).rotate();
    img = grey ? img.toColourspace('b-w') : img.toColourspace('srgb');
    const { data, info } = await img.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    raw = { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: info.channels };
  } catch (err) {
    throw damaged(err);
  }
  let imageId = opts.imageId;
  if (imageId === undefined) {
    const sha = createHash('sha256').update(bytes).digest('hex');
    imageId = deps.library.images.bySha(sha)?.id ?? 0;
  }
  const marked = await embedHiddenInRaw(deps, raw, imageId);
  if (marked.notice) warnings.push(marked.notice);
  let outImg = sharp(marked.data, { raw: { width: marked.width, height: marked.height, channels: marked.channels as 1 | 2 | 3 | 4 } });
  if (marked.channels < 3) outImg = outImg.toColourspace('b-w');
  const encoded = await encoder(outImg, opts.quality ?? 92).toBuffer();
  try {
    await fs.promises.writeFile(out, encoded, { flag: 'wx' });
  } catch (err) {
    throw new ProofmarkError((err as NodeJS.ErrnoException).code === 'EEXIST' ? 'conflict' : 'io_error', `Cannot write ${out}: ${(err as Error).message}`);
  }
  const ownerId = new HiddenKeyStore(deps.db).ensureOwn().ownerId;
  if (imageId && deps.library.images.byId(imageId)) deps.library.record(imageId, 'hidden-marked', { ownerId, output: out, psnr: Math.round(marked.psnr * 10) / 10 });
  return { path: out, width: marked.width, height: marked.height, ownerId, imageId, psnr: Math.round(marked.psnr * 100) / 100, warnings };
}

import path from 'node:path';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { ProofmarkError, type ExportFormat, type ExportSettings, type MarkGeometry, type Notice, type WatermarkDesign } from '../../../contract/index.ts';
import { toDpi } from '../../imaging/density.ts';
import { probeWithMetadata, undecodable, type ImageProbe } from '../../imaging/probe.ts';
import type { SharedLease } from '../../jobs/shared-bytes.ts';
import { prepareOverlay, type PreparedOverlay, type RawPixels } from './blend.ts';
import { layoutMark, MIN_SIDE_FOR_MARK, relativeGeometry, scaleLayout, targetSize, type InkBox, type Layout } from './layout.ts';
import { loadLogo, type StoredLogoLookup } from './logo.ts';
import { markSpec, type MarkRenderer, type MarkSpec } from './mark.ts';
import { buildExif, tiffStart } from './metadata/exif.ts';
import { buildXmp, hasRights, rightsOnlyXmp } from './metadata/xmp.ts';
import { filterApp13, readJpegApp13 } from './metadata/iptc.ts';
import { injectJpegParts, injectPng, injectWebp, MetadataTooLarge, patchAvifExif, type MetadataBlocks } from './metadata/containers.ts';
import { splicing, type SpliceInput } from './splice.ts';
import { SPOOL_MAX_BYTES, spoolFrame } from './spool.ts';
import { markingInWorker, turboJpegReady, type WorkerJpegInput } from './worker-jpeg.ts';
import { fillTokens, readExifFields } from './tokens.ts';

export type OutputFormat = Exclude<ExportFormat, 'same'>;

/** Embeds the hidden mark into upright pixels (the hidden feature's api.ts); null when unavailable. */
export type HiddenEmbed = (raw: RawPixels, imageId: number) => Promise<RawPixels & { notice?: Notice }>;

/** Blends a prepared overlay into the pixels at each (left, top) of `positions`, in place. */
export type Blend = (raw: RawPixels, overlay: PreparedOverlay, positions: Int32Array) => Promise<void>;

/** A marked JPEG made without a frame (splice.ts, in a worker); null when that cannot run there. */
export type Splice = (input: SpliceInput) => Promise<Uint8Array | null>;

/** A marked JPEG made in a worker on its reused frame (worker-jpeg.ts); null when that cannot run there. */
export type WorkerJpeg = (input: WorkerJpegInput) => Promise<Uint8Array | null>;

export interface PipelineDeps {
  resourcesDir: string;
  pixelLimit: number;
  marks: MarkRenderer;
  storedLogo: StoredLogoLookup;
  hidden: HiddenEmbed | null;
  blend: Blend;
  splice: Splice | null;
  workerJpeg: WorkerJpeg | null;
}

/** One image to export or preview. */
export interface SourceImage {
  /** Shown in errors and results: the file path, or "#12 (title)" for library images. */
  label: string;
  bytes: Buffer;
  imageId: number | null;
  /** Source file name without extension ({filename}). */
  filename: string;
  /** Library title ({title}); the file name for files on disk. */
  title: string;
}

export interface PreparedMark {
  spec: MarkSpec;
  ink: InkBox;
  text: string;
  warnings: Notice[];
}

const SOFTWARE = 'ProofMark';

/** Fills the tokens, loads the logo and measures the mark for one image. */
export async function prepareMark(deps: PipelineDeps, design: WatermarkDesign, src: SourceImage, ctx: { owner: string; now: Date }): Promise<PreparedMark> {
  const warnings: Notice[] = [];
  let text = '';
  if (design.text) {
    const filled = await fillTokens(design.text.content, {
      filename: src.filename, title: src.title, owner: ctx.owner, id: src.imageId, now: ctx.now,
      exif: () => readExifFields(src.bytes),
    });
    text = filled.text;
    for (const t of filled.missing) warnings.push({ code: 'watermark.token-empty', values: { token: `{${t}}` }, text: `{${t}} has no value for this image; it was left out of the mark.` });
  }
  const logo = design.logo ? await loadLogo(design.logo.ref, deps.storedLogo) : null;
  const spec = markSpec(design, text, deps.resourcesDir, logo);
  return { spec, ink: await deps.marks.measure(spec), text, warnings };
}

/** A single mark's overlay, rendered at its sub-pixel offset, and where its top-left corner lies. */
async function placeSingle(deps: PipelineDeps, mark: PreparedMark, layout: Layout, opacity: number, channels: number): Promise<{ overlay: PreparedOverlay; left: number; top: number }> {
  const c = layout.centers[0]!;
  const x = c.x - layout.width / 2;
  const y = c.y - layout.height / 2;
  const left = Math.floor(x);
  const top = Math.floor(y);
  const overlay = await deps.marks.single(mark.spec, mark.ink, layout.k, x - left, y - top);
  return { overlay: prepareOverlay(overlay, opacity, channels), left, top };
}

/** A laid-out mark's overlay (rendered once per size), prepared for blending, and the top-left corner of each copy. */
async function placeMarks(deps: PipelineDeps, mark: PreparedMark, layout: Layout, opacity: number, channels: number): Promise<{ overlay: PreparedOverlay; positions: Int32Array }> {
  if (layout.mode === 'single') {
    const { overlay, left, top } = await placeSingle(deps, mark, layout, opacity, channels);
    return { overlay, positions: Int32Array.of(left, top) };
  }
  const overlay = await deps.marks.rotated(mark.spec, mark.ink, layout.k, layout.angle);
  const positions = new Int32Array(layout.centers.length * 2);
  layout.centers.forEach((c, i) => {
    positions[i * 2] = Math.round(c.x - overlay.width / 2);
    positions[i * 2 + 1] = Math.round(c.y - overlay.height / 2);
  });
  return { overlay: prepareOverlay(overlay, opacity, channels), positions };
}

/** Draws a laid-out mark into the pixels, blended only where it lies. */
export async function drawMark(deps: PipelineDeps, raw: RawPixels, mark: PreparedMark, layout: Layout, opacity: number): Promise<void> {
  const { overlay, positions } = await placeMarks(deps, mark, layout, opacity, raw.channels);
  await deps.blend(raw, overlay, positions);
}

export function outputFormat(setting: ExportFormat, source: ImageProbe['format']): OutputFormat {
  if (setting !== 'same') return setting;
  return source === 'jpeg' || source === 'png' || source === 'webp' || source === 'avif' ? source : 'jpeg';
}

export function uprightSize(probe: Pick<ImageProbe, 'width' | 'height' | 'orientation'>): { width: number; height: number } {
  return (probe.orientation ?? 1) >= 5 ? { width: probe.height, height: probe.width } : { width: probe.width, height: probe.height };
}

/**
 * Raw pixels of a sharp pipeline. toBuffer, not toUint8Array: the latter copies into a fresh
 * ArrayBuffer, which costs ~70 ms of page faults per 24 MP image.
 */
async function toRaw(img: Sharp): Promise<RawPixels> {
  const { data, info } = await img.toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: info.channels };
}

/** How the upright pixels are made, and what colour they are in. */
interface Upright {
  /** A fresh sharp pipeline giving the upright, resized, 8-bit (or 16-bit) RGB(A) pixels. */
  pipeline: () => Sharp;
  /** Profile to attach unchanged (colour "keep"), else null. */
  keptIcc: Buffer | null;
  srgb: boolean;
  warnings: Notice[];
}

interface Decoded extends Omit<Upright, 'pipeline'> {
  raw: RawPixels;
  /** Hands a reused frame buffer back (after encoding); a no-op for ordinary buffers. */
  release: () => void;
}

/**
 * Upright (EXIF orientation applied), resized to exactly `size`, RGB(A): in sRGB, or in the
 * source's own profile when asked to keep it. Only the first frame of an animation.
 */
function upright(bytes: Buffer, meta: Metadata, size: { width: number; height: number }, format: OutputFormat, colour: ExportSettings['colour'], pixelLimit: number): Upright {
  const warnings: Notice[] = [];
  const cmyk = meta.space === 'cmyk';
  const grey = (meta.channels ?? 3) < 3 || meta.space === 'b-w' || meta.space === 'grey16';
  const keepIcc = colour === 'keep' && Boolean(meta.icc) && !cmyk && !grey && format !== 'avif';
  if (cmyk) warnings.push({ code: 'watermark.cmyk', text: 'CMYK image: converted to sRGB (the mark is drawn in RGB, and PNG/WebP/AVIF have no CMYK).' });
  if (colour === 'keep' && meta.icc && format === 'avif' && !cmyk) warnings.push({ code: 'watermark.avif-srgb', text: 'AVIF exports are written in sRGB; the source colour profile was converted.' });
  if ((meta.pages ?? 1) > 1) warnings.push({ code: 'watermark.animated', values: { frames: meta.pages! }, text: `Animated image (${meta.pages} frames): only the first frame was exported.` });
  if (meta.depth === 'ushort') warnings.push({ code: 'watermark.16-bit', text: '16-bit image: exported with 8 bits per channel.' });
  const source = uprightSize({ width: meta.width!, height: meta.pageHeight ?? meta.height!, orientation: meta.orientation ?? null });
  // A fresh pipeline per use: sharp's clone() would deep-copy the input bytes.
  const pipeline = (): Sharp => {
    let img = sharp(bytes, { limitInputPixels: pixelLimit, failOn: 'truncated' }).rotate();
    if (source.width !== size.width || source.height !== size.height) img = img.resize(size.width, size.height, { fit: 'fill' });
    img = keepIcc ? img.keepIccProfile() : img.toColourspace('srgb');
    if (format === 'jpeg' && meta.hasAlpha) img = img.flatten({ background: '#ffffff' });
    return img;
  };
  return { pipeline, keptIcc: keepIcc ? meta.icc! : null, srgb: !keepIcc, warnings };
}

/** The upright pixels in memory, 8-bit RGB(A), for the marks to be drawn into. */
async function decode(bytes: Buffer, meta: Metadata, size: { width: number; height: number }, format: OutputFormat, colour: ExportSettings['colour'], pixelLimit: number, reuse = false): Promise<Decoded> {
  const { pipeline, ...colourFacts } = upright(bytes, meta, size, format, colour, pixelLimit);
  let raw: RawPixels;
  let release = () => {};
  try {
    // Exports of 8-bit images reuse one frame buffer per lane (see spool.ts); previews are cached, so they own theirs.
    const spooled = reuse && meta.depth === 'uchar' && size.width * size.height * 4 <= SPOOL_MAX_BYTES ? await spoolFrame(pipeline()) : null;
    if (spooled) {
      raw = spooled.raw;
      release = spooled.release;
    } else {
      raw = await toRaw(pipeline().raw({ depth: 'uchar' }));
    }
  } catch (err) {
    throw undecodable(err);
  }
  if (raw.width !== size.width || raw.height !== size.height) {
    release();
    throw new Error(`decoded ${raw.width}x${raw.height}, expected ${size.width}x${size.height}`);
  }
  if (raw.channels !== 3 && raw.channels !== 4) {
    raw = await toRaw(sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels as 1 | 2 } }).toColourspace('srgb').raw());
  }
  return { ...colourFacts, raw, release };
}

let srgbProfile: Promise<Buffer> | null = null;
/** libvips' compact sRGB profile, attached to exports converted to sRGB. */
function srgbIcc(): Promise<Buffer> {
  srgbProfile ??= sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } })
    .withIccProfile('srgb')
    .png()
    .toBuffer()
    .then(async (png) => (await sharp(png).metadata()).icc!);
  return srgbProfile;
}

export interface Rendered {
  /** The file's bytes: pieces to write one after the other (the encoded image is not copied to add metadata). */
  data: Buffer[];
  format: OutputFormat;
  width: number;
  height: number;
  geometry: MarkGeometry | null;
  visibleMark: boolean;
  hiddenMark: boolean;
  warnings: Notice[];
}

export interface RenderJob {
  design: WatermarkDesign | null;
  settings: ExportSettings;
  owner: string;
  now: Date;
  /** Waits until `bytes` of decoded pixels may be held; returns the release. */
  reserve?: (bytes: number) => Promise<() => void>;
  /** Shared memory the caller holds until the export is written: a worker puts its JPEG there. */
  lease?: SharedLease;
}

/** The header facts (format by magic bytes, size, orientation, density) and the metadata blocks to carry over, from one parse. */
export async function inspect(src: SourceImage, pixelLimit: number): Promise<{ probe: ImageProbe; meta: Metadata }> {
  return probeWithMetadata(src.bytes, { pixelLimit, name: path.basename(src.label) });
}

/** One export: decode upright and resized, hidden mark, visible mark, encode, metadata. */
export async function renderExport(deps: PipelineDeps, src: SourceImage, job: RenderJob): Promise<Rendered> {
  const { settings } = job;
  const { probe, meta } = await inspect(src, deps.pixelLimit);
  const format = outputFormat(settings.format, probe.format);
  const source = uprightSize(probe);
  const size = targetSize(source.width, source.height, settings.resize);
  const resized = size.width !== source.width || size.height !== source.height;
  const design = job.design;
  if (design && Math.min(size.width, size.height) < MIN_SIDE_FOR_MARK) {
    throw new ProofmarkError('invalid_input', `The image is ${size.width}x${size.height} px; a visible mark needs at least ${MIN_SIDE_FOR_MARK} px on the short side.`);
  }
  // Measure the mark before decoding: a missing logo or font fails fast, without decoding 24 MP.
  const mark = design ? await prepareMark(deps, design, src, job) : null;
  // An EXIF-turned image is held twice while it is turned: as stored, and upright.
  const held = size.width * size.height * 4 * ((probe.orientation ?? 1) > 1 ? 2 : 1);
  const release = job.reserve ? await job.reserve(held) : () => {};
  try {
    return await markAndEncode(deps, src, job, { probe, meta, format, size, resized, mark });
  } finally {
    release();
  }
}

async function markAndEncode(
  deps: PipelineDeps,
  src: SourceImage,
  job: RenderJob,
  { probe, meta, format, size, resized, mark }: { probe: ImageProbe; meta: Metadata; format: OutputFormat; size: { width: number; height: number }; resized: boolean; mark: PreparedMark | null },
): Promise<Rendered> {
  const { settings } = job;
  if (!settings.hidden && format === 'jpeg' && !resized && libvipsReproduces(meta)) {
    const fast = await workerExport(deps, src, job, { probe, meta, size, marked: mark && job.design ? { mark, design: job.design } : null });
    if (fast) return fast;
  }
  if (!mark && !settings.hidden && meta.depth === 'uchar') {
    // Nothing to draw: decoding streams straight into the encoder, with no frame in memory.
    const pixels = upright(src.bytes, meta, size, format, settings.colour, deps.pixelLimit);
    const warnings = [...pixels.warnings];
    const data = await encode({ img: pixels.pipeline(), ...size, decodes: true }, format, settings, { src, meta, colour: pixels, dpi: exportDpi(settings, probe), warnings });
    return { data, format, ...size, geometry: null, visibleMark: false, hiddenMark: false, warnings };
  }
  const decoded = await decode(src.bytes, meta, size, format, settings.colour, deps.pixelLimit, true);
  try {
    return await markDecoded(deps, src, job, { probe, meta, format, decoded, mark });
  } finally {
    decoded.release();
  }
}

async function markDecoded(
  deps: PipelineDeps,
  src: SourceImage,
  job: RenderJob,
  { probe, meta, format, decoded, mark }: { probe: ImageProbe; meta: Metadata; format: OutputFormat; decoded: Decoded; mark: PreparedMark | null },
): Promise<Rendered> {
  const { settings, design } = job;
  const warnings = [...decoded.warnings, ...(mark?.warnings ?? [])];
  let raw = decoded.raw;

  let hiddenMark = false;
  if (settings.hidden) {
    if (!deps.hidden) throw new ProofmarkError('internal', 'The hidden mark is not available in this build.');
    const marked = await deps.hidden(raw, src.imageId ?? 0);
    if (marked.notice) warnings.push(marked.notice);
    raw = { data: marked.data, width: marked.width, height: marked.height, channels: marked.channels };
    hiddenMark = true;
  }

  let geometry: MarkGeometry | null = null;
  if (design && mark) {
    const layout = layoutMark(design, mark.ink, raw.width, raw.height);
    await drawMark(deps, raw, mark, layout, design.opacity);
    geometry = relativeGeometry(layout, raw.width, raw.height);
    if (layout.shrunk) warnings.push({ code: 'watermark.shrunk', text: 'The mark was made smaller than the design size so that it fits inside the image.' });
  }

  const pixels = { img: sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels as 3 | 4 } }), width: raw.width, height: raw.height, decodes: false };
  const data = await encode(pixels, format, settings, { src, meta, colour: decoded, dpi: exportDpi(settings, probe), warnings });
  return { data, format, width: raw.width, height: raw.height, geometry, visibleMark: Boolean(design), hiddenMark, warnings };
}

/**
 * Sources the libvips binding (splice.ts, worker-jpeg.ts) decodes exactly as sharp's pipeline
 * would (exported at their own upright size): 8-bit RGB JPEGs of one page.
 */
function libvipsReproduces(meta: Metadata): boolean {
  return meta.format === 'jpeg' && meta.depth === 'uchar' && meta.channels === 3 && meta.space === 'srgb' && (meta.pages ?? 1) === 1;
}

/**
 * A JPEG made by the libvips binding or TurboJPEG in a worker: without TurboJPEG, one mark on a
 * large upright image is spliced into the plain re-encode (splice.ts); otherwise the marks are
 * blended on the worker's reused frame (worker-jpeg.ts). An export with no mark takes the frame
 * only with TurboJPEG, which beats sharp's streaming re-encode. null when none of this can run
 * here or it fails: the frame path (or the stream) then runs, and reports a damaged source.
 */
async function workerExport(
  deps: PipelineDeps,
  src: SourceImage,
  job: RenderJob,
  { probe, meta, size, marked }: { probe: ImageProbe; meta: Metadata; size: { width: number; height: number }; marked: { mark: PreparedMark; design: WatermarkDesign } | null },
): Promise<Rendered | null> {
  const { settings } = job;
  const layout = marked ? layoutMark(marked.design, marked.mark.ink, size.width, size.height) : null;
  // The same colour decision as the frame path (keep the profile, or convert to sRGB); its pipeline is not used.
  const colour = upright(src.bytes, meta, size, 'jpeg', settings.colour, deps.pixelLimit);
  // Room for the JPEG in the caller's memory; a larger one (rare at export quality) comes back in the worker's own.
  const into = () => job.lease?.take(Math.ceil(src.bytes.byteLength * 1.5));
  const common = { source: src.bytes, quality: settings.quality, toSrgb: colour.srgb, asStored: (meta.orientation ?? 1) === 1 && !(colour.srgb && meta.icc) };
  let jpeg: Uint8Array | null = null;
  try {
    const pixels = size.width * size.height;
    const workerJpeg = markingInWorker.applies(pixels) ? deps.workerJpeg : null;
    // The splice streams the file as stored: a turned one needs the whole image anyway. It saves
    // libvips' frame, but TurboJPEG's frame path beats both (worker-jpeg.ts).
    if (marked && layout?.mode === 'single' && (meta.orientation ?? 1) === 1 && deps.splice && splicing.applies(pixels) && !(workerJpeg && turboJpegReady(pixels))) {
      const { overlay, left, top } = await placeSingle(deps, marked.mark, layout, marked.design.opacity, 3);
      jpeg = await deps.splice({ ...common, width: size.width, overlay, left, top, into: into() });
      if (jpeg) splicing.count();
    } else if (workerJpeg && (marked || turboJpegReady(pixels))) {
      const placed = marked && layout ? await placeMarks(deps, marked.mark, layout, marked.design.opacity, 3) : { overlay: null, positions: new Int32Array(0) };
      jpeg = await workerJpeg({ ...common, ...size, ...placed, into: into() });
      if (jpeg) markingInWorker.count();
    }
  } catch {
    jpeg = null;
  }
  if (!jpeg) return null;
  const warnings = [...colour.warnings, ...(marked?.mark.warnings ?? [])];
  if (layout?.shrunk) warnings.push({ code: 'watermark.shrunk', text: 'The mark was made smaller than the design size so that it fits inside the image.' });
  const ctx: EncodeContext = { src, meta, colour, dpi: exportDpi(settings, probe), warnings };
  const blocks = await planMetadata('jpeg', size, settings, ctx);
  const data = attachMetadata(Buffer.from(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength), 'jpeg', size, blocks, settings, ctx);
  return { data, format: 'jpeg', ...size, geometry: layout && relativeGeometry(layout, size.width, size.height), visibleMark: Boolean(layout), hiddenMark: false, warnings };
}

function exportDpi(settings: ExportSettings, probe: ImageProbe): number {
  return settings.dpi ?? toDpi(probe.density)?.x ?? 72;
}

interface EncodeContext {
  src: SourceImage;
  meta: Metadata;
  colour: Pick<Upright, 'keptIcc' | 'srgb'>;
  dpi: number;
  warnings: Notice[];
}

/** The pixels to encode: a marked frame, or the decoding pipeline itself (then its errors are the source's). */
interface EncodeInput {
  img: Sharp;
  width: number;
  height: number;
  decodes: boolean;
}

/** The metadata blocks an export carries (computed before encoding: AVIF reserves room for its Exif). */
async function planMetadata(format: OutputFormat, size: { width: number; height: number }, settings: ExportSettings, ctx: EncodeContext): Promise<MetadataBlocks> {
  const keep = settings.metadata !== 'strip-all';
  const stripLocation = settings.metadata !== 'keep';
  const rights = hasRights(settings.rights) ? settings.rights : null;
  const sourceExif = keep && ctx.meta.exif ? ctx.meta.exif : null;
  const exif = buildExif({
    original: sourceExif && tiffStart(sourceExif) >= 0 ? sourceExif : null,
    keep, stripLocation, width: size.width, height: size.height, dpi: ctx.dpi, srgb: ctx.colour.srgb,
    artist: rights?.creator, copyright: rights?.copyright, software: SOFTWARE,
  });
  ctx.warnings.push(...exif.warnings);
  const xmpPlan = buildXmp({ original: keep && ctx.meta.xmp ? ctx.meta.xmp.toString('utf8') : null, keep, stripLocation, rights: settings.rights });
  ctx.warnings.push(...xmpPlan.warnings);
  const icc = ctx.colour.keptIcc ?? (format === 'avif' ? null : await srgbIcc());
  const app13 = keep && format === 'jpeg' && ctx.meta.format === 'jpeg'
    ? readJpegApp13(ctx.src.bytes).map((p) => filterApp13(p, { stripLocation, dropRights: Boolean(rights) })).filter((p): p is Uint8Array => p !== null)
    : [];
  return { exif: exif.tiff, xmp: xmpPlan.xmp, icc, app13, dpi: ctx.dpi };
}

async function encode(pixels: EncodeInput, format: OutputFormat, settings: ExportSettings, ctx: EncodeContext): Promise<Buffer[]> {
  const blocks = await planMetadata(format, pixels, settings, ctx);
  let img = pixels.img;
  switch (format) {
    // Huffman optimisation costs ~80% more encode time (a second pass over the whole image) for ~3% smaller files.
    case 'jpeg': img = img.jpeg({ quality: settings.quality, optimiseCoding: false }); break;
    case 'png': img = img.png({ compressionLevel: 6 }); break;
    case 'webp': img = img.webp({ quality: settings.quality }); break;
    case 'avif':
      // libheif writes the Exif item; room is reserved with placeholder text and our block replaces it.
      img = img.avif({ quality: settings.quality }).withExif({ IFD0: { ImageDescription: 'x'.repeat(blocks.exif!.length + 64) } });
      if (blocks.xmp) img = img.withXmp(blocks.xmp);
      break;
  }
  let encoded: Buffer;
  try {
    encoded = await img.toBuffer();
  } catch (err) {
    throw pixels.decodes ? undecodable(err) : err;
  }
  return attachMetadata(encoded, format, pixels, blocks, settings, ctx);
}

/** The encoded file with its metadata, as pieces to write in order. */
function attachMetadata(encoded: Buffer, format: OutputFormat, size: { width: number; height: number }, blocks: MetadataBlocks, settings: ExportSettings, ctx: EncodeContext): Buffer[] {
  const write = (b: MetadataBlocks): Buffer[] => {
    switch (format) {
      case 'jpeg': return injectJpegParts(encoded, b);
      case 'png': return [injectPng(encoded, b)];
      case 'webp': return [injectWebp(encoded, b, size)];
      case 'avif': return [patchAvifExif(encoded, b.exif!)];
    }
  };
  try {
    return write(blocks);
  } catch (err) {
    if (!(err instanceof MetadataTooLarge)) throw err;
    // A kept block too large for the format (JPEG segments hold 64 KB): keep the essentials and the rights.
    ctx.warnings.push({ code: 'watermark.metadata-too-large', values: { format: format.toUpperCase() }, text: `The source metadata is too large to keep in ${format.toUpperCase()} (${err.message}); only the essentials and the rights were written.` });
    const rights = hasRights(settings.rights) ? settings.rights : null;
    const fresh = buildExif({ original: null, keep: false, stripLocation: true, width: size.width, height: size.height, dpi: ctx.dpi, srgb: ctx.colour.srgb, artist: rights?.creator, copyright: rights?.copyright, software: SOFTWARE });
    return write({ exif: fresh.tiff, xmp: rightsOnlyXmp(settings.rights), icc: blocks.icc, app13: [], dpi: ctx.dpi });
  }
}

/** A preview: the same decode and mark as the export, at preview size, with the export's geometry scaled down. */
export async function renderPreview(
  deps: PipelineDeps,
  src: SourceImage,
  opts: { design: WatermarkDesign | null; maxSize: number; resize: ExportSettings['resize']; owner: string; now: Date },
  decodedCache: Map<string, Promise<RawPixels>>,
  cacheKey: string,
): Promise<{ before: RawPixels; after: RawPixels | null; exportSize: { width: number; height: number }; geometry: MarkGeometry | null; text: string; warnings: Notice[] }> {
  const { probe, meta } = await inspect(src, deps.pixelLimit);
  const source = uprightSize(probe);
  const exportSize = targetSize(source.width, source.height, opts.resize);
  const preview = targetSize(exportSize.width, exportSize.height, { mode: 'long-edge', size: opts.maxSize });
  const key = `${cacheKey}|${preview.width}x${preview.height}`;
  let pending = decodedCache.get(key);
  if (!pending) {
    pending = decode(src.bytes, meta, preview, 'png', 'srgb', deps.pixelLimit).then((d) => d.raw);
    decodedCache.set(key, pending);
    pending.catch(() => decodedCache.delete(key));
    while (decodedCache.size > 8) decodedCache.delete(decodedCache.keys().next().value!);
  }
  const before = await pending;
  const warnings: Notice[] = [];
  if (!opts.design) return { before, after: null, exportSize, geometry: null, text: '', warnings };
  if (Math.min(exportSize.width, exportSize.height) < MIN_SIDE_FOR_MARK) {
    throw new ProofmarkError('invalid_input', `The image is ${exportSize.width}x${exportSize.height} px; a visible mark needs at least ${MIN_SIDE_FOR_MARK} px on the short side.`);
  }
  const mark = await prepareMark(deps, opts.design, src, opts);
  warnings.push(...mark.warnings);
  const exportLayout = layoutMark(opts.design, mark.ink, exportSize.width, exportSize.height);
  if (exportLayout.shrunk) warnings.push({ code: 'watermark.shrunk', text: 'The mark will be made smaller than the design size so that it fits inside the image.' });
  const layout = scaleLayout(exportLayout, before.width / exportSize.width, before.height / exportSize.height);
  const after: RawPixels = { ...before, data: new Uint8Array(before.data) };
  await drawMark(deps, after, mark, layout, opts.design.opacity);
  return { before, after, exportSize, geometry: relativeGeometry(exportLayout, exportSize.width, exportSize.height), text: mark.text, warnings };
}

import { createHash } from 'node:crypto';
import path from 'node:path';
import { exportPlatforms, ProofmarkError, type CallContext, type ExportedFile, type ExportResult, type ParsedInput, type WatermarkDesign } from '../../../contract/index.ts';
import type { CoreDeps } from '../../deps.ts';
import { looksLikeImageName } from '../../imaging/format.ts';
import { runBatch } from '../../jobs/batch.ts';
import { readShared, SharedLease } from '../../jobs/shared-bytes.ts';
import { collectFiles } from '../../jobs/walk.ts';
import { fontFile } from './fonts.ts';
import { loadLogo } from './logo.ts';
import { checkWritableFolder, describeFsError, fillNameTemplate, writeNoClobber } from './output.ts';
import { renderExport, type PipelineDeps, type Rendered, type SourceImage } from './pipeline.ts';
import type { PresetStore } from './presets.ts';

type ExportInput = ParsedInput<'watermark.export'>;

type Item =
  | { kind: 'library'; id: number; n: number; label: string }
  | { kind: 'file'; path: string; relative: string; n: number; label: string };

const EXTENSION = { jpeg: 'jpg', png: 'png', webp: 'webp', avif: 'avif' } as const;

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * How many bytes of decoded pixels the lanes may hold at once. Two 24 MP images take 190 MB; a
 * 250 MP image (750 MB) waits until it can run alone instead of doubling the peak.
 */
const PIXEL_BUDGET = 1024 * 1024 * 1024;

export function byteBudget(limit: number): (bytes: number) => Promise<() => void> {
  let used = 0;
  let waiting: (() => void)[] = [];
  return async (bytes) => {
    const need = Math.min(bytes, limit);
    while (used > 0 && used + need > limit) await new Promise<void>((resolve) => waiting.push(resolve));
    used += need;
    return () => {
      used -= need;
      const wake = waiting;
      waiting = [];
      for (const w of wake) w();
    };
  };
}

function today(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** Batch export: every file gets its own outcome; the batch goes on after a failure. */
export async function runExport(deps: CoreDeps, pipeline: PipelineDeps, presets: PresetStore, input: ExportInput, ctx: CallContext): Promise<ExportResult> {
  const started = performance.now();
  const now = new Date();
  const outDir = path.resolve(input.outDir);
  const notes: string[] = [];

  let design: WatermarkDesign | null = input.design ?? null;
  let presetName: string | null = null;
  if (input.preset) {
    design = presets.get(input.preset).design;
    presetName = presets.get(input.preset).name;
  }
  const platform = exportPlatforms.find((p) => p.id === input.platform)!;
  if (!platform.visibleMark && design) {
    design = null;
    notes.push(`${input.platform}: no visible mark on these images (platform rule)${input.hidden ? '; the hidden mark is applied' : ''}.`);
  }
  // A missing font or logo would fail every file: say so once, before anything is written.
  if (design?.text) fontFile(deps.config.resourcesDir, design.text.font, design.text.weight);
  if (design?.logo) await loadLogo(design.logo.ref, pipeline.storedLogo);
  if (input.hidden && !pipeline.hidden) throw new ProofmarkError('internal', 'The hidden mark is not available in this build.');
  await checkWritableFolder(outDir);

  const failed: ExportResult['failed'] = [];
  const items: Item[] = [];
  for (const id of input.sources.imageIds) items.push({ kind: 'library', id, n: items.length + 1, label: `#${id}` });
  if (input.sources.paths.length) {
    const walked = await collectFiles(input.sources.paths, { recursive: input.sources.recursive, accept: looksLikeImageName });
    for (const e of walked.errors) failed.push({ source: e.path, error: e.error, wording: e.wording });
    let skippedOwn = 0;
    for (const f of walked.files) {
      // Earlier exports inside a source folder are not sources.
      if (isInside(path.resolve(f.path), outDir)) {
        skippedOwn++;
        continue;
      }
      items.push({ kind: 'file', path: f.path, relative: f.relative, n: items.length + 1, label: f.path });
    }
    if (skippedOwn) notes.push(`${skippedOwn} file(s) inside the output folder were not exported again.`);
  }
  const owner = input.owner || input.rights?.creator || '';
  const reserved = new Set<string>();
  const settings = { ...input };
  const reserve = byteBudget(PIXEL_BUDGET);

  // Writing (with its fsync) overlaps the next image's decoding instead of idling a lane.
  const writing = new Set<Promise<unknown>>();
  // Sources are read into shared memory held until their export is written (see shared-bytes.ts).
  const exportOne = async (item: Item): Promise<{ published: Promise<ExportedFile> }> => {
    const { lease, read } = reading(item);
    reads.delete(item);
    // The next item's file is read while this one renders, so a lane does not wait for the disk.
    const following = items[item.n];
    if (following && !ctx.signal.aborted) reading(following);
    let written: Promise<ExportedFile>;
    try {
      const { src, name, subdir } = await read;
      const rendered = await renderExport(pipeline, src, { design, settings, owner, now, reserve, lease });
      written = publish(item, src, rendered, name, subdir);
    } catch (err) {
      lease.release();
      throw err;
    }
    writing.add(written);
    const settle = () => {
      writing.delete(written);
      lease.release();
    };
    written.then(settle, settle);
    while (writing.size > deps.config.concurrency) await Promise.race(writing).catch(() => {});
    return { published: written };
  };

  /** Reads started ahead of their items; a failed read fails its item when the item's turn comes. */
  const reads = new Map<Item, { lease: SharedLease; read: Promise<{ src: SourceImage; name: string; subdir: string }> }>();
  const reading = (item: Item) => {
    let started = reads.get(item);
    if (!started) {
      const lease = new SharedLease();
      started = { lease, read: readItem(item, lease) };
      started.read.catch(() => {});
      reads.set(item, started);
    }
    return started;
  };

  const readItem = async (item: Item, lease: SharedLease): Promise<{ src: SourceImage; name: string; subdir: string }> => {
    if (item.kind === 'library') {
      const { item: image } = deps.library.get(item.id);
      const stored = deps.library.originalPath(item.id);
      const bytes = await readShared(stored, lease).catch((err: unknown) => {
        throw new ProofmarkError('io_error', describeFsError(err, `The stored original of image #${item.id} cannot be read`));
      });
      const filename = path.basename(image.sourcePath).replace(/\.[^.]+$/, '');
      return { src: { label: `#${item.id} ${image.title}`, bytes, imageId: item.id, filename, title: image.title }, name: image.title || filename, subdir: '' };
    }
    let bytes: Buffer;
    try {
      bytes = await readShared(item.path, lease);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new ProofmarkError('not_found', `${item.path} no longer exists (moved or deleted after the export started).`);
      throw new ProofmarkError('io_error', describeFsError(err, `${item.path} cannot be read`));
    }
    const filename = path.basename(item.path).replace(/\.[^.]+$/, '');
    const subdir = input.keepTree && path.dirname(item.relative) !== '.' ? path.dirname(item.relative) : '';
    return { src: { label: item.path, bytes, imageId: null, filename, title: filename }, name: filename, subdir };
  };

  const publish = async (item: Item, src: SourceImage, rendered: Rendered, name: string, subdir: string): Promise<ExportedFile> => {
    const base = fillNameTemplate(input.nameTemplate, { name, id: src.imageId, n: item.n, date: today(now), preset: presetName ?? (design ? 'mark' : 'nomark'), format: rendered.format });
    let output: string;
    try {
      output = await writeNoClobber(path.join(outDir, subdir), base, EXTENSION[rendered.format], rendered.data, reserved);
    } catch (err) {
      if (err instanceof ProofmarkError) throw err;
      throw new ProofmarkError('io_error', describeFsError(err, `Writing ${path.join(outDir, subdir, `${base}.${EXTENSION[rendered.format]}`)}`));
    }
    const hash = createHash('sha256');
    let bytes = 0;
    for (const piece of rendered.data) {
      hash.update(piece);
      bytes += piece.length;
    }
    const sha256 = hash.digest('hex');
    const result: ExportedFile = {
      source: item.kind === 'library' ? src.label : item.path,
      imageId: src.imageId,
      output,
      format: rendered.format,
      width: rendered.width,
      height: rendered.height,
      bytes,
      sha256,
      visibleMark: rendered.visibleMark,
      hiddenMark: rendered.hiddenMark,
      warnings: rendered.warnings,
    };
    if (src.imageId !== null) {
      deps.library.record(src.imageId, rendered.visibleMark || rendered.hiddenMark ? 'watermarked' : 'exported', {
        output, sha256, bytes: result.bytes, format: result.format, width: result.width, height: result.height,
        visibleMark: result.visibleMark, hiddenMark: result.hiddenMark, preset: presetName, design,
        settings: {
          format: input.format, quality: input.quality, resize: input.resize, dpi: input.dpi, colour: input.colour,
          metadata: input.metadata, rights: input.rights, platform: input.platform, nameTemplate: input.nameTemplate,
        },
      });
    }
    return result;
  };

  const outcomes = await runBatch(items, { concurrency: deps.config.concurrency, signal: ctx.signal, progress: ctx.progress, label: (i) => i.label, phase: 'export' }, exportOne);
  // A read started for an item that a cancel then left unstarted.
  for (const { lease, read } of reads.values()) await read.then(() => lease.release(), () => lease.release());
  const exported: ExportedFile[] = [];
  for (const o of outcomes) {
    const source = o.item.kind === 'library' ? `#${o.item.id}` : o.item.path;
    if (!o.ok) {
      failed.push(o.wording ? { source, error: o.error, wording: o.wording } : { source, error: o.error });
      continue;
    }
    try {
      exported.push(await o.value.published);
    } catch (err) {
      const wording = err instanceof ProofmarkError ? err.wording : undefined;
      const error = err instanceof Error ? err.message : String(err);
      failed.push(wording ? { source, error, wording } : { source, error });
    }
  }
  return { outDir, total: items.length, exported, failed, cancelled: ctx.signal.aborted, notes, seconds: (performance.now() - started) / 1000 };
}

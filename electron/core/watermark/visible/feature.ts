import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { ProofmarkError, type HandlersFor, type ParsedInput, type WatermarkPreviewResult, type watermarkMethods } from '../../../contract/index.ts';
import type { CoreDeps } from '../../deps.ts';
import { looksLikeImageName } from '../../imaging/format.ts';
import { withSharedCopy } from '../../jobs/shared-bytes.ts';
import { collectFiles } from '../../jobs/walk.ts';
import { blendPrepared, type RawPixels } from './blend.ts';
import { runExport } from './export.ts';
import { ensureFontconfig } from './fonts.ts';
import { hiddenEmbedder } from './hidden.ts';
import { MarkRenderer } from './mark.ts';
import { describeFsError } from './output.ts';
import { renderPreview, type PipelineDeps, type SourceImage } from './pipeline.ts';
import { PresetStore } from './presets.ts';

export { watermarkMigrations } from './presets.ts';

/** Preview files kept on disk per session; older ones are deleted (their tokens then stop resolving). */
const KEEP_PREVIEW_FILES = 60;

export function watermarkFeature(deps: CoreDeps): HandlersFor<typeof watermarkMethods> {
  // Before anything in this process draws text (an SVG logo may hold some).
  ensureFontconfig(deps.config.resourcesDir);
  const presets = new PresetStore(deps.db);
  const pipeline: PipelineDeps = {
    resourcesDir: deps.config.resourcesDir,
    pixelLimit: deps.config.pixelLimit,
    marks: new MarkRenderer(),
    storedLogo: (sha) => presets.logo(sha),
    hidden: hiddenEmbedder(deps),
    // Export frames are on shared memory and are blended by a worker; previews are small and blended here.
    blend: async (raw, overlay, positions) => {
      if (raw.data.buffer instanceof SharedArrayBuffer) await deps.pool.run('watermark.blend', { image: raw, overlay, positions });
      else blendPrepared(raw, overlay, positions);
    },
    splice: (input) => withSharedCopy(input.source, (source) => deps.pool.run('watermark.splice', { ...input, source })),
    workerJpeg: (input) => withSharedCopy(input.source, (source) => deps.pool.run('watermark.jpeg', { ...input, source })),
  };
  const decoded = new Map<string, Promise<RawPixels>>();
  const beforeTokens = new Map<string, { token: string; file: string }>();
  const previewFiles: string[] = [];
  const previewDir = path.join(deps.config.tempDir, 'watermark-preview');

  async function writePreview(raw: RawPixels): Promise<{ token: string; file: string }> {
    await fs.mkdir(previewDir, { recursive: true });
    const alpha = raw.channels === 4;
    const file = path.join(previewDir, `${randomBytes(8).toString('hex')}.${alpha ? 'png' : 'jpg'}`);
    const img = sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels as 3 | 4 } });
    await (alpha ? img.png({ compressionLevel: 2 }) : img.jpeg({ quality: 88 })).toFile(file);
    return { token: deps.media.publish(file), file };
  }

  async function previewSource(source: ParsedInput<'watermark.preview'>['source']): Promise<{ src: SourceImage; key: string }> {
    if ('imageId' in source) {
      const { item } = deps.library.get(source.imageId);
      const bytes = await fs.readFile(deps.library.originalPath(source.imageId));
      const filename = path.basename(item.sourcePath).replace(/\.[^.]+$/, '');
      return { src: { label: `#${item.id} ${item.title}`, bytes, imageId: item.id, filename, title: item.title }, key: `id:${item.id}` };
    }
    const file = path.resolve(source.path);
    try {
      const stat = await fs.stat(file);
      if (!stat.isFile()) throw new ProofmarkError('invalid_input', `${file} is not a file.`);
      const filename = path.basename(file).replace(/\.[^.]+$/, '');
      return { src: { label: file, bytes: await fs.readFile(file), imageId: null, filename, title: filename }, key: `file:${file}:${stat.size}:${stat.mtimeMs}` };
    } catch (err) {
      if (err instanceof ProofmarkError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      throw new ProofmarkError(code === 'ENOENT' ? 'not_found' : 'io_error', code === 'ENOENT' ? `${file} does not exist.` : describeFsError(err, `${file} cannot be read`));
    }
  }

  return {
    'watermark.presets': async () => ({ presets: presets.list() }),
    'watermark.savePreset': ({ name, design, overwrite }) => presets.save(name, design, overwrite),
    'watermark.deletePreset': async ({ name }) => presets.delete(name),
    'watermark.exportPresets': ({ path: file, names, overwrite }) => presets.exportTo(file, names, overwrite),
    'watermark.importPresets': ({ path: file, onConflict }) => presets.importFrom(file, onConflict),
    'watermark.sources': async ({ paths, recursive }) => {
      const walked = await collectFiles(paths, { recursive, accept: looksLikeImageName });
      return { files: walked.files.map((f) => ({ path: f.path, relative: f.relative })), errors: walked.errors };
    },
    'watermark.preview': async (input): Promise<WatermarkPreviewResult> => {
      const { src, key } = await previewSource(input.source);
      const r = await renderPreview(pipeline, src, { design: input.design, maxSize: input.maxSize, resize: input.resize, owner: input.owner, now: new Date() }, decoded, key);
      const beforeKey = `${key}|${r.before.width}x${r.before.height}`;
      let before = beforeTokens.get(beforeKey);
      if (!before) {
        before = await writePreview(r.before);
        beforeTokens.set(beforeKey, before);
        if (beforeTokens.size > 16) {
          const [oldest, old] = beforeTokens.entries().next().value!;
          beforeTokens.delete(oldest);
          await fs.rm(old.file, { force: true });
        }
      }
      let after: string | null = null;
      if (r.after) {
        const written = await writePreview(r.after);
        previewFiles.push(written.file);
        while (previewFiles.length > KEEP_PREVIEW_FILES) await fs.rm(previewFiles.shift()!, { force: true });
        after = written.token;
      }
      return {
        after,
        before: before.token,
        width: r.before.width,
        height: r.before.height,
        exportWidth: r.exportSize.width,
        exportHeight: r.exportSize.height,
        geometry: r.geometry,
        text: r.text,
        warnings: r.warnings,
      };
    },
    'watermark.export': (input, ctx) => runExport(deps, pipeline, presets, input, ctx),
  };
}

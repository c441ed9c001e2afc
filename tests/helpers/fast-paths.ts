// The export's libvips paths (splice.ts, worker-jpeg.ts) are held to what the frame path gives:
// the same export with a path on and off, and a pipeline run on this thread.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ExportSettings, WatermarkDesign, type ExportResult, type Input } from '../../electron/contract/index.ts';
import { defaultResourcesDir } from '../../electron/core/config.ts';
import type { Core } from '../../electron/core/index.ts';
import { DEFAULT_PIXEL_LIMIT } from '../../electron/core/imaging/probe.ts';
import { blendPrepared } from '../../electron/core/watermark/visible/blend.ts';
import type { FastPath } from '../../electron/core/watermark/visible/fast-path.ts';
import { ensureFontconfig } from '../../electron/core/watermark/visible/fonts.ts';
import { MarkRenderer } from '../../electron/core/watermark/visible/mark.ts';
import type { PipelineDeps, RenderJob, SourceImage } from '../../electron/core/watermark/visible/pipeline.ts';
import { call } from './core.ts';
import { corpusFile } from './corpus.ts';

const rights = { creator: 'Li Wei', copyright: '© 2026 Li Wei' };

/** Text with tokens, a logo, bottom right, as the benchmark's (b). */
export const cornerMark: Partial<Input<'watermark.export'>> = {
  design: { text: { content: '© {year} {owner} 水印' }, logo: { ref: corpusFile('coffee.png'), scale: 1.2, position: 'left' }, outline: { colour: '#000000', width: 4 }, opacity: 0.85, layout: { mode: 'single', anchor: 'bottom-right', margin: 3 } },
  rights,
};

/** Tiled text, as the benchmark's (c). */
export const tiledMark: Partial<Input<'watermark.export'>> = {
  design: { text: { content: '© {year} {owner} 水印' }, outline: { colour: '#000000', width: 4 }, opacity: 0.35, layout: { mode: 'tile', angle: -30, spacing: 10, stagger: true } },
  rights,
};

/** A corpus photo as an export source (a file on disk, not a library image). */
export async function corpusSource(name: string): Promise<SourceImage> {
  const filename = name.replace(/\.[^.]+$/, '');
  return { label: name, bytes: await fs.readFile(corpusFile(name)), imageId: null, filename, title: filename };
}

/** A JPEG export of `mark` (its design and rights) by Li Wei, on a fixed date. */
export function jpegJob(mark: Partial<Input<'watermark.export'>>, outDir: string): RenderJob {
  return { design: WatermarkDesign.parse(mark.design), settings: ExportSettings.parse({ outDir, format: 'jpeg', rights: mark.rights }), owner: 'Li Wei', now: new Date('2026-12-02T00:00:00Z') };
}

/** Pipeline dependencies that do everything on this thread, with the libvips paths given (or null). */
export function inThreadDeps(paths: Pick<PipelineDeps, 'splice' | 'workerJpeg'>): PipelineDeps {
  const resourcesDir = defaultResourcesDir();
  ensureFontconfig(resourcesDir);
  return {
    resourcesDir, pixelLimit: DEFAULT_PIXEL_LIMIT, marks: new MarkRenderer(), storedLogo: () => null, hidden: null,
    blend: async (raw, overlay, positions) => blendPrepared(raw, overlay, positions), ...paths,
  };
}

/** The same export with `fast` on, then off (into `outDir`/on and /off), and how many files took it. */
export async function exportOnAndOff(core: Core, fast: FastPath, outDir: string, input: Omit<Input<'watermark.export'>, 'outDir'>): Promise<{ on: ExportResult; off: ExportResult; count: number }> {
  const before = fast.taken;
  const on = await call(core, 'watermark.export', { ...input, outDir: path.join(outDir, 'on') });
  const count = fast.taken - before;
  fast.set(false);
  try {
    const off = await call(core, 'watermark.export', { ...input, outDir: path.join(outDir, 'off') });
    assert.equal(fast.taken - before, count, 'turned off, no file took the path');
    return { on, off, count };
  } finally {
    fast.set(true);
  }
}

// Exports with a mark take their upright pixels from a reused frame buffer filled through a tmpfs file
// (spool.ts) where that is available, else from sharp's raw() in fresh memory. Both must give the same
// files. Exports with nothing to draw need no frame: decoding streams into the encoder. (JPEGs with one
// mark are spliced without a frame; splice.test.ts covers that, and here splicing is off.)
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp, { type Sharp } from 'sharp';
import type { ExportResult, Input } from '../../../electron/contract/index.ts';
import type { Core } from '../../../electron/core/index.ts';
import { splicing } from '../../../electron/core/watermark/visible/splice.ts';
import { markingInWorker } from '../../../electron/core/watermark/visible/worker-jpeg.ts';
import { frameSpoolDir, framesSpooled, setFrameSpoolDir, spoolFrame } from '../../../electron/core/watermark/visible/spool.ts';
import { call, testCore } from '../../helpers/core.ts';
import { copyCorpus, corpusFile, tempDir } from '../../helpers/corpus.ts';
import { diffBox, rawOf } from '../../helpers/watermark.ts';

let env: Awaited<ReturnType<typeof testCore>>;
let core: Core;
let work: string;
let cleanupWork: () => Promise<void>;
let sources: string[];
const spool = frameSpoolDir();
before(async () => {
  env = await testCore();
  core = env.core;
  ({ dir: work, cleanup: cleanupWork } = await tempDir('proofmark-wm-frames-'));
  // Different sizes back to back (frame buffers are reused across sizes), an EXIF-rotated JPEG, and a PNG with alpha.
  sources = await copyCorpus(path.join(work, 'src'), ['kite.jpg', 'rocket.jpg', 'astronaut.png', 'chelsea.png', 'path.jpg']);
  const rotated = path.join(work, 'src', 'rotated.jpg');
  await sharp(corpusFile('grace_hopper.jpg')).withMetadata({ orientation: 6 }).jpeg({ quality: 90 }).toFile(rotated);
  const alpha = path.join(work, 'src', 'alpha.png');
  await sharp(corpusFile('coffee.png')).resize(500).ensureAlpha(0.6).png().toFile(alpha);
  sources.push(rotated, alpha);
});
after(async () => {
  setFrameSpoolDir(spool);
  await env.close();
  await cleanupWork();
});

async function exportWith(dir: string | null, name: string, extra: Partial<Input<'watermark.export'>>): Promise<ExportResult> {
  setFrameSpoolDir(dir);
  splicing.set(false);
  markingInWorker.set(false);
  try {
    return await call(core, 'watermark.export', { sources: { paths: sources }, outDir: path.join(work, name), owner: 'Li Wei', format: 'same', ...extra });
  } finally {
    setFrameSpoolDir(spool);
    splicing.set(true);
    markingInWorker.set(true);
  }
}

async function leftovers(): Promise<string[]> {
  return spool ? (await fs.readdir(spool)).filter((f) => f.startsWith(`proofmark-frame-${process.pid}-`)) : [];
}

const designs: [string, Partial<Input<'watermark.export'>>][] = [
  ['corner text + logo', { design: { text: { content: '© {year} {owner} 水印' }, logo: { ref: corpusFile('coffee.png'), scale: 1.2, position: 'left' }, outline: { colour: '#000000', width: 4 }, opacity: 0.85, layout: { mode: 'single', anchor: 'bottom-right', margin: 3 } } }],
  ['tiled text', { design: { text: { content: 'ProofMark 水印' }, outline: { colour: '#000000', width: 4 }, opacity: 0.35, layout: { mode: 'tile', angle: -30, spacing: 10, stagger: true } } }],
  // The spooled frame is shared memory, marked in place by the hidden mark's workers; fresh memory is copied first.
  ['hidden mark under a corner text', { hidden: true, design: { text: { content: '© {year} {owner}' }, layout: { mode: 'single', anchor: 'bottom-left', margin: 3 } } }],
];

for (const [label, extra] of designs) {
  test(`${label}: exports through the reused frame buffer equal exports decoded into fresh memory, pixel for pixel`, { skip: spool ? false : 'no tmpfs here: every export decodes into memory' }, async () => {
    const before = framesSpooled();
    const viaSpool = await exportWith(spool, `spool-${label}`, extra);
    // Every 8-bit source came through the spool (all of these are 8-bit).
    assert.equal(framesSpooled() - before, sources.length);
    const inMemory = await exportWith(null, `memory-${label}`, extra);
    assert.equal(framesSpooled() - before, sources.length);
    assert.deepEqual(viaSpool.failed, []);
    assert.deepEqual(inMemory.failed, []);
    assert.equal(viaSpool.exported.length, sources.length);
    for (let i = 0; i < sources.length; i++) {
      const a = viaSpool.exported[i]!;
      const b = inMemory.exported[i]!;
      assert.equal(path.basename(a.output), path.basename(b.output));
      assert.deepEqual([a.width, a.height, a.format, a.bytes], [b.width, b.height, b.format, b.bytes], a.output);
      assert.equal(diffBox(await rawOf(a.output), await rawOf(b.output)), null, `${a.output} differs from ${b.output}`);
    }
    assert.deepEqual(await leftovers(), []);
  });
}

test('with nothing to draw, the export streams without a frame and has exactly the upright source pixels', async () => {
  const before = framesSpooled();
  const result = await exportWith(spool, 'no-mark', { design: undefined, format: 'png' });
  assert.deepEqual(result.failed, []);
  assert.equal(result.exported.length, sources.length);
  assert.equal(framesSpooled(), before, 'no frame was made');
  for (let i = 0; i < sources.length; i++) {
    const out = result.exported[i]!;
    assert.equal(out.visibleMark, false);
    const { data, info } = await sharp(sources[i]!).rotate().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    const upright = { data, width: info.width, height: info.height, channels: info.channels };
    assert.equal(diffBox(await rawOf(out.output), upright), null, `${out.output} differs from ${sources[i]}`);
  }
  // A damaged source fails with the decoder's reason, as it does when a mark is drawn.
  const damaged = path.join(work, 'damaged.jpg');
  await fs.writeFile(damaged, (await fs.readFile(corpusFile('rocket.jpg'))).subarray(0, 20_000));
  const bad = await call(core, 'watermark.export', { sources: { paths: [damaged] }, outDir: path.join(work, 'no-mark-damaged'), format: 'jpeg' });
  assert.equal(bad.exported.length, 0);
  assert.match(bad.failed[0]!.error, /cannot be decoded; it is damaged or truncated/);
  assert.equal(bad.failed[0]!.wording?.code, 'file.damaged');
  assert.deepEqual(await fs.readdir(path.join(work, 'no-mark-damaged')).catch(() => []), []);
});

test('the frame has exactly the pixels raw() gives (RGB and RGBA), and the spool file is gone afterwards', { skip: spool ? false : 'no tmpfs here' }, async () => {
  for (const [file, pipeline] of [
    [corpusFile('rocket.jpg'), (s: Sharp) => s.rotate().toColourspace('srgb')],
    [path.join(work, 'src', 'alpha.png'), (s: Sharp) => s.rotate().toColourspace('srgb')],
    [path.join(work, 'src', 'rotated.jpg'), (s: Sharp) => s.rotate().resize(300, 200, { fit: 'fill' })],
  ] as const) {
    const bytes = await fs.readFile(file);
    const frame = await spoolFrame(pipeline(sharp(bytes)));
    assert.ok(frame, file);
    const { data, info } = await pipeline(sharp(bytes)).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([frame.raw.width, frame.raw.height, frame.raw.channels], [info.width, info.height, info.channels]);
    assert.ok(Buffer.from(frame.raw.data.buffer, frame.raw.data.byteOffset, frame.raw.data.byteLength).equals(data), file);
    frame.release();
  }
  // A damaged image is left to the in-memory decoder, which reports it.
  const damaged = (await fs.readFile(corpusFile('rocket.jpg'))).subarray(0, 20_000);
  assert.equal(await spoolFrame(sharp(damaged, { failOn: 'truncated' }).rotate()), null);
  assert.deepEqual(await leftovers(), []);
});

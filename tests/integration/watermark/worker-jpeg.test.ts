// JPEG exports at their own size are decoded upright, marked and encoded in a worker, on a frame
// the worker keeps from image to image, by TurboJPEG where it can be loaded and by libvips
// otherwise (worker-jpeg.ts). They must be the very files the frame path writes.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import type { Input } from '../../../electron/contract/index.ts';
import { libvips } from '../../../electron/core/imaging/libvips.ts';
import { SharedLease, withSharedCopy } from '../../../electron/core/jobs/shared-bytes.ts';
import { renderExport, type PipelineDeps, type WorkerJpeg } from '../../../electron/core/watermark/visible/pipeline.ts';
import { splicing } from '../../../electron/core/watermark/visible/splice.ts';
import { markingInWorker, markJpegInWorker } from '../../../electron/core/watermark/visible/worker-jpeg.ts';
import { call, testCore } from '../../helpers/core.ts';
import { copyCorpus, corpusFile, tempDir } from '../../helpers/corpus.ts';
import { cornerMark, corpusSource, exportOnAndOff, inThreadDeps, jpegJob, tiledMark } from '../../helpers/fast-paths.ts';
import { saveRender } from '../../helpers/watermark.ts';

const vips = libvips();
let env: Awaited<ReturnType<typeof testCore>>;
let work: string;
let cleanupWork: () => Promise<void>;
before(async () => {
  env = await testCore();
  ({ dir: work, cleanup: cleanupWork } = await tempDir('proofmark-wm-worker-jpeg-'));
});
after(async () => {
  markingInWorker.set(true);
  await env.close();
  await cleanupWork();
});

test('JPEG exports marked in the worker are byte for byte the frame path\'s files', { skip: vips ? false : 'sharp\'s libvips cannot be loaded through koffi here' }, async (t) => {
  // Sizes alternate (20, 0.3, 4.1, 0.3 MP) over the two workers; kite and rocket carry ICC
  // profiles; the EXIF-turned JPEG is turned in the worker; the PNG takes the frame path.
  const sources = await copyCorpus(path.join(work, 'src'), ['kleiber.jpg', 'rocket.jpg', 'kite.jpg', 'grace_hopper.jpg', 'chelsea.png']);
  const rotated = path.join(work, 'src', 'rotated.jpg');
  await sharp(corpusFile('path.jpg')).withMetadata({ orientation: 8 }).jpeg({ quality: 90 }).toFile(rotated);
  sources.push(rotated);
  // Without TurboJPEG, a one-mark export from 12 MP up is spliced (with marking in the worker off,
  // always): its file differs (splice.test.ts).
  splicing.set(false);
  t.after(() => splicing.set(true));
  const runs: [string, Partial<Input<'watermark.export'>>, number][] = [
    ['tiled-srgb', { ...tiledMark, colour: 'srgb' }, 5],
    ['tiled-keep', { ...tiledMark, colour: 'keep' }, 5],
    ['corner', cornerMark, 5],
  ];
  for (const [name, extra, expected] of runs) {
    const { on: inWorker, off: framed, count } = await exportOnAndOff(env.core, markingInWorker, path.join(work, name), { sources: { paths: sources }, owner: 'Li Wei', format: 'same', ...extra });
    assert.deepEqual([inWorker.failed, framed.failed], [[], []]);
    assert.equal(count, expected, `${name}: the upright JPEGs were marked in the worker`);
    for (let i = 0; i < sources.length; i++) {
      const [a, b] = [inWorker.exported[i]!, framed.exported[i]!];
      assert.deepEqual([a.width, a.height, a.format, a.warnings, a.sha256], [b.width, b.height, b.format, b.warnings, b.sha256], `${name}: ${a.output}`);
    }
    if (name === 'tiled-srgb') await saveRender('tiled-in-worker-kite.jpg', inWorker.exported[2]!.output);
  }
});

test('where the worker cannot mark (no libvips binding) or fails, the export is made through the frame, unchanged', async () => {
  const deps = (workerJpeg: WorkerJpeg | null) => inThreadDeps({ splice: null, workerJpeg });
  const src = await corpusSource('kite.jpg');
  const job = jpegJob(tiledMark, work);
  const before = markingInWorker.taken;
  const unavailable = await renderExport(deps(async () => null), src, job);
  const failing = await renderExport(deps(async () => { throw new Error('worker lost'); }), src, job);
  assert.equal(markingInWorker.taken, before, 'nothing was counted as marked in the worker');
  const framed = Buffer.concat((await renderExport(deps(null), src, job)).data);
  assert.ok(Buffer.concat(unavailable.data).equals(framed));
  assert.ok(Buffer.concat(failing.data).equals(framed));
  if (vips) {
    // On this thread, the worker's function gives the same file.
    const inThread = await renderExport(deps(async (input) => markJpegInWorker(input)), src, job);
    assert.equal(markingInWorker.taken, before + 1);
    assert.ok(Buffer.concat(inThread.data).equals(framed));
  }
});

/** A lease whose buffers are too small for any JPEG. */
class TightLease extends SharedLease {
  override take(bytes: number): Uint8Array {
    return super.take(bytes).subarray(0, 64);
  }
}

test('the worker hands its JPEG back in the caller\'s shared buffer when it fits, in memory of its own when not: the same file', { skip: vips ? false : 'no libvips binding here' }, async () => {
  const pool = env.core.deps.pool;
  const results: Uint8Array[] = [];
  const keep = (jpeg: Uint8Array | null) => (jpeg && results.push(jpeg), jpeg);
  // The splice (a 20 MP photo, one mark) and the worker's frame (tiled), each through the real worker threads.
  const cases: [string, Pick<PipelineDeps, 'splice' | 'workerJpeg'>, typeof tiledMark][] = [
    ['kleiber.jpg', { splice: (input) => withSharedCopy(input.source, async (source) => keep(await pool.run('watermark.splice', { ...input, source }))), workerJpeg: null }, cornerMark],
    ['kite.jpg', { splice: null, workerJpeg: (input) => withSharedCopy(input.source, async (source) => keep(await pool.run('watermark.jpeg', { ...input, source }))) }, tiledMark],
  ];
  for (const [name, paths, mark] of cases) {
    const src = await corpusSource(name);
    const job = jpegJob(mark, work);
    results.length = 0;
    const lease = new SharedLease();
    const files = [];
    for (const l of [lease, new TightLease(), undefined]) files.push(Buffer.concat((await renderExport(inThreadDeps(paths), src, { ...job, lease: l })).data));
    lease.release();
    assert.deepEqual(results.map((r) => r.buffer instanceof SharedArrayBuffer), [true, false, false], `${name}: only the roomy lease's buffer was used`);
    assert.ok(files[1]!.equals(files[0]!) && files[2]!.equals(files[0]!), `${name}: the same file whichever memory the JPEG came back in`);
  }
});

test('the kept frame serves a smaller image after a larger one, and grows for a larger one', { skip: vips ? false : 'no libvips binding here' }, async () => {
  const deps = (workerJpeg: WorkerJpeg | null) => inThreadDeps({ splice: null, workerJpeg });
  const job = jpegJob(tiledMark, work);
  // 4 MP, then 0.3 MP in the same frame, then 20 MP (a new frame), then 0.3 MP again.
  for (const name of ['kite.jpg', 'rocket.jpg', 'kleiber.jpg', 'rocket.jpg']) {
    const src = await corpusSource(name);
    const inThread = Buffer.concat((await renderExport(deps(async (input) => markJpegInWorker(input)), src, job)).data);
    const framed = Buffer.concat((await renderExport(deps(null), src, job)).data);
    assert.ok(inThread.equals(framed), name);
  }
});

/** The JPEG with an Exif segment (after SOI) holding only the orientation tag. */
function withOrientation(jpeg: Buffer, orientation: number): Buffer {
  // Little-endian TIFF header, one IFD entry: 0x0112 Orientation, SHORT, count 1; no next IFD.
  const tiff = Buffer.from([0x49, 0x49, 0x2a, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, orientation, 0, 0, 0, 0, 0, 0, 0]);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), header, body, jpeg.subarray(2)]);
}

test('an EXIF-turned image reserves room for two frames in the pixel budget', async () => {
  const stored = await fs.readFile(corpusFile('rocket.jpg'));
  const reserved: number[] = [];
  const job = { ...jpegJob(tiledMark, work), reserve: async (bytes: number) => (reserved.push(bytes), () => {}) };
  for (const orientation of [1, 6]) {
    const src = { label: 'rocket.jpg', bytes: withOrientation(stored, orientation), imageId: null, filename: 'rocket', title: 'rocket' };
    await renderExport(inThreadDeps({ splice: null, workerJpeg: null }), src, job);
  }
  assert.deepEqual(reserved, [640 * 427 * 4, 640 * 427 * 8]);
});

test('the worker decodes JPEGs upright in all eight EXIF orientations, as sharp does, and refuses a frame of the wrong size', { skip: vips ? false : 'no libvips binding here' }, async () => {
  const frame = (w: number, h: number) => ({ data: new Uint8Array(w * h * 3), width: w, height: h, channels: 3 });
  const asStored = (bytes: number) => new Uint8Array(bytes);
  // rocket.jpg is 640 × 427 with an ICC profile whose conversion changes most pixels, so a wrong
  // turn or a missed conversion shows. (sharp's withMetadata would convert it to sRGB first, so the
  // orientation goes in as a small Exif segment of our own.)
  const stored = await fs.readFile(corpusFile('rocket.jpg'));
  for (let orientation = 1; orientation <= 8; orientation++) {
    const turned = withOrientation(stored, orientation);
    const meta = await sharp(turned).metadata();
    assert.ok(meta.icc && meta.orientation === orientation, `orientation ${orientation}: the test file carries its profile and orientation`);
    const upright = await sharp(turned).rotate().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    const exact = frame(upright.info.width, upright.info.height);
    vips!.decodeJpegInto(turned, exact, { toSrgb: true, stored: asStored });
    assert.ok(Buffer.from(exact.data).equals(upright.data), `orientation ${orientation}: the decoded pixels are sharp's rotate().raw()`);
    if (orientation === 6) {
      assert.throws(() => vips!.decodeJpegInto(turned, frame(upright.info.height, upright.info.width), { toSrgb: true, stored: asStored }), /decodes upright to 427x640x3/);
    }
  }
  // recodeJpeg (the splice) streams the file as stored, so it still refuses a turned JPEG.
  const turned = withOrientation(stored, 6);
  assert.throws(() => vips!.recodeJpeg(turned, { quality: 90, restartInterval: 4, toSrgb: true }, () => 0), /EXIF orientation/);
});

test('a damaged JPEG with a tiled mark fails with the decoder\'s reason and leaves nothing', async () => {
  const damaged = path.join(work, 'damaged.jpg');
  await fs.writeFile(damaged, (await fs.readFile(corpusFile('kite.jpg'))).subarray(0, 60_000));
  const out = path.join(work, 'damaged-out');
  const before = markingInWorker.taken;
  const result = await call(env.core, 'watermark.export', { sources: { paths: [damaged] }, outDir: out, ...tiledMark });
  assert.equal(result.exported.length, 0);
  assert.match(result.failed[0]!.error, /damaged or truncated/);
  assert.equal(markingInWorker.taken, before);
  assert.deepEqual(await fs.readdir(out), []);
});

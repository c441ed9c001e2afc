// TurboJPEG (turbojpeg.ts) codes the JPEG exports marked in a worker where it can be loaded. It
// must give exactly what sharp gives: the same pixels from a JPEG, the same bytes from pixels.
// (turned and ICC-converted sources are decoded by libvips and encoded by TurboJPEG.)
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import { test } from 'node:test';
import sharp from 'sharp';
import { libvips, type Pixels8 } from '../../../electron/core/imaging/libvips.ts';
import { turbojpeg } from '../../../electron/core/imaging/turbojpeg.ts';
import { renderExport } from '../../../electron/core/watermark/visible/pipeline.ts';
import { markJpegInWorker, turboJpeg } from '../../../electron/core/watermark/visible/worker-jpeg.ts';
import { corpusFile } from '../../helpers/corpus.ts';
import { cornerMark, corpusSource, inThreadDeps, jpegJob, tiledMark } from '../../helpers/fast-paths.ts';

const tj = turbojpeg();
const skip = tj ? false : `no TurboJPEG library for ${process.platform}-${process.arch} in @julusian/jpeg-turbo (it ships one for Linux only); libvips codes these exports`;
// Progressive and baseline, 4:2:0 and 4:4:4, with and without ICC profiles.
const JPEGS = ['autumn.jpg', 'colorful-cups.jpg', 'grace_hopper.jpg', 'kite.jpg', 'kleiber.jpg', 'path.jpg', 'rocket.jpg', 'seeding.jpg', 'wine.jpg'];

const rgbFrame = (width: number, height: number): Pixels8 => ({ data: new Uint8Array(width * height * 3), width, height, channels: 3 });

test('TurboJPEG decodes every corpus JPEG to the pixels sharp gives (profile kept, not converted)', { skip }, async () => {
  for (const name of JPEGS) {
    const source = await fs.readFile(corpusFile(name));
    const expected = await sharp(source, { failOn: 'truncated' }).keepIccProfile().raw().toBuffer({ resolveWithObject: true });
    assert.equal(expected.info.channels, 3, name);
    const frame = rgbFrame(expected.info.width, expected.info.height);
    tj!.decodeInto(source, frame);
    assert.ok(Buffer.from(frame.data).equals(expected.data), `${name}: the same pixels`);
  }
});

test('TurboJPEG encodes to the bytes of sharp\'s jpeg({ quality, optimiseCoding: false }), at any quality and size', { skip }, async () => {
  const room = (bytes: number) => new Uint8Array(bytes);
  // Sizes that are and are not multiples of the 16-pixel block of 4:2:0.
  const cases: [string, number, number, number][] = [['rocket.jpg', 640, 427, 90], ['kite.jpg', 37, 29, 30], ['wine.jpg', 512, 256, 100], ['grace_hopper.jpg', 333, 401, 75]];
  for (const [name, width, height, quality] of cases) {
    const raw = await sharp(corpusFile(name)).resize(width, height, { fit: 'fill' }).raw().toBuffer();
    const expected = await sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality, optimiseCoding: false }).toBuffer();
    const pixels: Pixels8 = { data: new Uint8Array(raw), width, height, channels: 3 };
    const ours = tj!.encodeJpeg(pixels, { quality }, room);
    assert.deepEqual([ours[0], ours[1], ours[2], ours[3]], [0xff, 0xd8, 0xff, 0xdb], `${name}: no JFIF segment, as sharp writes none`);
    assert.ok(Buffer.from(ours).equals(expected), `${name} ${width}x${height} q${quality}: the same bytes`);
  }
});

test('TurboJPEG refuses a damaged JPEG, a file that is not a JPEG, and a frame of the wrong size', { skip }, async () => {
  const source = await fs.readFile(corpusFile('kite.jpg'));
  const { width, height } = await sharp(source).metadata();
  assert.throws(() => tj!.decodeInto(source.subarray(0, 60_000), rgbFrame(width!, height!)), /Premature end of JPEG file/);
  assert.throws(() => tj!.decodeInto(source, rgbFrame(height!, width!)), new RegExp(`the JPEG is ${width}x${height}, not ${height}x${width}x3`));
  assert.throws(() => tj!.decodeInto(Buffer.from('not a JPEG at all'), rgbFrame(8, 8)), /Not a JPEG file/);
});

test('exports marked in the worker are the same file with TurboJPEG on and off, and TurboJPEG made them', { skip: skip || (libvips() ? false : 'no libvips binding here') }, async (t) => {
  t.after(() => turboJpeg.set(true));
  const deps = inThreadDeps({ splice: null, workerJpeg: async (input) => markJpegInWorker(input) });
  const turned = await fs.readFile(corpusFile('path.jpg')).then((b) => sharp(b).withMetadata({ orientation: 6 }).jpeg({ quality: 90 }).toBuffer());
  const sources = [await corpusSource('kite.jpg'), await corpusSource('rocket.jpg'), { label: 'turned.jpg', bytes: turned, imageId: null, filename: 'turned', title: 'turned' }];
  for (const [mark, colour] of [[tiledMark, 'srgb'], [cornerMark, 'keep']] as const) {
    for (const src of sources) {
      // Rendered in memory: nothing is written to the job's folder.
      const job = jpegJob(mark, os.tmpdir());
      job.settings = { ...job.settings, colour };
      turboJpeg.set(true);
      const before = turboJpeg.taken;
      const on = Buffer.concat((await renderExport(deps, src, job)).data);
      assert.equal(turboJpeg.taken, before + 1, `${src.label}: TurboJPEG encoded it`);
      turboJpeg.set(false);
      const off = Buffer.concat((await renderExport(deps, src, job)).data);
      assert.equal(turboJpeg.taken, before + 1, `${src.label}: with TurboJPEG off, libvips did`);
      assert.ok(on.equals(off), `${src.label} (${colour}): the same file`);
    }
  }
});

test('a JPEG export with no mark is decoded and encoded by TurboJPEG: the file sharp\'s streaming re-encode gives', { skip: skip || (libvips() ? false : 'no libvips binding here') }, async () => {
  const job = { ...jpegJob(cornerMark, os.tmpdir()), design: null };
  for (const name of ['kite.jpg', 'rocket.jpg', 'wine.jpg']) {
    const src = await corpusSource(name);
    const before = turboJpeg.taken;
    const viaWorker = await renderExport(inThreadDeps({ splice: null, workerJpeg: async (input) => markJpegInWorker(input) }), src, job);
    assert.equal(turboJpeg.taken, before + 1, `${name}: TurboJPEG encoded it`);
    const streamed = await renderExport(inThreadDeps({ splice: null, workerJpeg: null }), src, job);
    assert.deepEqual([viaWorker.visibleMark, viaWorker.geometry, viaWorker.warnings], [false, null, streamed.warnings]);
    assert.ok(Buffer.concat(viaWorker.data).equals(Buffer.concat(streamed.data)), `${name}: the same file`);
  }
});

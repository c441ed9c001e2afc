// JPEG exports with one mark are spliced instead of held in memory (splice.ts): libvips streams the
// source into the encoder with restart markers, and only the restart intervals under the mark are
// decoded, marked and encoded again. These tests hold the splice to what the frame path gives.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { extractIntervals, indexRestarts, intervalsCovering, rectPixels, replaceIntervals, type RestartIndex } from '../../../electron/core/imaging/jpeg-restart.ts';
import { libvips } from '../../../electron/core/imaging/libvips.ts';
import { renderExport, type Splice } from '../../../electron/core/watermark/visible/pipeline.ts';
import { restartIntervalFor, splicing } from '../../../electron/core/watermark/visible/splice.ts';
import { turboJpeg } from '../../../electron/core/watermark/visible/worker-jpeg.ts';
import { call, testCore } from '../../helpers/core.ts';
import { copyCorpus, corpusFile, tempDir } from '../../helpers/corpus.ts';
import { cornerMark, corpusSource, exportOnAndOff, inThreadDeps, jpegJob } from '../../helpers/fast-paths.ts';
import { diffBox, rawOf, saveRender, type Raw } from '../../helpers/watermark.ts';

const vips = libvips();
let env: Awaited<ReturnType<typeof testCore>>;
let work: string;
let cleanupWork: () => Promise<void>;
// The splice runs from 12 MP up, where TurboJPEG cannot code the worker's frame; these tests
// splice the small corpus photos too, with TurboJPEG off.
const spliceMinPixels = splicing.minPixels;
before(async () => {
  splicing.minPixels = 0;
  turboJpeg.set(false);
  env = await testCore();
  ({ dir: work, cleanup: cleanupWork } = await tempDir('proofmark-wm-splice-'));
});
after(async () => {
  turboJpeg.set(true);
  splicing.set(true);
  splicing.minPixels = spliceMinPixels;
  await env.close();
  await cleanupWork();
});

function psnr(a: Raw, b: Raw): number {
  let se = 0;
  for (let i = 0; i < a.data.length; i++) se += (a.data[i]! - b.data[i]!) ** 2;
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255 * a.data.length) / se);
}

function crop(r: Raw, box: { left: number; top: number; width: number; height: number }): Raw {
  const data = Buffer.alloc(box.width * box.height * r.channels);
  for (let y = 0; y < box.height; y++) {
    const from = ((box.top + y) * r.width + box.left) * r.channels;
    r.data.copy(data, y * box.width * r.channels, from, from + box.width * r.channels);
  }
  return { data, width: box.width, height: box.height, channels: r.channels };
}

function recode(bytes: Uint8Array, width: number, toSrgb = true): RestartIndex {
  const index = vips!.recodeJpeg(bytes, { quality: 90, restartInterval: restartIntervalFor(Math.ceil(width / 16)), toSrgb }, (jpeg) => indexRestarts(Buffer.from(jpeg)));
  assert.ok(index, 'the recoded JPEG has a restart index');
  return index;
}

test('the restart interval divides the row of MCUs, so intervals form a grid', () => {
  assert.equal(restartIntervalFor(375), 25); // 6000 px
  assert.equal(restartIntervalFor(160), 32); // 2560 px
  assert.equal(restartIntervalFor(154), 22); // 2450 px
  assert.equal(restartIntervalFor(65), 13); // 1040 px: no divisor from 16 to 32
  assert.equal(restartIntervalFor(251), 251); // a prime: whole rows
  for (const n of [1, 7, 40, 97, 375, 1000]) assert.equal(n % restartIntervalFor(n), 0);
});

test('libvips re-encodes exactly as sharp does (profile converted to sRGB), plus restart markers', { skip: vips ? false : 'sharp\'s libvips cannot be loaded through koffi here' }, async () => {
  // kite.jpg and rocket.jpg carry ICC profiles; kleiber.jpg has none and is 6028 px wide (377 MCUs: 13 intervals of 29).
  for (const name of ['kite.jpg', 'rocket.jpg', 'kleiber.jpg']) {
    const bytes = await fs.readFile(corpusFile(name));
    const viaSharp = await sharp(bytes).rotate().toColourspace('srgb').jpeg({ quality: 90, optimiseCoding: false }).toBuffer();
    const meta = await sharp(viaSharp).metadata();
    const index = recode(bytes, meta.width!);
    assert.deepEqual([index.width, index.height], [meta.width, meta.height], name);
    assert.equal(index.starts.length, index.intervalsPerRow * index.mcuRows, name);
    assert.equal(diffBox(await rawOf(Buffer.from(index.bytes)), await rawOf(viaSharp)), null, `${name}: pixels differ from sharp's`);
  }
  // A JPEG turned by EXIF is refused (the caller holds a frame for it).
  const rotated = await sharp(corpusFile('grace_hopper.jpg')).withMetadata({ orientation: 6 }).jpeg({ quality: 90 }).toBuffer();
  assert.throws(() => vips!.recodeJpeg(rotated, { quality: 90, restartInterval: 4, toSrgb: true }, () => 0), /EXIF orientation/);
  // sharp's own JPEGs have no restart markers, and progressive JPEGs are not cut.
  assert.equal(indexRestarts(await sharp(corpusFile('rocket.jpg')).jpeg().toBuffer()), null);
  assert.equal(indexRestarts(await fs.readFile(corpusFile('autumn.jpg'))), null);
  assert.equal(indexRestarts(Buffer.from('not a jpeg')), null);
});

test('a rectangle of intervals decodes by itself, and a patch replaces it without touching the rest', { skip: vips ? false : 'no libvips binding here' }, async () => {
  const index = recode(await fs.readFile(corpusFile('colorful-cups.jpg')), 2560);
  const whole = await rawOf(Buffer.from(index.bytes));
  const box = { left: 1000, top: 700, width: 500, height: 90 };
  const inner = intervalsCovering(index, box);
  const outer = intervalsCovering(index, box, 1);
  const at = rectPixels(index, outer);
  const region = rectPixels(index, inner);
  assert.ok(region.left <= box.left && region.top <= box.top && region.left + region.width >= box.left + box.width && region.top + region.height >= box.top + box.height);
  // With one interval of context, the inner rectangle decodes exactly as inside the whole file.
  const cut = vips!.decodeJpeg(extractIntervals(index, outer));
  assert.deepEqual([cut.width, cut.height], [at.width, at.height]);
  const cutRaw: Raw = { data: Buffer.from(cut.data), width: cut.width, height: cut.height, channels: cut.channels };
  const inside = { ...region, left: region.left - at.left, top: region.top - at.top };
  assert.equal(diffBox(crop(cutRaw, inside), crop(whole, region)), null);

  // Paint the box black and splice it back: outside the inner rectangle nothing changes but the
  // pixels right next to it, whose chroma the decoder interpolates from the patch's.
  for (let y = box.top - at.top; y < box.top - at.top + box.height; y++) cut.data.fill(0, (y * cut.width + box.left - at.left) * 3, (y * cut.width + box.left - at.left + box.width) * 3);
  const patch = indexRestarts(vips!.encodeRegion(cut, inside, { quality: 90, restartInterval: index.interval }));
  assert.ok(patch);
  const spliced = replaceIntervals(index, inner, patch, Buffer.alloc);
  // Byte for byte: the header and every interval outside the rectangle as they were, the patch's
  // intervals inside it, each in its place with its restart marker.
  const re = indexRestarts(spliced);
  assert.ok(re, 'the spliced file keeps a restart marker between every two intervals');
  assert.equal(re.starts.length, index.starts.length);
  assert.deepEqual(spliced.subarray(0, re.starts[0]), Buffer.from(index.bytes.subarray(0, index.starts[0])));
  const cols = inner.col1 - inner.col0;
  for (let i = 0; i < index.starts.length; i++) {
    const row = Math.floor(i / index.intervalsPerRow);
    const col = i % index.intervalsPerRow;
    const inRect = row >= inner.row0 && row < inner.row1 && col >= inner.col0 && col < inner.col1;
    const j = (row - inner.row0) * cols + col - inner.col0;
    const want = inRect ? patch.bytes.subarray(patch.starts[j], patch.ends[j]) : index.bytes.subarray(index.starts[i], index.ends[i]);
    if (!Buffer.from(spliced.subarray(re.starts[i], re.ends[i])).equals(want)) assert.fail(`interval ${i} (row ${row}, column ${col}) differs`);
  }
  const after = await rawOf(spliced);
  const changed = diffBox(after, whole)!;
  assert.ok(changed.x0 >= region.left - 1 && changed.y0 >= region.top - 1 && changed.x1 <= region.left + region.width + 1 && changed.y1 <= region.top + region.height + 1, JSON.stringify({ changed, region }));
  const ring = diffBox(crop(after, { left: 0, top: 0, width: whole.width, height: region.top - 1 }), crop(whole, { left: 0, top: 0, width: whole.width, height: region.top - 1 }));
  assert.equal(ring, null, 'rows above the patch and its neighbour row are untouched');
  const painted = crop(after, { left: box.left + 8, top: box.top + 8, width: box.width - 16, height: box.height - 16 });
  assert.ok(painted.data.every((v) => v < 8), 'the painted box is black in the spliced file');
  // A patch of another size, or encoded with another restart interval, is refused.
  assert.throws(() => replaceIntervals(index, { ...inner, col1: inner.col1 + 1 }, patch, Buffer.alloc), /patch is/);
  const other = indexRestarts(vips!.encodeRegion(cut, inside, { quality: 90, restartInterval: index.interval / 2 }));
  assert.throws(() => replaceIntervals(index, inner, other!, Buffer.alloc), /restart interval/);
});

test('a spliced export matches the frame export: the same file outside the mark\'s intervals, the same mark, the same metadata', { skip: vips ? false : 'no libvips binding here' }, async () => {
  const sources = await copyCorpus(path.join(work, 'src'), ['kite.jpg', 'rocket.jpg', 'kleiber.jpg', 'grace_hopper.jpg', 'chelsea.png']);
  const rotated = path.join(work, 'src', 'rotated.jpg');
  await sharp(corpusFile('path.jpg')).withMetadata({ orientation: 8 }).jpeg({ quality: 90 }).toFile(rotated);
  sources.push(rotated);
  const { on: spliced, off: framed, count } = await exportOnAndOff(env.core, splicing, work, { sources: { paths: sources }, owner: 'Li Wei', format: 'same', ...cornerMark });
  assert.deepEqual(spliced.failed, []);
  assert.deepEqual(framed.failed, []);
  assert.equal(count, 4, 'every upright JPEG was spliced; the EXIF-turned JPEG and the PNG kept their frames');
  for (let i = 0; i < sources.length; i++) {
    const a = spliced.exported[i]!;
    const b = framed.exported[i]!;
    assert.deepEqual([a.width, a.height, a.format, a.visibleMark, a.warnings], [b.width, b.height, b.format, b.visibleMark, b.warnings], a.output);
    const [ma, mb] = [await sharp(a.output).metadata(), await sharp(b.output).metadata()];
    assert.deepEqual([ma.density, ma.orientation, ma.exif, ma.xmp, ma.icc], [mb.density, mb.orientation, mb.exif, mb.xmp, mb.icc], `${a.output}: metadata`);
    const [ra, rb] = [await rawOf(a.output), await rawOf(b.output)];
    const d = diffBox(ra, rb);
    if (a.format !== 'jpeg' || a.output.endsWith('rotated.jpg')) {
      assert.equal(d, null, `${a.output} kept its frame: the same pixels`);
      continue;
    }
    // The differences sit in the bottom-right corner, where the mark is, and are small: one more JPEG
    // round at the same quality (37 dB on the 640 px rocket, where the mark's sharp edges fill the
    // box; 45-47 dB on the larger photos).
    assert.ok(d, `${a.output}: the re-encoded intervals differ a little`);
    // (An interval is up to 32 MCUs wide: on a 512 px photo, a whole row.)
    assert.ok(d.y0 > a.height / 2 && d.x1 > (2 * a.width) / 3, `${a.output}: differences at ${JSON.stringify(d)}`);
    const box = { left: d.x0, top: d.y0, width: d.x1 - d.x0, height: d.y1 - d.y0 };
    assert.ok(psnr(crop(ra, box), crop(rb, box)) > 35, `${a.output}: PSNR ${psnr(crop(ra, box), crop(rb, box)).toFixed(1)} dB in the mark's intervals`);
  }
  await saveRender('spliced-kleiber.jpg', spliced.exported[2]!.output);
  await saveRender('spliced-rocket.jpg', spliced.exported[1]!.output);
  await saveRender('framed-rocket.jpg', framed.exported[1]!.output);
});

test('where the splice cannot run (no libvips binding) or fails, the export is made through the frame, unchanged', async () => {
  // What a packaged app would do if koffi could not load sharp's libvips: the worker answers null.
  const deps = (splice: Splice | null) => inThreadDeps({ splice, workerJpeg: null });
  const src = await corpusSource('kite.jpg');
  const job = jpegJob(cornerMark, work);
  const before = splicing.taken;
  const unavailable = await renderExport(deps(async () => null), src, job);
  const failing = await renderExport(deps(async () => { throw new Error('worker lost'); }), src, job);
  const framed = await renderExport(deps(null), src, job);
  assert.equal(splicing.taken, before, 'nothing was counted as spliced');
  assert.ok(Buffer.concat(unavailable.data).equals(Buffer.concat(framed.data)));
  assert.ok(Buffer.concat(failing.data).equals(Buffer.concat(framed.data)));
  assert.equal(Buffer.concat(framed.data).includes(Buffer.from([0xff, 0xdd])), false, 'a frame export has no restart markers');
});

test('a damaged JPEG with a mark fails with the decoder\'s reason and leaves nothing', async () => {
  const damaged = path.join(work, 'damaged.jpg');
  await fs.writeFile(damaged, (await fs.readFile(corpusFile('kite.jpg'))).subarray(0, 60_000));
  const out = path.join(work, 'damaged-out');
  const result = await call(env.core, 'watermark.export', { sources: { paths: [damaged] }, outDir: out, format: 'jpeg', ...cornerMark });
  assert.equal(result.exported.length, 0);
  assert.match(result.failed[0]!.error, /cannot be decoded; it is damaged or truncated/);
  assert.deepEqual(await fs.readdir(out), []);
});

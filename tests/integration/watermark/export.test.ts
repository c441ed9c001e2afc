import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import exifr from 'exifr';
import sharp from 'sharp';
import { dispatch } from '../../../electron/contract/dispatch.ts';
import type { ExportResult, Input } from '../../../electron/contract/index.ts';
import type { Core } from '../../../electron/core/index.ts';
import { readStoredDensity } from '../../../electron/core/imaging/density.ts';
import { sharedBuffersLent } from '../../../electron/core/jobs/shared-bytes.ts';
import { call, testCore } from '../../helpers/core.ts';
import { copyCorpus, corpusFile, tempDir } from '../../helpers/corpus.ts';
import { makePhotoSet } from '../../helpers/photos.ts';
import { diffBox, listFiles, makeUnwritableDir, rawOf, saveRender } from '../../helpers/watermark.ts';

let env: Awaited<ReturnType<typeof testCore>>;
let core: Core;
let work: string;
let cleanupWork: () => Promise<void>;
before(async () => {
  env = await testCore();
  core = env.core;
  ({ dir: work, cleanup: cleanupWork } = await tempDir('proofmark-wm-export-'));
});
after(async () => {
  await env.close();
  await cleanupWork();
});

const TEXT = { text: { content: '© {year} {owner} 水印' }, outline: { colour: '#000000', width: 5 }, opacity: 0.9 };
let n = 0;
const outDir = () => path.join(work, `out-${n++}`);
const noPartials = async (dir: string) => assert.deepEqual((await listFiles(dir)).filter((f) => /proofmark-part|write-test/.test(f)), [], `partial files in ${dir}`);

function exportInput(paths: string[], extra: Partial<Input<'watermark.export'>> = {}): Input<'watermark.export'> {
  return { sources: { paths }, outDir: outDir(), design: TEXT, owner: 'Li Wei', ...extra };
}

test('library images: exported by id, named from their titles, a taken name gets a suffix, and each gets a provenance event with the file hash', async () => {
  const imported = await call(core, 'library.import', { paths: [corpusFile('rocket.jpg'), corpusFile('chelsea.png')] });
  const ids = imported.imported.map((i) => i.id);
  await call(core, 'library.update', { id: ids[0]!, title: 'Red teapot, front' });
  const out = outDir();
  await fs.mkdir(out, { recursive: true });
  await fs.writeFile(path.join(out, 'Red teapot, front.jpg'), 'not ours');
  const r = await call(core, 'watermark.export', { sources: { imageIds: ids }, outDir: out, design: { ...TEXT, text: { content: '#{id} {title}' } }, format: 'jpeg' });
  assert.deepEqual(r.failed, []);
  assert.deepEqual(r.exported.map((e) => path.basename(e.output)).sort(), ['Red teapot, front-2.jpg', 'chelsea.jpg']);
  assert.equal(await fs.readFile(path.join(out, 'Red teapot, front.jpg'), 'utf8'), 'not ours');
  for (const e of r.exported) {
    const bytes = await fs.readFile(e.output);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), e.sha256);
    const { history } = await call(core, 'library.get', { id: e.imageId! });
    const event = history.at(-1)!;
    assert.equal(event.type, 'watermarked');
    assert.equal(event.data.output, e.output);
    assert.equal(event.data.sha256, e.sha256);
    assert.equal((event.data.design as { text: { content: string } }).text.content, '#{id} {title}');
  }
  const verify = await call(core, 'library.verify', {});
  assert.equal(verify.ok, true, 'the originals are untouched and the chain holds');
});

test('a folder on disk, recursively: the tree is kept, other files are ignored, earlier exports inside it are not re-exported', async () => {
  const src = path.join(work, 'shoot');
  await copyCorpus(path.join(src, 'a'), ['rocket.jpg']);
  await copyCorpus(path.join(src, 'b', 'c'), ['coffee.png']);
  await copyCorpus(src, ['grace_hopper.jpg']);
  await fs.writeFile(path.join(src, 'notes.txt'), 'not an image');
  const out = path.join(src, 'exports');
  const r = await call(core, 'watermark.export', { ...exportInput([src]), outDir: out, format: 'same' });
  assert.deepEqual(r.failed, []);
  assert.deepEqual(await listFiles(out), ['a/rocket.jpg', 'b/c/coffee.png', 'grace_hopper.jpg']);
  // Again, into the same output folder: nothing is overwritten, the new files get suffixes, the old exports are not sources.
  const again = await call(core, 'watermark.export', { ...exportInput([src]), outDir: out, format: 'same' });
  assert.equal(again.total, 3);
  assert.match(again.notes.join(' '), /3 file\(s\) inside the output folder were not exported again/);
  assert.deepEqual(await listFiles(out), ['a/rocket-2.jpg', 'a/rocket.jpg', 'b/c/coffee-2.png', 'b/c/coffee.png', 'grace_hopper-2.jpg', 'grace_hopper.jpg']);
  const flat = await call(core, 'watermark.export', { ...exportInput([src]), sources: { paths: [src], recursive: false }, keepTree: false });
  assert.deepEqual(flat.exported.map((e) => path.basename(e.output)), ['grace_hopper.jpg']);
});

test('formats, resizing, density, colour and rights metadata end to end', async () => {
  const cups = corpusFile('colorful-cups.jpg');
  const rights = { creator: '张三 Zhang San', copyright: '© 2026 张三', webStatement: 'https://example.com/licence', usageTerms: '仅限授权使用' };
  const cases = [
    { format: 'jpeg', resize: { mode: 'long-edge', size: 1000 }, size: [1000, 625] },
    { format: 'png', resize: { mode: 'fit', width: 500, height: 500 }, size: [500, 313] },
    { format: 'webp', resize: { mode: 'long-edge', size: 800 }, size: [800, 500] },
    { format: 'avif', resize: { mode: 'long-edge', size: 600 }, size: [600, 375] },
  ] as const;
  for (const c of cases) {
    const r = await call(core, 'watermark.export', { ...exportInput([cups]), format: c.format, resize: c.resize, dpi: 300, metadata: 'strip-location', rights });
    const e = r.exported[0]!;
    assert.equal(e.format, c.format);
    const bytes = await fs.readFile(e.output);
    const m = await sharp(bytes).metadata();
    assert.deepEqual([m.width, m.height], c.size, c.format);
    assert.equal(m.format === 'heif' ? 'avif' : m.format, c.format);
    if (c.format === 'jpeg' || c.format === 'png') assert.equal(readStoredDensity(bytes)?.x, c.format === 'png' ? 11811 : 300);
    assert.match(m.xmp!.toString('utf8'), /仅限授权使用/, `${c.format}: usage terms`);
    assert.doesNotMatch(m.xmp!.toString('utf8'), /GPS/, `${c.format}: XMP location`);
    if (c.format === 'jpeg') {
      const x = (await exifr.parse(bytes, { tiff: true, exif: true, gps: true, xmp: true })) as Record<string, unknown>;
      assert.equal(x.Artist, '张三 Zhang San');
      assert.equal(x.Copyright, '© 2026 张三');
      assert.equal(x.Make, 'SONY', 'camera kept');
      assert.equal(x.latitude, undefined, 'GPS removed');
      assert.equal(x.WebStatement, 'https://example.com/licence');
      assert.equal(x.XResolution, 300);
      await saveRender('cups-marked.jpg', e.output);
    }
  }
  // Colour: "keep" attaches the source profile unchanged; "srgb" converts.
  const keep = (await call(core, 'watermark.export', { ...exportInput([cups]), design: null, colour: 'keep', format: 'png' })).exported[0]!;
  const srgb = (await call(core, 'watermark.export', { ...exportInput([cups]), design: null, colour: 'srgb', format: 'png' })).exported[0]!;
  const sourceIcc = (await sharp(cups).metadata()).icc!;
  assert.deepEqual(new Uint8Array((await sharp(keep.output).metadata()).icc!), new Uint8Array(sourceIcc));
  assert.notDeepEqual(new Uint8Array((await sharp(srgb.output).metadata()).icc!), new Uint8Array(sourceIcc));
  const stripAll = (await call(core, 'watermark.export', { ...exportInput([cups]), metadata: 'strip-all' })).exported[0]!;
  const sx = (await exifr.parse(stripAll.output, { tiff: true, exif: true, gps: true, xmp: true })) as Record<string, unknown>;
  assert.equal(sx.Make, undefined);
  assert.equal(sx.latitude, undefined);
  const kept = (await call(core, 'watermark.export', { ...exportInput([cups]), metadata: 'keep' })).exported[0]!;
  const kx = (await exifr.parse(kept.output, { tiff: true, exif: true, gps: true })) as Record<string, unknown>;
  assert.ok(Math.abs((kx.latitude as number) - 56.156) < 0.001, 'keep keeps the location');
});

test('"no visible mark" for Amazon: the design is not drawn, the batch says why', async () => {
  const file = corpusFile('rocket.jpg');
  const amazon = await call(core, 'watermark.export', { ...exportInput([file]), format: 'png', platform: 'amazon-main' });
  const plain = await call(core, 'watermark.export', { ...exportInput([file]), format: 'png', design: null });
  assert.equal(amazon.exported[0]!.visibleMark, false);
  assert.match(amazon.notes[0]!, /amazon-main: no visible mark/);
  assert.equal(diffBox(await rawOf(amazon.exported[0]!.output), await rawOf(plain.exported[0]!.output)), null);
});

test('bad input: each file gets its own outcome, the batch goes on, nothing partial is left', async () => {
  const dir = path.join(work, 'bad');
  await fs.mkdir(dir, { recursive: true });
  const photo = corpusFile('rocket.jpg');
  await sharp(photo).toColourspace('cmyk').jpeg().toFile(path.join(dir, 'cmyk.jpg'));
  await sharp(photo).toColourspace('rgb16').png().toFile(path.join(dir, 'deep16.png'));
  await sharp({ create: { width: 1, height: 1, channels: 3, background: '#f00' } }).png().toFile(path.join(dir, 'one-pixel.png'));
  const frames = [await sharp(photo).resize(160).png().toBuffer(), await sharp(photo).resize(160).negate().png().toBuffer()];
  await sharp(frames, { join: { animated: true } }).gif().toFile(path.join(dir, 'animated.gif'));
  await sharp(frames, { join: { animated: true } }).webp().toFile(path.join(dir, 'animated.webp'));
  await fs.writeFile(path.join(dir, 'truncated.jpg'), (await fs.readFile(photo)).subarray(0, 9000));
  await fs.writeFile(path.join(dir, 'text.jpg'), 'hello, I am not a photo');
  await copyCorpus(dir, ['chelsea.png']);
  // A logo far larger than the photos it marks.
  const logo = path.join(work, 'huge-logo.png');
  await sharp({ create: { width: 3000, height: 3000, channels: 4, background: { r: 200, g: 30, b: 30, alpha: 0.8 } } }).png().toFile(logo);
  const input = exportInput([dir], { design: { ...TEXT, logo: { ref: logo } }, format: 'same' });
  const r = await call(core, 'watermark.export', input);
  const ok = Object.fromEntries(r.exported.map((e) => [path.basename(e.source), e]));
  const failed = Object.fromEntries(r.failed.map((e) => [path.basename(e.source), e.error]));
  assert.deepEqual(Object.keys(ok).sort(), ['animated.gif', 'animated.webp', 'chelsea.png', 'cmyk.jpg', 'deep16.png']);
  assert.match(ok['animated.gif']!.warnings.map((w) => w.text).join(), /Animated image \(2 frames\): only the first frame was exported/);
  assert.equal(path.extname(ok['animated.gif']!.output), '.jpg', 'GIF is not an export format: JPEG');
  assert.match(ok['cmyk.jpg']!.warnings.map((w) => w.text).join(), /CMYK image: converted to sRGB/);
  assert.equal((await sharp(ok['cmyk.jpg']!.output).metadata()).space, 'srgb');
  assert.match(ok['deep16.png']!.warnings.map((w) => w.text).join(), /16-bit image: exported with 8 bits/);
  assert.equal((await sharp(ok['deep16.png']!.output).metadata()).depth, 'uchar');
  assert.match(failed['one-pixel.png']!, /1x1 px; a visible mark needs at least 16 px/);
  assert.match(failed['truncated.jpg']!, /damaged or truncated/);
  assert.match(failed['text.jpg']!, /not an image/);
  // The same phrase codes as import: the export summary says why in the interface language.
  const codes = Object.fromEntries(r.failed.map((e) => [path.basename(e.source), e.wording?.code]));
  assert.equal(codes['truncated.jpg'], 'file.damaged');
  assert.equal(codes['text.jpg'], 'file.not-image');
  await noPartials(path.dirname(ok['chelsea.png']!.output));
  await saveRender('huge-logo-on-small-photo.png', ok['chelsea.png']!.output);
  // The logo was scaled to the design size, not pasted at its own.
  const box = diffBox(await rawOf(ok['chelsea.png']!.output), await rawOf(corpusFile('chelsea.png')), 40)!;
  assert.ok(box.y1 - box.y0 < 60, `mark height ${box.y1 - box.y0}`);
});

test('a missing or unreadable logo stops the batch before anything is written', async () => {
  const input = exportInput([corpusFile('rocket.jpg')], { design: { ...TEXT, logo: { ref: path.join(work, 'nope.png') } } });
  await assert.rejects(call(core, 'watermark.export', input), /The logo file .*nope\.png does not exist/);
  await assert.rejects(fs.stat(input.outDir), /ENOENT/);
  const notPng = path.join(work, 'logo.png');
  await fs.writeFile(notPng, 'GIF89a not really');
  await assert.rejects(call(core, 'watermark.export', { ...input, design: { ...TEXT, logo: { ref: notPng } } }), /use a PNG or SVG/);
  const broken = path.join(work, 'broken-logo.png');
  await fs.writeFile(broken, (await sharp({ create: { width: 50, height: 50, channels: 4, background: '#0000' } }).png().toBuffer()).subarray(0, 60));
  await assert.rejects(call(core, 'watermark.export', { ...input, design: { ...TEXT, logo: { ref: broken } } }), /cannot be decoded/);
});

test('a file that vanishes mid-batch fails alone; the others are exported', async () => {
  const dir = path.join(work, 'vanish');
  const files = await makePhotoSet(dir, 6, { maxSide: 400 });
  const victim = files[4]!;
  const out = outDir();
  const result = await dispatch(core.handlers, 'watermark.export', { ...exportInput([dir]), outDir: out }, {
    signal: new AbortController().signal,
    progress: (p) => {
      // At once: the victim's read starts when the item before it does, one export from now.
      if (p.done === 1) rmSync(victim, { force: true });
    },
  });
  assert.equal(result.ok, true);
  const r = (result as { value: ExportResult }).value;
  assert.equal(r.exported.length, 5);
  assert.deepEqual(r.failed.map((f) => [path.basename(f.source), f.error.replace(victim, 'X')]), [['photo-0004.jpg', 'X no longer exists (moved or deleted after the export started).']]);
  await noPartials(out);
  assert.equal(sharedBuffersLent(), 0, 'the failed file\'s memory was handed back too');
});

test('an output folder that cannot be written is one clear error, before any work', async (t) => {
  const locked = path.join(work, 'locked');
  const unlock = await makeUnwritableDir(locked);
  if (!unlock) return t.skip('this machine offers no way to make a folder unwritable for root (no chattr, no mount)');
  try {
    const input = { ...exportInput([corpusFile('rocket.jpg')]), outDir: path.join(locked, 'exports') };
    await assert.rejects(call(core, 'watermark.export', input), /The output folder .*locked.* cannot be (created|written)/);
    const direct = { ...exportInput([corpusFile('rocket.jpg')]), outDir: locked };
    await assert.rejects(call(core, 'watermark.export', direct), /cannot be written: (permission denied|the disk is read-only)/);
  } finally {
    await unlock();
  }
  assert.deepEqual(await listFiles(locked), []);
});

test('cancel: files already written stay valid, the rest are reported as not started, nothing partial remains', async () => {
  const dir = path.join(work, 'cancel');
  await makePhotoSet(dir, 10, { maxSide: 500 });
  const controller = new AbortController();
  const out = outDir();
  const result = await dispatch(core.handlers, 'watermark.export', { ...exportInput([dir]), outDir: out }, {
    signal: controller.signal,
    // A moment after the fifth file starts (and the sixth is being read ahead), as a click would.
    progress: (p) => {
      if (p.done === 3) setImmediate(() => controller.abort());
    },
  });
  const r = (result as { value: ExportResult }).value;
  assert.equal(r.cancelled, true);
  assert.ok(r.exported.length >= 3 && r.exported.length < 10, `${r.exported.length} exported`);
  assert.equal(r.exported.length + r.failed.length, 10);
  assert.ok(r.failed.every((f) => /cancelled/.test(f.error)));
  for (const e of r.exported) assert.equal((await sharp(e.output).raw().toBuffer()).length, e.width * e.height * 3);
  assert.equal((await listFiles(out)).length, r.exported.length);
  assert.equal(sharedBuffersLent(), 0, 'the memory of files read ahead but never started was handed back');
});

test('presets: save (the logo is kept in the library), use by name, export to JSON and import elsewhere', async () => {
  const logo = path.join(work, 'brand.svg');
  await fs.writeFile(logo, '<svg xmlns="http://www.w3.org/2000/svg" width="80" height="40"><rect width="80" height="40" rx="8" fill="#e53935"/><text x="40" y="28" font-size="22" text-anchor="middle" fill="#fff" font-family="Source Han Sans SC">品牌</text></svg>');
  const design = { ...TEXT, logo: { ref: logo, scale: 1.2, position: 'left' as const }, layout: { mode: 'single' as const, anchor: 'top-left' as const, margin: 4 } };
  const saved = await call(core, 'watermark.savePreset', { name: 'Brand corner', design });
  assert.match(saved.design.logo!.ref, /^sha256:[0-9a-f]{64}$/);
  await assert.rejects(call(core, 'watermark.savePreset', { name: 'brand CORNER', design }), /already exists/);
  await fs.rm(logo);
  const used = await call(core, 'watermark.export', { ...exportInput([corpusFile('coffee.png')]), design: undefined, preset: 'Brand corner', format: 'png' });
  assert.deepEqual(used.failed, []);
  await saveRender('preset-with-svg-logo.png', used.exported[0]!.output);

  const file = path.join(work, 'presets.json');
  const exported = await call(core, 'watermark.exportPresets', { path: file, names: ['Brand corner', 'Diagonal tiles'] });
  assert.equal(exported.count, 2);
  await assert.rejects(call(core, 'watermark.exportPresets', { path: file }), /already exists/);

  const other = await testCore();
  try {
    const first = await call(other.core, 'watermark.importPresets', { path: file });
    assert.deepEqual(first.imported, ['Brand corner', 'Diagonal tiles (2)']);
    assert.deepEqual(first.renamed, [{ from: 'Diagonal tiles', to: 'Diagonal tiles (2)' }]);
    const { presets } = await call(other.core, 'watermark.presets', {});
    const brand = presets.find((p) => p.name === 'Brand corner')!;
    assert.deepEqual(brand.design, saved.design);
    const skipped = await call(other.core, 'watermark.importPresets', { path: file, onConflict: 'skip' });
    assert.deepEqual(skipped.skipped, ['Brand corner', 'Diagonal tiles']);
    // The imported logo renders on the other machine.
    const r = await call(other.core, 'watermark.export', { ...exportInput([corpusFile('coffee.png')]), design: undefined, preset: 'Brand corner', format: 'png' });
    assert.deepEqual(r.failed, []);
    // A tampered file changes nothing.
    const doc = JSON.parse(await fs.readFile(file, 'utf8'));
    const sha = Object.keys(doc.logos)[0]!;
    doc.logos[sha].data = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>').toString('base64');
    doc.presets[0].name = 'Tampered';
    await fs.writeFile(file, JSON.stringify(doc));
    await assert.rejects(call(other.core, 'watermark.importPresets', { path: file }), /does not match its SHA-256/);
    await fs.writeFile(file, '{"format":"something-else"}');
    await assert.rejects(call(other.core, 'watermark.importPresets', { path: file }), /not a ProofMark presets file/);
    assert.equal((await call(other.core, 'watermark.presets', {})).presets.some((p) => p.name === 'Tampered'), false);
  } finally {
    await other.close();
  }
  await call(core, 'watermark.deletePreset', { name: 'Brand corner' });
  await assert.rejects(call(core, 'watermark.export', { ...exportInput([corpusFile('coffee.png')]), design: undefined, preset: 'Brand corner' }), /no watermark preset called "Brand corner"/);
});

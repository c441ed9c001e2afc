import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { FixReport, ProfileInput } from '../../../electron/contract/index.ts';
import { fixFiles } from '../../../electron/core/compliance/api.ts';
import { writeNew } from '../../../electron/core/compliance/output.ts';
import { copyCorpus, corpusFile, tempDir } from '../../helpers/corpus.ts';
import { call, testCore } from '../../helpers/core.ts';
import { bmp24, decodedPixels, png16 } from '../../helpers/check-images.ts';

let env: Awaited<ReturnType<typeof testCore>>;
let work: { dir: string; cleanup: () => Promise<void> };
const sha = async (p: string) => createHash('sha256').update(await fs.readFile(p)).digest('hex');
const entry = (r: FixReport, name: string) => r.files.find((f) => f.name === name)!;

async function samePixels(a: string, b: string) {
  const [x, y] = await Promise.all([decodedPixels(await fs.readFile(a)), decodedPixels(await fs.readFile(b))]);
  return x.data.equals(y.data) && x.info.width === y.info.width && x.info.channels === y.info.channels;
}

before(async () => {
  env = await testCore();
  work = await tempDir('proofmark-fix-');
});
after(async () => {
  await env.close();
  await work.cleanup();
});

describe('check.fix into a folder', () => {
  let photos: string;
  let out: string;
  let report: FixReport;
  const originalSha: Record<string, string> = {};

  before(async () => {
    photos = path.join(work.dir, 'photos');
    out = path.join(work.dir, 'fixed');
    await copyCorpus(photos, ['rocket.jpg', 'grace_hopper.jpg', 'kite.jpg', 'autumn.jpg', 'chelsea.png', 'coffee.png', 'wine.jpg', 'astronaut.png']);
    await fs.copyFile(corpusFile('grace_hopper.jpg'), path.join(photos, 'hopper.png'));
    const autumn = await fs.readFile(corpusFile('autumn.jpg'));
    await fs.writeFile(path.join(photos, 'truncated.jpg'), autumn.subarray(0, 300_000));
    for (const n of await fs.readdir(photos)) originalSha[n] = await sha(path.join(photos, n));
    // Something already sits where rocket's fix would go: it must survive.
    await fs.mkdir(out);
    await fs.writeFile(path.join(out, 'rocket.jpg'), 'not mine');
    report = await call(env.core, 'check.fix', { paths: [photos], profileId: 'cpcc-photo', outDir: out });
  });

  it('fixes every density problem and the new files pass', () => {
    const got = Object.fromEntries(report.files.map((f) => [f.name, `${f.status} ${f.before}->${f.after}`]));
    assert.deepEqual(got, {
      'astronaut.png': 'unchanged pass->pass',
      'autumn.jpg': 'fixed fail->pass',
      'chelsea.png': 'fixed fail->pass',
      'coffee.png': 'fixed fail->pass',
      'grace_hopper.jpg': 'fixed fail->pass',
      'hopper.png': 'fixed fail->pass',
      'kite.jpg': 'fixed fail->pass',
      'rocket.jpg': 'fixed fail->pass',
      'truncated.jpg': 'failed fail->null',
      'wine.jpg': 'unchanged pass->pass',
    });
    assert.deepEqual(report.summary, { total: 10, fixed: 7, unchanged: 2, planned: 0, failed: 1, stillFailing: 1 });
  });

  it('never touches the originals and never overwrites an existing file', async () => {
    for (const [n, h] of Object.entries(originalSha)) assert.equal(await sha(path.join(photos, n)), h, `${n} changed`);
    assert.equal(await fs.readFile(path.join(out, 'rocket.jpg'), 'utf8'), 'not mine');
    assert.equal(entry(report, 'rocket.jpg').output, path.join(out, 'rocket (1).jpg'));
    assert.deepEqual((await fs.readdir(out)).filter((n) => n.endsWith('.part')), []);
  });

  it('sets 300 dpi losslessly: identical pixels, only header bytes differ, and says the print size', async () => {
    for (const name of ['rocket.jpg', 'grace_hopper.jpg', 'coffee.png', 'chelsea.png']) {
      const f = entry(report, name);
      assert.ok(await samePixels(path.join(photos, name), f.output!), `${name}: pixels changed`);
      assert.ok(f.actions.every((a) => a.lossless));
      const total = f.changedBytes!.reduce((n, r) => n + r.length, 0);
      assert.ok(total > 0 && total <= 12, `${name}: ${total} bytes changed`);
    }
    assert.equal(entry(report, 'rocket.jpg').actions[0]!.description,
      'Set the density to 300 dpi in the JFIF header; the compressed pixels are not touched. At 300 dpi it prints at 5.4 x 3.6 cm.');
    assert.deepEqual(entry(report, 'rocket.jpg').changedBytes, [{ offset: 14, length: 4 }]);
  });

  it('renames a JPEG named .png to .jpg and keeps its bytes apart from the density', async () => {
    const f = entry(report, 'hopper.png');
    assert.equal(path.basename(f.output!), 'hopper.jpg');
    assert.deepEqual(f.actions.map((a) => a.kind), ['set-density', 'rename']);
    assert.ok(await samePixels(path.join(photos, 'hopper.png'), f.output!));
  });

  it('refuses to fix a damaged file and says why', () => {
    const f = entry(report, 'truncated.jpg');
    assert.equal(f.output, null);
    assert.match(f.error!, /^Not fixed: The file is damaged: cut off/);
  });

  it('previews without writing anything', async () => {
    const preview = path.join(work.dir, 'preview');
    const r = await call(env.core, 'check.fix', { paths: [path.join(photos, 'kite.jpg'), path.join(photos, 'chelsea.png')], profileId: 'cpcc-photo', outDir: preview, dryRun: true });
    assert.deepEqual(r.files.map((f) => [f.status, f.after, path.basename(f.output!)]), [['planned', 'pass', 'kite.jpg'], ['planned', 'pass', 'chelsea.png']]);
    assert.match(r.files[0]!.actions[0]!.description, /^Set the density to 300 dpi in the JFIF and EXIF headers; the compressed pixels are not touched\. At 300 dpi it prints at 21\.7 x 13\.5 cm\.$/);
    await assert.rejects(fs.access(preview));
  });
});

describe('conversions, re-encoding and the size cap', () => {
  let dir: string;
  before(async () => {
    dir = path.join(work.dir, 'convert');
    await fs.mkdir(dir);
    const chelsea = sharp(corpusFile('chelsea.png'));
    await chelsea.clone().tiff({ compression: 'lzw' }).toFile(path.join(dir, 'cat.tif'));
    await chelsea.clone().webp({ lossless: true }).toFile(path.join(dir, 'cat.webp'));
    await chelsea.clone().gif().toFile(path.join(dir, 'cat.gif'));
    await sharp(corpusFile('rocket.jpg')).toColourspace('cmyk').withMetadata({ density: 300 }).withIccProfile('cmyk').jpeg({ quality: 90 }).toFile(path.join(dir, 'cmyk.jpg'));
  });

  it('converts TIFF, WebP and GIF to PNG without changing a pixel (cpcc-photo)', async () => {
    const out = path.join(work.dir, 'converted');
    const r = await call(env.core, 'check.fix', { paths: ['cat.tif', 'cat.webp', 'cat.gif'].map((n) => path.join(dir, n)), profileId: 'cpcc-photo', outDir: out });
    for (const f of r.files) {
      assert.equal(f.status, 'fixed', f.name);
      assert.equal(f.after, 'pass', `${f.name}: ${f.remaining.join(' ')}`);
      assert.equal(path.extname(f.output!), '.png');
      assert.ok(f.actions[0]!.lossless, f.actions[0]!.description);
      assert.ok(await samePixels(f.path, f.output!), `${f.name}: pixels changed`);
    }
    assert.match(r.files[0]!.actions[0]!.description, /^Convert TIFF to PNG without loss \(pixel values identical\)/);
  });

  it('reads BMP itself (libvips here cannot) and converts it to PNG without changing a pixel', async () => {
    const { data, info } = await sharp(corpusFile('chelsea.png')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const file = path.join(dir, 'cat.bmp');
    await fs.writeFile(file, bmp24(info.width, info.height, data));
    const checked = await call(env.core, 'check.run', { paths: [file], profileId: 'cpcc-photo' });
    assert.deepEqual([checked.files[0]!.facts.width, checked.files[0]!.facts.density.dpi?.x.toFixed(1), checked.files[0]!.facts.intact.ok], [451, '72.0', true]);
    const r = await call(env.core, 'check.fix', { paths: [file], profileId: 'cpcc-photo', outDir: path.join(work.dir, 'bmp') });
    const f = r.files[0]!;
    assert.equal(f.after, 'pass', f.remaining.join(' '));
    const png = await sharp(f.output!).raw().toBuffer();
    assert.ok(png.equals(data));
    const cut = await fs.readFile(file);
    await fs.writeFile(path.join(dir, 'cut.bmp'), cut.subarray(0, cut.length - 1000));
    const damaged = await call(env.core, 'check.run', { paths: [path.join(dir, 'cut.bmp')], profileId: 'cpcc-photo' });
    assert.match(damaged.files[0]!.rules.find((x) => x.id === 'intact')!.reason, /cut off: the header declares/);
  });

  it('sets the density of a 16-bit PNG without touching a sample', async () => {
    const file = path.join(dir, 'deep.png');
    await fs.writeFile(file, png16(64, 48, (x, y, c) => x * 997 + y * 31 + c * 7001));
    const r = await call(env.core, 'check.fix', { paths: [file], profileId: 'cpcc-photo', outDir: path.join(work.dir, 'deep') });
    const f = r.files[0]!;
    assert.equal(f.after, 'pass');
    assert.deepEqual(f.changedBytes, [{ offset: 33, length: 21 }]);
    assert.ok(await samePixels(file, f.output!));
  });

  it('converts AVIF (which sharp decodes) to PNG', async () => {
    const file = path.join(dir, 'cat.avif');
    await sharp(corpusFile('chelsea.png')).avif({ quality: 60 }).toFile(file);
    const r = await call(env.core, 'check.fix', { paths: [file], profileId: 'cpcc-photo', outDir: path.join(work.dir, 'avif') });
    assert.equal(r.files[0]!.after, 'pass', r.files[0]!.remaining.join(' '));
    assert.ok(await samePixels(file, r.files[0]!.output!));
  });

  it('converts to JPEG at the profile quality where the profile says so (usco-group-photo)', async () => {
    const r = await call(env.core, 'check.fix', { paths: [corpusFile('coffee.png')], profileId: 'usco-group-photo', outDir: path.join(work.dir, 'usco') });
    const f = r.files[0]!;
    assert.equal(f.after, 'pass');
    assert.equal(path.extname(f.output!), '.jpg');
    assert.equal(f.actions[0]!.quality, 95);
    assert.equal(f.actions[0]!.lossless, false);
  });

  it('converts CMYK to sRGB only when re-encoding is allowed', async () => {
    const cmyk = path.join(dir, 'cmyk.jpg');
    const no = await call(env.core, 'check.fix', { paths: [cmyk], profileId: 'cpcc-photo', outDir: path.join(work.dir, 'cmyk-no') });
    assert.equal(no.files[0]!.status, 'unchanged');
    assert.match(no.files[0]!.remaining[0]!, /CMYK/);
    const yes = await call(env.core, 'check.fix', { paths: [cmyk], profileId: 'cpcc-photo', outDir: path.join(work.dir, 'cmyk-yes'), allowReencode: true });
    const f = yes.files[0]!;
    assert.equal(f.after, 'pass');
    assert.equal((await sharp(f.output!).metadata()).space, 'srgb');
    assert.equal(f.actions[0]!.kind, 'colour');
  });

  it('shrinks to the size cap only when allowed, and reports the quality used', async () => {
    const cpcc = (await call(env.core, 'check.profiles', {})).profiles.find((p) => p.profile.id === 'cpcc-photo')!.profile;
    const tight: ProfileInput = { ...cpcc, id: 'cpcc-60k', basedOn: cpcc.id, rules: cpcc.rules.map((x) => (x.kind === 'maxFileSize' ? { ...x, bytes: 60_000 } : x)) };
    await call(env.core, 'check.saveProfile', { profile: tight });
    const no = await call(env.core, 'check.fix', { paths: [corpusFile('rocket.jpg')], profileId: 'cpcc-60k', outDir: path.join(work.dir, 'cap-no') });
    assert.equal(no.files[0]!.after, 'fail');
    assert.ok(no.files[0]!.remaining.some((x) => /cap is 0\.06 MB/.test(x)));
    const yes = await call(env.core, 'check.fix', { paths: [corpusFile('rocket.jpg')], profileId: 'cpcc-60k', outDir: path.join(work.dir, 'cap-yes'), allowReencode: true });
    const f = yes.files[0]!;
    assert.equal(f.after, 'pass', f.remaining.join(' '));
    const shrink = f.actions.find((a) => a.kind === 'shrink')!;
    assert.ok(shrink.quality! >= 40 && shrink.quality! < 95);
    assert.match(shrink.description, new RegExp(`^Re-encode as JPEG at quality ${shrink.quality} to fit under 0\\.06 MB`));
    assert.ok((await fs.stat(f.output!)).size <= 60_000);
  });

  it('is what fixFiles (the bundles feature) calls', async () => {
    const r = await fixFiles(env.core.deps, [corpusFile('rocket.jpg')], 'cpcc-photo', path.join(work.dir, 'api'));
    assert.equal(r.files[0]!.after, 'pass');
  });
});

describe('fixes of library images', () => {
  it('creates a derived version with a provenance event and leaves the original alone', async () => {
    const imported = await call(env.core, 'library.import', { paths: [corpusFile('rocket.jpg'), corpusFile('wine.jpg')] });
    const [rocket, wine] = imported.imported;
    const checked = await call(env.core, 'check.run', { imageIds: [rocket!.id, wine!.id], profileId: 'cpcc-photo' });
    assert.deepEqual(checked.files.map((f) => [f.name, f.title, f.verdict]), [['rocket.jpg', 'rocket', 'fail'], ['wine.jpg', 'wine', 'pass']]);

    const r = await call(env.core, 'check.fix', { imageIds: [rocket!.id, wine!.id], profileId: 'cpcc-photo', target: 'library' });
    const f = r.files[0]!;
    assert.equal(f.status, 'fixed');
    assert.ok(f.derivedImageId && f.derivedImageId !== rocket!.id);
    assert.equal(r.files[1]!.status, 'unchanged');

    const original = await call(env.core, 'library.get', { id: rocket!.id });
    assert.deepEqual(original.history.map((e) => e.type), ['imported', 'checked', 'fixed']);
    assert.equal(original.history[1]!.data.verdict, 'fail');
    assert.equal(original.history[2]!.data.derivedImageId, f.derivedImageId);
    assert.equal(original.history[2]!.data.lossless, true);
    assert.equal(original.item.density?.x, 72);
    const derived = await call(env.core, 'library.get', { id: f.derivedImageId! });
    assert.deepEqual(derived.item.density, { x: 300, y: 300, unit: 'inch', source: 'jfif' });
    assert.equal(derived.item.title, 'rocket (cpcc-photo)');
    assert.deepEqual(derived.history.map((e) => e.type), ['imported', 'derived']);
    assert.ok(await samePixels(corpusFile('rocket.jpg'), (await call(env.core, 'library.originalPath', { id: f.derivedImageId! })).path));
    assert.equal((await call(env.core, 'library.verify', {})).ok, true);
  });
});

describe('writing new files', () => {
  it('never replaces a file, even when two writers race for the same name', async () => {
    const dir = path.join(work.dir, 'race');
    const written = await Promise.all(Array.from({ length: 8 }, (_, i) => writeNew(dir, 'same.jpg', Buffer.from(`writer ${i}`))));
    assert.equal(new Set(written).size, 8);
    const contents = await Promise.all(written.map((p) => fs.readFile(p, 'utf8')));
    assert.deepEqual(contents.sort(), Array.from({ length: 8 }, (_, i) => `writer ${i}`).sort());
    assert.deepEqual((await fs.readdir(dir)).filter((n) => n.startsWith('.')), []);
  });
});

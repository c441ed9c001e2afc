import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { CheckReport, FileCheck, ProfileInput } from '../../../electron/contract/index.ts';
import { checkFiles } from '../../../electron/core/compliance/api.ts';
import { copyCorpus, corpusFile, pngHeaderOnly, tempDir } from '../../helpers/corpus.ts';
import { call, testCore } from '../../helpers/core.ts';
import { dispatch } from '../../../electron/contract/dispatch.ts';
import { setJpegDensity } from '../../../electron/core/compliance/jpeg.ts';
import { exifResolution, png16, withJpegSegment, withoutPngChunks } from '../../helpers/check-images.ts';

let env: Awaited<ReturnType<typeof testCore>>;
let work: { dir: string; cleanup: () => Promise<void> };
let report: CheckReport;

const byName = (r: CheckReport, name: string): FileCheck => {
  const f = r.files.find((x) => x.name === name);
  assert.ok(f, `${name} is in the report`);
  return f;
};
const rule = (f: FileCheck, id: string) => f.rules.find((r) => r.id === id)!;

before(async () => {
  env = await testCore();
  work = await tempDir('proofmark-check-');
  const photos = path.join(work.dir, 'photos');
  await copyCorpus(photos);
  // The edge cases of the issue, as real files next to the corpus.
  const autumn = await fs.readFile(corpusFile('autumn.jpg'));
  await fs.writeFile(path.join(photos, 'truncated.jpg'), autumn.subarray(0, Math.floor(autumn.length / 2)));
  await fs.writeFile(path.join(photos, 'empty.jpg'), new Uint8Array(0));
  await fs.writeFile(path.join(photos, 'huge.png'), pngHeaderOnly(40_000, 40_000));
  await fs.copyFile(corpusFile('grace_hopper.jpg'), path.join(photos, 'hopper-named.png'));
  await fs.writeFile(path.join(photos, 'no-phys.png'), withoutPngChunks(await fs.readFile(corpusFile('coffee.png')), ['pHYs']));
  await fs.writeFile(path.join(photos, 'deep.png'), png16(300, 200, (x, y, c) => x * 200 + y * 90 + c * 4000));
  await sharp(corpusFile('rocket.jpg')).toColourspace('cmyk').withMetadata({ density: 300 }).withIccProfile('cmyk').jpeg({ quality: 90 }).toFile(path.join(photos, 'cmyk.jpg'));
  report = await call(env.core, 'check.run', { paths: [photos], profileId: 'cpcc-photo' });
});

after(async () => {
  await env.close();
  await work.cleanup();
});

describe('check.run with cpcc-photo on the corpus and the edge cases', () => {
  it('gives the right verdict for every file', () => {
    const verdicts = Object.fromEntries(report.files.map((f) => [f.name, f.verdict]));
    assert.deepEqual(verdicts, {
      'astronaut.png': 'pass', // 11811 px/m = 118.11 px/cm = 300 dpi
      'autumn.jpg': 'fail', // 299 dpi
      'chelsea.png': 'fail', // 72 dpi
      'cmyk.jpg': 'warn', // CMYK colours
      'coffee.png': 'fail', // 96 dpi
      'colorful-cups.jpg': 'pass', // 350 dpi
      'deep.png': 'fail', // 16-bit PNG without pHYs
      'empty.jpg': 'fail',
      'grace_hopper.jpg': 'fail', // 96 dpi
      'hopper-named.png': 'fail', // JPEG bytes, .png name, 96 dpi
      'huge.png': 'fail', // over the pixel limit
      'kite.jpg': 'fail', // units undefined
      'kleiber.jpg': 'fail', // 300 dpi but 4.2 MB, over the (unconfirmed) 2 MB cap
      'no-phys.png': 'fail',
      'path.jpg': 'fail', // units undefined
      'rocket.jpg': 'fail', // 72 dpi
      'seeding.jpg': 'fail', // 72 dpi
      'truncated.jpg': 'fail', // damaged
      'wine.jpg': 'pass', // 300 dpi
    });
    assert.deepEqual(report.summary, { total: 19, pass: 3, warn: 1, fail: 15, fixable: 13, verdict: 'fail' });
  });

  it('says why in plain sentences with numbers', () => {
    assert.equal(rule(byName(report, 'rocket.jpg'), 'density').reason,
      'Density is 72 dpi; the rule needs at least 300 dpi. At 300 dpi this photo prints at 5.4 x 3.6 cm. The fix sets 300 dpi in the header without touching the pixels.');
    assert.match(rule(byName(report, 'autumn.jpg'), 'density').reason, /^Density is 299 dpi; the rule needs at least 300 dpi\. At 300 dpi this photo prints at 21\.7 x 13\.5 cm\./);
    assert.match(rule(byName(report, 'kite.jpg'), 'density').reason, /300 x 300 with units undefined \(JFIF and EXIF\): that is only an aspect ratio, not a density/);
    assert.match(rule(byName(report, 'astronaut.png'), 'density').reason, /^Density is 11811 px\/m \(118\.11 px\/cm, 300 dpi\)/);
    assert.equal(rule(byName(report, 'colorful-cups.jpg'), 'density').measured, '350 dpi');
    assert.match(rule(byName(report, 'no-phys.png'), 'density').reason, /stores no density \(no pHYs chunk\)/);
    assert.match(rule(byName(report, 'kleiber.jpg'), 'size-cap').reason, /4\.18 MB; the cap is 2 MB.*unconfirmed/);
    assert.ok(rule(byName(report, 'rocket.jpg'), 'density').reasonZh.includes('规则要求至少 300 dpi'));
  });

  it('judges the format by the bytes and warns about the name', () => {
    const f = byName(report, 'hopper-named.png');
    assert.equal(f.facts.format, 'jpeg');
    assert.equal(rule(f, 'format').status, 'pass');
    assert.equal(rule(f, 'extension').status, 'warn');
    assert.equal(rule(f, 'extension').fix, 'rename');
  });

  it('warns about CMYK and needs permission to re-encode it', () => {
    const f = byName(report, 'cmyk.jpg');
    assert.equal(rule(f, 'colour').status, 'warn');
    assert.match(rule(f, 'colour').reason, /stored as CMYK \(4 channels/);
    assert.equal(rule(f, 'density').status, 'pass');
    assert.deepEqual([f.fixable, f.needsReencode], [true, true]);
  });

  it('fails a truncated file as damaged, not as a density problem', () => {
    const f = byName(report, 'truncated.jpg');
    assert.equal(rule(f, 'intact').status, 'fail');
    assert.match(rule(f, 'intact').reason, /^The file is damaged: cut off/);
    assert.equal(rule(f, 'density').status, 'skip');
    assert.equal(f.rules.filter((r) => r.status === 'fail').length, 1);
    assert.equal(f.fixable, false);
  });

  it('reports the empty file and the 40000 x 40000 PNG, and nothing else is affected', () => {
    assert.equal(rule(byName(report, 'empty.jpg'), 'readable').reason, 'The file is empty (0 bytes).');
    const huge = byName(report, 'huge.png');
    assert.match(rule(huge, 'readable').reason, /40000 x 40000 pixels \(1600 MP\), over the 250 MP limit/);
    assert.ok(huge.rules.slice(1).every((r) => r.status === 'skip'));
    assert.equal(byName(report, 'wine.jpg').verdict, 'pass');
  });

  it('names a path that does not exist, in English and in Chinese, and checks the rest', async () => {
    const nowhere = path.join(work.dir, 'no-such-folder');
    const r = await call(env.core, 'check.run', { paths: [nowhere, path.join(work.dir, 'photos', 'wine.jpg')], profileId: 'cpcc-photo' });
    const missing = r.files.find((f) => f.path === nowhere)!;
    assert.equal(missing.verdict, 'fail');
    assert.equal(rule(missing, 'readable').reason, `${nowhere} does not exist.`);
    assert.equal(rule(missing, 'readable').reasonZh, `${nowhere} 不存在。`);
    assert.equal(byName(r, 'wine.jpg').verdict, 'pass');
  });

  it('lets EXIF count when EXIF and JFIF disagree, reports both, and warns', async () => {
    const rocket = await fs.readFile(corpusFile('rocket.jpg')); // JFIF 72 dpi
    const dir = path.join(work.dir, 'disagree');
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, 'exif300.jpg'), withJpegSegment(rocket, exifResolution(300, 300, 2, false), 20));
    await fs.writeFile(path.join(dir, 'exif72.jpg'), withJpegSegment(setJpegDensity(rocket, 300).bytes, exifResolution(72, 72, 2, true), 20));
    const r = await call(env.core, 'check.run', { paths: [dir], profileId: 'cpcc-photo' });
    const warn = rule(byName(r, 'exif300.jpg'), 'density');
    assert.equal(warn.status, 'warn');
    assert.match(warn.reason, /^Density is 300 dpi in EXIF, but JFIF says 72 dpi\. Most programs show the EXIF value/);
    assert.deepEqual(byName(r, 'exif300.jpg').facts.density.declarations.map((d) => `${d.source} ${d.x}`), ['jfif 72', 'exif 300']);
    const fail = rule(byName(r, 'exif72.jpg'), 'density');
    assert.equal(fail.status, 'fail');
    assert.match(fail.reason, /^Density is 72 dpi in EXIF \(which counts; JFIF says 300 dpi\); the rule needs at least 300 dpi/);
  });

  it('reads a 16-bit PNG', () => {
    const f = byName(report, 'deep.png');
    assert.deepEqual([f.facts.bitDepth, f.facts.channels, f.facts.colourModel], [16, 3, 'rgb']);
    assert.match(rule(f, 'readable').reason, /^PNG, 300 x 200 px, 16 bits per channel, 3 channels\.$/);
    assert.match(rule(f, 'density').reason, /no pHYs chunk/);
  });

  it('reports the facts a person needs', () => {
    const f = byName(report, 'kite.jpg').facts;
    assert.equal(f.capturedAt, '2015-07-21T16:17:44');
    assert.deepEqual([f.width, f.height, f.bitDepth, f.colourModel, f.extensionMatches], [2560, 1600, 8, 'rgb', true]);
    assert.deepEqual([f.printSize?.dpi, f.printSize?.widthCm.toFixed(2), f.printSize?.heightCm.toFixed(2), f.printSize?.widthIn.toFixed(2)], [300, '21.67', '13.55', '8.53']);
  });

  it('gives the same answers through checkFiles, which the bundles feature calls', async () => {
    const direct = await checkFiles(env.core.deps, [path.join(work.dir, 'photos')], 'cpcc-photo');
    assert.deepEqual(direct.files.map((f) => [f.name, f.verdict]), report.files.map((f) => [f.name, f.verdict]));
  });

  it('decodes fully only when asked, and then still agrees', async () => {
    const photos = path.join(work.dir, 'photos');
    const full = await call(env.core, 'check.run', { paths: [path.join(photos, 'rocket.jpg'), path.join(photos, 'truncated.jpg')], profileId: 'cpcc-photo', integrity: true });
    assert.equal(full.integrity, true);
    assert.equal(full.files[0]!.facts.intact.method, 'decode');
    assert.equal(full.files[1]!.facts.intact.ok, false);
  });
});

describe('jobs', () => {
  it('reports progress per file and can be cancelled', async () => {
    const dir = path.join(work.dir, 'many');
    await fs.mkdir(dir);
    const rocket = await fs.readFile(corpusFile('rocket.jpg'));
    for (let i = 0; i < 200; i++) await fs.writeFile(path.join(dir, `r${i}.jpg`), rocket);
    const controller = new AbortController();
    const seen: number[] = [];
    const result = await dispatch(env.core.handlers, 'check.run', { paths: [dir] }, {
      signal: controller.signal,
      progress: (p) => {
        seen.push(p.done);
        if (p.done > 0) controller.abort();
      },
    });
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.error.code, 'cancelled');
    assert.ok(seen.some((d) => d > 0 && d < 200), seen.join(','));
    const done = await call(env.core, 'check.run', { paths: [dir] }, (p) => seen.push(p.done));
    assert.equal(done.summary.total, 200);
    assert.equal(seen.at(-1), 200);
  });
});

describe('other profiles', () => {
  it('amazon-main: long side, white background and no visible mark', async () => {
    const dir = path.join(work.dir, 'amazon');
    await fs.mkdir(dir);
    // A product cut from a real photo, pasted on a white canvas.
    const product = await sharp(corpusFile('coffee.png')).extract({ left: 150, top: 60, width: 300, height: 280 }).toBuffer();
    await sharp({ create: { width: 1200, height: 1200, channels: 3, background: '#ffffff' } }).composite([{ input: product, left: 450, top: 460 }]).jpeg({ quality: 92 }).toFile(path.join(dir, 'on-white.jpg'));
    await fs.copyFile(corpusFile('colorful-cups.jpg'), path.join(dir, 'scene.jpg'));
    await fs.copyFile(corpusFile('rocket.jpg'), path.join(dir, 'small.jpg'));
    const r = await call(env.core, 'check.run', { paths: [dir], profileId: 'amazon-main' });
    const onWhite = byName(r, 'on-white.jpg');
    assert.equal(onWhite.verdict, 'pass', JSON.stringify(onWhite.rules.filter((x) => x.status !== 'pass')));
    assert.equal(rule(byName(r, 'scene.jpg'), 'white-background').status, 'fail');
    assert.match(rule(byName(r, 'small.jpg'), 'long-side').reason, /^The long side is 640 px; the rule needs at least 1000 px/);
    assert.equal(rule(onWhite, 'no-visible-mark').status, 'pass');
  });

  it('marketplace-main: square and at least 800 x 800', async () => {
    const r = await call(env.core, 'check.run', { paths: [corpusFile('astronaut.png'), corpusFile('wine.jpg')], profileId: 'marketplace-main' });
    assert.match(rule(r.files[0]!, 'min-size').reason, /512 x 512 px; the rule needs at least 800 x 800 px/);
    assert.equal(rule(r.files[0]!, 'square').status, 'pass');
    assert.match(rule(r.files[1]!, 'square').reason, /2560 x 3837 px \(1\.50:1\), not square/);
  });

  it('usco-group-photo: one format per group, at most N files', async () => {
    const dir = path.join(work.dir, 'usco');
    await copyCorpus(dir, ['rocket.jpg', 'wine.jpg', 'chelsea.png']);
    await sharp(corpusFile('coffee.png')).tiff().toFile(path.join(dir, 'coffee.tif'));
    const r = await call(env.core, 'check.run', { paths: [dir], profileId: 'usco-group-photo' });
    assert.equal(rule(byName(r, 'chelsea.png'), 'format').status, 'fail');
    assert.match(rule(byName(r, 'coffee.tif'), 'one-format').reason, /mostly JPEG \(2 of 4 files\) but this file is TIFF.*converts it to JPEG/);
    assert.equal(rule(byName(r, 'wine.jpg'), 'one-format').status, 'pass');
    assert.equal(r.group.find((g) => g.id === 'one-format')?.status, 'fail');
    assert.equal(r.group.find((g) => g.id === 'max-files')?.status, 'pass');

    const usco = (await call(env.core, 'check.profiles', {})).profiles.find((p) => p.profile.id === 'usco-group-photo')!.profile;
    const small: ProfileInput = { ...usco, id: 'usco-three', basedOn: usco.id, rules: usco.rules.map((x) => (x.kind === 'maxFiles' ? { ...x, count: 3 } : x)) };
    await call(env.core, 'check.saveProfile', { profile: small });
    const r3 = await call(env.core, 'check.run', { paths: [dir], profileId: 'usco-three' });
    assert.match(r3.group.find((g) => g.id === 'max-files')!.reason, /^The group has 4 files; at most 3 are allowed\. Split it into 2 groups\./);
    assert.equal(r3.summary.verdict, 'fail');
  });
});

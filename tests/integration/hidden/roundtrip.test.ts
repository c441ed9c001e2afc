// The hidden mark through the real core (SQLite library, worker pool, sharp) on real corpus photos,
// downscaled to about 1.2 MP to keep the suite fast; the full-size numbers are in the benchmark.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { detectHiddenInBytes, embedHiddenInRaw } from '../../../electron/core/watermark/hidden/api.ts';
import { call, testCore } from '../../helpers/core.ts';
import { corpusFile, corpusNames, tempDir } from '../../helpers/corpus.ts';
import { attacks, type Raw } from '../../helpers/hidden-attacks.ts';

type TestCore = Awaited<ReturnType<typeof testCore>>;
let a: TestCore;
let b: TestCore;
let dir: string;
let cleanup: () => Promise<void>;

before(async () => {
  a = await testCore();
  b = await testCore();
  ({ dir, cleanup } = await tempDir('proofmark-hidden-'));
});
after(async () => {
  await a.close();
  await b.close();
  await cleanup();
});

async function photo(name: string, long = 1400): Promise<Raw> {
  const { data, info } = await sharp(corpusFile(name)).resize(long, long, { fit: 'inside' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: info.channels };
}

const bytesOf = (buf: Buffer) => new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);

test('round trips under the attacks copycats use, on three corpus photos', async () => {
  const chosen = ['autumn.jpg', 'wine.jpg', 'seeding.jpg'];
  const names = ['JPEG 50', 'resize 30%', 'crop 60% off-centre', 'rotate 90', 'screenshot (1080 px, JPEG 85)', 'marketplace (60% on white square)', 'brightness x1.3'];
  const misses: string[] = [];
  const own = await call(a.core, 'hidden.key.info', { create: true });
  for (const [i, name] of chosen.entries()) {
    const raw = await photo(name);
    const marked = await embedHiddenInRaw(a.core.deps, raw, 300 + i);
    assert.ok(marked.psnr >= 40, `${name}: PSNR ${marked.psnr}`);
    assert.equal(marked.notice, undefined);
    assert.notEqual(marked.data, raw.data, 'the input pixels are not changed in place');
    const mraw: Raw = { data: marked.data, width: marked.width, height: marked.height, channels: marked.channels };
    for (const attack of names) {
      const r = await detectHiddenInBytes(a.core.deps, bytesOf(await attacks[attack]!(mraw)));
      if (!(r.found && r.ownerId === own.own!.ownerId && r.imageId === 300 + i)) misses.push(`${name}/${attack} (z ${r.pilotZ})`);
      else {
        assert.equal(r.ownKey, true);
        assert.ok(r.confidence > 0.999999);
        assert.match(r.falseMatchOdds!, /1 in 10\^\d+/);
      }
    }
  }
  // At most one miss in 21 attacked copies (the benchmark holds the per-attack rates).
  assert.ok(misses.length <= 1, `missed: ${misses.join(', ')}`);
});

test('never names an owner: unmarked photos, their crops and rescalings, and another owner\'s marks', async () => {
  await call(a.core, 'hidden.key.info', { create: true });
  const found: string[] = [];
  const names = await corpusNames();
  for (const name of names) {
    const bytes = await fs.readFile(corpusFile(name));
    for (const variant of [await sharp(bytes).resize(500).jpeg({ quality: 70 }).toBuffer(), await sharp(bytes).extract({ left: 0, top: 0, width: 256, height: 256 }).png().toBuffer()]) {
      const r = await detectHiddenInBytes(a.core.deps, bytesOf(variant));
      if (r.found) found.push(name);
      assert.equal(r.ownerId, null);
    }
  }
  // Library B marks with its own key; library A must not read it.
  for (const name of ['kite.jpg', 'path.jpg']) {
    const raw = await photo(name, 1200);
    const marked = await embedHiddenInRaw(b.core.deps, raw, 77);
    const jpg = await sharp(marked.data, { raw: { width: marked.width, height: marked.height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
    const mine = await detectHiddenInBytes(a.core.deps, bytesOf(jpg));
    if (mine.found) found.push(`other owner ${name}`);
    const theirs = await detectHiddenInBytes(b.core.deps, bytesOf(jpg));
    assert.ok(theirs.found && theirs.imageId === 77, 'the owner itself does read it');
  }
  assert.deepEqual(found, []);
});

test('key backup: export, import on another library (detect only, then for embedding)', async () => {
  const c = await testCore();
  try {
    const src = path.join(dir, 'k-in.jpg');
    await sharp(corpusFile('kleiber.jpg')).resize(1200).jpeg({ quality: 90 }).toFile(src);
    const out = path.join(dir, 'k-out.jpg');
    const embedded = await call(a.core, 'hidden.embed', { input: src, output: out, imageId: 4242 });
    assert.ok(embedded.psnr >= 40);
    // C has its own key and does not know A's.
    await call(c.core, 'hidden.key.info', { create: true });
    assert.equal((await call(c.core, 'hidden.detect', { path: out })).found, false);
    const backup = path.join(dir, 'a-key.json');
    const exported = await call(a.core, 'hidden.key.export', { path: backup });
    assert.equal(exported.ownerId, embedded.ownerId);
    assert.ok(!exported.text.includes('undefined'));
    await assert.rejects(call(a.core, 'hidden.key.export', { path: backup }), /already exists/);
    const imported = await call(c.core, 'hidden.key.import', { path: backup, label: 'Shop A' });
    assert.deepEqual({ added: imported.added, own: imported.own, ownerId: imported.ownerId }, { added: true, own: false, ownerId: embedded.ownerId });
    const seen = await call(c.core, 'hidden.detect', { path: out });
    assert.deepEqual([seen.found, seen.ownerId, seen.imageId, seen.ownKey, seen.keyLabel, seen.keysTried], [true, embedded.ownerId, 4242, false, 'Shop A', 2]);
    // Restoring the backup for embedding makes it C's own key; C's old key stays for detection.
    const again = await call(c.core, 'hidden.key.import', { text: exported.text, useForEmbedding: true });
    assert.deepEqual([again.added, again.own], [false, true]);
    const info = await call(c.core, 'hidden.key.info', {});
    assert.equal(info.own!.ownerId, embedded.ownerId);
    assert.equal(info.keys.length, 2);
    assert.ok(!JSON.stringify(info).includes(JSON.parse(exported.text).secret), 'key info never shows the secret');
    // Damaged or foreign backups are refused with a reason.
    const tampered = exported.text.replace(/"secret": "(.)/, (_m, c1: string) => `"secret": "${c1 === '0' ? '1' : '0'}`);
    await assert.rejects(call(c.core, 'hidden.key.import', { text: tampered }), /damaged|different key/);
    await assert.rejects(call(c.core, 'hidden.key.import', { text: 'hello' }), /not a ProofMark hidden-mark key/);
    await assert.rejects(call(c.core, 'hidden.key.import', { text: '{"format":"proofmark-hidden-key","version":1,"ownerId":0,"secret":"00"}' }), /owner id/);
  } finally {
    await c.close();
  }
});

test('library images: the mark carries the library id and detection names the title', async () => {
  const src = path.join(dir, 'teapot.jpg');
  await sharp(corpusFile('coffee.png')).resize(1000).jpeg({ quality: 92 }).toFile(src);
  const imported = await call(a.core, 'library.import', { paths: [src] });
  const id = imported.imported[0]!.id;
  await call(a.core, 'library.update', { id, title: 'Red teapot, front' });
  const out = path.join(dir, 'teapot-marked.webp');
  const e = await call(a.core, 'hidden.embed', { input: src, output: out });
  assert.equal(e.imageId, id, 'defaults to the library id of the same file');
  const shot = await sharp(out).resize(700).jpeg({ quality: 80 }).toBuffer();
  const r = await call(a.core, 'hidden.detect', { bytesBase64: shot.toString('base64') });
  assert.deepEqual([r.found, r.imageId, r.title, r.inLibrary], [true, id, 'Red teapot, front', true]);
  const history = await call(a.core, 'library.get', { id });
  assert.ok(history.history.some((ev) => ev.type === 'hidden-marked'));
});

test('product on white: the background stays pure white, the mark lives in the product; a smooth product gets a warning', async () => {
  const onWhite = async (file: string, left: number, top: number): Promise<Raw> => {
    const product = await sharp(corpusFile(file)).extract({ left, top, width: 1000, height: 1000 }).resize(700).png().toBuffer();
    const canvas = await sharp({ create: { width: 1400, height: 1400, channels: 3, background: '#ffffff' } }).composite([{ input: product, left: 350, top: 350 }]).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(canvas.data), width: canvas.info.width, height: canvas.info.height, channels: canvas.info.channels };
  };
  // A textured product (autumn leaves): found after JPEG 80.
  const raw = await onWhite('autumn.jpg', 800, 300);
  const marked = await embedHiddenInRaw(a.core.deps, raw, 9);
  let white = 0;
  let changedWhite = 0;
  for (let i = 0; i < raw.data.length; i += 3) {
    if (raw.data[i] !== 255 || raw.data[i + 1] !== 255 || raw.data[i + 2] !== 255) continue;
    white++;
    if (marked.data[i] !== 255 || marked.data[i + 1] !== 255 || marked.data[i + 2] !== 255) changedWhite++;
  }
  assert.ok(white > 1_000_000);
  assert.equal(changedWhite, 0, 'no white pixel changes');
  const jpg = await sharp(marked.data, { raw: { width: 1400, height: 1400, channels: 3 } }).jpeg({ quality: 80 }).toBuffer();
  const r = await detectHiddenInBytes(a.core.deps, bytesOf(jpg));
  assert.ok(r.found && r.imageId === 9, `pilot z ${r.pilotZ}`);
  // Smooth cups on white: little texture to hide the mark in, and the user is told so.
  const smooth = await embedHiddenInRaw(a.core.deps, await onWhite('colorful-cups.jpg', 700, 300), 10);
  assert.equal(smooth.notice?.code, 'hidden.flat');
  assert.match(smooth.notice.text, /flat/);
});

test('bad input: too small, flat, CMYK, 16-bit, grey, alpha, truncated and corrupt files', async () => {
  const tiny = path.join(dir, 'tiny.png');
  await sharp({ create: { width: 150, height: 400, channels: 3, background: '#808080' } }).png().toFile(tiny);
  await assert.rejects(call(a.core, 'hidden.embed', { input: tiny, output: path.join(dir, 'tiny-out.png') }), /150×400 px; the hidden mark needs at least 192 px on the shorter side/);

  const flat = path.join(dir, 'flat.png');
  await sharp({ create: { width: 800, height: 600, channels: 3, background: '#7f8fa0' } }).png().toFile(flat);
  const f = await call(a.core, 'hidden.embed', { input: flat, output: path.join(dir, 'flat-out.png') });
  assert.deepEqual(f.warnings.map((w) => w.code), ['hidden.flat']);
  assert.match(f.warnings[0]!.text, /flat/);

  const base = sharp(corpusFile('path.jpg')).resize(1000);
  const variants: [string, Buffer, RegExp | null][] = [
    ['cmyk.jpg', await base.clone().toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer(), /CMYK/],
    ['deep.png', await base.clone().toColourspace('rgb16').png().toBuffer(), /16-bit/],
    ['grey.png', await base.clone().toColourspace('b-w').png().toBuffer(), null],
    ['alpha.png', await base.clone().ensureAlpha(0.8).png().toBuffer(), null],
  ];
  for (const [name, bytes, warning] of variants) {
    const input = path.join(dir, name);
    await fs.writeFile(input, bytes);
    const output = path.join(dir, `marked-${name}`);
    const e = await call(a.core, 'hidden.embed', { input, output, imageId: 55 });
    if (warning) assert.match(e.warnings.map((w) => w.text).join(' '), warning, name);
    const d = await call(a.core, 'hidden.detect', { path: output });
    assert.ok(d.found && d.imageId === 55, `${name}: z ${d.pilotZ}`);
    if (name === 'grey.png') assert.equal((await sharp(output).metadata()).channels, 1, 'grey stays grey');
    if (name === 'alpha.png') assert.equal((await sharp(output).metadata()).hasAlpha, true, 'alpha is kept');
  }

  const good = await fs.readFile(path.join(dir, 'marked-cmyk.jpg'));
  const truncated = path.join(dir, 'truncated.jpg');
  await fs.writeFile(truncated, good.subarray(0, Math.floor(good.length / 3)));
  await assert.rejects(call(a.core, 'hidden.detect', { path: truncated }), (err: { info?: { code: string; message: string } }) => err.info?.code === 'damaged_file' && /damaged, truncated/.test(err.info.message));
  await assert.rejects(call(a.core, 'hidden.detect', { bytesBase64: Buffer.from('not an image at all').toString('base64') }), /cannot be read/);
  await assert.rejects(call(a.core, 'hidden.detect', { path: path.join(dir, 'missing.jpg') }), /Cannot read/);
  const small = await call(a.core, 'hidden.detect', { bytesBase64: (await sharp({ create: { width: 40, height: 40, channels: 3, background: '#000' } }).png().toBuffer()).toString('base64') });
  assert.equal(small.found, false);
  assert.match(small.warnings.map((w) => w.text).join(' '), /too small.*48 px/);
  assert.deepEqual(small.warnings.find((w) => w.code === 'hidden.too-small')?.values, { width: small.width, height: small.height, min: 48 });
  await assert.rejects(call(a.core, 'hidden.embed', { input: flat, output: path.join(dir, 'x.gif') }), /must end in/);
  await assert.rejects(call(a.core, 'hidden.embed', { input: flat, output: path.join(dir, 'flat-out.png') }), /already exists/);
});

test('batch export with the hidden option: hidden mark first, visible over it; the library id is read back', async () => {
  const src = path.join(dir, 'export-src.jpg');
  await sharp(corpusFile('seeding.jpg')).resize(1600).jpeg({ quality: 92 }).toFile(src);
  const imported = await call(a.core, 'library.import', { paths: [src] });
  const id = imported.imported[0]!.id;
  await call(a.core, 'library.update', { id, title: 'Seedlings' });
  const out = path.join(dir, 'export-out');
  const r = await call(a.core, 'watermark.export', { sources: { imageIds: [id] }, outDir: out, design: { text: { content: '© Shop' }, opacity: 0.5 }, hidden: true, format: 'jpeg', quality: 85 });
  assert.deepEqual(r.failed, []);
  assert.equal(r.exported[0]!.hiddenMark, true);
  const d = await call(a.core, 'hidden.detect', { path: r.exported[0]!.output });
  assert.deepEqual([d.found, d.imageId, d.title], [true, id, 'Seedlings']);
});

test('pixels on shared memory are marked in place only when asked; otherwise the input is left as it was', async () => {
  const { data, info } = await sharp(corpusFile('autumn.jpg')).resize(800).raw().toBuffer({ resolveWithObject: true });
  const shared = new Uint8Array(new SharedArrayBuffer(data.length));
  shared.set(data);
  const raw = { data: shared, width: info.width, height: info.height, channels: info.channels };
  const copied = await embedHiddenInRaw(a.core.deps, raw, 5);
  assert.notEqual(copied.data, shared);
  assert.ok(Buffer.from(shared.buffer).equals(data), 'the input is unchanged');
  const inPlace = await embedHiddenInRaw(a.core.deps, raw, 5, { inPlace: true });
  assert.equal(inPlace.data, shared);
  assert.ok(Buffer.from(shared.buffer).equals(Buffer.from(copied.data.buffer, copied.data.byteOffset, copied.data.byteLength)), 'the same mark as the copy');
});

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { ExportSettings, WatermarkDesign } from '../../../electron/contract/index.ts';
import { fillTokens, readExifFields } from '../../../electron/core/watermark/visible/tokens.ts';
import { fillNameTemplate, safeFileName, writeNoClobber } from '../../../electron/core/watermark/visible/output.ts';
import { corpusFile, tempDir } from '../../helpers/corpus.ts';
import { listFiles } from '../../helpers/watermark.ts';

test('text tokens: file name, title, date, year, owner, id and EXIF fields; a missing field is left out and reported', async () => {
  const bytes = await fs.readFile(corpusFile('colorful-cups.jpg'));
  const ctx = { filename: 'IMG_0042', title: 'Red teapot', owner: '张三', id: 12, now: new Date(2026, 2, 5, 10, 0, 0), exif: () => readExifFields(bytes) };
  const r = await fillTokens('© {year} {owner} #{id} {title}\n{filename} {date} {exif.Model} {exif.DateTimeOriginal} {exif.Artist}', ctx);
  assert.equal(r.text, '© 2026 张三 #12 Red teapot\nIMG_0042 2026-03-05 NEX-3N 2014-04-29 14:25:26');
  assert.deepEqual(r.missing, ['exif.Artist']);
  const disk = await fillTokens('{id} {owner} x', { ...ctx, id: null, owner: '' });
  assert.equal(disk.text, 'x');
  assert.deepEqual(disk.missing, ['id', 'owner']);
});

test('the contract refuses unknown tokens with the list of known ones', () => {
  const bad = WatermarkDesign.safeParse({ text: { content: '© {yaer}' } });
  assert.equal(bad.success, false);
  assert.match(bad.error!.issues[0]!.message, /\{yaer\} is not a known token; use \{filename\}.*\{exif\.<Field>\}/);
  assert.equal(WatermarkDesign.safeParse({ text: { content: '{exif.LensModel}' } }).success, true);
  const name = ExportSettings.safeParse({ outDir: '/tmp', nameTemplate: '{name}-{owner}' });
  assert.equal(name.success, false);
  assert.equal(WatermarkDesign.safeParse({}).success, false, 'a design without text or logo');
});

test('output names: template tokens, unsafe characters, Windows names, long names', () => {
  const f = { name: 'Red teapot, front', id: 7, n: 3, date: '2026-03-05', preset: 'Corner', format: 'jpeg' };
  assert.equal(fillNameTemplate('{name}', f), 'Red teapot, front');
  assert.equal(fillNameTemplate('{date}_{n}_{name}-{id}', f), '2026-03-05_003_Red teapot, front-7');
  assert.equal(fillNameTemplate('{name}-{id}', { ...f, id: null }), 'Red teapot, front');
  assert.equal(safeFileName('a/b\\c:d*e?"f<g>|h'), 'a_b_c_d_e__f_g__h');
  assert.equal(safeFileName('CON'), 'CON_');
  assert.equal(safeFileName('...hidden. '), 'hidden');
  assert.equal(safeFileName('茶壶'.repeat(100)).length <= 200 / 3 + 1, true);
  assert.equal(safeFileName(''), 'image');
});

test('writing never overwrites: taken names get -2, -3; no temp file is left; a failed write leaves nothing', async () => {
  const { dir, cleanup } = await tempDir();
  await fs.writeFile(path.join(dir, 'photo.jpg'), 'the source');
  const reserved = new Set<string>();
  const a = await writeNoClobber(dir, 'photo', 'jpg', [Buffer.from('one')], reserved);
  const b = await writeNoClobber(dir, 'photo', 'jpg', [Buffer.from('two')], reserved);
  const [c, d] = await Promise.all([
    writeNoClobber(dir, 'photo', 'jpg', [Buffer.from('three')], reserved),
    writeNoClobber(dir, 'photo', 'jpg', [Buffer.from('four')], reserved),
  ]);
  assert.deepEqual([a, b].map((p) => path.basename(p)), ['photo-2.jpg', 'photo-3.jpg']);
  assert.deepEqual([c, d].map((p) => path.basename(p)).sort(), ['photo-4.jpg', 'photo-5.jpg']);
  assert.equal(await fs.readFile(path.join(dir, 'photo.jpg'), 'utf8'), 'the source');
  assert.deepEqual(await listFiles(dir), ['photo-2.jpg', 'photo-3.jpg', 'photo-4.jpg', 'photo-5.jpg', 'photo.jpg']);
  // A folder where a file should go: the write fails and no temp file stays behind.
  await fs.writeFile(path.join(dir, 'blocked'), 'a file');
  await assert.rejects(writeNoClobber(path.join(dir, 'blocked', 'sub'), 'x', 'jpg', [Buffer.from('x')], reserved));
  assert.deepEqual((await listFiles(dir)).filter((f) => f.includes('proofmark-part')), []);
  await cleanup();
});

test('the pixel budget lets big images wait instead of decoding them side by side', async () => {
  const { byteBudget } = await import('../../../electron/core/watermark/visible/export.ts');
  const reserve = byteBudget(100);
  const order: string[] = [];
  const a = await reserve(60);
  const b = await reserve(30);
  const c = reserve(50).then((release) => (order.push('c'), release));
  const huge = reserve(500).then((release) => (order.push('huge'), release));
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(order, [], 'c waits while 90 of 100 are held');
  a();
  (await c)();
  assert.deepEqual(order, ['c']);
  b();
  // Larger than the whole budget: it runs once it is alone.
  (await huge)();
  assert.deepEqual(order, ['c', 'huge']);
});

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { runCli } from '../../helpers/cli.ts';
import { corpusFile, tempDir } from '../../helpers/corpus.ts';
import { makeScan } from '../../helpers/bundles.ts';
import { craftZip } from '../../helpers/zips.ts';

const EXAMPLES = path.resolve(import.meta.dirname, '..', '..', '..', 'resources', 'examples');

test('CLI: the example specs build bundles; verify exits 0 only when intact; bad specs exit 2 with nothing written', async (t) => {
  const { dir, cleanup } = await tempDir('proofmark-bundle-cli-');
  t.after(cleanup);
  const lib = ['--library', path.join(dir, 'library')];
  const imported = await runCli(['import', corpusFile('colorful-cups.jpg'), corpusFile('kite.jpg'), corpusFile('path.jpg'), ...lib, '--json']);
  assert.equal(imported.code, 0, imported.stderr);
  const items = (JSON.parse(imported.stdout) as { imported: { id: number; path: string }[] }).imported;
  const id = (name: string) => items.find((i) => i.path.endsWith(name))!.id;

  // The registration example, with this library's image ids; its relative scan paths resolve
  // against the spec's folder (a folder with Chinese characters and spaces).
  const specDir = path.join(dir, '我的 规格');
  const spec = JSON.parse(await fs.readFile(path.join(EXAMPLES, 'registration-series.json'), 'utf8')) as { images: { imageId: number }[] };
  spec.images[0]!.imageId = id('colorful-cups.jpg');
  spec.images[1]!.imageId = id('kite.jpg');
  spec.images[2]!.imageId = id('path.jpg');
  await makeScan(path.join(specDir, 'scans', 'id-front.jpg'));
  await makeScan(path.join(specDir, 'scans', 'id-back.jpg'));
  const specFile = path.join(specDir, 'cups spec.json');
  await fs.writeFile(specFile, JSON.stringify(spec));
  const out = path.join(dir, '输出 目录', '杯子 包');

  const refused = await runCli(['bundle', 'registration', '--spec', specFile, '--out', out, ...lib]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /2 samples fail the cpcc-photo profile; a lossless fix is available: build again with fixSamples \(CLI: --fix-samples\)/);
  await assert.rejects(fs.access(path.dirname(out)));

  const built = await runCli(['bundle', 'registration', '--spec', specFile, '--out', out, '--fix-samples', ...lib, '--json']);
  assert.equal(built.code, 0, built.stderr);
  const result = JSON.parse(built.stdout) as { bundleId: string; zip: string; files: { path: string }[] };
  assert.ok(result.files.some((f) => f.path === 'identity/owner-01-02.jpg'));
  assert.ok(!built.stdout.includes('11010519491231002X'), 'the ID number is not printed');

  const ok = await runCli(['verify', result.zip, ...lib, '--json']);
  assert.equal(ok.code, 0, ok.stdout);
  assert.equal((JSON.parse(ok.stdout) as { ok: boolean }).ok, true);
  const sample = path.join(out, 'samples', 'sample-01.jpg');
  const bytes = await fs.readFile(sample);
  bytes[bytes.length >> 1]! ^= 0xff;
  await fs.writeFile(sample, bytes);
  const changed = await runCli(['verify', out, ...lib]);
  assert.equal(changed.code, 1);
  assert.match(changed.stdout, /CHANGED[\s\S]*samples\/sample-01\.jpg was changed/);

  const again = await runCli(['bundle', 'registration', '--spec', specFile, '--out', out, '--fix-samples', ...lib]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already exists and is not empty; bundles are never overwritten/);

  // Missing fields: listed, exit 2, nothing written.
  const thin = path.join(dir, 'thin.json');
  await fs.writeFile(thin, JSON.stringify({ images: [{ imageId: id('kite.jpg') }], work: { title: '风筝' } }));
  const missing = await runCli(['bundle', 'registration', '--spec', thin, '--out', path.join(dir, 'thin-out'), ...lib]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /required fields are missing or invalid: work\.completedOn/);
  assert.match(missing.stderr, /owners: name at least one copyright owner/);
  const broken = path.join(dir, 'broken.json');
  await fs.writeFile(broken, '{"images": [');
  assert.equal((await runCli(['bundle', 'registration', '--spec', broken, '--out', path.join(dir, 'x'), ...lib])).code, 2);
  const typo = path.join(dir, 'typo.json');
  await fs.writeFile(typo, JSON.stringify({ images: [{ imageId: 1 }], work: { titel: 'x' } }));
  const typoRun = await runCli(['bundle', 'registration', '--spec', typo, '--out', path.join(dir, 'x'), ...lib]);
  assert.equal(typoRun.code, 2);
  assert.match(typoRun.stderr, /titel/);
  await assert.rejects(fs.access(path.join(dir, 'x')));
  await assert.rejects(fs.access(path.join(dir, 'thin-out')));

  // The complaint example: a saved complainant (#1), this library's original, evidence files beside the spec.
  const person = await runCli(['call', 'bundles.people.save', JSON.stringify({ name: '张三', address: '杭州市西湖区文三路 100 号', phone: '13800138000', email: 'zhangsan@example.com', roles: ['owner'] }), ...lib]);
  assert.equal(person.code, 0, person.stderr);
  const complaint = JSON.parse(await fs.readFile(path.join(EXAMPLES, 'complaint.json'), 'utf8')) as { originalId: number };
  complaint.originalId = id('colorful-cups.jpg');
  const evidence = path.join(specDir, 'evidence');
  await fs.mkdir(evidence);
  await sharp(corpusFile('colorful-cups.jpg')).extract({ left: 500, top: 200, width: 1200, height: 900 }).jpeg().toFile(path.join(evidence, 'taobao-main-image.jpg'));
  await sharp(corpusFile('colorful-cups.jpg')).resize(800).flop().jpeg().toFile(path.join(evidence, 'amazon-image.jpg'));
  await sharp({ create: { width: 1000, height: 1600, channels: 3, background: '#fafafa' } }).png().toFile(path.join(evidence, 'taobao-listing.png'));
  const complaintFile = path.join(specDir, 'complaint.json');
  await fs.writeFile(complaintFile, JSON.stringify(complaint));
  const c = await runCli(['bundle', 'complaint', '--spec', complaintFile, '--out', path.join(dir, '投诉'), ...lib]);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, /Built complaint bundle PMC-\d{8}-[0-9A-F]{6}/);
  assert.equal((await runCli(['verify', path.join(dir, '投诉.zip'), ...lib])).code, 0);

  // A hostile ZIP: exit 1, nothing extracted.
  const evil = path.join(dir, 'evil.zip');
  await fs.writeFile(evil, craftZip([{ name: '../../pwned.txt', data: 'x' }, { name: 'link', data: '/etc/passwd', symlink: true }]));
  const e = await runCli(['verify', evil, ...lib]);
  assert.equal(e.code, 1);
  assert.match(e.stdout, /climbs out of its folder/);
  assert.match(e.stdout, /symbolic link/);
  await assert.rejects(fs.access(path.join(path.dirname(dir), 'pwned.txt')));

  const draft = await runCli(['bundle', 'draft', 'registration', '--images', `${id('kite.jpg')}`, ...lib]);
  assert.equal(draft.code, 0, draft.stderr);
  assert.equal((JSON.parse(draft.stdout) as { work: { completedOn: string } }).work.completedOn, '2015-07-21');
  const listed = await runCli(['bundle', 'list', ...lib]);
  assert.match(listed.stdout, new RegExp(`${result.bundleId}\\s+registration\\s+changed`));
});

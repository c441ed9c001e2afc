import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import type { ComplaintSpecInput } from '../../../electron/contract/index.ts';
import { call, testCore } from '../../helpers/core.ts';
import { pngHeaderOnly, tempDir } from '../../helpers/corpus.ts';
import { assertWordedInChinese, importCorpus, pdfText, saveOwner, TEST_ID_NUMBER } from '../../helpers/bundles.ts';
import { embedHiddenFile } from '../../../electron/core/watermark/hidden/api.ts';

const sha = async (file: string) => crypto.createHash('sha256').update(await fs.readFile(file)).digest('hex');

/** What a shop that copied the photo would upload: cropped off-centre, mirrored, with its own text on top. */
async function infringingCopy(original: string, out: string): Promise<string> {
  const { width, height } = await sharp(original).metadata();
  const w = Math.round(width! * 0.6);
  const h = Math.round(height! * 0.6);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><text x="40" y="${h - 60}" font-size="90" font-family="DejaVu Sans" fill="white" fill-opacity="0.7">BEST PRICE 99</text></svg>`;
  const cropped = await sharp(original).extract({ left: Math.round(width! * 0.35), top: Math.round(height! * 0.1), width: w, height: h }).flop().toBuffer();
  await sharp(cropped).composite([{ input: Buffer.from(svg) }]).jpeg({ quality: 85 }).toFile(out);
  return out;
}

/** A full-page screenshot of a listing showing the copy. */
async function screenshot(suspect: string, out: string): Promise<string> {
  const page = sharp({ create: { width: 1280, height: 2600, channels: 3, background: '#f5f5f5' } });
  await page.composite([{ input: await sharp(suspect).resize(760).toBuffer(), left: 60, top: 240 }]).png().toFile(out);
  return out;
}

test('complaint bundle for a transformed copy: evidence in custody, letters per platform, DMCA notice, evidence report, signed', async (t) => {
  const env = await testCore();
  const { dir, cleanup } = await tempDir('proofmark-complaint-');
  t.after(async () => { await env.close(); await cleanup(); });
  const [id] = await importCorpus(env.core, ['colorful-cups.jpg']);
  const owner = await saveOwner(env.core, path.join(dir, 'scans'));
  const inbox = path.join(dir, '收到的 证据');
  await fs.mkdir(inbox);
  const suspect = await infringingCopy(env.core.deps.library.originalPath(id!), path.join(inbox, '盗图 副本.jpg'));
  const shot = await screenshot(suspect, path.join(inbox, '商品页 截图.png'));

  // Hashed on arrival, kept in the library read-only, capture time kept.
  const added = await call(env.core, 'bundles.complaint.addEvidence', { paths: [shot] });
  assert.deepEqual(added.errors, []);
  const ev = added.files[0]!;
  assert.equal(ev.sha256, await sha(shot));
  assert.equal(ev.capturedAtSource, 'file-time');
  assert.equal(ev.capturedAt, (await fs.stat(shot)).mtime.toISOString());
  assert.equal((await fs.stat(ev.path)).mode & 0o222, 0, 'the custody copy is read-only');

  const pre = await call(env.core, 'bundles.complaint.prefill', { originalId: id!, suspectPaths: [suspect] });
  assert.deepEqual(pre.spec.complainant, { personId: owner.id });
  assert.equal(pre.spec.signature.name, '张三');
  const spec: ComplaintSpecInput = {
    ...pre.spec,
    language: 'en',
    work: { ...pre.spec.work, title: '彩色杯子', dciNumber: 'DCI-0000-1234' },
    uses: [
      { ...pre.spec.uses[0]!, platform: 'alibaba', listingUrl: 'https://item.taobao.com/item.htm?id=681234567890', imageUrl: 'https://img.alicdn.com/imgextra/i1/O1CN01abc.jpg', shop: '杯子优选旗舰店', screenshots: [{ path: ev.path, sha256: ev.sha256 }] },
      { ...pre.spec.uses[0]!, platform: 'amazon', listingUrl: 'https://www.amazon.com/dp/B0CXYZ1234', itemId: 'B0CXYZ1234', shop: 'CupsWorld', screenshots: [] },
    ],
  };
  assert.deepEqual((await call(env.core, 'bundles.complaint.validate', { spec })).missing, []);

  const out = path.join(dir, 'out 输出', '投诉 包');
  const built = await call(env.core, 'bundles.complaint.build', { spec, outDir: out });
  const names = built.files.map((f) => f.path);
  assert.deepEqual(names.filter((n) => n.endsWith('.pdf')), ['01-evidence-report.pdf', '02-letter-alibaba.pdf', '03-letter-amazon.pdf', '04-dmca-notice.pdf']);
  for (const n of ['original/colorful-cups.jpg', 'uses/01/suspect.jpg', 'uses/01/screenshot-01.png', 'uses/02/suspect.jpg', 'evidence.json', 'identity/complainant-01.jpg', 'public-key.pem']) assert.ok(names.includes(n), n);
  // The camera original, byte for byte; the screenshot as received.
  assert.equal(await sha(path.join(out, 'original', 'colorful-cups.jpg')), await sha(env.core.deps.library.originalPath(id!)));
  assert.equal(await sha(path.join(out, 'uses', '01', 'screenshot-01.png')), ev.sha256);

  const evidence = JSON.parse(await fs.readFile(path.join(out, 'evidence.json'), 'utf8')) as {
    original: { sha256: string; capturedAt: string; provenance: { type: string }[]; dciNumber: string };
    uses: { listingUrl: string; screenshots: { sha256: string; capturedAt: string }[]; similarity: unknown; hiddenMark: unknown; comparison: { alignment: string; meanDifference: number } }[];
  };
  assert.equal(evidence.original.capturedAt, '2014-04-29T14:25:26');
  assert.equal(evidence.original.dciNumber, 'DCI-0000-1234');
  assert.deepEqual(evidence.original.provenance.map((e) => e.type), ['imported']);
  assert.equal(evidence.uses[0]!.screenshots[0]!.sha256, ev.sha256);
  assert.equal(evidence.uses[0]!.screenshots[0]!.capturedAt, ev.capturedAt);
  assert.ok(evidence.uses[0]!.comparison.meanDifference > 0 && evidence.uses[0]!.comparison.meanDifference < 1);

  // DMCA notice: all six elements of 17 U.S.C. 512(c)(3)(A), with this complaint's facts.
  const dmca = (await pdfText(path.join(out, '04-dmca-notice.pdf'))).replace(/\s+/g, ' ');
  for (const needle of [
    '/s/ 张三', // (i) signature
    '"彩色杯子", a photograph', // (ii) the work
    'https://item.taobao.com/item.htm?id=681234567890', 'https://www.amazon.com/dp/B0CXYZ1234', // (iii) where the material is
    '杭州市西湖区文三路 100 号', '13800138000', 'zhangsan@example.com', // (iv) contact
    'good faith belief that use of the material in the manner complained of is not authorized by the copyright owner, its agent, or the law', // (v)
    'under penalty of perjury, I am the owner, or authorized to act on behalf of the owner', // (vi)
  ]) assert.ok(dmca.includes(needle), `DMCA notice lacks ${needle}`);

  const letter = (await pdfText(path.join(out, '02-letter-alibaba.pdf'))).replace(/\s+/g, ' ');
  assert.ok(letter.includes('Alibaba IP Protection Platform'));
  assert.ok(letter.includes('杯子优选旗舰店'));
  assert.ok(!letter.includes('CupsWorld'), 'a platform letter lists only the uses on that platform');
  assert.ok(letter.includes('number ending 002X'), 'letters show only the end of the ID number');
  assert.ok(!letter.includes(TEST_ID_NUMBER));
  const amazon = (await pdfText(path.join(out, '03-letter-amazon.pdf'))).replace(/\s+/g, ' ');
  assert.ok(amazon.includes('ASIN: B0CXYZ1234'));

  const report = (await pdfText(path.join(out, '01-evidence-report.pdf'))).replace(/\s+/g, ' ');
  const imported = (await call(env.core, 'library.get', { id: id! })).history[0]!;
  for (const needle of ['Evidence Report', built.bundleId, 'SONY NEX-3N', '2014-04-29 14:25:26', 'DCI-0000-1234', 'Provenance timeline', 'Time (UTC) Event Details Record hash', imported.hash.slice(0, 16),
    'https://img.alicdn.com/imgextra/i1/O1CN01abc.jpg', 'Side by side', 'Overlay and difference', 'Hidden watermark', 'Similarity score']) {
    assert.ok(report.includes(needle), `report lacks ${needle}`);
  }
  const squashed = report.replace(/\s+/g, '');
  assert.ok(squashed.includes(ev.sha256), 'the screenshot hash');
  assert.ok(squashed.includes(await sha(env.core.deps.library.originalPath(id!))), "the original's hash");
  // Find's score and what it says changed (cropped, mirrored, text on top); the hidden-mark reading (none here).
  assert.match(report, /Similarity score \d+\.\d \/ 100 Finding Matches the original/);
  const changed = /What changed (.+?) Hidden watermark/.exec(report)?.[1] ?? '';
  for (const word of ['cropped', 'flipped', 'text or graphics overlaid']) assert.ok(changed.includes(word), `what changed: "${changed}" lacks ${word}`);
  assert.match(report, /Result No hidden watermark found/);
  const sim = evidence.uses[0]!.similarity as { score: number; isMatch: boolean };
  assert.equal(sim.isMatch, true);
  assert.ok(sim.score >= 50 && sim.score <= 100, `score ${sim.score}`);
  assert.equal((evidence.uses[0]!.hiddenMark as { found: boolean }).found, false);

  const last = (await call(env.core, 'library.get', { id: id! })).history.at(-1)!;
  assert.equal(last.type, 'bundled');
  assert.deepEqual(last.data.platforms, ['alibaba', 'amazon']);
  assert.equal((await call(env.core, 'bundles.verify', { path: built.zip })).ok, true);
});

test('complaint input problems: invalid URL, future date, missing files, changed or huge screenshots; nothing written', async (t) => {
  const env = await testCore();
  const { dir, cleanup } = await tempDir('proofmark-complaint-');
  t.after(async () => { await env.close(); await cleanup(); });
  const [id] = await importCorpus(env.core, ['grace_hopper.jpg']);
  const owner = await saveOwner(env.core, path.join(dir, 'scans'));
  const suspect = path.join(dir, 'copy.jpg');
  await sharp(env.core.deps.library.originalPath(id!)).resize(300).jpeg().toFile(suspect);
  const base = { originalId: id!, complainant: { personId: owner.id }, work: { title: 'Grace' }, signature: { name: '张三' } };
  const bad: ComplaintSpecInput = {
    ...base,
    uses: [{ platform: 'other', listingUrl: 'shop.example.com/item/1', imageUrl: 'file:///etc/passwd', shop: '', foundOn: '2999-12-31', suspectPath: path.join(dir, 'nope.jpg'), screenshots: [{ path: path.join(dir, 'nope.png') }] }],
  };
  const missing = (await call(env.core, 'bundles.complaint.validate', { spec: bad })).missing;
  assert.deepEqual(missing.map((m) => m.path), ['uses.0.platformName', 'uses.0.listingUrl', 'uses.0.imageUrl', 'uses.0.shop', 'uses.0.foundOn', 'uses.0.suspectPath', 'uses.0.screenshots.0.path']);
  assert.match(missing[1]!.message, /listing URL is not a web address/);
  assert.match(missing[2]!.message, /must be an http\(s\) web address/);
  assert.match(missing[4]!.message, /in the future/);
  assertWordedInChinese(missing);
  assert.deepEqual(missing[2]!.wording, { code: 'bundle.url-scheme', values: { scheme: 'file:' } });
  const out = path.join(dir, 'out');
  await assert.rejects(call(env.core, 'bundles.complaint.build', { spec: bad, outDir: out }), /7 required fields are missing or invalid/);

  // A screenshot too big to be one: refused from its size or its header, never decoded.
  const sparse = path.join(dir, 'huge.png');
  await fs.writeFile(sparse, pngHeaderOnly(100, 100));
  await fs.truncate(sparse, 101 * 1024 * 1024);
  const bomb = path.join(dir, 'bomb.png');
  await fs.writeFile(bomb, pngHeaderOnly(40000, 40000));
  const r = await call(env.core, 'bundles.complaint.addEvidence', { paths: [sparse, bomb] });
  assert.deepEqual(r.files, []);
  assert.match(r.errors[0]!.error, /101 MB; evidence files may be at most 100 MB/);
  assert.match(r.errors[1]!.error, /40000x40000 pixels .* over the 250 MP limit; it was not decoded/);

  // A screenshot that changed after it was added is refused at build time.
  const shot = path.join(dir, 'shot.png');
  await sharp({ create: { width: 400, height: 800, channels: 3, background: '#eee' } }).png().toFile(shot);
  const added = (await call(env.core, 'bundles.complaint.addEvidence', { paths: [shot] })).files[0]!;
  const good: ComplaintSpecInput = { ...base, uses: [{ platform: 'jd', listingUrl: 'https://item.jd.com/100012345678.html', shop: '京东 某店', foundOn: '2026-01-05', suspectPath: suspect, screenshots: [{ path: shot, sha256: added.sha256 }] }] };
  await sharp({ create: { width: 400, height: 800, channels: 3, background: '#ddd' } }).png().toFile(shot);
  await assert.rejects(call(env.core, 'bundles.complaint.build', { spec: good, outDir: out }), /changed since it was added as evidence/);
  assert.deepEqual((await fs.readdir(dir)).sort(), ['bomb.png', 'copy.jpg', 'huge.png', 'scans', 'shot.png']);
});

test('evidence report of a copy that carries the hidden mark: owner key, image id, odds and orientation', async (t) => {
  const env = await testCore();
  const { dir, cleanup } = await tempDir('proofmark-complaint-');
  t.after(async () => { await env.close(); await cleanup(); });
  const [id] = await importCorpus(env.core, ['grace_hopper.jpg']);
  const owner = await saveOwner(env.core, path.join(dir, 'scans'));
  // The seller exported a hidden-marked copy; the shop mirrored it and re-encoded it.
  const marked = path.join(dir, 'marked.png');
  await embedHiddenFile(env.core.deps, env.core.deps.library.originalPath(id!), marked, { imageId: id! });
  const suspect = path.join(dir, '带 水印 的 盗图.jpg');
  await sharp(marked).flop().jpeg({ quality: 88 }).toFile(suspect);
  const spec: ComplaintSpecInput = {
    originalId: id!, language: 'en', complainant: { personId: owner.id }, work: { title: 'Portrait' }, signature: { name: '张三', date: '2026-01-06' },
    uses: [{ platform: 'jd', listingUrl: 'https://item.jd.com/100012345678.html', shop: 'Some shop', foundOn: '2026-01-05', suspectPath: suspect }],
  };
  const preview = await call(env.core, 'bundles.preview', { kind: 'complaint', spec });
  const doc = preview.documents.find((d) => d.name.includes('evidence-report'))!;
  const report = (await pdfText(env.core.deps.media.resolve('file', doc.pdfToken).path)).replace(/\s+/g, ' ');
  assert.match(report, /Result A ProofMark hidden watermark was found \(mirrored left-right\)/);
  assert.match(report, /Owner id #\d+ \(this library's key\)/);
  assert.ok(report.includes(`Image id #${id} grace_hopper`), 'the image id the mark carries');
  assert.match(report, /Confidence chance of a false match below 1 in 10\^\d+/);
  assert.match(report, /What changed flipped/);
});

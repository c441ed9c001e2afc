import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { checkFiles } from '../../../electron/core/compliance/api.ts';
import { call, testCore } from '../../helpers/core.ts';
import { tempDir } from '../../helpers/corpus.ts';
import { assertWordedInChinese, importCorpus, pdfFonts, pdfText, registrationSpec, saveOwner, TEST_ID_NUMBER } from '../../helpers/bundles.ts';

const sha = async (file: string) => crypto.createHash('sha256').update(await fs.readFile(file)).digest('hex');

test('registration bundle for a series: checks, lossless sample fixes, PDFs with real Chinese text, signed manifest, provenance', async (t) => {
  const env = await testCore();
  const { dir, cleanup } = await tempDir('proofmark-reg-');
  t.after(async () => { await env.close(); await cleanup(); });
  // colorful-cups passes cpcc-photo; kite and path store "300, units undefined": they fail, fixable losslessly.
  const ids = await importCorpus(env.core, ['colorful-cups.jpg', 'kite.jpg', 'path.jpg']);
  const owner = await saveOwner(env.core, path.join(dir, '扫描件'));

  // Prefill: completion date from EXIF capture times, camera in the drafted description.
  const pre = await call(env.core, 'bundles.registration.prefill', { imageIds: ids });
  assert.equal(pre.spec.work.completedOn, '2015-09-06');
  assert.equal(pre.spec.work.startedOn, '2014-04-29');
  assert.match(pre.sources['work.completedOn']!, /EXIF capture time/);
  assert.match(pre.spec.description.zh.equipment, /SONY NEX-3N/);
  assert.match(pre.spec.description.en.equipment, /OLYMPUS/);

  const spec = await registrationSpec(env.core, ids, owner.id);
  const out = path.join(dir, '输出 目录', '杯子 登记包');

  // Failing samples: refused with the fix offered, nothing written.
  const check = await call(env.core, 'bundles.registration.validate', { spec });
  assert.deepEqual(check.missing, []);
  assert.deepEqual(check.samples.map((s) => [s.verdict, s.fixable]), [['pass', false], ['fail', true], ['fail', true]]);
  assert.equal(check.feeYuan, 500);
  await assert.rejects(call(env.core, 'bundles.registration.build', { spec, outDir: out }), (err: Error & { info?: { issues?: unknown[] } }) => {
    assert.match(err.message, /2 samples fail the cpcc-photo profile; a lossless fix is available/);
    assert.equal(err.info?.issues?.length, 2);
    return true;
  });
  await assert.rejects(fs.access(path.dirname(out)));

  const built = await call(env.core, 'bundles.registration.build', { spec: { ...spec, english: true }, outDir: out, fixSamples: true });
  assert.equal(built.folder, out);
  assert.equal(built.zip, `${out}.zip`);
  assert.deepEqual(built.fixedSamples.sort(), [ids[1], ids[2]].sort());
  const names = built.files.map((f) => f.path);
  for (const n of ['01-application-form.pdf', '01-application-form-en.pdf', '02-work-description.pdf', '03-rights-guarantee.pdf', '04-contact-sheet.pdf',
    'samples/sample-01.jpg', 'samples/sample-02.jpg', 'samples/sample-03.jpg', 'identity/owner-01-01.jpg', 'public-key.pem']) {
    assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
  }
  // No ownership-proof template for an individual original work.
  assert.ok(!names.some((n) => n.includes('ownership')));
  // Only the temporary names' absence proves nothing half-written stayed behind.
  assert.deepEqual((await fs.readdir(path.dirname(out))).sort(), ['杯子 登记包', '杯子 登记包.zip']);

  // Every sample passes now; the library's originals are untouched.
  const samples = ['sample-01.jpg', 'sample-02.jpg', 'sample-03.jpg'].map((n) => path.join(out, 'samples', n));
  const report = await checkFiles(env.core.deps, samples, 'cpcc-photo');
  assert.deepEqual(report.files.map((f) => f.verdict), ['pass', 'pass', 'pass']);
  assert.equal(await sha(samples[0]!), await sha(env.core.deps.library.originalPath(ids[0]!)));
  assert.equal((await call(env.core, 'library.verify', {})).ok, true);

  // The manifest lists every file with its SHA-256, the image ids and the generation time.
  const manifest = JSON.parse(await fs.readFile(path.join(out, 'manifest.json'), 'utf8')) as { bundleId: string; generatedAt: string; images: { id: number; file: string }[]; files: { path: string; sha256: string }[] };
  assert.equal(manifest.bundleId, built.bundleId);
  assert.ok(!Number.isNaN(Date.parse(manifest.generatedAt)));
  assert.deepEqual(manifest.images.map((i) => i.id), ids);
  for (const f of manifest.files) assert.equal(await sha(path.join(out, ...f.path.split('/'))), f.sha256, f.path);

  // Documents: A4, embedded subset CJK font, extractable Chinese, one title everywhere, footer.
  const form = path.join(out, '01-application-form.pdf');
  const fonts = await pdfFonts(form);
  assert.ok(fonts.length >= 1 && fonts.every((f) => f.emb && f.sub && /SourceHanSansSC/.test(f.name)), JSON.stringify(fonts));
  const formText = await pdfText(form);
  for (const needle of ['作品著作权登记申请表', '《彩色杯子系列》', '摄影作品', '张三', TEST_ID_NUMBER, '2015年9月6日', 'samples/sample-03.jpg', built.bundleId]) {
    assert.ok(formText.includes(needle), `form lacks ${needle}`);
  }
  // The footer: page numbers and the generation date (pdftotext drops the spaces between CJK runs).
  assert.match(formText.replace(/\s+/g, ''), /第1页\/共[23]页/, 'page numbers');
  assert.ok(formText.includes(`生成日期 ${built.bundleId.slice(4, 8)}-`), 'generation date');
  for (const f of ['02-work-description.pdf', '03-rights-guarantee.pdf', '04-contact-sheet.pdf']) {
    const text = await pdfText(path.join(out, f));
    assert.ok(text.includes('《彩色杯子系列》'), `${f} carries the same title`);
    assert.ok(!/《(?!彩色杯子系列》)[^》]*》/.test(text), `${f} names no other work`);
  }
  assert.match(await pdfText(path.join(out, '01-application-form-en.pdf')), /Application for Copyright Registration of a Work/);
  assert.match(await pdfText(path.join(out, '03-rights-guarantee.pdf')), /签名或盖章[\s\S]*日期：\s+2026年3月2日/);

  // Every image got a provenance event; no log, event or result holds the ID number.
  for (const id of ids) {
    const ev = (await call(env.core, 'library.get', { id })).history.at(-1)!;
    assert.equal(ev.type, 'bundled');
    assert.equal(ev.data.bundleId, built.bundleId);
  }
  const everything = [JSON.stringify(built), await fs.readFile(path.join(out, 'manifest.json'), 'utf8'), ...(env.core.deps.db.prepare('SELECT data_json FROM events').pluck().all() as string[])].join('\n');
  assert.ok(!everything.includes(TEST_ID_NUMBER));

  // Listed as intact; verify passes on both the folder and the ZIP.
  const listed = (await call(env.core, 'bundles.list', {})).bundles;
  assert.deepEqual(listed.map((b) => [b.bundleId, b.status, b.folderExists, b.zipExists]), [[built.bundleId, 'intact', true, true]]);
  assert.equal((await call(env.core, 'bundles.verify', { path: out })).ok, true);
  const z = await call(env.core, 'bundles.verify', { path: built.zip });
  assert.equal(z.ok, true);
  assert.equal(z.signedByThisLibrary, true);

  // The same folder again: refused, the bundle stays as it was.
  const before = await sha(built.zip);
  await assert.rejects(call(env.core, 'bundles.registration.build', { spec, outDir: out, fixSamples: true }), /already exists and is not empty; bundles are never overwritten/);
  assert.equal(await sha(built.zip), before);
});

test('missing required fields are listed exactly and nothing is written', async (t) => {
  const env = await testCore();
  const { dir, cleanup } = await tempDir('proofmark-reg-');
  t.after(async () => { await env.close(); await cleanup(); });
  const [id] = await importCorpus(env.core, ['colorful-cups.jpg']);
  const spec = { images: [{ imageId: id! }], work: {} };
  const check = await call(env.core, 'bundles.registration.validate', { spec });
  assert.deepEqual(check.missing.map((m) => m.path), [
    'work.title', 'work.completedOn', 'work.completedCountry', 'work.completedCity', 'owners', 'authors',
    'description.zh.purpose', 'description.zh.process', 'description.zh.equipment', 'description.zh.originality', 'description.zh.publication',
  ]);
  assert.equal(check.ok, false);
  assertWordedInChinese(check.missing);

  // A person with gaps, a wrong ID number, a bad URL, a date in the future.
  const withPeople = {
    images: [{ imageId: id! }],
    work: { title: '咖啡杯', completedOn: '2999-01-01', completedCountry: '中国', completedCity: '杭州', publication: { status: 'published' as const, date: '2024-01-01', url: 'taobao' } },
    owners: [{ name: '张三', idNumber: '110105194912310021' }],
    authors: [{ person: { personId: 42 } }],
  };
  const gaps = (await call(env.core, 'bundles.registration.validate', { spec: withPeople })).missing;
  assertWordedInChinese(gaps);
  const paths = gaps.map((m) => m.path);
  for (const p of ['work.completedOn', 'work.publication.url', 'owners.0.nationality', 'owners.0.address', 'owners.0.phone', 'owners.0.idNumber', 'owners.0.idScans', 'authors.0.person.personId']) {
    assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
  }
  const msg = (await call(env.core, 'bundles.registration.validate', { spec: withPeople })).missing.find((m) => m.path === 'owners.0.idNumber')!.message;
  assert.ok(!msg.includes('110105194912310021'), 'an ID number never appears in a message');

  const out = path.join(dir, 'bundle');
  await assert.rejects(call(env.core, 'bundles.registration.build', { spec, outDir: out }), (err: Error & { info?: { code: string; issues?: { path: string }[] } }) => {
    assert.equal(err.info?.code, 'invalid_input');
    assert.equal(err.info?.issues?.length, 11);
    assert.match(err.message, /11 required fields are missing or invalid: work\.title, work\.completedOn/);
    return true;
  });
  assert.deepEqual(await fs.readdir(dir), []);
  assert.deepEqual((await call(env.core, 'bundles.list', {})).bundles, []);
});

test('the work description may not contradict the form about publication', async (t) => {
  const env = await testCore();
  const { dir, cleanup } = await tempDir('proofmark-registration-');
  t.after(async () => { await env.close(); await cleanup(); });
  const [id] = await importCorpus(env.core, ['grace_hopper.jpg']);
  const owner = await saveOwner(env.core, path.join(dir, 'scans'));
  const spec = await registrationSpec(env.core, [id!], owner.id, '肖像');
  assert.deepEqual((await call(env.core, 'bundles.registration.validate', { spec })).missing, []);
  // Marked published in the form while the drafted description still says "unpublished".
  const published = { ...spec, work: { ...spec.work!, publication: { status: 'published' as const, date: '2024-06-01', place: '杭州', url: '' } } };
  const missing = (await call(env.core, 'bundles.registration.validate', { spec: published })).missing;
  assert.deepEqual(missing.map((m) => m.path), ['description.zh.publication']);
  assert.match(missing[0]!.message, /says the work is unpublished, but the form says it was published/);
  assertWordedInChinese(missing);
  const fixed = { ...published, description: { ...spec.description!, zh: { ...spec.description!.zh!, publication: '本作品于 2024年6月1日 首次发表于杭州，未许可他人使用。' } } };
  assert.deepEqual((await call(env.core, 'bundles.registration.validate', { spec: fixed })).missing, []);
});

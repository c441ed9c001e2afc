import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import type { Core } from '../../../electron/core/index.ts';
import type { ComplaintSpecInput, PreviewResult, RegistrationSpecInput } from '../../../electron/contract/index.ts';
import { call, testCore } from '../../helpers/core.ts';
import { tempDir } from '../../helpers/corpus.ts';
import { importCorpus, makeScan, pdfFonts, pdfPages, pdfText, registrationSpec, saveOwner } from '../../helpers/bundles.ts';

/** First pages of every rendered template, kept as test artifacts to look at. */
const ARTIFACTS = path.resolve(import.meta.dirname, '..', '..', '..', 'test-results', 'bundle-pages');

/** A phrase each document must show, by file (without number and language suffix). */
const NEEDLES: Record<string, { zh: string; en: string }> = {
  'application-form': { zh: '作品著作权登记申请表', en: 'Application for Copyright Registration of a Work' },
  'work-description': { zh: '作品说明书', en: 'Description of the Work' },
  'rights-guarantee': { zh: '权利保证书', en: 'Rights Guarantee' },
  'ownership-commissioned': { zh: '委托创作合同', en: 'Commission Agreement' },
  'ownership-work-for-hire': { zh: '职务作品权利归属证明', en: 'Work-for-hire Ownership Statement' },
  'ownership-joint': { zh: '合作作品协议', en: 'Joint Work Agreement' },
  'ownership-legal-person': { zh: '法人作品声明', en: 'Legal-person Work Statement' },
  'rights-transfer': { zh: '著作权取得情况说明', en: 'How the Copyright Was Obtained' },
  'portrait-consent': { zh: '肖像使用授权书', en: 'Portrait Consent' },
  'agent-authorisation': { zh: '代理委托书', en: 'Agent Authorisation' },
  'contact-sheet': { zh: '作品样本联系表', en: 'Contact Sheet of the Samples' },
  'evidence-report': { zh: '侵权证据报告', en: 'Evidence Report' },
  'letter-alibaba': { zh: '阿里巴巴知识产权保护平台', en: 'Alibaba IP Protection Platform' },
  'letter-jd': { zh: '京东知识产权保护平台', en: 'JD.com IP Protection Platform' },
  'letter-pinduoduo': { zh: '盗图投诉函', en: 'Image Theft Report' },
  'letter-amazon': { zh: '版权侵权举报', en: 'Copyright Infringement Report' },
  'letter-other': { zh: '致：Etsy', en: 'To: Etsy' },
  'dmca-notice': { zh: '伪证', en: 'penalty of perjury' },
};

/** Checks every document of a preview: text, fonts, page images; returns the templates seen. */
async function checkPreview(core: Core, preview: PreviewResult, lang: (file: string) => 'zh' | 'en', must: string[]): Promise<string[]> {
  assert.equal(preview.pageError, null);
  const seen: string[] = [];
  for (const doc of preview.documents) {
    const pdf = core.deps.media.resolve('file', doc.pdfToken).path;
    const key = doc.name.replace(/^\d+-/, '').replace(/(-en)?\.pdf$/, '');
    const l = lang(doc.name);
    seen.push(`${key}:${l}`);
    const text = await pdfText(pdf);
    const flat = text.replace(/\s+/g, ' ');
    assert.ok(NEEDLES[key], `no expectations for ${doc.name}`);
    assert.ok(flat.includes(NEEDLES[key]![l]), `${doc.name} (${l}) lacks "${NEEDLES[key]![l]}"`);
    for (const m of must) assert.ok(flat.replace(/\s+/g, '').includes(m.replace(/\s+/g, '')), `${doc.name} lacks "${m}"`);
    for (const bad of ['{{', '}}', 'undefined', 'NaN', '[object Object]']) assert.ok(!flat.includes(bad), `${doc.name} shows "${bad}"`);
    assert.ok(flat.includes('PREVIEW'), `${doc.name}: footer carries the bundle id`);
    const fonts = await pdfFonts(pdf);
    assert.ok(fonts.every((f) => f.emb && f.sub), `${doc.name}: fonts embedded as subsets`);
    assert.equal(doc.pageCount, await pdfPages(pdf), doc.name);
    assert.equal(doc.pages.length, doc.pageCount, `${doc.name}: every page rendered`);
    for (const p of doc.pages) {
      // A4 at 70 dpi.
      assert.ok(Math.abs(p.width - 579) <= 2 && Math.abs(p.height - 819) <= 2, `${doc.name}: page ${p.width}x${p.height}`);
    }
    const first = core.deps.media.resolve('file', doc.pages[0]!.token).path;
    const stats = await sharp(first).stats();
    assert.ok(stats.channels[0]!.min < 100, `${doc.name}: the page has dark text on it`);
    await fs.copyFile(first, path.join(ARTIFACTS, `${l}-${key}.png`));
  }
  return seen;
}

test('every document template renders in Chinese and English: real text, embedded fonts, every page as an image', async (t) => {
  const env = await testCore();
  const { dir, cleanup } = await tempDir('proofmark-templates-');
  t.after(async () => { await env.close(); await cleanup(); });
  await fs.mkdir(ARTIFACTS, { recursive: true });
  const core = env.core;
  // Small photos: the documents are the subject here, not the pictures.
  const [cups, kite] = await importCorpus(core, ['rocket.jpg', 'grace_hopper.jpg']);
  const owner = await saveOwner(core, path.join(dir, 'scans'));
  const seen: string[] = [];
  const zhOnly = () => 'zh' as const;

  // Commissioned, succession, part of the rights, published, people pictured, agent: in both languages.
  const agentScan = await makeScan(path.join(dir, 'agent', '代理人 证件.jpg'));
  const a: RegistrationSpecInput = await registrationSpec(core, [cups!], owner.id, '彩色杯子');
  a.work = { ...a.work!, ownershipMode: 'commissioned', rightsObtained: 'succession', rightsScope: 'part', rightsHeld: ['reproduction', 'network'], publication: { status: 'published', date: '2024-06-01', place: '杭州', url: 'https://shop.example.com/cups' } };
  a.counterparty = { name: '杭州杯子贸易有限公司', kind: 'legal', idType: 'business-licence', idNumber: '91330100MA2XXXXX0X', address: '杭州市滨江区' };
  a.agent = { name: '李律师', kind: 'natural', idType: 'passport', idNumber: 'E12345678', address: '上海市黄浦区', phone: '021-12345678', email: 'agent@example.com', idScans: [agentScan] };
  a.peoplePictured = true;
  a.english = true;
  seen.push(...await checkPreview(core, await call(core, 'bundles.preview', { kind: 'registration', spec: a }), (f) => (f.endsWith('-en.pdf') ? 'en' : 'zh'), ['彩色杯子']));

  // Joint (a series, so with a contact sheet), legal-person, work for hire.
  const partner = await saveOwner(core, path.join(dir, 'scans2'), { name: '王五' });
  const company = await saveOwner(core, path.join(dir, 'scans3'), { name: '杭州某某电子商务有限公司', kind: 'legal', idType: 'business-licence', idNumber: '91330100MA27XXXX1K' });
  const series = await registrationSpec(core, [cups!, kite!], owner.id, '杯子与风筝');
  for (const [mode, owners] of [['joint', [owner.id, partner.id]], ['legal-person', [company.id]], ['work-for-hire', [company.id]]] as const) {
    const spec = { ...series, work: { ...series.work!, ownershipMode: mode }, owners: owners.map((personId) => ({ personId })) };
    seen.push(...await checkPreview(core, await call(core, 'bundles.preview', { kind: 'registration', spec }), zhOnly, ['杯子与风筝']));
  }

  // Complaints on every platform, in both languages.
  const suspect = path.join(dir, '疑似 盗图.jpg');
  await sharp(core.deps.library.originalPath(cups!)).resize(500).modulate({ brightness: 1.2 }).jpeg().toFile(suspect);
  const use = { listingUrl: 'https://shop.example.com/item/1', shop: '某店', foundOn: '2026-01-05', suspectPath: suspect };
  const complaint: ComplaintSpecInput = {
    originalId: cups!, complainant: { personId: owner.id }, work: { title: '彩色杯子' }, signature: { name: '张三', date: '2026-01-06' },
    uses: [
      { ...use, platform: 'alibaba' }, { ...use, platform: 'jd', itemId: '100012345678' }, { ...use, platform: 'pinduoduo' },
      { ...use, platform: 'amazon', itemId: 'B0CXYZ1234' }, { ...use, platform: 'other', platformName: 'Etsy' },
    ],
  };
  for (const language of ['zh', 'en'] as const) {
    const preview = await call(core, 'bundles.preview', { kind: 'complaint', spec: { ...complaint, language } });
    seen.push(...await checkPreview(core, preview, () => language, ['https://shop.example.com/item/1']));
  }

  for (const key of Object.keys(NEEDLES)) {
    assert.ok(seen.includes(`${key}:zh`), `${key} rendered in Chinese`);
    if (!['ownership-work-for-hire', 'ownership-joint', 'ownership-legal-person', 'contact-sheet'].includes(key)) assert.ok(seen.includes(`${key}:en`), `${key} rendered in English`);
  }
});

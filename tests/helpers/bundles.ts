import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import type { Core } from '../../electron/core/index.ts';
import type { FieldIssue, Person, RegistrationSpecInput } from '../../electron/contract/index.ts';
import { common } from '../../renderer/src/i18n-common.ts';
import { call } from './core.ts';
import { corpusFile } from './corpus.ts';

const run = promisify(execFile);

/** A valid resident ID number (GB 11643 check digit), used only in tests. */
export const TEST_ID_NUMBER = '11010519491231002X';

/** Text of a PDF as poppler's pdftotext extracts it. */
export async function pdfText(file: string): Promise<string> {
  return (await run('pdftotext', [file, '-'], { maxBuffer: 64 * 1024 * 1024 })).stdout;
}

/** pdffonts rows: name, type, embedded, subset. */
export async function pdfFonts(file: string): Promise<{ name: string; type: string; emb: boolean; sub: boolean }[]> {
  const out = (await run('pdffonts', [file])).stdout.split('\n').slice(2).filter(Boolean);
  return out.map((line) => {
    const cols = line.trim().split(/\s+/);
    const [emb, sub] = cols.slice(-5, -3);
    return { name: cols[0]!, type: cols.slice(1, -6).join(' '), emb: emb === 'yes', sub: sub === 'yes' };
  });
}

export async function pdfPages(file: string): Promise<number> {
  return Number(/Pages:\s+(\d+)/.exec((await run('pdfinfo', [file])).stdout)?.[1] ?? 0);
}

/** Renders a PDF's pages to PNG (as a person would look at them) and returns the files. */
export async function renderPages(file: string, outPrefix: string, resolution = 60): Promise<string[]> {
  await run('pdftoppm', ['-png', '-r', String(resolution), file, outPrefix]);
  const dir = path.dirname(outPrefix);
  return (await fs.readdir(dir)).filter((n) => n.startsWith(path.basename(outPrefix)) && n.endsWith('.png')).sort().map((n) => path.join(dir, n));
}

/** A small image that stands in for an ID card scan. */
export async function makeScan(file: string): Promise<string> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await sharp({ create: { width: 640, height: 400, channels: 3, background: '#dfe6ee' } }).jpeg().toFile(file);
  return file;
}

/** Imports the named corpus photos; returns their ids in the same order. */
export async function importCorpus(core: Core, names: string[]): Promise<number[]> {
  const r = await call(core, 'library.import', { paths: names.map(corpusFile) });
  const all = [...r.imported, ...r.existing];
  return names.map((n) => all.find((i) => path.basename(i.path) === n)!.id);
}

export async function saveOwner(core: Core, scanDir: string, extra: Record<string, unknown> = {}): Promise<Person> {
  const scan = await makeScan(path.join(scanDir, '身份证 正面.jpg'));
  return call(core, 'bundles.people.save', {
    name: '张三', kind: 'natural', idType: 'id-card', idNumber: TEST_ID_NUMBER, nationality: '中国', province: '浙江省', city: '杭州市',
    address: '杭州市西湖区文三路 100 号', postcode: '310000', phone: '13800138000', email: 'zhangsan@example.com', roles: ['owner', 'author'],
    addScans: [scan], ...extra,
  });
}

/** A complete registration spec for the given images and a saved owner/author. */
export async function registrationSpec(core: Core, imageIds: number[], ownerId: number, title = '彩色杯子系列'): Promise<RegistrationSpecInput> {
  const { spec } = await call(core, 'bundles.registration.prefill', { imageIds });
  const old = spec.work.title;
  for (const lang of ['zh', 'en'] as const) {
    for (const k of Object.keys(spec.description[lang]) as (keyof typeof spec.description.zh)[]) spec.description[lang][k] = spec.description[lang][k].replaceAll(old, title);
  }
  return {
    ...spec,
    work: { ...spec.work, title, completedOn: spec.work.completedOn || '2024-05-01', completedCountry: '中国', completedProvince: '浙江省', completedCity: '杭州市' },
    owners: [{ personId: ownerId }],
    authors: [{ person: { personId: ownerId }, creditedName: '张三' }],
    signing: { place: '杭州', date: '2026-03-02' },
  };
}

/** Every issue carries a phrase code with a Chinese phrase, and every placeholder of that phrase has a value. */
export function assertWordedInChinese(issues: FieldIssue[]): void {
  const phrases: Record<string, string> = common.zh.notices.bundle;
  for (const i of issues) {
    assert.ok(i.wording, `${i.path}: "${i.message}" has no phrase code`);
    const zh = phrases[i.wording.code.replace(/^bundle\./, '')];
    assert.ok(zh, `no Chinese phrase for ${i.wording.code}`);
    for (const [, name] of zh.matchAll(/\{\{(\w+)\}\}/g)) assert.notEqual(i.wording.values?.[name!], undefined, `${i.wording.code} has no value for {{${name}}}`);
  }
}

import fs from 'node:fs/promises';
import path from 'node:path';
import {
  ProofmarkError, type BuildResult, type CallContext, type FieldIssue, type ImageItem, type RegistrationCheck,
  type RegistrationPrefill, type RegistrationSpecData, type RuleResult, type SampleCheck,
} from '../../contract/index.ts';
import { PersonRef, RegistrationSpec } from '../../contract/bundles.ts';
import { checkFiles, fixFiles } from '../compliance/api.ts';
import { readStoredDensity, toDpi } from '../imaging/density.ts';
import { dateLine, emailProblem, fieldIssue, formatDate, isValidDate, joinList, label, labelsFor, personView, phrase, urlIssue, urlProblem, type Labels, type Lang } from './context.ts';
import { displayImage } from './images.ts';
import { hashFile } from './manifest.ts';
import { type Block } from './pdf/layout.ts';
import { readScan, validResidentId, type FullPerson } from './people.ts';
import { documentFromTemplate, fill, loadStrings, loadTemplate } from './templates.ts';
import { bundleFileName, finishBundle, newBundleId, renderAll, startBundle, type BundleEnv, type PlannedDoc, type RenderedDoc } from './common.ts';

type Spec = RegistrationSpecData;
type Ref = Spec['owners'][number];

// ---------------------------------------------------------------------------------------------
// Prefill
// ---------------------------------------------------------------------------------------------

function dateOf(iso: string | null): string | null {
  return iso && /^\d{4}-\d{2}-\d{2}/.test(iso) ? iso.slice(0, 10) : null;
}

function uniq(values: (string | null | undefined)[]): string[] {
  return [...new Set(values.map((v) => v?.trim()).filter((v): v is string => Boolean(v)))];
}

/** A draft spec from what the library knows; every value says where it came from. */
export function prefillRegistration(env: BundleEnv, imageIds: number[]): RegistrationPrefill {
  const items = imageIds.map((id) => env.deps.library.get(id).item);
  const sources: Record<string, string> = {};
  const series = items.length > 1;
  const first = items[0]!;
  const { zh: zhDraft, en: enDraft } = loadStrings(env.deps.config.resourcesDir, 'registration/description-draft');

  const collections = uniq(items.map((i) => i.collection));
  let title = first.title;
  if (series) {
    title = collections.length === 1 ? collections[0]! : fill(zhDraft.seriesTitle!, { firstTitle: first.title, count: items.length });
    sources['work.title'] = collections.length === 1 ? `the collection all ${items.length} images share` : `the title of image #${first.id} and the number of images`;
  } else sources['work.title'] = `the library title of image #${first.id}`;

  const dated = items.map((i) => ({ id: i.id, date: dateOf(i.metadata.capturedAt) })).filter((d): d is { id: number; date: string } => Boolean(d.date));
  dated.sort((a, b) => a.date.localeCompare(b.date));
  const startedOn = dated[0]?.date ?? '';
  const completedOn = dated.at(-1)?.date ?? '';
  if (completedOn) sources['work.completedOn'] = `EXIF capture time of image #${dated.at(-1)!.id}`;
  if (startedOn && series) sources['work.startedOn'] = `EXIF capture time of image #${dated[0]!.id}`;

  // Author from EXIF Artist: a saved profile of that name, else the name inline.
  const artists = uniq(items.map((i) => i.metadata.artist));
  const people = env.people.list();
  const authors: Spec['authors'] = artists.map((name) => {
    const saved = people.find((p) => p.name === name);
    return { person: saved ? { personId: saved.id } : inlinePerson({ name, roles: ['author'] }), creditedName: name };
  });
  if (artists.length) sources.authors = `EXIF Artist of the images (${artists.join(', ')})`;
  const owners = people.filter((p) => p.roles.includes('owner'));
  const ownerRefs: Ref[] = owners.length === 1 ? [{ personId: owners[0]!.id }] : [];
  if (ownerRefs.length) sources.owners = `the only saved owner profile (#${owners[0]!.id})`;
  if (!authors.length) {
    const savedAuthors = people.filter((p) => p.roles.includes('author'));
    if (savedAuthors.length === 1) {
      authors.push({ person: { personId: savedAuthors[0]!.id }, creditedName: savedAuthors[0]!.name });
      sources.authors = `the only saved author profile (#${savedAuthors[0]!.id})`;
    }
  }

  const cameras = uniq(items.map((i) => [i.metadata.cameraMake, i.metadata.cameraModel].filter(Boolean).join(' ')));
  const lenses = uniq(items.map((i) => i.metadata.lens));
  const software = uniq(items.map((i) => i.metadata.software));
  const formats = uniq(items.map((i) => (i.format === 'jpeg' ? 'JPG' : i.format.toUpperCase())));
  const sizes = uniq(items.map((i) => `${i.width}×${i.height}`));
  const draft = (d: Record<string, string>, lang: Lang) => {
    const L = labelsFor(env.deps.config.resourcesDir, lang);
    const v = {
      title, count: items.length, others: items.length - 1,
      categoryLabel: label(L, 'category', 'photographic'), categoryLabelLower: label(L, 'category', 'photographic').toLowerCase(),
      countClause: series ? fill(d.countClause!, { count: items.length }) : '',
      dateRange: startedOn && completedOn && startedOn !== completedOn ? fill(d.dateRangeTwo!, { start: formatDate(startedOn, lang), end: formatDate(completedOn, lang) })
        : completedOn ? fill(d.dateRangeOne!, { date: formatDate(completedOn, lang) }) : d.dateRangeNone!,
      editClause: software.length ? fill(d.editClause!, { software: joinList(software, L) }) : '',
      cameras: cameras.length ? joinList(cameras, L) : d.cameraUnknown!,
      lensClause: lenses.length ? fill(d.lensClause!, { lenses: joinList(lenses, L) }) : '',
      software: software.length ? joinList(software, L) : d.softwareNone!,
      formats: joinList(formats, L),
      sizes: joinList(sizes, L),
    };
    return {
      purpose: fill(d.purpose!, v),
      process: fill(d.process!, v),
      equipment: fill(d.equipment!, v),
      originality: d.originality!,
      aesthetics: d['aesthetics-photographic']!,
      publication: d['publication-unpublished']!,
      thirdParty: d.thirdParty!,
    };
  };
  sources.description = 'drafted from the EXIF camera, lens, software and capture dates; edit before building';

  const spec = RegistrationSpec.parse({
    images: items.map((i) => ({ imageId: i.id, title: i.title })),
    work: { title, category: 'photographic', startedOn: series ? startedOn : '', completedOn },
    owners: ownerRefs,
    authors,
    description: { zh: draft(zhDraft, 'zh'), en: draft(enDraft, 'en') },
  });
  return { spec, sources };
}

function inlinePerson(fields: Record<string, unknown>) {
  return PersonRef.parse({ ...fields, idScans: [] });
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

export interface ResolvedPeople {
  owners: FullPerson[];
  authors: { person: FullPerson; creditedName: string }[];
  agent: FullPerson | null;
  counterparty: FullPerson | null;
}

/** A saved profile or the inline fields, as a full person; a missing profile becomes an issue. */
export function resolveRef(env: BundleEnv, ref: Ref, where: string, issues: FieldIssue[]): FullPerson | null {
  if ('personId' in ref) {
    try {
      return env.people.full(ref.personId);
    } catch {
      issues.push(fieldIssue(`${where}.personId`, 'no-person', `there is no saved person #${ref.personId}`, { id: ref.personId }));
      return null;
    }
  }
  const { idScans, ...fields } = ref;
  return { ...fields, id: null, scans: idScans.map((p) => ({ path: p, name: path.basename(p), sha256: null, mime: '' })) };
}

const REQUIRED: Record<'owner' | 'agent' | 'author' | 'counterparty' | 'contact', (keyof FullPerson)[]> = {
  owner: ['name', 'idNumber', 'nationality', 'city', 'address', 'phone'],
  agent: ['name', 'idNumber', 'address', 'phone'],
  author: ['name'],
  counterparty: ['name'],
  /** Who files a complaint: reachable (the DMCA notice needs address, phone and email). */
  contact: ['name', 'address', 'phone'],
};
const FIELD_NAMES: Record<string, string> = {
  name: 'name (as on the ID or business licence)', idNumber: 'ID number', nationality: 'nationality', city: 'city',
  address: 'address', phone: 'phone number', email: 'email address',
};

/** Checks one person for a role: required fields, ID number format, email, scans. */
export async function checkPerson(p: FullPerson, role: keyof typeof REQUIRED, where: string, who: string, issues: FieldIssue[], opts: { scansRequired: boolean; emailRequired?: boolean }): Promise<void> {
  const required = [...REQUIRED[role], ...(opts.emailRequired ? (['email'] as const) : [])];
  for (const f of required) {
    if (!String(p[f] ?? '').trim()) issues.push(fieldIssue(`${where}.${f}`, 'required', `the ${FIELD_NAMES[f] ?? f} of ${who} is missing`));
  }
  // The number itself never appears in a message.
  if (p.idNumber && p.idType === 'id-card' && !validResidentId(p.idNumber)) {
    issues.push(fieldIssue(`${where}.idNumber`, 'id-invalid', `the ID number of ${who} is not a valid 18-character resident ID number (17 digits and a check digit or X)`));
  }
  if (p.idNumber && p.idType === 'business-licence' && !/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(p.idNumber)) {
    issues.push(fieldIssue(`${where}.idNumber`, 'uscc-invalid', `the unified social credit code of ${who} should be 18 characters (digits and capital letters)`));
  }
  if (p.kind === 'natural' && p.idType === 'business-licence') issues.push(fieldIssue(`${where}.idType`, 'natural-with-licence', `${who} is a natural person but the ID type is a business licence`));
  if (p.email && emailProblem(p.email)) issues.push(fieldIssue(`${where}.email`, 'email-invalid', `the email of ${who} ${emailProblem(p.email)}`));
  if (opts.scansRequired && p.scans.length === 0) {
    issues.push(fieldIssue(`${where}.idScans`, 'scans-missing', `attach the ID scans of ${who} (ID card both sides, passport, or business licence with the company seal)`));
  }
  for (const [i, s] of p.scans.entries()) {
    if (s.sha256) continue;
    try {
      await readScan(s.path);
    } catch (err) {
      const wording = err instanceof ProofmarkError ? err.wording : undefined;
      issues.push({ path: `${where}.idScans.${i}`, message: (err as Error).message, ...(wording ? { wording } : {}) });
    }
  }
}

function describe(p: FullPerson | null, fallback: string): string {
  return p?.name ? `${fallback} (${p.name})` : fallback;
}

export async function resolveAndCheckPeople(env: BundleEnv, spec: Spec, issues: FieldIssue[]): Promise<ResolvedPeople> {
  const owners: FullPerson[] = [];
  if (spec.owners.length === 0) issues.push(fieldIssue('owners', 'no-owner', 'name at least one copyright owner (著作权人)'));
  for (const [i, ref] of spec.owners.entries()) {
    const p = resolveRef(env, ref, `owners.${i}`, issues);
    if (!p) continue;
    owners.push(p);
    await checkPerson(p, 'owner', `owners.${i}`, describe(p, `owner ${i + 1}`), issues, { scansRequired: true });
  }
  const authors: ResolvedPeople['authors'] = [];
  if (spec.authors.length === 0) issues.push(fieldIssue('authors', 'no-author', 'name at least one author (作者)'));
  for (const [i, a] of spec.authors.entries()) {
    const p = resolveRef(env, a.person, `authors.${i}.person`, issues);
    if (!p) continue;
    authors.push({ person: p, creditedName: a.creditedName || (p.creditAs === 'pen-name' && p.penName ? p.penName : p.name) });
    await checkPerson(p, 'author', `authors.${i}.person`, describe(p, `author ${i + 1}`), issues, { scansRequired: false });
  }
  let agent: FullPerson | null = null;
  if (spec.agent) {
    agent = resolveRef(env, spec.agent, 'agent', issues);
    if (agent) await checkPerson(agent, 'agent', 'agent', describe(agent, 'the agent'), issues, { scansRequired: true });
  }
  let counterparty: FullPerson | null = null;
  if (spec.counterparty) {
    counterparty = resolveRef(env, spec.counterparty, 'counterparty', issues);
    if (counterparty) await checkPerson(counterparty, 'counterparty', 'counterparty', describe(counterparty, 'the other party'), issues, { scansRequired: false });
  }
  const mode = spec.work.ownershipMode;
  if (mode === 'individual' && spec.owners.length > 1) issues.push(fieldIssue('work.ownershipMode', 'individual-many', `an individual work has one owner, but ${spec.owners.length} are named: choose "joint" for a joint work`, { count: spec.owners.length }));
  if (mode === 'joint' && spec.owners.length < 2) issues.push(fieldIssue('owners', 'joint-few', 'a joint work needs at least two owners'));
  if (mode === 'legal-person' && owners.some((o) => o.kind === 'natural')) issues.push(fieldIssue('work.ownershipMode', 'legal-person-natural', 'a legal-person work is owned by a company or organisation, but an owner is a natural person'));
  if (mode === 'commissioned' && !spec.counterparty) issues.push(fieldIssue('counterparty', 'commissioned-no-party', 'a commissioned work needs the commissioning party (counterparty) for the commission agreement'));
  if (mode === 'work-for-hire' && !spec.counterparty && !owners.some((o) => o.kind !== 'natural')) {
    issues.push(fieldIssue('counterparty', 'hire-no-employer', 'a work for hire needs the employer: an owner that is a company, or the counterparty'));
  }
  return { owners, authors, agent, counterparty };
}

const DESCRIPTION_REQUIRED = ['purpose', 'process', 'equipment', 'originality', 'publication'] as const;

/** Every problem that stops a build, each with where it is and what to do. */
export async function checkRegistrationFields(env: BundleEnv, spec: Spec): Promise<{ issues: FieldIssue[]; items: ImageItem[]; people: ResolvedPeople }> {
  const issues: FieldIssue[] = [];
  const items: ImageItem[] = [];
  const seen = new Set<number>();
  for (const [i, img] of spec.images.entries()) {
    if (seen.has(img.imageId)) issues.push(fieldIssue(`images.${i}.imageId`, 'image-twice', `image #${img.imageId} is listed twice`, { id: img.imageId }));
    seen.add(img.imageId);
    const item = env.deps.library.images.byId(img.imageId);
    if (!item) issues.push(fieldIssue(`images.${i}.imageId`, 'no-image', `there is no image #${img.imageId} in the library`, { id: img.imageId }));
    else items.push(item);
  }
  const w = spec.work;
  if (!w.title) issues.push(fieldIssue('work.title', 'title-missing', 'the work needs a title (作品名称); it is used, identically, in every document'));
  if (/[《》"“”]/.test(w.title)) issues.push(fieldIssue('work.title', 'title-marks', 'write the title without 《》 or quotation marks; the documents add them'));
  const today = new Date().toISOString().slice(0, 10);
  if (!w.completedOn) issues.push(fieldIssue('work.completedOn', 'date-missing', 'the completion date (创作完成日期) is missing; use YYYY-MM-DD'));
  else if (!isValidDate(w.completedOn)) issues.push(fieldIssue('work.completedOn', 'date-invalid', 'the completion date must be a real date written YYYY-MM-DD'));
  else if (w.completedOn > today) issues.push(fieldIssue('work.completedOn', 'date-future', 'the completion date is in the future'));
  if (w.startedOn && !isValidDate(w.startedOn)) issues.push(fieldIssue('work.startedOn', 'date-invalid', 'the start date must be a real date written YYYY-MM-DD'));
  else if (w.startedOn && w.completedOn && w.startedOn > w.completedOn) issues.push(fieldIssue('work.startedOn', 'started-after-completed', 'the work cannot be started after it was completed'));
  if (!w.completedCountry) issues.push(fieldIssue('work.completedCountry', 'required', 'the country where the work was completed is missing'));
  if (!w.completedCity) issues.push(fieldIssue('work.completedCity', 'required', 'the city where the work was completed is missing'));
  if (w.nature !== 'original' && !w.natureNote) issues.push(fieldIssue('work.natureNote', 'nature-note', `for a work of ${w.nature}, name the original work it is based on and its author`));
  if (w.publication.status === 'published') {
    if (!w.publication.date) issues.push(fieldIssue('work.publication.date', 'published-date-missing', 'a published work needs its first publication date'));
    else if (!isValidDate(w.publication.date)) issues.push(fieldIssue('work.publication.date', 'date-invalid', 'the publication date must be a real date written YYYY-MM-DD'));
    else if (w.completedOn && w.publication.date < w.completedOn) issues.push(fieldIssue('work.publication.date', 'published-before-completed', 'the work cannot be published before it was completed'));
    if (!w.publication.place && !w.publication.url) issues.push(fieldIssue('work.publication.place', 'published-place-missing', 'a published work needs the place (city, or the website) of first publication'));
  }
  const publicationUrl = w.publication.url ? urlProblem(w.publication.url) : null;
  if (publicationUrl) issues.push(urlIssue('work.publication.url', 'the publication address', publicationUrl));
  if (w.rightsScope === 'part' && w.rightsHeld.length === 0) issues.push(fieldIssue('work.rightsHeld', 'rights-held-missing', 'when only part of the rights is held, list which (e.g. reproduction, network)'));
  if (spec.signing.date && !isValidDate(spec.signing.date)) issues.push(fieldIssue('signing.date', 'signing-date-invalid', 'the signing date must be a real date written YYYY-MM-DD (or empty to date by hand)'));

  const people = await resolveAndCheckPeople(env, spec, issues);

  const langs: Lang[] = spec.english ? ['zh', 'en'] : ['zh'];
  for (const lang of langs) {
    const d = spec.description[lang];
    for (const key of DESCRIPTION_REQUIRED) {
      if (!d[key]) issues.push(fieldIssue(`description.${lang}.${key}`, 'section-missing', `the work description (${lang === 'zh' ? '作品说明书' : 'English'}) needs its "${key}" section`));
    }
    if (w.category === 'fine-art' && !d.aesthetics) issues.push(fieldIssue(`description.${lang}.aesthetics`, 'aesthetics-missing', 'a fine-art work needs its form and aesthetics described'));
    // The description must not contradict the form about publication.
    const says = d.publication;
    const saysUnpublished = lang === 'zh' ? says.includes('尚未发表') : /has not been published|is unpublished/i.test(says);
    const saysPublished = lang === 'zh' ? says.includes('首次发表于') : /was first published/i.test(says);
    if (w.publication.status === 'published' && saysUnpublished) {
      issues.push(fieldIssue(`description.${lang}.publication`, 'says-unpublished', 'the work description says the work is unpublished, but the form says it was published: update its publication section'));
    } else if (w.publication.status === 'unpublished' && saysPublished) {
      issues.push(fieldIssue(`description.${lang}.publication`, 'says-published', 'the work description says the work was published, but the form says it is unpublished: update its publication section'));
    }
    // The title must be identical everywhere: a 《…》 in the texts must name this work or one of its images.
    const allowed = new Set([w.title, ...spec.images.map((im, i) => im.title || items[i]?.title || '')]);
    for (const [key, value] of Object.entries(d)) {
      for (const m of value.matchAll(/《([^》]*)》/g)) {
        if (!allowed.has(m[1]!)) issues.push(fieldIssue(`description.${lang}.${key}`, 'title-mismatch', `mentions 《${m[1]}》 but the work's title is 《${w.title}》: the title must be the same in every document`, { mentioned: m[1]!, title: w.title }));
      }
    }
  }
  return { issues, items, people };
}

function profileFor(spec: Spec): string {
  return spec.work.category === 'fine-art' ? 'cpcc-art' : 'cpcc-photo';
}

function sampleExt(item: ImageItem): string {
  return item.format === 'png' ? 'png' : 'jpg';
}

function findingsOf(rules: RuleResult[]): { findings: string[]; findingsZh: string[] } {
  const notPassed = rules.filter((r) => r.status === 'warn' || r.status === 'fail');
  return { findings: notPassed.map((r) => `${r.id}: ${r.reason}`), findingsZh: notPassed.map((r) => `${r.labelZh}：${r.reasonZh}`) };
}

/** Every sample against its CPCC profile (the originals are read, never changed). */
export async function checkSamples(env: BundleEnv, spec: Spec, items: ImageItem[]): Promise<SampleCheck[]> {
  const profileId = profileFor(spec);
  const titled = spec.images.map((im, i) => ({ im, item: items.find((it) => it.id === im.imageId), n: i + 1 }));
  const base = titled.filter((t) => t.item).map((t) => ({
    imageId: t.item!.id,
    title: t.im.title || t.item!.title,
    sampleName: `samples/sample-${String(t.n).padStart(2, '0')}.${sampleExt(t.item!)}`,
    profileId,
  }));
  const paths = base.map((b) => env.deps.library.originalPath(b.imageId));
  const result = await checkFiles(env.deps, paths, profileId);
  const byPath = new Map(result.files.map((f) => [path.resolve(f.path), f]));
  return base.map((b, i) => {
    const f = byPath.get(path.resolve(paths[i]!));
    if (!f) return { ...b, verdict: 'unchecked', findings: ['the registration check returned no result for this file'], findingsZh: ['登记检查没有返回这个文件的结果'], fixable: false };
    // Only a fix that keeps the pixels is offered; re-encoding a sample is the user's call.
    return { ...b, verdict: f.verdict, ...findingsOf(f.rules), fixable: f.fixable && !f.needsReencode };
  });
}

export function feeYuan(count: number): number {
  return count > 0 ? 300 + 100 * (count - 1) : 0;
}

export async function validateRegistration(env: BundleEnv, spec: Spec): Promise<RegistrationCheck> {
  const { issues, items } = await checkRegistrationFields(env, spec);
  const samples = await checkSamples(env, spec, items);
  return { ok: issues.length === 0 && samples.every((s) => s.verdict !== 'fail' && s.verdict !== 'unchecked'), missing: issues, samples, feeYuan: feeYuan(spec.images.length) };
}

// ---------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------

export interface SampleInfo {
  number: number;
  file: string;
  imageId: number;
  title: string;
  width: number;
  height: number;
  /** Stored density in dots per inch, or null when the file stores none. */
  dpi: number | null;
  /** Preview only: the sample fails its profile and the build will use its lossless fix. */
  fixOnBuild?: boolean;
  capturedAt: string;
  camera: string;
  sha256: string;
  /** The sample file (or, in a preview, the original). */
  source: string;
}

interface DocPlan {
  template: string;
  /** File name without language suffix and extension, e.g. "01-application-form". */
  base: string;
}

function planDocuments(spec: Spec): DocPlan[] {
  const plan: string[] = ['registration/application-form', 'registration/work-description', 'registration/rights-guarantee'];
  const mode = spec.work.ownershipMode;
  if (mode === 'commissioned') plan.push('registration/ownership-commissioned');
  if (mode === 'work-for-hire') plan.push('registration/ownership-work-for-hire');
  if (mode === 'joint') plan.push('registration/ownership-joint');
  if (mode === 'legal-person') plan.push('registration/ownership-legal-person');
  if (spec.work.rightsObtained === 'inheritance' || spec.work.rightsObtained === 'succession') plan.push('registration/rights-transfer');
  if (spec.peoplePictured) plan.push('registration/portrait-consent');
  if (spec.agent) plan.push('registration/agent-authorisation');
  if (spec.images.length > 1) plan.push('registration/contact-sheet');
  return plan.map((template, i) => ({ template, base: `${String(i + 1).padStart(2, '0')}-${template.split('/')[1]}` }));
}

export function identityFiles(people: ResolvedPeople): { person: FullPerson; role: string; files: { source: string; name: string; mime: string }[] }[] {
  const out: ReturnType<typeof identityFiles> = [];
  const add = (p: FullPerson, role: string) => {
    if (!p.scans.length) return;
    out.push({
      person: p, role,
      files: p.scans.map((s, i) => {
        const ext = path.extname(s.path).toLowerCase().replace('.jpeg', '.jpg') || '.bin';
        return { source: s.path, name: `identity/${role}-${String(i + 1).padStart(2, '0')}${ext}`, mime: s.mime };
      }),
    });
  };
  people.owners.forEach((o, i) => add(o, `owner-${String(i + 1).padStart(2, '0')}`));
  if (people.agent) add(people.agent, 'agent');
  return out;
}

function workContext(spec: Spec, lang: Lang, L: Labels, count: number) {
  const w = spec.work;
  const rightsList = joinList(w.rightsHeld.map((r) => label(L, 'right', r)), L);
  const rightsText = w.rightsScope === 'all' ? label(L, 'rightsScope', 'all') : phrase(L, 'rightsPart', { list: rightsList });
  return {
    title: w.title,
    categoryLabel: label(L, 'category', w.category),
    seriesSuffix: count > 1 ? phrase(L, 'seriesSuffix', { count }) : '',
    seriesText: count > 1 ? phrase(L, 'seriesYes', { count }) : phrase(L, 'seriesNo'),
    natureLabel: label(L, 'nature', w.nature),
    natureNoteText: w.natureNote ? phrase(L, 'natureNote', { note: w.natureNote }) : '',
    startedOn: w.startedOn ? formatDate(w.startedOn, lang) : formatDate(w.completedOn, lang),
    completedOn: formatDate(w.completedOn, lang),
    completedPlace: [w.completedCountry, w.completedProvince, w.completedCity].filter(Boolean).join(' '),
    publicationLabel: label(L, 'publication', w.publication.status),
    published: w.publication.status === 'published',
    publication: { date: w.publication.date ? formatDate(w.publication.date, lang) : '' },
    publicationPlace: [w.publication.place, w.publication.url].filter(Boolean).join(' · '),
    rightsObtainedLabel: label(L, 'rightsObtained', w.rightsObtained),
    rightsObtainedLabelLower: label(L, 'rightsObtained', w.rightsObtained).toLowerCase(),
    ownershipLabel: label(L, 'ownershipMode', w.ownershipMode),
    rightsText,
    rightsTextLower: lang === 'en' ? rightsText.toLowerCase() : rightsText,
  };
}

/** Renders every PDF of a registration bundle, in Chinese and (on request) English. */
export async function registrationDocuments(
  env: BundleEnv, spec: Spec, people: ResolvedPeople, samples: SampleInfo[], bundleId: string, generatedAt: string,
): Promise<RenderedDoc[]> {
  const rd = env.deps.config.resourcesDir;
  const plan = planDocuments(spec);
  const langs: Lang[] = spec.english ? ['zh', 'en'] : ['zh'];
  const identity = identityFiles(people);
  const contactSheet = plan.find((p) => p.template.endsWith('contact-sheet'));
  // Pictures for the contact sheet, made once for both languages.
  const thumbs = contactSheet
    ? await Promise.all(samples.map((s) => displayImage(s.source, 520, env.deps.config.pixelLimit)))
    : [];

  const docs: PlannedDoc[] = [];
  for (const lang of langs) {
    const L = labelsFor(rd, lang);
    const owners = people.owners.map((p) => personView(p, L));
    const ownerNames = joinList(owners.map((o) => o.name), L);
    const authors = people.authors.map((a) => ({ ...personView(a.person, L), creditedName: a.creditedName }));
    const applicant = people.agent ? people.agent.name : ownerNames;
    const employer = people.counterparty?.name || people.owners.find((o) => o.kind !== 'natural')?.name || ownerNames;
    const docTitles = plan.map((p) => ({ file: bundleFileName(p.base, lang), title: fill(loadTemplate(rd, p.template)[lang].title, {}) }));
    const checklist = [
      ...docTitles.map((d) => phrase(L, 'document', d, 'checklist')),
      phrase(L, 'samples', { count: samples.length, files: samples.length > 1 ? `${samples[0]!.file} – ${samples.at(-1)!.file}` : samples[0]?.file ?? '' }, 'checklist'),
      ...identity.map((id) => phrase(L, 'identity', { name: id.person.name, files: id.files.map((f) => f.name).join(', ') }, 'checklist')),
    ];
    const ctx = {
      bundleId, generatedAt,
      work: workContext(spec, lang, L, samples.length),
      owners, ownerNames, authors,
      authorNames: joinList(authors.map((a) => a.name), L),
      creditedNames: joinList(authors.map((a) => a.creditedName), L),
      agent: people.agent ? personView(people.agent, L) : null,
      counterparty: people.counterparty ? personView(people.counterparty, L) : null,
      employerName: employer,
      applicant,
      desc: Object.fromEntries(Object.entries(spec.description[lang]).map(([k, v]) => [k, v || phrase(L, 'none', {}, 'word')])),
      signing: { dateText: dateLine(spec.signing.date, lang), place: spec.signing.place },
      samples: {
        count: samples.length,
        seriesNote: contactSheet ? phrase(L, 'seriesNote', { file: bundleFileName(contactSheet.base, lang) }) : '',
      },
      documents: checklist,
      fee: feeYuan(samples.length),
    };
    const dpiText = (s: SampleInfo) => `${s.dpi ? `${s.dpi} dpi` : phrase(L, 'noDpi')}${s.fixOnBuild ? phrase(L, 'fixOnBuild') : ''}`;
    const samplesTable: Block = {
      type: 'table',
      columns: lang === 'zh'
        ? [{ header: '编号', width: 8 }, { header: '样本文件', width: 22 }, { header: '名称', width: 28 }, { header: '像素尺寸 / 分辨率', width: 22 }, { header: '拍摄时间', width: 20 }]
        : [{ header: 'No.', width: 8 }, { header: 'Sample file', width: 22 }, { header: 'Title', width: 28 }, { header: 'Pixels / resolution', width: 22 }, { header: 'Captured', width: 20 }],
      rows: samples.map((s) => [String(s.number).padStart(2, '0'), s.file, s.title, `${s.width}×${s.height}\n${dpiText(s)}`, s.capturedAt || '—']),
    };
    const grid: Block[] = thumbs.length ? [{
      type: 'images', columns: 3, maxHeight: 150,
      items: samples.map((s, i) => ({
        data: thumbs[i]!.data, width: thumbs[i]!.width, height: thumbs[i]!.height,
        caption: [`${String(s.number).padStart(2, '0')} · ${s.title}`, `${s.file.replace('samples/', '')} · ${s.width}×${s.height} · ${dpiText(s)}`, `SHA-256 ${s.sha256.slice(0, 16)}`],
      })),
    }] : [];
    for (const p of plan) {
      const model = documentFromTemplate(rd, p.template, lang, ctx, { samples: [samplesTable], grid });
      docs.push({ file: bundleFileName(p.base, lang), title: model.title, model, role: `${p.template.split('/')[1]}${lang === 'en' ? '-en' : ''}` });
    }
  }
  return renderAll(env, docs, bundleId, generatedAt);
}

async function sampleInfo(env: BundleEnv, n: number, item: ImageItem, title: string, file: string, source: string, sha256: string): Promise<SampleInfo> {
  const head = await fs.readFile(source);
  const dpi = toDpi(readStoredDensity(head));
  return {
    number: n, file, imageId: item.id, title, width: item.width, height: item.height,
    dpi: dpi ? Math.round(dpi.x) : null,
    capturedAt: item.metadata.capturedAt?.replace('T', ' ') ?? '',
    camera: [item.metadata.cameraMake, item.metadata.cameraModel].filter(Boolean).join(' '),
    sha256, source,
  };
}

// ---------------------------------------------------------------------------------------------
// Preview and build
// ---------------------------------------------------------------------------------------------

/** The PDFs of a registration bundle from a draft (nothing checked, samples shown as the originals). */
export async function previewRegistration(env: BundleEnv, spec: Spec): Promise<RenderedDoc[]> {
  const issues: FieldIssue[] = [];
  const people = await resolveAndCheckPeople(env, spec, issues);
  const samples: SampleInfo[] = [];
  const items = spec.images.map((im) => env.deps.library.get(im.imageId).item);
  // Which samples the build will replace by their lossless fix (the preview shows the originals).
  const checks = await checkSamples(env, spec, items).catch(() => [] as SampleCheck[]);
  for (const [i, im] of spec.images.entries()) {
    const item = items[i]!;
    const info = await sampleInfo(env, i + 1, item, im.title || item.title, `samples/sample-${String(i + 1).padStart(2, '0')}.${sampleExt(item)}`, env.deps.library.originalPath(item.id), item.sha256);
    const check = checks.find((c) => c.imageId === item.id);
    samples.push(check?.verdict === 'fail' && check.fixable ? { ...info, fixOnBuild: true } : info);
  }
  return registrationDocuments(env, spec, people, samples, 'PREVIEW', new Date().toISOString());
}

export async function buildRegistration(env: BundleEnv, spec: Spec, outDir: string, fixSamples: boolean, ctx: CallContext): Promise<BuildResult> {
  const step = (done: number, phase: string, current?: string) => ctx.progress({ done, total: 6, phase, ...(current ? { current } : {}) });
  step(0, 'checking');
  const { issues, items, people } = await checkRegistrationFields(env, spec);
  if (issues.length) {
    throw new ProofmarkError('invalid_input', `The registration bundle cannot be built: ${issues.length} required field${issues.length === 1 ? ' is' : 's are'} missing or invalid: ${issues.map((i) => i.path).join(', ')}. Nothing was written.`, issues);
  }
  const checks = await checkSamples(env, spec, items);
  const failing = checks.filter((c) => c.verdict === 'fail' || c.verdict === 'unchecked');
  if (failing.length && (!fixSamples || failing.some((f) => !f.fixable))) {
    const fixable = failing.every((f) => f.fixable);
    const detail = failing.map((f) => ({ path: `images.${spec.images.findIndex((im) => im.imageId === f.imageId)}`, message: `sample "${f.title}" (#${f.imageId}) fails ${f.profileId}: ${f.findings.join('; ') || 'see the registration check'}${f.fixable ? ' (a lossless fix is available)' : ' (no automatic fix)'}` }));
    throw new ProofmarkError('invalid_input', fixable
      ? `${failing.length} sample${failing.length === 1 ? '' : 's'} fail${failing.length === 1 ? 's' : ''} the ${failing[0]!.profileId} profile; a lossless fix is available: build again with fixSamples (CLI: --fix-samples). Nothing was written.`
      : `${failing.length} sample${failing.length === 1 ? '' : 's'} fail${failing.length === 1 ? 's' : ''} the ${failing[0]!.profileId} profile and cannot be fixed automatically; replace ${failing.length === 1 ? 'it' : 'them'} or correct the originals. Nothing was written.`, detail);
  }
  const warnings: string[] = [];
  for (const c of checks) if (c.verdict === 'warn') warnings.push(`Sample "${c.title}" (#${c.imageId}): ${c.findings.join('; ')}`);

  const bundleId = newBundleId('registration');
  const generatedAt = new Date().toISOString();
  const build = await startBundle(env, outDir);
  try {
    step(1, 'samples');
    const roles = new Map<string, string>();
    await fs.mkdir(path.join(build.target.staging, 'samples'), { recursive: true });
    const samples: SampleInfo[] = [];
    const fixed: number[] = [];
    for (const [i, c] of checks.entries()) {
      if (ctx.signal.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
      const item = items.find((it) => it.id === c.imageId)!;
      let dest = path.join(build.target.staging, ...c.sampleName.split('/'));
      await fs.copyFile(env.deps.library.originalPath(item.id), dest);
      await fs.chmod(dest, 0o644);
      if (c.verdict === 'fail') {
        // The lossless fix works on the copy; the library's original is never touched.
        const fixDir = path.join(build.target.staging, '.fix');
        await fs.mkdir(fixDir, { recursive: true });
        const reported = (await fixFiles(env.deps, [dest], c.profileId, fixDir)).files[0];
        if (reported?.status === 'failed') throw new ProofmarkError('internal', `The lossless fix of sample "${c.title}" failed: ${reported.remaining.join('; ')}`);
        const out = reported?.output ? [reported.output] : (await fs.readdir(fixDir)).map((n) => path.join(fixDir, n));
        if (out.length !== 1) throw new ProofmarkError('internal', `The lossless fix of sample "${c.title}" produced ${out.length} files instead of one.`);
        const ext = path.extname(out[0]!).toLowerCase().replace('.jpeg', '.jpg');
        await fs.rm(dest);
        const name = c.sampleName.replace(/\.[a-z]+$/, ext);
        dest = path.join(build.target.staging, ...name.split('/'));
        await fs.rename(out[0]!, dest);
        await fs.rm(fixDir, { recursive: true });
        const again = await checkFiles(env.deps, [dest], c.profileId);
        if (again.files[0]?.verdict === 'fail') throw new ProofmarkError('internal', `Sample "${c.title}" still fails ${c.profileId} after its fix: ${findingsOf(again.files[0].rules).findings.join('; ')}`);
        c.sampleName = name;
        fixed.push(item.id);
      }
      roles.set(c.sampleName, 'sample');
      samples.push(await sampleInfo(env, i + 1, item, c.title, c.sampleName, dest, (await hashFile(dest)).sha256));
      step(1, 'samples', c.sampleName);
    }

    step(2, 'identity');
    for (const id of identityFiles(people)) {
      for (const f of id.files) {
        const dest = path.join(build.target.staging, ...f.name.split('/'));
        await fs.mkdir(path.dirname(dest), { recursive: true });
        await fs.copyFile(f.source, dest);
        await fs.chmod(dest, 0o644);
        roles.set(f.name, 'identity');
      }
    }

    step(3, 'documents');
    const docs = await registrationDocuments(env, spec, people, samples, bundleId, generatedAt);
    for (const d of docs) {
      await fs.writeFile(path.join(build.target.staging, d.file), d.pdf);
      roles.set(d.file, d.role);
    }

    step(4, 'sealing');
    const result = await finishBundle(env, build, {
      bundleId, kind: 'registration', title: spec.work.title, generatedAt, roles,
      images: samples.map((s) => ({ id: s.imageId, sha256: items.find((it) => it.id === s.imageId)!.sha256, title: s.title, file: s.file, role: 'sample' })),
      meta: {
        ownerIds: spec.owners.flatMap((o) => ('personId' in o ? [o.personId] : [])),
        category: spec.work.category, fixed,
      },
      event: (imageId) => ({ sample: samples.find((s) => s.imageId === imageId)?.file, fixed: fixed.includes(imageId) }),
    }, ctx.signal);
    step(6, 'done');
    return { ...result, fixedSamples: fixed, warnings };
  } catch (err) {
    await build.target.abort();
    throw err;
  }
}

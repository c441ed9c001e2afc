import fs from 'node:fs/promises';
import path from 'node:path';
import {
  ProofmarkError, type BuildResult, type CallContext, type ComplaintCheck, type ComplaintPrefill, type ComplaintSpecData,
  type EvidenceFile, type FieldIssue, type FindMatch, type HiddenDetectResult, type ImageItem, type Platform, type ProvenanceEvent,
} from '../../contract/index.ts';
import { ComplaintSpec } from '../../contract/bundles.ts';
import { canonicalExtension } from '../imaging/format.ts';
import { findByBytes } from '../similarity/api.ts';
import { detectHiddenInBytes } from '../watermark/hidden/api.ts';
import { bundleFileName, finishBundle, newBundleId, renderAll, startBundle, type BundleEnv, type PlannedDoc, type RenderedDoc } from './common.ts';
import { fieldIssue, formatDate, isValidDate, joinList, label, labelsFor, personView, phrase, urlIssue, urlProblem, type Labels, type Lang } from './context.ts';
import { compare, normaliseTransform, prepareOriginal, takeEvidence, type Comparison, type NormalTransform, type PreparedOriginal } from './evidence.ts';
import { displayImage } from './images.ts';
import type { Block } from './pdf/layout.ts';
import type { FullPerson } from './people.ts';
import { checkPerson, resolveRef } from './registration.ts';
import { documentFromTemplate, fill, loadTemplate } from './templates.ts';

type Spec = ComplaintSpecData;
type Use = Spec['uses'][number];

// ---------------------------------------------------------------------------------------------
// Prefill and validation
// ---------------------------------------------------------------------------------------------

/** A draft for one original: title from the library; owner, registration from its last registration bundle. */
export async function prefillComplaint(env: BundleEnv, originalId: number, suspectPaths: string[]): Promise<ComplaintPrefill> {
  const { item } = env.deps.library.get(originalId);
  const sources: Record<string, string> = { 'work.title': `the library title of image #${item.id}` };
  let title = item.title;
  let complainant: Spec['complainant'] = null;
  const reg = env.repo.list('registration').find((b) => b.imageIds.includes(originalId));
  if (reg) {
    title = reg.title;
    sources['work.title'] = `the registration bundle ${reg.bundleId}`;
    const ownerIds = Array.isArray(reg.meta.ownerIds) ? (reg.meta.ownerIds as number[]) : [];
    if (ownerIds[0] && env.people.list().some((p) => p.id === ownerIds[0])) {
      complainant = { personId: ownerIds[0] };
      sources.complainant = `the first owner of registration bundle ${reg.bundleId}`;
    }
  }
  if (!complainant) {
    const owners = env.people.list('owner');
    if (owners.length === 1) {
      complainant = { personId: owners[0]!.id };
      sources.complainant = `the only saved owner profile (#${owners[0]!.id})`;
    }
  }
  const today = new Date().toISOString().slice(0, 10);
  const spec = ComplaintSpec.parse({
    originalId,
    complainant,
    work: { title, description: '', registrationNumber: '', dciNumber: '', licence: '' },
    uses: suspectPaths.map((p) => ({ platform: 'alibaba', suspectPath: p, foundOn: today })),
    signature: { name: '', date: today, place: '' },
  });
  if (complainant && 'personId' in complainant) {
    spec.signature.name = env.people.get(complainant.personId).name;
    sources['signature.name'] = 'the complainant';
  }
  return { spec, sources };
}

export interface ComplaintPeople {
  complainant: FullPerson | null;
  agent: FullPerson | null;
}

export async function checkComplaintFields(env: BundleEnv, spec: Spec): Promise<{ issues: FieldIssue[]; item: ImageItem | null; people: ComplaintPeople }> {
  const issues: FieldIssue[] = [];
  const item = env.deps.library.images.byId(spec.originalId);
  if (!item) issues.push(fieldIssue('originalId', 'no-image', `there is no image #${spec.originalId} in the library`, { id: spec.originalId }));
  if (!spec.work.title) issues.push(fieldIssue('work.title', 'required', 'the work needs a title'));
  let complainant: FullPerson | null = null;
  if (!spec.complainant) issues.push(fieldIssue('complainant', 'no-complainant', 'name the complainant (the copyright owner)'));
  else {
    complainant = resolveRef(env, spec.complainant, 'complainant', issues);
    // A DMCA notice needs the complaining party's address, phone and email (element iv).
    if (complainant) await checkPerson(complainant, 'contact', 'complainant', complainant.name ? `the complainant (${complainant.name})` : 'the complainant', issues, { scansRequired: false, emailRequired: true });
  }
  let agent: FullPerson | null = null;
  if (spec.agent) {
    agent = resolveRef(env, spec.agent, 'agent', issues);
    if (agent) await checkPerson(agent, 'contact', 'agent', agent.name ? `the agent (${agent.name})` : 'the agent', issues, { scansRequired: false, emailRequired: true });
  }
  if (!spec.signature.name) issues.push(fieldIssue('signature.name', 'signer-missing', 'the name of the person signing is missing (a complaint must be signed)'));
  if (spec.signature.date && !isValidDate(spec.signature.date)) issues.push(fieldIssue('signature.date', 'date-invalid', 'the signature date must be a real date written YYYY-MM-DD'));
  if (spec.uses.length === 0) issues.push(fieldIssue('uses', 'no-uses', 'add at least one infringing use (platform, listing URL, shop, date found, suspect file)'));
  const today = new Date().toISOString().slice(0, 10);
  for (const [i, u] of spec.uses.entries()) {
    const at = `uses.${i}`;
    if (u.platform === 'other' && !u.platformName) issues.push(fieldIssue(`${at}.platformName`, 'required', `use ${i + 1}: name the platform or website`));
    const listingUrl = u.listingUrl ? urlProblem(u.listingUrl) : null;
    const imageUrl = u.imageUrl ? urlProblem(u.imageUrl) : null;
    if (!u.listingUrl) issues.push(fieldIssue(`${at}.listingUrl`, 'required', `use ${i + 1}: the listing URL is missing`));
    else if (listingUrl) issues.push(urlIssue(`${at}.listingUrl`, `use ${i + 1}: the listing URL`, listingUrl));
    if (imageUrl) issues.push(urlIssue(`${at}.imageUrl`, `use ${i + 1}: the image URL`, imageUrl));
    if (!u.shop) issues.push(fieldIssue(`${at}.shop`, 'required', `use ${i + 1}: the shop or seller name is missing`));
    if (!u.foundOn) issues.push(fieldIssue(`${at}.foundOn`, 'date-missing', `use ${i + 1}: the date it was found is missing (YYYY-MM-DD)`));
    else if (!isValidDate(u.foundOn)) issues.push(fieldIssue(`${at}.foundOn`, 'date-invalid', `use ${i + 1}: the date found must be a real date written YYYY-MM-DD`));
    else if (u.foundOn > today) issues.push(fieldIssue(`${at}.foundOn`, 'date-future', `use ${i + 1}: the date found is in the future`));
    if (!u.suspectPath) issues.push(fieldIssue(`${at}.suspectPath`, 'suspect-missing', `use ${i + 1}: the suspect image file is missing`));
    else await checkFile(u.suspectPath, `${at}.suspectPath`, `use ${i + 1}: the suspect image`, issues);
    for (const [j, s] of u.screenshots.entries()) {
      await checkFile(s.path, `${at}.screenshots.${j}.path`, `use ${i + 1}: screenshot ${j + 1}`, issues);
    }
  }
  return { issues, item: item ?? null, people: { complainant, agent } };
}

async function checkFile(file: string, where: string, what: string, issues: FieldIssue[]): Promise<void> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) issues.push(fieldIssue(where, 'not-a-file', `${what} (${file}) is not a file`, { file }));
  } catch {
    issues.push(fieldIssue(where, 'file-missing', `${what} (${file}) does not exist`, { file }));
  }
}

export async function validateComplaint(env: BundleEnv, spec: Spec): Promise<ComplaintCheck> {
  const { issues } = await checkComplaintFields(env, spec);
  return { ok: issues.length === 0, missing: issues };
}

export async function addEvidence(env: BundleEnv, paths: string[]): Promise<{ files: EvidenceFile[]; errors: { path: string; error: string }[] }> {
  const files: EvidenceFile[] = [];
  const errors: { path: string; error: string }[] = [];
  for (const p of paths) {
    try {
      files.push(await takeEvidence(env.deps, p));
    } catch (err) {
      errors.push({ path: p, error: (err as Error).message });
    }
  }
  return { files, errors };
}

// ---------------------------------------------------------------------------------------------
// Analysis of each use
// ---------------------------------------------------------------------------------------------

interface UseAnalysis {
  use: Use;
  suspect: EvidenceFile;
  screenshots: EvidenceFile[];
  similarity: { match: FindMatch | null; error: string | null };
  hidden: { result: HiddenDetectResult | null; error: string | null };
  transform: NormalTransform | null;
  comparison: Comparison;
}

async function analyse(env: BundleEnv, item: ImageItem, original: PreparedOriginal, use: Use): Promise<UseAnalysis> {
  const suspect = await takeEvidence(env.deps, use.suspectPath);
  const screenshots: EvidenceFile[] = [];
  for (const s of use.screenshots) screenshots.push(await takeEvidence(env.deps, s.path, { sha256: s.sha256, capturedAt: s.capturedAt }));
  const bytes = await fs.readFile(suspect.path);
  const { similarity, hidden } = await readingsOf(env, item.id, suspect.sha256, bytes);
  const upright = item.metadata.orientation && item.metadata.orientation >= 5 ? { w: item.height, h: item.width } : { w: item.width, h: item.height };
  const transform = similarity.match?.transform ? normaliseTransform(similarity.match.transform, upright.w, upright.h) : null;
  const comparison = await compare(original, bytes, transform, env.deps.config.pixelLimit, (input, transfer) => env.deps.pool.run('bundles.align', input, { transfer }));
  return { use, suspect, screenshots, similarity, hidden, transform, comparison };
}

type Readings = Pick<UseAnalysis, 'similarity' | 'hidden'>;
const readingsCache = new WeakMap<object, Map<string, Readings>>();

/**
 * Find's match against the original and the hidden-mark reading of a suspect. Remembered per core
 * while the library's event log does not move (a preview and then the build, or two uses with the
 * same file, read each suspect once); any import, key import or bundle starts afresh.
 */
async function readingsOf(env: BundleEnv, originalId: number, sha256: string, bytes: Buffer): Promise<Readings> {
  const head = (env.deps.db.prepare('SELECT MAX(id) AS id FROM events').get() as { id: number | null } | undefined)?.id ?? 0;
  const key = `${originalId}:${sha256}:${head}`;
  let cache = readingsCache.get(env.deps);
  if (!cache) readingsCache.set(env.deps, (cache = new Map()));
  const known = cache.get(key);
  if (known) return known;
  const similarity: UseAnalysis['similarity'] = { match: null, error: null };
  const hidden: UseAnalysis['hidden'] = { result: null, error: null };
  await Promise.all([
    findByBytes(env.deps, bytes)
      .then((found) => { similarity.match = found.matches.find((m) => m.id === originalId) ?? null; })
      .catch((err: Error) => { similarity.error = err.message; }),
    detectHiddenInBytes(env.deps, bytes)
      .then((r) => { hidden.result = r; })
      .catch((err: Error) => { hidden.error = err.message; }),
  ]);
  const readings = { similarity, hidden };
  // Errors are not remembered: the next call tries again.
  if (!similarity.error && !hidden.error) {
    if (cache.size >= 64) cache.delete(cache.keys().next().value!);
    cache.set(key, readings);
  }
  return readings;
}

/** Words for what Find says changed between the original and the copy. */
function changesText(a: UseAnalysis, L: Labels): string {
  const t = a.similarity.match?.transform;
  if (!t) return phrase(L, 'notInIndex');
  const ratio = (v: number) => `×${v.toFixed(2)}`;
  const parts: string[] = [];
  if (Math.abs(t.scale - 1) > 0.03) parts.push(`${label(L, 'change', 'scale')} ${ratio(t.scale)}`);
  if (t.cropShare < 0.95) parts.push(phrase(L, 'changeCrop', { share: Math.round(t.cropShare * 100) }));
  if (t.flip) parts.push(label(L, 'change', 'flip'));
  if (Math.abs(t.rotation) >= 1) parts.push(`${label(L, 'change', 'rotation')} ${Math.round(t.rotation)}°`);
  if (t.padded) parts.push(label(L, 'change', 'padded'));
  const c = t.colour;
  if (c.greyscale) parts.push(label(L, 'change', 'greyscale'));
  else {
    const colour = [
      Math.abs(c.brightness - 1) > 0.05 ? `${label(L, 'change', 'brightness')} ${ratio(c.brightness)}` : '',
      Math.abs(c.contrast - 1) > 0.08 ? `${label(L, 'change', 'contrast')} ${ratio(c.contrast)}` : '',
      Math.abs(c.saturation - 1) > 0.1 ? `${label(L, 'change', 'saturation')} ${ratio(c.saturation)}` : '',
    ].filter(Boolean);
    if (colour.length) parts.push(L.word?.listSep === '、' ? `${label(L, 'change', 'colour')}（${joinList(colour, L)}）` : `${label(L, 'change', 'colour')} (${joinList(colour, L)})`);
  }
  if (t.overlay) parts.push(phrase(L, 'changeOverlay', { share: Math.max(1, Math.round(t.overlayShare * 100)) }));
  return parts.length ? joinList(parts, L) : label(L, 'change', 'none');
}

function scoreText(a: UseAnalysis, L: Labels): string {
  if (a.similarity.error) return `${phrase(L, 'notAvailable', {}, 'word')} (${a.similarity.error})`;
  // Find's score is calibrated 0–100; at or above its threshold it reports a match.
  return a.similarity.match ? `${a.similarity.match.score.toFixed(1)} / 100` : phrase(L, 'notInIndex');
}

/** The hidden-mark detector's orientation words (English) in the document's language. */
const ORIENTATION_ZH: Record<string, string> = {
  'as marked': '与原图方向一致', 'mirrored across the diagonal': '沿主对角线镜像', 'mirrored left-right': '左右镜像', 'rotated 90° anticlockwise': '逆时针旋转 90°',
  'mirrored top-bottom': '上下镜像', 'rotated 90° clockwise': '顺时针旋转 90°', 'rotated 180°': '旋转 180°', 'mirrored across the anti-diagonal': '沿副对角线镜像',
};

function hiddenView(a: UseAnalysis, L: Labels, lang: Lang) {
  if (a.hidden.error || !a.hidden.result) return { found: false, resultText: `${phrase(L, 'notAvailable', {}, 'word')} (${a.hidden.error ?? 'no result'})` };
  const r = a.hidden.result;
  if (!r.found) return { found: false, resultText: phrase(L, r.signal === 'faint' ? 'hiddenFaint' : 'hiddenNotFound') };
  const orientation = r.orientation && r.orientation !== 'as marked' ? (lang === 'zh' ? ORIENTATION_ZH[r.orientation] ?? r.orientation : r.orientation) : '';
  const odds = r.falseMatchOdds && lang === 'zh' ? r.falseMatchOdds.replace(/^below 1 in (.+)$/, '低于 1/$1') : r.falseMatchOdds;
  return {
    found: true,
    resultText: phrase(L, 'hiddenFound') + (orientation ? (lang === 'zh' ? `（${orientation}）` : ` (${orientation})`) : ''),
    ownerText: r.ownKey ? `#${r.ownerId ?? '—'} ${phrase(L, 'hiddenOwnKey')}` : `#${r.ownerId ?? '—'} ${r.keyLabel ?? ''}`.trim(),
    imageText: r.imageId === null ? '—' : `#${r.imageId}${r.title ? ` ${r.title}` : ''}`,
    confidenceText: odds ? phrase(L, 'hiddenOdds', { odds }) : `${(r.confidence * 100).toFixed(2)}%`,
  };
}

// ---------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------

function safeName(name: string): string {
  const cleaned = [...name].map((ch) => (ch.charCodeAt(0) < 32 || '\\/:*?"<>|'.includes(ch) ? '_' : ch)).join('').replace(/^\.+/, '_').trim();
  return cleaned.slice(0, 120) || 'original';
}

function eventDetail(e: ProvenanceEvent): string {
  const d = e.data;
  if (e.type === 'imported') return `SHA-256 ${String(d.sha256 ?? '').slice(0, 16)}… · ${path.basename(String(d.sourcePath ?? ''))}`;
  if (e.type === 'bundled') return `${String(d.bundleId ?? '')} (${String(d.kind ?? '')})`;
  if (e.type === 'edited' && d.changes && typeof d.changes === 'object') return Object.keys(d.changes).join(', ');
  // Anything else: its fields as "key value", file paths by their name only.
  const text = Object.entries(d)
    .filter(([, v]) => v !== null && v !== undefined && v !== '' && typeof v !== 'object')
    .map(([k, v]) => `${k} ${typeof v === 'string' && /[\\/]/.test(v) ? path.basename(v) : String(v)}`)
    .join(' · ');
  return text.length > 90 ? `${text.slice(0, 87)}…` : text;
}

interface ComplaintFiles {
  original: string;
  uses: { suspect: string; screenshots: string[] }[];
  identity: { name: string; files: string[] }[];
}

function planFiles(item: ImageItem, analyses: { suspect: EvidenceFile; screenshots: EvidenceFile[] }[], people: ComplaintPeople): ComplaintFiles {
  const ext = `.${canonicalExtension(item.format)}`;
  const base = safeName(path.basename(item.sourcePath));
  const original = `original/${path.extname(base).toLowerCase() === ext || (ext === '.jpg' && /\.jpe?g$/i.test(base)) ? base : `${base}${ext}`}`;
  const uses = analyses.map((a, i) => {
    const dir = `uses/${String(i + 1).padStart(2, '0')}`;
    return {
      suspect: `${dir}/suspect.${canonicalExtension(a.suspect.format as ImageItem['format'])}`,
      screenshots: a.screenshots.map((s, j) => `${dir}/screenshot-${String(j + 1).padStart(2, '0')}.${canonicalExtension(s.format as ImageItem['format'])}`),
    };
  });
  const identity: ComplaintFiles['identity'] = [];
  const add = (p: FullPerson | null, role: string) => {
    if (!p?.scans.length) return;
    identity.push({ name: p.name, files: p.scans.map((s, i) => `identity/${role}-${String(i + 1).padStart(2, '0')}${(path.extname(s.path).toLowerCase() || '.bin').replace('.jpeg', '.jpg')}`) });
  };
  add(people.complainant, 'complainant');
  add(people.agent, 'agent');
  return { original, uses, identity };
}

function platformOrder(spec: Spec): Platform[] {
  return [...new Set(spec.uses.map((u) => u.platform))];
}

async function complaintDocuments(
  env: BundleEnv, spec: Spec, item: ImageItem, history: ProvenanceEvent[], people: ComplaintPeople, analyses: UseAnalysis[],
  files: ComplaintFiles, bundleId: string, generatedAt: string, fingerprint: string,
): Promise<RenderedDoc[]> {
  const rd = env.deps.config.resourcesDir;
  const lang: Lang = spec.language;
  const L = labelsFor(rd, lang);
  const platforms = platformOrder(spec);
  const plan = [
    { template: 'complaint/evidence-report', platform: null as Platform | null },
    ...platforms.map((p) => ({ template: `complaint/letter-${p}`, platform: p as Platform | null })),
    { template: 'complaint/dmca-notice', platform: null },
  ].map((p, i) => ({ ...p, file: bundleFileName(`${String(i + 1).padStart(2, '0')}-${p.template.split('/')[1]}`, 'zh') }));

  const complainant = people.complainant ? personView(people.complainant, L) : null;
  const agent = people.agent ? personView(people.agent, L) : null;
  const m = item.metadata;
  const camera = [m.cameraMake, m.cameraModel].filter(Boolean).join(' ');
  const fields = m.fields;
  const exposure = fields.ExposureTime !== undefined || fields.FNumber !== undefined
    ? phrase(L, 'exposure', {
      exposure: typeof fields.ExposureTime === 'number' ? (fields.ExposureTime < 1 ? `1/${Math.round(1 / fields.ExposureTime)} s` : `${fields.ExposureTime} s`) : '—',
      fnumber: fields.FNumber ?? '—', iso: fields.ISO ?? fields.ISOSpeedRatings ?? '—', focal: fields.FocalLength ?? '—',
    })
    : '—';
  const platformName = (u: Use) => (u.platform === 'other' ? u.platformName : label(L, 'platform', u.platform));
  const defaultReason = (p: Platform) => loadTemplate(rd, `complaint/letter-${p}`)[lang].strings?.defaultReason ?? '';
  const uses = analyses.map((a, i) => {
    const u = a.use;
    const hv = hiddenView(a, L, lang);
    return {
      ...u,
      platformLabel: platformName(u),
      imageUrlText: u.imageUrl ? phrase(L, 'imageUrl', { url: u.imageUrl }) : '',
      itemIdText: u.itemId || '—',
      itemIdLine: u.itemId ? phrase(L, 'itemIdLine', { id: u.itemId }) : '',
      foundOn: formatDate(u.foundOn, lang),
      reasonText: u.reason || defaultReason(u.platform),
      scoreText: scoreText(a, L),
      scoreClause: a.similarity.match ? phrase(L, 'score', { score: scoreText(a, L) }) : '',
      matchText: a.similarity.match ? (a.similarity.match.isMatch ? phrase(L, 'match') : phrase(L, 'noMatch')) : phrase(L, 'notInIndex'),
      changesText: changesText(a, L),
      hidden: hv,
      suspectFile: files.uses[i]!.suspect,
      suspectSha256: a.suspect.sha256,
      suspectSizeText: `${a.suspect.format.toUpperCase()} ${a.suspect.width} × ${a.suspect.height}`,
      alignmentNote: phrase(L, a.comparison.alignment === 'find' ? 'alignedFind' : 'alignedWhole', { diff: `${(a.comparison.meanDifference * 100).toFixed(1)}%` }),
      sectionNumber: lang === 'zh' ? ['三', '四', '五', '六', '七', '八', '九', '十'][i] ?? String(i + 3) : String(i + 3),
    };
  });
  const attachments = (forPlatform: Platform | null) => {
    const scoped = files.uses.filter((_u, i) => forPlatform === null || analyses[i]!.use.platform === forPlatform);
    return [
      ...plan.filter((p) => p.platform === null || p.platform === forPlatform).map((p) => phrase(L, 'document', { title: fill(loadTemplate(rd, p.template)[lang].title, { work: { title: spec.work.title }, platformName: forPlatform === 'other' ? spec.uses.find((u) => u.platform === 'other')?.platformName : '' }), file: p.file }, 'checklist')),
      phrase(L, 'original', { file: files.original }, 'checklist'),
      phrase(L, 'suspect', { files: scoped.map((u) => u.suspect).join(', ') }, 'checklist'),
      ...(scoped.some((u) => u.screenshots.length) ? [phrase(L, 'screenshots', { count: scoped.reduce((s, u) => s + u.screenshots.length, 0), files: scoped.flatMap((u) => u.screenshots).join(', ') }, 'checklist')] : []),
      ...(spec.work.registrationNumber ? [phrase(L, 'registration', { number: spec.work.registrationNumber }, 'checklist')] : []),
      ...files.identity.map((id) => phrase(L, 'identity', { name: id.name, files: id.files.join(', ') }, 'checklist')),
      phrase(L, 'evidenceJson', {}, 'checklist'),
    ];
  };
  const filer = agent ?? complainant;
  const baseCtx = {
    bundleId, generatedAt: generatedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'), fingerprint,
    complainant, agent, filer,
    agentClause: agent ? phrase(L, 'agentClause', { agent: agent.name }) : '',
    filerRole: agent ? phrase(L, 'filerAgent') : phrase(L, 'filerOwner'),
    signerRole: agent ? phrase(L, 'signerAgent', { owner: complainant?.name ?? '' }) : phrase(L, 'signerOwner'),
    platformNames: joinList(platforms.map((p) => (p === 'other' ? joinList(spec.uses.filter((u) => u.platform === 'other').map((u) => u.platformName), L) : label(L, 'platform', p))), L),
    work: {
      title: spec.work.title,
      registered: Boolean(spec.work.registrationNumber || spec.work.dciNumber),
      registrationNumber: spec.work.registrationNumber,
      dciNumber: spec.work.dciNumber,
      registrationText: spec.work.registrationNumber || phrase(L, 'notRegistered'),
      dciText: spec.work.dciNumber || '—',
      licenceText: spec.work.licence || phrase(L, 'licenceNone'),
      descriptionText: spec.work.description || (camera && m.capturedAt
        ? phrase(L, 'workDescription', { width: item.width, height: item.height, camera, time: m.capturedAt.replace('T', ' ') })
        : phrase(L, 'workDescriptionPlain', { width: item.width, height: item.height })),
      originalFile: files.original,
      originalSha256: item.sha256,
      capturedAt: m.capturedAt?.replace('T', ' ') ?? phrase(L, 'unknown', {}, 'word'),
      capturedText: phrase(L, 'capturedText', { time: m.capturedAt?.replace('T', ' ') ?? phrase(L, 'unknown', {}, 'word'), camera: camera || phrase(L, 'unknown', {}, 'word') }),
      cameraText: camera || phrase(L, 'unknown', {}, 'word'),
      lensText: m.lens || '—',
      exposureText: exposure,
      softwareText: m.software || '—',
      exifRightsText: [m.artist, m.copyright].filter(Boolean).join(' · ') || '—',
      importedAt: item.importedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'),
      sizeText: phrase(L, 'size', { format: item.format.toUpperCase(), width: item.width, height: item.height }),
      byteSizeText: phrase(L, 'bytes', { mb: (item.byteSize / 1e6).toFixed(2), bytes: item.byteSize }),
    },
    signature: { name: spec.signature.name, dateText: spec.signature.date ? formatDate(spec.signature.date, lang) : '' },
    integritySection: lang === 'zh' ? ['三', '四', '五', '六', '七', '八', '九', '十', '十一'][uses.length] ?? String(uses.length + 3) : String(uses.length + 3),
  };

  // Pictures, made once.
  const originalThumb = await displayImage(env.deps.library.originalPath(item.id), 900, env.deps.config.pixelLimit);
  const slots: Record<string, Block[]> = {
    original: [{ type: 'images', columns: 1, maxHeight: 230, items: [{ data: originalThumb.data, width: originalThumb.width, height: originalThumb.height, caption: [phrase(L, 'originalCaption', { width: item.width, height: item.height })] }] }],
    timeline: [{
      type: 'table',
      columns: lang === 'zh'
        ? [{ header: '时间（UTC）', width: 24 }, { header: '事件', width: 18 }, { header: '说明', width: 38 }, { header: '记录哈希', width: 20 }]
        : [{ header: 'Time (UTC)', width: 24 }, { header: 'Event', width: 18 }, { header: 'Details', width: 38 }, { header: 'Record hash', width: 20 }],
      rows: history.map((e) => [e.at.replace('T', ' ').replace(/\.\d+Z$/, ''), label(L, 'event', e.type), eventDetail(e), `${e.hash.slice(0, 16)}…`]),
    }],
  };
  for (const [i, a] of analyses.entries()) {
    const c = a.comparison;
    const key = `use${i + 1}`;
    slots[`${key}.sideBySide`] = [{
      type: 'images', columns: 2, maxHeight: 230,
      items: [
        { data: c.original.data, width: c.original.width, height: c.original.height, caption: [phrase(L, 'originalCaption', { width: item.width, height: item.height })], ...(c.outline ? { outline: { ...c.outline, label: phrase(L, 'regionLabel') } } : {}) },
        { data: c.suspect.data, width: c.suspect.width, height: c.suspect.height, caption: [phrase(L, 'suspectCaption', { width: a.suspect.width, height: a.suspect.height })] },
      ],
    }];
    slots[`${key}.overlay`] = [{
      type: 'images', columns: 2, maxHeight: 200,
      items: [
        { data: c.overlay.data, width: c.overlay.width, height: c.overlay.height, caption: [phrase(L, 'overlayCaption')] },
        { data: c.difference.data, width: c.difference.width, height: c.difference.height, caption: [phrase(L, 'differenceCaption')] },
      ],
    }];
    if (a.screenshots.length === 0) slots[`${key}.screenshots`] = [{ type: 'paragraph', text: phrase(L, 'screenshotsNone') }];
    else {
      const shots = await Promise.all(a.screenshots.map((s) => displayImage(s.path, 900, env.deps.config.pixelLimit)));
      slots[`${key}.screenshots`] = [
        ...a.screenshots.map((s, j): Block => ({
          type: 'fields',
          rows: [
            { label: phrase(L, 'screenshotFile', { n: j + 1 }), value: files.uses[i]!.screenshots[j]! },
            { label: 'SHA-256', value: s.sha256 },
            { label: phrase(L, 'screenshotTime'), value: `${s.capturedAt.replace('T', ' ').replace(/\.\d+Z$/, '')} (${label(L, 'captureSource', s.capturedAtSource)})` },
            { label: phrase(L, 'screenshotReceived'), value: s.receivedAt.replace('T', ' ').replace(/\.\d+Z$/, '') },
          ],
        })),
        {
          type: 'images', columns: 2, maxHeight: 260,
          items: shots.map((p, j) => ({ data: p.data, width: p.width, height: p.height, caption: [phrase(L, 'screenshotCaption', { n: j + 1, time: a.screenshots[j]!.capturedAt.replace('T', ' ').replace(/\.\d+Z$/, '') })] })),
        },
      ];
    }
  }

  const docs: PlannedDoc[] = plan.map((p) => {
    const scoped = p.platform ? uses.filter((u) => u.platform === p.platform) : uses;
    const ctx = {
      ...baseCtx,
      uses: scoped,
      attachments: attachments(p.platform),
      platformName: p.platform === 'other' ? joinList(spec.uses.filter((u) => u.platform === 'other').map((u) => u.platformName), L) : '',
    };
    const model = documentFromTemplate(rd, p.template, lang, ctx, slots);
    return { file: p.file, title: model.title, model, role: p.template.split('/')[1]! };
  });
  return renderAll(env, docs, bundleId, generatedAt);
}

// ---------------------------------------------------------------------------------------------
// Preview and build
// ---------------------------------------------------------------------------------------------

async function prepare(env: BundleEnv, spec: Spec, ctx: CallContext, strict: boolean) {
  const { issues, item, people } = await checkComplaintFields(env, spec);
  if (strict && issues.length) {
    throw new ProofmarkError('invalid_input', `The complaint bundle cannot be built: ${issues.length} required field${issues.length === 1 ? ' is' : 's are'} missing or invalid: ${issues.map((i) => i.path).join(', ')}. Nothing was written.`, issues);
  }
  if (!item) throw new ProofmarkError('not_found', `There is no image #${spec.originalId} in the library.`);
  const analyses: UseAnalysis[] = [];
  const original = await prepareOriginal(env.deps.library.originalPath(item.id), env.deps.config.pixelLimit);
  for (const [i, u] of spec.uses.entries()) {
    if (ctx.signal.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
    ctx.progress({ done: i, total: spec.uses.length + 3, phase: 'comparing', current: u.listingUrl });
    if (!u.suspectPath) continue;
    try {
      analyses.push(await analyse(env, item, original, u));
    } catch (err) {
      if (err instanceof ProofmarkError) throw new ProofmarkError(err.code, `Use ${i + 1}: ${err.message}`, [{ path: `uses.${i}`, message: err.message }]);
      throw err;
    }
  }
  return { item, people, analyses, history: env.deps.library.get(item.id).history };
}

export async function previewComplaint(env: BundleEnv, spec: Spec, ctx: CallContext): Promise<RenderedDoc[]> {
  const { item, people, analyses, history } = await prepare(env, spec, ctx, false);
  const files = planFiles(item, analyses, people);
  return complaintDocuments(env, { ...spec, uses: analyses.map((a) => a.use) }, item, history, people, analyses, files, 'PREVIEW', new Date().toISOString(), env.key().fingerprint);
}

export async function buildComplaint(env: BundleEnv, spec: Spec, outDir: string, ctx: CallContext): Promise<BuildResult> {
  const { item, people, analyses, history } = await prepare(env, spec, ctx, true);
  const total = spec.uses.length + 3;
  const bundleId = newBundleId('complaint');
  const generatedAt = new Date().toISOString();
  const files = planFiles(item, analyses, people);
  const key = env.key();
  const build = await startBundle(env, outDir);
  try {
    ctx.progress({ done: spec.uses.length, total, phase: 'copying' });
    const roles = new Map<string, string>();
    const put = async (source: string, rel: string, role: string) => {
      const dest = path.join(build.target.staging, ...rel.split('/'));
      await fs.mkdir(path.dirname(dest), { recursive: true });
      await fs.copyFile(source, dest);
      await fs.chmod(dest, 0o644);
      roles.set(rel, role);
    };
    await put(env.deps.library.originalPath(item.id), files.original, 'original');
    for (const [i, a] of analyses.entries()) {
      await put(a.suspect.path, files.uses[i]!.suspect, 'suspect');
      for (const [j, s] of a.screenshots.entries()) await put(s.path, files.uses[i]!.screenshots[j]!, 'screenshot');
    }
    const idPeople = [people.complainant, people.agent].filter((p): p is FullPerson => Boolean(p?.scans.length));
    for (const [k, id] of files.identity.entries()) {
      for (const [j, f] of id.files.entries()) await put(idPeople[k]!.scans[j]!.path, f, 'identity');
    }

    ctx.progress({ done: spec.uses.length + 1, total, phase: 'documents' });
    const docs = await complaintDocuments(env, spec, item, history, people, analyses, files, bundleId, generatedAt, key.fingerprint);
    for (const d of docs) {
      await fs.writeFile(path.join(build.target.staging, d.file), d.pdf);
      roles.set(d.file, d.role);
    }
    const evidence = {
      bundleId, generatedAt,
      original: {
        imageId: item.id, sha256: item.sha256, file: files.original, format: item.format, width: item.width, height: item.height,
        capturedAt: item.metadata.capturedAt, camera: [item.metadata.cameraMake, item.metadata.cameraModel].filter(Boolean).join(' ') || null,
        importedAt: item.importedAt, registrationNumber: spec.work.registrationNumber || null, dciNumber: spec.work.dciNumber || null,
        provenance: history.map((e) => ({ id: e.id, type: e.type, at: e.at, hash: e.hash, prevHash: e.prevHash })),
      },
      uses: analyses.map((a, i) => ({
        platform: a.use.platform, platformName: a.use.platformName || null, listingUrl: a.use.listingUrl, imageUrl: a.use.imageUrl || null,
        shop: a.use.shop, foundOn: a.use.foundOn, itemId: a.use.itemId || null,
        suspect: { file: files.uses[i]!.suspect, sha256: a.suspect.sha256, receivedAt: a.suspect.receivedAt, width: a.suspect.width, height: a.suspect.height },
        screenshots: a.screenshots.map((s, j) => ({ file: files.uses[i]!.screenshots[j], sha256: s.sha256, capturedAt: s.capturedAt, capturedAtSource: s.capturedAtSource, receivedAt: s.receivedAt })),
        similarity: { score: a.similarity.match?.score ?? null, isMatch: a.similarity.match?.isMatch ?? false, transform: a.similarity.match?.transform ?? null, error: a.similarity.error },
        hiddenMark: a.hidden.result ?? { error: a.hidden.error },
        comparison: { alignment: a.comparison.alignment, meanDifference: Number(a.comparison.meanDifference.toFixed(4)) },
      })),
    };
    await fs.writeFile(path.join(build.target.staging, 'evidence.json'), `${JSON.stringify(evidence, null, 2)}\n`);
    roles.set('evidence.json', 'evidence-data');

    ctx.progress({ done: spec.uses.length + 2, total, phase: 'sealing' });
    const result = await finishBundle(env, build, {
      bundleId, kind: 'complaint', title: spec.work.title, generatedAt, roles,
      images: [{ id: item.id, sha256: item.sha256, title: spec.work.title, file: files.original, role: 'original' }],
      meta: { platforms: platformOrder(spec), uses: spec.uses.length },
      event: () => ({ uses: spec.uses.length, platforms: platformOrder(spec) }),
    }, ctx.signal);
    ctx.progress({ done: total, total, phase: 'done' });
    return { ...result, fixedSamples: [], warnings: [] };
  } catch (err) {
    await build.target.abort();
    throw err;
  }
}

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { ProofmarkError, type CallContext, type CheckReport, type FileCheck, type ImageFormat, type Profile, type Rule, type RuleResult, type Verdict } from '../../contract/index.ts';
import type { CoreDeps } from '../deps.ts';
import type { WalkError } from '../jobs/walk.ts';
import { emptyFacts, finishScan, inspectFile, type Inspection } from './facts.ts';
import { evaluate, formatName, requiredDpi, result, type RuleInputs } from './rules.ts';

/** One thing to check: a file on disk, or a library image's stored original. */
export interface CheckTarget {
  path: string;
  imageId?: number;
  title?: string;
  /** Shown name (a library image's original file name). */
  name?: string;
  /** Set when the target could not even be located (unknown image id, walk error). */
  error?: { en: string; zh: string };
}

/** A walk error in Chinese, like every reason the check gives. */
function walkErrorZh(e: WalkError): string {
  switch (e.wording.code) {
    case 'file.missing': return `${e.path} 不存在。`;
    case 'file.denied': return `${e.path} 无法读取（没有权限）。`;
    case 'file.link-loop': return `${e.path} 是循环的符号链接。`;
    default: return `${e.path} 无法读取（${e.wording.values?.reason ?? ''}）。`;
  }
}

/** Files and folders (walked in the worker pool) plus library images, in the order given. */
export async function resolveTargets(deps: CoreDeps, paths: string[], imageIds: number[], recursive: boolean): Promise<CheckTarget[]> {
  const targets: CheckTarget[] = [];
  if (paths.length) {
    const walked = await deps.pool.run('check.walk', { paths, recursive });
    const seen = new Set<string>();
    for (const f of walked.files) {
      if (!seen.has(f)) targets.push({ path: f });
      seen.add(f);
    }
    for (const e of walked.errors) targets.push({ path: e.path, error: { en: e.error, zh: walkErrorZh(e) } });
  }
  for (const id of imageIds) {
    const item = deps.library.images.byId(id);
    if (!item) {
      targets.push({ path: `#${id}`, imageId: id, error: { en: `There is no image #${id} in the library.`, zh: `图库中没有编号为 #${id} 的图片。` } });
      continue;
    }
    targets.push({ path: deps.library.originalPath(id), imageId: id, title: item.title, name: path.basename(item.sourcePath) });
  }
  return targets;
}

function verdictOf(rules: RuleResult[]): Verdict {
  if (rules.some((r) => r.status === 'fail')) return 'fail';
  if (rules.some((r) => r.status === 'warn')) return 'warn';
  return 'pass';
}

const builtIn = (kind: 'readable' | 'intact') => ({ id: kind, kind, severity: 'fail' as const, confirmed: true, source: 'proofmark' });

/**
 * Checks one target against the profile's per-file rules. Never throws: problems become failing
 * rules. Without a ready `scanned` inspection the file is read here (one file: the fix's re-check).
 */
export async function checkOne(deps: CoreDeps, target: CheckTarget, profile: Profile, integrity: boolean, scanned?: Inspection): Promise<{ check: FileCheck; inspection: Inspection | null }> {
  const base = { path: target.path, name: target.name ?? path.basename(target.path), ...(target.imageId !== undefined ? { imageId: target.imageId } : {}), ...(target.title !== undefined ? { title: target.title } : {}) };
  const perFile = profile.rules.filter((r) => r.severity !== 'off' && r.kind !== 'maxFiles' && r.kind !== 'sameFormat');
  const skipAll = (why: { en: string; zh: string }) =>
    perFile.map((r) => result(r, { status: 'skip', en: `Not checked: ${why.en}`, zh: `未检查：${why.zh}`, measured: '—', required: '—' }));

  const inspection = target.error ? null : scanned ?? (await inspectFile(target.path, { pixelLimit: deps.config.pixelLimit, integrity, printDpi: requiredDpi(profile) }));
  const facts = inspection?.facts ?? emptyFacts(target.path, 0);
  const problem = target.error ?? inspection?.unreadable;
  if (problem || !inspection) {
    const p = problem ?? { en: 'the file could not be read.', zh: '无法读取文件。' };
    const rules = [
      result(builtIn('readable'), { status: 'fail', en: p.en, zh: p.zh, measured: facts.byteSize === 0 && facts.format === null ? 'no image' : 'refused', required: 'an image' }),
      ...skipAll({ en: 'the file could not be opened as an image.', zh: '无法作为图片打开。' }),
    ];
    return { check: { ...base, verdict: 'fail', rules, facts, fixable: false, needsReencode: false }, inspection };
  }

  const bits = facts.bitDepth ? `, ${facts.bitDepth} bits per channel` : '';
  const rules: RuleResult[] = [
    result(builtIn('readable'), {
      status: 'pass',
      en: `${formatName(facts.format)}, ${facts.width} x ${facts.height} px${bits}, ${facts.channels ?? '?'} channels.`,
      zh: `${formatName(facts.format)}，${facts.width} x ${facts.height} 像素${facts.bitDepth ? `，每通道 ${facts.bitDepth} 位` : ''}，${facts.channels ?? '?'} 个通道。`,
      measured: `${facts.width} x ${facts.height}`, required: 'an image',
    }),
  ];
  const intact = facts.intact;
  if (intact.method === 'none') {
    rules.push(result(builtIn('intact'), { status: 'skip', en: `Only the header was read (${intact.detail}).`, zh: '只读取了文件头；完整性需完整解码才能确认（请勾选完整性检查）。', measured: 'header only', required: 'complete' }));
  } else if (intact.ok) {
    rules.push(result(builtIn('intact'), { status: 'pass', en: `The file is ${intact.detail}.`, zh: intact.method === 'decode' ? '文件完整：所有像素都能正常解码。' : '文件完整：结尾标记齐全（未解码检查）。', measured: intact.method === 'decode' ? 'decoded' : 'complete', required: 'complete' }));
  } else {
    rules.push(result(builtIn('intact'), {
      status: 'fail',
      en: `The file is damaged: ${intact.detail}. Copy or export it again from the original.`,
      zh: `文件已损坏：${intact.method === 'decode' ? '无法完整解码' : '文件被截断，缺少结尾标记'}。请从原始文件重新复制或导出。`,
      measured: 'damaged', required: 'complete',
    }));
    rules.push(...skipAll({ en: 'the file is damaged; fix that first.', zh: '文件已损坏，请先处理损坏问题。' }));
    return { check: { ...base, verdict: 'fail', rules, facts, fixable: false, needsReencode: false }, inspection };
  }

  const inputs: RuleInputs = { facts, inspection, profile };
  const white = perFile.find((r) => r.kind === 'whiteBackground');
  if (white && white.kind === 'whiteBackground') inputs.whiteFraction = await whiteBorderFraction(target.path, white.level, deps.config.pixelLimit);
  if (perFile.some((r) => r.kind === 'noVisibleWatermark')) inputs.visibleMarkEvent = await visibleMarkEvent(deps, target.path);
  for (const rule of perFile) {
    const r = evaluate(rule, inputs);
    if (r) rules.push(r);
  }
  return { check: finish({ ...base, rules, facts }), inspection };
}

function finish(c: Omit<FileCheck, 'verdict' | 'fixable' | 'needsReencode'>): FileCheck {
  const open = c.rules.filter((r) => r.status === 'fail' || r.status === 'warn');
  return { ...c, verdict: verdictOf(c.rules), fixable: open.length > 0 && open.every((r) => r.fix !== null), needsReencode: open.some((r) => r.fix === 'reencode') };
}

/**
 * Share of the image's border ring (2% of the short side, at least one pixel) whose every channel
 * is at least `level`, on a small copy (JPEG shrink-on-load keeps this cheap); transparency is
 * seen over white, as a web page shows it.
 */
export async function whiteBorderFraction(file: string, level: number, pixelLimit: number): Promise<number | { error: string }> {
  try {
    const { data, info } = await sharp(file, { limitInputPixels: pixelLimit, failOn: 'truncated' })
      .rotate()
      .resize(400, 400, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const { width: w, height: h, channels: c } = info;
    const ring = Math.max(1, Math.round(Math.min(w, h) * 0.02));
    let white = 0;
    let total = 0;
    for (let y = 0; y < h; y++) {
      const edgeRow = y < ring || y >= h - ring;
      for (let x = 0; x < w; x++) {
        if (!edgeRow && x >= ring && x < w - ring) { x = w - ring - 1; continue; }
        const i = (y * w + x) * c;
        total++;
        if (data[i]! >= level && data[i + 1]! >= level && data[i + 2]! >= level) white++;
      }
    }
    return total ? white / total : 0;
  } catch (err) {
    return { error: `the pixels cannot be read (${(err as Error).message.split('\n')[0]})` };
  }
}

/** The id of a provenance event saying ProofMark exported exactly this file (by SHA-256) with a visible mark. */
async function visibleMarkEvent(deps: CoreDeps, file: string): Promise<number | null> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const sha = hash.digest('hex');
  const rows = deps.db.prepare("SELECT id, data_json FROM events WHERE type IN ('watermarked', 'exported') AND instr(data_json, ?) > 0").all(sha) as { id: number; data_json: string }[];
  for (const row of rows) if (mentionsVisibleMark(JSON.parse(row.data_json), sha)) return row.id;
  return null;
}

/** True when the object that names `sha` (or the event itself) says a visible mark was applied. */
function mentionsVisibleMark(data: unknown, sha: string): boolean {
  const visible = (o: Record<string, unknown>) => o.visibleMark === true || o.visible === true || (typeof o.visible === 'object' && o.visible !== null);
  const walk = (v: unknown, root: Record<string, unknown>): boolean => {
    if (Array.isArray(v)) return v.some((x) => walk(x, root));
    if (typeof v !== 'object' || v === null) return false;
    const o = v as Record<string, unknown>;
    if (Object.values(o).includes(sha)) return visible(o) || visible(root);
    return Object.values(o).some((x) => walk(x, root));
  };
  return typeof data === 'object' && data !== null && walk(data, data as Record<string, unknown>);
}

/** Group rules (USCO): one format for the whole set; at most N files. Adds per-file results for the format rule. */
export function applyGroupRules(profile: Profile, files: FileCheck[]): RuleResult[] {
  const group: RuleResult[] = [];
  for (const rule of profile.rules) {
    if (rule.severity === 'off') continue;
    if (rule.kind === 'maxFiles') {
      const ok = files.length <= rule.count;
      group.push(result(rule, {
        status: ok ? 'pass' : rule.severity === 'warn' ? 'warn' : 'fail',
        en: ok ? `The group has ${files.length} files; at most ${rule.count} are allowed.` : `The group has ${files.length} files; at most ${rule.count} are allowed. Split it into ${Math.ceil(files.length / rule.count)} groups.`,
        zh: ok ? `本组共 ${files.length} 个文件，最多允许 ${rule.count} 个。` : `本组共 ${files.length} 个文件，最多允许 ${rule.count} 个。请拆分为 ${Math.ceil(files.length / rule.count)} 组。`,
        measured: String(files.length), required: `≤ ${rule.count}`,
      }));
    } else if (rule.kind === 'sameFormat') {
      group.push(...sameFormat(rule, profile, files));
    }
  }
  return group;
}

function sameFormat(rule: Extract<Rule, { kind: 'sameFormat' }>, profile: Profile, files: FileCheck[]): RuleResult[] {
  const counts = new Map<ImageFormat, number>();
  for (const f of files) if (f.facts.format) counts.set(f.facts.format, (counts.get(f.facts.format) ?? 0) + 1);
  const allowed = profile.rules.find((r): r is Extract<Rule, { kind: 'format' }> => r.kind === 'format' && r.severity !== 'off')?.allowed;
  // The group's format: the most common allowed one; on a tie, the one a fix converts to.
  const ranked = [...counts.entries()]
    .filter(([f]) => !allowed || allowed.includes(f))
    .sort((a, b) => b[1] - a[1] || Number(b[0] === profile.fix.convertTo) - Number(a[0] === profile.fix.convertTo));
  const target = ranked[0]?.[0] ?? profile.fix.convertTo;
  const total = files.filter((f) => f.facts.format).length;
  const odd = files.filter((f) => f.facts.format && f.facts.format !== target);
  for (const f of files) {
    if (!f.facts.format || f.rules.some((r) => r.id === 'readable' && r.status === 'fail') || f.rules.some((r) => r.id === 'intact' && r.status === 'fail')) continue;
    const ok = f.facts.format === target;
    const convertible = target === profile.fix.convertTo;
    f.rules.push(result(rule, {
      status: ok ? 'pass' : rule.severity === 'warn' ? 'warn' : 'fail',
      en: ok
        ? `The group is ${formatName(target)} (${counts.get(target)} of ${total} files), like this file.`
        : `The group is mostly ${formatName(target)} (${counts.get(target) ?? 0} of ${total} files) but this file is ${formatName(f.facts.format)}; one format per group is allowed.${convertible ? ` The fix converts it to ${formatName(target)}.` : ` Convert it to ${formatName(target)}.`}`,
      zh: ok
        ? `本组为 ${formatName(target)} 格式（${total} 个中的 ${counts.get(target)} 个），与此文件一致。`
        : `本组大多为 ${formatName(target)} 格式（${total} 个中的 ${counts.get(target) ?? 0} 个），此文件为 ${formatName(f.facts.format)}；每组只允许一种格式。`,
      measured: formatName(f.facts.format), required: formatName(target),
      fix: convertible ? 'convert' : null,
    }));
    Object.assign(f, finish(f));
  }
  const ok = odd.length === 0;
  return [result(rule, {
    status: ok ? 'pass' : rule.severity === 'warn' ? 'warn' : 'fail',
    en: ok ? `Every file is ${formatName(target)}.` : `${odd.length} of ${total} files are not ${formatName(target)}, the group's format.`,
    zh: ok ? `所有文件都是 ${formatName(target)} 格式。` : `${total} 个文件中有 ${odd.length} 个不是本组格式 ${formatName(target)}。`,
    measured: [...counts.entries()].map(([k, v]) => `${formatName(k)} ${v}`).join(', ') || '—', required: 'one format',
  })];
}

export function summarise(files: FileCheck[], group: RuleResult[]): CheckReport['summary'] {
  const count = (v: Verdict) => files.filter((f) => f.verdict === v).length;
  const groupVerdict = verdictOf(group);
  const fileVerdict: Verdict = count('fail') ? 'fail' : count('warn') ? 'warn' : 'pass';
  const order: Verdict[] = ['pass', 'warn', 'fail'];
  return {
    total: files.length, pass: count('pass'), warn: count('warn'), fail: count('fail'),
    fixable: files.filter((f) => f.verdict !== 'pass' && f.fixable).length,
    verdict: order[Math.max(order.indexOf(groupVerdict), order.indexOf(fileVerdict))]!,
  };
}

/** Files per worker task: large enough to amortise the message, small enough for steady progress. */
const SCAN_BATCH = 32;

/**
 * Checks every target and applies the group rules. Headers are read in the worker pool in
 * batches while the main side evaluates the rules of finished batches; progress per file;
 * cancel stops before the next batch. The same file reached twice (links) is checked once.
 */
export async function checkTargets(deps: CoreDeps, targets: CheckTarget[], profile: Profile, integrity: boolean, ctx: CallContext): Promise<CheckReport> {
  const opts = { pixelLimit: deps.config.pixelLimit, printDpi: requiredDpi(profile), integrity };
  const results: (FileCheck | null)[] = new Array(targets.length).fill(null);
  const seen = new Set<string>();
  const started = performance.now();
  let done = 0;
  const report = (current?: string) => {
    const rate = done / Math.max(1e-3, (performance.now() - started) / 1000);
    ctx.progress({ done, total: targets.length, rate, phase: 'check', ...(current ? { current } : {}), ...(rate > 0 ? { etaSeconds: (targets.length - done) / rate } : {}) });
  };
  report();
  const batches: number[][] = [];
  for (let i = 0; i < targets.length; i += SCAN_BATCH) batches.push(targets.slice(i, i + SCAN_BATCH).map((_, k) => i + k));
  let next = 0;
  const lane = async () => {
    while (next < batches.length && !ctx.signal.aborted) {
      const batch = batches[next++]!;
      const files = batch.filter((i) => !targets[i]!.error);
      const scans = files.length ? await deps.pool.run('check.scan', { files: files.map((i) => targets[i]!.path), pixelLimit: opts.pixelLimit, printDpi: opts.printDpi }, { signal: ctx.signal }) : [];
      const byIndex = new Map(files.map((i, k) => [i, scans[k]!]));
      for (const i of batch) {
        const target = targets[i]!;
        const scan = byIndex.get(i);
        if (scan && 'id' in scan && scan.id !== null) {
          if (seen.has(scan.id)) { done++; continue; } // a second link to a file already checked
          seen.add(scan.id);
        }
        const inspection = scan ? await finishScan(scan, target.path, opts) : undefined;
        results[i] = (await checkOne(deps, target, profile, integrity, inspection)).check;
        done++;
      }
      report(targets[batch[batch.length - 1]!]!.path);
    }
  };
  try {
    // Twice as many batches in flight as lanes of work, so a worker always has the next batch queued
    // while the main side evaluates the rules of the last one.
    await Promise.all(Array.from({ length: Math.max(1, Math.min(2 * deps.config.concurrency, batches.length)) }, lane));
  } catch (err) {
    if (ctx.signal.aborted) throw new ProofmarkError('cancelled', 'The check was cancelled.');
    throw err;
  }
  if (ctx.signal.aborted) throw new ProofmarkError('cancelled', 'The check was cancelled.');
  const files = results.filter((f): f is FileCheck => f !== null);
  const group = applyGroupRules(profile, files);
  return {
    profile: { id: profile.id, version: profile.version, name: profile.name.en, nameZh: profile.name.zh },
    checkedAt: new Date().toISOString(),
    integrity,
    files,
    group,
    summary: summarise(files, group),
  };
}

import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { ProofmarkError, type CallContext, type FileCheck, type FixAction, type FixedFile, type FixReport, type Profile, type Rule, type RuleResult } from '../../contract/index.ts';
import type { CoreDeps } from '../deps.ts';
import { toDpi } from '../imaging/density.ts';
import { canonicalExtension } from '../imaging/format.ts';
import { runBatch } from '../jobs/batch.ts';
import { decodeBmp } from './bmp.ts';
import { diffRanges } from './bytes.ts';
import { checkOne, checkTargets, type CheckTarget } from './checker.ts';
import { setJpegDensity, type DensityEdit } from './jpeg.ts';
import { predictName, safeStem, writeNew } from './output.ts';
import { setPngDensity } from './png.ts';
import { formatName, mb } from './rules.ts';

export interface FixOptions {
  target: 'folder' | 'library';
  outDir: string | null;
  allowReencode: boolean;
  dryRun: boolean;
}

type Out = 'jpeg' | 'png';

interface Work {
  bytes: Uint8Array;
  format: Out;
  actions: FixAction[];
  /** Only header fields changed: the changed byte ranges are reported. */
  headerOnly: boolean;
  edit: DensityEdit | null;
}

const ruleOf = (c: FileCheck, kind: RuleResult['kind']) => c.rules.find((r) => r.kind === kind);
const open = (r: RuleResult | undefined): r is RuleResult => r !== undefined && (r.status === 'fail' || r.status === 'warn');

function say(kind: FixAction['kind'], lossless: boolean, en: string, zh: string, quality?: number): FixAction {
  return { kind, description: en, descriptionZh: zh, lossless, ...(quality !== undefined ? { quality } : {}) };
}

function printAt(c: FileCheck, dpi: number): { en: string; zh: string } {
  const ps = c.facts.printSize;
  if (!ps) return { en: '', zh: '' };
  const w = ((ps.widthCm * ps.dpi) / dpi).toFixed(1);
  const h = ((ps.heightCm * ps.dpi) / dpi).toFixed(1);
  return { en: ` At ${dpi} dpi it prints at ${w} x ${h} cm.`, zh: `按 ${dpi} dpi 打印为 ${w} x ${h} 厘米。` };
}

/** The density a fix writes: the rule's minimum, or the file's own when it already meets it (declarations then only need to agree). */
function targetDpi(c: FileCheck, profile: Profile): number | null {
  const rule = profile.rules.find((r): r is Extract<Rule, { kind: 'minDensity' }> => r.kind === 'minDensity' && r.severity !== 'off');
  if (!rule) return null;
  const dpi = toDpi(c.facts.density.effective);
  const current = dpi ? Math.round(Math.min(dpi.x, dpi.y)) : 0;
  return ruleOf(c, 'minDensity')?.status === 'warn' && current >= rule.dpi ? current : rule.dpi;
}

function allowsJpeg(profile: Profile): boolean {
  const f = profile.rules.find((r): r is Extract<Rule, { kind: 'format' }> => r.kind === 'format' && r.severity !== 'off');
  return !f || f.allowed.includes('jpeg');
}

interface Plan {
  convertTo: Out | null;
  toSrgb: boolean;
  density: number | null;
  rename: boolean;
  shrinkTo: number | null;
  remaining: RuleResult[];
}

/** What a fix will do to one checked file, decided from its rule results alone. */
function plan(c: FileCheck, profile: Profile, allowReencode: boolean): Plan {
  const p: Plan = { convertTo: null, toSrgb: false, density: null, rename: false, shrinkTo: null, remaining: [] };
  for (const r of c.rules) {
    if (!open(r)) continue;
    if (r.fix === null) { p.remaining.push(r); continue; }
    if (r.kind === 'format' || r.kind === 'sameFormat') p.convertTo = profile.fix.convertTo;
    else if (r.kind === 'colourSpace') {
      if (r.fix === 'convert' || allowReencode) p.toSrgb = true;
      else p.remaining.push(r);
    } else if (r.kind === 'extension') p.rename = true;
    else if (r.kind === 'maxFileSize') {
      const rule = profile.rules.find((x): x is Extract<Rule, { kind: 'maxFileSize' }> => x.id === r.id && x.kind === 'maxFileSize');
      if (allowReencode && rule) p.shrinkTo = rule.bytes;
      else p.remaining.push(r);
    } else if (r.kind !== 'minDensity') p.remaining.push(r);
  }
  if (p.toSrgb && !p.convertTo) p.convertTo = c.facts.format === 'png' ? 'png' : 'jpeg';
  // A converted file gets the required density too; an existing one only when its rule is open.
  const density = targetDpi(c, profile);
  if (density !== null && (p.convertTo || open(ruleOf(c, 'minDensity')))) p.density = density;
  if (p.convertTo) p.rename = false; // the new name follows the new format anyway
  return p;
}

function hasWork(p: Plan): boolean {
  return p.convertTo !== null || p.density !== null || p.rename || p.shrinkTo !== null;
}

function setDensity(bytes: Uint8Array, format: Out, dpi: number): DensityEdit {
  return format === 'jpeg' ? setJpegDensity(bytes, dpi) : setPngDensity(bytes, dpi);
}

function densityAction(edit: DensityEdit, dpi: number, c: FileCheck): FixAction {
  const png = edit.wrote.includes('pHYs');
  const where = png ? 'pHYs chunk' : `${edit.wrote.join(' and ')} header${edit.wrote.length > 1 ? 's' : ''}`;
  const whereZh = png ? 'pHYs 数据块' : `${edit.wrote.join('、')} 文件头`;
  const added = edit.inserted ? ` (a new ${edit.wrote[0]} ${png ? 'chunk' : 'segment'} of ${edit.inserted.length} bytes is added)` : '';
  const addedZh = edit.inserted ? `（新增 ${edit.inserted.length} 字节的 ${edit.wrote[0]}）` : '';
  const p = printAt(c, dpi);
  return say('set-density', true,
    `Set the density to ${dpi} dpi in the ${where}${added}; the compressed pixels are not touched.${p.en}`,
    `在${whereZh}中把分辨率设为 ${dpi} dpi${addedZh}；压缩的像素数据不变。${p.zh}`);
}

/** Decode + encode: format conversion (PNG lossless, JPEG high quality), CMYK → sRGB, upright per EXIF. */
async function convert(input: Uint8Array, c: FileCheck, to: Out, quality: number, toSrgb: boolean, pixelLimit: number): Promise<{ bytes: Uint8Array; action: FixAction }> {
  const from = formatName(c.facts.format);
  let img: Sharp;
  if (c.facts.format === 'bmp') {
    const bmp = decodeBmp(input);
    img = sharp(bmp.data, { raw: { width: bmp.width, height: bmp.height, channels: bmp.channels }, limitInputPixels: pixelLimit });
  } else img = sharp(input, { limitInputPixels: pixelLimit, failOn: 'truncated' });
  const meta = await img.metadata();
  const notes: string[] = [];
  const notesZh: string[] = [];
  if ((meta.orientation ?? 1) > 1) {
    img = img.rotate();
    notes.push('turned upright as its EXIF orientation says');
    notesZh.push('按 EXIF 方向转正');
  }
  const cmyk = meta.space === 'cmyk';
  if (cmyk || toSrgb) {
    img = img.withIccProfile('srgb').keepExif().keepXmp();
    notes.push('colours converted from CMYK to sRGB');
    notesZh.push('色彩由 CMYK 转换为 sRGB');
  } else img = img.keepMetadata();
  if ((meta.pages ?? 1) > 1) {
    notes.push(`only the first of its ${meta.pages} frames is kept`);
    notesZh.push(`只保留 ${meta.pages} 帧中的第一帧`);
  }
  let lossless = to === 'png' && !cmyk;
  if (to === 'jpeg') {
    if (meta.hasAlpha) {
      img = img.flatten({ background: '#ffffff' });
      notes.push('transparent areas placed on white');
      notesZh.push('透明区域铺白');
    }
    img = img.jpeg({ quality, chromaSubsampling: quality >= 90 ? '4:4:4' : '4:2:0' });
  } else img = img.png({ compressionLevel: 9, adaptiveFiltering: true });
  const bytes = new Uint8Array(await img.toBuffer());
  if (to === 'jpeg') lossless = false;
  const extra = notes.length ? `; ${notes.join('; ')}` : '';
  const extraZh = notesZh.length ? `；${notesZh.join('；')}` : '';
  const same = c.facts.format === to;
  const action = to === 'png'
    ? say('convert', lossless, `${same ? 'Re-save the PNG' : `Convert ${from} to PNG`}${lossless ? ' without loss (pixel values identical)' : ''}${extra}.`, `${same ? '重新保存 PNG' : `将 ${from} 转换为 PNG`}${lossless ? '（无损，像素值不变）' : ''}${extraZh}。`)
    : say(toSrgb && same ? 'colour' : 'convert', false, `${same ? 'Re-encode the JPEG' : `Convert ${from} to JPEG`} at quality ${quality} (a high-quality re-encode)${extra}.`, `${same ? '重新编码 JPEG' : `将 ${from} 转换为 JPEG`}，质量 ${quality}（高质量重新编码）${extraZh}。`, quality);
  return { bytes, action };
}

/** Brings a file under `cap` bytes: PNG first by lossless recompression, then (where JPEG is allowed) the highest JPEG quality that fits. */
async function shrink(w: Work, cap: number, profile: Profile, dpi: number | null, pixelLimit: number): Promise<{ work: Work } | { error: string; errorZh: string }> {
  const before = w.bytes.length;
  const finish = (bytes: Uint8Array, format: Out) => (dpi !== null ? setDensity(bytes, format, dpi).bytes : bytes);
  if (w.format === 'png') {
    const recompressed = finish(new Uint8Array(await sharp(w.bytes, { limitInputPixels: pixelLimit }).keepMetadata().png({ compressionLevel: 9, adaptiveFiltering: true, effort: 10 }).toBuffer()), 'png');
    if (recompressed.length <= cap) {
      return { work: { ...w, bytes: recompressed, headerOnly: false, actions: [...w.actions, say('shrink', true, `Recompress the PNG without loss (pixel values identical) to fit under ${mb(cap)}: ${mb(before)} → ${mb(recompressed.length)}.`, `无损重新压缩 PNG（像素值不变），使其小于 ${mb(cap)}：${mb(before)} → ${mb(recompressed.length)}。`)] } };
    }
    if (!allowsJpeg(profile)) return { error: `Even recompressed without loss the PNG is ${mb(recompressed.length)}, over the ${mb(cap)} cap, and this profile does not allow JPEG.`, errorZh: `即使无损重新压缩，PNG 仍有 ${mb(recompressed.length)}，超过 ${mb(cap)} 上限，且本规则集不允许 JPEG。` };
  }
  const start = Math.min(profile.fix.jpegQuality, 95);
  const encode = async (q: number) => finish(new Uint8Array(await sharp(w.bytes, { limitInputPixels: pixelLimit }).flatten({ background: '#ffffff' }).keepMetadata().jpeg({ quality: q, chromaSubsampling: q >= 90 ? '4:4:4' : '4:2:0' }).toBuffer()), 'jpeg');
  let lo = 40;
  let hi = start;
  let best: { bytes: Uint8Array; q: number } | null = null;
  while (lo <= hi) {
    const q = Math.floor((lo + hi) / 2);
    const bytes = await encode(q);
    if (bytes.length <= cap) { best = { bytes, q }; lo = q + 1; } else hi = q - 1;
  }
  if (!best) return { error: `Even at JPEG quality 40 the file stays over ${mb(cap)}; a smaller pixel size would be needed, which ProofMark does not do for registration samples.`, errorZh: `即使 JPEG 质量降到 40，文件仍超过 ${mb(cap)}；需要缩小像素尺寸，ProofMark 不会对登记样本这样做。` };
  const fromPng = w.format === 'png' ? ' (from PNG; transparent areas placed on white)' : '';
  const fromPngZh = w.format === 'png' ? '（由 PNG 转换，透明区域铺白）' : '';
  return {
    work: {
      ...w, bytes: best.bytes, format: 'jpeg', headerOnly: false,
      actions: [...w.actions, say('shrink', false, `Re-encode as JPEG at quality ${best.q}${fromPng} to fit under ${mb(cap)}: ${mb(before)} → ${mb(best.bytes.length)}.`, `以质量 ${best.q} 重新编码为 JPEG${fromPngZh}，使其小于 ${mb(cap)}：${mb(before)} → ${mb(best.bytes.length)}。`, best.q)],
    },
  };
}

function stemFor(c: FileCheck): string {
  if (c.imageId !== undefined) return safeStem(c.title ?? path.parse(c.name).name);
  return safeStem(path.parse(c.name).name);
}

function describePlan(p: Plan, c: FileCheck, profile: Profile): FixAction[] {
  const actions: FixAction[] = [];
  const from = formatName(c.facts.format);
  if (p.convertTo === 'png') {
    const lossless = c.facts.colourModel !== 'cmyk' && c.facts.colourModel !== 'ycck';
    actions.push(say('convert', lossless, `Convert ${from} to PNG${lossless ? ' without loss (pixel values identical)' : ' (colours converted from CMYK to sRGB)'}.`, `将 ${from} 转换为 PNG${lossless ? '（无损，像素值不变）' : '（色彩由 CMYK 转换为 sRGB）'}。`));
  } else if (p.convertTo === 'jpeg') {
    const q = profile.fix.jpegQuality;
    const what = c.facts.format === 'jpeg' ? 'Re-encode the JPEG with sRGB colours' : `Convert ${from} to JPEG`;
    const whatZh = c.facts.format === 'jpeg' ? '以 sRGB 色彩重新编码 JPEG' : `将 ${from} 转换为 JPEG`;
    actions.push(say(c.facts.format === 'jpeg' ? 'colour' : 'convert', false, `${what} at quality ${q} (a high-quality re-encode).`, `${whatZh}，质量 ${q}（高质量重新编码）。`, q));
  }
  if (p.density !== null) {
    const out = p.convertTo ?? c.facts.format;
    const where = out === 'png' ? 'pHYs chunk' : 'JFIF and EXIF headers';
    const whereZh = out === 'png' ? 'pHYs 数据块' : 'JFIF 和 EXIF 文件头';
    const pa = printAt(c, p.density);
    actions.push(say('set-density', true, `Set the density to ${p.density} dpi in the ${where}; the pixels are not touched.${pa.en}`, `在${whereZh}中把分辨率设为 ${p.density} dpi；像素不变。${pa.zh}`));
  }
  if (p.rename) {
    const ext = canonicalExtension(c.facts.format!);
    actions.push(say('rename', true, `Name the new file .${ext} to match its ${from} bytes (it is .${c.facts.extension || '(none)'}).`, `新文件使用扩展名 .${ext}，与其 ${from} 内容一致（原为 .${c.facts.extension || '无'}）。`));
  }
  if (p.shrinkTo !== null) {
    const png = (p.convertTo ?? c.facts.format) === 'png';
    actions.push(say('shrink', false,
      `${png ? 'Recompress the PNG without loss; if it is still' : 'Re-encode as JPEG at the highest quality that brings it'} under ${mb(p.shrinkTo)}${png ? `, re-encode as JPEG at the highest quality that fits${allowsJpeg(profile) ? '' : ' (not allowed by this profile)'}` : ''} (now ${mb(c.facts.byteSize)}; the quality is chosen when fixing).`,
      `${png ? '先无损重新压缩 PNG；如仍超过' : '以能满足'} ${mb(p.shrinkTo)}${png ? '，再以能满足上限的最高质量编码为 JPEG' : ' 上限的最高质量重新编码为 JPEG'}（当前 ${mb(c.facts.byteSize)}；质量在修正时确定）。`));
  }
  return actions;
}

/** Fixes one checked file into new bytes; the original is only read. */
async function fixBytes(deps: CoreDeps, c: FileCheck, p: Plan, profile: Profile, allowReencode: boolean): Promise<{ work: Work; remaining: { en: string; zh: string }[] }> {
  const original = new Uint8Array(await fs.readFile(c.path));
  let w: Work = { bytes: original, format: c.facts.format === 'png' ? 'png' : 'jpeg', actions: [], headerOnly: true, edit: null };
  const remaining: { en: string; zh: string }[] = [];
  if (p.convertTo) {
    const converted = await convert(original, c, p.convertTo, profile.fix.jpegQuality, p.toSrgb, deps.config.pixelLimit);
    w = { bytes: converted.bytes, format: p.convertTo, actions: [converted.action], headerOnly: false, edit: null };
  }
  if (p.density !== null) {
    const edit = setDensity(w.bytes, w.format, p.density);
    w = { ...w, bytes: edit.bytes, edit: w.headerOnly ? edit : null, actions: [...w.actions, densityAction(edit, p.density, c)] };
  }
  if (p.rename) {
    const ext = canonicalExtension(w.format);
    w.actions.push(say('rename', true, `Name the new file .${ext} to match its ${formatName(w.format)} bytes (it was .${c.facts.extension || '(none)'}).`, `新文件使用扩展名 .${ext}，与其 ${formatName(w.format)} 内容一致（原为 .${c.facts.extension || '无'}）。`));
  }
  // The size cap is judged on the finished bytes: a conversion can push a file over it.
  const cap = profile.rules.find((r): r is Extract<Rule, { kind: 'maxFileSize' }> => r.kind === 'maxFileSize' && r.severity !== 'off')?.bytes ?? null;
  if (cap !== null && w.bytes.length > cap && allowReencode) {
    const s = await shrink(w, cap, profile, p.density, deps.config.pixelLimit);
    if ('work' in s) w = s.work;
    else remaining.push({ en: s.error, zh: s.errorZh });
  }
  return { work: w, remaining };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Checks, plans and (unless a dry run) writes the fixed files. */
export async function fixTargets(deps: CoreDeps, targets: CheckTarget[], profile: Profile, opts: FixOptions, ctx: CallContext): Promise<FixReport> {
  const checked = await checkTargets(deps, targets, profile, false, ctx);
  const outcomes = await runBatch(checked.files, { concurrency: Math.max(1, Math.min(2, deps.config.concurrency)), signal: ctx.signal, progress: ctx.progress, label: (c) => c.path, phase: opts.dryRun ? 'preview' : 'fix' }, (c) => fixOne(deps, c, profile, opts, ctx));
  if (ctx.signal.aborted) throw new ProofmarkError('cancelled', 'The fix was cancelled; the files finished before that are in the output folder.');
  const files: FixedFile[] = outcomes.map((o) =>
    o.ok ? o.value : { path: o.item.path, name: o.item.name, status: 'failed', before: o.item.verdict, actions: [], remaining: [], remainingZh: [], output: null, after: null, error: o.error });
  const count = (s: FixedFile['status']) => files.filter((f) => f.status === s).length;
  return {
    profile: { id: profile.id, version: profile.version },
    dryRun: opts.dryRun,
    target: opts.target,
    outDir: opts.outDir,
    files,
    summary: {
      total: files.length, fixed: count('fixed'), unchanged: count('unchanged'), planned: count('planned'), failed: count('failed'),
      stillFailing: files.filter((f) => (f.after ?? f.before) === 'fail' || f.status === 'failed').length,
    },
  };
}

async function fixOne(deps: CoreDeps, c: FileCheck, profile: Profile, opts: FixOptions, ctx: CallContext): Promise<FixedFile> {
  const base = { path: c.path, name: c.name, ...(c.imageId !== undefined ? { imageId: c.imageId } : {}) };
  const blockers = c.rules.filter((r) => (r.kind === 'readable' || r.kind === 'intact') && r.status === 'fail');
  if (blockers.length) {
    return { ...base, status: 'failed', before: c.verdict, actions: [], remaining: blockers.map((r) => r.reason), remainingZh: blockers.map((r) => r.reasonZh), output: null, after: null, error: `Not fixed: ${blockers[0]!.reason}` };
  }
  const p = plan(c, profile, opts.allowReencode);
  const remainingOf = (rs: RuleResult[]) => ({ remaining: rs.map((r) => r.reason), remainingZh: rs.map((r) => r.reasonZh) });
  if (c.verdict === 'pass' || !hasWork(p)) {
    return { ...base, status: 'unchanged', before: c.verdict, actions: [], ...remainingOf(p.remaining), output: null, after: c.verdict };
  }
  const toLibrary = opts.target === 'library' && c.imageId !== undefined;
  const finalFormat = p.convertTo ?? (c.facts.format === 'png' ? 'png' : 'jpeg');
  const fileName = `${stemFor(c)}${toLibrary ? ` (${profile.id})` : ''}.${canonicalExtension(finalFormat)}`;
  if (opts.dryRun) {
    const output = toLibrary ? null : opts.outDir ? await predictName(opts.outDir, fileName) : fileName;
    const predicted = p.remaining.some((r) => r.status === 'fail') ? 'fail' : p.remaining.some((r) => r.status === 'warn') ? 'warn' : 'pass';
    // Header-only work is cheap: do it in memory so the preview names exactly what changes.
    const actions = p.convertTo === null && p.shrinkTo === null ? (await fixBytes(deps, c, p, profile, false)).work.actions : describePlan(p, c, profile);
    return { ...base, status: 'planned', before: c.verdict, actions, ...remainingOf(p.remaining), output, after: predicted };
  }
  const { work, remaining } = await fixBytes(deps, c, p, profile, opts.allowReencode);
  const changedBytes = work.headerOnly ? changed(await fs.readFile(c.path), work) : undefined;
  let output: string;
  let derivedImageId: number | undefined;
  const outSha = sha256(work.bytes);
  if (toLibrary) {
    const dir = path.join(deps.config.tempDir, `fix-${randomBytes(6).toString('hex')}`);
    try {
      const tmp = await writeNew(dir, fileName, work.bytes);
      const imported = await deps.library.import([tmp], false, { signal: ctx.signal, progress: () => {} });
      const item = imported.imported[0] ?? imported.existing[0];
      if (!item) throw new ProofmarkError('io_error', `The fixed file could not be added to the library: ${imported.errors[0]?.error ?? 'unknown reason'}`);
      derivedImageId = item.id;
      output = deps.library.originalPath(item.id);
      deps.library.record(item.id, 'derived', { from: c.imageId, profile: profile.id, profileVersion: profile.version, actions: work.actions.map((a) => a.description) });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  } else {
    if (!opts.outDir) throw new ProofmarkError('invalid_input', 'Choose an output folder for the fixed files.');
    output = await writeNew(opts.outDir, fileName, work.bytes);
  }
  if (c.imageId !== undefined) {
    deps.library.record(c.imageId, 'fixed', {
      profile: profile.id, profileVersion: profile.version, sha256: outSha, lossless: work.actions.every((a) => a.lossless),
      actions: work.actions.map((a) => a.description), ...(derivedImageId !== undefined ? { derivedImageId } : { output }),
    });
  }
  const after = (await checkOne(deps, { path: output }, profile, false)).check;
  const left = after.rules.filter(open);
  return {
    ...base, status: 'fixed', before: c.verdict, actions: work.actions,
    remaining: [...remaining.map((r) => r.en), ...left.map((r) => r.reason)].filter((v, i, a) => a.indexOf(v) === i),
    remainingZh: [...remaining.map((r) => r.zh), ...left.map((r) => r.reasonZh)].filter((v, i, a) => a.indexOf(v) === i),
    output, after: after.verdict, ...(derivedImageId !== undefined ? { derivedImageId } : {}), ...(changedBytes ? { changedBytes } : {}),
  };
}

/** Changed byte ranges of a header-only fix, in the new file's offsets (an inserted segment is one range). */
function changed(original: Uint8Array, w: Work): { offset: number; length: number }[] {
  const ins = w.edit?.inserted;
  if (!ins) return original.length === w.bytes.length ? diffRanges(original, w.bytes) : [{ offset: 0, length: w.bytes.length }];
  const without = new Uint8Array(w.bytes.length - ins.length);
  without.set(w.bytes.subarray(0, ins.offset), 0);
  without.set(w.bytes.subarray(ins.offset + ins.length), ins.offset);
  const ranges = diffRanges(original, without).map((r) => (r.offset >= ins.offset ? { offset: r.offset + ins.length, length: r.length } : r));
  return [...ranges, { offset: ins.offset, length: ins.length }].sort((a, b) => a.offset - b.offset);
}

import type { FileFacts, FixKind, ImageFormat, Profile, Rule, RuleKind, RuleResult, RuleStatus, StoredDensity } from '../../contract/index.ts';
import { describeDensity, meetsDpi, sourceName, toDpi } from '../imaging/density.ts';
import { canonicalExtension } from '../imaging/format.ts';
import type { Inspection } from './facts.ts';

/** Formats sharp (libvips) here can decode, so a fix can convert them. HEIC needs HEVC, which is not included. */
export const CONVERTIBLE: readonly ImageFormat[] = ['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif', 'bmp'];

export const LABELS: Record<RuleKind | 'readable' | 'intact', [string, string]> = {
  readable: ['Readable image', '可读取的图片'],
  intact: ['Intact', '文件完整'],
  format: ['Format', '格式'],
  extension: ['File name extension', '扩展名'],
  minDensity: ['Density', '分辨率'],
  maxFileSize: ['File size', '文件大小'],
  minLongSide: ['Long side', '长边'],
  minSize: ['Pixel size', '像素尺寸'],
  square: ['Square', '正方形'],
  colourSpace: ['Colour', '色彩模式'],
  whiteBackground: ['White background', '白色背景'],
  noVisibleWatermark: ['No visible watermark', '无可见水印'],
  sameFormat: ['One format per group', '同组同一格式'],
  maxFiles: ['Number of files', '文件数量'],
};

export const formatName = (f: ImageFormat | null) => (f ? (f === 'heif' ? 'HEIC/HEIF' : f.toUpperCase()) : 'unknown');

export function listOr(items: string[], or: string): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${or} ${items[items.length - 1]}`;
}

export const mb = (bytes: number) => `${(Math.round((bytes / 1048576) * 100) / 100).toString()} MB`;
const cm = (v: number) => v.toFixed(1);
const pct = (v: number) => `${Math.round(v * 1000) / 10}%`;

/** Result for a rule; `violated` picks the rule's severity, otherwise pass. */
export function result(
  rule: Pick<Rule, 'id' | 'severity' | 'confirmed' | 'source'> & { kind: RuleResult['kind'] },
  outcome: { status: RuleStatus; en: string; zh: string; measured: string; required: string; fix?: FixKind | null },
): RuleResult {
  const [label, labelZh] = LABELS[rule.kind];
  const unconfirmed = !rule.confirmed && outcome.status !== 'pass' && outcome.status !== 'skip';
  return {
    id: rule.id,
    kind: rule.kind,
    label,
    labelZh,
    status: outcome.status,
    reason: unconfirmed ? `${outcome.en} (This limit is unconfirmed: no official text was found. Change it in a copy of the profile if your office says otherwise.)` : outcome.en,
    reasonZh: unconfirmed ? `${outcome.zh}（此项限制未经官方确认；如登记机构另有要求，可复制本规则集后修改。）` : outcome.zh,
    measured: outcome.measured,
    required: outcome.required,
    confirmed: rule.confirmed,
    source: rule.source,
    fix: outcome.status === 'pass' || outcome.status === 'skip' ? null : (outcome.fix ?? null),
  };
}

const violated = (rule: Rule): RuleStatus => (rule.severity === 'warn' ? 'warn' : 'fail');

/** The density print sizes are given at: the profile's required density, else 300 dpi. */
export function requiredDpi(profile: Profile): number {
  const r = profile.rules.find((x): x is Extract<Rule, { kind: 'minDensity' }> => x.kind === 'minDensity' && x.severity !== 'off');
  return r?.dpi ?? 300;
}

export interface RuleInputs {
  facts: FileFacts;
  inspection: Inspection;
  profile: Profile;
  /** Fraction of the border that is white (only computed when a profile has the rule). */
  whiteFraction?: number | { error: string };
  /** A provenance event that says ProofMark exported this file with a visible mark. */
  visibleMarkEvent?: number | null;
}

/** Evaluates one per-file rule (group rules are handled by the checker). */
export function evaluate(rule: Rule, x: RuleInputs): RuleResult | null {
  const f = x.facts;
  switch (rule.kind) {
    case 'format': return formatRule(rule, f, x.profile);
    case 'extension': return extensionRule(rule, f);
    case 'minDensity': return densityRule(rule, f);
    case 'maxFileSize': {
      const over = f.byteSize > rule.bytes;
      return result(rule, {
        status: over ? violated(rule) : 'pass',
        en: over ? `The file is ${mb(f.byteSize)}; the cap is ${mb(rule.bytes)}. Shrinking it means re-encoding the pixels, which the fix does only when you allow it.` : `The file is ${mb(f.byteSize)}; the cap is ${mb(rule.bytes)}.`,
        zh: over ? `文件大小为 ${mb(f.byteSize)}，上限为 ${mb(rule.bytes)}。缩小文件需要重新编码像素，只有在你允许时才会这样修正。` : `文件大小为 ${mb(f.byteSize)}，上限为 ${mb(rule.bytes)}。`,
        measured: mb(f.byteSize), required: `≤ ${mb(rule.bytes)}`,
        fix: f.format && CONVERTIBLE.includes(f.format) ? 'reencode' : null,
      });
    }
    case 'minLongSide': {
      const long = Math.max(f.width ?? 0, f.height ?? 0);
      const ok = long >= rule.px;
      return result(rule, {
        status: ok ? 'pass' : violated(rule),
        en: ok ? `The long side is ${long} px; at least ${rule.px} px is needed.` : `The long side is ${long} px; the rule needs at least ${rule.px} px. Enlarging would not add detail: use a larger original.`,
        zh: ok ? `长边为 ${long} 像素，要求至少 ${rule.px} 像素。` : `长边为 ${long} 像素，规则要求至少 ${rule.px} 像素。放大不会增加细节，请使用更大的原图。`,
        measured: `${long} px`, required: `≥ ${rule.px} px`,
      });
    }
    case 'minSize': {
      const ok = (f.width ?? 0) >= rule.width && (f.height ?? 0) >= rule.height;
      return result(rule, {
        status: ok ? 'pass' : violated(rule),
        en: ok ? `The image is ${f.width} x ${f.height} px; at least ${rule.width} x ${rule.height} px is needed.` : `The image is ${f.width} x ${f.height} px; the rule needs at least ${rule.width} x ${rule.height} px. Use a larger original.`,
        zh: ok ? `图片为 ${f.width} x ${f.height} 像素，要求至少 ${rule.width} x ${rule.height} 像素。` : `图片为 ${f.width} x ${f.height} 像素，规则要求至少 ${rule.width} x ${rule.height} 像素。请使用更大的原图。`,
        measured: `${f.width} x ${f.height}`, required: `≥ ${rule.width} x ${rule.height}`,
      });
    }
    case 'square': {
      const w = f.width ?? 0;
      const h = f.height ?? 0;
      const ok = Math.abs(w - h) <= rule.tolerance * Math.max(w, h);
      const ratio = `${(Math.max(w, h) / Math.max(1, Math.min(w, h))).toFixed(2)}:1`;
      return result(rule, {
        status: ok ? 'pass' : violated(rule),
        en: ok ? `The image is ${w} x ${h} px: square.` : `The image is ${w} x ${h} px (${ratio}), not square. Crop it to a square, or place it on a square white canvas.`,
        zh: ok ? `图片为 ${w} x ${h} 像素，是正方形。` : `图片为 ${w} x ${h} 像素（${ratio}），不是正方形。请裁成正方形，或放到正方形白色画布上。`,
        measured: ratio, required: '1:1',
      });
    }
    case 'colourSpace': return colourRule(rule, f, x.profile);
    case 'whiteBackground': {
      const w = x.whiteFraction;
      if (w === undefined || typeof w === 'object') {
        return result(rule, { status: 'skip', en: `Not checked: ${w ? w.error : 'the pixels were not read'}.`, zh: `未检查：${w ? w.error : '未读取像素'}。`, measured: '—', required: `≥ ${pct(rule.minWhite)}` });
      }
      const ok = w >= rule.minWhite;
      return result(rule, {
        status: ok ? 'pass' : violated(rule),
        en: `${pct(w)} of the image's border is white (every channel at least ${rule.level} of 255); the rule needs ${pct(rule.minWhite)}.${ok ? '' : ' Main images need a pure white background.'}`,
        zh: `图片边缘有 ${pct(w)} 为白色（各通道不低于 ${rule.level}/255），规则要求 ${pct(rule.minWhite)}。${ok ? '' : '主图需要纯白背景。'}`,
        measured: pct(w), required: `≥ ${pct(rule.minWhite)}`,
      });
    }
    case 'noVisibleWatermark': {
      const ev = x.visibleMarkEvent;
      return result(rule, {
        status: ev ? violated(rule) : 'pass',
        en: ev
          ? `ProofMark exported this file with a visible watermark (history event #${ev}). Main images must carry none: export it again for the amazon-main platform (the hidden mark still applies).`
          : 'ProofMark has no record of exporting this file with a visible watermark. Marks added by other tools are not detected: check it by eye.',
        zh: ev
          ? `ProofMark 导出此文件时加了可见水印（记录 #${ev}）。主图不得有可见水印：请按 amazon-main 平台重新导出（隐藏水印仍然保留）。`
          : 'ProofMark 没有以可见水印导出此文件的记录。其他工具添加的水印无法检测，请人工确认。',
        measured: ev ? 'visible mark' : 'none recorded', required: 'none',
      });
    }
    case 'sameFormat':
    case 'maxFiles':
      return null;
  }
}

function formatRule(rule: Extract<Rule, { kind: 'format' }>, f: FileFacts, profile: Profile): RuleResult {
  const allowed = listOr(rule.allowed.map((a) => formatName(a)), 'or');
  const allowedZh = rule.allowed.map((a) => formatName(a)).join('、');
  const ok = f.format !== null && rule.allowed.includes(f.format);
  const canConvert = f.format !== null && CONVERTIBLE.includes(f.format) && rule.allowed.includes(profile.fix.convertTo);
  const to = profile.fix.convertTo === 'png' ? 'PNG (lossless: the pixels stay identical)' : `JPEG at quality ${profile.fix.jpegQuality}`;
  const toZh = profile.fix.convertTo === 'png' ? 'PNG（无损：像素完全不变）' : `质量 ${profile.fix.jpegQuality} 的 JPEG`;
  const cannot = f.format === 'heif' ? ' This computer cannot decode HEIC; export it as JPEG from your photo app.' : f.format === 'svg' ? ' SVG is a drawing, not a photo: export it as PNG from your design program.' : '';
  const cannotZh = f.format === 'heif' ? '本机无法解码 HEIC，请在相册应用中导出为 JPEG。' : f.format === 'svg' ? 'SVG 是矢量图，请在设计软件中导出为 PNG。' : '';
  return result(rule, {
    status: ok ? 'pass' : violated(rule),
    en: ok
      ? `The file is ${formatName(f.format)} (by its bytes, whatever its name says); ${allowed} is allowed.`
      : `The file is ${formatName(f.format)} (by its bytes); the rule allows only ${allowed}.${canConvert ? ` The fix converts it to ${to}.` : cannot}`,
    zh: ok
      ? `文件是 ${formatName(f.format)} 格式（按文件内容判断，与文件名无关），允许 ${allowedZh}。`
      : `文件是 ${formatName(f.format)} 格式（按文件内容判断），规则只允许 ${allowedZh}。${canConvert ? `修正时将转换为${toZh}。` : cannotZh}`,
    measured: formatName(f.format), required: rule.allowed.map((a) => formatName(a)).join('/'),
    fix: canConvert ? 'convert' : null,
  });
}

function extensionRule(rule: Extract<Rule, { kind: 'extension' }>, f: FileFacts): RuleResult {
  const want = f.format ? canonicalExtension(f.format) : '';
  if (f.extensionMatches) {
    return result(rule, { status: 'pass', en: `The name ends in .${f.extension}, which matches its ${formatName(f.format)} bytes.`, zh: `扩展名 .${f.extension} 与文件内容（${formatName(f.format)}）一致。`, measured: `.${f.extension}`, required: `.${want}` });
  }
  const has = f.extension ? `ends in .${f.extension}` : 'has no extension';
  const hasZh = f.extension ? `扩展名是 .${f.extension}` : '没有扩展名';
  return result(rule, {
    status: violated(rule),
    en: `The name ${has} but the file is ${formatName(f.format)}; upload forms and viewers may reject or misread it. The fix names the new file .${want}.`,
    zh: `文件名${hasZh}，但文件实际是 ${formatName(f.format)}；上传页面和看图软件可能拒收或误读。修正后的新文件将使用 .${want}。`,
    measured: f.extension ? `.${f.extension}` : '(none)', required: `.${want}`,
    fix: 'rename',
  });
}

/** Short cell text: dpi first, the stored form after it when that is not per inch ("300 dpi (11811 px/m)"). */
function shortDensity(e: StoredDensity): string {
  const dpi = toDpi(e);
  if (!dpi) return `${e.x} x ${e.y}, no unit`;
  const n = (v: number) => String(Math.round(v * 10) / 10);
  const d = dpi.x === dpi.y ? `${n(dpi.x)} dpi` : `${n(dpi.x)} x ${n(dpi.y)} dpi`;
  return e.unit === 'inch' ? d : `${d} (${e.x} px/${e.unit})`;
}

function densitySources(list: StoredDensity[]): string {
  return [...new Set(list.map(sourceName))].join(' and ');
}

function densityRule(rule: Extract<Rule, { kind: 'minDensity' }>, f: FileFacts): RuleResult {
  const req = rule.dpi;
  const d = f.density;
  const ps = f.printSize;
  const print = ps ? ` At ${req} dpi this photo prints at ${cm(ps.widthCm)} x ${cm(ps.heightCm)} cm.` : '';
  const printZh = ps ? `按 ${req} dpi 打印，这张照片为 ${cm(ps.widthCm)} x ${cm(ps.heightCm)} 厘米。` : '';
  const fix: FixKind | null = f.format === 'jpeg' || f.format === 'png' ? 'lossless' : f.format && CONVERTIBLE.includes(f.format) ? 'convert' : null;
  const fixEn = fix === 'lossless' ? ` The fix sets ${req} dpi in the header without touching the pixels.` : '';
  const fixZh = fix === 'lossless' ? `修正时只改写文件头中的分辨率为 ${req} dpi，不改动像素。` : '';
  const required = `≥ ${req} dpi`;
  const e = d.effective;
  if (!e) {
    const where = f.format === 'jpeg' ? ' (no JFIF or EXIF resolution)' : f.format === 'png' ? ' (no pHYs chunk)' : '';
    const whereZh = f.format === 'jpeg' ? '（没有 JFIF 或 EXIF 分辨率）' : f.format === 'png' ? '（没有 pHYs 数据块）' : '';
    return result(rule, {
      status: violated(rule), en: `The file stores no density${where}; the rule needs at least ${req} dpi.${print}${fixEn}`,
      zh: `文件中没有记录分辨率${whereZh}；规则要求至少 ${req} dpi。${printZh}${fixZh}`, measured: 'none', required, fix,
    });
  }
  if (!toDpi(e)) {
    const xy = `${e.x} x ${e.y}`;
    return result(rule, {
      status: violated(rule),
      en: `The file stores ${xy} with units undefined (${densitySources(d.declarations)}): that is only an aspect ratio, not a density. The rule needs at least ${req} dpi.${print}${fixEn}`,
      zh: `文件记录的是 ${xy}，但单位未定义（${densitySources(d.declarations)}）：这只是宽高比，不是分辨率。规则要求至少 ${req} dpi。${printZh}${fixZh}`,
      measured: `${xy}, no unit`, required, fix,
    });
  }
  const desc = describeDensity(e);
  const others = d.declarations.filter((o) => o !== e && toDpi(o) && describeDensity(o) !== desc);
  const disagree = d.conflict && others.length > 0;
  const otherText = others.map((o) => `${sourceName(o)} says ${describeDensity(o)}`).join('; ');
  const dpi = toDpi(e)!;
  const closest = Math.min(dpi.x, dpi.y) < req && meetsDpi(e, req) ? `, the closest value to ${req} dpi its unit can store` : '';
  if (!meetsDpi(e, req)) {
    return result(rule, {
      status: violated(rule),
      en: `Density is ${desc}${disagree ? ` in ${sourceName(e)} (which counts; ${otherText})` : ''}; the rule needs at least ${req} dpi.${print}${fixEn}`,
      zh: `分辨率为 ${desc}${disagree ? `（以 ${sourceName(e)} 为准；另有 ${otherText}）` : ''}；规则要求至少 ${req} dpi。${printZh}${fixZh}`,
      measured: shortDensity(e), required, fix,
    });
  }
  if (disagree) {
    return result(rule, {
      status: 'warn',
      en: `Density is ${desc} in ${sourceName(e)}, but ${otherText}. Most programs show the EXIF value, some show the other; the fix makes them agree at ${Math.round(Math.min(dpi.x, dpi.y))} dpi without touching the pixels.`,
      zh: `${sourceName(e)} 中的分辨率为 ${desc}，但 ${otherText}。多数软件显示 EXIF 的值，也有软件显示另一个；修正时会把它们统一为 ${Math.round(Math.min(dpi.x, dpi.y))} dpi，不改动像素。`,
      measured: `${shortDensity(e)}, conflict`, required, fix: fix === 'lossless' ? 'lossless' : null,
    });
  }
  return result(rule, {
    status: 'pass',
    en: `Density is ${desc}${closest}; at least ${req} dpi is needed.${print}`,
    zh: `分辨率为 ${desc}${closest ? `（该单位下最接近 ${req} dpi 的值）` : ''}；要求至少 ${req} dpi。${printZh}`,
    measured: shortDensity(e), required,
  });
}

function colourRule(rule: Extract<Rule, { kind: 'colourSpace' }>, f: FileFacts, profile: Profile): RuleResult {
  const model = f.colourModel === 'palette' ? 'rgb' : f.colourModel === 'ycck' ? 'cmyk' : f.colourModel;
  const shown = f.colourModel === 'ycck' ? 'CMYK (YCCK)' : f.colourModel === 'palette' ? 'RGB (palette)' : (f.colourModel ?? 'unknown').toUpperCase();
  const icc = f.iccProfile ? `, profile ${f.iccProfile}` : '';
  const ok = model !== null && model !== 'unknown' && (rule.allowed as readonly string[]).includes(model);
  const willConvert = f.format !== null && !profile.rules.some((r) => r.kind === 'format' && r.severity !== 'off' && r.allowed.includes(f.format!));
  return result(rule, {
    status: ok ? 'pass' : violated(rule),
    en: ok
      ? `Colours are ${shown}${icc}.`
      : model === 'cmyk'
        ? `The colours are stored as ${shown} (${f.channels} channels${icc}); many browsers and viewers show CMYK images with wrong colours. RGB (sRGB) is expected. Converting to sRGB re-encodes the pixels${willConvert ? '' : ', which the fix does only when you allow it'}.`
        : `Colours are ${shown}${icc}; the rule expects ${listOr(rule.allowed.map((a) => a.toUpperCase()), 'or')}.`,
    zh: ok
      ? `色彩模式为 ${shown}${f.iccProfile ? `，色彩配置文件 ${f.iccProfile}` : ''}。`
      : model === 'cmyk'
        ? `色彩以 ${shown} 保存（${f.channels} 个通道）；很多浏览器和看图软件显示 CMYK 图片时颜色会出错，应为 RGB（sRGB）。转换为 sRGB 需要重新编码像素${willConvert ? '' : '，只有在你允许时才会这样修正'}。`
        : `色彩模式为 ${shown}，规则要求 ${rule.allowed.map((a) => a.toUpperCase()).join('、')}。`,
    measured: shown, required: rule.allowed.map((a) => a.toUpperCase()).join('/'),
    fix: model === 'cmyk' && f.format && CONVERTIBLE.includes(f.format) ? (willConvert ? 'convert' : 'reencode') : null,
  });
}

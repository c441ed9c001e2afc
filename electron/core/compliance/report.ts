import fs from 'node:fs/promises';
import path from 'node:path';
import type { CheckReport, FileCheck } from '../../contract/index.ts';
import { writeNew } from './output.ts';

/**
 * One CSV cell (RFC 4180 quoting). Text that a spreadsheet would run as a formula (starting with
 * = + - @ or a tab) gets a leading apostrophe, so a crafted file name cannot execute anything.
 */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const round2 = (v: number | undefined) => (v === undefined ? '' : Math.round(v * 100) / 100);

function dpiText(f: FileCheck): string {
  const d = f.facts.density.dpi;
  if (!d) return f.facts.density.effective ? 'no unit' : 'none';
  return d.x === d.y ? String(round2(d.x)) : `${round2(d.x)} x ${round2(d.y)}`;
}

/** One row per file: the facts, the verdict, then a status and a reason column per rule of the profile. */
export function toCsv(report: CheckReport): string {
  const ruleIds: string[] = [];
  const labels = new Map<string, string>();
  for (const f of report.files) {
    for (const r of f.rules) {
      if (!labels.has(r.id)) { ruleIds.push(r.id); labels.set(r.id, r.label); }
    }
  }
  const header = [
    'file', 'path', 'image id', 'verdict', 'fixable', 'format', 'extension', 'width', 'height', 'dpi', 'density as stored',
    `print width cm`, `print height cm`, 'print dpi', 'colour', 'ICC profile', 'bit depth', 'bytes', 'captured', 'intact',
    ...ruleIds.flatMap((id) => [`${labels.get(id)} (${id})`, `${labels.get(id)} reason`]),
  ];
  const rows = report.files.map((f) => {
    const byId = new Map(f.rules.map((r) => [r.id, r]));
    const stored = f.facts.density.declarations.map((d) => `${d.source}: ${d.x}x${d.y} per ${d.unit}`).join('; ');
    return [
      f.name, f.path, f.imageId ?? '', f.verdict, f.verdict === 'pass' ? '' : f.fixable ? 'yes' : 'no', f.facts.format ?? '', f.facts.extension,
      f.facts.width ?? '', f.facts.height ?? '', dpiText(f), stored, round2(f.facts.printSize?.widthCm), round2(f.facts.printSize?.heightCm),
      f.facts.printSize?.dpi ?? '', f.facts.colourModel ?? '', f.facts.iccProfile ?? '', f.facts.bitDepth ?? '', f.facts.byteSize,
      f.facts.capturedAt ?? '', f.facts.intact.ok ? 'yes' : 'no',
      ...ruleIds.flatMap((id) => [byId.get(id)?.status ?? '', byId.get(id)?.reason ?? '']),
    ];
  });
  const group = report.group.map((g) => ['(group)', '', '', g.status, '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', g.label, g.reason]);
  // A byte-order mark so spreadsheet programs read the UTF-8 (Chinese names) correctly.
  return `\ufeff${[header, ...rows, ...group].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** Writes the report (never over an existing file) and returns where, with the text. */
export async function exportReport(report: CheckReport, format: 'csv' | 'json', target: string | undefined, defaultDir: string): Promise<{ path: string; content: string; bytes: number }> {
  const content = format === 'csv' ? toCsv(report) : `${JSON.stringify(report, null, 2)}\n`;
  const stamp = report.checkedAt.replace(/[:.]/g, '-');
  const dir = target ? path.dirname(path.resolve(target)) : defaultDir;
  const name = target ? path.basename(target) : `check-${report.profile.id}-${stamp}.${format}`;
  await fs.mkdir(dir, { recursive: true });
  const bytes = Buffer.from(content, 'utf8');
  const written = await writeNew(dir, name, bytes);
  return { path: written, content, bytes: bytes.length };
}

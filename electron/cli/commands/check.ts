import fs from 'node:fs';
import type { Command } from 'commander';
import type { CheckReport, FileCheck, FixReport, RuleResult } from '../../contract/index.ts';
import { CliExit, EXIT_NEGATIVE, EXIT_USAGE, globalOptions, invoke, printJson, withCore } from '../runtime.ts';

function parseIds(text: string | undefined): number[] {
  if (!text) return [];
  return text.split(',').map((part) => {
    const id = Number(part.trim());
    if (!Number.isInteger(id) || id <= 0) throw new CliExit(EXIT_USAGE, `"${part.trim()}" is not an image id (a positive whole number).`);
    return id;
  });
}

/** Paths that do not exist are a usage error: nothing is checked or written. */
function requireInputs(paths: string[], ids: number[]): void {
  if (paths.length === 0 && ids.length === 0) throw new CliExit(EXIT_USAGE, 'Give at least one file or folder (or --image IDS).');
  const missing = paths.filter((p) => !fs.existsSync(p));
  if (missing.length) throw new CliExit(EXIT_USAGE, missing.map((p) => `${p} does not exist.`).join('\n'));
}

const mark = (s: RuleResult['status'] | FileCheck['verdict']) => ({ pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'skip' })[s];

function densityText(f: FileCheck): string {
  const d = f.facts.density;
  if (d.dpi) return d.dpi.x === d.dpi.y ? `${Math.round(d.dpi.x * 10) / 10} dpi` : `${Math.round(d.dpi.x)}x${Math.round(d.dpi.y)} dpi`;
  return d.effective ? 'no unit' : 'no dpi';
}

function printCheck(report: CheckReport, verbose: boolean): void {
  for (const f of report.files) {
    const facts = f.facts.format ? `${f.facts.format.toUpperCase()} ${f.facts.width ?? '?'}x${f.facts.height ?? '?'}  ${densityText(f)}  ${(f.facts.byteSize / 1048576).toFixed(2)} MB` : '';
    console.log(`${mark(f.verdict)}  ${f.imageId !== undefined ? `#${f.imageId} ` : ''}${f.path}  ${facts}`);
    for (const r of f.rules) {
      if (!verbose && (r.status === 'pass' || r.status === 'skip')) continue;
      console.log(`      ${mark(r.status)}  ${r.label}: ${r.reason}`);
    }
  }
  for (const g of report.group) console.log(`${mark(g.status)}  (group) ${g.label}: ${g.reason}`);
  const s = report.summary;
  console.log(`${s.total} file${s.total === 1 ? '' : 's'}: ${s.pass} pass, ${s.warn} warn, ${s.fail} fail${s.fail + s.warn ? ` (${s.fixable} fixable with "proofmark fix")` : ''}. Profile ${report.profile.id} v${report.profile.version}.`);
}

function printFix(report: FixReport): void {
  for (const f of report.files) {
    const where = f.derivedImageId !== undefined ? `library image #${f.derivedImageId}` : f.output ?? '';
    const head = f.status === 'unchanged' && f.before === 'pass' ? 'already passes' : f.status === 'planned' ? `would write ${where}` : f.status === 'fixed' ? `${where}  (${f.before} -> ${f.after})` : f.error ?? '';
    console.log(`${f.status.padEnd(9)}  ${f.path}  ${head}`);
    for (const a of f.actions) console.log(`             + ${a.description}`);
    for (const r of f.remaining) console.log(`             ! ${r}`);
  }
  const s = report.summary;
  const done = report.dryRun ? `${s.planned} would be fixed` : `${s.fixed} fixed`;
  console.log(`${s.total} file${s.total === 1 ? '' : 's'}: ${done}, ${s.unchanged} unchanged, ${s.failed} could not be fixed; ${s.stillFailing} still fail the profile ${report.profile.id}.${report.dryRun ? ' (Dry run: nothing was written.)' : ''}`);
}

export function registerCheckCommands(program: Command): void {
  program
    .command('check')
    .description('check photos against registration or platform rules (exit 0 all pass, 1 any fails, 2 usage)')
    .argument('[paths...]', 'image files or folders')
    .option('--profile <id>', 'rule profile (see "proofmark profiles")', 'cpcc-photo')
    .option('--image <ids>', 'library image ids, comma-separated')
    .option('--integrity', 'also decode every image fully to prove it is intact (slower)')
    .option('--no-recursive', 'do not descend into sub-folders')
    .option('--verbose', 'show passing rules too')
    .action(async (paths: string[], o: { profile: string; image?: string; integrity?: boolean; recursive: boolean; verbose?: boolean }, cmd: Command) => {
      const opts = globalOptions(cmd);
      const imageIds = parseIds(o.image);
      requireInputs(paths, imageIds);
      const report = await withCore(opts, (core) => invoke(core, 'check.run', { paths, imageIds, profileId: o.profile, integrity: Boolean(o.integrity), recursive: o.recursive }, opts));
      if (report.summary.total === 0) throw new CliExit(EXIT_USAGE, 'No image files were found in the folders given.');
      if (opts.json) printJson(report);
      else printCheck(report, Boolean(o.verbose));
      if (report.summary.verdict === 'fail') throw new CliExit(EXIT_NEGATIVE);
    });

  program
    .command('fix')
    .description('write fixed copies (density set losslessly, extension, format); originals are never changed')
    .argument('[paths...]', 'image files or folders')
    .requiredOption('--profile <id>', 'rule profile to fix for, e.g. cpcc-photo')
    .option('--out <dir>', 'folder for the fixed files (an existing file is never overwritten)')
    .option('--image <ids>', 'library image ids, comma-separated')
    .option('--to-library', 'add fixed library images to the library as derived versions instead of writing files')
    .option('--allow-reencode', 'allow re-encoding pixels (shrink to a size cap, CMYK to sRGB); reports the quality used')
    .option('--dry-run', 'only show what would change')
    .option('--no-recursive', 'do not descend into sub-folders')
    .action(async (paths: string[], o: { profile: string; out?: string; image?: string; toLibrary?: boolean; allowReencode?: boolean; dryRun?: boolean; recursive: boolean }, cmd: Command) => {
      const opts = globalOptions(cmd);
      const imageIds = parseIds(o.image);
      requireInputs(paths, imageIds);
      if (!o.out && !o.dryRun && !(o.toLibrary && paths.length === 0)) throw new CliExit(EXIT_USAGE, 'Choose where the fixed files go: --out DIR (or --to-library for library images).');
      const report = await withCore(opts, (core) =>
        invoke(core, 'check.fix', {
          paths, imageIds, profileId: o.profile, outDir: o.out, target: o.toLibrary ? 'library' : 'folder',
          allowReencode: Boolean(o.allowReencode), dryRun: Boolean(o.dryRun), recursive: o.recursive,
        }, opts));
      if (report.summary.total === 0) throw new CliExit(EXIT_USAGE, 'No image files were found in the folders given.');
      if (opts.json) printJson(report);
      else printFix(report);
      if (report.summary.stillFailing > 0) throw new CliExit(EXIT_NEGATIVE);
    });

  program
    .command('profiles')
    .description('list the rule profiles (shipped and your copies)')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = globalOptions(cmd);
      const result = await withCore(opts, (core) => invoke(core, 'check.profiles', {}, opts));
      if (opts.json) return printJson(result);
      for (const { profile: p, builtIn } of result.profiles) {
        console.log(`${p.id.padEnd(20)} v${p.version}  ${builtIn ? 'shipped' : 'yours  '}  ${p.name.en}`);
        for (const r of p.rules.filter((x) => x.severity !== 'off')) console.log(`${' '.repeat(24)}${r.severity === 'warn' ? 'warn' : 'must'}  ${r.id}${r.confirmed ? '' : ' (unconfirmed)'}`);
      }
    });
}

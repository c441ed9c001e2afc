import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { BuildResult, ComplaintSpecInput, RegistrationSpecInput, VerifyBundleResult } from '../../contract/index.ts';
import { CliExit, EXIT_NEGATIVE, EXIT_USAGE, globalOptions, invoke, printJson, withCore } from '../runtime.ts';

/** Reads a spec file; relative file paths inside it are relative to the spec file's folder. */
function readSpec(file: string): { spec: Record<string, unknown>; base: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliExit(EXIT_USAGE, `Cannot read the spec file ${file}: ${(err as Error).message}`);
  }
  let spec: unknown;
  try {
    spec = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new CliExit(EXIT_USAGE, `The spec file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) throw new CliExit(EXIT_USAGE, `The spec file ${file} must hold one JSON object (see docs/bundle-specs.md).`);
  return { spec: spec as Record<string, unknown>, base: path.dirname(path.resolve(file)) };
}

const resolveIn = (base: string) => (p: unknown) => (typeof p === 'string' && p && !path.isAbsolute(p) ? path.resolve(base, p) : p);

function resolvePerson(ref: unknown, base: string): unknown {
  if (!ref || typeof ref !== 'object' || !Array.isArray((ref as { idScans?: unknown }).idScans)) return ref;
  const r = ref as { idScans: unknown[] };
  return { ...r, idScans: r.idScans.map(resolveIn(base)) };
}

function resolveRegistrationPaths(spec: Record<string, unknown>, base: string): RegistrationSpecInput {
  const s = { ...spec };
  if (Array.isArray(s.owners)) s.owners = s.owners.map((o) => resolvePerson(o, base));
  if (Array.isArray(s.authors)) s.authors = s.authors.map((a) => (a && typeof a === 'object' ? { ...a, person: resolvePerson((a as { person?: unknown }).person, base) } : a));
  for (const k of ['agent', 'counterparty']) if (s[k]) s[k] = resolvePerson(s[k], base);
  return s as RegistrationSpecInput;
}

function resolveComplaintPaths(spec: Record<string, unknown>, base: string): ComplaintSpecInput {
  const s = { ...spec };
  for (const k of ['complainant', 'agent']) if (s[k]) s[k] = resolvePerson(s[k], base);
  if (Array.isArray(s.uses)) {
    s.uses = s.uses.map((u) => {
      if (!u || typeof u !== 'object') return u;
      const use = { ...(u as Record<string, unknown>) };
      use.suspectPath = resolveIn(base)(use.suspectPath);
      if (Array.isArray(use.screenshots)) use.screenshots = use.screenshots.map((sh) => (sh && typeof sh === 'object' ? { ...sh, path: resolveIn(base)((sh as { path?: unknown }).path) } : sh));
      return use;
    });
  }
  return s as ComplaintSpecInput;
}

function printBuild(r: BuildResult): void {
  console.log(`Built ${r.kind} bundle ${r.bundleId}`);
  console.log(`  folder  ${r.folder}`);
  console.log(`  zip     ${r.zip}`);
  console.log(`  ${r.files.length} files; manifest SHA-256 ${r.manifestSha256}`);
  console.log(`  signed with Ed25519 key ${r.publicKeyFingerprint}`);
  if (r.fixedSamples.length) console.log(`  samples of images ${r.fixedSamples.map((id) => `#${id}`).join(', ')} were replaced by their lossless fix`);
  for (const w of r.warnings) console.log(`  warning: ${w}`);
}

function printVerify(r: VerifyBundleResult): void {
  const who = r.signedByThisLibrary === true ? "signed with this library's key" : r.signedByThisLibrary === false ? "signed with a key that is NOT this library's" : 'signing key not compared (no library key)';
  console.log(`${r.ok ? 'INTACT ' : 'CHANGED'}  ${r.path}`);
  console.log(`  bundle ${r.bundleId ?? 'unknown'} (${r.bundleKind ?? 'unknown kind'}), generated ${r.generatedAt ?? 'unknown'}`);
  console.log(`  signature ${r.signature}; key ${r.publicKeyFingerprint ?? 'none'}; ${who}`);
  console.log(`  ${r.filesChecked} files checked`);
  for (const p of r.problems) console.log(`  ${p.kind.toUpperCase().padEnd(18)} ${p.message}`);
}

export function registerBundlesCommands(program: Command): void {
  const bundle = program.command('bundle').description('build CPCC registration bundles and marketplace complaint bundles (spec formats: docs/bundle-specs.md)');

  bundle
    .command('registration')
    .description('write a CPCC registration bundle (folder + ZIP) from a spec file')
    .requiredOption('--spec <file>', 'registration spec (JSON)')
    .requiredOption('--out <dir>', 'bundle folder to create (must not exist, or be empty); the ZIP is written beside it as <dir>.zip')
    .option('--fix-samples', 'replace samples that fail the CPCC profile by their lossless fix (the originals are never changed)')
    .action(async (o: { spec: string; out: string; fixSamples?: boolean }, cmd: Command) => {
      const opts = globalOptions(cmd);
      const { spec, base } = readSpec(o.spec);
      const input = { spec: resolveRegistrationPaths(spec, base), outDir: o.out, fixSamples: Boolean(o.fixSamples) };
      const result = await withCore(opts, (core) => invoke(core, 'bundles.registration.build', input, opts));
      if (opts.json) printJson(result);
      else printBuild(result);
    });

  bundle
    .command('complaint')
    .description('write a complaint bundle (letters, DMCA notice, evidence report; folder + signed ZIP) from a spec file')
    .requiredOption('--spec <file>', 'complaint spec (JSON)')
    .requiredOption('--out <dir>', 'bundle folder to create (must not exist, or be empty); the ZIP is written beside it as <dir>.zip')
    .action(async (o: { spec: string; out: string }, cmd: Command) => {
      const opts = globalOptions(cmd);
      const { spec, base } = readSpec(o.spec);
      const input = { spec: resolveComplaintPaths(spec, base), outDir: o.out };
      const result = await withCore(opts, (core) => invoke(core, 'bundles.complaint.build', input, opts));
      if (opts.json) printJson(result);
      else printBuild(result);
    });

  bundle
    .command('draft')
    .description('print a draft spec prefilled from the library, to edit and pass to --spec')
    .argument('<kind>', 'registration or complaint')
    .option('--images <ids>', 'registration: comma-separated image ids (several make a series)')
    .option('--original <id>', 'complaint: the original image id')
    .option('--suspect <files...>', 'complaint: suspect image files, one infringing use each')
    .action(async (kind: string, o: { images?: string; original?: string; suspect?: string[] }, cmd: Command) => {
      const opts = globalOptions(cmd);
      const ids = (text: string | undefined, what: string) => {
        const list = (text ?? '').split(',').map((t) => t.trim()).filter(Boolean).map(Number);
        if (!list.length || list.some((n) => !Number.isInteger(n) || n <= 0)) throw new CliExit(EXIT_USAGE, `${what} must be image ids (positive whole numbers, comma-separated).`);
        return list;
      };
      if (kind === 'registration') {
        const imageIds = ids(o.images, '--images');
        const r = await withCore(opts, (core) => invoke(core, 'bundles.registration.prefill', { imageIds }, opts));
        printJson(opts.json ? r : r.spec);
      } else if (kind === 'complaint') {
        const originalId = ids(o.original, '--original')[0]!;
        const suspectPaths = (o.suspect ?? []).map((p) => path.resolve(p));
        const r = await withCore(opts, (core) => invoke(core, 'bundles.complaint.prefill', { originalId, suspectPaths }, opts));
        printJson(opts.json ? r : r.spec);
      } else throw new CliExit(EXIT_USAGE, `The draft kind must be "registration" or "complaint", not "${kind}".`);
    });

  bundle
    .command('list')
    .description('bundles built from this library, with their last verification status')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = globalOptions(cmd);
      const r = await withCore(opts, (core) => invoke(core, 'bundles.list', {}, opts));
      if (opts.json) printJson(r);
      else {
        for (const b of r.bundles) console.log(`${b.bundleId}  ${b.kind.padEnd(12)} ${b.status.padEnd(10)} ${b.createdAt.slice(0, 10)}  ${b.title}  ${b.folder}`);
        console.log(`${r.bundles.length} bundles`);
      }
    });

  bundle
    .command('key')
    .description("print this library's bundle-signing public key (Ed25519, PEM), or write it to a file")
    .option('--out <file>', 'write the PEM here (never overwrites)')
    .action(async (o: { out?: string }, cmd: Command) => {
      const opts = globalOptions(cmd);
      const r = await withCore(opts, (core) => invoke(core, 'bundles.exportPublicKey', o.out ? { outFile: o.out } : {}, opts));
      if (opts.json) printJson(r);
      else if (r.path) console.log(`Wrote ${r.path} (${r.fingerprint})`);
      else process.stdout.write(`${r.pem.trimEnd()}\n# ${r.fingerprint}\n`);
    });

  program
    .command('verify')
    .description('check a bundle folder or ZIP: its signature and every file; exit 0 only when intact')
    .argument('<bundle>', 'bundle folder or ZIP')
    .action(async (target: string, _o: unknown, cmd: Command) => {
      const opts = globalOptions(cmd);
      const r = await withCore(opts, (core) => invoke(core, 'bundles.verify', { path: target }, opts));
      if (opts.json) printJson(r);
      else printVerify(r);
      if (!r.ok) throw new CliExit(EXIT_NEGATIVE);
    });
}

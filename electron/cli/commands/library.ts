import type { Command } from 'commander';
import type { ImageItem, ProvenanceEvent } from '../../contract/index.ts';
import { CliExit, EXIT_NEGATIVE, EXIT_USAGE, globalOptions, invoke, printJson, withCore } from '../runtime.ts';

function parseId(text: string): number {
  const id = Number(text);
  if (!Number.isInteger(id) || id <= 0) throw new CliExit(EXIT_USAGE, `"${text}" is not an image id (a positive whole number).`);
  return id;
}

function describeItem(i: ImageItem): string {
  const density = i.density ? `${i.density.x}x${i.density.y} per ${i.density.unit}` : 'no density';
  return `#${i.id}  ${i.title}  ${i.format.toUpperCase()} ${i.width}x${i.height}  ${density}  ${i.sha256.slice(0, 12)}`;
}

function describeEvent(e: ProvenanceEvent): string {
  return `  ${e.at}  ${e.type}  ${JSON.stringify(e.data)}`;
}

export function registerLibraryCommands(program: Command): void {
  program
    .command('import')
    .description('copy photos (files or folders) into the library, once each by SHA-256')
    .argument('<paths...>', 'image files or folders')
    .option('--no-recursive', 'do not descend into sub-folders')
    .action(async (paths: string[], cmdOpts: { recursive: boolean }, cmd: Command) => {
      const opts = globalOptions(cmd);
      let fingerprintProblem: string | null = null;
      const result = await withCore(opts, async (core) => {
        const imported = await invoke(core, 'library.import', { paths, recursive: cmdOpts.recursive }, opts);
        // Find's fingerprints of the new photos are done before the command ends (the app does them in the background).
        if (imported.imported.length) {
          await invoke(core, 'find.backfill', { redo: false }, opts).then(
            (r) => { if (r.failed.length) fingerprintProblem = `${r.failed.length} not fingerprinted for Find (${r.failed[0]!.error})`; },
            (err: unknown) => { fingerprintProblem = `fingerprints for Find not finished (${err instanceof Error ? err.message : String(err)})`; },
          );
        }
        return imported;
      });
      if (opts.json) printJson(result);
      else {
        for (const i of result.imported) console.log(`imported  #${i.id}  ${i.path}`);
        for (const i of result.existing) console.log(`existing  #${i.id}  ${i.path}`);
        for (const e of result.errors) console.log(`error     ${e.path}: ${e.error}`);
        console.log(`${result.imported.length} imported, ${result.existing.length} already in the library, ${result.errors.length} errors`);
      }
      if (fingerprintProblem) console.error(`note: ${fingerprintProblem}; "proofmark find backfill" completes them.`);
      if (result.errors.length > 0) throw new CliExit(EXIT_NEGATIVE);
    });

  program
    .command('list')
    .description('list library items')
    .option('--text <text>', 'title, notes or source path contains')
    .option('--tag <tag>', 'has this tag')
    .option('--collection <name>', 'in this collection')
    .option('--from <date>', 'captured (or imported) on or after YYYY-MM-DD')
    .option('--to <date>', 'captured (or imported) on or before YYYY-MM-DD')
    .action(async (f: { text?: string; tag?: string; collection?: string; from?: string; to?: string }, cmd: Command) => {
      const opts = globalOptions(cmd);
      const result = await withCore(opts, (core) => invoke(core, 'library.list', f, opts));
      if (opts.json) printJson(result);
      else {
        for (const i of result.items) console.log(describeItem(i));
        console.log(`${result.total} items`);
      }
    });

  program
    .command('show')
    .description('one item with its metadata and provenance history')
    .argument('<id>', 'image id')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const opts = globalOptions(cmd);
      const result = await withCore(opts, (core) => invoke(core, 'library.get', { id: parseId(id) }, opts));
      if (opts.json) printJson(result);
      else {
        console.log(describeItem(result.item));
        console.log(`  source ${result.item.sourcePath}, imported ${result.item.importedAt}`);
        console.log(`  captured ${result.item.metadata.capturedAt ?? 'unknown'}, camera ${[result.item.metadata.cameraMake, result.item.metadata.cameraModel].filter(Boolean).join(' ') || 'unknown'}`);
        console.log('history:');
        for (const e of result.history) console.log(describeEvent(e));
      }
    });

  program
    .command('edit')
    .description('edit the title, tags, collection or notes of an item')
    .argument('<id>', 'image id')
    .option('--title <title>')
    .option('--tags <tags>', 'comma-separated')
    .option('--collection <name>')
    .option('--notes <text>')
    .action(async (id: string, o: { title?: string; tags?: string; collection?: string; notes?: string }, cmd: Command) => {
      const opts = globalOptions(cmd);
      const patch = { id: parseId(id), title: o.title, collection: o.collection, notes: o.notes, tags: o.tags?.split(',').map((t) => t.trim()).filter(Boolean) };
      const item = await withCore(opts, (core) => invoke(core, 'library.update', patch, opts));
      if (opts.json) printJson(item);
      else console.log(describeItem(item));
    });

  program
    .command('verify-library')
    .description('re-hash every stored original and walk the provenance chain')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = globalOptions(cmd);
      const result = await withCore(opts, (core) => invoke(core, 'library.verify', {}, opts));
      if (opts.json) printJson(result);
      else {
        for (const p of result.problems) console.log(`PROBLEM  ${p.message}`);
        console.log(`${result.imagesChecked} originals and ${result.eventsChecked} events checked: ${result.ok ? 'library intact' : `${result.problems.length} problems`}`);
      }
      if (!result.ok) throw new CliExit(EXIT_NEGATIVE);
    });
}

import type { Command } from 'commander';
import type { FindMatch, FindResult } from '../../contract/index.ts';
import { describeChanges } from '../../core/similarity/summary.ts';
import { CliExit, EXIT_NEGATIVE, EXIT_USAGE, globalOptions, invoke, printJson, requireFile, withCore } from '../runtime.ts';

function printResult(r: FindResult): void {
  console.log(r.summary);
  for (const m of r.matches) {
    console.log(`${m.isMatch ? 'MATCH' : 'near '}  ${String(Math.round(m.score)).padStart(3)}  #${m.id} ${m.title}  ${describeChanges(m.transform).join(', ') || 'no visible change'}`);
  }
  if (r.exactItemId !== null) console.log(`The picture is library item #${r.exactItemId} itself (same bytes).`);
  if (r.notFingerprinted > 0) console.log(`${r.notFingerprinted} library item${r.notFingerprinted === 1 ? ' has' : 's have'} no fingerprint yet: run "proofmark find backfill".`);
}

/** What the CLI prints as JSON: the matches that pass the threshold, and the rest as near misses. */
function jsonResult(r: FindResult) {
  const slim = (m: FindMatch) => ({ id: m.id, sha256: m.sha256, title: m.title, score: m.score, importedAt: m.importedAt, transform: m.transform, evidence: m.evidence });
  return {
    matches: r.matches.filter((m) => m.isMatch).map(slim),
    nearMisses: r.matches.filter((m) => !m.isMatch).map(slim),
    threshold: r.threshold, summary: r.summary, query: r.query, exactItemId: r.exactItemId,
    searched: r.searched, notFingerprinted: r.notFingerprinted, hidden: r.hidden, queryMs: Math.round(r.queryMs * 10) / 10, fingerprintMs: Math.round(r.fingerprintMs * 10) / 10,
  };
}

export function registerFindCommands(program: Command): void {
  const find = program
    .command('find')
    .description('which library original a picture was copied from (exit 0 match, 1 none, 2 usage); also "find backfill", "find duplicates"')
    .argument('<image>', 'the suspect picture (a file)')
    .option('--limit <n>', 'candidates shown', '10')
    .action(async (image: string, o: { limit: string }, cmd: Command) => {
      const opts = globalOptions(cmd);
      requireFile(image);
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 50) throw new CliExit(EXIT_USAGE, '--limit must be a whole number from 1 to 50.');
      const result = await withCore(opts, (core) => invoke(core, 'find.search', { path: image, limit }, opts));
      if (opts.json) printJson(jsonResult(result));
      else printResult(result);
      if (!result.matches.some((m) => m.isMatch)) throw new CliExit(EXIT_NEGATIVE);
    });

  find
    .command('backfill')
    .description('fingerprint library items that have none yet (--redo: all of them again)')
    .option('--redo', 'recompute every fingerprint')
    .action(async (o: { redo?: boolean }, cmd: Command) => {
      const opts = globalOptions(cmd);
      const r = await withCore(opts, (core) => invoke(core, 'find.backfill', { redo: Boolean(o.redo) }, opts));
      if (opts.json) printJson(r);
      else {
        console.log(`${r.fingerprinted} fingerprinted, ${r.alreadyDone} already done, ${r.failed.length} failed.`);
        for (const f of r.failed) console.log(`  #${f.id}: ${f.error}`);
      }
      if (r.failed.length) throw new CliExit(EXIT_NEGATIVE);
    });

  find
    .command('duplicates')
    .description('groups of library items that are copies or edits of each other ')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = globalOptions(cmd);
      const r = await withCore(opts, (core) => invoke(core, 'find.duplicates', {}, opts));
      if (opts.json) printJson(r);
      else {
        if (!r.groups.length) console.log(`No duplicates among ${r.checked} fingerprinted items.`);
        for (const [i, g] of r.groups.entries()) console.log(`group ${i + 1}: ${g.items.map((it) => `#${it.id} ${it.title} (${Math.round(it.score)})`).join(', ')}`);
        if (r.notFingerprinted) console.log(`${r.notFingerprinted} items have no fingerprint yet: run "proofmark find backfill".`);
      }
    });
}

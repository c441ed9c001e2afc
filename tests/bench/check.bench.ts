// npm run bench:check — checks 1,000 files (copies of the corpus, 0.3–20 MP) against cpcc-photo
// and compares it with merely reading each file's first 64 KB in the same run, with the same
// concurrency. The check reads headers (and the last 4 KB) only; a full integrity decode is
// measured separately on a smaller set. Rounds alternate read and check, and the ratio is the
// median of each round's pair, so load from other processes hits both sides of a ratio alike.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CallContext } from '../../electron/contract/index.ts';
import { checkFiles } from '../../electron/core/compliance/api.ts';
import { createCore } from '../../electron/core/index.ts';
import { runBatch } from '../../electron/core/jobs/batch.ts';
import { corpusFile, corpusNames } from '../helpers/corpus.ts';

const COUNT = Number(process.env.BENCH_COUNT ?? 1000);
const DECODE_COUNT = Number(process.env.BENCH_DECODE_COUNT ?? 48);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'proofmark-bench-check-'));
const library = await fs.mkdtemp(path.join(os.tmpdir(), 'proofmark-bench-check-lib-'));
const names = await corpusNames();
const files: string[] = [];
for (let i = 0; i < COUNT; i++) {
  const name = names[i % names.length]!;
  const to = path.join(folder, `${String(i).padStart(4, '0')}-${name}`);
  await fs.copyFile(corpusFile(name), to);
  files.push(to);
}
const totalBytes = (await Promise.all(files.map((f) => fs.stat(f)))).reduce((a, s) => a + s.size, 0);

const core = await createCore({ libraryDir: library });
const concurrency = core.deps.config.concurrency;
const ctx = (): CallContext => ({ signal: new AbortController().signal, progress: () => {} });

async function readHeads(list: string[]): Promise<number> {
  const start = performance.now();
  await runBatch(list, { concurrency, signal: ctx().signal, progress: () => {}, label: (f) => f }, async (f) => {
    const fh = await fs.open(f, 'r');
    try {
      await fh.read(Buffer.allocUnsafe(65536), 0, 65536, 0);
    } finally {
      await fh.close();
    }
  });
  return (performance.now() - start) / 1000;
}

async function check(list: string[], integrity: boolean): Promise<number> {
  const start = performance.now();
  const report = await checkFiles(core.deps, list, 'cpcc-photo', { integrity }, ctx());
  if (report.files.length !== list.length) throw new Error(`checked ${report.files.length} of ${list.length}`);
  return (performance.now() - start) / 1000;
}

// Warm the page cache and both code paths once, then alternate the timed rounds.
await readHeads(files);
await check(files, false);
const reads: number[] = [];
const checks: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  reads.push(await readHeads(files));
  checks.push(await check(files, false));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const decodeSet = files.slice(0, DECODE_COUNT);
const decodeBytes = (await Promise.all(decodeSet.map((f) => fs.stat(f)))).reduce((a, s) => a + s.size, 0);
const decodeSeconds = await check(decodeSet, true);

const read = median(reads);
const checked = median(checks);
const ratio = median(reads.map((r, i) => checks[i]! / r));
const row = (label: string, n: number, bytes: number, s: number) => `| ${label} | ${n} | ${(bytes / 1e6).toFixed(0)} | ${s.toFixed(3)} | ${(n / s).toFixed(0)} |`;
console.log(`Check benchmark: ${COUNT} files (corpus copies, 0.3–20 MP, ${(totalBytes / 1e6).toFixed(0)} MB), profile cpcc-photo, concurrency ${concurrency}, ${os.availableParallelism()} cores, Node ${process.version}, median of ${ROUNDS} rounds\n`);
console.log('| phase | files | MB on disk | seconds | files/s |');
console.log('|---|---|---|---|---|');
console.log(row('limit: read the first 64 KB of each file', COUNT, totalBytes, read));
console.log(row('proofmark check (headers + last 4 KB, all rules)', COUNT, totalBytes, checked));
console.log(row('proofmark check --integrity (full decode), separate', DECODE_COUNT, decodeBytes, decodeSeconds));
console.log(`\ncheck time / read-64KB time, median of the ${ROUNDS} rounds' ratios: ${ratio.toFixed(2)}x (target ≤ 2x): ${ratio <= 2 ? 'met' : 'NOT met'}`);
console.log(`per round: ${reads.map((r, i) => `${(checks[i]! / r).toFixed(2)}x`).join(', ')}`);

await core.close();
await fs.rm(folder, { recursive: true, force: true });
await fs.rm(library, { recursive: true, force: true });

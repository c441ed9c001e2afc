// npm run bench:import — imports 200 real photos (the corpus at its real sizes, copies made
// distinct by a trailer after the image data) into a fresh library, next to the limit measured
// in the same run: read + SHA-256 + the same sharp thumbnail, no database, no store. Find then
// fingerprints the new originals in the background; that phase is timed on its own, against a
// second limit that adds the fingerprint (decode + kernel in the same worker pool).
// Each phase runs in its own process so peak RSS is its own.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { createCore } from '../../electron/core/index.ts';
import { makeThumbnail } from '../../electron/core/imaging/probe.ts';
import { PixelPool } from '../../electron/core/jobs/pool.ts';
import { decodeLuma } from '../../electron/core/similarity/decode.ts';
import { runBatch } from '../../electron/core/jobs/batch.ts';
import { corpusFile, corpusNames } from '../helpers/corpus.ts';

const COUNT = Number(process.env.BENCH_COUNT ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const [mode, dir] = process.argv.slice(2);

interface PhaseResult { seconds: number; files: number; bytes: number; peakRssMiB: number; fingerprint?: { seconds: number; peakRssMiB: number } }

async function listFiles(folder: string) {
  const names = (await fs.readdir(folder)).sort();
  return Promise.all(names.map(async (n) => ({ path: path.join(folder, n), size: (await fs.stat(path.join(folder, n))).size })));
}

async function phase(which: string, folder: string): Promise<PhaseResult> {
  const files = await listFiles(folder);
  const bytes = files.reduce((a, f) => a + f.size, 0);
  const signal = new AbortController().signal;
  let seconds: number;
  if (which === 'limit' || which === 'limit-find') {
    // As many files in flight as import keeps (the core's lanes + 1), so the limit gets the same overlap.
    const concurrency = Math.max(2, Math.min(4, os.availableParallelism())) + 1;
    const pool = which === 'limit-find' ? new PixelPool(new URL('../../electron/core/jobs/worker.ts', import.meta.url)) : null;
    const start = performance.now();
    await runBatch(files, { concurrency, signal, progress: () => {}, label: (f) => f.path }, async (f) => {
      const data = await fs.readFile(f.path);
      createHash('sha256').update(data).digest('hex');
      await makeThumbnail(data);
      if (pool) {
        const d = await decodeLuma(data, { pixelLimit: 250e6, name: f.path, query: false });
        await pool.run('find.fingerprint', { luma: d.luma, width: d.width, height: d.height, query: false });
      }
    });
    seconds = (performance.now() - start) / 1000;
    await pool?.close();
  } else {
    const library = await fs.mkdtemp(path.join(os.tmpdir(), 'proofmark-bench-lib-'));
    const core = await createCore({ libraryDir: library });
    const start = performance.now();
    const result = await core.deps.library.import([folder], true, { signal, progress: () => {} });
    seconds = (performance.now() - start) / 1000;
    const importRss = process.resourceUsage().maxRSS / 1024;
    if (result.imported.length !== files.length) throw new Error(`imported ${result.imported.length} of ${files.length}: ${JSON.stringify(result.errors)}`);
    // The background fingerprinting started when the import ended; back-fill joins it.
    const fp = await core.handlers['find.backfill']({ redo: false }, { signal, progress: () => {} });
    const fpSeconds = (performance.now() - start) / 1000 - seconds;
    if (fp.fingerprinted !== files.length) throw new Error(`fingerprinted ${fp.fingerprinted} of ${files.length}: ${JSON.stringify(fp.failed)}`);
    await core.close();
    await fs.rm(library, { recursive: true, force: true });
    return { seconds, files: files.length, bytes, peakRssMiB: importRss, fingerprint: { seconds: fpSeconds, peakRssMiB: process.resourceUsage().maxRSS / 1024 } };
  }
  return { seconds, files: files.length, bytes, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
}

async function makeSet(folder: string) {
  const names = await corpusNames();
  for (let i = 0; i < COUNT; i++) {
    const name = names[i % names.length]!;
    const data = await fs.readFile(corpusFile(name));
    // Bytes after the end of the image keep it valid and give every copy its own SHA-256.
    await fs.writeFile(path.join(folder, `${String(i).padStart(3, '0')}-${name}`), Buffer.concat([data, Buffer.from(`proofmark-bench-${i}`)]));
  }
}

if (mode) {
  process.stdout.write(JSON.stringify(await phase(mode, dir!)));
} else {
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'proofmark-bench-photos-'));
  await makeSet(folder);
  const run = (which: string): PhaseResult => {
    const r = spawnSync(process.execPath, [import.meta.filename, which, folder], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`${which} failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as PhaseResult;
  };
  run('limit'); // warm the page cache so both phases read from memory
  // On a shared machine one run can be slowed by anything else running: the limit and import
  // take turns for ROUNDS rounds and each keeps its fastest; peak RSS is the largest seen.
  const best = (a: PhaseResult, b: PhaseResult): PhaseResult => {
    const fastest = b.seconds < a.seconds ? b : a;
    const fingerprint = a.fingerprint && b.fingerprint
      ? { seconds: Math.min(a.fingerprint.seconds, b.fingerprint.seconds), peakRssMiB: Math.max(a.fingerprint.peakRssMiB, b.fingerprint.peakRssMiB) }
      : undefined;
    return { ...fastest, peakRssMiB: Math.max(a.peakRssMiB, b.peakRssMiB), ...(fingerprint ? { fingerprint } : {}) };
  };
  let limit = run('limit');
  let imported = run('import');
  for (let i = 1; i < ROUNDS; i++) {
    limit = best(limit, run('limit'));
    imported = best(imported, run('import'));
  }
  const limitFind = run('limit-find');
  const row = (label: string, r: PhaseResult) =>
    `| ${label} | ${r.files} | ${(r.bytes / 1e6).toFixed(0)} | ${r.seconds.toFixed(2)} | ${(r.files / r.seconds).toFixed(1)} | ${(r.bytes / 1e6 / r.seconds).toFixed(1)} | ${r.peakRssMiB.toFixed(0)} |`;
  console.log(`Import benchmark: ${COUNT} photos (corpus at real sizes, 0.3–20 MP), ${os.availableParallelism()} cores, Node ${process.version}\n`);
  console.log('| phase | files | MB | seconds | images/s | MB/s | peak RSS MiB |');
  console.log('|---|---|---|---|---|---|---|');
  const fp = imported.fingerprint!;
  const ready = { ...imported, seconds: imported.seconds + fp.seconds, peakRssMiB: fp.peakRssMiB };
  console.log(row(`limit: read + SHA-256 + thumbnail, no DB (fastest of ${ROUNDS})`, limit));
  console.log(row(`proofmark import (store, SQLite, metadata, thumbnail, provenance; fastest of ${ROUNDS})`, imported));
  console.log(row('limit + Find fingerprint (decode 1024 px grey, hashes, ORB)', limitFind));
  console.log(row('proofmark import, then Find fingerprints in the background', ready));
  const ratio = limit.seconds / imported.seconds;
  console.log(`\nimport / limit throughput: ${ratio.toFixed(2)} (target ≥ 0.80): ${ratio >= 0.8 ? 'met' : 'NOT met'}`);
  console.log(`import + fingerprints / (limit + fingerprint) throughput: ${(limitFind.seconds / ready.seconds).toFixed(2)} (fingerprinting alone took ${fp.seconds.toFixed(1)} s)`);
  console.log(`peak RSS: import ${imported.peakRssMiB.toFixed(0)} MiB, with fingerprints ${fp.peakRssMiB.toFixed(0)} MiB (target < 1024): ${fp.peakRssMiB < 1024 ? 'met' : 'NOT met'}`);
  await fs.rm(folder, { recursive: true, force: true });
}

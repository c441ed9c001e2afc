// npm run bench:find — which original was a picture copied from?
// Library: the small corpus photos and 512 px blocks of the large ones as originals, plus at least
// 500 distractors (non-overlapping 256 px tiles of the same large photos: same scenes, different
// content). Queries: every original under every transform of the issue, and 100 unrelated pictures
// (other tiles of the same photos, never imported). Baseline: a plain 64-bit DCT pHash (32×32 grey,
// 8×8 low frequencies, median bits) over the same library, nearest neighbour within 10 bits.
// Then the index alone at 100,000 pictures (synthetic fingerprints) and fingerprint cost per MP.
// BENCH_ORIGINALS (default 40) limits how many originals are queried; BENCH_SKIP_RECALL=1 runs only
// the fingerprint-cost and 100,000-picture parts.
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { createCore } from '../../electron/core/index.ts';
import { findService } from '../../electron/core/similarity/service.ts';
import { FINGERPRINT_VERSION } from '../../electron/core/similarity/kernels.ts';
import { FingerprintIndex } from '../../electron/core/similarity/search-index.ts';
import { SEARCH_OPTIONS, sideFor } from '../../electron/core/similarity/candidates.ts';
import { REGION_COUNT } from '../../electron/core/similarity/regions.ts';
import { mulberry32 } from '../../electron/core/dsp/ransac.ts';
import { hamming, phash64 } from '../../electron/core/dsp/phash.ts';
import type { FindMatch } from '../../electron/contract/index.ts';
import { corpusFile } from '../helpers/corpus.ts';
import { applyTransform, transformNames, type TransformName } from '../helpers/find-transforms.ts';

const ORIGINALS = Number(process.env.BENCH_ORIGINALS ?? 40);
const UNRELATED = 100;
const SYNTHETIC = Number(process.env.BENCH_SYNTHETIC ?? 100_000);
const BASELINE_BITS = 10;
const MIN_TILE_TEXTURE = Number(process.env.BENCH_MIN_TEXTURE ?? 0.8);

const work = await fs.mkdtemp(path.join(os.tmpdir(), 'proofmark-bench-find-'));
const dirs = { originals: path.join(work, 'originals'), distractors: path.join(work, 'distractors'), unrelated: path.join(work, 'unrelated'), library: path.join(work, 'library') };
await Promise.all(Object.values(dirs).map((d) => fs.mkdir(d, { recursive: true })));

// ---- data set -------------------------------------------------------------------------------
const small = ['astronaut.png', 'chelsea.png', 'coffee.png', 'rocket.jpg', 'grace_hopper.jpg'];
const large = ['kleiber.jpg', 'seeding.jpg', 'wine.jpg', 'autumn.jpg', 'kite.jpg', 'path.jpg', 'colorful-cups.jpg'];
const originals: string[] = [];
for (const n of small) {
  const to = path.join(dirs.originals, n);
  await fs.copyFile(corpusFile(n), to);
  originals.push(to);
}
// Each large photo is decoded once; blocks and tiles are cut from its pixels.
const photos = new Map<string, { rgb: Buffer; grey: Buffer; width: number; height: number }>();
for (const n of large) {
  const { data, info } = await sharp(corpusFile(n)).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const grey = await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } }).greyscale().raw().toBuffer();
  photos.set(n, { rgb: data, grey, width: info.width, height: info.height });
}
/** Mean luma step between neighbours at half size: plain sky or water is near 0. */
function texture(n: string, left: number, top: number, side: number): number {
  const p = photos.get(n)!;
  const half = side / 2;
  const g = new Float32Array(half * half);
  for (let y = 0; y < half; y++) for (let x = 0; x < half; x++) {
    const i = (top + 2 * y) * p.width + left + 2 * x;
    g[y * half + x] = (p.grey[i]! + p.grey[i + 1]! + p.grey[i + p.width]! + p.grey[i + p.width + 1]!) / 4;
  }
  let sum = 0;
  for (let y = 0; y + 1 < half; y++) for (let x = 0; x + 1 < half; x++) sum += Math.abs(g[y * half + x]! - g[y * half + x + 1]!) + Math.abs(g[y * half + x]! - g[(y + 1) * half + x]!);
  return sum / (2 * (half - 1) * (half - 1));
}
const cut = (n: string, left: number, top: number, side: number, to: string, quality: number) => {
  const p = photos.get(n)!;
  return sharp(p.rgb, { raw: { width: p.width, height: p.height, channels: 3 } }).extract({ left, top, width: side, height: side }).jpeg({ quality }).toFile(to);
};
const blocks: { src: string; left: number; top: number }[] = [];
for (const n of large) {
  const p = photos.get(n)!;
  for (let by = 0; by + 512 <= p.height; by += 512) for (let bx = 0; bx + 512 <= p.width; bx += 512) blocks.push({ src: n, left: bx, top: by });
}
// Originals: textured 512 px blocks taken from each large photo in turn; the other blocks are cut
// into 4 tiles, and tiles of plain sky or water (no one's product photo) are left out.
const byPhoto = new Map<string, typeof blocks>();
for (const b of blocks) byPhoto.set(b.src, [...(byPhoto.get(b.src) ?? []), b]);
const chosen = new Set<(typeof blocks)[number]>();
const queues = [...byPhoto.values()].map((list) => list.filter((_, i) => i % 3 === 1));
while (chosen.size < ORIGINALS - small.length && queues.some((q) => q.length)) {
  for (const q of queues) {
    while (q.length) {
      const b = q.shift()!;
      if (texture(b.src, b.left, b.top, 512) >= 2) {
        chosen.add(b);
        break;
      }
    }
    if (chosen.size >= ORIGINALS - small.length) break;
  }
}
const tiles: { src: string; left: number; top: number }[] = [];
for (const b of blocks) {
  if (chosen.has(b)) {
    const to = path.join(dirs.originals, `${path.parse(b.src).name}-block-${b.left}-${b.top}.jpg`);
    await cut(b.src, b.left, b.top, 512, to, 92);
    originals.push(to);
  } else {
    for (const [dx, dy] of [[0, 0], [256, 0], [0, 256], [256, 256]] as const) {
      if (texture(b.src, b.left + dx, b.top + dy, 256) >= MIN_TILE_TEXTURE) tiles.push({ src: b.src, left: b.left + dx, top: b.top + dy });
    }
  }
}
const unrelatedEvery = Math.floor(tiles.length / UNRELATED);
const distractors: string[] = [];
const unrelated: string[] = [];
for (const [i, t] of tiles.entries()) {
  const isUnrelated = i % unrelatedEvery === 0 && unrelated.length < UNRELATED;
  const to = path.join(isUnrelated ? dirs.unrelated : dirs.distractors, `${path.parse(t.src).name}-tile-${t.left}-${t.top}.jpg`);
  await cut(t.src, t.left, t.top, 256, to, 90);
  (isUnrelated ? unrelated : distractors).push(to);
}
console.log(`library: ${originals.length} originals + ${distractors.length} distractors; queries: ${originals.length} × ${transformNames.length} transforms + ${unrelated.length} unrelated`);

// ---- library ----------------------------------------------------------------------------------
const core = await createCore({ libraryDir: dirs.library });
const ctx = { signal: new AbortController().signal, progress: () => {} };
const tImport = performance.now();
const imported = await core.deps.library.import([dirs.originals, dirs.distractors], true, ctx);
const service = findService(core.deps);
const fingerprinted = await service.backfill(false, ctx);
const importSeconds = (performance.now() - tImport) / 1000;
if (imported.errors.length || fingerprinted.failed.length) console.log('import problems', imported.errors, fingerprinted.failed);
const idOf = new Map([...imported.imported, ...imported.existing].map((it) => [it.path, it.id]));
console.log(`imported and fingerprinted ${imported.imported.length} pictures in ${importSeconds.toFixed(1)} s; status ${JSON.stringify(service.status())}`);

// Baseline: plain 64-bit DCT pHash of the whole picture.
async function plainPhash(input: string | Buffer): Promise<Uint32Array> {
  const { data } = await sharp(input).rotate().flatten({ background: '#ffffff' }).greyscale().resize(32, 32, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  return phash64(Float64Array.from(data.subarray(0, 1024)));
}
const libraryPhash: { id: number; hash: Uint32Array }[] = [];
for (const f of [...originals, ...distractors]) libraryPhash.push({ id: idOf.get(f)!, hash: await plainPhash(f) });
function baseline(q: Uint32Array): { id: number; distance: number } {
  let best = { id: -1, distance: 65 };
  for (const e of libraryPhash) {
    const d = hamming(q, 0, e.hash, 0, 2);
    if (d < best.distance) best = { id: e.id, distance: d };
  }
  return best;
}

// ---- queries ------------------------------------------------------------------------------
/** Whether the transform read off the match names the change that was made. */
function described(t: TransformName, m: FindMatch): boolean {
  const x = m.transform;
  const side = Math.sqrt(x.cropShare);
  switch (t) {
    case 'resize25': return Math.abs(x.scale - 0.25) < 0.04;
    case 'crop60-centre': case 'crop60-offcentre': return side > 0.52 && side < 0.68;
    case 'brightness1.3': return x.colour.brightness > 1.08;
    case 'contrast0.7': return x.colour.contrast < 0.88;
    case 'greyscale': return x.colour.greyscale;
    case 'hflip': return x.flip;
    case 'rot90': return Math.abs(x.rotation - 90) < 3;
    case 'rot5': return Math.abs(x.rotation - 5) < 1.5;
    case 'border10': return x.padded;
    case 'text-overlay': return x.overlay;
    case 'price-square': return x.padded && Math.abs(x.scale - 0.6) < 0.06;
    default: return !x.flip && Math.abs(x.rotation) < 1.5 && !x.overlay;
  }
}

interface Row { n: number; right: number; rightBase: number; described: number; falseOverlay: number; ms: number[]; fpMs: number[]; minTrue: number; dist: number[]; inliers: number[]; overlay: number[] }
const rows = new Map<string, Row>();
const row = (k: string) => {
  if (!rows.has(k)) rows.set(k, { n: 0, right: 0, rightBase: 0, described: 0, falseOverlay: 0, ms: [], fpMs: [], minTrue: 100, dist: [], inliers: [], overlay: [] });
  return rows.get(k)!;
};
const misses: string[] = [];
/** The strongest evidence any wrong original got (to calibrate the score): inliers and pixel correlation. */
const impostors: { inliers: number; correlation: number; distance: number; score: number; query: string }[] = [];
const noteImpostors = (r: { matches: FindMatch[] }, want: number, query: string) => {
  for (const m of r.matches) if (m.id !== want) impostors.push({ inliers: m.evidence.inliers, correlation: m.evidence.correlation, distance: m.evidence.globalDistance, score: m.score, query });
};
const SKIP_RECALL = process.env.BENCH_SKIP_RECALL === '1';
for (const t of SKIP_RECALL ? [] : transformNames) {
  for (const f of originals) {
    const bytes = await applyTransform(f, t);
    const r = await service.searchBytes(bytes, { limit: 5, name: `${path.basename(f)}:${t}` });
    const want = idOf.get(f)!;
    noteImpostors(r, want, `${path.basename(f)}:${t}`);
    const top = r.matches[0];
    const s = row(t);
    s.n++;
    s.ms.push(r.queryMs);
    s.fpMs.push(r.fingerprintMs);
    const trueScore = r.matches.find((m) => m.id === want)?.score ?? 0;
    s.minTrue = Math.min(s.minTrue, trueScore);
    const ev = r.matches.find((m) => m.id === want);
    s.dist.push(ev?.evidence.globalDistance ?? 256);
    s.inliers.push(ev?.evidence.inliers ?? 0);
    if (ev?.isMatch) s.overlay.push(ev.transform.overlayShare);
    if (top && top.id === want && top.isMatch) {
      s.right++;
      if (described(t, top)) s.described++;
      if (t !== 'text-overlay' && t !== 'price-square' && top.transform.overlay) s.falseOverlay++;
    } else {
      misses.push(`${path.basename(f)} ${t}: top ${top ? `#${top.id} ${top.score}` : 'none'}, true ${trueScore} ${JSON.stringify(r.matches.find((m) => m.id === want)?.evidence ?? null)}`);
    }
    const b = baseline(await plainPhash(bytes));
    if (b.id === want && b.distance <= BASELINE_BITS) s.rightBase++;
  }
}
const u = row('unrelated');
let unrelatedMax = 0;
let baseFalse = 0;
for (const f of SKIP_RECALL ? [] : unrelated) {
  const bytes = await fs.readFile(f);
  const r = await service.searchBytes(bytes, { limit: 5, name: path.basename(f) });
  noteImpostors(r, -1, path.basename(f));
  u.n++;
  u.ms.push(r.queryMs);
  u.fpMs.push(r.fingerprintMs);
  const top = r.matches[0];
  u.dist.push(Math.min(256, ...r.matches.map((m) => m.evidence.globalDistance)));
  u.inliers.push(Math.max(0, ...r.matches.map((m) => m.evidence.inliers)));
  unrelatedMax = Math.max(unrelatedMax, top?.score ?? 0);
  if (top?.isMatch) {
    u.right++;
    misses.push(`unrelated ${path.basename(f)} matched #${top.id} ${top.score} ${JSON.stringify(top.evidence)}`);
  }
  if (baseline(await plainPhash(bytes)).distance <= BASELINE_BITS) baseFalse++;
}

// ---- table --------------------------------------------------------------------------------
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : 0;
};
const pct = (a: number, n: number) => `${((100 * a) / Math.max(1, n)).toFixed(1)}%`;
const pad = (s: string, n: number) => s.padEnd(n);
// With BENCH_SKIP_RECALL=1 there is nothing to tabulate.
if (!SKIP_RECALL) {
  console.log('');
  console.log(`${pad('transform', 18)}${pad('n', 5)}${pad('ProofMark@1', 13)}${pad('pHash64@1', 11)}${pad('described', 11)}${pad('min true', 10)}${pad('fingerprint ms', 16)}query ms (median)`);
  let all = 0, allRight = 0, allBase = 0;
  for (const t of transformNames) {
    const s = rows.get(t) ?? row(t);
    all += s.n; allRight += s.right; allBase += s.rightBase;
    console.log(`${pad(t, 18)}${pad(String(s.n), 5)}${pad(pct(s.right, s.n), 13)}${pad(pct(s.rightBase, s.n), 11)}${pad(pct(s.described, s.right), 11)}${pad(s.minTrue.toFixed(1), 10)}${pad(median(s.fpMs).toFixed(0), 16)}${median(s.ms).toFixed(1)}`);
  }
  console.log(`${pad('ALL transformed', 18)}${pad(String(all), 5)}${pad(pct(allRight, all), 13)}${pad(pct(allBase, all), 11)}`);
  console.log(`${pad('unrelated', 18)}${pad(String(u.n), 5)}${pad(`${pct(u.right, u.n)} false`, 13)}${pad(`${pct(baseFalse, u.n)} false`, 11)}${pad('', 11)}${pad(`max ${unrelatedMax.toFixed(1)}`, 10)}${pad(median(u.fpMs).toFixed(0), 16)}${median(u.ms).toFixed(1)}`);
  console.log(`threshold ${service.status().threshold}; pHash64 baseline: nearest within ${BASELINE_BITS} bits. False "overlay" on matches without one: ${[...rows.entries()].filter(([k]) => k !== 'unrelated').reduce((a, [, s]) => a + s.falseOverlay, 0)}`);
  console.log('\nevidence of the true original (global hash distance of 255 bits; keypoint inliers; overlay share of matches):');
  const q = (xs: number[], f: number) => {
    const s2 = [...xs].sort((a, b) => a - b);
    return s2.length ? s2[Math.min(s2.length - 1, Math.floor(f * s2.length))]! : NaN;
  };
  for (const [k, s] of rows) {
    console.log(`  ${pad(k, 18)}distance median ${pad(String(q(s.dist, 0.5)), 5)}max ${pad(String(q(s.dist, 0.999)), 6)}inliers min ${pad(String(q(s.inliers, 0)), 5)}median ${pad(String(q(s.inliers, 0.5)), 6)}overlay min ${pad(q(s.overlay, 0).toFixed(3), 7)}max ${q(s.overlay, 0.999).toFixed(3)}`);
  }
  impostors.sort((a, b) => b.score - a.score || b.inliers - a.inliers);
  console.log(`strongest wrong candidates (of ${impostors.length}): ${impostors.slice(0, 8).map((i) => `${i.query} score ${i.score} inliers ${i.inliers} corr ${i.correlation} dist ${i.distance}`).join('; ')}`);
  if (misses.length) console.log(`misses:\n  ${misses.join('\n  ')}`);
}

// ---- fingerprint cost per MP ------------------------------------------------------------------
console.log('\nfingerprint cost (decode + hashes + ORB, one picture at a time):');
for (const n of ['astronaut.png', 'autumn.jpg', 'wine.jpg', 'seeding.jpg', 'kleiber.jpg']) {
  const bytes = await fs.readFile(corpusFile(n));
  const meta = await sharp(bytes).metadata();
  const mp = (meta.width! * meta.height!) / 1e6;
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await service.fingerprint(bytes, n, false);
    times.push(performance.now() - t0);
  }
  const ms = median(times);
  console.log(`  ${pad(n, 18)}${pad(`${mp.toFixed(1)} MP`, 9)}${pad(`${ms.toFixed(0)} ms`, 9)}${(ms / mp).toFixed(0)} ms/MP`);
}

// ---- 100,000 pictures -----------------------------------------------------------------------
const rand = mulberry32(7);
const big = new FingerprintIndex();
const real = [...service.repo.each(FINGERPRINT_VERSION)];
const tBuild = performance.now();
const randomWords = (n: number) => randomFillSync(new Uint32Array(n));
/** Random region hashes shaped like real ones (bit 0 clear, 31 of the other 63 bits set). */
function syntheticRegions(): Uint32Array {
  const out = new Uint32Array(REGION_COUNT * 2);
  const bits = Array.from({ length: 63 }, (_, i) => i + 1);
  for (let w = 0; w < REGION_COUNT; w++) {
    for (let i = bits.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [bits[i], bits[j]] = [bits[j]!, bits[i]!];
    }
    for (const b of bits.slice(0, 31)) out[w * 2 + (b >> 5)]! |= 1 << (b & 31);
  }
  return out;
}
for (let i = 0; i < SYNTHETIC - real.length; i++) {
  const n = 256;
  const angle = new Float32Array(n);
  const bytes = randomWords(n);
  for (let j = 0; j < n; j++) angle[j] = (bytes[j]! / 2 ** 32) * 360;
  big.add({ id: 10_000_000 + i, hash: randomWords(8), n, angle, desc: randomWords(n * 8), regions: syntheticRegions() });
}
for (const { id, fp } of real) big.add({ id, hash: fp.hash, n: fp.keypoints.n, angle: fp.keypoints.angle, desc: fp.keypoints.desc, regions: fp.regions });
big.compact();
console.log(`\n${big.size} pictures indexed (${SYNTHETIC - real.length} synthetic) in ${((performance.now() - tBuild) / 1000).toFixed(1)} s`);
const sampleQueries = originals.slice(0, 10);
const searchMs: number[] = [];
const candidates: number[] = [];
const totalMs: number[] = [];
let found = 0;
for (const f of sampleQueries) {
  const bytes = await applyTransform(f, 'crop60-offcentre');
  const q = await service.fingerprint(bytes, 'q', true);
  const t0 = performance.now();
  const hits = big.search({ variants: q.fp.variants, whole: q.fp.whole, plain: q.fp.keypoints, mirrored: q.fp.mirrored }, SEARCH_OPTIONS);
  const t1 = performance.now();
  // Verification of the candidates, as the service does (synthetic candidates get random keypoints).
  const cands = hits.map((h) => service.repo.get(h.id) ?? syntheticFp(real[0]!.fp));
  const sides = hits.map(sideFor);
  const lanes = 2;
  const per = Math.ceil(cands.length / lanes);
  const vs = (await Promise.all(Array.from({ length: lanes }, (_, i) => core.deps.pool.run('find.verify', { query: q.fp, candidates: cands.slice(i * per, (i + 1) * per), sides: sides.slice(i * per, (i + 1) * per) })))).flat();
  candidates.push(hits.length);
  const t2 = performance.now();
  searchMs.push(t1 - t0);
  totalMs.push(t2 - t0);
  const best = hits.map((h, i) => ({ id: h.id, inliers: vs[i]?.inliers ?? 0 })).sort((a, b) => b.inliers - a.inliers)[0];
  if (best?.id === idOf.get(f)) found++;
}
function syntheticFp(like: (typeof real)[number]['fp']) {
  const n = like.keypoints.n;
  return { ...like, keypoints: { ...like.keypoints, desc: randomWords(n * 8), x: Float32Array.from({ length: n }, () => rand() * like.workWidth), y: Float32Array.from({ length: n }, () => rand() * like.workHeight) } };
}
console.log(`query at ${big.size}: index search median ${median(searchMs).toFixed(1)} ms, search + verification median ${median(totalMs).toFixed(1)} ms (max ${Math.max(...totalMs).toFixed(1)}), ${median(candidates)} candidates verified (median), true original first in ${found}/${sampleQueries.length}`);

await core.close();
await fs.rm(work, { recursive: true, force: true });

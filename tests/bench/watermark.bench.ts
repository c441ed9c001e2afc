// npm run bench:watermark — batch export speed on 24 MP and 4 MP JPEGs made from the corpus photos,
// two images in flight, every method in its own process (so CPU time and peak RSS are its own):
//   (a) sharp decode + re-encode at the same quality, no mark: the limit
//   (b) ProofMark export, corner text + logo          (c) ProofMark export, tiled text
//   (b‴) (c‴) the same with TurboJPEG off (PROOFMARK_TURBOJPEG=off: libvips decodes and encodes; one mark is spliced from 12 MP)
//   (c′) the same as (c) on sharp's frame (PROOFMARK_WORKER_JPEG=off): what marking in the worker saves
//   (e) ProofMark export with the hidden mark under the corner design (no target; for the record)
//   (b0) ProofMark export with no mark (TurboJPEG on the worker's frame): what metadata and safe writing cost
//   (d) ImageMagick, the same text + logo: `convert` per file, two in parallel; one `mogrify` process
// then 24 MP copies stored turned with EXIF orientation 6, as phones write them: (a), (b) and (b″),
// (b) on sharp's frame; then a 200-file 24 MP batch of (a), (b) (peak RSS), (b′) and (c), taking
// turns for two rounds.
// Environment: BENCH_FILES_24, BENCH_FILES_4, BENCH_RSS_FILES, BENCH_ROUNDS, BENCH_TURNED_ROUNDS, BENCH_RSS_ROUNDS.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { createCore } from '../../electron/core/index.ts';
import { defaultResourcesDir } from '../../electron/core/config.ts';
import { dispatch } from '../../electron/contract/dispatch.ts';
import type { ExportResult, WatermarkDesignInput } from '../../electron/contract/index.ts';
import { corpusFile } from '../helpers/corpus.ts';

// About two seconds of timed work per round at either size: 12 and 24 files (0.6 s at 4 MP) let
// one slow moment of this shared machine decide a round.
const FILES_24 = Number(process.env.BENCH_FILES_24 ?? 24);
const FILES_4 = Number(process.env.BENCH_FILES_4 ?? 96);
const RSS_FILES = Number(process.env.BENCH_RSS_FILES ?? 200);
const RSS_ROUNDS = Number(process.env.BENCH_RSS_ROUNDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TURNED_ROUNDS = Number(process.env.BENCH_TURNED_ROUNDS ?? 3);
const QUALITY = 90;
const IN_FLIGHT = 2;
// Debian's ImageMagick; /usr/local/bin/convert may be a stand-in.
const CONVERT = ['/usr/bin/convert-im6.q16', '/usr/bin/convert'].find((p) => spawnSync(p, ['-version']).status === 0);
const MOGRIFY = ['/usr/bin/mogrify-im6.q16', '/usr/bin/mogrify'].find((p) => spawnSync(p, ['-version']).status === 0);
const FONT = path.join(defaultResourcesDir(), 'fonts', 'SourceHanSansSC-Bold.otf');
const TEXT = '© 2026 ProofMark 水印';

interface Measure {
  files: number;
  seconds: number;
  cpuSeconds: number;
  peakRssMiB: number;
  note?: string;
}

/** One round: each method's measure, the methods run one after another. */
type Round = Map<string, Measure>;

const rate = (m: Measure) => m.files / m.seconds;

function median(values: number[]): number {
  const s = [...values].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A method's median round by images/s, with the highest peak RSS of all its rounds. */
function typical(rounds: Round[], method: string): Measure {
  const all = rounds.map((r) => r.get(method)!);
  const byRate = [...all].sort((x, y) => rate(x) - rate(y));
  return { ...byRate[(byRate.length - 1) >> 1]!, peakRssMiB: Math.max(...all.map((m) => m.peakRssMiB)) };
}

/** Per round, `of`'s images/s over `against`'s (an images/s of the same round). */
function ratios(rounds: Round[], of: string, against: (round: Round) => number): number[] {
  return rounds.map((r) => rate(r.get(of)!) / against(r));
}

/** Images/s of (a), sharp's plain re-encode, in a round. */
const plain = (r: Round) => rate(r.get('sharp')!);
const bestImageMagick = (r: Round) => Math.max(rate(r.get('im-convert')!), rate(r.get('im-mogrify')!));

const corner = (logo: string): WatermarkDesignInput => ({
  text: { content: TEXT, colour: '#ffffff' },
  logo: { ref: logo, scale: 1.2, position: 'left' },
  size: 4,
  opacity: 0.85,
  outline: { colour: '#000000', width: 4 },
  layout: { mode: 'single', anchor: 'bottom-right', margin: 3 },
});
const tiled: WatermarkDesignInput = {
  text: { content: TEXT, colour: '#ffffff' },
  size: 4,
  opacity: 0.35,
  outline: { colour: '#000000', width: 4 },
  layout: { mode: 'tile', angle: -30, spacing: 10, stagger: true },
};

async function files(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).filter((f) => f.endsWith('.jpg')).sort().map((f) => path.join(dir, f));
}

/** Runs `work` over the files with two in flight. */
async function lanes(list: string[], work: (file: string, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < list.length) {
      const i = next++;
      await work(list[i]!, i);
    }
  }));
}

/** Peak resident memory of this process. VmHWM starts afresh at exec; getrusage's maxRSS can carry the parent's size over. */
async function peakRssMiB(): Promise<number> {
  const status = await fs.readFile('/proc/self/status', 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/**
 * One method, measured inside its own process, in steady state: two warm-up images per lane first
 * (module compilation, font loading, the mark's first measurement, buffers), then the timed batch.
 */
async function child(method: string, dir: string, out: string, logo: string): Promise<Measure> {
  const list = await files(dir);
  await fs.mkdir(out, { recursive: true });
  let batch: (paths: string[], to: string) => Promise<void>;
  let close = async () => {};
  if (method === 'sharp' || method === 'sharp-defaults') {
    const options = method === 'sharp' ? { quality: QUALITY, optimiseCoding: false } : { quality: QUALITY };
    batch = async (paths, to) => {
      await fs.mkdir(to, { recursive: true });
      await lanes(paths, async (f, i) => {
        await sharp(await fs.readFile(f)).rotate().jpeg(options).toFile(path.join(to, `${i}.jpg`));
      });
    };
  } else {
    const library = await fs.mkdtemp(path.join(os.tmpdir(), 'proofmark-bench-lib-'));
    const core = await createCore({ libraryDir: library, concurrency: IN_FLIGHT });
    close = async () => {
      await core.close();
      await fs.rm(library, { recursive: true, force: true });
    };
    batch = async (paths, to) => {
      const result = await dispatch(core.handlers, 'watermark.export', {
        sources: { paths }, outDir: to, design: method.startsWith('tiled') ? tiled : method === 'nomark' ? undefined : corner(logo), hidden: method === 'hidden', format: 'jpeg', quality: QUALITY,
      }, { signal: new AbortController().signal, progress: () => {} });
      if (!result.ok) throw new Error(result.error.message);
      const r = result.value as ExportResult;
      if (r.exported.length !== paths.length) throw new Error(`exported ${r.exported.length} of ${paths.length}: ${JSON.stringify(r.failed.slice(0, 3))}`);
    };
  }
  // Two warm-up images per lane: a lane's first images set up what later images reuse (for
  // ProofMark: its frame buffer, 72 MB of fresh memory at 24 MP, ~0.2 s of page faults here; the
  // pixel-task worker threads, which start on first use at ~0.8 s of CPU each, and compile their
  // code on the first calls).
  await batch(list.slice(0, 2 * IN_FLIGHT), path.join(out, 'warm-up'));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await batch(list, out);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await close();
  return { files: list.length, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssMiB: await peakRssMiB() };
}

/** A command under GNU time: its CPU seconds and peak RSS. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ cpu: number; rssMiB: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn('/usr/bin/time', ['-f', '%U %S %M', cmd, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      const last = err.trim().split('\n').at(-1)!.split(' ').map(Number);
      if (code !== 0 || last.length !== 3 || last.some((v) => !Number.isFinite(v))) return reject(new Error(`${path.basename(cmd)} failed (${code}): ${err.slice(-500)}`));
      resolve({ cpu: last[0]! + last[1]!, rssMiB: last[2]! / 1024 });
    });
  });
}

/** ImageMagick arguments for the same mark: logo (pre-sized) and outlined text, bottom right. */
function imMark(width: number, height: number, logo: string): string[] {
  const short = Math.min(width, height);
  const font = Math.round(0.04 * short);
  const margin = Math.round(0.03 * short);
  const textWidth = Math.round(font * 10.5);
  return [
    '-gravity', 'SouthEast',
    '-draw', `image Over ${margin + textWidth + Math.round(0.3 * font)},${margin} 0,0 '${logo}'`,
    '-font', FONT, '-pointsize', String(font), '-fill', 'rgba(255,255,255,0.85)', '-stroke', 'rgba(0,0,0,0.85)', '-strokewidth', String(Math.max(1, Math.round(font * 0.08))),
    '-annotate', `+${margin}+${margin}`, TEXT,
  ];
}

type ImMethod = 'im-convert' | 'im-mogrify';

async function imageMagick(method: ImMethod, dir: string, out: string, logo: string): Promise<Measure> {
  const list = await files(dir);
  const meta = await sharp(list[0]!).metadata();
  const logoSized = path.join(out, '..', `logo-${meta.width}.png`);
  await sharp(logo).resize({ height: Math.round(0.04 * Math.min(meta.width!, meta.height!) * 1.2) }).png().toFile(logoSized);
  await fs.mkdir(out, { recursive: true });
  const mark = imMark(meta.width!, meta.height!, logoSized);
  const t0 = performance.now();
  let cpu = 0;
  let rss = 0;
  if (method === 'im-convert') {
    // Two single-threaded processes fill two cores; more OpenMP threads would only contend.
    await lanes(list, async (f, i) => {
      const r = await timed(CONVERT!, [f, '-auto-orient', ...mark, '-quality', String(QUALITY), path.join(out, `${i}.jpg`)], { MAGICK_THREAD_LIMIT: '1' });
      cpu += r.cpu;
      rss = Math.max(rss, r.rssMiB);
    });
  } else {
    const r = await timed(MOGRIFY!, ['-path', out, '-auto-orient', ...mark, '-quality', String(QUALITY), ...list], {});
    cpu = r.cpu;
    rss = r.rssMiB;
  }
  return { files: list.length, seconds: (performance.now() - t0) / 1000, cpuSeconds: cpu, peakRssMiB: rss, note: method === 'im-convert' ? 'per process, 2 at once' : undefined };
}

/**
 * 6000x4000 (24 MP) or 2450x1633 (4 MP) JPEGs from different corpus photos; copies made distinct by
 * a trailer. `turned`: stored a quarter turn back with EXIF orientation 6, as phones write them.
 */
async function makeSet(dir: string, count: number, width: number, height: number, turned = false): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const sources = ['kleiber.jpg', 'seeding.jpg', 'colorful-cups.jpg', 'autumn.jpg', 'path.jpg', 'wine.jpg'];
  const bases: Buffer[] = [];
  for (const s of sources) {
    const upright = sharp(corpusFile(s)).resize(width, height, { fit: 'cover' });
    bases.push(await (turned ? sharp(await upright.toBuffer()).rotate(270).withMetadata({ orientation: 6 }) : upright).jpeg({ quality: 92 }).toBuffer());
  }
  for (let i = 0; i < count; i++) {
    await fs.writeFile(path.join(dir, `${String(i).padStart(3, '0')}.jpg`), Buffer.concat([bases[i % bases.length]!, Buffer.from(`proofmark-bench-${i}`)]));
  }
}

async function main() {
  if (!CONVERT || !MOGRIFY) throw new Error('ImageMagick is not installed: apt-get install -y imagemagick');
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'proofmark-bench-wm-'));
  const logo = path.join(root, 'logo.png');
  await sharp(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512"><circle cx="256" cy="256" r="240" fill="#e53935" fill-opacity="0.9"/><rect x="150" y="150" width="212" height="212" rx="30" fill="#ffffff"/></svg>')).png().toFile(logo);
  const sets = [
    { label: '24 MP', dir: path.join(root, 'p24'), count: FILES_24, width: 6000, height: 4000 },
    { label: '4 MP', dir: path.join(root, 'p4'), count: FILES_4, width: 2450, height: 1633 },
  ];
  for (const s of sets) await makeSet(s.dir, s.count, s.width, s.height);

  let runs = 0;
  const run = (method: string, dir: string): Measure => {
    const out = path.join(root, `out-${runs++}`);
    const env = method === 'tiled-frame' || method === 'corner-sharp-frame' ? { ...process.env, PROOFMARK_WORKER_JPEG: 'off' }
      : method.endsWith('-libvips') ? { ...process.env, PROOFMARK_TURBOJPEG: 'off' } : process.env;
    const r = spawnSync(process.execPath, [import.meta.filename, '--child', method, dir, out, logo], { encoding: 'utf8', maxBuffer: 1 << 20, env });
    if (r.status !== 0) throw new Error(`${method} failed: ${r.stderr}`);
    execFileSync('rm', ['-rf', out]);
    return JSON.parse(r.stdout) as Measure;
  };
  // The machine's speed drifts over minutes (the same plain re-encode took 0.034–0.042 CPU s per
  // 4 MP image in different runs), so a ratio is only fair between methods run side by side: the
  // methods take turns, round after round, and a ratio is the median over rounds of the ratio
  // within a round. A method's row shows its median round (with the highest peak RSS of all its
  // rounds).
  const takeTurns = async (methods: string[], dir: string, count: number): Promise<Round[]> => {
    const rounds: Round[] = [];
    for (let i = 0; i < count; i++) {
      const round: Round = new Map();
      for (const method of methods) round.set(method, method.startsWith('im-') ? await runIm(method as ImMethod, dir) : run(method, dir));
      rounds.push(round);
    }
    return rounds;
  };
  console.log(`Watermark export benchmark — ${os.availableParallelism()} cores, Node ${process.version}, sharp ${sharp.versions.sharp} / libvips ${sharp.versions.vips}, ${execFileSync(CONVERT, ['-version']).toString().split('\n')[0]!.replace('Version: ', '')}`);
  console.log(`JPEG quality ${QUALITY}, two images in flight, after two warm-up images per lane; each method in its own process. The methods of a set take turns for ${ROUNDS} rounds (EXIF-turned: ${TURNED_ROUNDS}, the ${RSS_FILES}-file batch: ${RSS_ROUNDS}); a row shows the method's median round and the highest peak RSS of its rounds; "vs (a)" and the verdicts are medians over rounds of the ratio within a round.\n`);
  console.log('| set | method | files | images/s | CPU s/image | peak RSS MiB | vs (a) |');
  console.log('|---|---|---|---|---|---|---|');
  /** The rows' methods take turns for `count` rounds; prints the rows, each ratio against the first row's method, round by round. */
  const measureSet = async (set: string, dir: string, count: number, rows: [label: string, method: string][]): Promise<Round[]> => {
    const rounds = await takeTurns(rows.map(([, method]) => method), dir, count);
    const base = rows[0]![1];
    for (const [label, method] of rows) {
      const m = typical(rounds, method);
      const vs = median(ratios(rounds, method, (r) => rate(r.get(base)!)));
      console.log(`| ${set} | ${label} | ${m.files} | ${rate(m).toFixed(2)} | ${(m.cpuSeconds / m.files).toFixed(3)} | ${m.peakRssMiB.toFixed(0)}${m.note ? ` (${m.note})` : ''} | ${vs.toFixed(2)} |`);
    }
    return rounds;
  };
  const fmt = (xs: number[], digits = 2) => xs.map((x) => x.toFixed(digits)).join(', ');
  const verdicts: string[] = [];
  for (const s of sets) {
    run('sharp', s.dir); // warm the page cache
    const rounds = await measureSet(s.label, s.dir, ROUNDS, [
      ['(a) sharp decode + encode, no mark', 'sharp'],
      ['(a′) same with sharp\'s default JPEG settings (Huffman optimisation)', 'sharp-defaults'],
      ['(b0) ProofMark export with no mark (TurboJPEG on the worker\'s frame; metadata, safe write)', 'nomark'],
      ['(b) ProofMark, corner text + logo', 'corner'],
      ['(b‴) the same with TurboJPEG off (libvips: spliced from 12 MP, else on the worker\'s frame)', 'corner-libvips'],
      ['(c) ProofMark, tiled text', 'tiled'],
      ['(c‴) the same with TurboJPEG off', 'tiled-libvips'],
      ['(c′) the same on sharp\'s frame (marking in the worker off)', 'tiled-frame'],
      ['(e) ProofMark, hidden mark + corner text + logo (no target)', 'hidden'],
      ['(d1) ImageMagick convert per file, 2 in parallel', 'im-convert'],
      ['(d2) ImageMagick mogrify, one process', 'im-mogrify'],
    ]);
    const b = ratios(rounds, 'corner', plain);
    const c = ratios(rounds, 'tiled', plain);
    const im = ratios(rounds, 'corner', bestImageMagick);
    const imTarget = s.label === '24 MP' ? 2 : 3;
    const verdict = (xs: number[], target: number, digits = 2, unit = '') => `${median(xs).toFixed(digits)}${unit} (target ≥ ${target}${unit}) ${median(xs) >= target ? 'met' : 'MISSED'}; per round ${fmt(xs, digits)}`;
    verdicts.push(`${s.label}: (b)/(a) = ${verdict(b, 0.85)}\n${s.label}: (c)/(a) = ${verdict(c, 0.7)}\n${s.label}: (b)/best ImageMagick = ${verdict(im, imTarget, 1, '×')}`);
  }

  // Phone photos: the same 24 MP pictures stored turned, with EXIF orientation 6.
  const turnedDir = path.join(root, 'p24-turned');
  await makeSet(turnedDir, FILES_24, 6000, 4000, true);
  await measureSet('24 MP, EXIF-turned', turnedDir, TURNED_ROUNDS, [
    ['(a) sharp decode + turn + encode, no mark', 'sharp'],
    ['(b) ProofMark, corner text + logo (turned on the worker\'s frame)', 'corner'],
    ['(b″) the same on sharp\'s frame (marking in the worker off)', 'corner-sharp-frame'],
  ]);

  const rssDir = path.join(root, 'p24-rss');
  await makeSet(rssDir, RSS_FILES, 6000, 4000);
  // A long batch, as designers run them: one-time costs fade, and (a) runs it too for the ratio.
  // One pass of 200 files drifts with the machine (two runs here had (a) at 12.4 and 13.2 images/s,
  // (b) at 10.6 and 9.0): the methods take turns, as above.
  const long = await measureSet(`24 MP, ${RSS_FILES} files`, rssDir, RSS_ROUNDS, [
    ['(a) sharp decode + encode, no mark', 'sharp'],
    ['(b) ProofMark, corner text + logo', 'corner'],
    ['(b‴) the same with TurboJPEG off (spliced)', 'corner-libvips'],
    ['(c) ProofMark, tiled text', 'tiled'],
  ]);
  const [bigPeak, tiledPeak] = [typical(long, 'corner').peakRssMiB, typical(long, 'tiled').peakRssMiB];
  console.log('');
  for (const v of verdicts) console.log(v);
  console.log(`${RSS_FILES}-file 24 MP batch: (b)/(a) = ${median(ratios(long, 'corner', plain)).toFixed(2)}, (c)/(a) = ${median(ratios(long, 'tiled', plain)).toFixed(2)}; peak RSS of (b) ${bigPeak.toFixed(0)} MiB, of (c) ${tiledPeak.toFixed(0)} MiB (target < 700) ${Math.max(bigPeak, tiledPeak) < 700 ? 'met' : 'MISSED'}`);
  await fs.rm(root, { recursive: true, force: true });

  async function runIm(method: ImMethod, dir: string): Promise<Measure> {
    const out = path.join(root, `out-${runs++}`);
    try {
      return await imageMagick(method, dir, out, logo);
    } finally {
      await fs.rm(out, { recursive: true, force: true });
    }
  }
}

if (process.argv[2] === '--child') {
  const [, , , method, dir, out, logo] = process.argv;
  process.stdout.write(JSON.stringify(await child(method!, dir!, out!, logo!)));
} else {
  await main();
}

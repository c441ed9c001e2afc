// npm run bench:frame — where a marked export's time goes at 24 MP: holding the upright frame in
// memory (which drawing a mark needs) against streaming it from decoder to encoder, and what
// sharp's composite costs when it marks inside the stream. Same JPEG encoder settings as the
// watermark benchmark, two images in flight, each variant in its own process (glibc settings
// only take effect at process start). Environment: BENCH_FILES (default 12).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { spoolFrame } from '../../electron/core/watermark/visible/spool.ts';
import { corpusFile } from '../helpers/corpus.ts';

const FILES = Number(process.env.BENCH_FILES ?? 12);
const WIDTH = 6000;
const HEIGHT = 4000;

interface Variant {
  label: string;
  env?: Record<string, string>;
  /** The pipeline up to the encoder, given a fresh decoding pipeline; `release` runs after encoding. */
  frame: (img: Sharp) => Promise<Sharp | { img: Sharp; release: () => void }> | Sharp;
}

const raw = async (img: Sharp): Promise<Sharp> => {
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels as 3 } });
};
const onePixel = { input: Buffer.from([255, 255, 255, 0]), raw: { width: 1, height: 1, channels: 4 as const }, left: WIDTH - 10, top: HEIGHT - 10 };
const cornerWidth = Math.round(WIDTH * 0.18);
const cornerHeight = Math.round(HEIGHT * 0.06);
const corner = Buffer.alloc(cornerWidth * cornerHeight * 4, 255);

const VARIANTS: Record<string, Variant> = {
  stream: { label: 'streamed from decoder to encoder, no frame (= (a) of bench:watermark)', frame: (img) => img },
  spool: {
    label: 'frame through tmpfs into a reused buffer (what exports do)',
    frame: async (img) => {
      const spooled = await spoolFrame(img);
      if (!spooled) throw new Error('no tmpfs spool on this machine');
      const { data, width, height, channels } = spooled.raw;
      return { img: sharp(data, { raw: { width, height, channels: channels as 3 } }), release: spooled.release };
    },
  },
  raw: { label: 'sharp raw() into fresh memory', frame: raw },
  rawReuse: { label: 'raw() with glibc made to reuse freed memory (MALLOC_ARENA_MAX=1 MALLOC_MMAP_MAX_=0, no trim)', env: { MALLOC_ARENA_MAX: '1', MALLOC_MMAP_MAX_: '0', MALLOC_TRIM_THRESHOLD_: '4000000000', MALLOC_TOP_PAD_: '268435456' }, frame: raw },
  rawHuge: { label: 'raw() with glibc huge pages (GLIBC_TUNABLES=glibc.malloc.hugetlb=1)', env: { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' }, frame: raw },
  alpha: { label: 'streamed, sharp ensureAlpha() (what composite adds to the base)', frame: (img) => img.ensureAlpha() },
  composite1: { label: 'streamed, a 1-pixel composite + removeAlpha()', frame: (img) => img.composite([onePixel]).removeAlpha() },
  compositeCorner: { label: 'streamed, a corner-sized composite (18% × 6%)', frame: (img) => img.composite([{ input: corner, raw: { width: cornerWidth, height: cornerHeight, channels: 4 }, left: WIDTH - cornerWidth - 50, top: HEIGHT - cornerHeight - 50 }]) },
};

/** CPU seconds per image of one variant, measured in this process after one warm-up image per lane. */
async function child(name: string, dir: string): Promise<{ cpu: number; seconds: number }> {
  const variant = VARIANTS[name]!;
  const files = (await fs.readdir(dir)).sort().map((f) => path.join(dir, f));
  const one = async (file: string) => {
    const framed = await variant.frame(sharp(await fs.readFile(file)).rotate());
    const { img, release } = 'release' in framed ? framed : { img: framed, release: () => {} };
    await img.jpeg({ quality: 90, optimiseCoding: false }).toBuffer();
    release();
  };
  const lanes = async (list: string[]) => {
    let next = 0;
    await Promise.all([0, 1].map(async () => {
      while (next < list.length) await one(list[next++]!);
    }));
  };
  await lanes(files.slice(0, 2));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await lanes(files);
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1e6 / files.length, seconds: (performance.now() - t0) / 1000 };
}

async function main() {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'proofmark-bench-frame-'));
  const base = await sharp(corpusFile('kleiber.jpg')).resize(WIDTH, HEIGHT, { fit: 'cover' }).jpeg({ quality: 92 }).toBuffer();
  for (let i = 0; i < FILES; i++) await fs.writeFile(path.join(dir, `${String(i).padStart(3, '0')}.jpg`), Buffer.concat([base, Buffer.from(`frame-${i}`)]));
  console.log(`Holding the frame against streaming: ${FILES} JPEGs of ${WIDTH}x${HEIGHT}, quality 90, two in flight, ${os.availableParallelism()} cores\n`);
  console.log('| how the pixels reach the encoder | CPU s/image | over streaming |');
  console.log('|---|---|---|');
  let streamed = 0;
  for (const [name, variant] of Object.entries(VARIANTS)) {
    const r = spawnSync(process.execPath, [import.meta.filename, '--child', name, dir], { encoding: 'utf8', env: { ...process.env, ...variant.env } });
    if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
    const { cpu } = JSON.parse(r.stdout) as { cpu: number };
    if (name === 'stream') streamed = cpu;
    console.log(`| ${variant.label} | ${cpu.toFixed(3)} | ${name === 'stream' ? '—' : `+${Math.round((cpu - streamed) * 1000)} ms`} |`);
  }
  await fs.rm(dir, { recursive: true, force: true });
}

if (process.argv[2] === '--child') {
  process.stdout.write(JSON.stringify(await child(process.argv[3]!, process.argv[4]!)));
} else {
  await main();
}

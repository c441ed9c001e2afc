import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

export const RENDERS_DIR = path.resolve(import.meta.dirname, '..', '..', 'test-results', 'watermark');

export interface Raw {
  data: Buffer;
  width: number;
  height: number;
  channels: number;
}

/** Decoded pixels of an image file, upright, as they will be compared. */
export async function rawOf(file: string | Buffer): Promise<Raw> {
  const { data, info } = await sharp(file).rotate().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/** Bounding box (right/bottom exclusive) of the pixels whose channels differ by more than `threshold`. */
export function diffBox(a: Raw, b: Raw, threshold = 0): { x0: number; y0: number; x1: number; y1: number; count: number } | null {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) throw new Error(`different shapes ${a.width}x${a.height}x${a.channels} / ${b.width}x${b.height}x${b.channels}`);
  let x0 = a.width;
  let y0 = a.height;
  let x1 = -1;
  let y1 = -1;
  let count = 0;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      const i = (y * a.width + x) * a.channels;
      let d = 0;
      for (let c = 0; c < a.channels; c++) d = Math.max(d, Math.abs(a.data[i + c]! - b.data[i + c]!));
      if (d > threshold) {
        count++;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return count ? { x0, y0, x1: x1 + 1, y1: y1 + 1, count } : null;
}

/** Saves an image for a person to look at after the test run. */
export async function saveRender(name: string, file: string | Buffer): Promise<string> {
  await fs.mkdir(RENDERS_DIR, { recursive: true });
  const out = path.join(RENDERS_DIR, name);
  if (typeof file === 'string') await fs.copyFile(file, out);
  else await fs.writeFile(out, file);
  return out;
}

/**
 * A folder nothing can be written into, also for root (CI containers run tests as root, and
 * permission bits do not stop root): the immutable attribute, else a read-only tmpfs mount, else
 * plain permissions for other users. Null when none of these works here.
 */
export async function makeUnwritableDir(dir: string): Promise<(() => Promise<void>) | null> {
  await fs.mkdir(dir, { recursive: true });
  if (process.getuid?.() !== 0) {
    await fs.chmod(dir, 0o555);
    return async () => fs.chmod(dir, 0o755);
  }
  const quiet = { stdio: 'ignore' as const };
  try {
    execFileSync('chattr', ['+i', dir], quiet);
    return async () => void execFileSync('chattr', ['-i', dir], quiet);
  } catch {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', dir], quiet);
      return async () => void execFileSync('umount', [dir], quiet);
    } catch {
      return null;
    }
  }
}

/** Files under a folder, recursively, relative to it, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string) {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(path.relative(dir, p));
    }
  }
  await walk(dir).catch(() => {});
  return out.sort();
}

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Sharp } from 'sharp';
import { SharedBufferPool } from '../../jobs/shared-bytes.ts';
import type { RawPixels } from './blend.ts';

/**
 * Upright pixels for an export without a fresh allocation per image.
 *
 * sharp hands raw pixels back in a newly allocated buffer (72 MB for 24 MP). Touching fresh memory
 * costs one page fault per 4 KB, and on some machines (virtual machines especially) a fault is
 * expensive: on the benchmark VM, allocating and filling 72 MB costs ~220 ms of CPU, more than a
 * whole streamed decode + encode. The kernel fills its own pages cheaply, and libvips streams
 * through small reused buffers. So on Linux the decoded frame is written by libvips as a `.v` file
 * (header + raw pixels) to tmpfs (/dev/shm), read into a frame buffer that is reused from image to
 * image, and the file is removed at once. The pixels are exactly the ones `raw()` would give.
 * Elsewhere, or if tmpfs fails, the pixels come from `raw()` as before.
 */

const VIPS_MAGIC_LE = 0x08f2a6b6;
const VIPS_HEADER = 64;
const PREFIX = 'proofmark-frame-';

let spoolDir: string | null | undefined;
let spooled = 0;

/** How many frames came through the spool in this process (tests check the fast path ran). */
export function framesSpooled(): number {
  return spooled;
}

/** The tmpfs folder for frames, or null (no tmpfs, or PROOFMARK_FRAME_SPOOL=off). */
export function frameSpoolDir(): string | null {
  if (spoolDir !== undefined) return spoolDir;
  spoolDir = null;
  if (process.platform === 'linux' && process.env.PROOFMARK_FRAME_SPOOL !== 'off') {
    try {
      fs.accessSync('/dev/shm', fs.constants.W_OK);
      spoolDir = '/dev/shm';
      removeStale(spoolDir);
    } catch {
      spoolDir = null;
    }
  }
  return spoolDir;
}

/** Chooses the spool folder (null: always decode into fresh memory); for tests. */
export function setFrameSpoolDir(dir: string | null): void {
  spoolDir = dir;
}

/** Frames left by a process that died mid-export. */
function removeStale(dir: string): void {
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') fs.rmSync(path.join(dir, name), { force: true });
    }
  }
}

/**
 * Frames up to this size (~53 MP RGB, ~40 MP RGBA) are spooled and kept between images. Larger ones
 * would get a fresh buffer anyway and briefly hold twice their size (file + buffer), so they are
 * decoded in memory.
 */
export const SPOOL_MAX_BYTES = 160 * 1024 * 1024;
/**
 * Frame buffers reused by the next images, dropped when exports pause. Shared memory, so the
 * hidden mark's workers can mark the frame where it lies (no copy).
 */
const frames = new SharedBufferPool({ keep: 4, maxBytes: SPOOL_MAX_BYTES, headroom: 1 });

export interface SpooledFrame {
  raw: RawPixels;
  /** Returns the frame buffer for reuse; the pixels must not be used afterwards. */
  release: () => void;
}

/**
 * Runs the pipeline `img` (8-bit output) into a reused frame buffer via a tmpfs file. Returns null
 * when that is not possible here (no tmpfs, a write error, an unexpected pixel format, or a
 * decoding error), so the caller decodes into memory instead.
 */
export async function spoolFrame(img: Sharp): Promise<SpooledFrame | null> {
  const dir = frameSpoolDir();
  if (!dir) return null;
  const file = path.join(dir, `${PREFIX}${process.pid}-${randomBytes(6).toString('hex')}.v`);
  try {
    try {
      await img.toFile(file);
    } catch {
      // A full tmpfs or a file-size limit is not the image's fault, and a damaged image fails the
      // same way in memory with its own message: decode in memory instead.
      return null;
    }
    const handle = await fs.promises.open(file, 'r');
    try {
      const header = Buffer.alloc(VIPS_HEADER);
      await handle.read(header, 0, VIPS_HEADER, 0);
      if (header.readUInt32LE(0) !== VIPS_MAGIC_LE) return null;
      const width = header.readInt32LE(4);
      const height = header.readInt32LE(8);
      const channels = header.readInt32LE(12);
      const bandFormat = header.readInt32LE(20);
      const coding = header.readInt32LE(24);
      if (bandFormat !== 0 || coding !== 0 || (channels !== 3 && channels !== 4)) return null;
      const bytes = width * height * channels;
      const buf = frames.take(bytes);
      let done = 0;
      while (done < bytes) {
        const { bytesRead } = await handle.read(buf, done, bytes - done, VIPS_HEADER + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      if (done !== bytes) {
        frames.give(buf);
        return null;
      }
      let released = false;
      spooled++;
      return {
        raw: { data: new Uint8Array(buf.buffer, buf.byteOffset, bytes), width, height, channels },
        release: () => {
          if (released) return;
          released = true;
          frames.give(buf);
        },
      };
    } finally {
      await handle.close();
    }
  } finally {
    await fs.promises.unlink(file).catch(() => {});
  }
}

import fs from 'node:fs/promises';

/**
 * Shared memory, reused from image to image, for the bytes a batch passes between threads: a
 * source file is read straight into it, and a worker puts the JPEG it made into it. A shared
 * buffer crosses to a worker for free (posting a 9 MB file copies it twice, ~35 ms of CPU here),
 * and reuse keeps fresh memory off the main thread: a few MB of new buffers per image make V8 run
 * a full garbage collection every dozen images (about 4 ms of CPU per 4 MP image, measured in the
 * watermark benchmark).
 */

const spare: Uint8Array[] = [];
/** Two lanes, each with a source and a result, and as many images again still being written. */
const KEEP_COUNT = 8;
const KEEP_MAX_BYTES = 64 * 1024 * 1024;
/** Kept buffers are let go once no batch has used them for this long. */
const IDLE_MS = 10_000;
let idle: NodeJS.Timeout | null = null;
let lent = 0;

/** How many shared buffers leases hold now (none once every batch has finished). */
export function sharedBuffersLent(): number {
  return lent;
}

function takeSpare(bytes: number): Uint8Array {
  if (idle) clearTimeout(idle);
  idle = null;
  lent++;
  const i = spare.findIndex((b) => b.byteLength >= bytes);
  if (i >= 0) return spare.splice(i, 1)[0]!;
  return new Uint8Array(new SharedArrayBuffer(Math.ceil((bytes * 1.25) / 65536) * 65536));
}

function giveBack(buffer: Uint8Array): void {
  lent--;
  if (buffer.byteLength > KEEP_MAX_BYTES) return;
  spare.push(buffer);
  spare.sort((x, y) => x.byteLength - y.byteLength);
  if (spare.length > KEEP_COUNT) spare.shift();
  if (idle) clearTimeout(idle);
  idle = setTimeout(() => (spare.length = 0), IDLE_MS).unref();
}

/** Shared buffers held for one piece of work (one image of a batch) and handed back together. */
export class SharedLease {
  #held: Uint8Array[] = [];

  /** A shared buffer of at least `bytes`, held until release(). */
  take(bytes: number): Uint8Array {
    const buffer = takeSpare(bytes);
    this.#held.push(buffer);
    return buffer;
  }

  /** Hands every buffer back for reuse: nothing may read or write them afterwards. */
  release(): void {
    for (const b of this.#held) giveBack(b);
    this.#held = [];
  }
}

/**
 * A file read into shared memory held by `lease`: as many bytes as its size says, as fs.readFile
 * reads; to its end when its size is unknown (0, as a pipe's or a /proc file's).
 */
export async function readShared(file: string, lease: SharedLease): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const stat = await handle.stat();
    const size = stat.isFile() && stat.size > 0 ? stat.size : null;
    let buffer = lease.take(size ?? 65536);
    let length = 0;
    while (size === null || length < size) {
      if (length === buffer.byteLength) {
        const bigger = lease.take(length * 2);
        bigger.set(buffer);
        buffer = bigger;
      }
      const { bytesRead } = await handle.read(buffer, length, (size ?? buffer.byteLength) - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return Buffer.from(buffer.buffer, buffer.byteOffset, length);
  } finally {
    await handle.close();
  }
}

/** Runs `use` with `bytes` on shared memory, for a worker thread: as they are if they already are, else a copy. */
export async function withSharedCopy<T>(bytes: Uint8Array, use: (shared: Uint8Array) => Promise<T>): Promise<T> {
  if (bytes.buffer instanceof SharedArrayBuffer) return use(bytes);
  const lease = new SharedLease();
  const buffer = lease.take(bytes.byteLength);
  buffer.set(bytes);
  try {
    return await use(buffer.subarray(0, bytes.byteLength));
  } finally {
    lease.release();
  }
}

/**
 * Room for `bytes` of a worker's result: in `into`, the caller's shared buffer, when it fits;
 * else memory of the worker's own (not a slice of Node's shared pool), which can be moved to the
 * caller.
 */
export function resultSpace(into: Uint8Array | undefined): (bytes: number) => Uint8Array {
  return (bytes) => (into && bytes <= into.byteLength ? into.subarray(0, bytes) : Buffer.allocUnsafeSlow(bytes));
}

/** `bytes` copied into resultSpace(into). */
export function resultCopy(bytes: Uint8Array, into: Uint8Array | undefined): Uint8Array {
  const out = resultSpace(into)(bytes.byteLength);
  out.set(bytes);
  return out;
}

import fs from 'node:fs/promises';

/**
 * Shared memory, reused from image to image, for the bytes a batch passes between threads: a
 * source file is read straight into it, and a worker puts the JPEG it made into it. A shared
 * buffer crosses to a worker for free (posting a 9 MB file copies it twice, ~35 ms of CPU here),
 * and reuse keeps fresh memory off the main thread: a few MB of new buffers per image make V8 run
 * a full garbage collection every dozen images (about 4 ms of CPU per 4 MP image, measured in the
 * watermark benchmark).
 */

/**
 * Shared buffers kept for reuse, smallest first: a request takes the smallest that fits. At most
 * `keep` are kept (the smallest go first), none over `maxBytes`, and all are let go once none has
 * been handed back for 10 s. Fresh ones get `headroom` (a factor) so that a slightly larger
 * request next time still fits.
 */
export class SharedBufferPool {
  #spare: Uint8Array[] = [];
  #idle: NodeJS.Timeout | null = null;
  #lent = 0;
  readonly #limits: { keep: number; maxBytes: number; headroom: number };

  constructor(limits: { keep: number; maxBytes: number; headroom: number }) {
    this.#limits = limits;
  }

  /** How many buffers are taken and not yet given back. */
  get lent(): number {
    return this.#lent;
  }

  take(bytes: number): Uint8Array {
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = null;
    this.#lent++;
    const i = this.#spare.findIndex((b) => b.byteLength >= bytes);
    if (i >= 0) return this.#spare.splice(i, 1)[0]!;
    return new Uint8Array(new SharedArrayBuffer(Math.ceil((bytes * this.#limits.headroom) / 65536) * 65536));
  }

  /** Hands a buffer back: nothing may read or write it afterwards. */
  give(buffer: Uint8Array): void {
    this.#lent--;
    if (buffer.byteLength <= this.#limits.maxBytes) {
      this.#spare.push(buffer);
      this.#spare.sort((x, y) => x.byteLength - y.byteLength);
      if (this.#spare.length > this.#limits.keep) this.#spare.shift();
    }
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = setTimeout(() => (this.#spare.length = 0), 10_000).unref();
  }
}

/** Two lanes, each with a source and a result, and as many images again still being written. */
const bytePool = new SharedBufferPool({ keep: 8, maxBytes: 64 * 1024 * 1024, headroom: 1.25 });

/** How many shared buffers leases hold now (none once every batch has finished). */
export function sharedBuffersLent(): number {
  return bytePool.lent;
}

/** Shared buffers held for one piece of work (one image of a batch) and handed back together. */
export class SharedLease {
  #held: Uint8Array[] = [];

  /** A shared buffer of at least `bytes`, held until release(). */
  take(bytes: number): Uint8Array {
    const buffer = bytePool.take(bytes);
    this.#held.push(buffer);
    return buffer;
  }

  /** Hands every buffer back for reuse: nothing may read or write them afterwards. */
  release(): void {
    for (const b of this.#held) bytePool.give(b);
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

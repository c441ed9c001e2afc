const spareShared: Uint8Array[] = [];
const KEEP_SHARED_MAX = 64 * 1024 * 1024;

/**
 * Runs `use` with a copy of `bytes` on shared memory, for a worker thread: posting a 9 MB file to
 * a worker copies it twice (~35 ms of CPU here); a shared buffer crosses for free. Up to two
 * buffers are kept between calls (one per lane), none over 64 MB.
 */
export async function withSharedCopy<T>(bytes: Uint8Array, use: (shared: Uint8Array) => Promise<T>): Promise<T> {
  const i = spareShared.findIndex((b) => b.byteLength >= bytes.byteLength);
  const buf = i >= 0 ? spareShared.splice(i, 1)[0]! : new Uint8Array(new SharedArrayBuffer(Math.ceil((bytes.byteLength * 1.25) / 65536) * 65536));
  buf.set(bytes);
  try {
    return await use(buf.subarray(0, bytes.byteLength));
  } finally {
    if (buf.byteLength <= KEEP_SHARED_MAX) {
      spareShared.push(buf);
      spareShared.sort((x, y) => x.byteLength - y.byteLength);
      if (spareShared.length > 2) spareShared.shift();
    }
  }
}

/** A copy of `bytes` in memory of its own (not a slice of Node's shared pool), so it can be moved to another thread. */
export function ownCopy(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafeSlow(bytes.byteLength);
  out.set(bytes);
  return out;
}

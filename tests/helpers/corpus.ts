import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** The shared corpus of real photos (read-only: copy before changing anything). */
export const CORPUS_DIR = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'corpus', 'photos');

export const corpusFile = (name: string) => path.join(CORPUS_DIR, name);

export async function corpusNames(): Promise<string[]> {
  return (await fs.readdir(CORPUS_DIR)).filter((n) => /\.(jpe?g|png)$/i.test(n)).sort();
}

/** A fresh temp folder, removed by the returned cleanup. */
export async function tempDir(prefix = 'proofmark-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** Copies corpus photos into `dir` (all, or the named ones) and returns their paths. */
export async function copyCorpus(dir: string, names?: string[]): Promise<string[]> {
  const list = names ?? (await corpusNames());
  await fs.mkdir(dir, { recursive: true });
  return Promise.all(list.map(async (n) => {
    const to = path.join(dir, n);
    await fs.copyFile(corpusFile(n), to);
    return to;
  }));
}

/** Bytes of a PNG that declares width x height but holds no pixel data (never decode it). */
export function pngHeaderOnly(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), chunk('IEND', Buffer.alloc(0))]);
}

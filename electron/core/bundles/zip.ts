import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { sign, type SigningKey } from './keys.ts';

/**
 * The ZIP's own signature lives in its comment: "proofmark-zip-sig:ed25519:" and the base64
 * Ed25519 signature of "proofmark-zip/1\n<sha256 of every byte before the comment>\n". It covers
 * headers, timestamps and central directory too, so a single changed byte anywhere is detected,
 * even one that leaves every file's content intact.
 */
export const ZIP_SIG_PREFIX = 'proofmark-zip-sig:ed25519:';
const SIG_B64_LENGTH = 88;
const COMMENT_LENGTH = ZIP_SIG_PREFIX.length + SIG_B64_LENGTH;

export function zipStatement(prefixSha256: string): Buffer {
  return Buffer.from(`proofmark-zip/1\n${prefixSha256}\n`, 'utf8');
}

/** Already-compressed files are stored as they are. */
const STORED = /\.(jpe?g|png|webp|zip)$/i;

/** Writes `files` (relative paths under `dir`) into a signed ZIP at `zipPath`. */
export async function writeSignedZip(dir: string, files: string[], zipPath: string, key: SigningKey, mtime: Date): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const rel of files) {
    zip.addFile(path.join(dir, ...rel.split('/')), rel, { mtime, mode: 0o100644, compress: !STORED.test(rel) });
  }
  zip.end({ forceZip64Format: false, comment: ZIP_SIG_PREFIX + 'A'.repeat(SIG_B64_LENGTH) });
  await pipeline(zip.outputStream, fs.createWriteStream(zipPath));

  const size = (await fsp.stat(zipPath)).size;
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(zipPath, { end: size - COMMENT_LENGTH - 1 })) hash.update(chunk as Buffer);
  const signature = sign(key, zipStatement(hash.digest('hex')));
  const handle = await fsp.open(zipPath, 'r+');
  try {
    await handle.write(Buffer.from(ZIP_SIG_PREFIX + signature, 'ascii'), 0, COMMENT_LENGTH, size - COMMENT_LENGTH);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The ZIP comment and where it starts, read from the end-of-central-directory record. */
export async function readZipComment(zipPath: string): Promise<{ comment: Buffer; offset: number } | null> {
  const handle = await fsp.open(zipPath, 'r');
  try {
    const size = (await handle.stat()).size;
    const tailSize = Math.min(size, 22 + 0xffff);
    const tail = Buffer.alloc(tailSize);
    await handle.read(tail, 0, tailSize, size - tailSize);
    for (let i = tailSize - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) !== 0x06054b50) continue;
      const length = tail.readUInt16LE(i + 20);
      if (i + 22 + length !== tailSize) continue;
      return { comment: tail.subarray(i + 22, i + 22 + length), offset: size - tailSize + i + 22 };
    }
    return null;
  } finally {
    await handle.close();
  }
}

export async function hashPrefix(file: string, length: number): Promise<string> {
  const hash = crypto.createHash('sha256');
  if (length > 0) for await (const chunk of fs.createReadStream(file, { end: length - 1 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface ZipEntryResult {
  name: string;
  /** Why the entry was not read (unsafe name, symlink, duplicate), or null. */
  unsafe: { kind: 'unsafe_entry' | 'symlink'; message: string } | null;
  isDirectory: boolean;
  sha256: string | null;
  byteSize: number;
  /** The bytes, for the few small files the caller asked to keep (manifest, signature, key). */
  bytes: Buffer | null;
}

/** Why a ZIP entry name must not be used as a path, or null when it is safe. */
export function unsafeEntryName(name: string): string | null {
  if (name.length === 0) return 'has an empty name';
  if (name.includes('\0')) return 'has a NUL character in its name';
  if (name.includes('\\')) return 'uses "\\" in its path (only "/" is allowed)';
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return 'is an absolute path';
  if (name.split('/').some((part) => part === '..')) return 'climbs out of its folder with ".."';
  return null;
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    // Names are decoded and checked here, not by yauzl, so an unsafe entry is named instead of
    // aborting the whole read.
    yauzl.open(file, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: true, strictFileNames: false }, (err, zf) => (err ? reject(err) : resolve(zf)));
  });
}

function decodeName(entry: yauzl.Entry): string {
  const raw = entry.fileName as unknown as Buffer;
  // Bit 11: the name is UTF-8 (yazl sets it for every non-ASCII name).
  return (entry.generalPurposeBitFlag & 0x800) !== 0 ? raw.toString('utf8') : raw.toString('latin1');
}

/**
 * Reads every entry of a ZIP without writing anything to disk: each safe file is streamed through
 * SHA-256 (and its CRC checked by yauzl); unsafe names and symlinks are reported, never opened.
 */
export async function readZipEntries(file: string, keep: Set<string>, maxKeepBytes: number, signal?: AbortSignal): Promise<ZipEntryResult[]> {
  const zf = await openZip(file);
  const results: ZipEntryResult[] = [];
  const seen = new Set<string>();
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => {
      zf.close();
      reject(err);
    };
    zf.on('error', fail);
    zf.on('end', () => resolve(results));
    zf.on('entry', (entry: yauzl.Entry) => {
      if (signal?.aborted) return fail(Object.assign(new Error('cancelled'), { name: 'AbortError' }));
      const name = decodeName(entry);
      const isDirectory = name.endsWith('/');
      const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
      const base: ZipEntryResult = { name, unsafe: null, isDirectory, sha256: null, byteSize: entry.uncompressedSize, bytes: null };
      const why = unsafeEntryName(isDirectory ? name.slice(0, -1) || name : name);
      if (why) base.unsafe = { kind: 'unsafe_entry', message: `The ZIP entry "${name}" ${why}; it was not read.` };
      else if (mode === 0o120000) base.unsafe = { kind: 'symlink', message: `The ZIP entry "${name}" is a symbolic link; links are never followed or extracted.` };
      else if (seen.has(name)) base.unsafe = { kind: 'unsafe_entry', message: `The ZIP holds "${name}" more than once.` };
      seen.add(name);
      if (base.unsafe || isDirectory) {
        results.push(base);
        zf.readEntry();
        return;
      }
      zf.openReadStream(entry, (err, stream) => {
        if (err) return fail(err);
        const hash = crypto.createHash('sha256');
        const chunks: Buffer[] = [];
        let kept = 0;
        const wantBytes = keep.has(name) && entry.uncompressedSize <= maxKeepBytes;
        stream.on('data', (c: Buffer) => {
          hash.update(c);
          if (wantBytes && kept + c.length <= maxKeepBytes) {
            chunks.push(c);
            kept += c.length;
          }
        });
        stream.on('error', fail);
        stream.on('end', () => {
          results.push({ ...base, sha256: hash.digest('hex'), bytes: wantBytes ? Buffer.concat(chunks) : null });
          zf.readEntry();
        });
      });
    });
    zf.readEntry();
  });
}

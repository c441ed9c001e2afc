import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ProofmarkError } from '../../../contract/index.ts';

/**
 * Output files: names from a template, never overwriting anything (a source, an earlier export,
 * another file of the same batch), written under a temp name and published only when complete.
 */

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

/** A file name safe on Windows, macOS and Linux (keeps Chinese and other letters). */
export function safeFileName(name: string, fallback = 'image'): string {
  let out = name
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
    .replace(/[\u0000-\u001f\u007f<>:"/\\|?*]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '')
    .replace(/[. ]+$/, '');
  // 200 bytes leaves room for a suffix and an extension within the usual 255-byte limit.
  while (Buffer.byteLength(out) > 200) out = [...out].slice(0, -1).join('');
  if (!out || WINDOWS_RESERVED.test(out)) out = out ? `${out}_` : fallback;
  return out;
}

export interface NameFields {
  name: string;
  id: number | null;
  n: number;
  date: string;
  preset: string;
  format: string;
}

/** Fills the file-name template (tokens were checked by the contract). */
export function fillNameTemplate(template: string, f: NameFields): string {
  const filled = template.replace(/\{([a-z]+)\}/g, (_all, token: string) => {
    switch (token) {
      case 'name': return f.name;
      case 'id': return f.id === null ? '' : String(f.id);
      case 'n': return String(f.n).padStart(3, '0');
      case 'date': return f.date;
      case 'preset': return f.preset;
      case 'format': return f.format;
      default: return '';
    }
  });
  return safeFileName(filled.replace(/[-_ ]{2,}/g, (m) => m[0]!).replace(/^[-_ ]+|[-_ ]+$/g, ''), safeFileName(f.name));
}

export function describeFsError(err: unknown, what: string): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOSPC': return `${what}: the disk is full.`;
    case 'EDQUOT': return `${what}: the disk quota is exceeded.`;
    case 'EFBIG': return `${what}: the file is larger than this disk or process allows (write failed).`;
    case 'EACCES':
    case 'EPERM': return `${what}: permission denied.`;
    case 'EROFS': return `${what}: the disk is read-only.`;
    case 'ENOTDIR': return `${what}: part of the path is a file, not a folder.`;
    case 'ENOENT': return `${what}: the folder does not exist.`;
    case 'EIO': return `${what}: the disk reported an input/output error.`;
    default: return `${what}: ${e.code ?? e.message}.`;
  }
}

/** Creates the output folder and proves a file can be written there, before any image is decoded. */
export async function checkWritableFolder(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (err) {
    throw new ProofmarkError('io_error', describeFsError(err, `The output folder ${dir} cannot be created`));
  }
  const probe = path.join(dir, `.proofmark-write-test-${randomBytes(4).toString('hex')}`);
  try {
    await fs.writeFile(probe, 'ok');
  } catch (err) {
    throw new ProofmarkError('io_error', describeFsError(err, `The output folder ${dir} cannot be written`));
  } finally {
    await fs.rm(probe, { force: true });
  }
}

/** Writes the pieces in order (writev may write less than asked). */
async function writeAll(handle: fs.FileHandle, pieces: readonly Uint8Array[]): Promise<void> {
  let rest = pieces.filter((p) => p.length > 0);
  while (rest.length) {
    let { bytesWritten } = await handle.writev(rest.slice(0, 512) as Uint8Array[]);
    const next: Uint8Array[] = [];
    for (const p of rest) {
      if (bytesWritten >= p.length) {
        bytesWritten -= p.length;
        continue;
      }
      next.push(bytesWritten > 0 ? p.subarray(bytesWritten) : p);
      bytesWritten = 0;
    }
    rest = next;
  }
}

/**
 * Writes the pieces of `data`, one after the other, to `dir/base.ext`, or `base-2.ext`,
 * `base-3.ext`, … if the name is taken.
 * The bytes go to a hidden temp file first (flushed to disk); a hard link then publishes it under
 * the final name only if that name is free, so nothing is ever overwritten and a crash or a
 * failed write never leaves a partial file under a real name.
 */
export async function writeNoClobber(dir: string, base: string, ext: string, data: readonly Uint8Array[], reserved: Set<string>): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.${base.slice(0, 40)}.${randomBytes(6).toString('hex')}.proofmark-part`);
  try {
    const handle = await fs.open(temp, 'wx');
    try {
      await writeAll(handle, data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    for (let i = 1; i < 10_000; i++) {
      const target = path.join(dir, `${base}${i === 1 ? '' : `-${i}`}.${ext}`);
      // Two lanes may pick the same name at once; the set makes the choice and the link checks the disk.
      if (reserved.has(target)) continue;
      reserved.add(target);
      try {
        await fs.link(temp, target);
        return target;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') continue;
        reserved.delete(target);
        if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EXDEV') {
          // File systems without hard links (FAT, exFAT): check, then rename.
          try {
            await fs.access(target);
            continue;
          } catch {
            await fs.rename(temp, target);
            return target;
          }
        }
        throw err;
      }
    }
    throw new ProofmarkError('conflict', `Every name from ${base}.${ext} to ${base}-9999.${ext} is taken in ${dir}.`);
  } finally {
    // unlink, not rm: rm looks first (lstat) and costs a second trip to libuv's pool per file.
    await fs.unlink(temp).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
}

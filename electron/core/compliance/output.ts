import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** Errors of file systems without hard links (FAT, exFAT, some network shares). */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOSYS', 'EMLINK']);

/** `name.ext`, then `name (1).ext`, `name (2).ext`, … */
export function candidateName(fileName: string, i: number): string {
  if (i === 0) return fileName;
  const { name, ext } = path.parse(fileName);
  return `${name} (${i})${ext}`;
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(() => true, () => false);
}

/** The name `writeNew` would use now (for previews). */
export async function predictName(dir: string, fileName: string): Promise<string> {
  for (let i = 0; ; i++) {
    const candidate = path.join(dir, candidateName(fileName, i));
    if (!(await exists(candidate))) return candidate;
  }
}

/**
 * Writes a new file and never replaces an existing one: the bytes go to a hidden temp name, are
 * flushed to disk, and are then hard-linked to the first free name (a link fails atomically if the
 * name exists, so a file appearing meanwhile is never overwritten). Where the file system has no
 * hard links, the free name is checked and the temp file renamed. No partial file is ever visible
 * under the final name.
 */
export async function writeNew(dir: string, fileName: string, bytes: Uint8Array): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${fileName}.${randomBytes(6).toString('hex')}.part`);
  const fh = await fs.open(tmp, 'wx');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    for (let i = 0; i < 100_000; i++) {
      const candidate = path.join(dir, candidateName(fileName, i));
      try {
        await fs.link(tmp, candidate);
        return candidate;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if (code === 'EEXIST') continue;
        if (!NO_LINKS.has(code)) throw err;
        if (await exists(candidate)) continue;
        await fs.rename(tmp, candidate);
        return candidate;
      }
    }
    throw new Error(`No free file name for ${fileName} in ${dir}.`);
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/** A file name stem safe on Windows, macOS and Linux. */
export function safeStem(text: string): string {
  const cleaned = [...text].map((ch) => (ch.charCodeAt(0) < 32 || '<>:"/\\|?*'.includes(ch) ? '_' : ch)).join('').replace(/[. ]+$/, '').trim();
  return (cleaned || 'image').slice(0, 150);
}

import fs from 'node:fs/promises';
import path from 'node:path';
import type { Wording } from '../../contract/index.ts';

export interface FoundFile {
  /** Absolute path. */
  path: string;
  /** Path relative to the folder it was found under ('' root for a file given directly). */
  relative: string;
}

/** A file or folder that could not be reached: the English sentence names it, the phrase code leaves it out. */
export interface WalkError {
  path: string;
  error: string;
  wording: Wording;
}

export interface WalkResult {
  files: FoundFile[];
  errors: WalkError[];
}

export function walkError(err: NodeJS.ErrnoException, p: string): WalkError {
  switch (err.code) {
    case 'ENOENT': return { path: p, error: `${p} does not exist.`, wording: { code: 'file.missing' } };
    case 'EACCES':
    case 'EPERM': return { path: p, error: `${p} cannot be read (permission denied).`, wording: { code: 'file.denied' } };
    case 'ELOOP': return { path: p, error: `${p} is a symbolic link loop.`, wording: { code: 'file.link-loop' } };
    default: {
      const reason = err.code ?? err.message;
      return { path: p, error: `${p} cannot be read (${reason}).`, wording: { code: 'file.unreadable', values: { reason } } };
    }
  }
}

/**
 * Expands files and folders into a de-duplicated file list. Folders are walked (recursively when
 * asked), following symlinks but never the same real folder twice, so link loops end.
 * Files inside folders are kept only when `accept(name)` says so; files named directly are always kept.
 */
export async function collectFiles(
  inputs: string[],
  opts: { recursive: boolean; accept: (name: string) => boolean },
): Promise<WalkResult> {
  const files: FoundFile[] = [];
  const errors: WalkResult['errors'] = [];
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();

  /** Keeps a file once per real path: `real` is known for a plain file in a resolved folder, else resolved here. */
  async function addFile(abs: string, relative: string, known?: string) {
    let real: string;
    try {
      real = known ?? (await fs.realpath(abs));
    } catch (err) {
      errors.push(walkError(err as NodeJS.ErrnoException, abs));
      return;
    }
    if (seenFiles.has(real)) return;
    seenFiles.add(real);
    files.push({ path: abs, relative });
  }

  async function walk(dir: string, root: string, depth: number) {
    let real: string;
    try {
      real = await fs.realpath(dir);
    } catch (err) {
      errors.push(walkError(err as NodeJS.ErrnoException, dir));
      return;
    }
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
      errors.push(walkError(err as NodeJS.ErrnoException, dir));
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    // Entries give their type without a stat (a folder of thousands of photos costs one read);
    // only links are followed with one.
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      const link = e.isSymbolicLink();
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (link) {
        try {
          const stat = await fs.stat(abs);
          isDir = stat.isDirectory();
          isFile = stat.isFile();
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          // A dangling or looping link among other files: report it only if it looks like an image.
          if (code === 'ELOOP' || opts.accept(e.name)) errors.push(walkError(err as NodeJS.ErrnoException, abs));
          continue;
        }
      }
      if (isDir) {
        if (opts.recursive && !e.name.startsWith('.')) await walk(abs, root, depth + 1);
      } else if (isFile && opts.accept(e.name)) {
        await addFile(abs, path.relative(root, abs), link ? undefined : path.join(real, e.name));
      }
    }
  }

  for (const input of inputs) {
    const abs = path.resolve(input);
    let stat;
    try {
      stat = await fs.stat(abs);
    } catch (err) {
      errors.push(walkError(err as NodeJS.ErrnoException, abs));
      continue;
    }
    if (stat.isDirectory()) await walk(abs, abs, 0);
    else await addFile(abs, path.basename(abs));
  }
  return { files, errors };
}

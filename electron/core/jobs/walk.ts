import fs from 'node:fs/promises';
import path from 'node:path';

export interface FoundFile {
  /** Absolute path. */
  path: string;
  /** Path relative to the folder it was found under ('' root for a file given directly). */
  relative: string;
}

export interface WalkResult {
  files: FoundFile[];
  errors: { path: string; error: string }[];
}

function describe(err: NodeJS.ErrnoException, p: string): string {
  switch (err.code) {
    case 'ENOENT': return `${p} does not exist.`;
    case 'EACCES':
    case 'EPERM': return `${p} cannot be read (permission denied).`;
    case 'ELOOP': return `${p} is a symbolic link loop.`;
    default: return `${p} cannot be read (${err.code ?? err.message}).`;
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

  async function addFile(abs: string, relative: string) {
    let real: string;
    try {
      real = await fs.realpath(abs);
    } catch (err) {
      errors.push({ path: abs, error: describe(err as NodeJS.ErrnoException, abs) });
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
      errors.push({ path: dir, error: describe(err as NodeJS.ErrnoException, dir) });
      return;
    }
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
      errors.push({ path: dir, error: describe(err as NodeJS.ErrnoException, dir) });
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      let stat;
      try {
        stat = await fs.stat(abs);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // A dangling or looping link among other files: report it only if it looks like an image.
        if (code === 'ELOOP' || opts.accept(e.name)) errors.push({ path: abs, error: describe(err as NodeJS.ErrnoException, abs) });
        continue;
      }
      if (stat.isDirectory()) {
        if (opts.recursive && !e.name.startsWith('.')) await walk(abs, root, depth + 1);
      } else if (stat.isFile() && opts.accept(e.name)) {
        await addFile(abs, path.relative(root, abs));
      }
    }
  }

  for (const input of inputs) {
    const abs = path.resolve(input);
    let stat;
    try {
      stat = await fs.stat(abs);
    } catch (err) {
      errors.push({ path: abs, error: describe(err as NodeJS.ErrnoException, abs) });
      continue;
    }
    if (stat.isDirectory()) await walk(abs, abs, 0);
    else await addFile(abs, path.basename(abs));
  }
  return { files, errors };
}

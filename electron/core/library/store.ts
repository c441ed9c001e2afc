import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Content-addressed, write-once store: `<root>/<aa>/<sha256>.<ext>`, files read-only.
 * Every write goes to a temp file in the same folder tree, is flushed, then renamed into place,
 * so a crash leaves either nothing or a complete file (plus temp litter that `sweepTemp` removes).
 */
export class BlobStore {
  readonly root: string;
  private readonly tmpDir: string;
  constructor(root: string) {
    this.root = root;
    this.tmpDir = path.join(root, '.tmp');
  }

  async init(): Promise<void> {
    await fs.mkdir(this.tmpDir, { recursive: true });
  }

  pathFor(name: string): string {
    return path.join(this.root, name.slice(0, 2), name);
  }

  async has(name: string): Promise<boolean> {
    return fs.access(this.pathFor(name)).then(() => true, () => false);
  }

  /** Writes bytes under `name` unless it is already there; never overwrites. */
  async put(name: string, bytes: Uint8Array, mode = 0o444): Promise<string> {
    const final = this.pathFor(name);
    if (await this.has(name)) return final;
    await fs.mkdir(path.dirname(final), { recursive: true });
    const tmp = path.join(this.tmpDir, `${name}.${randomBytes(6).toString('hex')}.part`);
    const handle = await fs.open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.chmod(tmp, mode);
    await fs.rename(tmp, final);
    return final;
  }

  async remove(name: string): Promise<void> {
    await fs.rm(this.pathFor(name), { force: true });
  }

  /** Names of every stored file. */
  async list(): Promise<string[]> {
    const out: string[] = [];
    const dirs = await fs.readdir(this.root, { withFileTypes: true }).catch(() => []);
    for (const d of dirs) {
      if (!d.isDirectory() || d.name === '.tmp') continue;
      for (const f of await fs.readdir(path.join(this.root, d.name))) out.push(f);
    }
    return out;
  }

  async sweepTemp(): Promise<number> {
    const names = await fs.readdir(this.tmpDir).catch(() => [] as string[]);
    await Promise.all(names.map((n) => fs.rm(path.join(this.tmpDir, n), { force: true })));
    return names.length;
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

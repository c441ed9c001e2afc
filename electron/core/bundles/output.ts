import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ProofmarkError } from '../../contract/index.ts';

/**
 * Where a bundle is written: the folder `outDir` and the ZIP `outDir.zip` beside it. Everything is
 * built under temporary names in the same parent folder and renamed into place only when complete,
 * so a failure or a cancel leaves nothing half-written, and an existing bundle is never overwritten.
 */
export interface OutputTarget {
  folder: string;
  zip: string;
  /** Build the folder's content here. */
  staging: string;
  /** Write the ZIP here. */
  stagingZip: string;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** Refuses (with `conflict`) when the folder holds anything or the ZIP exists; nothing is written then. */
export async function checkOutput(outDir: string): Promise<{ folder: string; zip: string }> {
  const folder = path.resolve(outDir);
  const zip = `${folder}.zip`;
  if (path.dirname(folder) === folder) throw new ProofmarkError('invalid_input', `${folder} is a filesystem root; give a new folder for the bundle.`);
  try {
    const st = await fs.lstat(folder);
    if (!st.isDirectory()) throw new ProofmarkError('conflict', `${folder} already exists and is not a folder; choose a new folder name for the bundle.`);
    const entries = await fs.readdir(folder);
    if (entries.length > 0) {
      throw new ProofmarkError('conflict', `The folder ${folder} already exists and is not empty; bundles are never overwritten. Choose a new folder or remove the old one.`);
    }
  } catch (err) {
    if (err instanceof ProofmarkError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new ProofmarkError('io_error', `Cannot use ${folder}: ${(err as Error).message}`);
  }
  if (await exists(zip)) throw new ProofmarkError('conflict', `${zip} already exists; bundles are never overwritten. Choose a new folder name or remove the old ZIP.`);
  return { folder, zip };
}

export async function claimOutput(outDir: string): Promise<OutputTarget> {
  const { folder, zip } = await checkOutput(outDir);
  const parent = path.dirname(folder);
  try {
    await fs.mkdir(parent, { recursive: true });
  } catch (err) {
    throw new ProofmarkError('io_error', `Cannot create the folder ${parent}: ${(err as Error).message}`);
  }
  const tag = crypto.randomBytes(4).toString('hex');
  const staging = path.join(parent, `.${path.basename(folder)}.partial-${tag}`);
  const stagingZip = path.join(parent, `.${path.basename(folder)}.zip.partial-${tag}`);
  await fs.mkdir(staging);
  return {
    folder, zip, staging, stagingZip,
    async commit() {
      // Checked again: someone may have created either meanwhile.
      await checkOutput(folder);
      if (await exists(folder)) await fs.rmdir(folder);
      await fs.rename(staging, folder);
      await fs.rename(stagingZip, zip);
    },
    async abort() {
      await fs.rm(staging, { recursive: true, force: true });
      await fs.rm(stagingZip, { force: true });
    },
  };
}

import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { BundleFile, BundleKind } from '../../contract/index.ts';
import { sign, type SigningKey } from './keys.ts';

export const MANIFEST = 'manifest.json';
export const SIGNATURE = 'manifest.sig';
export const PUBLIC_KEY = 'public-key.pem';
export const MANIFEST_FORMAT = 'proofmark-bundle/1';

export interface ManifestImage {
  id: number;
  sha256: string;
  title: string;
  /** The file in the bundle made from this image, if any (sample, original). */
  file: string | null;
  role: string;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  bundleId: string;
  kind: BundleKind;
  title: string;
  generatedAt: string;
  generator: string;
  images: ManifestImage[];
  /** Every file of the bundle but manifest.json and manifest.sig, sorted by path. */
  files: BundleFile[];
  signature: { algorithm: 'Ed25519'; file: typeof SIGNATURE; publicKey: typeof PUBLIC_KEY; fingerprint: string };
}

export async function hashFile(file: string): Promise<{ sha256: string; byteSize: number }> {
  const hash = crypto.createHash('sha256');
  let byteSize = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
    byteSize += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), byteSize };
}

/** Relative paths (with "/") of every file under `dir`. */
export async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fsp.readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(path.join(dir, e.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

/**
 * Writes public-key.pem, manifest.json (every file hashed) and manifest.sig (Ed25519 over the exact
 * bytes of manifest.json) into a finished bundle folder.
 */
export async function sealFolder(
  dir: string,
  meta: Omit<Manifest, 'files' | 'signature' | 'format'>,
  roles: Map<string, string>,
  key: SigningKey,
): Promise<{ manifest: Manifest; manifestSha256: string }> {
  await fsp.writeFile(path.join(dir, PUBLIC_KEY), key.publicPem);
  roles.set(PUBLIC_KEY, 'public-key');
  const files: BundleFile[] = [];
  for (const rel of await listFiles(dir)) {
    if (rel === MANIFEST || rel === SIGNATURE) continue;
    const { sha256, byteSize } = await hashFile(path.join(dir, ...rel.split('/')));
    files.push({ path: rel, sha256, byteSize, role: roles.get(rel) ?? 'file' });
  }
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    ...meta,
    files,
    signature: { algorithm: 'Ed25519', file: SIGNATURE, publicKey: PUBLIC_KEY, fingerprint: key.fingerprint },
  };
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  await fsp.writeFile(path.join(dir, MANIFEST), bytes);
  await fsp.writeFile(path.join(dir, SIGNATURE), `${sign(key, bytes)}\n`);
  return { manifest, manifestSha256: crypto.createHash('sha256').update(bytes).digest('hex') };
}

import fs from 'node:fs/promises';
import path from 'node:path';
import type { BundleKind, VerifyBundleResult, VerifyIssue } from '../../contract/index.ts';
import { fingerprintOf, parsePublicKey, verifySignature } from './keys.ts';
import { hashFile, MANIFEST, MANIFEST_FORMAT, PUBLIC_KEY, SIGNATURE, type Manifest } from './manifest.ts';
import { hashPrefix, readZipComment, readZipEntries, ZIP_SIG_PREFIX, zipStatement } from './zip.ts';

const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

interface Found {
  sha256: string | null;
  bytes: Buffer | null;
}

interface Collected {
  files: Map<string, Found>;
  problems: VerifyIssue[];
}

/** Every regular file of a bundle folder; symlinks are reported and never followed. */
async function collectFolder(root: string, signal?: AbortSignal): Promise<Collected> {
  const files = new Map<string, Found>();
  const problems: VerifyIssue[] = [];
  const small = new Set([MANIFEST, SIGNATURE, PUBLIC_KEY]);
  const walk = async (dir: string, prefix: string) => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      if (signal?.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      const abs = path.join(dir, e.name);
      if (e.isSymbolicLink()) problems.push({ kind: 'symlink', path: rel, message: `${rel} is a symbolic link; bundles hold only regular files and links are never followed.` });
      else if (e.isDirectory()) await walk(abs, rel);
      else if (e.isFile()) {
        const keep = small.has(rel) ? await readSmall(abs) : null;
        files.set(rel, { sha256: (await hashFile(abs)).sha256, bytes: keep });
      } else problems.push({ kind: 'extra', path: rel, message: `${rel} is not a regular file.` });
    }
  };
  await walk(root, '');
  return { files, problems };
}

async function readSmall(file: string): Promise<Buffer | null> {
  const st = await fs.stat(file);
  return st.size <= MAX_MANIFEST_BYTES ? fs.readFile(file) : null;
}

async function collectZip(file: string, signal?: AbortSignal): Promise<Collected & { containerOk: boolean | null; containerPem: Buffer | null }> {
  const files = new Map<string, Found>();
  const problems: VerifyIssue[] = [];
  const entries = await readZipEntries(file, new Set([MANIFEST, SIGNATURE, PUBLIC_KEY]), MAX_MANIFEST_BYTES, signal);
  for (const e of entries) {
    if (e.unsafe) problems.push({ kind: e.unsafe.kind, path: e.name, message: e.unsafe.message });
    else if (!e.isDirectory) files.set(e.name, { sha256: e.sha256, bytes: e.bytes });
  }
  // The container signature is checked against the key inside the ZIP; whether that key is
  // trusted is reported separately (signedByThisLibrary).
  const pem = files.get(PUBLIC_KEY)?.bytes ?? null;
  const comment = await readZipComment(file);
  let containerOk: boolean | null = null;
  const text = comment?.comment.toString('latin1') ?? '';
  if (!text.startsWith(ZIP_SIG_PREFIX)) {
    problems.push({ kind: 'container_changed', message: 'The ZIP carries no ProofMark container signature in its comment (it was re-packed or altered).' });
    containerOk = false;
  } else {
    const key = pem ? parsePublicKey(pem) : null;
    if (key && comment) {
      containerOk = verifySignature(key, zipStatement(await hashPrefix(file, comment.offset)), text.slice(ZIP_SIG_PREFIX.length));
      if (!containerOk) problems.push({ kind: 'container_changed', message: 'The ZIP container signature does not match its bytes: the archive was changed after it was built (headers, names, timestamps or content).' });
    }
  }
  return { files, problems, containerOk, containerPem: pem };
}

function parseManifest(bytes: Buffer | null | undefined): { manifest: Manifest | null; error: string | null } {
  if (!bytes) return { manifest: null, error: 'manifest.json is missing: this is not a complete ProofMark bundle.' };
  try {
    const m = JSON.parse(bytes.toString('utf8')) as Manifest;
    if (m.format !== MANIFEST_FORMAT || !Array.isArray(m.files)) return { manifest: null, error: `manifest.json is not a ${MANIFEST_FORMAT} manifest.` };
    for (const f of m.files) {
      if (typeof f?.path !== 'string' || typeof f?.sha256 !== 'string') return { manifest: null, error: 'manifest.json lists a file without a path or SHA-256.' };
    }
    return { manifest: m, error: null };
  } catch (err) {
    return { manifest: null, error: `manifest.json cannot be read as JSON (${(err as Error).message}).` };
  }
}

/**
 * Checks a bundle folder or ZIP: the Ed25519 signature of manifest.json, the SHA-256 of every file
 * it lists, files missing or not listed, and (for a ZIP) the container signature over its bytes.
 * Nothing is written anywhere.
 */
export async function verifyBundle(target: string, libraryFingerprint: string | null, signal?: AbortSignal): Promise<VerifyBundleResult> {
  const abs = path.resolve(target);
  const st = await fs.lstat(abs);
  if (st.isSymbolicLink()) {
    return result(abs, 'folder', null, 'missing', null, null, 0, [{ kind: 'symlink', path: abs, message: `${abs} is a symbolic link; give the bundle folder or ZIP itself.` }]);
  }
  const container = st.isDirectory() ? 'folder' : 'zip';
  let collected: Collected;
  try {
    collected = container === 'folder' ? await collectFolder(abs, signal) : await collectZip(abs, signal);
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    return result(abs, container, null, 'missing', null, null, 0, [{ kind: 'unreadable', message: `The ${container === 'zip' ? 'ZIP' : 'folder'} cannot be read: ${(err as Error).message}` }]);
  }
  const { files, problems } = collected;
  const { manifest, error } = parseManifest(files.get(MANIFEST)?.bytes);
  if (error) problems.push({ kind: 'manifest_invalid', path: MANIFEST, message: error });

  // Signature over the exact bytes of manifest.json.
  let signature: VerifyBundleResult['signature'] = 'missing';
  let fingerprint: string | null = null;
  const pem = files.get(PUBLIC_KEY)?.bytes;
  const key = pem ? parsePublicKey(pem) : null;
  if (key) fingerprint = fingerprintOf(key);
  const sig = files.get(SIGNATURE)?.bytes;
  const manifestBytes = files.get(MANIFEST)?.bytes;
  if (!sig) problems.push({ kind: 'signature_missing', path: SIGNATURE, message: 'manifest.sig is missing: the manifest is not signed.' });
  else if (!key) {
    signature = 'invalid';
    problems.push({ kind: 'signature_invalid', path: PUBLIC_KEY, message: 'public-key.pem is missing or is not an Ed25519 public key, so the signature cannot be checked.' });
  } else if (manifestBytes) {
    // manifest.sig holds the signature and one newline, exactly as written.
    const text = sig.toString('latin1');
    signature = text.endsWith('\n') && verifySignature(key, manifestBytes, text.slice(0, -1)) ? 'valid' : 'invalid';
    if (signature === 'invalid') problems.push({ kind: 'signature_invalid', path: MANIFEST, message: 'The signature does not match manifest.json: the manifest or its signature was changed.' });
  }
  if (manifest && fingerprint && manifest.signature?.fingerprint !== fingerprint) {
    problems.push({ kind: 'signature_invalid', path: PUBLIC_KEY, message: `public-key.pem (${fingerprint}) is not the key the manifest names (${manifest.signature?.fingerprint ?? 'none'}).` });
  }

  let checked = 0;
  if (manifest) {
    const listed = new Set<string>();
    for (const f of manifest.files) {
      listed.add(f.path);
      const found = files.get(f.path);
      if (!found) problems.push({ kind: 'missing', path: f.path, message: `${f.path} is missing.` });
      else if (found.sha256 !== f.sha256) problems.push({ kind: 'changed', path: f.path, message: `${f.path} was changed: its SHA-256 is ${found.sha256}, the manifest says ${f.sha256}.` });
      checked++;
    }
    for (const name of [...files.keys()].sort()) {
      if (name !== MANIFEST && name !== SIGNATURE && !listed.has(name)) problems.push({ kind: 'extra', path: name, message: `${name} is not part of the bundle (not in the manifest).` });
    }
  }
  const kind = manifest?.kind === 'registration' || manifest?.kind === 'complaint' ? manifest.kind : null;
  const signedByThisLibrary = fingerprint && libraryFingerprint ? fingerprint === libraryFingerprint : null;
  return {
    ...result(abs, container, manifest, signature, fingerprint, signedByThisLibrary, checked, problems),
    bundleKind: kind,
  };
}

function result(
  abs: string, container: 'folder' | 'zip', manifest: Manifest | null, signature: VerifyBundleResult['signature'],
  fingerprint: string | null, signedByThisLibrary: boolean | null, filesChecked: number, problems: VerifyIssue[],
): VerifyBundleResult {
  const kind: BundleKind | null = manifest?.kind ?? null;
  return {
    ok: problems.length === 0 && signature === 'valid',
    path: abs,
    container,
    bundleId: typeof manifest?.bundleId === 'string' ? manifest.bundleId : null,
    bundleKind: kind,
    generatedAt: typeof manifest?.generatedAt === 'string' ? manifest.generatedAt : null,
    signature,
    publicKeyFingerprint: fingerprint,
    signedByThisLibrary,
    filesChecked,
    problems,
  };
}

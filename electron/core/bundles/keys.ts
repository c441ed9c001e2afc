import crypto, { type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The library's bundle-signing key. The private half never leaves the library folder. */
export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicPem: string;
  fingerprint: string;
}

const KEY_FILE = path.join('keys', 'bundle-signing-ed25519.pem');

export function signingKeyExists(libraryDir: string): boolean {
  return fs.existsSync(path.join(libraryDir, KEY_FILE));
}

/** `sha256:` and the hex SHA-256 of the raw 32-byte Ed25519 public key. */
export function fingerprintOf(publicKey: KeyObject): string {
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  return `sha256:${crypto.createHash('sha256').update(raw).digest('hex')}`;
}

/**
 * Loads the key, creating it on first use. Creation is atomic (written under a temp name, then
 * hard-linked into place), so two processes starting at once end up with the same key.
 */
export function loadSigningKey(libraryDir: string): SigningKey {
  const file = path.join(libraryDir, KEY_FILE);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const { privateKey } = crypto.generateKeyPairSync('ed25519');
    const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(temp, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    try {
      fs.linkSync(temp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      fs.rmSync(temp, { force: true });
    }
  }
  const privateKey = crypto.createPrivateKey(fs.readFileSync(file));
  const publicKey = crypto.createPublicKey(privateKey);
  return { privateKey, publicKey, publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(), fingerprint: fingerprintOf(publicKey) };
}

export function sign(key: SigningKey, data: Uint8Array): string {
  return crypto.sign(null, data, key.privateKey).toString('base64');
}

/** Parses a PEM public key; null when it is not an Ed25519 key. */
export function parsePublicKey(pem: string | Buffer): KeyObject | null {
  try {
    const key = crypto.createPublicKey(pem);
    return key.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}

/**
 * Checks a base64 signature. The text must be the canonical encoding exactly: base64 decoders skip
 * stray characters and ignore padding bits, so a changed byte could otherwise go unnoticed.
 */
export function verifySignature(publicKey: KeyObject, data: Uint8Array, signatureB64: string): boolean {
  const sig = Buffer.from(signatureB64, 'base64');
  if (sig.length !== 64 || sig.toString('base64') !== signatureB64) return false;
  try {
    return crypto.verify(null, data, publicKey, sig);
  } catch {
    return false;
  }
}

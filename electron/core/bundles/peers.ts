import * as compliance from '../compliance/api.ts';
import type { CoreDeps } from '../deps.ts';

/**
 * The other features bundles rely on: registration checks (compliance), Find (similarity) and the
 * hidden watermark. Find and the hidden mark are optional: when one is not installed the bundle
 * says "not available" for its part instead of inventing a result.
 */
export interface ComplianceFile {
  path: string;
  verdict: 'pass' | 'warn' | 'fail';
  rules: unknown[];
  fixable: boolean;
  /** The fix would re-encode pixels (not lossless). */
  needsReencode?: boolean;
}
export interface CompliancePeer {
  checkFiles(deps: CoreDeps, paths: string[], profileId: string): Promise<{ files: ComplianceFile[] }>;
  fixFiles(deps: CoreDeps, paths: string[], profileId: string, outDir: string): Promise<unknown>;
}

export interface FindTransform {
  scale?: number | null;
  cropBox?: unknown;
  flip?: unknown;
  rotation?: number | null;
  colour?: unknown;
  overlay?: unknown;
}
export interface FindMatch {
  id: number;
  sha256: string;
  title: string;
  score: number;
  isMatch: boolean;
  transform?: FindTransform | null;
}
export interface SimilarityPeer {
  findByBytes(deps: CoreDeps, bytes: Uint8Array): Promise<{ matches: FindMatch[] }>;
}

export interface HiddenResult {
  found: boolean;
  ownerId?: unknown;
  imageId?: unknown;
  confidence?: number | null;
  [key: string]: unknown;
}
export interface HiddenPeer {
  detectHiddenInBytes(deps: CoreDeps, bytes: Uint8Array): Promise<HiddenResult>;
}

export interface Peers {
  compliance: CompliancePeer;
  similarity: SimilarityPeer | null;
  hidden: HiddenPeer | null;
}

async function load<T>(specifier: string, names: string[]): Promise<T | null> {
  try {
    const mod = (await import(specifier)) as Record<string, unknown>;
    return names.every((n) => typeof mod[n] === 'function') ? (mod as T) : null;
  } catch {
    return null;
  }
}

let cached: Promise<Peers> | null = null;

export function loadPeers(): Promise<Peers> {
  cached ??= (async () => ({
    compliance,
    similarity: await load<SimilarityPeer>('../similarity/api.ts', ['findByBytes']),
    hidden: await load<HiddenPeer>('../watermark/hidden/api.ts', ['detectHiddenInBytes']),
  }))();
  return cached;
}

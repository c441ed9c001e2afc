import type { FindMatch, HiddenDetectResult } from '../../contract/index.ts';
import * as compliance from '../compliance/api.ts';
import type { CoreDeps } from '../deps.ts';
import * as similarity from '../similarity/api.ts';
import * as hidden from '../watermark/hidden/api.ts';

/**
 * The other features bundles rely on, through their api.ts (static imports, so electron-vite
 * bundles them): registration checks (compliance), Find (similarity) and the hidden watermark.
 * `similarity` and `hidden` stay nullable so a test or a trimmed build can run without them; the
 * documents then say "not available" for that part instead of inventing a result.
 */
export type { FindMatch, HiddenDetectResult };
export type FindTransform = FindMatch['transform'];

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

export interface SimilarityPeer {
  findByBytes(deps: CoreDeps, bytes: Uint8Array): Promise<{ matches: FindMatch[] }>;
}

export interface HiddenPeer {
  detectHiddenInBytes(deps: CoreDeps, bytes: Uint8Array): Promise<HiddenDetectResult>;
}

export interface Peers {
  compliance: CompliancePeer;
  similarity: SimilarityPeer | null;
  hidden: HiddenPeer | null;
}

const peers: Peers = {
  compliance,
  similarity: { findByBytes: (deps, bytes) => similarity.findByBytes(deps, bytes) },
  hidden: { detectHiddenInBytes: (deps, bytes) => hidden.detectHiddenInBytes(deps, bytes) },
};

export function loadPeers(): Promise<Peers> {
  return Promise.resolve(peers);
}

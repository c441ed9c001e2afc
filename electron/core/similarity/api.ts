/**
 * What other features use of find (plain functions taking deps): which library original a
 * picture was copied from.
 */
import type { FindMatch, FindResult } from '../../contract/index.ts';
import type { CoreDeps } from '../deps.ts';
import { findService } from './service.ts';

/** Ranked library originals of a picture given as bytes (matches and near-misses, best first). */
export async function findByBytes(deps: CoreDeps, bytes: Uint8Array): Promise<{ matches: FindMatch[] }> {
  const result = await findService(deps).searchBytes(bytes, { limit: 10 });
  return { matches: result.matches };
}

/** The full search result (summary, threshold, hidden-mark reading) for a picture given as bytes. */
export async function searchBytes(deps: CoreDeps, bytes: Uint8Array, opts: { limit?: number; name?: string } = {}): Promise<FindResult> {
  return findService(deps).searchBytes(bytes, opts);
}

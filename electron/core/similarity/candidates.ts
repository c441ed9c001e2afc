/**
 * Which originals a search verifies, and how: the index options the service searches with, and
 * for each candidate the side of the query (plain or mirrored keypoints) its evidence points to.
 * Shared by the service and the benchmark, so the 100,000-picture timing measures the same work.
 */
import type { IndexHit } from './search-index.ts';
import type { Side } from './kernels.ts';

export const SEARCH_OPTIONS = { globalTop: 8, maxDistance: 100, localTop: 12, minVotes: 3, regionTop: 4, maxRegion: 20 } as const;

/**
 * Plain keypoints for a region-hash candidate or an unmirrored global-hash one, mirrored ones for
 * a mirrored global hash; keypoint votes ask for the side that got them, both when they are close.
 */
export function sideFor(hit: IndexHit): Side {
  let plain = false;
  let mirrored = false;
  if (hit.window >= 0 && hit.region <= SEARCH_OPTIONS.maxRegion) plain = true;
  if (hit.distance <= SEARCH_OPTIONS.maxDistance) {
    if (hit.variant >= 4) mirrored = true;
    else plain = true;
  }
  const enough = SEARCH_OPTIONS.minVotes;
  if (hit.plainVotes >= enough && hit.plainVotes >= 0.5 * hit.mirrorVotes) plain = true;
  if (hit.mirrorVotes >= enough && hit.mirrorVotes >= 0.5 * hit.plainVotes) mirrored = true;
  if (plain && mirrored) return 'both';
  if (mirrored) return 'mirrored';
  return plain ? 'plain' : 'both';
}

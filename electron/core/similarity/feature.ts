import type { HandlersFor } from '../../contract/index.ts';
import type { findMethods } from '../../contract/index.ts';
import type { Migration } from '../library/db.ts';
import type { CoreDeps } from '../deps.ts';
import { findService } from './service.ts';
import { readSuspect } from './decode.ts';
import { alignPair } from './changes.ts';
import { renderOverlayAndDifference, renderSideBySide } from './render.ts';

export const findMigrations: Migration[] = [
  {
    id: 'find-001-fingerprints',
    up: `CREATE TABLE find_fingerprints (
      image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
      version INTEGER NOT NULL,
      hash BLOB NOT NULL,
      data BLOB NOT NULL,
      computed_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX find_fingerprints_version ON find_fingerprints(version);`,
  },
];

export function findFeature(deps: CoreDeps): HandlersFor<typeof findMethods> {
  const service = findService(deps);
  // Newly imported originals are fingerprinted right after their import, in the background.
  deps.library.onImportFinished(() => service.fingerprintInBackground());
  return {
    'find.search': async (input, ctx) => service.search(input, ctx),
    'find.compare': async (input) => {
      const { bytes, name } = await readSuspect(input);
      deps.library.get(input.originalId);
      const { match, map, suspectSize } = await service.matchOne(input.originalId, bytes, name);
      const sideBySide = await renderSideBySide(deps, input.originalId, bytes, suspectSize, match);
      if (!match || !map || match.score < 1) return { match, sideBySide, overlay: null, difference: null };
      const pair = await alignPair(deps, input.originalId, bytes, map, { renders: true });
      const { overlay, difference } = await renderOverlayAndDifference(deps, pair);
      return { match, sideBySide, overlay, difference };
    },
    'find.duplicates': async (_input, ctx) => service.duplicates(ctx),
    'find.backfill': async ({ redo }, ctx) => service.backfill(redo, ctx),
    'find.status': async () => service.status(),
  };
}

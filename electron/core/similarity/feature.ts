import type { HandlersFor } from '../../contract/index.ts';
import type { findMethods } from '../../contract/index.ts';
import type { Migration } from '../library/db.ts';
import type { CoreDeps } from '../deps.ts';

// The find feature's schema changes and handlers; filled in by its issue.
export const findMigrations: Migration[] = [];

export function findFeature(_deps: CoreDeps): HandlersFor<typeof findMethods> {
  return {};
}

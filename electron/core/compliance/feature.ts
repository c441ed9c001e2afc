import type { HandlersFor } from '../../contract/index.ts';
import type { checkMethods } from '../../contract/index.ts';
import type { Migration } from '../library/db.ts';
import type { CoreDeps } from '../deps.ts';

// The check feature's schema changes and handlers; filled in by its issue.
export const checkMigrations: Migration[] = [];

export function checkFeature(_deps: CoreDeps): HandlersFor<typeof checkMethods> {
  return {};
}

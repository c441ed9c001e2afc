import type { HandlersFor } from '../../../contract/index.ts';
import type { hiddenMethods } from '../../../contract/index.ts';
import type { Migration } from '../../library/db.ts';
import type { CoreDeps } from '../../deps.ts';

// The hidden feature's schema changes and handlers; filled in by its issue.
export const hiddenMigrations: Migration[] = [];

export function hiddenFeature(_deps: CoreDeps): HandlersFor<typeof hiddenMethods> {
  return {};
}

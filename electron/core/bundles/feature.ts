import type { HandlersFor } from '../../contract/index.ts';
import type { bundlesMethods } from '../../contract/index.ts';
import type { Migration } from '../library/db.ts';
import type { CoreDeps } from '../deps.ts';

// The bundles feature's schema changes and handlers; filled in by its issue.
export const bundlesMigrations: Migration[] = [];

export function bundlesFeature(_deps: CoreDeps): HandlersFor<typeof bundlesMethods> {
  return {};
}

import type { HandlersFor } from '../../../contract/index.ts';
import type { watermarkMethods } from '../../../contract/index.ts';
import type { Migration } from '../../library/db.ts';
import type { CoreDeps } from '../../deps.ts';

// The watermark feature's schema changes and handlers; filled in by its issue.
export const watermarkMigrations: Migration[] = [];

export function watermarkFeature(_deps: CoreDeps): HandlersFor<typeof watermarkMethods> {
  return {};
}

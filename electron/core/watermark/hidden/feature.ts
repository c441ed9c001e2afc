import type { HandlersFor } from '../../../contract/index.ts';
import type { hiddenMethods } from '../../../contract/index.ts';
import type { Migration } from '../../library/db.ts';
import type { CoreDeps } from '../../deps.ts';
import { detectHiddenInBytes, detectHiddenInFile, embedHiddenFile, exportHiddenKey, hiddenKeyInfo, importHiddenKey } from './api.ts';
import { hiddenKeyMigrations } from './keys.ts';

export const hiddenMigrations: Migration[] = [...hiddenKeyMigrations];

export function hiddenFeature(deps: CoreDeps): HandlersFor<typeof hiddenMethods> {
  return {
    'hidden.key.info': async ({ create }) => hiddenKeyInfo(deps, create),
    'hidden.key.export': async (input) => exportHiddenKey(deps, { path: input.path, ownerId: input.ownerId }),
    'hidden.key.import': async (input) => importHiddenKey(deps, input),
    'hidden.embed': async (input) => embedHiddenFile(deps, input.input, input.output, { imageId: input.imageId, quality: input.quality }),
    'hidden.detect': async (input, ctx) => {
      if (input.path) return detectHiddenInFile(deps, input.path, { signal: ctx.signal });
      const bytes = Buffer.from(input.bytesBase64!, 'base64');
      return detectHiddenInBytes(deps, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { signal: ctx.signal });
    },
  };
}

import pkg from '../../../package.json' with { type: 'json' };
import type { HandlersFor, libraryMethods } from '../../contract/index.ts';
import type { CoreDeps } from '../deps.ts';

export function libraryFeature({ library }: CoreDeps): HandlersFor<typeof libraryMethods> {
  return {
    'library.info': async () => ({ root: library.root, imageCount: library.images.count(), eventCount: library.events.count(), version: pkg.version }),
    'library.import': (input, ctx) => library.import(input.paths, input.recursive, ctx),
    'library.list': async (input) => library.list(input),
    'library.get': async ({ id }) => library.get(id),
    'library.update': async ({ id, ...patch }) => library.update(id, patch),
    'library.verify': (_input, ctx) => library.verify(ctx),
    'library.originalPath': async ({ id }) => ({ path: library.originalPath(id) }),
  };
}

import type { CoreDeps } from '../../deps.ts';
import type { HiddenEmbed } from './pipeline.ts';

/** The hidden mark applied to upright, resized pixels (the hidden feature's embedder). */
export function hiddenEmbedder(deps: CoreDeps): HiddenEmbed {
  return async (raw, imageId) => {
    // Loaded on first use: the hidden feature is developed alongside and may not be built yet.
    const modulePath = '../hidden/api.ts';
    const api = (await import(modulePath)) as { embedHiddenInRaw: (deps: CoreDeps, raw: Parameters<HiddenEmbed>[0], imageId: number) => ReturnType<HiddenEmbed> };
    return api.embedHiddenInRaw(deps, raw, imageId);
  };
}

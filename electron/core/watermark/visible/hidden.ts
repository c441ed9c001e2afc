import type { CoreDeps } from '../../deps.ts';
import type { HiddenEmbed } from './pipeline.ts';

type HiddenApi = { embedHiddenInRaw: (deps: CoreDeps, raw: Parameters<HiddenEmbed>[0], imageId: number) => ReturnType<HiddenEmbed> };

/** The hidden mark applied to upright, resized pixels (the hidden feature's embedder). */
export function hiddenEmbedder(deps: CoreDeps): HiddenEmbed {
  return async (raw, imageId) => {
    // The hidden feature is written alongside this one; until its api.ts lands, it is looked up at run time.
    const specifier = ['..', 'hidden', 'api.ts'].join('/');
    let api: HiddenApi;
    try {
      api = (await import(/* @vite-ignore */ new URL(specifier, import.meta.url).href)) as HiddenApi;
    } catch {
      throw new Error('The hidden mark is not available in this build.');
    }
    return api.embedHiddenInRaw(deps, raw, imageId);
  };
}

import type { CoreDeps } from '../../deps.ts';
import { embedHiddenInRaw } from '../hidden/api.ts';
import type { HiddenEmbed } from './pipeline.ts';

/** The hidden mark applied to upright, resized pixels (the hidden feature's embedder). */
export function hiddenEmbedder(deps: CoreDeps): HiddenEmbed {
  return (raw, imageId) => embedHiddenInRaw(deps, raw, imageId);
}

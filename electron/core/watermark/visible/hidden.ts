import type { CoreDeps } from '../../deps.ts';
import { embedHiddenInRaw } from '../hidden/api.ts';
import type { HiddenEmbed } from './pipeline.ts';

/** The hidden mark applied to an export's upright, resized frame, in place where the frame is shared memory. */
export function hiddenEmbedder(deps: CoreDeps): HiddenEmbed {
  return (raw, imageId) => embedHiddenInRaw(deps, raw, imageId, { inPlace: true });
}

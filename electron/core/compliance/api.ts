import type { CallContext, CheckReport, FixReport } from '../../contract/index.ts';
import type { CoreDeps } from '../deps.ts';
import { checkTargets, resolveTargets } from './checker.ts';
import { fixTargets } from './fix.ts';
import { ProfileStore } from './profiles.ts';

const quiet = (): CallContext => ({ signal: new AbortController().signal, progress: () => {} });

/**
 * Checks files (folders are walked) against a profile: per file, per rule pass / warn / fail with
 * plain reasons. Reads headers only, unless `integrity` asks for a full decode.
 */
export async function checkFiles(deps: CoreDeps, paths: string[], profileId: string, opts: { integrity?: boolean } = {}, ctx: CallContext = quiet()): Promise<CheckReport> {
  const profile = new ProfileStore(deps.db, deps.config.resourcesDir).get(profileId);
  const targets = await resolveTargets(deps, paths, [], true);
  return checkTargets(deps, targets, profile, opts.integrity ?? false, ctx);
}

/**
 * Fixes what the profile finds into new files in `outDir` (never over an existing file): density
 * losslessly, a wrong extension, format conversion; shrinking to a size cap only with `allowReencode`.
 */
export async function fixFiles(deps: CoreDeps, paths: string[], profileId: string, outDir: string, opts: { allowReencode?: boolean } = {}, ctx: CallContext = quiet()): Promise<FixReport> {
  const profile = new ProfileStore(deps.db, deps.config.resourcesDir).get(profileId);
  const targets = await resolveTargets(deps, paths, [], true);
  return fixTargets(deps, targets, profile, { target: 'folder', outDir, allowReencode: opts.allowReencode ?? false, dryRun: false }, ctx);
}

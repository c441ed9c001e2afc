import path from 'node:path';
import type { HandlersFor } from '../../contract/index.ts';
import type { checkMethods } from '../../contract/index.ts';
import type { Migration } from '../library/db.ts';
import type { CoreDeps } from '../deps.ts';
import { checkTargets, resolveTargets } from './checker.ts';
import { fixTargets } from './fix.ts';
import { profileMigrations, ProfileStore } from './profiles.ts';
import { exportReport } from './report.ts';

export const checkMigrations: Migration[] = [...profileMigrations];

export function checkFeature(deps: CoreDeps): HandlersFor<typeof checkMethods> {
  const profiles = new ProfileStore(deps.db, deps.config.resourcesDir);
  return {
    'check.profiles': async () => ({ profiles: profiles.list() }),
    'check.saveProfile': async ({ profile }) => profiles.save(profile),
    'check.deleteProfile': async ({ id }) => ({ deleted: profiles.delete(id) }),
    'check.run': async (input, ctx) => {
      const profile = profiles.get(input.profileId);
      const targets = await resolveTargets(deps, input.paths, input.imageIds, input.recursive);
      const report = await checkTargets(deps, targets, profile, input.integrity, ctx);
      for (const f of report.files) {
        if (f.imageId === undefined || !f.rules.length || f.path.startsWith('#')) continue;
        deps.library.record(f.imageId, 'checked', {
          profile: profile.id, profileVersion: profile.version, verdict: f.verdict,
          failed: f.rules.filter((r) => r.status === 'fail').map((r) => r.id), warned: f.rules.filter((r) => r.status === 'warn').map((r) => r.id),
        });
      }
      return report;
    },
    'check.fix': async (input, ctx) => {
      const profile = profiles.get(input.profileId);
      const targets = await resolveTargets(deps, input.paths, input.imageIds, input.recursive);
      return fixTargets(deps, targets, profile, { target: input.target, outDir: input.outDir ? path.resolve(input.outDir) : null, allowReencode: input.allowReencode, dryRun: input.dryRun }, ctx);
    },
    'check.exportReport': async ({ report, format, path: target }) => exportReport(report, format, target, path.join(deps.config.libraryDir, 'reports')),
  };
}

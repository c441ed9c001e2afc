import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { ProofmarkError, type HandlersFor } from '../../contract/index.ts';
import type { bundlesMethods } from '../../contract/index.ts';
import type { CoreDeps } from '../deps.ts';
import type { BundleEnv } from './common.ts';
import { addEvidence, buildComplaint, prefillComplaint, previewComplaint, validateComplaint } from './complaint.ts';
import { loadSigningKey, signingKeyExists, type SigningKey } from './keys.ts';
import { PeopleService } from './people.ts';
import { renderPreview } from './preview.ts';
import { buildRegistration, prefillRegistration, previewRegistration, validateRegistration } from './registration.ts';
import { BundleRepository } from './repository.ts';
import { verifyBundle } from './verify.ts';

export { bundlesMigrations } from './repository.ts';

/** Registration (CPCC) and complaint bundles: people, documents, signed manifests, verification. */
export function bundlesFeature(deps: CoreDeps): HandlersFor<typeof bundlesMethods> {
  let key: SigningKey | null = null;
  const env: BundleEnv = {
    deps,
    people: new PeopleService(deps.db, deps.config.libraryDir),
    repo: new BundleRepository(deps.db),
    key: () => (key ??= loadSigningKey(deps.config.libraryDir)),
  };
  /** The library's key fingerprint, without creating a key just to compare. */
  const libraryFingerprint = () => (key || signingKeyExists(deps.config.libraryDir) ? env.key().fingerprint : null);

  return {
    'bundles.people.list': async ({ role }) => ({ people: env.people.list(role) }),
    'bundles.people.save': async (input) => env.people.save(input),
    'bundles.people.delete': async ({ id }) => ({ deleted: await env.people.delete(id) }),

    'bundles.registration.prefill': async ({ imageIds }) => prefillRegistration(env, imageIds),
    'bundles.registration.validate': async ({ spec }) => validateRegistration(env, spec),
    'bundles.registration.build': async ({ spec, outDir, fixSamples }, ctx) => buildRegistration(env, spec, outDir, fixSamples, ctx),

    'bundles.complaint.addEvidence': async ({ paths }) => addEvidence(env, paths),
    'bundles.complaint.prefill': async ({ originalId, suspectPaths }) => prefillComplaint(env, originalId, suspectPaths),
    'bundles.complaint.validate': async ({ spec }) => validateComplaint(env, spec),
    'bundles.complaint.build': async ({ spec, outDir }, ctx) => buildComplaint(env, spec, outDir, ctx),

    'bundles.preview': async (input, ctx) => {
      const docs = input.kind === 'registration' ? await previewRegistration(env, input.spec) : await previewComplaint(env, input.spec, ctx);
      return renderPreview(deps, docs);
    },

    'bundles.list': async ({ kind }) => ({
      bundles: env.repo.list(kind).map(({ meta: _meta, ...b }) => {
        const folderExists = fs.existsSync(b.folder);
        const zipExists = fs.existsSync(b.zip);
        return { ...b, folderExists, zipExists, status: folderExists || zipExists ? b.status : 'missing' };
      }),
    }),

    'bundles.verify': async ({ path: target }, ctx) => {
      const abs = path.resolve(target);
      if (!fs.existsSync(abs) && !isBrokenLink(abs)) throw new ProofmarkError('not_found', `${abs} does not exist; give a bundle folder or its ZIP.`);
      ctx.progress({ done: 0, total: 1, phase: 'verifying', current: abs });
      const result = await verifyBundle(abs, libraryFingerprint(), ctx.signal);
      env.repo.setStatus(abs, result.ok ? 'intact' : 'changed', new Date().toISOString());
      ctx.progress({ done: 1, total: 1, phase: 'verifying' });
      return result;
    },

    'bundles.exportPublicKey': async ({ outFile }) => {
      const k = env.key();
      let written: string | null = null;
      if (outFile) {
        written = path.resolve(outFile);
        try {
          await fsp.writeFile(written, k.publicPem, { flag: 'wx' });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new ProofmarkError('conflict', `${written} already exists; choose another file name.`);
          throw new ProofmarkError('io_error', `Cannot write ${written}: ${(err as Error).message}`);
        }
      }
      return { algorithm: 'Ed25519', fingerprint: k.fingerprint, pem: k.publicPem, path: written };
    },
  };
}

function isBrokenLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

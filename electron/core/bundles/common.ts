import crypto from 'node:crypto';
import type { BundleKind, BuildResult } from '../../contract/index.ts';
import pkg from '../../../package.json' with { type: 'json' };
import type { CoreDeps } from '../deps.ts';
import type { SigningKey } from './keys.ts';
import { listFiles, sealFolder, type ManifestImage } from './manifest.ts';
import { claimOutput, type OutputTarget } from './output.ts';
import type { PeopleService } from './people.ts';
import { renderPdf, type DocumentModel } from './pdf/layout.ts';
import type { BundleRepository } from './repository.ts';
import { writeSignedZip } from './zip.ts';

/** What the bundle builders share: the core's deps and the feature's own services. */
export interface BundleEnv {
  deps: CoreDeps;
  people: PeopleService;
  repo: BundleRepository;
  key: () => SigningKey;
}

export interface PlannedDoc {
  file: string;
  title: string;
  model: DocumentModel;
  role: string;
}
export interface RenderedDoc extends PlannedDoc {
  pdf: Buffer;
}

/** e.g. PMR-20260302-7F3A9C (registration) or PMC-… (complaint). */
export function newBundleId(kind: BundleKind, now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  return `${kind === 'registration' ? 'PMR' : 'PMC'}-${day}-${crypto.randomBytes(3).toString('hex').toUpperCase()}`;
}

/** "01-application-form" → "01-application-form.pdf" (Chinese) or "01-application-form-en.pdf". */
export function bundleFileName(base: string, lang: 'zh' | 'en'): string {
  return lang === 'zh' ? `${base}.pdf` : `${base}-en.pdf`;
}

export async function renderAll(env: BundleEnv, docs: PlannedDoc[], bundleId: string, generatedAt: string): Promise<RenderedDoc[]> {
  const out: RenderedDoc[] = [];
  for (const d of docs) out.push({ ...d, pdf: await renderPdf(d.model, { bundleId, generatedAt, resourcesDir: env.deps.config.resourcesDir }) });
  return out;
}

export interface BundleBuild {
  target: OutputTarget;
}

export async function startBundle(_env: BundleEnv, outDir: string): Promise<BundleBuild> {
  return { target: await claimOutput(outDir) };
}

export interface FinishMeta {
  bundleId: string;
  kind: BundleKind;
  title: string;
  generatedAt: string;
  roles: Map<string, string>;
  images: ManifestImage[];
  meta: Record<string, unknown>;
  /** Extra data for the provenance event of each included image (no personal data). */
  event: (imageId: number) => Record<string, unknown>;
}

/**
 * Seals the staged folder (public key, manifest, signature), writes the signed ZIP, moves both into
 * place, records the bundle and a `bundled` provenance event on every image it includes.
 */
export async function finishBundle(env: BundleEnv, build: BundleBuild, m: FinishMeta, signal: AbortSignal): Promise<Omit<BuildResult, 'fixedSamples' | 'warnings'>> {
  const key = env.key();
  const { manifest, manifestSha256 } = await sealFolder(build.target.staging, {
    bundleId: m.bundleId, kind: m.kind, title: m.title, generatedAt: m.generatedAt, generator: `ProofMark ${pkg.version}`, images: m.images,
  }, m.roles, key);
  if (signal.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
  await writeSignedZip(build.target.staging, await listFiles(build.target.staging), build.target.stagingZip, key, new Date(m.generatedAt));
  if (signal.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
  await build.target.commit();
  const imageIds = [...new Set(m.images.map((i) => i.id))];
  env.repo.insert({ id: m.bundleId, kind: m.kind, title: m.title, createdAt: m.generatedAt, folder: build.target.folder, zip: build.target.zip, manifestSha256, imageIds, meta: m.meta });
  for (const id of imageIds) {
    env.deps.library.record(id, 'bundled', { bundleId: m.bundleId, kind: m.kind, manifestSha256, ...m.event(id) });
  }
  return {
    bundleId: m.bundleId, kind: m.kind, folder: build.target.folder, zip: build.target.zip,
    files: manifest.files, manifestSha256, publicKeyFingerprint: key.fingerprint,
  };
}

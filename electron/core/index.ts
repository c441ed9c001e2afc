import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Handlers } from '../contract/index.ts';
import { defaultResourcesDir, resolveLibraryDir } from './config.ts';
import type { CoreConfig, CoreDeps } from './deps.ts';
import { migrate, openDatabase, type Migration } from './library/db.ts';
import { libraryMigrations } from './library/migrations.ts';
import { LibraryService } from './library/service.ts';
import { libraryFeature } from './library/feature.ts';
import { PixelPool } from './jobs/pool.ts';
import { BackgroundWork } from './jobs/background.ts';
import { MediaRegistry } from './media.ts';
import { DEFAULT_PIXEL_LIMIT } from './imaging/probe.ts';
import { checkFeature, checkMigrations } from './compliance/feature.ts';
import { watermarkFeature, watermarkMigrations } from './watermark/visible/feature.ts';
import { hiddenFeature, hiddenMigrations } from './watermark/hidden/feature.ts';
import { findFeature, findMigrations } from './similarity/feature.ts';
import { bundlesFeature, bundlesMigrations } from './bundles/feature.ts';

export type { CoreConfig, CoreDeps } from './deps.ts';

/** Every schema change, in the order they are applied. */
export const allMigrations: readonly Migration[] = [
  ...libraryMigrations,
  ...checkMigrations,
  ...watermarkMigrations,
  ...hiddenMigrations,
  ...findMigrations,
  ...bundlesMigrations,
];

export interface Core {
  handlers: Handlers;
  deps: CoreDeps;
  /** For long-lived front ends (the app, the bridge): finish in the background what earlier runs left undone. */
  resumeBackgroundWork(): void;
  close(): Promise<void>;
}

/** The composition root: builds the whole core for one library. */
export async function createCore(partial: Partial<CoreConfig> = {}): Promise<Core> {
  const config: CoreConfig = {
    libraryDir: resolveLibraryDir(partial.libraryDir),
    resourcesDir: partial.resourcesDir ?? defaultResourcesDir(),
    workerScript: partial.workerScript ?? new URL('./jobs/worker.ts', import.meta.url),
    pixelLimit: partial.pixelLimit ?? DEFAULT_PIXEL_LIMIT,
    concurrency: partial.concurrency ?? Math.max(2, Math.min(4, os.availableParallelism())),
    tempDir: partial.tempDir ?? path.join(os.tmpdir(), `proofmark-${process.pid}`),
  };
  fs.mkdirSync(config.libraryDir, { recursive: true });
  const db = openDatabase(path.join(config.libraryDir, 'library.sqlite'));
  try {
    migrate(db, allMigrations);
  } catch (err) {
    db.close();
    throw err;
  }
  const library = new LibraryService({ db, root: config.libraryDir, pixelLimit: config.pixelLimit, concurrency: config.concurrency });
  await library.open();
  const pool = new PixelPool(config.workerScript);
  const background = new BackgroundWork();
  const deps: CoreDeps = { config, db, library, pool, media: new MediaRegistry(library), background };

  const handlers: Handlers = {
    ...libraryFeature(deps),
    ...checkFeature(deps),
    ...watermarkFeature(deps),
    ...hiddenFeature(deps),
    ...findFeature(deps),
    ...bundlesFeature(deps),
  };

  return {
    handlers,
    deps,
    resumeBackgroundWork: () => library.resumeFollowUps(),
    async close() {
      await background.close();
      await pool.close();
      db.close();
      fs.rmSync(config.tempDir, { recursive: true, force: true });
    },
  };
}

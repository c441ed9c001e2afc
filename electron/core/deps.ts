import type { Db } from './library/db.ts';
import type { LibraryService } from './library/service.ts';
import type { PixelPool } from './jobs/pool.ts';
import type { MediaRegistry } from './media.ts';
import type { BackgroundWork } from './jobs/background.ts';

export interface CoreConfig {
  /** Library folder: SQLite database, originals, thumbnails. */
  libraryDir: string;
  /** Bundled resources: fonts, rule profiles, templates. */
  resourcesDir: string;
  /** Worker script for the pixel pool: .ts source under Node, bundled .js under Electron. */
  workerScript: string | URL;
  /** Largest image (in pixels) decoded; larger ones are refused from their header. */
  pixelLimit: number;
  /** Files processed at once in batch jobs. */
  concurrency: number;
  /** Folder for short-lived files (previews); created on demand. */
  tempDir: string;
}

/** What every feature gets from the composition root: plain constructor arguments, no container. */
export interface CoreDeps {
  config: CoreConfig;
  db: Db;
  library: LibraryService;
  pool: PixelPool;
  media: MediaRegistry;
  background: BackgroundWork;
}

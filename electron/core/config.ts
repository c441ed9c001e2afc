import os from 'node:os';
import path from 'node:path';

/**
 * The OS app-data folder, matching Electron's `app.getPath('userData')` for an app named
 * ProofMark, so the CLI and the desktop app find the same library.
 */
export function appDataDir(platform = process.platform, env = process.env): string {
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'ProofMark');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'ProofMark');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'ProofMark');
}

/** `--library DIR`, else `PROOFMARK_LIBRARY`, else `<app data>/library`. */
export function resolveLibraryDir(explicit?: string, env = process.env): string {
  if (explicit) return path.resolve(explicit);
  if (env.PROOFMARK_LIBRARY) return path.resolve(env.PROOFMARK_LIBRARY);
  return path.join(appDataDir(process.platform, env), 'library');
}

/** The repository's resources folder (fonts, profiles, templates) when running from source. */
export function defaultResourcesDir(): string {
  return path.resolve(import.meta.dirname, '..', '..', 'resources');
}

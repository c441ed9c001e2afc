import os from 'node:os';
import path from 'node:path';
import { createCore } from '../core/index.ts';
import { startBridge } from './server.ts';

/**
 * `node electron/bridge/main.ts [--library DIR] [--port N]`: serves the built renderer
 * (out/renderer) on 127.0.0.1 wired to a real core, and prints the URL to open.
 */
const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const core = await createCore(flag('--library') ? { libraryDir: flag('--library') } : {});
core.resumeBackgroundWork();
const bridge = await startBridge({
  core,
  rendererDir: path.resolve(import.meta.dirname, '..', '..', 'out', 'renderer'),
  port: flag('--port') ? Number(flag('--port')) : 0,
  uploadDir: path.join(os.tmpdir(), `proofmark-bridge-uploads-${process.pid}`),
});
console.log(`ProofMark bridge on ${bridge.url}\nOpen ${bridge.appUrl}`);
const stop = async () => {
  await bridge.close();
  await core.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

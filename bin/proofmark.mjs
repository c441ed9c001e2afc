#!/usr/bin/env node
// The proofmark command. The core needs Node >= 22.12 (better-sqlite3 13, TypeScript type
// stripping); on an older system Node, re-run under the Node 22 that npm installed with the app.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  let node;
  try {
    node = createRequire(import.meta.url).resolve('node/bin/node');
  } catch {
    console.error(`proofmark needs Node.js 22.18 or newer (this is ${process.version}); run "npm install" in the ProofMark folder first.`);
    process.exit(2);
  }
  const r = spawnSync(node, [new URL('./proofmark.mjs', import.meta.url).pathname, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? (r.signal ? 128 : 1));
}
await import('../electron/cli/main.ts');

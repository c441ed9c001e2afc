// Scans the Electron code with Electronegativity (offline) and fails on any scan error or any
// high or critical finding. Everything it reports is printed, so manual-review items stay visible.
import { createRequire } from 'node:module';
import path from 'node:path';
import pkg from '../package.json' with { type: 'json' };

interface Finding {
  id: string;
  file: string;
  location?: { line?: number };
  severity?: { name?: string };
  confidence?: { name?: string };
  manualReview?: boolean;
  description?: string;
}

const run = createRequire(import.meta.url)('@doyensec/electronegativity') as (options: object) => Promise<{ errors: unknown[]; issues: Finding[]; atomicChecks: number; globalChecks: number }>;
const electronVersion = pkg.devDependencies.electron.replace(/^[^\d]*/, '');
const target = path.resolve(import.meta.dirname, '..', 'electron');

const result = await run({ input: target, customScan: [], excludeFromScan: [], isRelative: true, electronVersionOverride: electronVersion });
const blocking = result.issues.filter((i) => ['HIGH', 'CRITICAL'].includes(i.severity?.name ?? ''));
for (const i of result.issues) {
  console.log(`${(i.severity?.name ?? '?').padEnd(9)} ${(i.confidence?.name ?? '').padEnd(10)} ${i.id.padEnd(28)} ${i.file}:${i.location?.line ?? '?'}${i.manualReview ? '  (manual review)' : ''}`);
}
console.log(`Electronegativity: ${result.atomicChecks + result.globalChecks} checks, ${result.issues.length} findings, ${blocking.length} high or critical, ${result.errors.length} scan errors.`);
if (blocking.length > 0 || result.errors.length > 0) process.exit(1);

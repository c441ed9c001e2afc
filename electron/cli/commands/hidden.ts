import fs from 'node:fs';
import type { Command } from 'commander';
import type { HiddenDetectResult } from '../../contract/index.ts';
import { CliExit, EXIT_NEGATIVE, EXIT_USAGE, globalOptions, invoke, printJson, requireFile, withCore } from '../runtime.ts';

function wholeNumber(text: string, what: string, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(n) || n < 0 || n > max) throw new CliExit(EXIT_USAGE, `"${text}" is not a valid ${what} (a whole number from 0 to ${max}).`);
  return n;
}

function printDetect(file: string, r: HiddenDetectResult): void {
  if (r.found) {
    const title = r.title ? ` — "${r.title}"` : r.inLibrary ? '' : r.ownKey && r.imageId ? ' (not in this library)' : '';
    const who = r.ownKey ? `owner ${r.ownerId} (this library)` : `owner ${r.ownerId} (${r.keyLabel ?? 'imported key'})`;
    console.log(`FOUND  ${file}: hidden mark of ${who}, image #${r.imageId}${title}`);
    console.log(`       confidence ${(r.confidence * 100).toFixed(4)}% (false match ${r.falseMatchOdds}); copy ${r.orientation}; pilot score ${r.pilotZ}`);
  } else {
    const why = r.signal === 'faint' ? 'a faint mark-like pattern, but no payload could be read' : 'no hidden mark from any of this library\'s keys';
    console.log(`none   ${file}: ${why} (${r.keysTried} key${r.keysTried === 1 ? '' : 's'} tried; pilot score ${r.pilotZ})`);
  }
  for (const w of r.warnings) console.log(`       ! ${w.text}`);
}

export function registerHiddenCommands(program: Command): void {
  const hidden = program.command('hidden').description('invisible watermark: owner id + image id that survive re-compression, resizing, cropping, flips and quarter turns');

  hidden
    .command('embed')
    .description('write a copy of an image with the hidden mark of this library (exit 0 written, 1 failed, 2 usage)')
    .argument('<in>', 'image file to mark')
    .argument('<out>', 'output file (.jpg, .png, .webp, .tif); never overwritten')
    .option('--image-id <n>', 'image id to carry (default: the id of the same image in the library, else 0)')
    .option('--quality <q>', 'JPEG/WebP quality 50-100', '92')
    .action(async (input: string, output: string, o: { imageId?: string; quality: string }, cmd: Command) => {
      const opts = globalOptions(cmd);
      requireFile(input);
      if (fs.existsSync(output)) throw new CliExit(EXIT_USAGE, `${output} already exists; choose another output name.`);
      const imageId = o.imageId === undefined ? undefined : wholeNumber(o.imageId, 'image id', 0xffffffff);
      const quality = wholeNumber(o.quality, 'quality', 100);
      const r = await withCore(opts, (core) => invoke(core, 'hidden.embed', { input, output, ...(imageId === undefined ? {} : { imageId }), quality }, opts));
      if (opts.json) printJson(r);
      else {
        console.log(`marked ${r.path}  ${r.width}x${r.height}  owner ${r.ownerId}, image #${r.imageId}  PSNR ${r.psnr} dB`);
        for (const w of r.warnings) console.log(`  ! ${w.text}`);
      }
    });

  hidden
    .command('detect')
    .description('look for the hidden mark in a suspect image alone (exit 0 found, 1 not found, 2 usage)')
    .argument('<file>', 'suspect image')
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const opts = globalOptions(cmd);
      requireFile(file);
      const r = await withCore(opts, (core) => invoke(core, 'hidden.detect', { path: file }, opts));
      if (opts.json) printJson(r);
      else printDetect(file, r);
      if (!r.found) throw new CliExit(EXIT_NEGATIVE);
    });

  const key = hidden.command('key').description('the owner key of the hidden mark: show, back up, restore');
  key
    .command('info')
    .description("show this library's owner id and key fingerprints (never the secret)")
    .option('--create', 'make the own key now if there is none')
    .action(async (o: { create?: boolean }, cmd: Command) => {
      const opts = globalOptions(cmd);
      const r = await withCore(opts, (core) => invoke(core, 'hidden.key.info', { create: Boolean(o.create) }, opts));
      if (opts.json) return printJson(r);
      if (!r.own) console.log('No own key yet (it is made on the first embed, or with "proofmark hidden key info --create").');
      for (const k of r.keys) console.log(`${k.own ? 'own     ' : 'detect  '}owner ${k.ownerId}  fingerprint ${k.fingerprint}  ${k.label} (${k.source} ${k.createdAt.slice(0, 10)})`);
    });
  key
    .command('export')
    .description('write a key backup file (keep it private: whoever holds it can mark images in your name)')
    .argument('<file>', 'backup file to create (never overwritten)')
    .option('--owner-id <n>', 'export this stored key instead of the own key')
    .action(async (file: string, o: { ownerId?: string }, cmd: Command) => {
      const opts = globalOptions(cmd);
      if (fs.existsSync(file)) throw new CliExit(EXIT_USAGE, `${file} already exists; choose another file name.`);
      const ownerId = o.ownerId === undefined ? undefined : wholeNumber(o.ownerId, 'owner id', 0xffffffff);
      const r = await withCore(opts, (core) => invoke(core, 'hidden.key.export', { path: file, ...(ownerId === undefined ? {} : { ownerId }) }, opts));
      if (opts.json) printJson({ ownerId: r.ownerId, path: r.path });
      else console.log(`exported the key of owner ${r.ownerId} to ${r.path}`);
    });
  key
    .command('import')
    .description('import a key backup (used for detection; for embedding too with --use-for-embedding or when this library has no key)')
    .argument('<file>', 'key backup file')
    .option('--use-for-embedding', 'make it the key new marks are made with (restoring a backup)')
    .option('--label <text>', 'a name for the key, e.g. the shop it belongs to')
    .action(async (file: string, o: { useForEmbedding?: boolean; label?: string }, cmd: Command) => {
      const opts = globalOptions(cmd);
      requireFile(file);
      const r = await withCore(opts, (core) => invoke(core, 'hidden.key.import', { path: file, useForEmbedding: Boolean(o.useForEmbedding), ...(o.label ? { label: o.label } : {}) }, opts));
      if (opts.json) printJson(r);
      else console.log(`${r.added ? 'imported' : 'already had'} the key of owner ${r.ownerId} (fingerprint ${r.fingerprint})${r.own ? '; new marks use it' : '; used for detection'}`);
    });
}

import { InvalidArgumentError, type Command } from 'commander';
import { anchors, exportFormats, exportPlatforms, type ExportResult, type Input, type WatermarkDesignInput } from '../../contract/index.ts';
import { CliExit, EXIT_NEGATIVE, EXIT_USAGE, globalOptions, invoke, printJson, withCore } from '../runtime.ts';

interface WatermarkOptions {
  out: string;
  preset?: string;
  text?: string;
  logo?: string;
  position?: string;
  tile?: boolean;
  angle?: number;
  spacing?: number;
  opacity?: number;
  size?: number;
  margin?: number;
  colour?: string;
  outline?: boolean;
  /** false with --no-shadow */
  shadow: boolean;
  /** false with --no-mark */
  mark: boolean;
  format?: string;
  quality?: number;
  maxSize?: number;
  fit?: string;
  dpi?: number;
  hidden?: boolean;
  platform?: string;
  name?: string;
  flat?: boolean;
  recursive: boolean;
  ids?: number[];
  metadata?: string;
  keepIcc?: boolean;
  owner?: string;
  creator?: string;
  copyright?: string;
  webStatement?: string;
  usageTerms?: string;
}

function number(what: string, min: number, max: number, integer = false) {
  return (text: string): number => {
    const v = Number(text);
    if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      throw new InvalidArgumentError(`${what} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}.`);
    }
    return v;
  };
}

function oneOf(what: string, values: readonly string[]) {
  return (text: string): string => {
    if (!values.includes(text)) throw new InvalidArgumentError(`${what} must be one of ${values.join(', ')}.`);
    return text;
  };
}

function ids(text: string): number[] {
  const list = text.split(',').map((t) => t.trim()).filter(Boolean).map(Number);
  if (!list.length || list.some((n) => !Number.isInteger(n) || n <= 0)) throw new InvalidArgumentError('--ids takes image ids like 3,7,12.');
  return list;
}

/** The design given by flags (text, logo, layout); null when none was given. */
function designFromFlags(o: WatermarkOptions): WatermarkDesignInput | null {
  if (!o.text && !o.logo) return null;
  return {
    text: o.text ? { content: o.text.replace(/\\n/g, '\n'), ...(o.colour ? { colour: o.colour } : {}) } : null,
    logo: o.logo ? { ref: o.logo } : null,
    ...(o.opacity !== undefined ? { opacity: o.opacity } : {}),
    ...(o.size !== undefined ? { size: o.size } : {}),
    outline: o.outline ? { colour: '#000000', width: 5 } : null,
    shadow: o.shadow === false ? null : { colour: '#000000', opacity: 0.55, blur: 4, offset: 3 },
    layout: o.tile
      ? { mode: 'tile', ...(o.angle !== undefined ? { angle: o.angle } : {}), ...(o.spacing !== undefined ? { spacing: o.spacing } : {}), stagger: true }
      : { mode: 'single', anchor: (o.position ?? 'bottom-right') as (typeof anchors)[number], ...(o.margin !== undefined ? { margin: o.margin } : {}) },
  };
}

function resize(o: WatermarkOptions): Input<'watermark.export'>['resize'] {
  if (o.fit) {
    const m = /^(\d+)x(\d+)$/.exec(o.fit);
    if (!m) throw new CliExit(EXIT_USAGE, '--fit takes a box like 2000x2000.');
    return { mode: 'fit', width: Number(m[1]), height: Number(m[2]) };
  }
  return o.maxSize ? { mode: 'long-edge', size: o.maxSize } : { mode: 'none' };
}

function report(result: ExportResult): void {
  for (const f of result.exported) {
    console.log(`wrote   ${f.output}  ${f.width}x${f.height}${f.visibleMark ? '' : '  (no visible mark)'}${f.hiddenMark ? '  (hidden mark)' : ''}`);
    for (const w of f.warnings) console.log(`        note: ${w.text}`);
  }
  for (const e of result.failed) console.log(`error   ${e.source}: ${e.error}`);
  for (const n of result.notes) console.log(`note    ${n}`);
  const rate = result.seconds > 0 ? ` in ${result.seconds.toFixed(1)} s (${(result.exported.length / result.seconds).toFixed(1)} images/s)` : '';
  console.log(`${result.exported.length} exported, ${result.failed.length} failed${result.cancelled ? ', cancelled' : ''}${rate} → ${result.outDir}`);
}

export function registerWatermarkCommands(program: Command): void {
  program
    .command('watermark')
    .description('export photos (files, folders or library images) with a visible and/or hidden watermark')
    .argument('[paths...]', 'image files or folders (folders keep their sub-folders under --out)')
    .requiredOption('--out <dir>', 'output folder (sources are never overwritten)')
    .option('--preset <name>', 'a saved design (see watermark-presets list)')
    .option('--text <text>', 'mark text; tokens {filename} {title} {date} {year} {owner} {id} {exif.Artist} …; \\n for a new line')
    .option('--logo <file>', 'PNG or SVG logo (with transparency)')
    .option('--position <anchor>', `where the mark goes: ${anchors.join('|')}`, oneOf('--position', anchors))
    .option('--margin <pct>', 'distance from the edges, percent of the short side', number('--margin', 0, 25))
    .option('--tile', 'repeat the mark across the whole image')
    .option('--angle <deg>', 'angle of tiled marks', number('--angle', -90, 90))
    .option('--spacing <pct>', 'gap between tiles, percent of the short side', number('--spacing', 0, 100))
    .option('--opacity <0..1>', 'opacity of the mark', number('--opacity', 0, 1))
    .option('--size <pct>', 'text height (or logo height), percent of the short side', number('--size', 0.5, 50))
    .option('--colour <#rrggbb>', 'text colour')
    .option('--outline', 'dark outline around the text')
    .option('--no-shadow', 'no soft shadow under the mark')
    .option('--no-mark', 'no visible mark (e.g. with --hidden)')
    .option('--format <format>', `output format: ${exportFormats.join('|')}`, oneOf('--format', exportFormats))
    .option('--quality <q>', 'JPEG/WebP/AVIF quality 1–100', number('--quality', 1, 100, true))
    .option('--max-size <px>', 'resize so the long edge is at most this many pixels', number('--max-size', 16, 30_000, true))
    .option('--fit <WxH>', 'resize to fit inside a box, e.g. 2000x2000')
    .option('--dpi <n>', 'density written to the files (default: the source\'s, else 72)', number('--dpi', 1, 10_000))
    .option('--hidden', 'also embed the hidden mark (before the visible one)')
    .option('--platform <id>', `platform rules: ${exportPlatforms.map((p) => p.id).join('|')} (amazon-main: no visible mark)`, oneOf('--platform', exportPlatforms.map((p) => p.id)))
    .option('--name <template>', 'output file name: {name} {id} {n} {date} {preset} {format}')
    .option('--flat', 'do not recreate sub-folders under --out')
    .option('--no-recursive', 'do not descend into sub-folders')
    .option('--ids <ids>', 'library image ids, comma-separated', ids)
    .option('--metadata <policy>', 'keep | strip-location | strip-all', oneOf('--metadata', ['keep', 'strip-location', 'strip-all']))
    .option('--keep-icc', 'keep the colour profile instead of converting to sRGB')
    .option('--owner <name>', 'fills {owner}')
    .option('--creator <name>', 'EXIF Artist and XMP dc:creator')
    .option('--copyright <text>', 'EXIF Copyright and XMP dc:rights')
    .option('--web-statement <url>', 'XMP xmpRights:WebStatement')
    .option('--usage-terms <text>', 'XMP xmpRights:UsageTerms')
    .action(async (paths: string[], o: WatermarkOptions, cmd: Command) => {
      const opts = globalOptions(cmd);
      if (!paths.length && !o.ids?.length) throw new CliExit(EXIT_USAGE, 'Give image files or folders, or --ids for library images.');
      const design = designFromFlags(o);
      if (design && o.preset) throw new CliExit(EXIT_USAGE, 'Use either --preset or --text/--logo, not both.');
      if (!design && !o.preset && o.mark && !o.hidden && o.platform !== 'amazon-main') {
        throw new CliExit(EXIT_USAGE, 'Give --text, --logo or --preset for a visible mark (or --no-mark / --hidden).');
      }
      const rights = o.creator || o.copyright || o.webStatement || o.usageTerms
        ? { creator: o.creator, copyright: o.copyright, webStatement: o.webStatement, usageTerms: o.usageTerms }
        : null;
      const input: Input<'watermark.export'> = {
        sources: { imageIds: o.ids ?? [], paths, recursive: o.recursive },
        outDir: o.out,
        design: o.mark ? design : null,
        ...(o.preset && o.mark ? { preset: o.preset } : {}),
        keepTree: !o.flat,
        resize: resize(o),
        colour: o.keepIcc ? 'keep' : 'srgb',
        rights,
        hidden: Boolean(o.hidden),
        owner: o.owner ?? '',
        ...(o.format ? { format: o.format as (typeof exportFormats)[number] } : {}),
        ...(o.quality !== undefined ? { quality: o.quality } : {}),
        ...(o.dpi !== undefined ? { dpi: o.dpi } : {}),
        ...(o.platform ? { platform: o.platform as (typeof exportPlatforms)[number]['id'] } : {}),
        ...(o.name ? { nameTemplate: o.name } : {}),
        ...(o.metadata ? { metadata: o.metadata as 'keep' | 'strip-location' | 'strip-all' } : {}),
      };
      const result = await withCore(opts, (core) => invoke(core, 'watermark.export', input, opts));
      if (opts.json) printJson(result);
      else report(result);
      if (result.failed.length > 0 || result.cancelled) throw new CliExit(EXIT_NEGATIVE);
    });

  const presets = program.command('watermark-presets').description('saved watermark designs: list, export to JSON, import from JSON, delete');
  presets
    .command('list')
    .description('list saved designs')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = globalOptions(cmd);
      const result = await withCore(opts, (core) => invoke(core, 'watermark.presets', {}, opts));
      if (opts.json) printJson(result);
      else {
        for (const p of result.presets) {
          const d = p.design;
          const what = [d.text ? `text "${d.text.content.replace(/\n/g, '\\n')}"` : '', d.logo ? 'logo' : ''].filter(Boolean).join(' + ');
          console.log(`${p.name}  —  ${what}, ${d.layout.mode === 'tile' ? 'tiled' : d.layout.anchor}, size ${d.size}%, opacity ${d.opacity}`);
        }
        console.log(`${result.presets.length} presets`);
      }
    });
  presets
    .command('export')
    .description('write designs (with their logos) to a JSON file')
    .argument('<file>', 'JSON file to write')
    .argument('[names...]', 'presets to export (default: all)')
    .option('--overwrite', 'replace the file if it exists')
    .action(async (file: string, names: string[], o: { overwrite?: boolean }, cmd: Command) => {
      const opts = globalOptions(cmd);
      const result = await withCore(opts, (core) => invoke(core, 'watermark.exportPresets', { path: file, ...(names.length ? { names } : {}), overwrite: Boolean(o.overwrite) }, opts));
      if (opts.json) printJson(result);
      else console.log(`${result.count} presets written to ${result.path}`);
    });
  presets
    .command('import')
    .description('read designs from a JSON file written by "watermark-presets export"')
    .argument('<file>', 'JSON file to read')
    .option('--on-conflict <how>', 'rename | replace | skip (a preset with the same name exists)', oneOf('--on-conflict', ['rename', 'replace', 'skip']), 'rename')
    .action(async (file: string, o: { onConflict: 'rename' | 'replace' | 'skip' }, cmd: Command) => {
      const opts = globalOptions(cmd);
      const result = await withCore(opts, (core) => invoke(core, 'watermark.importPresets', { path: file, onConflict: o.onConflict }, opts));
      if (opts.json) printJson(result);
      else {
        for (const r of result.renamed) console.log(`renamed  "${r.from}" → "${r.to}"`);
        for (const s of result.skipped) console.log(`skipped  "${s}" (exists)`);
        console.log(`${result.imported.length} presets imported`);
      }
    });
  presets
    .command('delete')
    .description('delete a saved design')
    .argument('<name>', 'preset name')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const opts = globalOptions(cmd);
      const result = await withCore(opts, (core) => invoke(core, 'watermark.deletePreset', { name }, opts));
      if (opts.json) printJson(result);
      else console.log(`deleted "${result.deleted}"`);
    });
}

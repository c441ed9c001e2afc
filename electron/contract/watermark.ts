import { z } from 'zod';
import { method, type Notice } from './define.ts';
import type { Wording } from './errors.ts';

// ---------------------------------------------------------------------------------------------
// Designs
// ---------------------------------------------------------------------------------------------

export const anchors = ['top-left', 'top', 'top-right', 'left', 'center', 'right', 'bottom-left', 'bottom', 'bottom-right'] as const;
export type Anchor = (typeof anchors)[number];

/** Fonts shipped in resources/fonts; designs name one of these (never a system font, so a mark looks the same everywhere). */
export const bundledFonts = [
  { id: 'source-han-sans-sc', family: 'Source Han Sans SC', label: 'Source Han Sans SC / 思源黑体', files: { regular: 'SourceHanSansSC-Regular.otf', bold: 'SourceHanSansSC-Bold.otf' } },
] as const;
export type FontId = (typeof bundledFonts)[number]['id'];
const fontIds = bundledFonts.map((f) => f.id) as [FontId, ...FontId[]];

/** Tokens a mark's text may use; `{exif.<Field>}` reads any EXIF/XMP/IPTC field of the photo. */
export const textTokens = ['filename', 'title', 'date', 'year', 'owner', 'id'] as const;
export const tokenPattern = /\{([A-Za-z][\w.:-]*)\}/g;

/** Tokens of the output file-name template. */
export const nameTokens = ['name', 'id', 'n', 'date', 'preset', 'format'] as const;

/** Why a token is not accepted, or null. */
export function tokenProblem(token: string, allowed: readonly string[], allowExif: boolean): string | null {
  if (allowed.includes(token)) return null;
  if (allowExif && /^exif\.[A-Za-z][\w:-]*$/.test(token)) return null;
  const list = [...allowed.map((t) => `{${t}}`), ...(allowExif ? ['{exif.<Field>}'] : [])].join(' ');
  return `{${token}} is not a known token; use ${list}`;
}

function unknownTokens(text: string, allowed: readonly string[], allowExif: boolean): string | null {
  for (const m of text.matchAll(tokenPattern)) {
    const problem = tokenProblem(m[1]!, allowed, allowExif);
    if (problem) return problem;
  }
  return null;
}

const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'use a colour like #ffffff');
const percent = (what: string, min: number, max: number) =>
  z.number({ error: `${what} must be a number` }).min(min, `${what} must be at least ${min}`).max(max, `${what} must be at most ${max}`);

export const TextStyle = z.object({
  content: z.string().max(500, 'keep the text under 500 characters').superRefine((text, ctx) => {
    const problem = unknownTokens(text, textTokens, true);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  font: z.enum(fontIds, { error: `choose a bundled font: ${fontIds.join(', ')}` }).default('source-han-sans-sc'),
  weight: z.enum(['regular', 'bold']).default('bold'),
  colour: colour.default('#ffffff'),
});

export const LogoStyle = z.object({
  /** A PNG or SVG file on disk, or `sha256:<hex>` for a logo stored with the presets. */
  ref: z.string().min(1, 'choose a logo file'),
  /** Logo height relative to the text block's height (ignored when there is no text). */
  scale: percent('the logo scale', 0.2, 5).default(1.2),
  position: z.enum(['left', 'above']).default('left'),
});

export const SingleLayout = z.object({
  mode: z.literal('single'),
  anchor: z.enum(anchors, { error: `use one of ${anchors.join(', ')}` }).default('bottom-right'),
  /** Distance from the edges, percent of the short side. */
  margin: percent('the margin', 0, 25).default(3),
});
export const TileLayout = z.object({
  mode: z.literal('tile'),
  /** Gap between tiles, percent of the short side. */
  spacing: percent('the spacing', 0, 100).default(10),
  angle: percent('the angle', -90, 90).default(-30),
  stagger: z.boolean().default(true),
});

export const WatermarkDesign = z
  .object({
    text: TextStyle.nullable().default(null),
    logo: LogoStyle.nullable().default(null),
    opacity: percent('the opacity', 0, 1).default(0.6),
    /** Height of the mark (one text line, or the logo), percent of the image's short side. */
    size: percent('the size', 0.5, 50).default(4),
    /** Outline around the text; width in percent of the font size. */
    outline: z.object({ colour: colour.default('#000000'), width: percent('the outline width', 0.5, 30).default(6) }).nullable().default(null),
    /** Soft drop shadow behind text and logo; blur and offset in percent of the font size. */
    shadow: z
      .object({
        colour: colour.default('#000000'),
        opacity: percent('the shadow opacity', 0, 1).default(0.6),
        blur: percent('the shadow blur', 0, 50).default(4),
        offset: percent('the shadow offset', 0, 50).default(4),
      })
      .nullable()
      .default(null),
    layout: z.discriminatedUnion('mode', [SingleLayout, TileLayout], { error: 'layout.mode must be "single" or "tile"' }).default({ mode: 'single', anchor: 'bottom-right', margin: 3 }),
  })
  .refine((d) => Boolean(d.text?.content.trim()) || d.logo !== null, { message: 'a design needs text or a logo', path: ['text'] });

export type WatermarkDesignInput = z.input<typeof WatermarkDesign>;
export type WatermarkDesign = z.output<typeof WatermarkDesign>;

export interface WatermarkPreset {
  name: string;
  design: WatermarkDesign;
  createdAt: string;
  updatedAt: string;
}

// ---------------------------------------------------------------------------------------------
// Export settings
// ---------------------------------------------------------------------------------------------

export const exportFormats = ['same', 'jpeg', 'png', 'webp', 'avif'] as const;
export type ExportFormat = (typeof exportFormats)[number];

/** Platforms whose rules change an export. Amazon: product images must carry no visible watermark. */
export const exportPlatforms = [
  { id: 'generic', visibleMark: true },
  { id: 'amazon-main', visibleMark: false },
] as const;
export type PlatformId = (typeof exportPlatforms)[number]['id'];
const platformIds = exportPlatforms.map((p) => p.id) as [PlatformId, ...PlatformId[]];

const px = (what: string) => z.number({ error: `${what} must be a number of pixels` }).int(`${what} must be a whole number of pixels`).min(16, `${what} must be at least 16 px`).max(30_000, `${what} must be at most 30000 px`);

export const Resize = z.discriminatedUnion(
  'mode',
  [
    z.object({ mode: z.literal('none') }),
    z.object({ mode: z.literal('long-edge'), size: px('the long edge') }),
    z.object({ mode: z.literal('fit'), width: px('the box width'), height: px('the box height') }),
  ],
  { error: 'resize.mode must be "none", "long-edge" or "fit"' },
);
export type Resize = z.output<typeof Resize>;

export const Rights = z.object({
  /** EXIF Artist and XMP dc:creator; also the `{owner}` token. */
  creator: z.string().trim().max(300).optional(),
  /** EXIF Copyright and XMP dc:rights. */
  copyright: z.string().trim().max(500).optional(),
  /** XMP xmpRights:WebStatement: a URL where the licence is explained. */
  webStatement: z.string().trim().url('the web statement must be a URL like https://example.com/licence').max(500).optional().or(z.literal('')),
  /** XMP xmpRights:UsageTerms. */
  usageTerms: z.string().trim().max(2000).optional(),
});
export type Rights = z.output<typeof Rights>;

export const ExportSettings = z.object({
  outDir: z.string().min(1, 'choose an output folder'),
  /** Output file name without extension; tokens {name} {id} {n} {date} {preset} {format}. */
  nameTemplate: z
    .string()
    .trim()
    .min(1, 'the file-name template must not be empty')
    .max(200)
    .default('{name}')
    .superRefine((text, ctx) => {
      const problem = unknownTokens(text, nameTokens, false);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  /** Files found in folders keep their sub-folder under the output folder. */
  keepTree: z.boolean().default(true),
  format: z.enum(exportFormats, { error: `format must be one of ${exportFormats.join(', ')}` }).default('jpeg'),
  quality: z.number().int('quality must be a whole number').min(1, 'quality must be 1–100').max(100, 'quality must be 1–100').default(90),
  resize: Resize.default({ mode: 'none' }),
  /** Density written to the file; null keeps the source's (72 dpi when it has none). */
  dpi: z.number().min(1, 'dpi must be at least 1').max(10_000, 'dpi must be at most 10000').nullable().default(null),
  colour: z.enum(['keep', 'srgb']).default('srgb'),
  metadata: z.enum(['keep', 'strip-location', 'strip-all']).default('strip-location'),
  rights: Rights.nullable().default(null),
  /** Embed ProofMark's hidden mark (before the visible one). */
  hidden: z.boolean().default(false),
  platform: z.enum(platformIds, { error: `platform must be one of ${platformIds.join(', ')}` }).default('generic'),
});
export type ExportSettings = z.output<typeof ExportSettings>;

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

/** One placed copy of the mark, relative to the upright output image (0..1): its centre, the size of the unrotated mark, and its rotation in degrees (clockwise). */
export interface MarkBox {
  x: number;
  y: number;
  width: number;
  height: number;
  angle: number;
}

export interface MarkGeometry {
  mode: 'single' | 'tile';
  /** Every placed copy (tiles may be cut by the image edge). */
  boxes: MarkBox[];
  /** Font size in pixels of the output image (0 for a logo-only mark). */
  fontPx: number;
  /** Whether the mark had to be shrunk below the design size to fit inside the image. */
  shrunk: boolean;
}

export interface WatermarkPreviewResult {
  /** Media token of the marked preview (null when the design is null). */
  after: string | null;
  /** Media token of the same preview without the mark. */
  before: string;
  /** Preview size in pixels. */
  width: number;
  height: number;
  /** Size the export will have (upright, resized). */
  exportWidth: number;
  exportHeight: number;
  geometry: MarkGeometry | null;
  /** The mark's text after tokens were filled in. */
  text: string;
  warnings: Notice[];
}

export interface ExportedFile {
  source: string;
  imageId: number | null;
  output: string;
  format: Exclude<ExportFormat, 'same'>;
  width: number;
  height: number;
  bytes: number;
  sha256: string;
  visibleMark: boolean;
  hiddenMark: boolean;
  warnings: Notice[];
}

export interface ExportResult {
  outDir: string;
  total: number;
  exported: ExportedFile[];
  /** `wording`: the error as a phrase code, for the interface's language. */
  failed: { source: string; error: string; wording?: Wording }[];
  cancelled: boolean;
  /** Batch-level remarks (platform rules, skipped earlier exports). */
  notes: string[];
  seconds: number;
}

// ---------------------------------------------------------------------------------------------
// Methods
// ---------------------------------------------------------------------------------------------

const presetName = z.string().trim().min(1, 'give the preset a name').max(100, 'keep preset names under 100 characters');
const imageId = z.number({ error: 'the image id must be a number' }).int().positive('the image id must be a positive whole number');
const PreviewSource = z.union([z.object({ imageId }), z.object({ path: z.string().min(1, 'the path must not be empty') })], {
  error: 'source must be {"imageId": N} or {"path": "..."}',
});

export const ExportSources = z
  .object({
    imageIds: z.array(imageId).default([]),
    paths: z.array(z.string().min(1, 'a path must not be empty')).default([]),
    recursive: z.boolean().default(true),
  })
  .refine((s) => s.imageIds.length + s.paths.length > 0, { message: 'choose library images, files or a folder to export' });

export const ExportInput = ExportSettings.extend({
  sources: ExportSources,
  /** The visible mark; null (or the amazon-main platform) exports without one. */
  design: WatermarkDesign.nullable().optional(),
  /** A saved preset to use instead of `design`. */
  preset: presetName.optional(),
  /** Fills `{owner}` when the rights have no creator. */
  owner: z.string().max(300).default(''),
}).refine((i) => !(i.design && i.preset), { message: 'give either a design or a preset, not both', path: ['preset'] });

export const watermarkMethods = {
  'watermark.presets': method<{ presets: WatermarkPreset[] }>()({
    input: z.object({}).default({}),
    summary: 'Saved watermark designs.',
  }),
  'watermark.savePreset': method<WatermarkPreset>()({
    input: z.object({ name: presetName, design: WatermarkDesign, overwrite: z.boolean().default(false) }),
    summary: 'Save a design under a name (a logo file is copied into the library).',
  }),
  'watermark.deletePreset': method<{ deleted: string }>()({
    input: z.object({ name: presetName }),
    summary: 'Delete a saved design.',
  }),
  'watermark.exportPresets': method<{ path: string; count: number }>()({
    input: z.object({ path: z.string().min(1, 'choose where to write the JSON file'), names: z.array(presetName).optional(), overwrite: z.boolean().default(false) }),
    summary: 'Write saved designs (with their logos) to a JSON file.',
  }),
  'watermark.importPresets': method<{ imported: string[]; renamed: { from: string; to: string }[]; skipped: string[] }>()({
    input: z.object({ path: z.string().min(1, 'choose a presets JSON file'), onConflict: z.enum(['rename', 'replace', 'skip']).default('rename') }),
    summary: 'Read designs from a JSON file written by exportPresets.',
  }),
  'watermark.sources': method<{ files: { path: string; relative: string }[]; errors: { path: string; error: string }[] }>()({
    input: z.object({ paths: z.array(z.string().min(1, 'a path must not be empty')).min(1, 'give at least one file or folder'), recursive: z.boolean().default(true) }),
    summary: 'The image files an export of these files and folders would take (for the preview list).',
  }),
  'watermark.preview': method<WatermarkPreviewResult>()({
    input: z.object({
      source: PreviewSource,
      design: WatermarkDesign.nullable(),
      /** Long edge of the preview in pixels. */
      maxSize: z.number().int().min(64).max(4096).default(1200),
      /** The export's resize, so the preview shows the export's geometry. */
      resize: Resize.default({ mode: 'none' }),
      owner: z.string().max(300).default(''),
    }),
    summary: 'Render a design on one image at preview size, with the geometry the export will have.',
  }),
  'watermark.export': method<ExportResult>()({
    input: ExportInput,
    summary: 'Export images (library, files or folders) with a visible and/or hidden mark, resized, converted and with rights metadata.',
    job: true,
  }),
} as const;

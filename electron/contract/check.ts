import { z } from 'zod';
import { method } from './define.ts';
import { imageFormats, type ImageFormat, type StoredDensity } from './library.ts';

// ---------------------------------------------------------------------------------------------
// Rule profiles (resources/profiles/*.json, and user copies stored in the library)
// ---------------------------------------------------------------------------------------------

const ruleId = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'a rule id uses lowercase letters, digits and dashes, like min-density');
export const profileIdPattern = /^[a-z][a-z0-9-]{1,47}$/;
const profileId = z.string().regex(profileIdPattern, 'a profile id uses 2 to 48 lowercase letters, digits and dashes, like my-cpcc-photo');
const bilingual = z.object({
  en: z.string().trim().min(1, 'give an English text').max(300, 'keep it under 300 characters'),
  zh: z.string().trim().max(300, 'keep it under 300 characters').default(''),
});

/** How a rule counts: a failure, a warning, or not checked at all. */
export const ruleSeverities = ['fail', 'warn', 'off'] as const;
export type RuleSeverity = (typeof ruleSeverities)[number];

export const colourModels = ['rgb', 'gray', 'cmyk'] as const;

const common = {
  id: ruleId,
  severity: z.enum(ruleSeverities, { error: 'severity must be fail, warn or off' }).default('fail'),
  /** Id of the entry in the profile's `sources` this rule comes from. */
  source: z.string().min(1, 'name the source of the rule'),
  /** False when no official text was found: a default the user may change. */
  confirmed: z.boolean().default(true),
  note: z.string().max(1000).optional(),
};
const int = (what: string, min: number, max: number) =>
  z.number({ error: `${what} must be a number` }).int(`${what} must be a whole number`).min(min, `${what} must be at least ${min}`).max(max, `${what} must be at most ${max}`);

export const Rule = z.discriminatedUnion(
  'kind',
  [
    /** The real format (by the file's bytes, never its name) is one of these. */
    z.object({ ...common, kind: z.literal('format'), allowed: z.array(z.enum(imageFormats, { error: `formats are ${imageFormats.join(', ')}` })).min(1, 'allow at least one format') }),
    /** The file name's extension matches its real format. */
    z.object({ ...common, kind: z.literal('extension') }),
    /** Stored density of at least this many dots per inch. */
    z.object({ ...common, kind: z.literal('minDensity'), dpi: int('the density', 1, 10_000) }),
    z.object({ ...common, kind: z.literal('maxFileSize'), bytes: int('the size cap', 10_000, 2_000_000_000) }),
    z.object({ ...common, kind: z.literal('minLongSide'), px: int('the long side', 1, 100_000) }),
    z.object({ ...common, kind: z.literal('minSize'), width: int('the width', 1, 100_000), height: int('the height', 1, 100_000) }),
    /** Width equals height, within `tolerance` (a fraction of the long side). */
    z.object({ ...common, kind: z.literal('square'), tolerance: z.number().min(0).max(0.5, 'the tolerance must be at most 0.5').default(0) }),
    z.object({ ...common, kind: z.literal('colourSpace'), allowed: z.array(z.enum(colourModels, { error: `colour models are ${colourModels.join(', ')}` })).min(1, 'allow at least one colour model') }),
    /** The image's border is (near) white: at least `minWhite` of the border pixels have every channel >= `level`. */
    z.object({ ...common, kind: z.literal('whiteBackground'), minWhite: z.number().min(0.5).max(1).default(0.9), level: int('the white level', 200, 255).default(245) }),
    /** The file was not exported by ProofMark with a visible mark. */
    z.object({ ...common, kind: z.literal('noVisibleWatermark') }),
    /** Group rule: every file of the check has the same format. */
    z.object({ ...common, kind: z.literal('sameFormat') }),
    /** Group rule: at most this many files. */
    z.object({ ...common, kind: z.literal('maxFiles'), count: int('the file count', 1, 1_000_000) }),
  ],
  { error: 'rule.kind must be one of format, extension, minDensity, maxFileSize, minLongSide, minSize, square, colourSpace, whiteBackground, noVisibleWatermark, sameFormat, maxFiles' },
);
export type Rule = z.output<typeof Rule>;
export type RuleKind = Rule['kind'];

export const ProfileSource = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  url: z.string().url('a source url must be a full web address').optional(),
  kind: z.enum(['official', 'platform', 'practice', 'proofmark', 'user']),
  note: z.string().max(2000).optional(),
});

export const Profile = z
  .object({
    id: profileId,
    version: int('the version', 1, 1_000_000),
    name: bilingual,
    description: bilingual,
    /** The profile this one was copied from. */
    basedOn: profileId.optional(),
    sources: z.array(ProfileSource).min(1, 'name at least one source'),
    /** What a fix converts to when the format is not allowed (PNG is lossless; JPEG at this quality). */
    fix: z.object({
      convertTo: z.enum(['png', 'jpeg'], { error: 'fix.convertTo must be png or jpeg' }),
      jpegQuality: int('the JPEG quality', 70, 100).default(95),
    }),
    /** Read by exports: whether this destination allows a visible watermark. */
    exports: z.object({ visibleWatermark: z.boolean().default(true) }).default({ visibleWatermark: true }),
    rules: z.array(Rule).min(1, 'a profile needs at least one rule').max(50),
  })
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.rules.forEach((r, i) => {
      if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `two rules are called ${r.id}` });
      seen.add(r.id);
      if (!p.sources.some((s) => s.id === r.source)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'source'], message: `rule ${r.id} names source "${r.source}", which is not in the profile's sources` });
    });
  });
export type ProfileInput = z.input<typeof Profile>;
export type Profile = z.output<typeof Profile>;

export interface ProfileEntry {
  profile: Profile;
  /** Shipped with ProofMark (read-only) or a user's copy stored in the library. */
  builtIn: boolean;
  updatedAt: string | null;
}

// ---------------------------------------------------------------------------------------------
// Check results
// ---------------------------------------------------------------------------------------------

export type RuleStatus = 'pass' | 'warn' | 'fail' | 'skip';
export type Verdict = 'pass' | 'warn' | 'fail';
/** How a problem can be fixed: header bytes only, a format conversion, or a re-encode the user must allow. */
export type FixKind = 'lossless' | 'rename' | 'convert' | 'reencode';

export interface RuleResult {
  /** The profile rule's id; `readable` and `intact` are ProofMark's own preconditions. */
  id: string;
  kind: RuleKind | 'readable' | 'intact';
  label: string;
  labelZh: string;
  status: RuleStatus;
  /** A plain sentence with the numbers, e.g. "Density is 72 dpi; the rule needs at least 300 dpi. …" */
  reason: string;
  reasonZh: string;
  /** Short value for a table cell ("72 dpi", "2.4 MB"). */
  measured: string;
  /** What the rule asks ("≥ 300 dpi"). */
  required: string;
  confirmed: boolean;
  source: string;
  /** How a failing or warning rule can be fixed; null when ProofMark cannot fix it. */
  fix: FixKind | null;
}

export interface DensityFacts {
  /** The declaration readers use: EXIF when it has a unit, else JFIF/Photoshop/pHYs (see density.ts). */
  effective: StoredDensity | null;
  /** Dots per inch of the effective declaration; null when no declaration has a unit. */
  dpi: { x: number; y: number } | null;
  /** Every declaration, in file order. */
  declarations: StoredDensity[];
  /** True when declarations with a unit disagree (e.g. JFIF 72 dpi, EXIF 300 dpi). */
  conflict: boolean;
}

export interface FileFacts {
  name: string;
  byteSize: number;
  /** Real format from the bytes; null when the bytes are no image. */
  format: ImageFormat | null;
  extension: string;
  extensionMatches: boolean;
  width: number | null;
  height: number | null;
  bitDepth: number | null;
  channels: number | null;
  colourModel: 'rgb' | 'gray' | 'cmyk' | 'ycck' | 'palette' | 'unknown' | null;
  hasAlpha: boolean;
  /** Embedded ICC profile: its description when it has one, else its colour space. */
  iccProfile: string | null;
  density: DensityFacts;
  /** Print size at the profile's required density (300 dpi when it has none). */
  printSize: { dpi: number; widthCm: number; heightCm: number; widthIn: number; heightIn: number } | null;
  /** EXIF DateTimeOriginal (or DateTimeDigitized): useful evidence of authorship. */
  capturedAt: string | null;
  progressive: boolean | null;
  /** More than one frame (animated GIF/WebP/PNG, multi-page TIFF). */
  frames: number | null;
  intact: { ok: boolean; method: 'structure' | 'decode' | 'none'; detail: string };
}

export interface FileCheck {
  path: string;
  name: string;
  /** Set when the file is a library image's stored original. */
  imageId?: number;
  title?: string;
  verdict: Verdict;
  rules: RuleResult[];
  facts: FileFacts;
  /** Every failing or warning rule has a fix (some may need the user to allow re-encoding). */
  fixable: boolean;
  /** A fix would re-encode pixels (size cap, colour conversion): only when the user allows it. */
  needsReencode: boolean;
}

export interface CheckReport {
  profile: { id: string; version: number; name: string; nameZh: string };
  checkedAt: string;
  /** A full decode was done for every file (otherwise the structure was checked from headers and the end of the file). */
  integrity: boolean;
  files: FileCheck[];
  /** Rules about the whole set (USCO: one format, at most 750 files). */
  group: RuleResult[];
  summary: { total: number; pass: number; warn: number; fail: number; fixable: number; verdict: Verdict };
}

// ---------------------------------------------------------------------------------------------
// Fixes
// ---------------------------------------------------------------------------------------------

export interface FixAction {
  kind: 'set-density' | 'rename' | 'convert' | 'shrink' | 'colour';
  /** What changes, in a sentence ("Set the density to 300 dpi in the JFIF and EXIF headers; pixels untouched."). */
  description: string;
  descriptionZh: string;
  /** Pixels stay identical. */
  lossless: boolean;
  /** The JPEG quality a re-encode used. */
  quality?: number;
}

export interface FixedFile {
  path: string;
  name: string;
  imageId?: number;
  /** fixed: a new file (or library version) was written; unchanged: it already passes; planned: dry run. */
  status: 'fixed' | 'unchanged' | 'planned' | 'failed';
  before: Verdict;
  actions: FixAction[];
  /** Problems the fix leaves (not fixable, or re-encoding not allowed). */
  remaining: string[];
  remainingZh: string[];
  /** The new file (or, for a dry run, where it would go). */
  output: string | null;
  derivedImageId?: number;
  /** Verdict of the new file, checked again with the same profile (for a dry run: the expected verdict). */
  after: Verdict | null;
  /** Byte ranges of the output that differ from the input, for header-only fixes. */
  changedBytes?: { offset: number; length: number }[];
  error?: string;
}

export interface FixReport {
  profile: { id: string; version: number };
  dryRun: boolean;
  target: 'folder' | 'library';
  outDir: string | null;
  files: FixedFile[];
  summary: { total: number; fixed: number; unchanged: number; planned: number; failed: number; stillFailing: number };
}

// ---------------------------------------------------------------------------------------------
// Methods
// ---------------------------------------------------------------------------------------------

const imageIds = z.array(z.number().int().positive('an image id must be a positive whole number')).max(100_000).default([]);
const paths = z.array(z.string().min(1, 'a path must not be empty')).max(100_000).default([]);
const profileRef = z.string().min(1, 'choose a profile, e.g. cpcc-photo');
const needsInput = (v: { paths: string[]; imageIds: number[] }) => v.paths.length + v.imageIds.length > 0;
const inputMessage = { message: 'give at least one file, folder or library image', path: ['paths'] };

export const CheckRunInput = z
  .object({
    paths,
    imageIds,
    profileId: profileRef.default('cpcc-photo'),
    recursive: z.boolean().default(true),
    /** Decode every file fully to prove it is intact (slower). */
    integrity: z.boolean().default(false),
  })
  .refine(needsInput, inputMessage);

export const CheckFixInput = z
  .object({
    paths,
    imageIds,
    profileId: profileRef.default('cpcc-photo'),
    recursive: z.boolean().default(true),
    /** folder: new files in outDir; library: a derived library version of each library image (files given by path go to outDir). */
    target: z.enum(['folder', 'library']).default('folder'),
    outDir: z.string().min(1, 'choose an output folder').optional(),
    /** Let the fix re-encode pixels (shrink to the size cap, convert CMYK). Off: header-only fixes and format conversions. */
    allowReencode: z.boolean().default(false),
    /** Only say what would change; write nothing. */
    dryRun: z.boolean().default(false),
  })
  .refine(needsInput, inputMessage)
  .refine((v) => v.dryRun || v.outDir !== undefined || (v.target === 'library' && v.paths.length === 0), {
    message: 'choose an output folder (outDir) for the fixed files',
    path: ['outDir'],
  });

export const checkMethods = {
  'check.profiles': method<{ profiles: ProfileEntry[] }>()({
    input: z.object({}).default({}),
    summary: 'The rule profiles: the ones shipped with ProofMark and the user copies stored in the library.',
  }),
  'check.saveProfile': method<ProfileEntry>()({
    input: z.object({ profile: Profile }),
    summary: 'Save a user copy of a profile (its id must differ from the shipped ones); its version goes up on every save.',
  }),
  'check.deleteProfile': method<{ deleted: boolean }>()({
    input: z.object({ id: profileId }),
    summary: 'Delete a user copy of a profile (shipped profiles cannot be deleted).',
  }),
  'check.run': method<CheckReport>()({
    input: CheckRunInput,
    summary: 'Check files, folders and/or library images against a profile: per file, per rule pass / warn / fail with reasons.',
    job: true,
  }),
  'check.fix': method<FixReport>()({
    input: CheckFixInput,
    summary: 'Fix what a profile finds (density losslessly, extension, format conversion; re-encoding only when allowed) into new files or a derived library version; dryRun previews.',
    job: true,
  }),
  'check.exportReport': method<{ path: string; content: string; bytes: number }>()({
    input: z.object({
      report: z.custom<CheckReport>((v) => typeof v === 'object' && v !== null && Array.isArray((v as CheckReport).files) && typeof (v as CheckReport).profile === 'object', 'report must be a check report (the result of check.run)'),
      format: z.enum(['csv', 'json'], { error: 'format must be csv or json' }),
      /** Where to write; default: the library's reports folder. An existing file is never overwritten. */
      path: z.string().min(1).optional(),
    }),
    summary: 'Write a check report as CSV (one row per file, a column pair per rule) or JSON.',
  }),
} as const;

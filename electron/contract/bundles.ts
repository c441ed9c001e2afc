import { z } from 'zod';
import { method } from './define.ts';
import type { Wording } from './errors.ts';

// ---------------------------------------------------------------------------------------------
// People: copyright owners, authors and agents. The full ID number goes into the documents that
// need it and nowhere else: every result of this API carries it masked.
// ---------------------------------------------------------------------------------------------

export const personKinds = ['natural', 'legal', 'other'] as const;
export type PersonKind = (typeof personKinds)[number];
export const idTypes = ['id-card', 'passport', 'business-licence', 'hk-macau-permit', 'taiwan-permit', 'other'] as const;
export type IdType = (typeof idTypes)[number];
export const creditModes = ['real-name', 'pen-name', 'anonymous'] as const;
export type CreditMode = (typeof creditModes)[number];
export const personRoles = ['owner', 'author', 'agent'] as const;
export type PersonRole = (typeof personRoles)[number];

const text = (max: number) => z.string({ error: 'must be text' }).trim().max(max, `must be at most ${max} characters`).default('');
const imageId = z.number({ error: 'the image id must be a number' }).int().positive('the image id must be a positive whole number');
const personId = z.number({ error: 'the person id must be a number' }).int().positive('the person id must be a positive whole number');

const personText = { name: 200, idNumber: 64, penName: 200, nationality: 100, province: 100, city: 100, address: 500, postcode: 20, contactName: 200, phone: 50, email: 200 } as const;
const kindField = z.enum(personKinds, { error: 'kind must be natural (a person), legal (a company) or other' });
const idTypeField = z.enum(idTypes, { error: `idType must be one of ${idTypes.join(', ')}` });
const creditField = z.enum(creditModes, { error: 'creditAs must be real-name, pen-name or anonymous' });
const rolesField = z.array(z.enum(personRoles, { error: 'each role must be owner, author or agent' })).max(3);
const patchText = (max: number) => z.string({ error: 'must be text' }).trim().max(max, `must be at most ${max} characters`).optional();

/** Everything a person's profile holds, as typed; empty strings mean "not given". */
export const PersonFields = z.strictObject({
  kind: kindField.default('natural'),
  name: text(personText.name),
  idType: idTypeField.default('id-card'),
  /** Kept in the library for the documents; never logged, never returned unmasked. */
  idNumber: text(personText.idNumber),
  creditAs: creditField.default('real-name'),
  penName: text(personText.penName),
  nationality: text(personText.nationality),
  province: text(personText.province),
  city: text(personText.city),
  address: text(personText.address),
  postcode: text(personText.postcode),
  contactName: text(personText.contactName),
  phone: text(personText.phone),
  email: text(personText.email),
  roles: rolesField.default([]),
});

/** The same fields for an edit: anything left out keeps its stored value. */
export const PersonPatch = z.strictObject({
  kind: kindField.optional(),
  name: patchText(personText.name),
  idType: idTypeField.optional(),
  idNumber: patchText(personText.idNumber),
  creditAs: creditField.optional(),
  penName: patchText(personText.penName),
  nationality: patchText(personText.nationality),
  province: patchText(personText.province),
  city: patchText(personText.city),
  address: patchText(personText.address),
  postcode: patchText(personText.postcode),
  contactName: patchText(personText.contactName),
  phone: patchText(personText.phone),
  email: patchText(personText.email),
  roles: rolesField.optional(),
});
export type PersonFieldsInput = z.input<typeof PersonFields>;

/** A person in a bundle spec: a saved profile by id, or the fields inline (the CLI's JSON spec). */
export const PersonRef = z.union([
  z.strictObject({ personId }),
  PersonFields.extend({ idScans: z.array(z.string().min(1)).max(20).default([]) }),
], { error: 'give either {"personId": N} or the person\'s fields (name, kind, idType, …)' });
export type PersonRefInput = z.input<typeof PersonRef>;

export interface IdScan {
  sha256: string;
  /** File name as it was attached (shown to the user; the stored copy is named by SHA-256). */
  name: string;
  byteSize: number;
  mime: string;
}

export interface Person {
  id: number;
  kind: PersonKind;
  name: string;
  idType: IdType;
  /** e.g. "1101**********1234"; the full number never leaves the core. */
  idNumberMasked: string;
  hasIdNumber: boolean;
  creditAs: CreditMode;
  penName: string;
  nationality: string;
  province: string;
  city: string;
  address: string;
  postcode: string;
  contactName: string;
  phone: string;
  email: string;
  roles: PersonRole[];
  idScans: IdScan[];
  createdAt: string;
  updatedAt: string;
}

// ---------------------------------------------------------------------------------------------
// Registration (CPCC 作品登记)
// ---------------------------------------------------------------------------------------------

export const workCategories = ['photographic', 'fine-art'] as const;
export type WorkCategory = (typeof workCategories)[number];
export const creationNatures = ['original', 'adaptation', 'translation', 'annotation', 'compilation', 'other'] as const;
export const rightsObtainedModes = ['original', 'inheritance', 'succession', 'other'] as const;
export const ownershipModes = ['individual', 'joint', 'legal-person', 'work-for-hire', 'commissioned'] as const;
export type OwnershipMode = (typeof ownershipModes)[number];
/** The rights of article 10 of the Copyright Law of the PRC, for "part of the rights". */
export const copyrightRights = [
  'publication', 'attribution', 'alteration', 'integrity', 'reproduction', 'distribution', 'rental', 'exhibition',
  'performance', 'projection', 'broadcasting', 'network', 'cinematography', 'adaptation', 'translation', 'compilation', 'other',
] as const;

const dateText = text(10);

/** The editable texts of the work description (作品说明书), in one language. */
export const DescriptionTexts = z.strictObject({
  purpose: text(4000),
  process: text(8000),
  equipment: text(2000),
  originality: text(4000),
  aesthetics: text(4000),
  publication: text(2000),
  thirdParty: text(2000),
});
export type DescriptionTexts = z.output<typeof DescriptionTexts>;

/**
 * A registration bundle's spec. Every field may be empty while it is a draft (the wizard, prefill,
 * validate); `bundles.registration.validate` lists what is still missing and build refuses until
 * nothing is.
 */
export const RegistrationSpec = z.strictObject({
  images: z.array(z.strictObject({ imageId, title: text(200) }), { error: 'images must be a list of {"imageId": N}' })
    .min(1, 'choose at least one library image').max(500, 'at most 500 images in one series'),
  work: z.strictObject({
    title: text(200),
    category: z.enum(workCategories, { error: 'category must be photographic or fine-art' }).default('photographic'),
    nature: z.enum(creationNatures, { error: `nature must be one of ${creationNatures.join(', ')}` }).default('original'),
    natureNote: text(1000),
    startedOn: dateText,
    completedOn: dateText,
    completedCountry: text(100),
    completedProvince: text(100),
    completedCity: text(100),
    publication: z.strictObject({
      status: z.enum(['unpublished', 'published'], { error: 'status must be unpublished or published' }).default('unpublished'),
      date: dateText,
      place: text(200),
      url: text(2000),
    }).default({ status: 'unpublished', date: '', place: '', url: '' }),
    rightsObtained: z.enum(rightsObtainedModes, { error: `rightsObtained must be one of ${rightsObtainedModes.join(', ')}` }).default('original'),
    ownershipMode: z.enum(ownershipModes, { error: `ownershipMode must be one of ${ownershipModes.join(', ')}` }).default('individual'),
    rightsScope: z.enum(['all', 'part'], { error: 'rightsScope must be all or part' }).default('all'),
    rightsHeld: z.array(z.enum(copyrightRights, { error: `each right must be one of ${copyrightRights.join(', ')}` })).default([]),
  }),
  owners: z.array(PersonRef).max(20).default([]),
  authors: z.array(z.strictObject({ person: PersonRef, creditedName: text(200) })).max(20).default([]),
  agent: PersonRef.nullable().default(null),
  /** The commissioning party or employer, for the ownership-proof templates. */
  counterparty: PersonRef.nullable().default(null),
  description: z.strictObject({ zh: DescriptionTexts.default(DescriptionTexts.parse({})), en: DescriptionTexts.default(DescriptionTexts.parse({})) })
    .default({ zh: DescriptionTexts.parse({}), en: DescriptionTexts.parse({}) }),
  /** People can be recognised in the photos: add the portrait-consent template. */
  peoplePictured: z.boolean().default(false),
  /** Also render every document in English (the Chinese ones are always made). */
  english: z.boolean().default(false),
  signing: z.strictObject({ place: text(200), date: dateText }).default({ place: '', date: '' }),
});
export type RegistrationSpecInput = z.input<typeof RegistrationSpec>;
export type RegistrationSpecData = z.output<typeof RegistrationSpec>;

export interface FieldIssue {
  path: string;
  message: string;
  /** The message as a phrase code (bundle.*), for the interface's language; it leaves out the field, which the interface names. */
  wording?: Wording;
}

export interface SampleCheck {
  imageId: number;
  title: string;
  /** Numbered file name in the bundle, e.g. samples/sample-01.jpg */
  sampleName: string;
  profileId: string;
  verdict: 'pass' | 'warn' | 'fail' | 'unchecked';
  /** One line per rule that did not pass. */
  findings: string[];
  /** The same in Chinese. */
  findingsZh: string[];
  fixable: boolean;
}

export interface RegistrationCheck {
  /** True when build would succeed (nothing missing, every sample passes or will be fixed). */
  ok: boolean;
  /** Required fields missing or invalid, each with where and what. */
  missing: FieldIssue[];
  samples: SampleCheck[];
  /** CPCC fee for this application: ¥300 for the first work, ¥100 for each further one. */
  feeYuan: number;
}

export interface RegistrationPrefill {
  spec: RegistrationSpecData;
  /** Where each prefilled value came from, by field path. */
  sources: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// Complaint (marketplace take-down) bundles
// ---------------------------------------------------------------------------------------------

export const platforms = ['alibaba', 'jd', 'pinduoduo', 'amazon', 'other'] as const;
export type Platform = (typeof platforms)[number];

export const EvidenceFileRef = z.strictObject({
  path: z.string().min(1, 'the file path must not be empty'),
  /** SHA-256 taken when the file arrived; the build refuses a file that changed since. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lower-case hex digits').optional(),
  /** When the screenshot was captured (ISO 8601); read from the file when absent. */
  capturedAt: z.string().max(40).optional(),
});
export type EvidenceFileRefInput = z.input<typeof EvidenceFileRef>;

export const InfringingUse = z.strictObject({
  platform: z.enum(platforms, { error: `platform must be one of ${platforms.join(', ')}` }),
  /** The platform's name when platform is "other". */
  platformName: text(100),
  listingUrl: text(4000),
  imageUrl: text(4000),
  shop: text(300),
  foundOn: dateText,
  /** Amazon ASIN or the platform's item id, when known. */
  itemId: text(100),
  reason: text(2000),
  screenshots: z.array(EvidenceFileRef).max(50, 'at most 50 screenshots per use').default([]),
  suspectPath: text(4000),
});
export type InfringingUseInput = z.input<typeof InfringingUse>;

export const ComplaintSpec = z.strictObject({
  originalId: imageId,
  language: z.enum(['zh', 'en'], { error: 'language must be zh or en' }).default('zh'),
  complainant: PersonRef.nullable().default(null),
  agent: PersonRef.nullable().default(null),
  work: z.strictObject({
    title: text(200),
    description: text(4000),
    registrationNumber: text(100),
    dciNumber: text(100),
    licence: text(2000),
  }).default({ title: '', description: '', registrationNumber: '', dciNumber: '', licence: '' }),
  uses: z.array(InfringingUse).max(300, 'at most 300 infringing uses in one complaint').default([]),
  signature: z.strictObject({ name: text(200), date: dateText, place: text(200) }).default({ name: '', date: '', place: '' }),
});
export type ComplaintSpecInput = z.input<typeof ComplaintSpec>;
export type ComplaintSpecData = z.output<typeof ComplaintSpec>;

export interface EvidenceFile {
  /** The custody copy in the library (named by SHA-256); use this path in the spec. */
  path: string;
  originalPath: string;
  sha256: string;
  byteSize: number;
  format: string;
  width: number;
  height: number;
  /** UTC, ISO 8601. */
  capturedAt: string;
  capturedAtSource: 'given' | 'exif' | 'png-time' | 'file-time';
  receivedAt: string;
}

export interface ComplaintPrefill {
  spec: ComplaintSpecData;
  sources: Record<string, string>;
}

export interface ComplaintCheck {
  ok: boolean;
  missing: FieldIssue[];
}

// ---------------------------------------------------------------------------------------------
// Built bundles, verification, preview
// ---------------------------------------------------------------------------------------------

export type BundleKind = 'registration' | 'complaint';

export interface BundleFile {
  path: string;
  sha256: string;
  byteSize: number;
  role: string;
}

export interface BuildResult {
  bundleId: string;
  kind: BundleKind;
  folder: string;
  zip: string;
  files: BundleFile[];
  manifestSha256: string;
  publicKeyFingerprint: string;
  /** Samples replaced by their lossless fix (registration). */
  fixedSamples: number[];
  warnings: string[];
}

export type BundleStatus = 'intact' | 'changed' | 'missing' | 'unverified';

export interface BundleRecord {
  bundleId: string;
  kind: BundleKind;
  title: string;
  createdAt: string;
  folder: string;
  zip: string;
  imageIds: number[];
  status: BundleStatus;
  checkedAt: string | null;
  /** Whether the folder and the ZIP are still where they were written. */
  folderExists: boolean;
  zipExists: boolean;
}

export interface VerifyIssue {
  kind: 'changed' | 'missing' | 'extra' | 'unsafe_entry' | 'symlink' | 'manifest_invalid' | 'signature_invalid' | 'signature_missing' | 'container_changed' | 'unreadable';
  path?: string;
  message: string;
}

export interface VerifyBundleResult {
  ok: boolean;
  path: string;
  container: 'folder' | 'zip';
  bundleId: string | null;
  bundleKind: BundleKind | null;
  generatedAt: string | null;
  signature: 'valid' | 'invalid' | 'missing';
  publicKeyFingerprint: string | null;
  /** Signed with this library's key: true/false, or null when the bundle carries no usable key. */
  signedByThisLibrary: boolean | null;
  filesChecked: number;
  problems: VerifyIssue[];
}

export interface PreviewPage {
  /** Media token of the page's PNG (api.mediaUrl('file', token)). */
  token: string;
  width: number;
  height: number;
}
export interface PreviewDocument {
  name: string;
  title: string;
  pageCount: number;
  pages: PreviewPage[];
  /** Media token of the PDF itself. */
  pdfToken: string;
}
export interface PreviewResult {
  documents: PreviewDocument[];
  /** Set when pages could not be rendered to images (e.g. pdftoppm is missing); the PDFs still are. */
  pageError: string | null;
}

export interface PublicKeyInfo {
  algorithm: 'Ed25519';
  fingerprint: string;
  pem: string;
  /** Where it was written, when asked to. */
  path: string | null;
}

const outDir = z.string({ error: 'outDir must be a folder path' }).min(1, 'give the output folder (it must not exist yet, or be empty)');

export const bundlesMethods = {
  'bundles.people.list': method<{ people: Person[] }>()({
    input: z.strictObject({ role: z.enum(personRoles).optional() }).default({}),
    summary: 'People profiles (owners, authors, agents), ID numbers masked.',
  }),
  'bundles.people.save': method<Person>()({
    input: PersonPatch.extend({
      id: personId.optional(),
      /** Image or PDF scans of the ID (both sides) or business licence to attach. */
      addScans: z.array(z.string().min(1, 'a scan path must not be empty')).max(20).default([]),
      /** SHA-256 of attached scans to remove. */
      removeScans: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(20).default([]),
    }),
    summary: 'Create or update a person profile; ID scans are copied into the library. Omit idNumber to keep the stored one.',
  }),
  'bundles.people.delete': method<{ deleted: boolean }>()({
    input: z.strictObject({ id: personId }),
    summary: 'Delete a person profile and its ID scans.',
  }),
  'bundles.registration.prefill': method<RegistrationPrefill>()({
    input: z.strictObject({ imageIds: z.array(imageId).min(1, 'choose at least one library image').max(500) }),
    summary: 'A draft registration spec from the library: title, completion date and author from EXIF, the work description drafted.',
  }),
  'bundles.registration.validate': method<RegistrationCheck>()({
    input: z.strictObject({ spec: RegistrationSpec }),
    summary: 'What is still missing for a registration bundle, and whether every sample passes its CPCC profile.',
  }),
  'bundles.registration.build': method<BuildResult>()({
    input: z.strictObject({ spec: RegistrationSpec, outDir, fixSamples: z.boolean().default(false) }),
    summary: 'Write a CPCC registration bundle (form, work description, rights guarantee, samples, contact sheet, signed manifest) as a folder and a ZIP.',
    job: true,
  }),
  'bundles.complaint.addEvidence': method<{ files: EvidenceFile[]; errors: { path: string; error: string }[] }>()({
    input: z.strictObject({ paths: z.array(z.string().min(1)).min(1, 'give at least one file').max(100) }),
    summary: 'Take screenshots or suspect images into custody: hash on arrival, keep their capture time.',
  }),
  'bundles.complaint.prefill': method<ComplaintPrefill>()({
    input: z.strictObject({ originalId: imageId, suspectPaths: z.array(z.string().min(1)).max(50).default([]) }),
    summary: 'A draft complaint spec for an original: title, owner and registration number from the library and the last registration.',
  }),
  'bundles.complaint.validate': method<ComplaintCheck>()({
    input: z.strictObject({ spec: ComplaintSpec }),
    summary: 'What is still missing or invalid (URLs, dates, files) for a complaint bundle.',
  }),
  'bundles.complaint.build': method<BuildResult>()({
    input: z.strictObject({ spec: ComplaintSpec, outDir }),
    summary: 'Write a complaint bundle (platform letters, DMCA notice, evidence report, files, signed manifest) as a folder and a ZIP.',
    job: true,
  }),
  'bundles.preview': method<PreviewResult>()({
    input: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('registration'), spec: RegistrationSpec }),
      z.strictObject({ kind: z.literal('complaint'), spec: ComplaintSpec }),
    ], { error: 'give {"kind": "registration" | "complaint", "spec": …}' }),
    summary: 'Render every PDF of a bundle and each of its pages as an image, before building.',
    job: true,
  }),
  'bundles.list': method<{ bundles: BundleRecord[] }>()({
    input: z.strictObject({ kind: z.enum(['registration', 'complaint']).optional() }).default({}),
    summary: 'Bundles built from this library, newest first, with their last verification status.',
  }),
  'bundles.verify': method<VerifyBundleResult>()({
    input: z.strictObject({ path: z.string().min(1, 'give a bundle folder or ZIP') }),
    summary: 'Check a bundle folder or ZIP: the manifest signature and every file hash; names changed, missing and extra files.',
    job: true,
  }),
  'bundles.exportPublicKey': method<PublicKeyInfo>()({
    input: z.strictObject({ outFile: z.string().min(1).optional() }).default({}),
    summary: "The library's bundle-signing public key (Ed25519, PEM), optionally written to a file.",
  }),
} as const;

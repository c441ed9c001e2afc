import type { Notice, Rights } from '../../../../contract/index.ts';

/**
 * XMP packets for exported files: the source's packet with targeted edits (kept as text so
 * nothing we do not understand is lost), or a fresh packet holding only the rights.
 * Properties are matched by their conventional prefixes (dc, xmpRights, exif, tiff, photoshop,
 * Iptc4xmpCore, Iptc4xmpExt), which is how every mainstream writer spells them.
 */

const NS = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  dc: 'http://purl.org/dc/elements/1.1/',
  xmpRights: 'http://ns.adobe.com/xap/1.0/rights/',
};

/** Removes a property (element or attribute form) whose qualified name matches `name` (a regex source). */
export function removeXmpProperty(xml: string, name: string): string {
  const element = new RegExp(`<(${name})(?=[\\s/>])[^>]*?(?:/>|>[\\s\\S]*?</\\1\\s*>)`, 'g');
  const attribute = new RegExp(`\\s(${name})\\s*=\\s*("[^"]*"|'[^']*')`, 'g');
  return xml.replace(element, '').replace(attribute, '');
}

/** Facts of the source, not of the export. */
const ALWAYS_REMOVED = [
  'tiff:Orientation', 'tiff:ImageWidth', 'tiff:ImageLength', 'tiff:XResolution', 'tiff:YResolution', 'tiff:ResolutionUnit',
  'exif:PixelXDimension', 'exif:PixelYDimension', 'xmp:Thumbnails', 'xap:Thumbnails', 'xmpGImg:image',
];
/** Where the photo was taken (any GPS property in any namespace, and the IPTC/Photoshop location fields). */
const LOCATION = [
  '[\\w-]+:GPS[\\w]*', '[\\w-]+:Gps[\\w]*', 'photoshop:City', 'photoshop:State', 'photoshop:Country',
  'Iptc4xmpCore:Location', 'Iptc4xmpCore:CountryCode', 'Iptc4xmpExt:LocationCreated', 'Iptc4xmpExt:LocationShown',
];
const RIGHTS = ['dc:creator', 'dc:rights', 'xmpRights:WebStatement', 'xmpRights:UsageTerms', 'xmpRights:Marked'];

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function hasRights(r: Rights | null): r is Rights {
  return Boolean(r && (r.creator || r.copyright || r.webStatement || r.usageTerms));
}

function rightsDescription(r: Rights): string {
  const parts: string[] = [];
  if (r.creator) parts.push(`<dc:creator><rdf:Seq><rdf:li>${esc(r.creator)}</rdf:li></rdf:Seq></dc:creator>`);
  if (r.copyright) {
    parts.push(`<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">${esc(r.copyright)}</rdf:li></rdf:Alt></dc:rights>`);
    parts.push('<xmpRights:Marked>True</xmpRights:Marked>');
  }
  if (r.webStatement) parts.push(`<xmpRights:WebStatement>${esc(r.webStatement)}</xmpRights:WebStatement>`);
  if (r.usageTerms) parts.push(`<xmpRights:UsageTerms><rdf:Alt><rdf:li xml:lang="x-default">${esc(r.usageTerms)}</rdf:li></rdf:Alt></xmpRights:UsageTerms>`);
  return `<rdf:Description rdf:about="" xmlns:dc="${NS.dc}" xmlns:xmpRights="${NS.xmpRights}">${parts.join('')}</rdf:Description>`;
}

function freshPacket(r: Rights): string {
  return `<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="${NS.rdf}">${rightsDescription(r)}</rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;
}

export interface XmpPlan {
  original: string | null;
  keep: boolean;
  stripLocation: boolean;
  rights: Rights | null;
}

/** The export's XMP packet, or null when there is nothing to say. */
export function buildXmp(plan: XmpPlan): { xmp: string | null; warnings: Notice[] } {
  const rights = hasRights(plan.rights) ? plan.rights : null;
  const original = plan.keep ? plan.original?.replace(/\0+$/, '').trim() || null : null;
  if (!original) return { xmp: rights ? freshPacket(rights) : null, warnings: [] };
  if (!/<\/rdf:RDF\s*>/.test(original)) {
    return { xmp: rights ? freshPacket(rights) : null, warnings: [{ code: 'watermark.xmp-invalid', text: 'The source XMP is not valid RDF; it was not kept.' }] };
  }
  let xml = original;
  for (const name of ALWAYS_REMOVED) xml = removeXmpProperty(xml, name);
  if (plan.stripLocation) for (const name of LOCATION) xml = removeXmpProperty(xml, name);
  if (rights) {
    for (const name of RIGHTS) xml = removeXmpProperty(xml, name);
    xml = xml.replace(/<\/rdf:RDF\s*>/, `${rightsDescription(rights)}</rdf:RDF>`);
  }
  return { xmp: xml, warnings: [] };
}

/** A fallback when the kept packet does not fit the format (JPEG holds 64 KB in one segment). */
export function rightsOnlyXmp(rights: Rights | null): string | null {
  return hasRights(rights) ? freshPacket(rights) : null;
}

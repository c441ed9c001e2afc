import exifr from 'exifr';
import type { ImageMetadata } from '../../contract/index.ts';

const EMPTY: ImageMetadata = {
  capturedAt: null, cameraMake: null, cameraModel: null, lens: null, artist: null,
  copyright: null, orientation: null, software: null, gps: null, fields: {},
};

/**
 * exifr decodes IPTC text as Latin-1 even when the file says UTF-8 (an open exifr bug).
 * Re-decode when the Latin-1 string is really UTF-8 bytes.
 */
export function fixLatin1Mojibake(text: string): string {
  if (!/[\u0080-\u00ff]/.test(text) || /[\u0100-\uffff]/.test(text)) return text;
  const decoded = Buffer.from(text, 'latin1').toString('utf8');
  return decoded.includes('\uFFFD') ? text : decoded;
}

/** EXIF dates are local wall-clock time with no zone: keep them so ("2015-07-21T16:17:44"). */
export function exifDateToIso(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(value.trim());
  if (m) {
    if (m[1] === '0000') return null;
    return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;
  }
  const iso = /^(\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?)/.exec(value.trim());
  return iso ? iso[1]! : null;
}

function text(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() ? fixLatin1Mojibake(v.trim()) : null;
  if (Array.isArray(v)) return v.map(text).filter(Boolean).join('; ') || null;
  if (v && typeof v === 'object' && 'value' in v) return text((v as { value: unknown }).value);
  return null;
}

const KEPT_FIELDS = [
  'Make', 'Model', 'LensModel', 'Artist', 'Copyright', 'Software', 'DateTimeOriginal', 'CreateDate', 'DateTime',
  'ImageDescription', 'ExposureTime', 'FNumber', 'ISO', 'ISOSpeedRatings', 'FocalLength', 'creator', 'rights',
  'Credit', 'UsageTerms', 'WebStatement', 'DateCreated', 'Byline', 'CopyrightNotice', 'ObjectName', 'Headline', 'title', 'description',
];

/** EXIF/XMP/IPTC essentials. Unreadable metadata is not an error: the image still imports. */
export async function readMetadata(bytes: Uint8Array): Promise<ImageMetadata> {
  let raw: Record<string, unknown> | undefined;
  try {
    raw = await exifr.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      tiff: true, exif: true, gps: true, xmp: true, iptc: true, icc: false, ihdr: false,
      translateValues: false, reviveValues: false, mergeOutput: true,
    });
  } catch {
    raw = undefined;
  }
  if (!raw) return { ...EMPTY, fields: {} };
  const fields: Record<string, string | number> = {};
  for (const key of KEPT_FIELDS) {
    const v = raw[key];
    if (typeof v === 'number' && Number.isFinite(v)) fields[key] = v;
    else {
      const t = text(v);
      if (t) fields[key] = t;
    }
  }
  const lat = raw.latitude ?? raw.GPSLatitude;
  const lon = raw.longitude ?? raw.GPSLongitude;
  const orientation = typeof raw.Orientation === 'number' ? raw.Orientation : null;
  return {
    capturedAt: exifDateToIso(raw.DateTimeOriginal) ?? exifDateToIso(raw.CreateDate) ?? exifDateToIso(raw.DateCreated),
    cameraMake: text(raw.Make),
    cameraModel: text(raw.Model),
    lens: text(raw.LensModel),
    artist: text(raw.Artist) ?? text(raw.creator) ?? text(raw.Byline),
    copyright: text(raw.Copyright) ?? text(raw.rights) ?? text(raw.CopyrightNotice),
    orientation,
    software: text(raw.Software),
    gps: typeof lat === 'number' && typeof lon === 'number' ? { latitude: lat, longitude: lon } : null,
    fields,
  };
}

import type { FieldIssue, Notice, Wording } from '../../contract/index.ts';
import { fill, labels } from './templates.ts';
import { idTail, maskId, type FullPerson } from './people.ts';

export type Lang = 'zh' | 'en';
export type Labels = Record<string, Record<string, string>>;

export function labelsFor(resourcesDir: string, lang: Lang): Labels {
  return labels(resourcesDir, lang);
}

/** A label of an enum value, e.g. L.category.photographic. */
export function label(L: Labels, group: string, key: string): string {
  return L[group]?.[key] ?? key;
}

/** A phrase of labels.json with its placeholders filled. */
export function phrase(L: Labels, key: string, values: Record<string, unknown> = {}, group = 'phrase'): string {
  return fill(L[group]?.[key] ?? key, values);
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "2026-03-02" → "2026年3月2日" / "2 March 2026"; anything else is returned as given. */
export function formatDate(iso: string, lang: Lang): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return iso;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return lang === 'zh' ? `${y}年${mo}月${d}日` : `${d} ${MONTHS[mo - 1]} ${y}`;
}

/** A date line for signatures: the date when given, else a blank to fill in by hand. */
export function dateLine(iso: string, lang: Lang): string {
  return iso ? formatDate(iso, lang) : '';
}

export function joinList(items: string[], L: Labels): string {
  return items.filter(Boolean).join(phrase(L, 'listSep', {}, 'word'));
}

export function isValidDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Why `s` is not a usable web address, or null when it is one. */
/** A field problem with its phrase code, so the interface can say it in its own language. */
export function fieldIssue(path: string, code: string, message: string, values?: Wording['values']): FieldIssue {
  return { path, message, wording: values ? { code: `bundle.${code}`, values } : { code: `bundle.${code}` } };
}

/** What is wrong with a web address ("… is not a web address"), or null. */
export function urlProblem(s: string): Notice | null {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return { code: 'url-not-web', text: 'is not a web address (it should start with https:// or http://)' };
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return { code: 'url-scheme', values: { scheme: u.protocol }, text: `must be an http(s) web address, not ${u.protocol}` };
  if (!u.hostname.includes('.') && u.hostname !== 'localhost') return { code: 'url-host', values: { host: u.hostname }, text: `has no proper host name ("${u.hostname}")` };
  return null;
}

/** A field issue for a bad web address: `what` starts the English sentence. */
export function urlIssue(path: string, what: string, problem: Notice): FieldIssue {
  return fieldIssue(path, problem.code, `${what} ${problem.text}`, problem.values);
}

export function emailProblem(s: string): string | null {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s) ? null : 'is not an email address';
}

/** How a person appears in documents, in one language. */
export function personView(p: FullPerson, L: Labels) {
  return {
    name: p.name,
    kindLabel: label(L, 'kind', p.kind),
    idTypeLabel: label(L, 'idType', p.idType),
    idNumber: p.idNumber,
    idMasked: maskId(p.idNumber),
    idTail: idTail(p.idNumber),
    creditLabel: p.creditAs === 'pen-name' && p.penName ? `${label(L, 'creditAs', p.creditAs)}：${p.penName}` : label(L, 'creditAs', p.creditAs),
    nationality: p.nationality,
    region: [p.province, p.city].filter(Boolean).join(' '),
    address: p.address,
    postcode: p.postcode,
    contactName: p.contactName,
    phone: p.phone,
    email: p.email,
  };
}
export type PersonView = ReturnType<typeof personView>;

// The fuzz inputs of test/fuzz.test.ts: seeded corpora of ADF, STAR and MIME documents, byte- and markup-level mutations, and makeInput(kind, index), deterministic for a seed.
import { readdirSync, readFileSync } from 'node:fs';
import type { RawInput } from '../../src/input.js';

export type Kind = 'adf' | 'star' | 'mime';

// ---------------------------------------------------------------------------
// Deterministic randomness: every input has its own generator, derived from the seed, its kind and its index.
// ---------------------------------------------------------------------------

type Rng = () => number;

function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const rngFor = (seed: number, kind: string, index: number): Rng => mulberry32(fnv1a(`${seed}:${kind}:${index}`));
const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[int(rng, xs.length)]!;

// ---------------------------------------------------------------------------
// Corpora (latin1 strings: one character per byte, so byte-level mutations are string edits).
// ---------------------------------------------------------------------------

const dir = (rel: string): URL => new URL(`../${rel}`, import.meta.url);
const files = (rel: string, ext: RegExp, skip: RegExp = /^$/): string[] =>
  readdirSync(dir(rel))
    .filter((f) => ext.test(f) && !skip.test(f))
    .sort()
    .map((f) => readFileSync(new URL(f, dir(rel))).toString('latin1'));

const REAL_STAR = files('../fixtures/real-leads/', /^star-.*\.xml$/);
/** STAR variants: namespace-prefixed, lower-cased, and a minimal hand-made lead, so the corpus is not one document. */
const STAR_CORPUS = [
  ...REAL_STAR,
  ...REAL_STAR.map((s) => s.replace(/<(\/?)(?=[A-Z])/g, '<$1star:')),
  ...REAL_STAR.map((s) => s.replace(/<(\/?)([A-Za-z][\w.-]*)/g, (_m, slash: string, name: string) => `<${slash}${name.toLowerCase()}`)),
  '<?xml version="1.0" encoding="UTF-8"?><ProcessSalesLead xmlns="http://www.starstandard.org/STAR/5"><ProcessSalesLeadDataArea><SalesLead><SalesLeadHeader><CustomerProspect><ProspectParty><SpecifiedPerson><GivenName>Pat</GivenName><FamilyName>Doe</FamilyName><URICommunication><URIID>pat@example.com</URIID><ChannelCode>email</ChannelCode></URICommunication></SpecifiedPerson></ProspectParty></CustomerProspect></SalesLeadHeader></SalesLead></ProcessSalesLeadDataArea></ProcessSalesLead>',
];
export const CORPUS: Record<Kind, string[]> = {
  adf: [...files('../fixtures/real-leads/', /\.xml$/, /^star-/), ...files('../src/formats/fixtures/', /\.xml$/), ...files('../fixtures/hostile/', /\.xml$/, /^star-|^many-/)],
  star: STAR_CORPUS,
  mime: [...files('../fixtures/emails/', /\.eml$/), ...files('../fixtures/hostile/', /\.eml$/)],
};

// ---------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------

const utf8AsLatin1 = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');
const insertAt = (s: string, at: number, what: string): string => s.slice(0, at) + what + s.slice(at);

const SNIPPETS = [
  '&', '&amp', '&nbsp;', '&NBSP;', '&#0;', '&#x110000;', '&#xD800;', '&#65;', '&#x1F600;', '&lol;', '&amp;lt;', '&unknownentity;',
  '<', '>', '<<', '<!', '<?', '<?adf version="1.0"?>', '<?xml version="1.0"?>', ']]>', '<![CDATA[', '<!--', '-->',
  '<!DOCTYPE adf>', '<!ENTITY x "y">', '<!doctype x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x">%p;]>', '<br>', '</br>', '<p class="x">',
  '"', "'", '=', ' a=b ', '\u0000', '\r', '\n', '\t', '\u000b', utf8AsLatin1('\uffff'), utf8AsLatin1('\ufeff'), utf8AsLatin1('é'), utf8AsLatin1('😀'),
  '\xe9', '\xff\xfe', '\xc0\xaf', '\xed\xa0\x80', '<prospect>', '</prospect>', '<adf>', '</adf>', '<customer>', '<contact>',
  '<name part="full">Fuzz Doe</name>', '<email>fuzz@example.com</email>', '<phone>2125550123</phone>', '<SalesLead>', '</SalesLead>',
  '<ProcessSalesLead>', '<xi:include href="file:///etc/passwd"/>', '--', '\r\n--', '\r\n\r\n', 'Content-Type: multipart/mixed; boundary="z"\r\n',
  '=3D"', '=\r\n', '> ', '\n> ', 'Name: Fuzz Doe\n', 'Email: fuzz@example.com\n', 'Phone: 212-555-0123\n', '-----Original Message-----\n',
];
const CHARSETS = ['utf-8', 'UTF-16', 'utf-16le', 'iso-8859-1', 'windows-1252', 'us-ascii', 'shift_jis', 'utf-7', 'bogus', '', 'ebcdic-cp-us', 'x-unknown', 'iso-2022-jp', 'koi8-r', 'gb18030'];
const PART_TYPES = ['text/plain', 'text/html', 'application/xml', 'message/rfc822', 'multipart/mixed', 'multipart/alternative', 'application/octet-stream', 'text/xml; charset=utf-16'];
const ENCODINGS = ['base64', 'quoted-printable', '7bit', '8bit', 'binary', 'x-uuencode', 'bogus'];

type Mutation = (s: string, rng: Rng, kind: Kind) => string;

/** Values that stress normalize (dates, prices, years, VINs, emails, phones, names) rather than the XML layer. */
const VALUES = [
  '', ' ', '0', '-0', '-1', '1e309', 'NaN', 'Infinity', '99999999999999999999', '0x1A', '$1,234.56', '1.234,56 €', '£', '$-', '12,34,56', '.5', '5.', '1/2',
  '2024-02-30T25:61:61Z', '31/12/99', '12/31/1999 11:59 PM', 'yesterday', '0000-00-00', '+275760-09-13T00:00:00Z', '1970-01-01T00:00:00+99:99', '2025-10-18T12:00:00.123456789-07:00', '2025-13-45',
  'a@b', '@', 'x@y..com', '"quoted"@x.com', 'a@[127.0.0.1]', 'UPPER@EXAMPLE.COM', 'a@b.c', 'mailto:a@example.com', 'a@example.com, b@example.com; c@',
  '+', '+1 (', '0000000000', '+999 999 999 999 999', '1-800-FLOWERS', `555-0100 x${'9'.repeat(50)}`, '(555) 010-0102 ext. 12', '+44 7700 900123', '07700 900123', 'tel:+1-212-555-0123',
  '11111111111111111', 'IOQIOQIOQIOQIOQIO', '1HGCM82633A00435', '1HGCM82633A004352X', '0', '-2020', '20200', '1899', '2101', '2025.5',
  'N/A', 'null', 'undefined', '-', '???', 'Dr. Jo-Ann O\'Brien-Smith III', 'ÉLODIE Ødegård', '李小龙', 'محمد', '😀😀', 'a\u0301', '\u200b\u200b', '\u202e\u202d',
  'buy', 'lease', 'SELL', 'trade-in', 'certified pre-owned', 'new', 'used', 'mi', 'km', '123,456 miles',
];

/** A random value: one of VALUES, or random characters from several scripts, up to 300 long. */
function value(rng: Rng): string {
  if (rng() < 0.7) return pick(rng, VALUES);
  const pools = ['abcXYZ', '0123456789', ' \t', '.,-/:;()+#@&\'"', 'éßøÆ', '中文字', '😀🚗', '\u0000\u0001\u001f\u007f', '\ufeff\u200b'];
  let out = '';
  for (let n = int(rng, 300); n > 0; n--) out += pick(rng, [...pick(rng, pools)]);
  return out;
}

/** A random position, biased towards markup: half the time the start of a tag. */
function position(s: string, rng: Rng): number {
  if (s.length === 0) return 0;
  if (rng() < 0.5) {
    const from = int(rng, s.length);
    const lt = s.indexOf('<', from);
    if (lt >= 0) return lt;
  }
  return int(rng, s.length + 1);
}

const MUTATIONS: Record<string, Mutation> = {
  flipBytes: (s, rng) => {
    const a = s.split('');
    for (let n = 1 + int(rng, 8); n > 0 && a.length; n--) a[int(rng, a.length)] = String.fromCharCode(int(rng, 256));
    return a.join('');
  },
  truncate: (s, rng) => s.slice(0, int(rng, s.length + 1)),
  splice: (s, rng, kind) => {
    const other = pick(rng, rng() < 0.8 ? CORPUS[kind] : CORPUS[pick(rng, ['adf', 'star', 'mime'] as const)]);
    return s.slice(0, position(s, rng)) + other.slice(position(other, rng));
  },
  duplicateTag: (s, rng) => {
    const at = position(s, rng);
    const end = s.indexOf('<', at + 1 + int(rng, 400));
    const piece = s.slice(at, end < 0 ? s.length : end);
    return insertAt(s, at, piece.repeat(1 + int(rng, rng() < 0.1 ? 200 : 3)));
  },
  deleteTag: (s, rng) => {
    const at = position(s, rng);
    const end = rng() < 0.5 ? s.indexOf('>', at) + 1 : s.indexOf('<', at + 1 + int(rng, 400));
    return s.slice(0, at) + (end <= at ? '' : s.slice(end));
  },
  charsetSwap: (s, rng) => {
    const cs = pick(rng, CHARSETS);
    if (/encoding\s*=\s*["'][^"']*["']/i.test(s) && rng() < 0.6) return s.replace(/encoding\s*=\s*["'][^"']*["']/i, `encoding="${cs}"`);
    if (/charset\s*=\s*"?[\w.:-]+"?/i.test(s) && rng() < 0.8) return s.replace(/charset\s*=\s*"?[\w.:-]+"?/i, `charset=${cs}`);
    return `<?xml version="1.0" encoding="${cs}"?>${s}`;
  },
  entityInject: (s, rng) => {
    let out = s;
    for (let n = 1 + int(rng, 4); n > 0; n--) out = insertAt(out, position(out, rng), pick(rng, SNIPPETS));
    return out;
  },
  fieldValue: (s, rng) => {
    // Replace the text of a random simple element (`>text</`) with a hostile value, escaped or raw.
    const at = s.indexOf('</', int(rng, s.length));
    if (at < 0) return s;
    const open = s.lastIndexOf('>', at);
    if (open < 0) return s;
    const v = value(rng);
    const text = rng() < 0.8 ? v.replace(/&/g, '&amp;').replace(/</g, '&lt;') : v;
    return s.slice(0, open + 1) + utf8AsLatin1(text) + s.slice(at);
  },
  run: (s, rng) => insertAt(s, position(s, rng), pick(rng, ['A', ' ', '<', '&', '-', '>', '\n', '1.', 'a@', '=', '<b>', '&lt;']).repeat(1 + int(rng, 3000))),
  caseFlip: (s, rng) => s.replace(/<\/?[A-Za-z][\w:.-]*/g, (t) => (rng() < 0.3 ? (rng() < 0.5 ? t.toUpperCase() : t.toLowerCase()) : t)),
  lineEndings: (s, rng) => {
    const eol = pick(rng, ['\n', '\r\n', '\r', '\n\n']);
    return s.replace(/\r\n|\r|\n/g, eol);
  },
  utf16: (s, rng) => {
    const bytes = Buffer.from(Buffer.from(s, 'latin1').toString('utf8'), rng() < 0.5 ? 'utf16le' : 'latin1');
    const bom = rng() < 0.5 ? '\xff\xfe' : '';
    return bom + bytes.toString('latin1');
  },
  // MIME only from here on.
  boundaryDamage: (s, rng) => {
    const m = /boundary\s*=\s*"?([^";\r\n]+)"?/i.exec(s);
    if (!m) return insertAt(s, position(s, rng), '\r\n--\r\n');
    const b = m[1]!;
    switch (int(rng, 6)) {
      case 0:
        return s.replace(`--${b}--`, '');
      case 1:
        return s.replace(m[0], `boundary="${b}x"`);
      case 2: {
        const lines = s.split('\r\n');
        const idx = lines.findIndex((l, i) => i > 0 && l.startsWith(`--${b}`) && rng() < 0.5);
        if (idx > 0) lines.splice(idx, 0, lines[idx]!);
        return lines.join('\r\n');
      }
      case 3:
        return s.split(`--${b}`).join(`--${b.slice(0, Math.max(1, b.length - 1))}`);
      case 4:
        return s.replace(m[0], 'boundary=""');
      default:
        return insertAt(s, position(s, rng), `\r\n--${b}\r\nContent-Type: multipart/mixed; boundary="${b}"\r\n\r\n--${b}\r\n`);
    }
  },
  headerDamage: (s, rng) => {
    switch (int(rng, 4)) {
      case 0:
        return s.replace(/Content-Transfer-Encoding:\s*[\w-]+/i, `Content-Transfer-Encoding: ${pick(rng, ENCODINGS)}`);
      case 1:
        return s.replace(/Content-Type:\s*[\w/+.-]+/i, `Content-Type: ${pick(rng, PART_TYPES)}`);
      case 2:
        return `X-Fuzz: ${'v'.repeat(int(rng, 2000))}\r\n${rng() < 0.5 ? ' folded\r\n' : ''}${s}`;
      default: {
        const blank = s.indexOf('\r\n\r\n');
        return blank < 0 ? s : s.slice(0, blank) + s.slice(blank + 2);
      }
    }
  },
};
const COMMON = ['flipBytes', 'truncate', 'splice', 'duplicateTag', 'deleteTag', 'charsetSwap', 'entityInject', 'run', 'caseFlip', 'lineEndings', 'utf16', 'fieldValue', 'fieldValue', 'fieldValue'];
const MIME_ONLY = ['boundaryDamage', 'headerDamage'];

export interface FuzzInput {
  kind: Kind;
  index: number;
  raw: RawInput;
  mutations: string[];
}

/** Input `index` of a kind for a seed: a corpus document, one to three mutations, and (for XML) a content type or wrapper. */
export function makeInput(seed: number, kind: Kind, index: number): FuzzInput {
  const rng = rngFor(seed, kind, index);
  let s = pick(rng, CORPUS[kind]);
  const names = kind === 'mime' ? [...COMMON, ...MIME_ONLY, ...MIME_ONLY] : COMMON;
  const mutations: string[] = [];
  for (let n = 1 + int(rng, 3); n > 0; n--) {
    const name = pick(rng, names);
    mutations.push(name);
    s = MUTATIONS[name]!(s, rng, kind);
  }
  let bytes = Buffer.from(s, 'latin1');
  let contentType = 'message/rfc822';
  let adapter: string | undefined;
  if (kind !== 'mime') {
    const r = rng();
    if (r < 0.6) contentType = 'application/xml';
    else if (r < 0.7) contentType = `text/xml; charset=${pick(rng, CHARSETS)}`;
    else if (r < 0.78) contentType = 'text/plain';
    else if (r < 0.86) {
      contentType = 'application/json';
      bytes = Buffer.from(JSON.stringify({ lead: { adf: bytes.toString(rng() < 0.5 ? 'utf8' : 'latin1') } }), 'utf8');
    } else if (r < 0.93) {
      contentType = 'application/x-www-form-urlencoded';
      bytes = Buffer.from(`source=fuzz&adf=${encodeURIComponent(bytes.toString('utf8'))}`, 'utf8');
    } else {
      contentType = 'application/xml';
      adapter = pick(rng, ['adf', 'star', 'text']);
    }
  } else if (rng() < 0.05) {
    adapter = 'text';
  }
  const charset = /charset=([^;\s]*)/.exec(contentType)?.[1];
  return {
    kind,
    index,
    mutations,
    raw: { bytes, contentType, ...(charset ? { charset } : {}), transport: 'fuzz', receivedAt: '2025-10-18T12:00:00.000Z', ...(adapter ? { adapter } : {}) },
  };
}

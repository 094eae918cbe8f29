// Shared text helpers for normalize: whitespace tidying, placeholder detection, warning collection and plain-text comments.

import type { Warning } from '../../lead.js';

/** A place to collect warnings; every normalize helper pushes into one of these. */
export type WarningSink = Warning[];

/** Push a warning unless the same code+message is already there (e.g. seven empty-but-invalid phone slots → one warning). */
export function warn(sink: WarningSink, code: string, message: string): void {
  if (!sink.some((w) => w.code === code && w.message === message)) sink.push({ code, message });
}

// Spaces that real leads carry in place of plain ones: NBSP (HTML &nbsp; decoded), narrow NBSP U+202F
// (ICU 72+ time formatting, often mangled to "?" by a lossy charset conversion), figure space, tabs.
const ODD_SPACES = /[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;
// Zero-width characters and the BOM that copy/paste and Word-generated HTML leave behind.
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff]/g;

/**
 * Whether tidy would change a string: an invisible character, any whitespace but a plain space (JS `\s` is
 * tab, LF, VT, FF, CR, the Zs spaces, U+2028/2029 and U+FEFF), two spaces in a row, or a space at either end.
 * Most values ("Pat", "pat@example.com", "Honda Accord") have none, and then cost one scan instead of three passes.
 */
const UNTIDY = /[\t\n\v\f\r\u00a0\u1680\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]| {2}|^ | $/;

/** Collapse every kind of whitespace to one space and trim; `undefined` when nothing is left (never ""). */
export function tidy(value: string | undefined | null): string | undefined {
  if (value == null) return undefined;
  const s = String(value);
  if (!UNTIDY.test(s)) return s === '' ? undefined : s;
  const out = s.replace(INVISIBLE, '').replace(ODD_SPACES, ' ').trim();
  return out === '' ? undefined : out;
}

// Values providers put in a field when they have nothing to say. Compared after tidy + lower-case.
// "1 not provided"/"1 Not Available" come from Kia Digital and the Hyundai STAR feed (street lines),
// "Anonamous First" (sic) from an OEM default, "N/A" from OfferUp last names.
const PLACEHOLDERS = new Set([
  'n/a',
  'n.a.',
  'n.a',
  'na',
  'none',
  'null',
  'nil',
  'undefined',
  'unknown',
  'not provided',
  '1 not provided',
  'not available',
  '1 not available',
  'not applicable',
  'anonymous',
  'anonamous',
  'anonymous first',
  'anonamous first',
  'anonymous last',
  'anonamous last',
  'no name',
  'noname',
]);

/** The lower-cased character code of an ASCII letter or digit, else -1. */
export function asciiAlnumLower(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x7a ? l : -1;
}

/** A lookup by asciiAlnumLower code (0-127): which first characters a set of lower-case words starts with. */
export function firstChars(words: Iterable<string>): Uint8Array {
  const out = new Uint8Array(128);
  for (const w of words) if (w.charCodeAt(0) < 128) out[w.charCodeAt(0)] = 1;
  return out;
}

const PLACEHOLDER_FIRST = firstChars(PLACEHOLDERS);
/** ASCII only, no letter, at least one digit (the classes around \d exclude digits, so it never backtracks). */
// eslint-disable-next-line no-control-regex
const DIGITS_NO_LETTERS = /^[\u0000-/:-@[-`{-\u007f]*\d[\u0000-@[-`{-\u007f]*$/;

/** True for values that mean "nothing here": known placeholder words, or text with no letter and no digit ("-", ".", "?"). */
export function isPlaceholder(value: string): boolean {
  // Fast answer for most values ("Pat", "Honda", "714…"): one that starts with an ASCII letter or digit has a letter
  // or digit, and after lower-casing, whitespace folding and trim it still starts with that character (lower-cased),
  // so it is a placeholder only if some placeholder word starts with it too.
  const first = asciiAlnumLower(value.charCodeAt(0));
  if (first !== -1 && PLACEHOLDER_FIRST[first] === 0) return false;
  // Phone numbers ("(714) 848-7739", "1-800-…"): ASCII with a digit and no letter. Lower-casing and folding add no
  // letter, and every placeholder word has one, so the digit makes it no placeholder.
  if (first <= 0x39 && DIGITS_NO_LETTERS.test(value)) return false;
  const v = value.toLowerCase().replace(/\s+/g, ' ').trim();
  if (v === '') return true;
  if (PLACEHOLDERS.has(v)) return true;
  return !/[\p{L}\p{N}]/u.test(v);
}

/**
 * Tidy a free-text field and drop it when it is a placeholder, recording `placeholder_dropped`.
 * `what` names the field in the warning message (never the value: it may be customer data).
 */
export function cleanField(value: string | undefined, what: string, sink: WarningSink): string | undefined {
  const v = tidy(value);
  if (v === undefined) return undefined;
  if (isPlaceholder(v)) {
    warn(sink, 'placeholder_dropped', `A placeholder ${what} was dropped`);
    return undefined;
  }
  return v;
}

// Characters normalizeComments removes or rewrites wherever they are: invisible ones, CR, controls but tab and LF.
// eslint-disable-next-line no-control-regex
const COMMENT_CHARS = /[\u200b-\u200d\u2060\ufeff\r\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Space, tab, NBSP or narrow NBSP: what normalizeComments strips from line ends. */
function isLineEndSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0xa0 || c === 0x202f;
}

/**
 * Whether normalizeComments has line work to do: a line-end space before a newline or at the very end, or three
 * newlines in a row. Looks at each newline only (one regex with these alternatives tried them at every space of
 * the text: a microsecond per comment).
 */
function linesNeedWork(s: string): boolean {
  if (isLineEndSpace(s.charCodeAt(s.length - 1))) return true;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) {
    if (i > 0 && isLineEndSpace(s.charCodeAt(i - 1))) return true;
    if (s.charCodeAt(i + 1) === 0x0a && s.charCodeAt(i + 2) === 0x0a) return true;
  }
  return false;
}

/** Every line of `text` (split at \n) without its trailing spaces/tabs/NBSPs, in one pass instead of split/map/join. */
function stripLineEnds(text: string): string {
  if (!isLineEndSpace(text.charCodeAt(text.length - 1)) && !/[ \t\u00a0\u202f]\n/.test(text)) return text;
  let out = '';
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    let end = nl === -1 ? text.length : nl;
    while (end > start && isLineEndSpace(text.charCodeAt(end - 1))) end--;
    out += text.slice(start, end);
    if (nl === -1) return out;
    out += '\n';
    start = nl + 1;
  }
}

/**
 * Comments as plain text: the formats already turned <br> into newlines and stripped tags; here line endings
 * become \n (Kia Digital mixes bare LF into CRLF documents), trailing spaces go, runs of blank lines shrink to one.
 */
export function normalizeComments(value: string | undefined): string | undefined {
  if (value == null) return undefined;
  const raw = String(value);
  // Nothing for the passes below to do (no invisible or control character, no CR, no trailing space on a line,
  // no run of blank lines): only the trim is left. Most comments are like that. Without a COMMENT_CHARS character
  // the three character passes change nothing either, so they are skipped.
  const chars = COMMENT_CHARS.test(raw);
  if (!chars && !linesNeedWork(raw)) {
    const trimmed = raw.trim();
    return trimmed === '' ? undefined : trimmed;
  }
  const cleaned = chars
    ? raw
        .replace(INVISIBLE, '')
        .replace(/\r\n?/g, '\n')
        // Control characters other than tab/newline have no place in a comment (seen as mojibake residue).
        // eslint-disable-next-line no-control-regex
        .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    : raw;
  const text = stripLineEnds(cleaned)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return text === '' ? undefined : text;
}

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

/** True for values that mean "nothing here": known placeholder words, or text with no letter and no digit ("-", ".", "?"). */
export function isPlaceholder(value: string): boolean {
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

// eslint-disable-next-line no-control-regex
const COMMENT_WORK = /[\u200b-\u200d\u2060\ufeff\r\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]|[ \t\u00a0\u202f]\n|[ \t\u00a0\u202f]$|\n\n\n/;

/**
 * Comments as plain text: the formats already turned <br> into newlines and stripped tags; here line endings
 * become \n (Kia Digital mixes bare LF into CRLF documents), trailing spaces go, runs of blank lines shrink to one.
 */
export function normalizeComments(value: string | undefined): string | undefined {
  if (value == null) return undefined;
  const raw = String(value);
  // Nothing for the passes below to do (no invisible or control character, no CR, no trailing space on a line,
  // no run of blank lines): only the trim is left. Most comments are like that.
  if (!COMMENT_WORK.test(raw)) return raw.trim() === '' ? undefined : raw.trim();
  const text = raw
    .replace(INVISIBLE, '')
    .replace(/\r\n?/g, '\n')
    // Control characters other than tab/newline have no place in a comment (seen as mojibake residue).
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0\u202f]+$/u, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return text === '' ? undefined : text;
}

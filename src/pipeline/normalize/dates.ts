// Lead dates (requestdate & co.): every form providers send → ISO 8601 extended form, the UTC offset kept when known.

import { tidy, warn, type WarningSink } from './text.js';

/** What parseLeadDate had to do beyond reformatting; each maps to one warning code in parseRequestDate. */
export type DateNote = 'nonstandard' | 'no_offset' | 'bad_offset' | 'offset_repaired' | 'no_time';

export interface ParsedDate {
  /** YYYY-MM-DDThh:mm:ss[.sss][Z|±hh:mm] — no offset when none (or only a bogus one) was sent. */
  iso: string;
  notes: DateNote[];
}

// US zone abbreviations some US senders append instead of an offset.
const ZONES: Record<string, string> = {
  UTC: 'Z', GMT: 'Z', UT: 'Z',
  EST: '-05:00', EDT: '-04:00', CST: '-06:00', CDT: '-05:00', MST: '-07:00', MDT: '-06:00',
  PST: '-08:00', PDT: '-07:00', AKST: '-09:00', AKDT: '-08:00', HST: '-10:00',
};

// Real UTC offsets are whole hours or :30/:45 (India, Nepal, Chatham…). OfferUp's "-05:03" is none of these.
const OFFSET_MINUTES = new Set(['00', '30', '45']);

const pad = (n: string, width = 2) => n.padStart(width, '0');

/** Parse the text after the time into an ISO offset; undefined = unreadable. */
function parseOffset(text: string, basicForm: boolean, notes: Set<DateNote>): { offset?: string } | undefined {
  if (text === '') return {};
  if (text === 'Z' || text === 'z') return { offset: 'Z' };
  const upper = text.toUpperCase();
  if (ZONES[upper]) {
    notes.add('nonstandard');
    return { offset: ZONES[upper] };
  }
  const m = /^(?:(?:UTC|GMT)\s*)?([+-])(\d{1,2})(?:(:)?(\d{0,2}))?$/i.exec(text);
  if (!m) return undefined;
  const [, sign, hh, colon, mmRaw = ''] = m as unknown as [string, string, string, string | undefined, string | undefined];
  if (/^(UTC|GMT)/i.test(text)) notes.add('nonstandard');
  let mm = mmRaw;
  if (hh.length === 1) notes.add('offset_repaired'); // "-8" → "-08:00"
  if (mm.length === 1) {
    // The Wikipedia ADF example's "-08:0": a truncated minute field.
    mm = `${mm}0`;
    notes.add('offset_repaired');
  } else if (mm === '') {
    if (colon) notes.add('offset_repaired'); // "-08:" dangling colon; a bare "-08" is valid ISO
    mm = '00';
  } else if (!colon && !basicForm) {
    notes.add('nonstandard'); // CarGurus: extended date/time with a basic "-0400" offset
  }
  if (Number(hh) > 14 || !OFFSET_MINUTES.has(mm)) {
    notes.add('bad_offset');
    return {};
  }
  return { offset: `${sign}${pad(hh)}:${mm}` };
}

/**
 * Days in a month (1-12) of a 4-digit year, as Date.UTC(year, month, 0) counts them — including its reading of
 * years 0-99 as 1900-1999 — without building a Date per lead.
 */
export function daysInMonth(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  const y = year >= 0 && year <= 99 ? year + 1900 : year;
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
}

interface Parts {
  y: string;
  mo: string;
  d: string;
  h?: string | undefined;
  mi?: string | undefined;
  s?: string | undefined;
  frac?: string | undefined;
  ampm?: string | undefined;
  rest: string;
  basic: boolean;
}

function match(s: string, country: string, notes: Set<DateNote>): Parts | undefined {
  // Extended ISO, tolerating one-digit fields ("2008-06-25T8:47:50", mygoaltracking), a space for T and AM/PM.
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(\s*T\s*|\s+)(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d+))?)?(?:\s*([ap])\.?m\.?(?![a-z]))?)?\s*(.*)$/i.exec(s);
  if (m) {
    if (m[4] !== undefined && m[4] !== 'T') notes.add('nonstandard');
    if (m[9] !== undefined) notes.add('nonstandard');
    return { y: m[1]!, mo: m[2]!, d: m[3]!, h: m[5], mi: m[6], s: m[7], frac: m[8], ampm: m[9], rest: m[10]!, basic: false };
  }
  // Basic ISO, which ADF explicitly allows: 20000330T153020-0800.
  m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(?:[.,](\d+))?)?\s*(.*)$/i.exec(s);
  if (m) return { y: m[1]!, mo: m[2]!, d: m[3]!, h: m[4], mi: m[5], s: m[6], frac: m[7], rest: m[8]!, basic: true };
  // Slash dates: "10/17/2025 02:24:41 PM" (Team Velocity social), "10/12/2025 03:18:05 -04:00" (DealerRater).
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:\s*([ap])\.?m\.?(?![a-z]))?)?\s*(.*)$/i.exec(s);
  if (m) {
    notes.add('nonstandard');
    const a = Number(m[1]);
    const b = Number(m[2]);
    // Month first in the US (and from US providers generally); day first elsewhere — unless the numbers decide it.
    const monthFirst = a > 12 ? false : b > 12 ? true : country === 'US' || country === 'CA';
    return {
      y: m[3]!,
      mo: monthFirst ? m[1]! : m[2]!,
      d: monthFirst ? m[2]! : m[1]!,
      h: m[4],
      mi: m[5],
      s: m[6],
      frac: m[7],
      ampm: m[8],
      rest: m[9]!,
      basic: false,
    };
  }
  return undefined;
}

/**
 * The form most senders use: extended ISO with every field two digits, "T", optional fraction, and a "Z", a
 * "±hh:mm" or (CarGurus) a basic "±hhmm" offset, or none. Nothing for the lenient path to repair but that offset.
 * Tested without captures: the fields sit at fixed places, and a sign can only start the offset.
 */
const CANONICAL = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?$/;
const NO_OFFSET: DateNote[] = ['no_offset'];
const NONSTANDARD: DateNote[] = ['nonstandard'];

/** The two-digit number at `i` of a string whose characters there are digits. */
const twoDigits = (s: string, i: number): number => (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);
const isSign = (c: number): boolean => c === 0x2b || c === 0x2d;

/**
 * parseLeadDate's answer for a CANONICAL value whose fields are all in range, else undefined (take the lenient
 * path). Such a value holds no space, "?" or one-digit field, so the lenient path would note nothing but what the
 * offset says (none → no_offset, "±hhmm" → nonstandard) and print the same fields back (pinned in dates.test.ts).
 */
function parseCanonical(value: string): ParsedDate | undefined {
  if (!CANONICAL.test(value)) return undefined;
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(Number(value.slice(0, 4)), month)) return undefined;
  if (twoDigits(value, 11) > 23 || twoDigits(value, 14) > 59 || twoDigits(value, 17) > 59) return undefined;
  // Where the offset starts, and what it is: "Z", "±hh:mm", "±hhmm" or nothing.
  const n = value.length;
  let start = n;
  let offset = '';
  let notes: DateNote[] = [];
  if (value.charCodeAt(n - 1) === 0x5a) {
    start = n - 1;
    offset = 'Z';
  } else if (n >= 25 && isSign(value.charCodeAt(n - 6)) && value.charCodeAt(n - 3) === 0x3a) {
    start = n - 6;
  } else if (n >= 24 && isSign(value.charCodeAt(n - 5))) {
    start = n - 5;
    notes = [...NONSTANDARD];
  } else {
    notes = [...NO_OFFSET];
  }
  if (start < n && offset === '') {
    // Offsets the lenient path drops as impossible (bad_offset) are left to it.
    const hh = value.slice(start + 1, start + 3);
    const mm = value.slice(n - 2);
    if (Number(hh) > 14 || !OFFSET_MINUTES.has(mm)) return undefined;
    offset = `${value[start]}${hh}:${mm}`;
  }
  // The fraction, if any, runs from index 20 to the offset; milliseconds at most are kept.
  const frac = start > 19 ? value.slice(19, Math.min(start, 23)) : '';
  return { iso: `${value.slice(0, 19)}${frac}${offset}`, notes };
}

/**
 * Parse a lead date leniently; undefined when it is not a date at all or names an impossible one (month 13, 31 April).
 * `?`, NBSP and U+202F count as spaces: "11:00:00 AM" formatted by ICU carries a narrow NBSP that lossy charsets turn into "?".
 * Fractional seconds are kept (Costco sends milliseconds), truncated to milliseconds.
 */
export function parseLeadDate(value: string, opts: { country?: string | undefined } = {}): ParsedDate | undefined {
  return parseCanonical(value) ?? parseLeniently(value, opts);
}

/** parseLeadDate without the canonical-form shortcut (exported for the test that pins the shortcut to it). */
export function parseLeniently(value: string, opts: { country?: string | undefined } = {}): ParsedDate | undefined {
  const notes = new Set<DateNote>();
  const spaced = value.replace(/[?\u00a0\u202f\u2007\t]/g, ' ');
  if (spaced !== value) notes.add('nonstandard');
  const s = spaced.replace(/\s+/g, ' ').trim();
  const p = match(s, (opts.country ?? 'US').toUpperCase(), notes);
  if (!p) return undefined;

  const year = Number(p.y);
  const month = Number(p.mo);
  const day = Number(p.d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  const date = `${p.y}-${pad(p.mo)}-${pad(p.d)}`;
  if (p.h === undefined) {
    // Date only: nothing says which hour or zone; midnight local is the least surprising reading.
    if (p.rest !== '' && parseOffset(p.rest, p.basic, new Set()) === undefined) return undefined;
    return { iso: `${date}T00:00:00`, notes: [...notes, 'no_time'] };
  }

  let hour = Number(p.h);
  const minute = Number(p.mi);
  const second = p.s === undefined ? 0 : Number(p.s);
  if (p.ampm) {
    if (hour > 12) return undefined; // "14:00 PM" contradicts itself
    const pm = p.ampm.toLowerCase() === 'p';
    if (hour === 12) hour = pm ? 12 : 0;
    else if (pm) hour += 12;
  }
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if ([p.mo, p.d, p.h, p.mi, p.s].some((f) => f !== undefined && f.length === 1)) notes.add('nonstandard');

  const off = parseOffset(p.rest, p.basic, notes);
  if (!off) return undefined;
  if (off.offset === undefined && !notes.has('bad_offset')) notes.add('no_offset');
  const frac = p.frac ? `.${p.frac.slice(0, 3)}` : '';
  const iso = `${date}T${pad(String(hour))}:${pad(String(minute))}:${pad(String(second))}${frac}${off.offset ?? ''}`;
  return { iso, notes: [...notes] };
}

const MESSAGES: Record<DateNote, [string, string]> = {
  nonstandard: ['requestdate_nonstandard', 'The request date was not in ADF ISO 8601 form and was reformatted'],
  no_offset: ['requestdate_no_offset', 'The request date had no UTC offset; it was kept as local time without one'],
  bad_offset: ['requestdate_bad_offset', 'The request date had an impossible UTC offset, which was dropped'],
  offset_repaired: ['requestdate_offset_repaired', 'The request date had a truncated UTC offset, which was completed'],
  no_time: ['requestdate_no_time', 'The request date had no time of day; midnight local time was used'],
};

/**
 * requestedAt for a lead: the parsed requestdate, or `fallback` (the receive time) with `requestdate_missing` /
 * `requestdate_unparseable`. Each repair or guess adds its own warning (see DateNote).
 */
export function parseRequestDate(
  value: string | undefined,
  opts: { fallback: string; country?: string | undefined },
  sink: WarningSink = [],
): string {
  const v = tidy(value);
  if (v === undefined) {
    warn(sink, 'requestdate_missing', 'The lead had no request date; the receive time was used');
    return opts.fallback;
  }
  const parsed = parseLeadDate(v, { country: opts.country });
  if (!parsed) {
    warn(sink, 'requestdate_unparseable', 'The request date could not be read; the receive time was used');
    return opts.fallback;
  }
  for (const note of parsed.notes) warn(sink, MESSAGES[note][0], MESSAGES[note][1]);
  return parsed.iso;
}

// Customer phone numbers: E.164 via libphonenumber-js (full "max" metadata, so validity is real, not just length), raw kept, type/time normalized, duplicates merged.

import { findPhoneNumbersInText, isSupportedCountry, parsePhoneNumberFromString, type CountryCode, type PhoneNumber } from 'libphonenumber-js/max';
import type { DraftPhone, Phone } from '../../lead.js';
import { nanpFastPath } from './nanp.js';
import { isPlaceholder, tidy, warn, type WarningSink } from './text.js';

/**
 * Answers of phoneCountry by the value passed. Its keys are dealer countries from the configuration, never customer
 * data, and it stops growing at MAX_COUNTRIES; isSupportedCountry costs a metadata wrapper per call, once per lead.
 */
const COUNTRIES = new Map<string | undefined, CountryCode>();
const MAX_COUNTRIES = 64;

/** The dealer country as a libphonenumber country; anything unknown falls back to US (the deployment default). */
export function phoneCountry(country: string | undefined): CountryCode {
  const known = COUNTRIES.get(country);
  if (known) return known;
  const c = (country ?? '').trim().toUpperCase();
  const code = isSupportedCountry(c) ? (c as CountryCode) : 'US';
  if (COUNTRIES.size < MAX_COUNTRIES) COUNTRIES.set(country, code);
  return code;
}

// ADF's DTD says voice|fax|cellphone|pager, its prose says phone; real traffic adds cell, mobile, home, work, business
// (published-mygoaltracking-1.xml uses home/work/mobile/business). All map onto one small set.
const TYPES: Record<string, string> = {
  voice: 'voice',
  phone: 'voice',
  tel: 'voice',
  telephone: 'voice',
  landline: 'voice',
  cellphone: 'mobile',
  cell: 'mobile',
  mobile: 'mobile',
  mobilephone: 'mobile',
  cellular: 'mobile',
  wireless: 'mobile',
  home: 'home',
  homephone: 'home',
  work: 'work',
  workphone: 'work',
  business: 'work',
  office: 'work',
  fax: 'fax',
  facsimile: 'fax',
  pager: 'pager',
};

// ADF 1.0 times plus what senders use instead (`anytime` in a peer fixture; there is no `night` in 1.0).
const TIMES: Record<string, string> = {
  morning: 'morning',
  afternoon: 'afternoon',
  evening: 'evening',
  night: 'evening',
  day: 'day',
  daytime: 'day',
  nopreference: 'nopreference',
  anytime: 'nopreference',
  any: 'nopreference',
};

const key = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, '');

/**
 * The table's entries by exact spelling, those that are tidy and their own key() (all of them): a value sent
 * exactly so ("voice", "day") gets what `table[key(tidy(value))]` gives, without tidy, lower-casing and a regex.
 */
function exact(table: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(table).filter(([k]) => tidy(k) === k && key(k) === k));
}
const TYPES_EXACT = exact(TYPES);
const TIMES_EXACT = exact(TIMES);

/** voice | mobile | home | work | fax | pager, or undefined (unknown values warn `phone_type_unknown`). */
export function normalizePhoneType(type: string | undefined, sink: WarningSink = []): string | undefined {
  // Sent exactly as a table key ("voice"): tidy already, and answered by the Map below.
  const direct = type === undefined ? undefined : TYPES_EXACT.get(type);
  if (direct) return direct;
  const t = tidy(type);
  if (t === undefined) return undefined;
  const mapped = TYPES_EXACT.get(t) ?? TYPES[key(t)];
  if (!mapped) warn(sink, 'phone_type_unknown', 'A phone type was not recognised and was omitted');
  return mapped;
}

/** morning | afternoon | evening | day | nopreference, or undefined (unknown values warn `phone_time_unknown`). */
export function normalizePhoneTime(time: string | undefined, sink: WarningSink = []): string | undefined {
  const direct = time === undefined ? undefined : TIMES_EXACT.get(time);
  if (direct) return direct;
  const t = tidy(time);
  if (t === undefined) return undefined;
  const mapped = TIMES_EXACT.get(t) ?? TIMES[key(t)];
  if (!mapped) warn(sink, 'phone_time_unknown', 'A phone time preference was not recognised and was omitted');
  return mapped;
}

/** What libphonenumber made of one raw value: the valid E.164 number (if any), and whether it had to be searched for in text. */
interface ParsedRaw {
  e164: string | undefined;
  extracted: boolean;
}

/**
 * A bare run of digits (optional leading '+'), at most 17 long: libphonenumber's text search sees it as one
 * single candidate (its digit blocks allow 20, and every "inner match" split needs a non-digit), parsed the same
 * way as the exact parse, so when the exact parse is not valid the search cannot find a valid number either
 * (fuzz-checked in phones.test.ts). Skipping the search matters: it is libphonenumber's slowest path, and
 * redacted or junk numbers (555-01xx) always take it.
 */
const BARE_DIGITS = /^\+?\d{1,17}$/;

/**
 * Longest value searched for a number in text ("800-353-9350 option 0"): the search costs tens of microseconds per
 * character, so a few kilobytes of digits and dots took seconds (fixtures/hostile/phone-digit-flood.xml).
 */
const MAX_SEARCHED = 100;

/* No memo on purpose: a cache of raw phone numbers would keep customer data in memory for no real-traffic gain. */
function parseRaw(raw: string, country: CountryCode): ParsedRaw {
  // Plain US-style numbers, most of real traffic: the same answer from precompiled patterns (nanp.ts), ~30× cheaper.
  const fast = nanpFastPath(raw, country);
  if (fast) return { e164: fast.e164, extracted: false };
  const parsed: PhoneNumber | undefined = parsePhoneNumberFromString(raw, country);
  if (parsed?.isValid()) return { e164: parsed.number, extracted: false };
  if (BARE_DIGITS.test(raw) || raw.length > MAX_SEARCHED) return { e164: undefined, extracted: false };
  const found = findPhoneNumbersInText(raw, country).find((f) => f.number.isValid());
  return found ? { e164: found.number.number, extracted: true } : { e164: undefined, extracted: false };
}

/**
 * One phone value → { e164?, raw, type?, time? }, or undefined when empty (Kia/Mazda Digital send empty slots) or a placeholder.
 * Text around the number ("800-353-9350 option 0", AutoTrader) is tolerated: the number is found in the text
 * (`phone_extracted`). A number libphonenumber does not consider valid for the dealer country — 7-digit locals,
 * the 555-01xx range the fixtures were redacted to — keeps only `raw` (`phone_invalid`).
 */
export function normalizePhone(
  value: string | undefined,
  opts: { country?: string | undefined; type?: string | undefined; time?: string | undefined } = {},
  sink: WarningSink = [],
): Phone | undefined {
  return phoneIn(value, phoneCountry(opts.country), opts.type, opts.time, sink);
}

/** normalizePhone with the dealer country already resolved: normalizePhones resolves it once per lead, not per number. */
function phoneIn(value: string | undefined, country: CountryCode, type: string | undefined, time: string | undefined, sink: WarningSink): Phone | undefined {
  const raw = tidy(value);
  if (raw === undefined) return undefined;
  // "N/A", "-", "none", "000-000-0000": a form's way of saying no number; text without any digit is not a number either.
  if (isPlaceholder(raw) || !/[1-9]/.test(raw)) {
    warn(sink, 'placeholder_dropped', 'A placeholder phone number was dropped');
    return undefined;
  }
  const { e164, extracted } = parseRaw(raw, country);
  if (extracted) warn(sink, 'phone_extracted', 'A phone number was extracted from surrounding text; the raw value was kept');
  if (e164 === undefined) warn(sink, 'phone_invalid', 'A phone number could not be parsed as a valid number; only the raw value was kept');
  // Key order as in the contract: e164, raw, type, time.
  const phone: Phone = e164 !== undefined ? { e164, raw } : { raw };
  const t = normalizePhoneType(type, sink);
  if (t) phone.type = t;
  const tm = normalizePhoneTime(time, sink);
  if (tm) phone.time = tm;
  return phone;
}

/** Identity of a phone for de-duplication: the E.164 number, else the bare digits of the raw text. */
function phoneKey(p: Phone): string {
  if (p.e164) return p.e164;
  const digits = p.raw.replace(/\D/g, '');
  return digits ? `digits:${digits}` : `raw:${p.raw.toLowerCase()}`;
}

const GENERIC_TYPES = new Set(['voice']);

/**
 * Several slots holding the same number (Kia/Mazda Digital repeat it under day and evening) become one entry:
 * the first raw is kept, a specific type (mobile/home/work) beats a generic voice, and differing times mean the
 * number is good at either time, so time becomes nopreference.
 */
function merge(into: Phone, other: Phone): void {
  if (other.type && (!into.type || (GENERIC_TYPES.has(into.type) && !GENERIC_TYPES.has(other.type)))) into.type = other.type;
  if (other.time && other.time !== into.time) into.time = into.time ? 'nopreference' : other.time;
}

/**
 * All customer phones: empty slots dropped, duplicates merged (first wins), fax numbers kept with type fax.
 * `preferred` is true when a kept number was flagged preferredcontact=1.
 */
export function normalizePhones(
  phones: readonly DraftPhone[],
  country: string | undefined,
  sink: WarningSink = [],
): { phones: Phone[]; preferred: boolean } {
  const out: Phone[] = [];
  const byKey = new Map<string, Phone>();
  let preferred = false;
  const code = phoneCountry(country);
  for (const p of phones) {
    const phone = phoneIn(p.value, code, p.type, p.time, sink);
    if (!phone) continue;
    if (p.preferred) preferred = true;
    const k = phoneKey(phone);
    const existing = byKey.get(k);
    if (existing) {
      merge(existing, phone);
      continue;
    }
    byKey.set(k, phone);
    out.push(phone);
  }
  return { phones: out, preferred };
}

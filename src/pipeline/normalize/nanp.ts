// Fast path for plain North American numbers ("(714) 848-7739", "+1 714-848-7739"): libphonenumber's own answer from its metadata patterns, compiled once, without its per-call parse.

import { Metadata, type CountryCode } from 'libphonenumber-js/max';

/**
 * The shapes taken here: an optional "+1"/"1" prefix, then area code (optionally in parentheses), exchange and
 * line, separated by at most one space, dot or hyphen. The national number is always the 10 digits after the
 * prefix, starting 2-9, so libphonenumber strips nothing more from it (checked in nanp.test.ts). Anything else —
 * extensions, text, other separators — goes the full libphonenumber way.
 */
export const SHAPE = /^(?:\+?1[ .-]?)?(?:\(([2-9]\d\d)\)|([2-9]\d\d))[ .-]?(\d{3})[ .-]?(\d{4})$/;

/** The type patterns libphonenumber's getNumberType tries (FIXED_LINE first, then these). */
const TYPES = ['FIXED_LINE', 'MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL'] as const;

/** The parts of libphonenumber's Metadata class used here: public methods its typings do not declare. */
interface PlanMetadata {
  getCountryCodesForCallingCode(code: string): string[] | undefined;
  selectNumberingPlan(country: string): void;
  leadingDigits(): string | undefined;
  nationalNumberPattern(): string;
  hasTypes(): boolean;
  type(t: string): { pattern(): string; possibleLengths(): number[] | undefined } | undefined;
  numberingPlan: { nationalPrefixForParsing(): string | undefined; nationalPrefixTransformRule(): string | undefined };
}

/** A plan's type patterns for national numbers of length 10 (`long`) and of any other length (`short`). */
function typesOf(metadata: PlanMetadata, country: string): { long: string[]; short: { length: number; pattern: string }[] } {
  metadata.selectNumberingPlan(country);
  const long: string[] = [];
  const short: { length: number; pattern: string }[] = [];
  for (const t of TYPES) {
    const def = metadata.type(t);
    const pattern = def?.pattern();
    if (!def || !pattern) continue;
    const lengths = def.possibleLengths();
    if (!lengths) throw new Error(`libphonenumber metadata changed: ${country} ${t} has no possible lengths`);
    if (lengths.includes(10)) long.push(pattern);
    for (const length of lengths) if (length !== 10) short.push({ length, pattern });
  }
  return { long, short };
}

/**
 * One anchored alternation of patterns, each once: plans share patterns (US FIXED_LINE and MOBILE, the Caribbean
 * plans), and a number valid nowhere would try every copy before failing. Dropping repeats changes no answer.
 */
const whole = (patterns: string[]): RegExp => new RegExp(`^(?:${[...new Set(patterns)].map((p) => `(?:${p})`).join('|')})$`);

/** One plan of calling code 1 as libphonenumber picks and validates with it (getCountryByNationalNumber, getNumberType). */
interface CountryPlan {
  country: string;
  /** Its leading-digits rule (Caribbean plans: area codes), matched at the start of the national number. */
  leading: RegExp | undefined;
  national: RegExp;
  /** Its 10-digit type patterns; undefined when it has none. */
  types: RegExp | undefined;
  hasTypes: boolean;
}

interface Plan {
  /** Every plan of calling code 1, in libphonenumber's order (the main plan, US, first). */
  plans: CountryPlan[];
  /** Type patterns of the main plan (US), and its national number pattern. */
  main: RegExp;
  mainNational: RegExp;
  /** Type patterns of 10-digit numbers in every plan of calling code 1. */
  any: RegExp;
  /** Shorter numbers some plan accepts (CA's 7-digit 310-xxxx), by length: the text search can find these inside a 10-digit value. */
  short: Map<number, RegExp>;
  /** Dealer countries whose national numbers parse plainly: national prefix "1" and no rule that completes 7-digit locals (GU's "671$1"). */
  countries: ReadonlySet<string>;
}

/**
 * Compiled once at start-up from libphonenumber's "max" metadata:
 * - `main`: the first plan of calling code 1 (US). It has no leading-digits rule, so libphonenumber tests its
 *   types first and assigns a number matching them to it — such a number is valid, E.164 "+1" + national number.
 * - `any`: every 10-digit type of every calling-code-1 plan. A number matching none is valid nowhere in the plan,
 *   so the exact parse fails; and the text search can only find a shorter valid number inside it, which `short`
 *   rules out.
 * Undefined (fast path off, everything goes to libphonenumber) if the metadata is not shaped as expected.
 */
function compile(): Plan | undefined {
  try {
    const metadata = new Metadata() as unknown as PlanMetadata;
    const codes = metadata.getCountryCodesForCallingCode('1') ?? [];
    const first = codes[0];
    if (!first) return undefined;
    metadata.selectNumberingPlan(first);
    if (metadata.leadingDigits()) return undefined;
    const mainNational = new RegExp(`^(?:${metadata.nationalNumberPattern()})$`);
    const main = whole(typesOf(metadata, first).long);
    const long: string[] = [];
    const shortByLength = new Map<number, string[]>();
    const countries = new Set<string>();
    const plans: CountryPlan[] = [];
    for (const c of codes) {
      const types = typesOf(metadata, c);
      const ld = metadata.leadingDigits();
      plans.push({
        country: c,
        leading: ld ? new RegExp(`^(?:${ld})`) : undefined,
        national: new RegExp(`^(?:${metadata.nationalNumberPattern()})$`),
        types: types.long.length > 0 ? whole(types.long) : undefined,
        hasTypes: metadata.hasTypes(),
      });
      long.push(...types.long);
      for (const s of types.short) shortByLength.set(s.length, [...(shortByLength.get(s.length) ?? []), s.pattern]);
      const plan = metadata.numberingPlan;
      if (plan.nationalPrefixForParsing() === '1' && !plan.nationalPrefixTransformRule()) countries.add(c);
    }
    const short = new Map([...shortByLength].map(([length, patterns]) => [length, whole(patterns)]));
    return { plans, main, mainNational, any: whole(long), short, countries };
  } catch {
    return undefined;
  }
}

const PLAN = compile();

/** Whether national-format numbers of this dealer country are read plainly as NANP numbers (US, CA, DO, JM, PR). */
export function isNanpCountry(country: CountryCode): boolean {
  // The plans listed for calling code 1 are exactly the countries dialling it.
  return PLAN !== undefined && PLAN.countries.has(country);
}

/** Whether some run of consecutive digits could be a shorter number valid in a calling-code-1 plan. */
function holdsShortNumber(plan: Plan, digits: string): boolean {
  for (const [length, re] of plan.short) {
    for (let i = 0; i + length <= digits.length; i++) if (re.test(digits.slice(i, i + length))) return true;
  }
  return false;
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
/** One of SHAPE's separators: space, dot, hyphen. */
const isSeparator = (c: number): boolean => c === 0x20 || c === 0x2e || c === 0x2d;

/** Index after `count` digits from `i` (the first one 2-9 when `leading`), else -1. */
function digitsAt(raw: string, i: number, count: number, leading: boolean): number {
  if (leading && (raw.charCodeAt(i) === 0x30 || raw.charCodeAt(i) === 0x31)) return -1;
  for (let k = 0; k < count; k++) if (!isDigit(raw.charCodeAt(i + k))) return -1;
  return i + count;
}

/**
 * The 10-digit national number of a plain NANP-shaped value (SHAPE), else undefined. Read by hand, in one pass
 * without captures: SHAPE needs no backtracking (a value starting "+" or "1" must start with the prefix, since an
 * area code starts 2-9 or "("; a separator is never a digit), so a left-to-right read gives its answer (pinned in
 * nanp.test.ts).
 */
export function nanpNational(raw: string): string | undefined {
  let i = 0;
  const c0 = raw.charCodeAt(0);
  if (c0 === 0x2b || c0 === 0x31) {
    i = c0 === 0x2b ? 1 : 0;
    if (raw.charCodeAt(i) !== 0x31) return undefined;
    i++;
    if (isSeparator(raw.charCodeAt(i))) i++;
  }
  let area: number;
  if (raw.charCodeAt(i) === 0x28) {
    area = i + 1;
    i = digitsAt(raw, area, 3, true);
    if (i < 0 || raw.charCodeAt(i) !== 0x29) return undefined;
    i++;
  } else {
    area = i;
    i = digitsAt(raw, area, 3, true);
    if (i < 0) return undefined;
  }
  if (isSeparator(raw.charCodeAt(i))) i++;
  const exchange = i;
  i = digitsAt(raw, i, 3, false);
  if (i < 0) return undefined;
  if (isSeparator(raw.charCodeAt(i))) i++;
  const line = i;
  i = digitsAt(raw, i, 4, false);
  if (i !== raw.length) return undefined;
  return raw.slice(area, area + 3) + raw.slice(exchange, exchange + 3) + raw.slice(line, line + 4);
}

/** Whether libphonenumber's getNumberType finds a type for a 10-digit national number in this plan. */
function hasType(plan: CountryPlan, national: string): boolean {
  return plan.types !== undefined && plan.national.test(national) && plan.types.test(national);
}

/**
 * Whether libphonenumber's exact parse finds a national-format number valid: it assigns the number to the first
 * plan whose leading digits start it or (plans without leading digits) which has a type for it, else to the
 * dealer's plan, and the number is valid when that plan has a type for it. Undefined when the assigned plan has no
 * type patterns at all (libphonenumber then checks another pattern: ask it).
 */
function validInAssignedPlan(plan: Plan, national: string, country: CountryCode): boolean | undefined {
  let assigned: CountryPlan | undefined;
  for (const p of plan.plans) {
    if (p.leading ? p.leading.test(national) : hasType(p, national)) {
      assigned = p;
      break;
    }
  }
  assigned ??= plan.plans.find((p) => p.country === country);
  if (!assigned?.hasTypes) return undefined;
  return hasType(assigned, national);
}

/**
 * libphonenumber's answer for a plain NANP-shaped value when it can be read off the patterns: the E.164 number
 * when valid in the main plan or, failing that, in the plan libphonenumber assigns it to (a Canadian number at a
 * US dealer: libphonenumber takes some 40 µs to find that out, compiling every plan's patterns afresh); undefined
 * e164 when valid in no plan of calling code 1; else undefined (ask libphonenumber). Only for dealer countries of
 * calling code 1.
 */
export function nanpFastPath(raw: string, country: CountryCode): { e164: string | undefined } | undefined {
  if (PLAN === undefined || !isNanpCountry(country)) return undefined;
  const national = nanpNational(raw);
  if (national === undefined) return undefined;
  if (PLAN.mainNational.test(national) && PLAN.main.test(national)) return { e164: `+1${national}` };
  if (!PLAN.any.test(national)) return holdsShortNumber(PLAN, raw.replace(/\D/g, '')) ? undefined : { e164: undefined };
  // Valid somewhere in the plan (`any` holds every plan's types, so only then can the assigned plan have one).
  if (validInAssignedPlan(PLAN, national, country)) return { e164: `+1${national}` };
  return undefined;
}

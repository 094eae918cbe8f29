// Customer names: ADF name parts (first/middle/last/suffix/surname/full) to { first?, last?, full? }, with placeholders dropped and full-only names split.

import type { Customer, DraftName } from '../../lead.js';
import { asciiAlnumLower, cleanField, warn, type WarningSink } from './text.js';

export type NormalizedName = Customer['name'];

// Middle initials inside a full name ("Firstname M Lastname", Costco) are not part of the last name.
const INITIAL = /^\p{L}\.?$/u;

/**
 * Split a full name heuristically: "Last, First" (comma form), "First [M.] Last…" (first token is the first name,
 * single-letter initials after it are skipped, the rest is the last name so "de la Cruz" stays whole),
 * and a single word is taken as a first name (DealerRater sends e.g. "Ardo" alone).
 */
export function splitFullName(full: string): { first?: string; last?: string } {
  const comma = full.indexOf(',');
  if (comma > 0) {
    const last = full.slice(0, comma).trim();
    const rest = full.slice(comma + 1).trim();
    const first = rest.split(' ')[0];
    return { ...(first ? { first } : {}), ...(last ? { last } : {}) };
  }
  const tokens = full.split(' ').filter((t) => t !== '');
  if (tokens.length === 0) return {};
  const [first, ...rest] = tokens;
  while (rest.length > 1 && INITIAL.test(rest[0]!)) rest.shift();
  return rest.length > 0 ? { first: first!, last: rest.join(' ') } : { first: first! };
}

/**
 * Names as sent, minus placeholders. Rules (documented in the report):
 * - `surname` (DTD spelling) = last; a missing part means `full` (ADF default).
 * - Only a `full` → split into first/last with warning `name_split`; full kept as sent.
 * - first/last without full → full stays absent, unless a middle/suffix part would otherwise be lost.
 * - `type="business"` names only ever go to `full`, and only when no person name part exists.
 * - Casing is kept as sent (Mazda Digital's ALL-CAPS names included): changing it would be a guess.
 */
export function normalizeName(names: readonly DraftName[], sink: WarningSink = []): NormalizedName {
  const parts: Record<'first' | 'middle' | 'last' | 'suffix' | 'full', string | undefined> = {
    first: undefined,
    middle: undefined,
    last: undefined,
    suffix: undefined,
    full: undefined,
  };
  let business: string | undefined;
  for (const n of names) {
    const value = cleanField(n.value, 'name', sink);
    if (value === undefined) continue;
    // A name has letters; "-1" and "0" are unfilled form fields (Team Velocity). One starting with an ASCII letter has one.
    if (asciiAlnumLower(value.charCodeAt(0)) < 0x61 && !/\p{L}/u.test(value)) {
      warn(sink, 'placeholder_dropped', 'A placeholder name was dropped');
      continue;
    }
    // No type or ADF's "individual" (most names) is not "business"; anything else is compared after trim and lower-case.
    if (n.type != null && n.type !== 'individual' && n.type.trim().toLowerCase() === 'business') {
      business ??= value;
      continue;
    }
    let part = (n.part ?? '').trim().toLowerCase() || 'full';
    if (part === 'surname') part = 'last';
    if (part !== 'first' && part !== 'middle' && part !== 'last' && part !== 'suffix') part = 'full';
    // First occurrence of a part wins; later duplicates are usually the same value repeated.
    parts[part as keyof typeof parts] ??= value;
  }

  let out: NormalizedName = {};
  if (parts.first) out.first = parts.first;
  if (parts.last) out.last = parts.last;
  if (parts.full) {
    if (!parts.first && !parts.last) {
      out = splitFullName(parts.full);
      warn(sink, 'name_split', 'Only a full name was sent; it was split into first and last name heuristically');
    }
    out.full = parts.full;
  } else if (parts.middle || parts.suffix) {
    const composed = [parts.first, parts.middle, parts.last, parts.suffix].filter(Boolean).join(' ');
    if (composed) out.full = composed;
  }
  if (business) {
    if (Object.keys(out).length === 0) out.full = business;
    else warn(sink, 'business_name_dropped', 'A business name was sent alongside a person name and was not kept');
  }
  return out;
}

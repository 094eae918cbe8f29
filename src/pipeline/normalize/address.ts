// Customer postal address: street lines + apartment, city, region, postal code and ISO country, with OEM placeholders dropped.

import type { Address, DraftAddress } from '../../lead.js';
import { cleanField, warn, type WarningSink } from './text.js';

// Country names and ISO alpha-3 codes real leads send instead of the ISO 3166 alpha-2 code ADF asks for.
const COUNTRIES: Record<string, string> = {
  usa: 'US',
  'u.s.': 'US',
  'u.s.a.': 'US',
  'united states': 'US',
  'united states of america': 'US',
  america: 'US',
  can: 'CA',
  canada: 'CA',
  uk: 'GB',
  gbr: 'GB',
  'great britain': 'GB',
  'united kingdom': 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  mex: 'MX',
  mexico: 'MX',
  méxico: 'MX',
};

/** ISO 3166 alpha-2 (upper-case) from a code or a common name; unknown values are omitted with `country_unknown`. */
export function normalizeCountry(value: string | undefined, sink: WarningSink = []): string | undefined {
  const v = cleanField(value, 'country', sink);
  if (v === undefined) return undefined;
  const mapped = COUNTRIES[v.toLowerCase()];
  if (mapped) return mapped;
  if (/^[a-z]{2}$/i.test(v)) return v.toUpperCase();
  warn(sink, 'country_unknown', 'A country was not an ISO 3166 code or a known name and was omitted');
  return undefined;
}

/** Postal code as a string (ZIP 02115 keeps its zero); Impel's OEM template default "00000" (any all-zero code) is dropped. */
export function normalizePostalCode(value: string | undefined, sink: WarningSink = []): string | undefined {
  const v = cleanField(value, 'postal code', sink);
  if (v === undefined) return undefined;
  if (/^[0\s-]+$/.test(v)) {
    warn(sink, 'placeholder_dropped', 'A placeholder postal code was dropped');
    return undefined;
  }
  // UK and Canadian postcodes are written in capitals; digits are unaffected.
  return v.toUpperCase();
}

/**
 * The address, or undefined when nothing customer-specific is in it. An address holding only a country is
 * treated as empty: templates fill `<country>US</country>` for everyone (kia-digital-kiacom-testdrive-1.xml).
 */
export function normalizeAddress(address: DraftAddress | undefined, sink: WarningSink = []): Address | undefined {
  if (!address) return undefined;
  const lines: string[] = [];
  // "1 not provided" / "1 Not Available" street lines come from Kia Digital and the Hyundai STAR feed.
  for (const line of [...address.lines, address.apartment]) {
    const l = cleanField(line, 'address line', sink);
    if (l !== undefined) lines.push(l);
  }
  const out: Address = { lines };
  const city = cleanField(address.city, 'city', sink);
  if (city) out.city = city;
  const region = cleanField(address.region, 'region', sink);
  // A two-letter region is a state/province code: upper-case it. Longer names are kept as sent.
  if (region) out.region = /^[a-z]{2}$/i.test(region) ? region.toUpperCase() : region;
  const postalCode = normalizePostalCode(address.postalCode, sink);
  if (postalCode) out.postalCode = postalCode;
  const country = normalizeCountry(address.country, sink);
  if (country) out.country = country;
  if (lines.length === 0 && !out.city && !out.region && !out.postalCode) return undefined;
  return out;
}

// Property test: the NANP fast path gives exactly libphonenumber's answer (exact parse, then text search) for generated numbers, valid and invalid.

import fc from 'fast-check';
import { findPhoneNumbersInText, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import type { Warning } from '../../lead.js';
import { isNanpCountry, nanpFastPath, nanpNational, SHAPE } from './nanp.js';
import { normalizePhone } from './phones.js';

/** What phones.ts did before the fast path, straight from libphonenumber: exact parse, else the valid number found in the text. */
function reference(raw: string, country: CountryCode): { e164: string | undefined; extracted: boolean } {
  const parsed = parsePhoneNumberFromString(raw, country);
  if (parsed?.isValid()) return { e164: parsed.number, extracted: false };
  const found = findPhoneNumbersInText(raw, country).find((f) => f.number.isValid());
  return found ? { e164: found.number.number, extracted: true } : { e164: undefined, extracted: false };
}

const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
/** Area codes: anywhere 200-999, plus the redacted 555, toll-free 800/888 and Canadian/Caribbean ones, so every outcome is common. */
const areaCode = fc.oneof(
  fc.integer({ min: 200, max: 999 }).map(String),
  fc.constantFrom('555', '800', '888', '877', '204', '416', '604', '876', '787', '441', '268', '345', '900', '500', '700'),
);
const exchange = fc.oneof(fc.integer({ min: 200, max: 999 }).map(String), fc.constantFrom('555', '010', '100', '000', '911', '310'), digits(3));
const line = fc.oneof(digits(4), fc.integer({ min: 100, max: 199 }).map((n) => `0${n}`));
const sep = fc.constantFrom('', ' ', '-', '.');
const prefix = fc.constantFrom('', '', '+1', '+1 ', '1', '1-', '1 ', '+1-', '1.');
const country = fc.constantFrom<CountryCode>('US', 'US', 'CA', 'PR', 'JM', 'GU');

/** Raw values in the fast path's shapes, and near-misses around them that must fall through. */
const shaped = fc
  .record({ prefix, area: areaCode, paren: fc.boolean(), s1: sep, s2: sep, exchange, line })
  .map((r) => `${r.prefix}${r.paren ? `(${r.area})` : r.area}${r.s1}${r.exchange}${r.s2}${r.line}`);
const nearMiss = fc.oneof(
  shaped.map((s) => `${s} x12`),
  shaped.map((s) => s.replace(/-/g, '/')),
  fc.tuple(fc.constantFrom('0', '1'), digits(9)).map(([a, b]) => a + b),
  digits(11),
  digits(7),
);

const runs = { numRuns: 4000, seed: 20261122 };

describe('NANP fast path ≡ libphonenumber', () => {
  it('gives libphonenumber\'s answer for numbers of every calling-code-1 plan, at dealers in each', () => {
    // One made-up number per Canadian/Caribbean area code and a few exchanges: valid ones and invalid ones.
    const areas = ['204', '226', '236', '242', '246', '264', '268', '284', '340', '345', '416', '441', '473', '506', '604', '649', '658', '664', '670', '671', '684', '721', '758', '767', '784', '787', '809', '829', '849', '868', '869', '876', '939'];
    let compared = 0;
    for (const a of areas)
      for (const x of ['234', '310', '555', '456', '700', '911'])
        for (const c of ['US', 'CA', 'PR', 'JM', 'DO'] as CountryCode[]) {
          const raw = `(${a}) ${x}-4567`;
          const fast = nanpFastPath(raw, c);
          if (!fast) continue;
          const ref = reference(raw, c);
          expect([raw, c, fast.e164, ref.extracted]).toEqual([raw, c, ref.e164, false]);
          compared++;
        }
    expect(compared).toBeGreaterThan(500);
  });

  it('gives the same E.164 number, or the same "invalid", as the exact parse plus text search', () => {
    const taken = { valid: 0, invalid: 0, elsewhere: 0 };
    fc.assert(
      fc.property(fc.oneof(shaped, nearMiss), country, (raw, c) => {
        const fast = nanpFastPath(raw, c);
        if (!fast) return;
        const ref = reference(raw, c);
        expect(fast.e164).toBe(ref.e164);
        expect(ref.extracted).toBe(false);
        // The national number the fast path reasons about is the one libphonenumber extracts.
        expect(parsePhoneNumberFromString(raw, c)?.nationalNumber).toBe(nanpNational(raw));
        taken[fast.e164 ? 'valid' : 'invalid']++;
        // Valid, but in a Canadian or Caribbean plan: the plan libphonenumber assigns the number to decided it.
        if (fast.e164 && ['204', '416', '604', '876', '787', '441', '268', '345'].includes(nanpNational(raw)!.slice(0, 3))) taken.elsewhere++;
      }),
      runs,
    );
    // Both answers are exercised many times, so agreement is not vacuous.
    expect(taken.valid).toBeGreaterThan(500);
    expect(taken.invalid).toBeGreaterThan(300);
    expect(taken.elsewhere).toBeGreaterThan(100);
  });

  it('normalizePhone gives the same phone and warnings as the libphonenumber path', () => {
    fc.assert(
      fc.property(fc.oneof(shaped, nearMiss), country, (raw, c) => {
        const w: Warning[] = [];
        const phone = normalizePhone(raw, { country: c }, w);
        const ref = reference(raw, c);
        if (!/[1-9]/.test(raw) || /^0+$/.test(raw.replace(/\D/g, ''))) return; // placeholders: not a parse question
        expect(phone?.e164).toBe(ref.e164);
        expect(w.some((x) => x.code === 'phone_extracted')).toBe(ref.extracted);
      }),
      { numRuns: 1500, seed: 7 },
    );
  });

  it('falls through for shapes it does not own and for numbers valid only outside the main plan', () => {
    expect(nanpFastPath('800-353-9350 option 0', 'US')).toBeUndefined();
    expect(nanpFastPath('714/848/7739', 'US')).toBeUndefined();
    expect(nanpFastPath('0148487739', 'US')).toBeUndefined();
    expect(nanpFastPath('(204) 234-5678', 'CA')).toEqual({ e164: '+12042345678' }); // Manitoba: valid in CA's plan, which libphonenumber assigns it to
    expect(nanpFastPath('(204) 234-5678', 'US')).toEqual({ e164: '+12042345678' }); // the same at a US dealer
    expect(nanpFastPath('7148487739', 'GB')).toBeUndefined();
    expect(nanpFastPath('(555) 632-0000', 'GU')).toBeUndefined(); // GU completes 7-digit locals with 671: text search territory
    expect(nanpFastPath('(555) 310-1234', 'US')).toBeUndefined(); // holds CA's 7-digit 310-1234, which the text search finds
    expect(isNanpCountry('CA')).toBe(true);
    expect(isNanpCountry('GB')).toBe(false);
    expect(nanpFastPath('(714) 848-7739', 'US')).toEqual({ e164: '+17148487739' });
    expect(nanpFastPath('(555) 010-0123', 'US')).toEqual({ e164: undefined });
  });
});

describe('nanpNational', () => {
  const bySHAPE = (raw: string): string | undefined => {
    const m = SHAPE.exec(raw);
    return m ? (m[1] ?? m[2]) + m[3] + m[4] : undefined;
  };

  it('reads by hand what SHAPE matches, on shaped values, near misses and arbitrary mixes of its characters', () => {
    const mix = fc.array(fc.constantFrom('+', '1', '0', '2', '5', '9', '(', ')', ' ', '.', '-', '/', 'x', '555', '010', '0123', '\u00a0'), { maxLength: 14 }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.oneof(shaped, nearMiss, mix), (raw) => {
        expect(nanpNational(raw)).toBe(bySHAPE(raw));
      }),
      { numRuns: 20000, seed: 17 },
    );
  });
});

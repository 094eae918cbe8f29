// Unit tests for VIN cleaning and the North American check digit.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanVin, validateVin, vinCheckDigit, vinProblem } from './vin.js';

describe('validateVin', () => {
  it.each([
    '1HGCM82633A004352', // the fixtures' redacted trade-in VIN, a well-known valid example
    '2C3CDXCT6LH229383', // cargurus-1.xml inventory VIN
    'JM3KJDHD7S1125487', // cargurus-no-phone-2.xml inventory VIN
    '1M8GDM9AXKP042788', // check digit X
  ])('accepts %s', (vin) => expect(validateVin(vin)).toBe(true));

  it('accepts lower-case and grouped input after cleaning', () => {
    expect(validateVin('1hgcm8 2633a 004352')).toBe(true);
  });

  it.each([
    ['1HGCM82634A004352', 'check_digit'],
    ['1HGCM82633A00435', 'length'],
    ['1HGCM82633A0043522', 'length'],
    ['1HGCM8263IA004352', 'characters'], // I is not a VIN character
    ['1HGCM82633AO04352', 'characters'],
  ])('rejects %s (%s)', (vin, problem) => {
    expect(validateVin(vin)).toBe(false);
    expect(vinProblem(vin)).toBe(problem);
  });
});

describe('vinCheckDigit', () => {
  it('computes position 9 from the transliteration table and weights', () => {
    expect(vinCheckDigit('1HGCM82633A004352')).toBe('3');
    expect(vinCheckDigit('1M8GDM9AXKP042788')).toBe('X');
  });
  it('is undefined for wrong length or non-VIN characters', () => {
    expect(vinCheckDigit('ABC')).toBeUndefined();
    expect(vinCheckDigit('1HGCM8263QA004352')).toBeUndefined();
  });
});

describe('cleanVin', () => {
  it('upper-cases and strips spaces and dashes', () => {
    expect(cleanVin(' 1hgcm-82633 a004352 ')).toBe('1HGCM82633A004352');
    expect(cleanVin('  ')).toBeUndefined();
  });
});

describe('vinCheckDigit by character code', () => {
  // The check digit as computed before the lookup table: characters looked up by string.
  const LETTERS: Record<string, number> = { A: 1, B: 2, C: 3, D: 4, E: 5, F: 6, G: 7, H: 8, J: 1, K: 2, L: 3, M: 4, N: 5, P: 7, R: 9, S: 2, T: 3, U: 4, V: 5, W: 6, X: 7, Y: 8, Z: 9 };
  const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
  const byString = (vin: string): string | undefined => {
    if (vin.length !== 17) return undefined;
    let sum = 0;
    for (let i = 0; i < 17; i++) {
      const c = vin[i]!;
      const v = c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : LETTERS[c];
      if (v === undefined) return undefined;
      sum += v * WEIGHTS[i]!;
    }
    return sum % 11 === 10 ? 'X' : String(sum % 11);
  };

  it('agrees with the string lookup on VIN-like and arbitrary strings', () => {
    // Mostly VIN characters (so most strings reach the sum), sometimes I/O/Q, lower case or any other character.
    const ch = fc.oneof(
      { arbitrary: fc.constantFrom(...'0123456789ABCDEFGHJKLMNPRSTUVWXYZ'.split('')), weight: 60 },
      { arbitrary: fc.constantFrom(...'IOQabc-_ '.split('')), weight: 1 },
      { arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), weight: 1 },
    );
    fc.assert(
      fc.property(fc.array(ch, { minLength: 16, maxLength: 18 }), (a) => {
        const s = a.join('');
        expect(vinCheckDigit(s)).toBe(byString(s));
      }),
      { numRuns: 5000, seed: 19 },
    );
  });
});

// Unit tests for VIN cleaning and the North American check digit.

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

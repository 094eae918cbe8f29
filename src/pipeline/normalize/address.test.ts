// Unit tests for address normalization: lines, placeholders, region, postal code, country, empty addresses.

import { describe, expect, it } from 'vitest';
import type { Warning } from '../../lead.js';
import { normalizeAddress, normalizeCountry, normalizePostalCode } from './address.js';

describe('normalizeAddress', () => {
  it('keeps street lines then the apartment as lines, tidied', () => {
    expect(normalizeAddress({ lines: [' 100 Example  Ave ', ''], apartment: 'Apt 4', city: 'Anytown', region: 'ca', postalCode: '90000', country: 'USA' })).toEqual({
      lines: ['100 Example Ave', 'Apt 4'],
      city: 'Anytown',
      region: 'CA',
      postalCode: '90000',
      country: 'US',
    });
  });
  it('drops "1 not provided" / "1 Not Available" street lines (Kia Digital, Hyundai STAR) with a warning', () => {
    const w: Warning[] = [];
    expect(normalizeAddress({ lines: ['1 not provided', '1 Not Available'], city: 'Anytown' }, w)).toEqual({ lines: [], city: 'Anytown' });
    expect(w.map((x) => x.code)).toEqual(['placeholder_dropped']);
  });
  it('is undefined when nothing is in it (Kia Digital completely empty address)', () => {
    expect(normalizeAddress({ lines: ['', ''], city: '', region: '', postalCode: '', country: '' })).toBeUndefined();
    expect(normalizeAddress(undefined)).toBeUndefined();
  });
  it('is undefined when only a country is in it (template default)', () => {
    expect(normalizeAddress({ lines: [], country: 'US' })).toBeUndefined();
  });
  it('keeps an address with only a postal code (AutoTrader)', () => {
    expect(normalizeAddress({ lines: [], postalCode: '90000' })).toEqual({ lines: [], postalCode: '90000' });
  });
  it('keeps a region name that is not a 2-letter code as sent', () => {
    expect(normalizeAddress({ lines: [], region: 'California' })).toEqual({ lines: [], region: 'California' });
  });
});

describe('normalizePostalCode', () => {
  it('keeps leading zeros: postal codes are strings (CarGurus 02115)', () => {
    expect(normalizePostalCode('02115')).toBe('02115');
  });
  it('keeps ZIP+4 and upper-cases UK/Canadian codes', () => {
    expect(normalizePostalCode('02115-1234')).toBe('02115-1234');
    expect(normalizePostalCode('sw1a  1aa')).toBe('SW1A 1AA');
  });
  it('drops the "00000" placeholder (Impel OEM template) with a warning', () => {
    const w: Warning[] = [];
    expect(normalizePostalCode('00000', w)).toBeUndefined();
    expect(w.map((x) => x.code)).toEqual(['placeholder_dropped']);
  });
});

describe('normalizeCountry', () => {
  it.each([
    ['US', 'US'],
    ['us', 'US'],
    ['USA', 'US'],
    ['United States', 'US'],
    ['united states of america', 'US'],
    ['Canada', 'CA'],
    ['UK', 'GB'],
    ['United Kingdom', 'GB'],
    ['de', 'DE'],
  ])('%j → %j', (v, e) => expect(normalizeCountry(v)).toBe(e));
  it('omits unknown names with country_unknown', () => {
    const w: Warning[] = [];
    expect(normalizeCountry('Atlantis', w)).toBeUndefined();
    expect(w.map((x) => x.code)).toEqual(['country_unknown']);
  });
  it('is undefined for empty values (TrueCar <country/>)', () => {
    expect(normalizeCountry('')).toBeUndefined();
  });
});

// Unit tests for phone normalization: E.164 via libphonenumber-js, raw kept, type/time mapping, duplicates.

import { describe, expect, it } from 'vitest';
import type { Warning } from '../../lead.js';
import { normalizePhone, normalizePhones, normalizePhoneTime, normalizePhoneType, phoneCountry } from './phones.js';

const one = (value: string, opts: Parameters<typeof normalizePhone>[1] = {}) => {
  const w: Warning[] = [];
  return { phone: normalizePhone(value, opts, w), codes: w.map((x) => x.code) };
};

describe('normalizePhone: formats', () => {
  it.each([
    ['+14242008888', '+14242008888'],
    ['720-291-8385', '+17202918385'],
    ['(840) 356-6531', '+18403566531'],
    ['7147144074', '+17147144074'],
    ['323-9633314', '+13239633314'], // STAR 3-7 split
    ['1-720-291-8385', '+17202918385'],
    ['720.291.8385', '+17202918385'],
  ])('%j → %s with raw kept', (raw, e164) => {
    expect(one(raw)).toEqual({ phone: { e164, raw }, codes: [] });
  });

  it('extracts the number from trailing text (AutoTrader "800-353-9350 option 0") and keeps raw', () => {
    expect(one('800-353-9350 option 0')).toEqual({
      phone: { e164: '+18003539350', raw: '800-353-9350 option 0' },
      codes: ['phone_extracted'],
    });
  });

  it.each(['555-010-0101', '(555) 010-0102', '5550100105', '+15550100111', '555-0100125'])(
    'keeps the redacted 555-01xx number %j raw-only: libphonenumber says it is not a valid NANP number',
    (raw) => expect(one(raw)).toEqual({ phone: { raw }, codes: ['phone_invalid'] }),
  );

  it('keeps a 7-digit local number raw-only with phone_invalid', () => {
    expect(one('555-1234')).toEqual({ phone: { raw: '555-1234' }, codes: ['phone_invalid'] });
  });

  it('keeps text with digits that is not a number raw-only', () => {
    expect(one('call me after 5')).toEqual({ phone: { raw: 'call me after 5' }, codes: ['phone_invalid'] });
  });

  it.each(['N/A', '-', 'none', '000-000-0000', '0', 'no phone'])('drops placeholder %j with placeholder_dropped', (v) => {
    expect(one(v)).toEqual({ phone: undefined, codes: ['placeholder_dropped'] });
  });

  it('uses the dealer country for national numbers (UK 07471 075500)', () => {
    expect(one('07471 075500', { country: 'GB' }).phone).toEqual({ e164: '+447471075500', raw: '07471 075500' });
    expect(one('07471 075500').phone?.e164).toBeUndefined();
  });

  it('never puts customer data in the warning message', () => {
    const w: Warning[] = [];
    normalizePhone('555-1234', {}, w);
    expect(w[0]!.message).not.toMatch(/\d/);
  });

  it('drops an extension from e164 but keeps it in raw', () => {
    expect(one('720-291-8385 x12').phone).toEqual({ e164: '+17202918385', raw: '720-291-8385 x12' });
  });

  it('returns undefined for empty slots', () => {
    expect(one('   ')).toEqual({ phone: undefined, codes: [] });
  });
});

describe('phoneCountry', () => {
  it('upper-cases and falls back to US for unknown codes', () => {
    expect(phoneCountry('gb')).toBe('GB');
    expect(phoneCountry('XX')).toBe('US');
    expect(phoneCountry(undefined)).toBe('US');
  });
  it('answers the same from its bounded memo, also past the bound', () => {
    const values = [...Array.from({ length: 100 }, (_, i) => `Q${i}`), 'gb', ' ca ', 'GB', 'us', undefined, 'XX', 'de'];
    const expected = (v: string | undefined) => (['GB', 'CA', 'US', 'DE'].includes((v ?? '').trim().toUpperCase()) ? (v ?? '').trim().toUpperCase() : 'US');
    for (let round = 0; round < 2; round++) for (const v of values) expect([v, phoneCountry(v)]).toEqual([v, expected(v)]);
  });
});

describe('normalizePhoneType / normalizePhoneTime', () => {
  it.each([
    ['cellphone', 'mobile'],
    ['Cell', 'mobile'],
    ['mobile', 'mobile'],
    ['cell phone', 'mobile'],
    ['home', 'home'],
    ['work', 'work'],
    ['business', 'work'],
    ['voice', 'voice'],
    ['phone', 'voice'],
    ['fax', 'fax'],
    ['pager', 'pager'],
  ])('type %j → %j', (t, e) => expect(normalizePhoneType(t)).toBe(e));
  it('omits unknown types with phone_type_unknown', () => {
    const w: Warning[] = [];
    expect(normalizePhoneType('carrier pigeon', w)).toBeUndefined();
    expect(w.map((x) => x.code)).toEqual(['phone_type_unknown']);
  });
  it.each([
    ['morning', 'morning'],
    ['Afternoon', 'afternoon'],
    ['EVENING', 'evening'],
    ['day', 'day'],
    ['nopreference', 'nopreference'],
    ['anytime', 'nopreference'],
    ['no preference', 'nopreference'],
  ])('time %j → %j', (t, e) => expect(normalizePhoneTime(t)).toBe(e));
  it('omits unknown times with phone_time_unknown', () => {
    const w: Warning[] = [];
    expect(normalizePhoneTime('lunch', w)).toBeUndefined();
    expect(w.map((x) => x.code)).toEqual(['phone_time_unknown']);
  });
});

describe('normalizePhones', () => {
  it('drops the empty per-time-slot phones Kia/Mazda Digital send', () => {
    const r = normalizePhones(
      [
        { value: '', type: 'voice', time: 'evening' },
        { value: '', type: 'voice', time: 'day' },
        { value: '7147144074', type: 'cellphone' },
      ],
      'US',
    );
    expect(r.phones).toEqual([{ e164: '+17147144074', raw: '7147144074', type: 'mobile' }]);
  });

  it('merges the same number sent under two time slots: first raw kept, specific type wins, differing times → nopreference', () => {
    const r = normalizePhones(
      [
        { value: '(714) 714-4074', type: 'voice', time: 'day' },
        { value: '7147144074', type: 'cellphone', time: 'evening' },
      ],
      'US',
    );
    expect(r.phones).toEqual([{ e164: '+17147144074', raw: '(714) 714-4074', type: 'mobile', time: 'nopreference' }]);
  });

  it('takes the time from a duplicate when the first had none', () => {
    const r = normalizePhones([{ value: '7147144074' }, { value: '714-714-4074', time: 'evening' }], 'US');
    expect(r.phones).toEqual([{ e164: '+17147144074', raw: '7147144074', time: 'evening' }]);
  });

  it('de-duplicates invalid numbers by their digits', () => {
    const r = normalizePhones([{ value: '555-010-0101' }, { value: '(555) 010-0101' }, { value: '555-010-0102' }], 'US');
    expect(r.phones.map((p) => p.raw)).toEqual(['555-010-0101', '555-010-0102']);
  });

  it('keeps fax numbers, typed fax', () => {
    expect(normalizePhones([{ value: '7148471265', type: 'fax' }], 'US').phones).toEqual([{ e164: '+17148471265', raw: '7148471265', type: 'fax' }]);
  });

  it('reports preferred for a kept number flagged preferredcontact=1', () => {
    expect(normalizePhones([{ value: '555-010-0101', preferred: true }], 'US').preferred).toBe(true);
    expect(normalizePhones([{ value: '', preferred: true }], 'US').preferred).toBe(false);
  });
});

describe('normalizePhone: fast path and memo give the same answers as the full search', () => {
  it('a bare digit run that does not parse as valid holds no valid number for the text search either', async () => {
    const { findPhoneNumbersInText, parsePhoneNumberFromString } = await import('libphonenumber-js/max');
    // Deterministic PRNG: the same strings every run.
    let seed = 0x2545f491;
    const rnd = (k: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % k;
    };
    const countries = ['US', 'CA', 'GB', 'DE', 'FR', 'AU', 'MX', 'IN', 'SH', 'NZ', 'JP', 'BR'] as const;
    const prefixes = ['1', '011', '00', '0', '44', '7', '5550', '', ''];
    let checked = 0;
    for (let n = 0; n < 4000; n++) {
      const len = 1 + rnd(17);
      let s = (rnd(5) === 0 ? '+' : '') + prefixes[rnd(prefixes.length)];
      while (s.replace('+', '').length < len) s += String(rnd(10));
      if (!/^\+?\d{1,17}$/.test(s)) continue;
      const country = countries[rnd(countries.length)];
      if (parsePhoneNumberFromString(s, country)?.isValid()) continue;
      checked++;
      expect(findPhoneNumbersInText(s, country).find((f) => f.number.isValid())?.number.number, `${s} ${country}`).toBeUndefined();
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('repeats give the same phone and the same warnings every time', () => {
    for (const value of ['5550100119', '(555) 010-0123', '800-353-9350 option 0', '857-485-7485', '07700 900148']) {
      const first = one(value);
      for (let i = 0; i < 3; i++) expect(one(value)).toEqual(first);
    }
    // The same raw for another country is read with that country's rules.
    expect(one('020 7219 3000', { country: 'GB' }).phone?.e164).toBe('+442072193000');
    expect(one('020 7219 3000').phone?.e164).toBeUndefined();
  });
});

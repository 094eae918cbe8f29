// Unit tests for request-date parsing: every requestdate form seen in real leads, offsets, fallbacks.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Warning } from '../../lead.js';
import { parseLeadDate, parseLeniently, parseRequestDate, daysInMonth } from './dates.js';

const FALLBACK = '2025-10-20T12:00:00.000Z';
const run = (value: string | undefined, country?: string) => {
  const w: Warning[] = [];
  return { iso: parseRequestDate(value, { fallback: FALLBACK, country }, w), codes: w.map((x) => x.code) };
};

describe('parseRequestDate: forms seen in real leads', () => {
  it.each([
    // [input, expected, warning codes]
    ['2025-10-18T10:19:48-04:00', '2025-10-18T10:19:48-04:00', []], // the spec form
    ['2026-05-28T20:45:31+00:00', '2026-05-28T20:45:31+00:00', []],
    ['2025-10-18T16:50:36Z', '2025-10-18T16:50:36Z', []],
    ['2025-10-29T23:50:56.457Z', '2025-10-29T23:50:56.457Z', []], // Costco milliseconds kept
    ['2025-10-13T03:31:58-0400', '2025-10-13T03:31:58-04:00', ['requestdate_nonstandard']], // CarGurus: no colon
    ['2025-10-18T16:27:39', '2025-10-18T16:27:39', ['requestdate_no_offset']], // Kia/Mazda Digital
    ['10/17/2025 02:24:41 PM', '2025-10-17T14:24:41', ['requestdate_nonstandard', 'requestdate_no_offset']], // Team Velocity social
    ['10/12/2025 03:18:05 -04:00', '2025-10-12T03:18:05-04:00', ['requestdate_nonstandard']], // DealerRater
    ['2025-10-18T05:03:15-05:03', '2025-10-18T05:03:15', ['requestdate_bad_offset']], // OfferUp bogus offset
    ['2008-06-25T8:47:50', '2008-06-25T08:47:50', ['requestdate_nonstandard', 'requestdate_no_offset']], // mygoaltracking
    ['2000-03-30T15:30:20-08:0', '2000-03-30T15:30:20-08:00', ['requestdate_offset_repaired']], // Wikipedia example
    ['20000330T153020-0800', '2000-03-30T15:30:20-08:00', []], // ADF basic form
    ['2025-10-18', '2025-10-18T00:00:00', ['requestdate_no_time']],
  ])('%j → %j', (input, iso, codes) => {
    expect(run(input)).toEqual({ iso, codes });
  });
});

describe('parseRequestDate: garbage spaces and odd forms', () => {
  it.each(['10/17/2025 11:00:00?AM', '10/17/2025 11:00:00\u202fAM', '10/17/2025 11:00:00\u00a0AM'])('treats ?, U+202F and NBSP as spaces in %j', (v) => {
    expect(run(v).iso).toBe('2025-10-17T11:00:00');
  });
  it('handles 12 AM / 12 PM', () => {
    expect(run('10/17/2025 12:05:00 AM').iso).toBe('2025-10-17T00:05:00');
    expect(run('10/17/2025 12:05:00 PM').iso).toBe('2025-10-17T12:05:00');
  });
  it('accepts a space instead of T and a zone abbreviation', () => {
    expect(run('2025-10-18 10:19:48 EDT')).toEqual({ iso: '2025-10-18T10:19:48-04:00', codes: ['requestdate_nonstandard'] });
  });
  it('accepts hours-only and half-hour offsets', () => {
    expect(run('2025-10-18T10:19:48+05').iso).toBe('2025-10-18T10:19:48+05:00');
    expect(run('2025-10-18T10:19:48+05:30').iso).toBe('2025-10-18T10:19:48+05:30');
    expect(run('2025-10-18T10:19:48+05:45').iso).toBe('2025-10-18T10:19:48+05:45');
  });
  it('drops an offset beyond ±14 hours', () => {
    expect(run('2025-10-18T10:19:48+15:00')).toEqual({ iso: '2025-10-18T10:19:48', codes: ['requestdate_bad_offset'] });
  });
  it('adds missing seconds', () => {
    expect(run('2025-10-18T10:19-04:00').iso).toBe('2025-10-18T10:19:00-04:00');
  });
  it('truncates sub-millisecond fractions', () => {
    expect(run('2025-10-18T10:19:48.1234567Z').iso).toBe('2025-10-18T10:19:48.123Z');
  });
  it('reads slash dates day-first outside the US/CA, and when the numbers decide it', () => {
    expect(run('10/12/2025 03:18:05', 'GB').iso).toBe('2025-12-10T03:18:05');
    expect(run('25/12/2025 03:18:05').iso).toBe('2025-12-25T03:18:05');
  });
});

describe('parseRequestDate: fallbacks', () => {
  it('uses receivedAt with requestdate_missing when empty or absent', () => {
    expect(run('')).toEqual({ iso: FALLBACK, codes: ['requestdate_missing'] });
    expect(run(undefined)).toEqual({ iso: FALLBACK, codes: ['requestdate_missing'] });
  });
  it.each(['yesterday', '2025-02-30T10:00:00', '2025-13-01T00:00:00', '2025-10-00', '2025-10-18T24:00:00', '2025-10-18T10:60:00', '13/13/2025', '2025-10-18T10:19:48 banana', '10/17/2025 14:00:00 PM'])(
    'uses receivedAt with requestdate_unparseable for %j',
    (v) => expect(run(v)).toEqual({ iso: FALLBACK, codes: ['requestdate_unparseable'] }),
  );
  it('accepts 29 February only in leap years', () => {
    expect(run('2024-02-29T10:00:00Z').iso).toBe('2024-02-29T10:00:00Z');
    expect(run('2025-02-29T10:00:00Z').codes).toEqual(['requestdate_unparseable']);
  });
});

describe('parseLeadDate', () => {
  it('returns the notes it made', () => {
    expect(parseLeadDate('2025-10-18T05:03:15-05:03')).toEqual({ iso: '2025-10-18T05:03:15', notes: ['bad_offset'] });
    expect(parseLeadDate('nonsense')).toBeUndefined();
  });
});

describe('daysInMonth', () => {
  it('counts as Date.UTC does for every month of every 4-digit year', () => {
    for (let year = 0; year <= 9999; year++) {
      for (let month = 1; month <= 12; month++) {
        const expected = new Date(Date.UTC(year, month, 0)).getUTCDate();
        if (daysInMonth(year, month) !== expected) expect([year, month, daysInMonth(year, month)]).toEqual([year, month, expected]);
      }
    }
  });
});

describe('parseLeadDate canonical-form shortcut', () => {
  // Two-digit fields mostly near their range, sometimes anything up to 99: valid dates and every kind of out-of-range field.
  const field = (max: number) => fc.oneof({ arbitrary: fc.integer({ min: 0, max: max + 1 }), weight: 6 }, { arbitrary: fc.integer({ min: 0, max: 99 }), weight: 1 }).map((n) => String(n).padStart(2, '0'));
  const year = fc.constantFrom('0000', '0004', '1900', '1999', '2000', '2024', '2025', '2100');
  const frac = fc.constantFrom('', '.4', '.477', '.4771234', '.', ',477');
  const offset = fc.oneof(
    fc.constantFrom('', 'Z', 'z', '+00:00', '-04:00', '-0400', '+0530', '-05:03', '+15:00', '+14:45', '-08:0', '-8', ' -04:00', 'GMT', 'EST'),
    fc.tuple(fc.constantFrom('+', '-'), field(14), fc.constantFrom(':', ''), fc.constantFrom('00', '30', '45', '15', '03', '99')).map((p) => p.join('')),
  );
  const date = fc.tuple(year, field(12), field(31), fc.constantFrom('T', 'T', 'T', 't', ' '), field(23), field(59), field(59), frac, offset).map(([y, mo, d, t, h, mi, s, f, o]) => `${y}-${mo}-${d}${t}${h}:${mi}:${s}${f}${o}`);

  it('gives what the lenient path gives, for every date it takes and every one it leaves', () => {
    fc.assert(
      fc.property(date, fc.constantFrom('US', 'GB'), (v, country) => {
        expect(parseLeadDate(v, { country })).toEqual(parseLeniently(v, { country }));
      }),
      { numRuns: 20000, seed: 11 },
    );
  });

  it('agrees with the lenient path on the forms real leads use', () => {
    for (const v of ['2025-10-18T10:19:48-04:00', '2025-10-18T16:50:36Z', '2025-10-29T23:50:56.457Z', '2025-10-13T03:31:58-0400', '2025-10-03T20:56:58', '2024-02-29T00:00:00+05:30'])
      expect(parseLeadDate(v)).toEqual(parseLeniently(v));
  });
});

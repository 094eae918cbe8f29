// Unit tests for customer name normalization: parts, placeholders, splitting full names, business names.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DraftName, Warning } from '../../lead.js';
import { normalizeName, splitFullName } from './names.js';
import { cleanField, tidy } from './text.js';

const run = (names: DraftName[]) => {
  const w: Warning[] = [];
  return { name: normalizeName(names, w), codes: w.map((x) => x.code) };
};

describe('normalizeName: parts', () => {
  it('maps first/last and keeps full as sent when all three are present (AutoTrader, Team Velocity)', () => {
    expect(run([{ value: 'Firstname', part: 'first' }, { value: 'Lastname', part: 'last' }, { value: 'First Last', part: 'full' }])).toEqual({
      name: { first: 'Firstname', last: 'Lastname', full: 'First Last' },
      codes: [],
    });
  });
  it('leaves full absent when only first+last were sent', () => {
    expect(run([{ value: 'Ana', part: 'first' }, { value: 'Lopez', part: 'last' }]).name).toEqual({ first: 'Ana', last: 'Lopez' });
  });
  it('treats surname (the DTD spelling) as last, and part names case-insensitively', () => {
    expect(run([{ value: 'Ana', part: 'FIRST' }, { value: 'Lopez', part: 'surname' }]).name).toEqual({ first: 'Ana', last: 'Lopez' });
  });
  it('composes full when a middle or suffix part would otherwise be lost', () => {
    const parts = [{ value: 'John', part: 'first' }, { value: 'Q', part: 'middle' }, { value: 'Public', part: 'last' }, { value: 'Jr', part: 'suffix' }];
    expect(run(parts).name).toEqual({ first: 'John', last: 'Public', full: 'John Q Public Jr' });
  });
  it('keeps ALL-CAPS names as sent (Mazda Digital) and tidies whitespace', () => {
    expect(run([{ value: ' FIRSTNAME ', part: 'first' }, { value: 'LAST  NAME', part: 'last' }]).name).toEqual({ first: 'FIRSTNAME', last: 'LAST NAME' });
  });
  it('keeps single initials (CarGurus last name "L")', () => {
    expect(run([{ value: 'Firstname', part: 'first' }, { value: 'L', part: 'last' }]).name).toEqual({ first: 'Firstname', last: 'L' });
  });
  it('returns an empty name when nothing usable was sent', () => {
    expect(run([{ value: '', part: 'first' }, { value: ' ', part: 'last' }])).toEqual({ name: {}, codes: [] });
  });
});

describe('normalizeName: placeholders', () => {
  it.each(['N/A', 'NA', 'none', 'NULL', 'unknown', '1 not provided', 'Not Provided', '1 Not Available', 'Anonamous First', 'Anonymous', '-', '.', '-1'])(
    'drops %j with placeholder_dropped',
    (v) => {
      const r = run([{ value: 'Ana', part: 'first' }, { value: v, part: 'last' }]);
      expect(r.name).toEqual({ first: 'Ana' });
      expect(r.codes).toEqual(['placeholder_dropped']);
    },
  );
  it('does not drop real names that look like test data ("Tester", "Test")', () => {
    expect(run([{ value: 'Test', part: 'first' }, { value: 'Tester', part: 'last' }]).name).toEqual({ first: 'Test', last: 'Tester' });
  });
  it('does not split a full name when it is a placeholder', () => {
    expect(run([{ value: 'Anonymous', part: 'full' }])).toEqual({ name: {}, codes: ['placeholder_dropped'] });
  });
});

describe('normalizeName: full-only names are split', () => {
  it('splits "First Last" with name_split and keeps full', () => {
    expect(run([{ value: 'Dave Meindl', part: 'full' }])).toEqual({ name: { first: 'Dave', last: 'Meindl', full: 'Dave Meindl' }, codes: ['name_split'] });
  });
  it('treats a missing part as full (the ADF default)', () => {
    expect(run([{ value: 'Dave Meindl' }]).name).toEqual({ first: 'Dave', last: 'Meindl', full: 'Dave Meindl' });
  });
  it('takes a single word as the first name (DealerRater)', () => {
    expect(run([{ value: 'Ardo', part: 'full' }])).toEqual({ name: { first: 'Ardo', full: 'Ardo' }, codes: ['name_split'] });
  });
  it('does not split when first or last is present as well', () => {
    expect(run([{ value: 'Ana', part: 'first' }, { value: 'Ana Lopez', part: 'full' }])).toEqual({ name: { first: 'Ana', full: 'Ana Lopez' }, codes: [] });
  });
});

describe('splitFullName', () => {
  it.each([
    ['Firstname M Lastname', { first: 'Firstname', last: 'Lastname' }], // Costco: middle initial inside full
    ['Firstname M. Lastname', { first: 'Firstname', last: 'Lastname' }],
    ['Maria de la Cruz', { first: 'Maria', last: 'de la Cruz' }],
    ['Lopez, Ana', { first: 'Ana', last: 'Lopez' }],
    ['Lopez, Ana M', { first: 'Ana', last: 'Lopez' }],
    ['Ana B', { first: 'Ana', last: 'B' }],
    ['Ardo', { first: 'Ardo' }],
  ])('%j → %j', (full, expected) => expect(splitFullName(full)).toEqual(expected));
});

describe('normalizeName: business names', () => {
  it('puts a business name in full without splitting it', () => {
    expect(run([{ value: 'Acme Fleet Services', part: 'full', type: 'business' }])).toEqual({ name: { full: 'Acme Fleet Services' }, codes: [] });
  });
  it('does not let a business name override a person name', () => {
    const r = run([{ value: 'Ana', part: 'first' }, { value: 'Lopez', part: 'last' }, { value: 'Acme Inc', part: 'full', type: 'business' }]);
    expect(r.name).toEqual({ first: 'Ana', last: 'Lopez' });
    expect(r.codes).toEqual(['business_name_dropped']);
  });
});

describe('normalizeName shortcuts', () => {
  // The two checks the shortcuts skip, as they were: a letter anywhere, and the type compared after trim/lower-case.
  const hasLetter = (v: string) => /\p{L}/u.test(v);
  const isBusiness = (t: string | undefined) => (t ?? '').trim().toLowerCase() === 'business';

  it('drops and keeps the same names as the full checks', () => {
    const value = fc.oneof(fc.constantFrom('Pat', 'pat', 'Zoë', 'Élodie', '-1', '0', '1 Pat', '7', '_x', 'Ωmega', 'N/A', ' ', 'Business Inc'), fc.string({ maxLength: 4 }));
    const type = fc.constantFrom(undefined, 'individual', 'business', 'Business', ' BUSINESS ', 'other', '');
    const part = fc.constantFrom(undefined, 'first', 'last', 'full', 'middle', ' Surname ');
    fc.assert(
      fc.property(fc.array(fc.record({ value, type, part }), { maxLength: 4 }), (names) => {
        const sent = names.map((n) => ({ value: n.value, ...(n.type !== undefined ? { type: n.type } : {}), ...(n.part !== undefined ? { part: n.part } : {}) }));
        const w: Warning[] = [];
        const got = normalizeName(sent, w);
        // The reference: keep the names the full checks keep, as individual or business, and normalize those.
        const kept = sent.filter((n) => {
          const v = cleanField(n.value, 'name', []);
          return v !== undefined && hasLetter(v);
        });
        const people = kept.filter((n) => !isBusiness(n.type)).map((n) => ({ ...n, type: undefined }));
        const firms = kept.filter((n) => isBusiness(n.type)).map((n) => ({ value: n.value, type: 'business' }));
        expect(got).toEqual(normalizeName([...people, ...firms], []));
        expect(w.filter((x) => x.code === 'placeholder_dropped').length).toBe(kept.length < sent.filter((n) => tidy(n.value) !== undefined).length ? 1 : 0);
      }),
      { numRuns: 5000, seed: 29 },
    );
  });
});

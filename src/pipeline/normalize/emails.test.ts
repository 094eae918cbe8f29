// Unit tests for customer email normalization: mailto:, lists, case, validation, uniqueness.

import { describe, expect, it } from 'vitest';
import type { Warning } from '../../lead.js';
import { isValidEmail, normalizeEmail, normalizeEmails } from './emails.js';

describe('normalizeEmail', () => {
  it('lower-cases and trims (Mazda Digital sends CUSTOMER16@EXAMPLE.COM)', () => {
    expect(normalizeEmail('  CUSTOMER16@EXAMPLE.COM ')).toEqual(['customer16@example.com']);
  });
  it('strips a mailto: prefix (EverLogic template) with a warning', () => {
    const w: Warning[] = [];
    expect(normalizeEmail('mailto:Ana@Example.com', w)).toEqual(['ana@example.com']);
    expect(w.map((x) => x.code)).toEqual(['email_mailto_stripped']);
  });
  it('treats a bare "mailto:" as empty, without a warning', () => {
    const w: Warning[] = [];
    expect(normalizeEmail('mailto:', w)).toEqual([]);
    expect(w).toEqual([]);
  });
  it('splits ";" and "," lists (AutoTrader vendor block, TrueCar AdditionalEmails)', () => {
    const w: Warning[] = [];
    expect(normalizeEmail('a@x.com;b@y.com, c@z.org', w)).toEqual(['a@x.com', 'b@y.com', 'c@z.org']);
    expect(w.map((x) => x.code)).toEqual(['email_split']);
  });
  it('takes the address out of "Name <addr>"', () => {
    expect(normalizeEmail('Ana Lopez <ana@example.com>')).toEqual(['ana@example.com']);
  });
  it.each(['ana@', '@example.com', 'ana example.com', 'ana@example', 'ana@@example.com', 'ana@exa mple.com', 'ana..b@example.com', 'ana@-x.com', 'ana@x.c0m'])(
    'drops invalid %j with email_invalid (message holds no address)',
    (v) => {
      const w: Warning[] = [];
      expect(normalizeEmail(v, w)).toEqual([]);
      expect(w).toEqual([{ code: 'email_invalid', message: 'An email address was not valid and was dropped' }]);
    },
  );
  it('returns nothing for empty values', () => {
    expect(normalizeEmail('')).toEqual([]);
    expect(normalizeEmail(undefined)).toEqual([]);
  });
});

describe('isValidEmail', () => {
  it.each(['customer05@example.com', 'first.last+tag@sub.example.co.uk', "o'neil@example.com", 'x@xn--bcher-kva.example'])('accepts %j', (v) =>
    expect(isValidEmail(v)).toBe(true),
  );
});

describe('normalizeEmails', () => {
  it('de-duplicates across elements and case, keeping the first order', () => {
    const r = normalizeEmails([{ value: 'B@x.com' }, { value: 'a@x.com' }, { value: 'b@X.COM' }]);
    expect(r.emails).toEqual(['b@x.com', 'a@x.com']);
  });
  it('reports preferred only when the flagged address survived validation', () => {
    expect(normalizeEmails([{ value: 'a@x.com', preferred: true }]).preferred).toBe(true);
    expect(normalizeEmails([{ value: 'not-an-email', preferred: true }]).preferred).toBe(false);
  });
});

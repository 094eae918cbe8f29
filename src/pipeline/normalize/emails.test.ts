// Unit tests for customer email normalization: mailto:, lists, case, validation, uniqueness.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Warning } from '../../lead.js';
import { isValidEmail, normalizeEmail, normalizeEmails, readAddresses } from './emails.js';
import { tidy } from './text.js';

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

describe('normalizeEmail one-plain-address shortcut', () => {
  // normalizeEmail without the shortcut: every value split, unwrapped and stripped.
  const general = (value: string, sink: Warning[]): string[] => {
    const text = tidy(value);
    return text === undefined ? [] : readAddresses(text, sink);
  };

  it('gives the addresses and warnings of the general path', () => {
    const part = fc.constantFrom('pat', 'PAT', 'a.b', '@', '.', 'example', 'COM', 'com', ';', ',', '<', '>', ' ', '\u00a0', 'mailto:', 'MailTo:', '?x=1', 'xn--p1ai', '-', '"', '\u0130', 'é');
    fc.assert(
      fc.property(fc.array(part, { maxLength: 8 }), (parts) => {
        const s = parts.join('');
        const [a, b]: [Warning[], Warning[]] = [[], []];
        expect([normalizeEmail(s, a), a]).toEqual([general(s, b), b]);
      }),
      { numRuns: 10000, seed: 13 },
    );
  });
});

describe('isValidEmail domain check', () => {
  // The domain check as a split and a test per label.
  const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
  const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
  const bySplit = (address: string): boolean => {
    if (address.length > 254) return false;
    const at = address.lastIndexOf('@');
    if (at < 1) return false;
    const local = address.slice(0, at);
    if (local.length > 64 || !/^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/.test(local)) return false;
    const labels = address.slice(at + 1).split('.');
    return labels.length >= 2 && labels.every((l) => LABEL.test(l)) && TLD.test(labels[labels.length - 1]!);
  };

  it('agrees with the split on generated addresses, long labels and IDNA ones included', () => {
    const piece = fc.oneof(
      fc.constantFrom('a', 'b', 'z', '0', '9', '-', '.', '@', 'xn--', 'com', 'io', 'c', '_', 'A', '..', '-.'),
      fc.integer({ min: 55, max: 66 }).map((n) => 'a'.repeat(n)),
      fc.integer({ min: 55, max: 66 }).map((n) => `xn--${'b'.repeat(n - 5)}-`),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), fc.array(piece, { maxLength: 8 }), (l, d) => {
        const s = `${l.join('') || 'pat'}@${d.join('')}`;
        expect([s, isValidEmail(s)]).toEqual([s, bySplit(s)]);
      }),
      { numRuns: 20000, seed: 23 },
    );
    for (const s of ['a@b.com', 'a@b.c', 'a@xn--p1ai.xn--p1ai', 'a@b.xn---', 'a@b.xn--a', `a@b.${'x'.repeat(63)}`, `a@b.${'x'.repeat(64)}`, `a@b.xn--${'a'.repeat(59)}`, `a@b.xn--${'a'.repeat(60)}`, 'a@-b.com', 'a@b-.com', 'a@.com', 'a@com'])
      expect([s, isValidEmail(s)]).toEqual([s, bySplit(s)]);
  });
});

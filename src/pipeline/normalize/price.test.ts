// Unit tests for price parsing: symbols, separators, zero, currency and type.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Warning } from '../../lead.js';
import { defaultCurrency, parseAmount, parsePrice, readAmount } from './price.js';
import { tidy } from './text.js';

describe('parseAmount', () => {
  it.each([
    ['$55,795.00', 55795],
    ['27588.0', 27588], // CarGurus / TrueCar trailing .0
    ['0.00', 0],
    ['$0', 0], // Costco option msrp
    ['28987', 28987],
    ['1,234,567', 1234567],
    ['USD 1200', 1200],
    ['1200 USD', 1200],
    ['12,5', 12.5],
  ])('%j → %d', (v, n) => expect(parseAmount(v)?.amount).toBe(n));
  it.each(['call', '20000-25000', '-5', '1.2.3', '$', ''])('rejects %j', (v) => expect(parseAmount(v)).toBeUndefined());
});

describe('parsePrice', () => {
  it('parses amount, currency and type', () => {
    expect(parsePrice({ value: '27588.0', type: 'quote', currency: 'USD' })).toEqual({ amount: 27588, currency: 'USD', type: 'quote' });
  });
  it('defaults the currency to USD for a US dealer, and to the dealer country currency elsewhere', () => {
    expect(parsePrice({ value: '$55,795.00' })).toEqual({ amount: 55795, currency: 'USD' });
    expect(parsePrice({ value: '12000' }, { country: 'GB' })).toEqual({ amount: 12000, currency: 'GBP' });
  });
  it('takes the currency from a £/€ symbol when no attribute is sent', () => {
    expect(parsePrice({ value: '£12,000' })).toEqual({ amount: 12000, currency: 'GBP' });
  });
  it('omits zero prices without a warning ("0", "0.00", type="call" 0)', () => {
    const w: Warning[] = [];
    expect(parsePrice({ value: '0', type: 'call', currency: 'USD' }, {}, w)).toBeUndefined();
    expect(parsePrice({ value: '0.00' }, {}, w)).toBeUndefined();
    expect(w).toEqual([]);
  });
  it('omits unreadable prices with price_invalid', () => {
    const w: Warning[] = [];
    expect(parsePrice({ value: 'call for price' }, {}, w)).toBeUndefined();
    expect(w.map((x) => x.code)).toEqual(['price_invalid']);
  });
  it('omits unknown types and invalid currencies with warnings, keeping the amount', () => {
    const w: Warning[] = [];
    expect(parsePrice({ value: '100', type: 'Best', currency: '$$' }, {}, w)).toEqual({ amount: 100, currency: 'USD' });
    expect(w.map((x) => x.code)).toEqual(['price_currency_invalid', 'price_type_unknown']);
  });
  it('is undefined for an empty price element', () => {
    expect(parsePrice({ value: '' })).toBeUndefined();
    expect(parsePrice(undefined)).toBeUndefined();
  });
});

describe('defaultCurrency', () => {
  it('maps dealer countries, USD otherwise', () => {
    expect(defaultCurrency(undefined)).toBe('USD');
    expect(defaultCurrency('ca')).toBe('CAD');
    expect(defaultCurrency('ZZ')).toBe('USD');
  });
});

describe('parseAmount plain-number shortcut', () => {
  // parseAmount without the shortcut: every step on every value.
  const steps = (value: string): { amount: number; currency?: string } | undefined => {
    const v = tidy(value);
    return v === undefined ? undefined : readAmount(v);
  };

  it('agrees with every step on generated amounts', () => {
    const piece = fc.constantFrom('0', '1', '9', '45805', '.', ',', '.0', ' ', '$', '€', 'USD', 'cad', '-', 'e5', '9'.repeat(320));
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 5 }), (a) => {
        const v = a.join('');
        expect([v, parseAmount(v)]).toEqual([v, steps(v)]);
      }),
      { numRuns: 10000, seed: 37 },
    );
  });
});

describe('parsePrice currency and type as sent', () => {
  it('reads a currency and a type sent exactly like one that needs tidying and case-folding', () => {
    const currency = fc.constantFrom(undefined, 'USD', 'usd', ' USD ', 'US', 'USDX', 'EUR', '€', '');
    const type = fc.constantFrom(undefined, 'quote', 'Quote', ' quote ', 'msrp', 'MSRP', 'bogus', '');
    fc.assert(
      fc.property(currency, type, (c, t) => {
        const [a, b]: [Warning[], Warning[]] = [[], []];
        const sent = parsePrice({ value: '100', ...(c !== undefined ? { currency: c } : {}), ...(t !== undefined ? { type: t } : {}) }, {}, a);
        // The same price with both attributes in the spelling that takes the general path (padded with a space).
        const padded = parsePrice({ value: '100', ...(c !== undefined ? { currency: ` ${c} ` } : {}), ...(t !== undefined ? { type: ` ${t} ` } : {}) }, {}, b);
        expect([sent, a]).toEqual([padded, b]);
      }),
      { numRuns: 500, seed: 43 },
    );
  });
});

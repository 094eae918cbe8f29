// Unit tests for vehicle normalization: interest, status, year, placeholders, VIN, odometer, price, empty vehicles.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DraftVehicle, Warning } from '../../lead.js';
import { isPlaceholder, tidy } from './text.js';
import { cleanVin, vinProblem } from './vin.js';
import {
  isModelPlaceholder,
  normalizeInterest,
  normalizeModel,
  normalizeStatus,
  normalizeVehicle,
  normalizeVehicles,
  normalizeVin,
  normalizeYear,
  parseOdometer,
} from './vehicles.js';

const codes = (fn: (w: Warning[]) => unknown) => {
  const w: Warning[] = [];
  const value = fn(w);
  return { value, codes: w.map((x) => x.code) };
};

describe('normalizeInterest', () => {
  it.each([
    ['buy', 'buy'],
    ['BUY', 'buy'],
    ['lease', 'lease'],
    ['sell', 'sell'],
    ['trade-in', 'trade-in'],
    ['tradein', 'trade-in'],
    ['Trade In', 'trade-in'], // STAR SaleClassCode
    ['trade', 'trade-in'],
    ['test-drive', 'test-drive'],
    ['testdrive', 'test-drive'],
    ['Test Drive', 'test-drive'],
  ])('%j → %j', (v, e) => expect(codes((w) => normalizeInterest(v, w))).toEqual({ value: e, codes: [] }));
  it('defaults a missing interest to buy with interest_defaulted (OfferUp, DealerRater)', () => {
    expect(codes((w) => normalizeInterest(undefined, w))).toEqual({ value: 'buy', codes: ['interest_defaulted'] });
    expect(codes((w) => normalizeInterest('  ', w))).toEqual({ value: 'buy', codes: ['interest_defaulted'] });
  });
  it('uses buy with interest_unknown for values outside the enum', () => {
    expect(codes((w) => normalizeInterest('rent', w))).toEqual({ value: 'buy', codes: ['interest_unknown'] });
  });
});

describe('normalizeStatus', () => {
  it.each([
    ['new', 'new'],
    ['NEW', 'new'],
    ['New', 'new'],
    ['USED', 'used'],
    ['pre-owned', 'used'],
    ['cpo', 'certified'], // Mazda Digital
    ['certified', 'certified'],
    ['Certified Pre-Owned', 'certified'],
  ])('%j → %j', (v, e) => expect(normalizeStatus(v)).toBe(e));
  it('omits empty and ANY (OEM template) without a warning', () => {
    expect(codes((w) => [normalizeStatus('', w), normalizeStatus('ANY', w)])).toEqual({ value: [undefined, undefined], codes: [] });
  });
  it('omits unknown values with status_unknown', () => {
    expect(codes((w) => normalizeStatus('demo', w))).toEqual({ value: undefined, codes: ['status_unknown'] });
  });
});

describe('normalizeYear', () => {
  it('converts plausible 4-digit years up to the reference year + 2', () => {
    expect(normalizeYear('2025', 2025)).toBe(2025);
    expect(normalizeYear(' 2027 ', 2025)).toBe(2027);
    expect(normalizeYear('1900', 2025)).toBe(1900);
  });
  it.each(['2028', '1899', '24', '20x5', '2025.0'])('omits %j with year_invalid', (v) => {
    expect(codes((w) => normalizeYear(v, 2025, w))).toEqual({ value: undefined, codes: ['year_invalid'] });
  });
});

describe('normalizeModel', () => {
  it.each(['Full Line', 'FULL LINE', 'Any/All', 'Any', '-1', '-1 -1', 'N/A'])('drops %j with model_placeholder', (v) => {
    expect(codes((w) => normalizeModel(v, w))).toEqual({ value: undefined, codes: ['model_placeholder'] });
  });
  it.each(['CX-70', '1500', '3', 'Road Glide (Spec'])('keeps %j as sent', (v) => expect(normalizeModel(v)).toBe(v));
});

describe('normalizeVin', () => {
  it('upper-cases and strips spaces', () => {
    expect(codes((w) => normalizeVin(' 1hgcm82633a 004352 ', w))).toEqual({ value: '1HGCM82633A004352', codes: [] });
  });
  it('keeps an invalid VIN with vin_invalid', () => {
    expect(codes((w) => normalizeVin('1HGCM82634A004352', w))).toEqual({ value: '1HGCM82634A004352', codes: ['vin_invalid'] });
    expect(codes((w) => normalizeVin('ABC123', w))).toEqual({ value: 'ABC123', codes: ['vin_invalid'] });
  });
  it('drops placeholders and empty VINs', () => {
    expect(codes((w) => normalizeVin('N/A', w))).toEqual({ value: undefined, codes: ['placeholder_dropped'] });
    expect(codes((w) => normalizeVin('00000000000000000', w))).toEqual({ value: undefined, codes: ['placeholder_dropped'] });
    expect(codes((w) => normalizeVin('', w))).toEqual({ value: undefined, codes: [] });
  });
});

describe('parseOdometer', () => {
  it.each([
    [{ value: '24456', units: 'mi' }, 24456],
    [{ value: '24,456', units: 'mi' }, 24456],
    [{ value: '40257', units: 'MILES' }, 40257], // Trade Accelerator unit="MILES"
    [{ value: '2' }, 2], // Roadster: no attributes
    [{ value: '61949 miles' }, 61949],
    [{ value: '0' }, 0],
  ])('%j → %d without warnings', (o, n) => expect(codes((w) => parseOdometer(o, w))).toEqual({ value: n, codes: [] }));
  it('keeps kilometres as sent with odometer_km', () => {
    expect(codes((w) => parseOdometer({ value: '120000', units: 'km' }, w))).toEqual({ value: 120000, codes: ['odometer_km'] });
  });
  it('warns about unknown units and unreadable readings', () => {
    expect(codes((w) => parseOdometer({ value: '5', units: 'furlongs' }, w))).toEqual({ value: 5, codes: ['odometer_units_unknown'] });
    expect(codes((w) => parseOdometer({ value: 'low' }, w))).toEqual({ value: undefined, codes: ['odometer_invalid'] });
  });
  it('is undefined when empty (Trade Accelerator <odometer unit="MILES"></odometer>)', () => {
    expect(codes((w) => parseOdometer({ value: '', units: 'MILES' }, w))).toEqual({ value: undefined, codes: [] });
  });
});

const draft = (v: Partial<DraftVehicle>): DraftVehicle => ({ ids: [], ...v });

describe('normalizeVehicle', () => {
  it('normalizes a full CarGurus vehicle', () => {
    const v = draft({
      interest: 'buy',
      status: 'used',
      year: '2020',
      make: 'Dodge',
      model: 'Charger',
      trim: 'R/T',
      vin: '2C3CDXCT6LH229383',
      stock: 'M781761B',
      odometer: { value: '61949', units: 'mi' },
      price: { value: '27588.0', type: 'quote', currency: 'USD' },
    });
    expect(codes((w) => normalizeVehicle(v, { referenceYear: 2025 }, w))).toEqual({
      value: {
        interest: 'buy',
        status: 'used',
        year: 2020,
        make: 'Dodge',
        model: 'Charger',
        trim: 'R/T',
        vin: '2C3CDXCT6LH229383',
        stock: 'M781761B',
        odometer: 61949,
        price: { amount: 27588, currency: 'USD', type: 'quote' },
      },
      codes: [],
    });
  });
  it('omits empty elements (<vin />, <stock></stock>) and a zero price', () => {
    const v = draft({ interest: 'buy', status: 'USED', year: '2021', make: 'HARLEY-DAVIDSON', model: 'Road Glide', vin: '', stock: '', price: { value: '0.00' } });
    expect(normalizeVehicle(v, { referenceYear: 2025 })).toEqual({ interest: 'buy', status: 'used', year: 2021, make: 'HARLEY-DAVIDSON', model: 'Road Glide' });
  });
  it('drops placeholder make/trim with placeholder_dropped', () => {
    expect(codes((w) => normalizeVehicle(draft({ interest: 'buy', make: 'Any', model: 'CX-5', trim: '-1' }), {}, w))).toEqual({
      value: { interest: 'buy', model: 'CX-5' },
      codes: ['placeholder_dropped', 'placeholder_dropped'],
    });
  });
});

describe('normalizeVehicles', () => {
  it('drops vehicles that identify nothing (Costco empty trade-in, DealerRater, HD Marketplace sell) with one warning each kind', () => {
    const r = codes((w) =>
      normalizeVehicles(
        [
          draft({ interest: 'buy', status: 'new', year: '2026', make: 'Mazda', model: 'CX-50' }),
          draft({ interest: 'trade-in', year: '', make: '', model: '' }),
          draft({ status: '', year: '', make: '', model: '', vin: '', stock: '' }),
          draft({ interest: 'sell', status: '', odometer: { value: '' }, price: { value: '' } }),
        ],
        { referenceYear: 2025 },
        w,
      ),
    );
    expect(r.value).toEqual([{ interest: 'buy', status: 'new', year: 2026, make: 'Mazda', model: 'CX-50' }]);
    // The DealerRater vehicle's missing interest does not also raise interest_defaulted: the vehicle is gone.
    expect(r.codes).toEqual(['vehicle_empty_dropped']);
  });
  it('keeps a vehicle whose model is a placeholder when the make is real (Kia "Full Line")', () => {
    const r = codes((w) => normalizeVehicles([draft({ interest: 'buy', status: 'new', make: 'Kia', model: 'Full Line', price: { value: '0', type: 'call' } })], {}, w));
    expect(r.value).toEqual([{ interest: 'buy', status: 'new', make: 'Kia' }]);
    expect(r.codes).toEqual(['model_placeholder']);
  });
  it('drops a vehicle whose only content was a placeholder', () => {
    const r = codes((w) => normalizeVehicles([draft({ interest: 'buy', model: 'Any/All' })], {}, w));
    expect(r).toEqual({ value: [], codes: ['vehicle_empty_dropped'] });
  });
  it('keeps a trade-in listed before the buy vehicle, in order', () => {
    const r = normalizeVehicles([draft({ interest: 'trade-in', make: 'Honda', model: 'Accord', vin: '1HGCM82633A004352' }), draft({ interest: 'buy', model: 'CX-5' })]);
    expect(r.map((v) => v.interest)).toEqual(['trade-in', 'buy']);
  });
});

describe('isModelPlaceholder first-character shortcut', () => {
  // The full check: generic placeholders, "-1"/"0" runs, and the model placeholders after key().
  const MODELS = ['fullline', 'any', 'all', 'any/all', 'all/any', 'anymodel', 'allmodels', 'select', 'selectmodel', 'selectone'];
  const full = (v: string) => isPlaceholder(v) || /^(?:-1|0)(?:\s+(?:-1|0))*$/.test(v) || MODELS.includes(v.toLowerCase().replace(/[\s_-]+/g, ''));

  it('agrees with the full check on placeholders, models and generated text', () => {
    for (const v of ['Full Line', 'ANY', 'Any/All', 'Select Model', '-1', '0', '0 -1', 'Accord', 'CX-70', 'A4', '4Runner', '_any', '-all', 'Sierra 1500']) expect([v, isModelPlaceholder(v)]).toEqual([v, full(v)]);
    const piece = fc.oneof(fc.constantFrom(...MODELS, 'Full', 'Line', 'Any', 'S', 'a', 'f', '0', '-1', '-', '_', ' ', 'X', '9', '\u212a', '\u0130'), fc.string({ maxLength: 2 }));
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 4 }), (a) => {
        const v = a.join('');
        expect([v, isModelPlaceholder(v)]).toEqual([v, full(v)]);
      }),
      { numRuns: 10000, seed: 31 },
    );
  });
});

describe('normalizeVin plain-VIN shortcut', () => {
  // normalizeVin without the shortcut: tidy, clean, placeholder checks, then vinProblem.
  const full = (value: string, sink: Warning[]): string | undefined => {
    const raw = tidy(value);
    if (raw === undefined) return undefined;
    const vin = cleanVin(raw);
    if (vin === undefined || isPlaceholder(raw) || /^(.)\1*$/.test(vin)) {
      sink.push({ code: 'placeholder_dropped', message: 'A placeholder VIN was dropped' });
      return undefined;
    }
    const problem = vinProblem(vin);
    if (problem === 'length') sink.push({ code: 'vin_invalid', message: 'A VIN did not have 17 characters; kept as sent' });
    else if (problem === 'characters') sink.push({ code: 'vin_invalid', message: 'A VIN contained characters a VIN cannot hold; kept as sent' });
    else if (problem === 'check_digit') sink.push({ code: 'vin_invalid', message: 'A VIN failed the check-digit test; kept as sent' });
    return vin;
  };

  it('gives the same VIN and warnings as the full checks', () => {
    const ch = fc.oneof({ arbitrary: fc.constantFrom(...'0123456789ABCDEFGHJKLMNPRSTUVWXYZ'.split('')), weight: 40 }, { arbitrary: fc.constantFrom('I', 'O', 'a', ' ', '-', '\u00a0'), weight: 1 });
    const vin = fc.oneof(
      fc.array(ch, { minLength: 15, maxLength: 19 }).map((a) => a.join('')),
      fc.constantFrom('1HGCM82633A004352', '1HGCM82633A004353', '00000000000000000', 'AAAAAAAAAAAAAAAAA', '1M8GDM9AXKP042788', ' 1HGCM82633A004352', '1hgcm82633a004352'),
    );
    fc.assert(
      fc.property(vin, (v) => {
        const [a, b]: [Warning[], Warning[]] = [[], []];
        expect([v, normalizeVin(v, a), a]).toEqual([v, full(v, b), b]);
      }),
      { numRuns: 10000, seed: 41 },
    );
  });
});

// Vehicles: interest/status enums, year, make/model/trim placeholders, VIN, stock, odometer and price, with empty form-artifact vehicles dropped.

import type { DraftVehicle, Interest, Vehicle, VehicleStatus } from '../../lead.js';
import { parsePrice } from './price.js';
import { asciiAlnumLower, cleanField, firstChars, isPlaceholder, tidy, warn, type WarningSink } from './text.js';
import { cleanVin, vinCheckDigit, vinProblem } from './vin.js';

const key = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, '');

const INTERESTS: Record<string, Interest> = {
  buy: 'buy',
  purchase: 'buy',
  lease: 'lease',
  sell: 'sell',
  tradein: 'trade-in',
  trade: 'trade-in',
  testdrive: 'test-drive',
};

/** INTERESTS by exact spelling, the entries that are tidy and their own key() (all of them). */
const INTERESTS_EXACT = new Map(Object.entries(INTERESTS).filter(([k]) => tidy(k) === k && key(k) === k));

/** ADF interest, case/spelling-insensitive ("Trade In" from STAR's SaleClassCode); missing → "buy" (the ADF default) with a warning. */
export function normalizeInterest(value: string | undefined, sink: WarningSink = []): Interest {
  // A value sent exactly as a table key ("buy") is tidy and its own key(): the Map answers without tidy, lower-case and regex.
  const direct = value === undefined ? undefined : INTERESTS_EXACT.get(value);
  if (direct) return direct;
  const v = tidy(value);
  if (v === undefined) {
    // OfferUp and DealerRater omit interest entirely.
    warn(sink, 'interest_defaulted', 'A vehicle had no interest; the ADF default "buy" was used');
    return 'buy';
  }
  const mapped = INTERESTS_EXACT.get(v) ?? INTERESTS[key(v)];
  if (mapped) return mapped;
  warn(sink, 'interest_unknown', 'A vehicle interest was not recognised; "buy" was used');
  return 'buy';
}

const STATUSES: Record<string, VehicleStatus> = {
  new: 'new',
  used: 'used',
  preowned: 'used',
  cpo: 'certified',
  certified: 'certified',
  certifiedpreowned: 'certified',
  certifiedused: 'certified',
};
/** STATUSES by exact spelling, the entries that are tidy and their own normalized key (all of them). */
const STATUSES_EXACT = new Map(Object.entries(STATUSES).filter(([k]) => tidy(k) === k && key(k).replace(/[^a-z]/g, '') === k));
// An OEM template sends status="ANY": a shopper's "either", not a vehicle property.
const NO_STATUS = new Set(['any', 'all', 'both', 'newused', 'newandused', 'neworused']);

/** new | used | certified from "USED", "New", "cpo" (Mazda Digital), "Certified Pre-Owned"; empty/"ANY" → undefined. */
export function normalizeStatus(value: string | undefined, sink: WarningSink = []): VehicleStatus | undefined {
  // As for interest: "new", "used" sent exactly as a table key are tidy and their own normalized key.
  const direct = value === undefined ? undefined : STATUSES_EXACT.get(value);
  if (direct) return direct;
  const v = tidy(value);
  if (v === undefined) return undefined;
  const k = key(v).replace(/[^a-z]/g, '');
  const mapped = STATUSES[k];
  if (mapped) return mapped;
  if (!NO_STATUS.has(k)) warn(sink, 'status_unknown', 'A vehicle status was not recognised and was omitted');
  return undefined;
}

const YEAR = /^\d{4}$/;

/** Model year as a number when it is 4 digits within 1900..referenceYear+2 (next year's models go on sale early). */
export function normalizeYear(value: string | undefined, referenceYear: number, sink: WarningSink = []): number | undefined {
  // Four digits as sent (most years) are already tidy: skip tidy's check.
  const v = typeof value === 'string' && YEAR.test(value) ? value : tidy(value);
  if (v === undefined) return undefined;
  const year = YEAR.test(v) ? Number(v) : NaN;
  if (year >= 1900 && year <= referenceYear + 2) return year;
  warn(sink, 'year_invalid', 'A vehicle year was not a plausible 4-digit year and was omitted');
  return undefined;
}

// Models that stand for "any model": Kia/HD "Full Line", Impel OEM "Any/All", Team Velocity's unfilled "-1".
const MODEL_PLACEHOLDERS = new Set(['fullline', 'any', 'all', 'any/all', 'all/any', 'anymodel', 'allmodels', 'select', 'selectmodel', 'selectone']);
const MINUS_ONES = /^(?:-1|0)(?:\s+(?:-1|0))*$/;

const MODEL_PLACEHOLDER_FIRST = firstChars(MODEL_PLACEHOLDERS);

/** A make, model or trim (tidied) that names no vehicle: a generic placeholder, "-1"/"0" runs, or "any model". */
export function isModelPlaceholder(v: string): boolean {
  if (isPlaceholder(v)) return true;
  // Fast answer for most makes and models ("Honda", "CX-70"): a value starting with an ASCII letter or digit other
  // than "0" cannot be "-1"/"0" runs, and its key() starts with that character lower-cased, so it can only be a
  // model placeholder if one starts with it too.
  const first = asciiAlnumLower(v.charCodeAt(0));
  if (first !== -1 && first !== 0x30 && MODEL_PLACEHOLDER_FIRST[first] === 0) return false;
  return MINUS_ONES.test(v) || MODEL_PLACEHOLDERS.has(key(v));
}

/** Make or trim, tidied; placeholders ("-1", "Any", "N/A") dropped. */
function cleanVehicleText(value: string | undefined, what: string, sink: WarningSink): string | undefined {
  const v = tidy(value);
  if (v === undefined) return undefined;
  if (isModelPlaceholder(v)) {
    warn(sink, 'placeholder_dropped', `A placeholder vehicle ${what} was dropped`);
    return undefined;
  }
  return v;
}

/** Model, tidied; "any model" placeholders dropped with `model_placeholder` (the make, if real, is kept). */
export function normalizeModel(value: string | undefined, sink: WarningSink = []): string | undefined {
  const v = tidy(value);
  if (v === undefined) return undefined;
  if (isModelPlaceholder(v)) {
    warn(sink, 'model_placeholder', 'A placeholder vehicle model (such as "Full Line" or "Any/All") was dropped');
    return undefined;
  }
  return v;
}

/** A VIN as it should be sent: 17 VIN characters, upper case, nothing else. */
const PLAIN_VIN = /^[A-HJ-NPR-Z0-9]{17}$/;

/** VIN upper-cased without spaces; an invalid one is kept (it still identifies a listing) with `vin_invalid`. */
export function normalizeVin(value: string | undefined, sink: WarningSink = []): string | undefined {
  // A plain VIN (most of them) is tidy and clean already, 17 characters is longer than any placeholder word and it
  // has only VIN characters: of the checks below only the repeated-character one and the check digit are left.
  if (typeof value === 'string' && PLAIN_VIN.test(value)) {
    if (/^(.)\1*$/.test(value)) {
      warn(sink, 'placeholder_dropped', 'A placeholder VIN was dropped');
      return undefined;
    }
    if (vinCheckDigit(value) !== value[8]) warn(sink, 'vin_invalid', 'A VIN failed the check-digit test; kept as sent');
    return value;
  }
  const raw = tidy(value);
  if (raw === undefined) return undefined;
  const vin = cleanVin(raw);
  if (vin === undefined || isPlaceholder(raw) || /^(.)\1*$/.test(vin)) {
    warn(sink, 'placeholder_dropped', 'A placeholder VIN was dropped');
    return undefined;
  }
  const problem = vinProblem(vin);
  if (problem === 'length') warn(sink, 'vin_invalid', 'A VIN did not have 17 characters; kept as sent');
  else if (problem === 'characters') warn(sink, 'vin_invalid', 'A VIN contained characters a VIN cannot hold; kept as sent');
  else if (problem === 'check_digit') warn(sink, 'vin_invalid', 'A VIN failed the check-digit test; kept as sent');
  return vin;
}

const MILES = new Set(['mi', 'mile', 'miles', 'm']);
const KILOMETRES = new Set(['km', 'kms', 'kilometer', 'kilometers', 'kilometre', 'kilometres', 'k']);

/**
 * Odometer reading as a number, in the units it was sent in: the contract has no unit field, and converting would
 * turn an exact reading into an estimate. Kilometres are flagged with `odometer_km` so a consumer can tell.
 * Units come from the attribute (`units="mi"`, Trade Accelerator's `unit="MILES"`) or a suffix in the text.
 */
export function parseOdometer(odometer: DraftVehicle['odometer'], sink: WarningSink = []): number | undefined {
  if (!odometer) return undefined;
  const v = tidy(odometer.value);
  if (v === undefined) return undefined;
  const m = /^(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*([a-z.]+)?$/i.exec(v);
  if (!m) {
    warn(sink, 'odometer_invalid', 'An odometer reading was not a number and was omitted');
    return undefined;
  }
  const value = Number(m[1]!.replace(/,/g, '') + (m[2] ?? ''));
  const units = (tidy(odometer.units) ?? m[3])?.toLowerCase().replace(/\.$/, '');
  if (units !== undefined && !MILES.has(units)) {
    if (KILOMETRES.has(units)) warn(sink, 'odometer_km', 'An odometer reading is in kilometres; the number was kept as sent');
    else warn(sink, 'odometer_units_unknown', 'Odometer units were not recognised; the number was kept as sent');
  }
  return value;
}

/** True when a vehicle names nothing that identifies it (no year, make, model, VIN or stock number). */
export function isEmptyVehicle(v: Vehicle): boolean {
  return v.year === undefined && !v.make && !v.model && !v.vin && !v.stock;
}

export interface VehicleOptions {
  /** Dealer country (price currency default). */
  country?: string | undefined;
  /** Upper bound for plausible model years is referenceYear + 2; normalize passes the year the lead was received. */
  referenceYear?: number | undefined;
}

/** One draft vehicle → contract vehicle (always returned; see normalizeVehicles for dropping empty ones). */
export function normalizeVehicle(draft: DraftVehicle, opts: VehicleOptions = {}, sink: WarningSink = []): Vehicle {
  const referenceYear = opts.referenceYear ?? new Date().getUTCFullYear();
  const v: Vehicle = { interest: normalizeInterest(draft.interest, sink) };
  const status = normalizeStatus(draft.status, sink);
  if (status) v.status = status;
  const year = normalizeYear(draft.year, referenceYear, sink);
  if (year !== undefined) v.year = year;
  const make = cleanVehicleText(draft.make, 'make', sink);
  if (make) v.make = make;
  const model = normalizeModel(draft.model, sink);
  if (model) v.model = model;
  const trim = cleanVehicleText(draft.trim, 'trim', sink);
  if (trim) v.trim = trim;
  const vin = normalizeVin(draft.vin, sink);
  if (vin) v.vin = vin;
  const stock = cleanField(draft.stock, 'stock number', sink);
  if (stock) v.stock = stock;
  const odometer = parseOdometer(draft.odometer, sink);
  if (odometer !== undefined) v.odometer = odometer;
  const price = parsePrice(draft.price, { country: opts.country }, sink);
  if (price) v.price = price;
  return v;
}

/**
 * All vehicles, in order sent. Vehicles that identify nothing are form artifacts — Costco's blank trade-in,
 * DealerRater's all-empty vehicle, HD Marketplace's empty "sell" vehicle — and are dropped with
 * `vehicle_empty_dropped` (and without the warnings their blank fields would have raised).
 */
export function normalizeVehicles(drafts: readonly DraftVehicle[], opts: VehicleOptions = {}, sink: WarningSink = []): Vehicle[] {
  const out: Vehicle[] = [];
  for (const draft of drafts) {
    const local: WarningSink = [];
    const v = normalizeVehicle(draft, opts, local);
    if (isEmptyVehicle(v)) {
      warn(sink, 'vehicle_empty_dropped', 'A vehicle with no year, make, model, VIN or stock number was dropped');
      continue;
    }
    for (const w of local) warn(sink, w.code, w.message);
    out.push(v);
  }
  return out;
}

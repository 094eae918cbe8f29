// Vehicle prices: "$55,795.00", "27588.0", "0.00" → { amount, currency, type? }; zero means "no price" and is omitted.

import type { DraftPrice, Vehicle } from '../../lead.js';
import { tidy, warn, type WarningSink } from './text.js';

export type Price = NonNullable<Vehicle['price']>;

const PRICE_TYPES = new Set(['quote', 'offer', 'msrp', 'invoice', 'call', 'appraisal', 'asking']);
const SYMBOLS: Record<string, string> = { '£': 'GBP', '€': 'EUR', '¥': 'JPY' };
// ADF has no default currency; when a lead omits it (TrueCar), the dealer's own currency is the only sane guess.
const COUNTRY_CURRENCY: Record<string, string> = { US: 'USD', CA: 'CAD', GB: 'GBP', MX: 'MXN', AU: 'AUD', NZ: 'NZD', IE: 'EUR' };

const PLAIN_AMOUNT = /^\d+(?:\.\d+)?$/;
const CURRENCY = /^[A-Z]{3}$/;

/** The dealer's currency for a country code, USD when unknown. */
export function defaultCurrency(country: string | undefined): string {
  return COUNTRY_CURRENCY[(country ?? 'US').trim().toUpperCase()] ?? 'USD';
}

/**
 * Just the number of a money string: currency symbols/codes and thousands separators removed.
 * Returns undefined when it is not a plain non-negative amount (ranges, words, negative numbers).
 */
export function parseAmount(value: string | undefined): { amount: number; currency?: string } | undefined {
  const v = tidy(value);
  if (v === undefined) return undefined;
  // A plain number ("45805.0", most prices) holds no currency code, symbol, space or comma: every step of readAmount
  // leaves it as it is, so only the final number check is left.
  if (PLAIN_AMOUNT.test(v)) {
    const amount = Number(v);
    return Number.isFinite(amount) ? { amount } : undefined;
  }
  return readAmount(v);
}

/**
 * parseAmount's general path for a tidied value: a currency code or symbol at either end, spaces, thousands commas or a
 * decimal comma. Exported for the test that pins parseAmount's plain-number shortcut to it.
 */
export function readAmount(value: string): { amount: number; currency?: string } | undefined {
  let v = value;
  let currency: string | undefined;
  const code = /^([A-Za-z]{3})\s*(.*)$|^(.*?)\s*([A-Za-z]{3})$/.exec(v);
  if (code) {
    currency = (code[1] ?? code[4])!.toUpperCase();
    v = (code[2] ?? code[3])!;
  }
  const sym = /^([$£€¥])\s*|\s*([$£€¥])$/.exec(v);
  if (sym) {
    currency ??= SYMBOLS[(sym[1] ?? sym[2])!];
    v = v.replace(sym[0], '');
  }
  v = v.replace(/\s+/g, '');
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(v)) v = v.replace(/,/g, '');
  else if (/^\d+,\d{1,2}$/.test(v)) v = v.replace(',', '.');
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(v)) return undefined;
  const amount = Number(v);
  if (!Number.isFinite(amount)) return undefined;
  return currency ? { amount, currency } : { amount };
}

/**
 * A draft price → contract price, or undefined when absent or zero ("0.00", `type="call"` 0 — nobody asks $0).
 * Currency: the attribute, else a symbol in the text (£/€), else the dealer country's currency ("$" is USD or CAD).
 */
export function parsePrice(price: DraftPrice | undefined, opts: { country?: string | undefined } = {}, sink: WarningSink = []): Price | undefined {
  if (!price) return undefined;
  if (tidy(price.value) === undefined) return undefined;
  const parsed = parseAmount(price.value);
  if (!parsed) {
    warn(sink, 'price_invalid', 'A vehicle price was not a number and was omitted');
    return undefined;
  }
  if (parsed.amount === 0) return undefined;
  // "USD" as sent (most currencies) is tidy and upper-case already: it would pass the steps below unchanged.
  const sent = price.currency;
  let currency: string | undefined;
  if (sent !== undefined && CURRENCY.test(sent)) currency = sent;
  else {
    currency = tidy(sent)?.toUpperCase();
    if (currency !== undefined && !CURRENCY.test(currency)) {
      warn(sink, 'price_currency_invalid', 'A price currency was not an ISO 4217 code and was ignored');
      currency = undefined;
    }
  }
  const out: Price = { amount: parsed.amount, currency: currency ?? parsed.currency ?? defaultCurrency(opts.country) };
  // A known type as sent ("quote") is tidy and lower-case already.
  const type = price.type !== undefined && PRICE_TYPES.has(price.type) ? price.type : tidy(price.type)?.toLowerCase();
  if (type !== undefined) {
    if (PRICE_TYPES.has(type)) out.type = type;
    else warn(sink, 'price_type_unknown', 'A price type was not recognised and was omitted');
  }
  return out;
}

// VIN validation: 17 characters from the VIN alphabet with the North American (49 CFR 565 / ISO 3779 annex) check digit in position 9.

import { tidy } from './text.js';

// Letter values for the check-digit sum; I, O and Q are not allowed in a VIN at all.
const TRANSLITERATION: Record<string, number> = {
  A: 1, B: 2, C: 3, D: 4, E: 5, F: 6, G: 7, H: 8,
  J: 1, K: 2, L: 3, M: 4, N: 5, P: 7, R: 9,
  S: 2, T: 3, U: 4, V: 5, W: 6, X: 7, Y: 8, Z: 9,
};
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

/** Upper-case and remove spaces/dashes (VINs are copied from paperwork with grouping). */
export function cleanVin(value: string | undefined): string | undefined {
  const v = tidy(value);
  if (v === undefined) return undefined;
  const out = v.replace(/[\s-]+/g, '').toUpperCase();
  return out === '' ? undefined : out;
}

/** TRANSLITERATION and the digits by character code (0-127); -1 for characters that are not VIN characters. */
const VALUES = (() => {
  const out = new Int8Array(128).fill(-1);
  for (let d = 0; d <= 9; d++) out[48 + d] = d;
  for (const [c, v] of Object.entries(TRANSLITERATION)) out[c.charCodeAt(0)] = v;
  return out;
})();

/** Value of one VIN character (by code) for the check digit, or -1 when it is not a VIN character. */
function charValue(code: number): number {
  return code < 128 ? VALUES[code]! : -1;
}

/** The check digit ('0'-'9' or 'X') a 17-character VIN should carry, or undefined when it holds a non-VIN character. */
export function vinCheckDigit(vin: string): string | undefined {
  if (vin.length !== 17) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = charValue(vin.charCodeAt(i));
    if (v < 0) return undefined;
    sum += v * WEIGHTS[i]!;
  }
  const r = sum % 11;
  return r === 10 ? 'X' : String(r);
}

/**
 * Why a (cleaned) VIN is not valid, or undefined when it is. European/Asian-market VINs need not carry a check
 * digit, so a failure here is a warning, never a reason to drop the VIN.
 */
export function vinProblem(vin: string): 'length' | 'characters' | 'check_digit' | undefined {
  if (vin.length !== 17) return 'length';
  if (!/^[A-HJ-NPR-Z0-9]{17}$/.test(vin)) return 'characters';
  return vinCheckDigit(vin) === vin[8] ? undefined : 'check_digit';
}

/** True when `vin` (after cleanVin) is 17 VIN characters with a correct check digit. */
export function validateVin(vin: string): boolean {
  const v = cleanVin(vin);
  return v !== undefined && vinProblem(v) === undefined;
}

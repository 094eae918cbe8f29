// The fingerprint of a lead's content as published (ids and dedupe decisions left out), stored with each lead so replay can tell a corrected read from an unchanged one.
import { sha256Hex } from '../hash.js';
import type { Lead } from '../lead.js';

/** What a lead's content hash leaves out: the ids decided by identity, and dedupe's verdict (which depends on what came before, not on the bytes). */
type Decided = 'leadId' | 'customerId' | 'duplicateOf' | 'duplicateReason' | 'adds';

/** Strings JSON.stringify leaves as they are between quotes: no quote, backslash, control character or surrogate (paired or lone). */
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify of a string, without the call for the common string that needs no escaping. */
function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** UTF-16 code unit order, as Array.prototype.sort orders strings by default (cheaper with a comparator in V8). */
const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * JSON with object keys sorted, so the hash depends on the values only, not on the order code happened to build
 * them in. Runs once per lead at commit: plain loops, no JSON.stringify call per plain key or string. The output is
 * stored (replay compares it), so it must stay byte for byte what it is; content-hash.test.ts pins it.
 */
export function canonical(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) {
    let s = '[';
    for (let i = 0; i < value.length; i++) s += (i ? ',' : '') + canonical(value[i]);
    return s + ']';
  }
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length > 1) keys.sort(byCodeUnit);
  let s = '{';
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = o[k];
    if (v === undefined) continue;
    s += (first ? '' : ',') + quote(k) + ':' + canonical(v);
    first = false;
  }
  return s + '}';
}

/** sha256 (hex) of everything a lead says except its ids and its duplicate verdict. */
export function leadContentHash(lead: Omit<Lead, Decided> & Partial<Pick<Lead, Decided>>): string {
  const { leadId: _l, customerId: _c, duplicateOf: _d, duplicateReason: _r, adds: _a, ...content } = lead;
  return sha256Hex(canonical(content));
}

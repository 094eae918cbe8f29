// The fingerprint of a lead's content as published (ids and dedupe decisions left out), stored with each lead so replay can tell a corrected read from an unchanged one.
import { createHash } from 'node:crypto';
import type { Lead } from '../lead.js';

/** What a lead's content hash leaves out: the ids decided by identity, and dedupe's verdict (which depends on what came before, not on the bytes). */
type Decided = 'leadId' | 'customerId' | 'duplicateOf' | 'duplicateReason' | 'adds';

/** JSON with object keys sorted, so the hash depends on the values only, not on the order code happened to build them in (runs once per lead: plain loops). */
function canonical(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) {
    let s = '[';
    for (let i = 0; i < value.length; i++) s += (i ? ',' : '') + canonical(value[i]);
    return s + ']';
  }
  const o = value as Record<string, unknown>;
  let s = '{';
  let first = true;
  for (const k of Object.keys(o).sort()) {
    const v = o[k];
    if (v === undefined) continue;
    s += (first ? '' : ',') + JSON.stringify(k) + ':' + canonical(v);
    first = false;
  }
  return s + '}';
}

/** sha256 (hex) of everything a lead says except its ids and its duplicate verdict. */
export function leadContentHash(lead: Omit<Lead, Decided> & Partial<Pick<Lead, Decided>>): string {
  const { leadId: _l, customerId: _c, duplicateOf: _d, duplicateReason: _r, adds: _a, ...content } = lead;
  return createHash('sha256').update(canonical(content)).digest('hex');
}

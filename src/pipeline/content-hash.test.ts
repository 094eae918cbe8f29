// The lead fingerprint replay compares with: same content → same hash whatever the key order or ids; any content change → a different hash.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Lead } from '../lead.js';
import { leadContentHash } from './content-hash.js';

const lead: Lead = JSON.parse(readFileSync(new URL('../../fixtures/real-leads/cargurus-1.expected.json', import.meta.url), 'utf8'))[0];

/** The same object with every key order reversed, recursively. */
function reversed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversed);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)]));
  return v;
}

describe('leadContentHash', () => {
  it('ignores key order, ids and the duplicate verdict', () => {
    const h = leadContentHash(lead);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(leadContentHash(reversed(lead) as Lead)).toBe(h);
    expect(leadContentHash({ ...lead, leadId: 'other', customerId: 'other', duplicateOf: 'x', duplicateReason: 'same_bytes', adds: { emails: ['a@b.co'] } })).toBe(h);
  });

  it('changes with any published content', () => {
    const h = leadContentHash(lead);
    expect(leadContentHash({ ...lead, dealer: { ...lead.dealer, name: 'Another Name' } })).not.toBe(h);
    expect(leadContentHash({ ...lead, customer: { ...lead.customer, emails: [] } })).not.toBe(h);
    expect(leadContentHash({ ...lead, warnings: [] })).not.toBe(h);
    expect(leadContentHash({ ...lead, vehicles: [{ ...lead.vehicles[0], year: 1999 }] })).not.toBe(h);
  });
});

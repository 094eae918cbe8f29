// The lead fingerprint replay compares with: same content → same hash whatever the key order or ids; any content change → a different hash.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Lead } from '../lead.js';
import { canonical, leadContentHash } from './content-hash.js';

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

/** The canonical form as first written (the stored hashes were made with it), verbatim: JSON.stringify for every key and primitive. */
function firstCanonical(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) {
    let s = '[';
    for (let i = 0; i < value.length; i++) s += (i ? ',' : '') + firstCanonical(value[i]);
    return s + ']';
  }
  const o = value as Record<string, unknown>;
  let s = '{';
  let first = true;
  for (const k of Object.keys(o).sort()) {
    const v = o[k];
    if (v === undefined) continue;
    s += (first ? '' : ',') + JSON.stringify(k) + ':' + firstCanonical(v);
    first = false;
  }
  return s + '}';
}

describe('canonical', () => {
  it('is byte for byte the first canonical form for every published fixture lead', () => {
    const dir = new URL('../../fixtures/real-leads/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.expected.json'));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const out: unknown = JSON.parse(readFileSync(new URL(f, dir), 'utf8'));
      for (const l of Array.isArray(out) ? out : [out]) expect(canonical(l)).toBe(firstCanonical(l));
    }
  });

  it('is byte for byte the first canonical form for generated JSON, escapes and surrogates included', () => {
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ unit: fc.constantFrom('a', '"', '\\', '\n', '\u0000', '\u001f', '\u007f', '\u2028', '\ud83d', '\ude00', 'é'), maxLength: 8 }));
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, text, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(text, tie('node'), { maxKeys: 5 })),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        expect(canonical(v)).toBe(firstCanonical(v));
      }),
      { numRuns: 3000, seed: 13 },
    );
  });
});

// Tests for normalize(): whole drafts (shaped like the real-leads fixtures) to NormalizedLead, and a property test that nothing empty is ever emitted.

import { describe, expect, it } from 'vitest';
import type { DraftId, LeadDraft, NormalizedLead } from '../lead.js';
import { normalize, normalizeSource, normalizeTimeframe, type NormalizeContext } from './normalize.js';

const ctx: NormalizeContext = {
  receivedAt: '2025-10-18T20:30:00.000Z',
  channel: 'http',
  adapter: 'adf',
  raw: { sha256: 'a'.repeat(64), contentType: 'application/xml', size: 1234 },
};

function draft(over: Partial<LeadDraft> = {}, customer: Partial<LeadDraft['customer']> = {}): LeadDraft {
  return {
    format: 'adf',
    index: 0,
    ids: [],
    vehicles: [],
    extras: {},
    warnings: [],
    ...over,
    customer: { names: [], emails: [], phones: [], ids: [], ...customer },
  };
}

describe('normalize: a Kia/Mazda Digital style lead', () => {
  const d = draft(
    {
      status: 'new',
      requestDate: '2025-10-18T16:27:39',
      ids: [
        { value: '7f1c0c1e-0000-4000-8000-000000000001', source: 'Mazda Digital', sequence: '1' },
        { value: 'TestDrive', source: 'LeadType', sequence: '4' },
        { value: '', source: '0:ADF XML Email' },
        { value: '7f1c0c1e-0000-4000-8000-000000000001', source: 'Mazda Digital', sequence: '2' },
      ],
      vehicles: [
        { interest: 'buy', status: 'cpo', ids: [], year: '2022', make: 'Mazda', model: 'CX-9', vin: 'JM3TCBDY5N0600000', price: { value: '0', type: 'call' } },
        { interest: 'trade-in', ids: [], year: '', make: '', model: '' },
      ],
      vendor: { ids: [{ value: '12345', source: 'DealerId' }, { value: '' }], name: ' TUSTIN MAZDA ', url: 'https://example.invalid' },
      provider: { ids: [], name: 'Team Velocity - Check Availability', service: 'Mazda Digital', url: 'https://teamvelocity.example' },
      extras: { leadtype: 'internet', empty: '  ' },
      warnings: [{ code: 'xml_entity_repaired', message: 'An HTML entity was replaced' }],
    },
    {
      names: [
        { value: 'FIRSTNAME', part: 'first', type: 'individual' },
        { value: 'LASTNAME', part: 'last', type: 'individual' },
      ],
      emails: [{ value: '' }],
      phones: [
        { value: '', type: 'voice', time: 'evening' },
        { value: '5550100113', type: 'voice', time: 'day' },
        { value: '', type: 'cellphone' },
      ],
      address: { lines: ['1 not provided', ''], city: '', region: 'CA', postalCode: '90000', country: 'US' },
      comments: 'Interested Vehicle: -1 -1 -1 -1\r\n\r\n\r\n\r\nIP Address: 192.0.2.10  \r\n',
    },
  );
  const lead = normalize(d, ctx);

  it('builds the contract shapes', () => {
    expect(lead).toEqual<NormalizedLead>({
      receivedAt: ctx.receivedAt,
      requestedAt: '2025-10-18T16:27:39',
      source: {
        channel: 'http',
        adapter: 'adf',
        provider: 'Team Velocity - Check Availability',
        service: 'Mazda Digital',
        externalIds: [
          { source: 'Mazda Digital', id: '7f1c0c1e-0000-4000-8000-000000000001' },
          { source: 'LeadType', id: 'TestDrive' },
        ],
      },
      customer: {
        name: { first: 'FIRSTNAME', last: 'LASTNAME' },
        emails: [],
        phones: [{ raw: '5550100113', type: 'voice', time: 'day' }],
        address: { lines: [], region: 'CA', postalCode: '90000', country: 'US' },
        comments: 'Interested Vehicle: -1 -1 -1 -1\n\nIP Address: 192.0.2.10',
      },
      vehicles: [{ interest: 'buy', status: 'certified', year: 2022, make: 'Mazda', model: 'CX-9', vin: 'JM3TCBDY5N0600000' }],
      warnings: lead.warnings,
      raw: ctx.raw,
      vendor: { ids: [{ value: '12345', source: 'DealerId' }], name: 'TUSTIN MAZDA' },
      hints: {
        providerName: 'Team Velocity - Check Availability',
        providerUrl: 'https://teamvelocity.example',
        extras: { leadtype: 'internet' },
        status: 'new',
      },
    });
  });

  it('carries draft warnings first, then its own, none holding customer data', () => {
    expect(lead.warnings.map((w) => w.code)).toEqual([
      'xml_entity_repaired',
      'requestdate_no_offset',
      'phone_invalid',
      'placeholder_dropped',
      'vin_invalid',
      'vehicle_empty_dropped',
    ]);
    const text = JSON.stringify(lead.warnings);
    for (const secret of ['FIRSTNAME', '5550100113', '90000', 'JM3TCBDY5N0600000']) expect(text).not.toContain(secret);
  });
});

describe('normalize: customer fields', () => {
  it('sets preferredContact from the flagged email or phone; both flagged is ambiguous', () => {
    const email = normalize(draft({}, { emails: [{ value: 'a@example.com', preferred: true }], phones: [{ value: '7202918385' }] }), ctx);
    expect(email.customer.preferredContact).toBe('email');
    const phone = normalize(draft({}, { emails: [{ value: 'a@example.com' }], phones: [{ value: '7202918385', preferred: true }] }), ctx);
    expect(phone.customer.preferredContact).toBe('phone');
    const both = normalize(draft({}, { emails: [{ value: 'a@example.com', preferred: true }], phones: [{ value: '7202918385', preferred: true }] }), ctx);
    expect(both.customer.preferredContact).toBeUndefined();
    expect(both.warnings.map((w) => w.code)).toContain('preferred_contact_ambiguous');
  });

  it('uses the dealer country for phone numbers', () => {
    const lead = normalize(draft({}, { phones: [{ value: '07471 075500', type: 'mobile' }] }), { ...ctx, country: 'GB' });
    expect(lead.customer.phones).toEqual([{ e164: '+447471075500', raw: '07471 075500', type: 'mobile' }]);
  });

  it('omits address, comments and timeframe when empty', () => {
    const lead = normalize(draft({}, { address: { lines: [' '], city: '' }, comments: ' \n ', timeframe: { description: '' } }), ctx);
    expect(lead.customer).toEqual({ emails: [], phones: [] });
  });
});

describe('normalizeTimeframe', () => {
  it('prefers the description (CarGurus "2 weeks")', () => {
    expect(normalizeTimeframe({ description: '2 weeks', earliest: '2025-10-20' })).toBe('2 weeks');
  });
  it('falls back to earliest–latest text', () => {
    expect(normalizeTimeframe({ earliest: '2025-10-20', latest: '2025-11-01' })).toBe('2025-10-20–2025-11-01');
    expect(normalizeTimeframe({ earliest: '2025-10-20' })).toBe('from 2025-10-20');
    expect(normalizeTimeframe({ latest: '2025-11-01' })).toBe('by 2025-11-01');
    expect(normalizeTimeframe({})).toBeUndefined();
  });
});

describe('normalizeSource', () => {
  it('falls back to the service, then "unknown", for the provider', () => {
    expect(normalizeSource(draft({ provider: { ids: [], service: 'Wallet Lead' } }), ctx).provider).toBe('Wallet Lead');
    expect(normalizeSource(draft(), ctx)).toEqual({ channel: 'http', adapter: 'adf', provider: 'unknown', externalIds: [] });
  });
  it('attributes ids with no or empty source to the provider (Apollo source="", CarGurus)', () => {
    const ids: DraftId[] = [
      { value: 'vAuto-1760340718386', source: 'CarGurus' },
      { value: '42', source: ' ' },
      { value: '42' },
      { value: '  ' },
    ];
    expect(normalizeSource(draft({ ids, provider: { ids: [], name: 'Apollo Ads' } }), ctx).externalIds).toEqual([
      { source: 'CarGurus', id: 'vAuto-1760340718386' },
      { source: 'Apollo Ads', id: '42' },
    ]);
    expect(normalizeSource(draft({ ids: [{ value: '7' }] }), ctx).externalIds).toEqual([{ source: 'unknown', id: '7' }]);
  });
});

describe('normalize: requestedAt and vendor', () => {
  it('falls back to receivedAt when requestdate is empty', () => {
    const lead = normalize(draft({ requestDate: '' }), ctx);
    expect(lead.requestedAt).toBe(ctx.receivedAt);
    expect(lead.warnings.map((w) => w.code)).toEqual(['requestdate_missing']);
  });
  it('omits vendor when it names nothing', () => {
    expect(normalize(draft({ vendor: { ids: [{ value: '' }], name: ' ' } }), ctx).vendor).toBeUndefined();
  });
  it('bounds plausible model years by the year the lead was received', () => {
    const lead = normalize(draft({ vehicles: [{ ids: [], interest: 'buy', year: '2027', make: 'Kia' }] }), ctx);
    expect(lead.vehicles[0]!.year).toBe(2027);
    const early = normalize(draft({ vehicles: [{ ids: [], interest: 'buy', year: '2027', make: 'Kia' }] }), { ...ctx, receivedAt: '2024-01-01T00:00:00Z' });
    expect(early.vehicles[0]!.year).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------
// Property-ish test: drafts full of empty, blank and placeholder values never produce "" or {}.
// ---------------------------------------------------------------------------

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EMPTYISH = ['', ' ', '\u00a0', '\r\n', '\t \u202f', 'N/A', '-', '.', '1 not provided', '0', '00000', 'ANY', 'Full Line', 'mailto:', '?', 'null'];

function randomDraft(r: () => number): LeadDraft {
  const pick = () => EMPTYISH[Math.floor(r() * EMPTYISH.length)]!;
  const maybe = () => (r() < 0.5 ? pick() : undefined);
  const many = <T>(f: () => T) => Array.from({ length: Math.floor(r() * 4) }, f);
  const id = (): DraftId => ({ value: pick(), source: maybe(), sequence: maybe() }) as DraftId;
  return {
    format: 'adf',
    index: 0,
    status: maybe(),
    ids: many(id),
    requestDate: maybe(),
    customer: {
      names: many(() => ({ value: pick(), part: maybe(), type: maybe() }) as LeadDraft['customer']['names'][number]),
      emails: many(() => ({ value: pick(), preferred: r() < 0.5 })),
      phones: many(() => ({ value: pick(), type: maybe(), time: maybe(), preferred: r() < 0.5 }) as LeadDraft['customer']['phones'][number]),
      address: r() < 0.7 ? ({ lines: many(pick), apartment: maybe(), city: maybe(), region: maybe(), postalCode: maybe(), country: maybe() } as never) : undefined,
      ids: many(id),
      comments: maybe(),
      timeframe: r() < 0.5 ? ({ description: maybe(), earliest: maybe(), latest: maybe() } as never) : undefined,
    } as LeadDraft['customer'],
    vehicles: many(
      () =>
        ({
          interest: maybe(),
          status: maybe(),
          ids: many(id),
          year: maybe(),
          make: maybe(),
          model: maybe(),
          trim: maybe(),
          vin: maybe(),
          stock: maybe(),
          odometer: r() < 0.5 ? { value: pick(), units: maybe() } : undefined,
          price: r() < 0.5 ? { value: pick(), type: maybe(), currency: maybe() } : undefined,
          comments: maybe(),
        }) as never,
    ),
    vendor: r() < 0.5 ? ({ ids: many(id), name: maybe(), url: maybe() } as never) : undefined,
    provider: r() < 0.5 ? ({ ids: many(id), name: maybe(), service: maybe(), url: maybe() } as never) : undefined,
    extras: Object.fromEntries(many(() => [`k${Math.floor(r() * 5)}`, pick()])),
    warnings: [],
  } as LeadDraft;
}

/** Paths of every empty string, blank string, undefined-valued key or empty object in a value. */
function emptyPaths(value: unknown, path = '$'): string[] {
  if (typeof value === 'string') return value.trim() === '' ? [path] : [];
  if (value === undefined) return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => emptyPaths(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    // hints is internal (removed before publishing) and may be {}; everything public must not.
    const allowedEmpty = path === '$.hints';
    const own = entries.length === 0 && !allowedEmpty ? [path] : [];
    return [...own, ...entries.flatMap(([k, v]) => emptyPaths(v, `${path}.${k}`))];
  }
  return [];
}

describe('normalize: never emits empty strings or empty objects', () => {
  it('holds for 2000 random drafts made of empty, blank and placeholder values', () => {
    const r = rng(20251018);
    for (let i = 0; i < 2000; i++) {
      const d = randomDraft(r);
      const lead = normalize(d, ctx);
      const bad = emptyPaths(lead);
      if (bad.length > 0) throw new Error(`draft #${i} produced empty values at ${bad.join(', ')}: ${JSON.stringify(d)}`);
      expect(lead.customer.emails).toEqual([]);
      for (const w of lead.warnings) expect(w.code).toMatch(/^[a-z][a-z0-9_]*$/);
    }
  });
});

// Multi-dealer tenancy end to end: identity and dedup per rooftop by default, shared across a dealer group that says so, and leads for dealers nobody configured accepted and flagged rather than lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { DealerResolver, groupScope, scopeOf } from '../src/pipeline/resolve-dealer.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

const DEALERS = [
  { id: 'metro-kia', name: 'Metro Kia', group: 'metro' },
  { id: 'metro-mazda', name: 'Metro Mazda', group: 'metro' },
  { id: 'valley-ford', name: 'Valley Ford', group: 'valley' },
  { id: 'valley-honda', name: 'Valley Honda', group: 'valley' },
  { id: 'solo-toyota', name: 'Solo Toyota' },
];
const GROUPS = [
  { id: 'metro', name: 'Metro Auto Group', identityScope: 'group' },
  // No identityScope: each rooftop keeps its own customers (the default).
  { id: 'valley', name: 'Valley Motors' },
];

let seq = 0;
/** A small ADF lead from a marketplace to one rooftop (by vendor name), with its own provider lead id. */
function adf(opts: { vendor?: string; email: string; make?: string; model?: string; comments?: string }): string {
  const id = `LID-${Date.now()}-${++seq}`;
  const vendor = opts.vendor ? `<vendor><vendorname>${opts.vendor}</vendorname></vendor>` : '';
  return `<?xml version="1.0"?><?adf version="1.0"?><adf><prospect status="new">
<id sequence="1" source="TestMarket">${id}</id><requestdate>2026-03-01T10:00:00-05:00</requestdate>
<vehicle interest="buy" status="new"><year>2026</year><make>${opts.make ?? 'Kia'}</make><model>${opts.model ?? 'Telluride'}</model></vehicle>
<customer><contact><name part="first">Jordan</name><name part="last">Rivera</name><email>${opts.email}</email></contact>${opts.comments ? `<comments>${opts.comments}</comments>` : ''}</customer>
${vendor}<provider><name part="full">TestMarket</name></provider></prospect></adf>`;
}

describe('tenancy: dealer groups and identity scopes', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ dealers: DEALERS, groups: GROUPS });
  });
  afterAll(async () => {
    await gw?.cleanup();
  });

  async function post(body: string) {
    const res = await gw.post(body);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    return res.json.leads[0] as { leadId: string; customerId: string; outcome: string; duplicateOf?: string };
  }

  it('a shopper who writes to two rooftops of a group that shares identity is one customer, and the same request is a duplicate', async () => {
    const kia = await post(adf({ vendor: 'Metro Kia', email: 'shared.shopper@example.com' }));
    const mazda = await post(adf({ vendor: 'Metro Mazda', email: 'shared.shopper@example.com' }));
    expect(kia.outcome).toBe('received');
    expect(mazda.customerId).toBe(kia.customerId);
    // Same customer, same vehicle, another rooftop of the group: the group already has this lead.
    expect(mazda).toMatchObject({ outcome: 'duplicate', duplicateOf: kia.leadId });
    // A different vehicle at the other rooftop is a new lead of the same customer.
    const other = await post(adf({ vendor: 'Metro Mazda', email: 'shared.shopper@example.com', make: 'Mazda', model: 'CX-90' }));
    expect(other).toMatchObject({ outcome: 'received', customerId: kia.customerId });

    await gw.drained();
    const events = await gw.events(undefined, 3);
    const byLead = new Map(events.map((e) => [e.data.leadId, e]));
    // Each event still names its own rooftop.
    expect(byLead.get(kia.leadId)!.data.dealer.id).toBe('metro-kia');
    expect(byLead.get(mazda.leadId)!.data.dealer.id).toBe('metro-mazda');
    expect(byLead.get(mazda.leadId)!.type).toBe('com.leadgate.lead.duplicate');
  });

  it('rooftops of a group without identityScope "group", and ungrouped dealers, keep their own customers', async () => {
    const ford = await post(adf({ vendor: 'Valley Ford', email: 'own.shopper@example.com' }));
    const honda = await post(adf({ vendor: 'Valley Honda', email: 'own.shopper@example.com' }));
    const solo = await post(adf({ vendor: 'Solo Toyota', email: 'own.shopper@example.com' }));
    const metro = await post(adf({ vendor: 'Metro Kia', email: 'own.shopper@example.com' }));
    expect(new Set([ford.customerId, honda.customerId, solo.customerId, metro.customerId]).size).toBe(4);
    expect([ford, honda, solo, metro].every((l) => l.outcome === 'received')).toBe(true);
    // Within one rooftop the shopper is still recognized.
    const again = await post(adf({ vendor: 'Valley Ford', email: 'own.shopper@example.com', make: 'Ford', model: 'Bronco' }));
    expect(again.customerId).toBe(ford.customerId);
  });

  it('accepts and flags leads for dealers nobody configured, under their own scope', async () => {
    const unknown = await post(adf({ vendor: 'Nowhere Motors', email: 'lost.shopper@example.com' }));
    const unnamed = await post(adf({ email: 'lost.shopper@example.com', make: 'Honda', model: 'Civic' }));
    const known = await post(adf({ vendor: 'Metro Kia', email: 'lost.shopper@example.com' }));
    expect(unknown.outcome).toBe('received');
    expect(unnamed.outcome).toBe('received');
    expect(new Set([unknown.customerId, unnamed.customerId, known.customerId]).size).toBe(3);
    await gw.drained();
    const events = await gw.events();
    const u = events.find((e) => e.data.leadId === unknown.leadId)!;
    expect(u.data.dealer).toEqual({ id: 'nowhere-motors', name: 'Nowhere Motors' });
    expect(u.data.warnings.map((w: { code: string }) => w.code)).toContain('dealer_not_configured');
    const n = events.find((e) => e.data.leadId === unnamed.leadId)!;
    expect(n.data.dealer.id).toBe('unknown');
    expect(n.data.warnings.map((w: { code: string }) => w.code)).toContain('dealer_unresolved');
    const k = events.find((e) => e.data.leadId === known.leadId)!;
    expect(k.data.warnings.map((w: { code: string }) => w.code)).not.toContain('dealer_not_configured');
  });
});

describe('tenancy: scopes and configuration checks', () => {
  it('computes each dealer scope once: the group for sharing groups, the dealer otherwise', () => {
    const config = loadConfig({ env: {}, overrides: { dealers: DEALERS, groups: GROUPS } });
    const r = new DealerResolver(config.dealers, config.groups);
    expect(r.scopeOf('metro-kia')).toBe(groupScope('metro'));
    expect(r.scopeOf('metro-mazda')).toBe('group:metro');
    expect(r.scopeOf('valley-ford')).toBe('valley-ford');
    expect(r.scopeOf('solo-toyota')).toBe('solo-toyota');
    expect(r.scopeOf('nowhere-motors')).toBe('nowhere-motors');
    expect(scopeOf('metro-mazda', config)).toBe('group:metro');
    expect(scopeOf('valley-honda', config)).toBe('valley-honda');
  });

  it('refuses a dealer naming a group that does not exist, and a group id used twice', () => {
    const problems = (dealers: unknown, groups: unknown): string[] => {
      try {
        loadConfig({ env: {}, overrides: { dealers, groups } });
        return [];
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).problems;
      }
    };
    expect(problems([{ id: 'a', name: 'A', group: 'nope' }], [])).toEqual(['/dealers/0/group: "nope" is not a group id (groups[].id)']);
    expect(problems([], [{ id: 'g', name: 'G' }, { id: 'g', name: 'G again' }])).toEqual(['/groups: group id "g" is listed twice']);
    expect(problems(DEALERS, GROUPS)).toEqual([]);
  });
});

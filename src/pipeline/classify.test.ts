// Classification: party, provider, sub-source and lead type in their order of precedence, configured overrides per dealer/group/top level, and evidence without customer data.
import { describe, expect, it } from 'vitest';
import type { ProviderAdapter } from '../../adapters/index.js';
import type { SourceRule } from '../config.js';
import type { Signals } from '../input.js';
import type { DraftVehicle, LeadDraft } from '../lead.js';
import { Attributor } from './attribute.js';
import { Classifier, type ClassifyResult } from './classify.js';
import { normalize } from './normalize.js';

const program: ProviderAdapter = { name: 'acme-digital', title: 'Acme Digital', provider: 'Acme Digital', party: 'second', formats: ['adf'], match: { names: /\bacme digital\b/i } };
const vendor: ProviderAdapter = { name: 'sitebuilder', title: 'SiteBuilder', provider: 'SiteBuilder', party: 'first', formats: ['adf'], match: { names: /\bsitebuilder\b/i } };
const chat: ProviderAdapter = { name: 'chatco', title: 'ChatCo', provider: 'ChatCo', party: 'first', formats: ['adf'], match: { names: /\bchatco\b/i }, defaultLeadType: 'chat' };
const market: ProviderAdapter = {
  name: 'carmart',
  title: 'CarMart',
  provider: 'CarMart',
  party: 'third',
  formats: ['adf'],
  match: { names: /carmart/i },
  refine: (d) =>
    /partner/i.test(d.provider?.service ?? '')
      ? { ...d, attribution: { subSource: { value: 'Partner Bank', evidence: { signal: 'provider.service', value: 'Partner', rule: 'adapter:carmart' } } } }
      : /own/i.test(d.provider?.service ?? '')
        ? { ...d, attribution: { subSource: { value: 'carmart', evidence: { signal: 'provider.service', rule: 'adapter:carmart' } } } }
        : d,
};
const attributor = new Attributor([program, vendor, chat, market]);

function draft(over: Partial<LeadDraft> = {}, vehicles: DraftVehicle[] = [{ interest: 'buy', status: 'new', ids: [], year: '2025', make: 'Kia', model: 'EV9' }]): LeadDraft {
  return {
    format: 'adf',
    index: 0,
    ids: [],
    customer: { names: [{ value: 'Jane', part: 'first' }, { value: 'Customer', part: 'last' }], emails: [{ value: 'jane.customer@example.com' }], phones: [], ids: [] },
    vehicles,
    extras: {},
    warnings: [],
    ...over,
  };
}

const config = (sources: SourceRule[] = [], dealerSources: SourceRule[] = [], groupSources: SourceRule[] = []) => ({
  dealers: [{ id: 'tustin-mazda', name: 'Tustin Mazda', group: 'g1', sources: dealerSources }],
  groups: [{ id: 'g1', name: 'Group One', sources: groupSources }],
  sources,
});

function classify(d: LeadDraft, opts: { signals?: Signals; explicit?: string; classifier?: Classifier; dealerId?: string } = {}): ClassifyResult {
  const attribution = attributor.attribute(d, opts.signals ?? {}, opts.explicit);
  const lead = normalize(attribution.draft, { receivedAt: '2026-01-15T17:00:00.000Z', channel: 'http-adf', adapter: 'adf', raw: { sha256: 'x', contentType: 'application/xml', size: 1 } });
  return (opts.classifier ?? new Classifier(config())).classify({ dealerId: opts.dealerId ?? 'tustin-mazda', lead, attribution, ...(opts.explicit ? { explicitAdapter: opts.explicit } : {}) });
}

describe('party', () => {
  it("is the chosen source's party, with the evidence that chose it", () => {
    const c = classify(draft({ provider: { ids: [], name: 'CarMart' } }));
    expect([c.provider, c.party]).toEqual(['CarMart', 'third']);
    expect(c.classification.party).toEqual({ signal: 'provider.name', value: 'CarMart', rule: 'adapter:carmart' });
    expect(c.classification.provider).toEqual(c.classification.party);
  });

  it("of an OEM program relaying the dealer's own website vendor is first; the program stays the provider, the vendor is the sub-source", () => {
    const c = classify(draft({ provider: { ids: [], name: 'SiteBuilder - Contact Dealer', service: 'Acme Digital' } }));
    expect([c.provider, c.subSource, c.party]).toEqual(['Acme Digital', 'SiteBuilder', 'first']);
    expect(c.classification.party).toEqual({ signal: 'provider.name', value: 'SiteBuilder - Contact Dealer', rule: 'relay-origin:adapter:sitebuilder' });
  });

  it('of a third-party lead an OEM program relays is third ("3rd Party Lead", partner id)', () => {
    const c = classify(draft({ provider: { ids: [], name: 'Acme Digital - 3rd Party Lead' }, ids: [{ source: 'CarsDirect', value: '9' }] }));
    expect([c.provider, c.subSource, c.party]).toEqual(['Acme Digital', 'CarsDirect', 'third']);
    expect(c.classification.party).toEqual({ signal: 'provider.name', value: 'Acme Digital - 3rd Party Lead', rule: 'third-party-marker' });
  });

  it("of the program's own lead (nothing relayed) is second", () => {
    expect(classify(draft({ provider: { ids: [], name: 'Acme Digital' } })).party).toBe('second');
  });

  it('of a dealer web form is first, whatever else it says', () => {
    const c = classify(draft({ format: 'form', provider: { ids: [], name: 'CarMart' } }), { signals: { form: 'contact-us' } });
    expect(c.party).toBe('first');
    expect(c.classification.party).toEqual({ signal: 'form', value: 'contact-us', rule: 'dealer-web-form' });
    // With no provider name at all, a form is the dealer's website.
    const bare = classify(draft({ format: 'form' }), { signals: { form: 'contact-us' } });
    expect([bare.provider, bare.party]).toEqual(['Dealer Website', 'first']);
  });

  it('of an unknown provider keeps its name, is third, and says it was guessed', () => {
    const c = classify(draft({ provider: { ids: [], name: 'Zed Leads LLC' } }));
    expect([c.provider, c.party]).toEqual(['Zed Leads LLC', 'third']);
    expect(c.warnings.map((w) => w.code)).toEqual(['party_guessed']);
    expect(c.classification.provider).toEqual({ signal: 'provider.name', value: 'Zed Leads LLC', rule: 'as-sent' });
    const none = classify(draft());
    expect(none.provider).toBe('unknown');
    expect(none.classification.provider).toEqual({ signal: 'none', rule: 'unknown' });
  });
});

describe('sub-source', () => {
  it("is the adapter's, and is left out when it only repeats the provider", () => {
    expect(classify(draft({ provider: { ids: [], name: 'CarMart', service: 'Partner' } })).subSource).toBe('Partner Bank');
    const own = classify(draft({ provider: { ids: [], name: 'CarMart', service: 'Own site' } }));
    expect(own.subSource).toBeUndefined();
    expect(own.classification.subSource).toBeUndefined();
  });
});

describe('lead type', () => {
  const type = (d: LeadDraft, signals?: Signals) => {
    const c = classify(d, signals ? { signals } : {});
    return [c.leadType, c.classification.leadType] as const;
  };

  it('reads a LeadType metadata id (Kia "TestDrive") before the vehicles', () => {
    expect(type(draft({ ids: [{ source: 'LeadType', value: 'TestDrive' }] }))).toEqual(['test-drive', { signal: 'id.source', value: 'LeadType=TestDrive', rule: 'lead-type-id' }]);
  });

  it('from vehicle interests: test-drive; only a car to sell (even with every field empty); only a trade-in', () => {
    expect(type(draft({}, [{ interest: 'test-drive', ids: [], make: 'Kia' }]))[0]).toBe('test-drive');
    expect(type(draft({}, [{ interest: 'sell', status: '', ids: [] }]))).toEqual(['sell', { signal: 'vehicle.interest', value: 'sell', rule: 'only-own-vehicle' }]);
    expect(type(draft({}, [{ interest: 'trade-in', ids: [], make: 'Honda', model: 'Fit' }]))[0]).toBe('trade-appraisal');
  });

  it('from the form or program name, before the vehicle status (a "Value Your Trade" form with a new car of interest)', () => {
    expect(type(draft({ provider: { ids: [], name: 'SiteBuilder - Value Your Trade' } }))).toEqual(['trade-appraisal', { signal: 'provider.name', value: 'value your trade', rule: 'name-keyword' }]);
    expect(type(draft({ provider: { ids: [], name: 'X', service: 'Credit Application' } }))[0]).toBe('credit-app');
    expect(type(draft({ provider: { ids: [], name: 'Zed' } }), { subject: 'Instant Cash Offer for Jane' })).toEqual(['sell', { signal: 'subject', value: 'instant cash offer', rule: 'name-keyword' }]);
  });

  it("from the source's default (a chat vendor) before the vehicle status", () => {
    expect(type(draft({ provider: { ids: [], name: 'ChatCo - Sales' } }))).toEqual(['chat', { signal: 'source', value: 'ChatCo', rule: 'source-default' }]);
  });

  it('from the vehicle of interest: new → sales-new, used or certified → sales-used', () => {
    expect(type(draft())).toEqual(['sales-new', { signal: 'vehicle.status', value: 'new', rule: 'status' }]);
    expect(type(draft({}, [{ interest: 'buy', status: 'cpo', ids: [], make: 'Mazda' }]))[0]).toBe('sales-used');
  });

  it('from comment keywords only when nothing stronger spoke, else general', () => {
    const noVehicle = (comments?: string) => draft({ customer: { names: [], emails: [{ value: 'a@example.com' }], phones: [], ids: [], ...(comments ? { comments } : {}) } }, []);
    expect(type(noVehicle('Can I come for a test drive Saturday?'))).toEqual(['test-drive', { signal: 'comments', value: 'test drive', rule: 'comment-keyword' }]);
    expect(type(noVehicle('Hello'))).toEqual(['general', { signal: 'none', rule: 'general' }]);
  });
});

describe('configured source rules', () => {
  const rule = (match: SourceRule['match'], set: SourceRule['set']): SourceRule => ({ match, set });

  it("override the catalog: the dealer's rules first, then its group's, then top-level", () => {
    const classifier = new Classifier(
      config(
        [rule({ provider: 'carmart' }, { subSource: 'top' })],
        [rule({ provider: 'carmart', service: 'microsite' }, { provider: 'Tustin Mazda Microsite', party: 'first', leadType: 'general' })],
        [rule({ provider: 'carmart' }, { subSource: 'group BDC', channel: 'bdc' })],
      ),
    );
    const micro = classify(draft({ provider: { ids: [], name: 'CarMart', service: 'Microsite' } }), { classifier });
    expect([micro.provider, micro.party, micro.leadType]).toEqual(['Tustin Mazda Microsite', 'first', 'general']);
    expect(micro.classification.party).toEqual({ signal: 'rule', rule: 'dealers/tustin-mazda/sources[0]' });
    const group = classify(draft({ provider: { ids: [], name: 'CarMart' } }), { classifier });
    expect([group.provider, group.subSource, group.channel, group.party]).toEqual(['CarMart', 'group BDC', 'bdc', 'third']);
    // A dealer outside the configuration gets the top-level rules only.
    const other = classify(draft({ provider: { ids: [], name: 'CarMart' } }), { classifier, dealerId: 'unknown' });
    expect(other.subSource).toBe('top');
    expect(other.classification.subSource).toEqual({ signal: 'rule', rule: 'sources[0]' });
  });

  it('match every given field (sender, subject, credential, form, adapter, idSource, url)', () => {
    const classifier = new Classifier(config([rule({ sender: '@bdc\\.example$', credential: '^bdc-key$' }, { provider: 'Group BDC', party: 'first' })]));
    const signals = { sender: 'agent@bdc.example', credential: { id: 'bdc-key' } };
    expect(classify(draft({ provider: { ids: [], name: 'CarMart' } }), { classifier, signals }).provider).toBe('Group BDC');
    expect(classify(draft({ provider: { ids: [], name: 'CarMart' } }), { classifier, signals: { sender: 'agent@bdc.example' } }).provider).toBe('CarMart');
    const byAdapter = new Classifier(config([rule({ adapter: '^carmart$', idSource: '^Stock$', url: 'carmart\\.com' }, { subSource: 'Feed' })]));
    const d = draft({ provider: { ids: [], name: 'CarMart', url: 'https://carmart.com' }, ids: [{ source: 'Stock', value: '1' }] });
    expect(classify(d, { classifier: byAdapter }).subSource).toBe('Feed');
  });

  it('are checked once, at startup: a bad pattern or lead type is an error there', () => {
    expect(() => new Classifier(config([rule({ provider: '(' }, { party: 'first' })]))).toThrow(/sources\[0\]\.match holds an invalid regular expression/);
    expect(() => new Classifier(config([], [rule({ provider: 'x' }, { leadType: 'lease-end' })]))).toThrow(/dealers\/tustin-mazda\/sources\[0\]\.set\.leadType must be one of/);
  });
});

it('evidence never carries customer data (names, emails, subject text)', () => {
  const d = draft({ provider: { ids: [], name: 'Zed' }, customer: { names: [{ value: 'Jane', part: 'first' }, { value: 'Customer', part: 'last' }], emails: [{ value: 'jane.customer@example.com' }], phones: [{ value: '555-010-0199' }], ids: [], comments: 'Jane Customer wants a test drive, call 555-010-0199' } }, []);
  const c = classify(d, { signals: { subject: 'New lead from Jane Customer', sender: 'jane.customer@example.com' } });
  const text = JSON.stringify(c.classification);
  for (const pii of ['Jane', 'Customer', 'jane.customer', '555-010']) expect(text).not.toContain(pii);
});

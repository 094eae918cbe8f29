// Attribution: the order of the signals (explicit, credential, provider block, id sources, sender domain, subject, generic words), the evidence each leaves, refine, and relay origins.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROVIDERS, type ProviderAdapter } from '../../adapters/index.js';
import type { LeadDraft } from '../lead.js';
import { Attributor, candidatesOf, MatchMemo } from './attribute.js';
import { readInput } from './read.js';

function draft(over: Partial<LeadDraft> = {}): LeadDraft {
  return { format: 'adf', index: 0, ids: [], customer: { names: [], emails: [], phones: [], ids: [] }, vehicles: [], extras: {}, warnings: [], ...over };
}

const program: ProviderAdapter = {
  name: 'acme-digital',
  title: 'Acme Digital (OEM program)',
  provider: 'Acme Digital',
  party: 'second',
  formats: ['adf'],
  match: { names: /\bacme digital\b/i, idSources: /^acme digital$/i, subjects: /^Acme ADF XML Lead\b/i },
};
const vendor: ProviderAdapter = {
  name: 'sitebuilder',
  title: 'SiteBuilder websites',
  provider: 'SiteBuilder',
  party: 'first',
  formats: ['adf'],
  match: { names: /\bsitebuilder\b/i, idSources: /^sitebuilder$/i },
};
const market: ProviderAdapter = {
  name: 'carmart',
  title: 'CarMart marketplace',
  provider: 'CarMart',
  party: 'third',
  formats: ['adf', 'text'],
  // A global flag on purpose: the attributor must not let RegExp state make matching alternate.
  match: { names: /carmart/gi, senderDomains: ['carmart.com'], subjects: /^New CarMart lead\b/i },
  refine: (d, signals) => ({ ...d, attribution: { subSource: { value: signals.sender ? 'Email' : 'Feed', evidence: { signal: 'sender', rule: 'adapter:carmart' } } } }),
};
const broken: ProviderAdapter = {
  name: 'broken',
  title: 'Throws in refine',
  provider: 'Broken',
  party: 'third',
  formats: ['adf'],
  match: { names: /^broken$/i },
  refine: () => {
    throw new TypeError('oops');
  },
};
const attributor = new Attributor([program, vendor, market, broken]);

describe('Attributor.attribute', () => {
  it('takes the explicitly named provider before anything the lead says', () => {
    const a = attributor.attribute(draft({ provider: { ids: [], name: 'SiteBuilder' } }), {}, 'carmart');
    expect(a.source?.provider).toBe('CarMart');
    expect(a.evidence).toEqual({ signal: 'adapter', value: 'carmart', rule: 'adapter:carmart' });
  });

  it('ignores an explicit format name (adf): the signals decide', () => {
    const a = attributor.attribute(draft({ provider: { ids: [], name: 'SiteBuilder' } }), {}, 'adf');
    expect(a.evidence).toEqual({ signal: 'provider.name', value: 'SiteBuilder', rule: 'adapter:sitebuilder' });
  });

  it("takes the credential's provider before the provider block", () => {
    const a = attributor.attribute(draft({ provider: { ids: [], name: 'SiteBuilder' } }), { credential: { id: 'k1', provider: 'carmart' } });
    expect(a.evidence).toEqual({ signal: 'credential', value: 'carmart', rule: 'adapter:carmart' });
    // By canonical brand too, and by a name the brand pattern knows.
    expect(attributor.attribute(draft(), { credential: { id: 'k1', provider: 'Acme Digital' } }).source?.provider).toBe('Acme Digital');
  });

  it('walks the registry in order over name, service and url: an OEM program relaying a vendor wins over the vendor', () => {
    const d = draft({ provider: { ids: [], name: 'SiteBuilder - Contact Dealer', service: 'Acme Digital' } });
    const a = attributor.attribute(d, {});
    expect(a.source?.provider).toBe('Acme Digital');
    expect(a.evidence).toEqual({ signal: 'provider.service', value: 'Acme Digital', rule: 'adapter:acme-digital' });
    // The relayed origin is recorded for classify.
    expect(a.origin).toEqual({ source: expect.objectContaining({ provider: 'SiteBuilder', party: 'first' }), evidence: { signal: 'provider.name', value: 'SiteBuilder - Contact Dealer', rule: 'relay-origin:adapter:sitebuilder' } });
  });

  it('finds a relayed third party by its secondary id source', () => {
    const d = draft({ provider: { ids: [], name: 'Acme Digital - 3rd Party Lead' }, ids: [{ source: 'Acme Digital', value: '1' }, { source: 'CarsDirect', value: '2', sequence: '2' }] });
    const a = attributor.attribute(d, {});
    expect(a.origin?.source.provider).toBe('CarsDirect');
    expect(a.origin?.evidence).toEqual({ signal: 'id.source', value: 'CarsDirect', rule: 'relay-origin:catalog:carsdirect' });
  });

  it('falls back to id sources when the provider block names nobody', () => {
    const a = attributor.attribute(draft({ ids: [{ source: 'SiteBuilder', value: 'x' }] }), {});
    expect(a.evidence).toEqual({ signal: 'id.source', value: 'SiteBuilder', rule: 'adapter:sitebuilder' });
  });

  it('then the sender domain (parent domains match, look-alikes do not, relays never decide)', () => {
    expect(attributor.attribute(draft(), { sender: 'leads@mail.carmart.com' }).evidence).toEqual({ signal: 'sender.domain', value: 'mail.carmart.com', rule: 'adapter:carmart' });
    expect(attributor.attribute(draft(), { sender: 'leads@carmart.com.evil.example' }).source).toBeUndefined();
    expect(attributor.attribute(draft(), { sender: 'leads@mycarmart.com' }).source).toBeUndefined();
    expect(attributor.attribute(draft(), { sender: 'starlead@eleadcrm.com', subject: 'Acme ADF XML Lead' }).evidence).toEqual({ signal: 'subject', rule: 'adapter:acme-digital' });
  });

  it('then the subject, whose text (it may hold a customer name) is never copied into evidence', () => {
    const a = attributor.attribute(draft(), { sender: 'someone@dealer.example', subject: 'FW: New CarMart lead - Jane Customer' });
    expect(a.source?.provider).toBe('CarMart');
    expect(a.evidence).toEqual({ signal: 'subject', rule: 'adapter:carmart' });
  });

  it('uses a generic channel word only when nothing specific matched', () => {
    expect(attributor.attribute(draft({ provider: { ids: [], name: 'Main Street Motors Website' } }), {}).evidence).toEqual({ signal: 'provider.name', value: 'Main Street Motors Website', rule: 'catalog:dealer-website' });
    // A specific id source beats a generic word in the name.
    expect(attributor.attribute(draft({ provider: { ids: [], name: 'Website' }, ids: [{ source: 'SiteBuilder', value: '1' }] }), {}).source?.provider).toBe('SiteBuilder');
  });

  it('matches the same way every time (a /g pattern is made stateless)', () => {
    const d = draft({ provider: { ids: [], name: 'CarMart' } });
    const picks = [1, 2, 3].map(() => attributor.attribute(d, {}).source?.provider);
    expect(picks).toEqual(['CarMart', 'CarMart', 'CarMart']);
  });

  it("calls the chosen adapter's refine with the signals", () => {
    const a = attributor.attribute(draft({ provider: { ids: [], name: 'CarMart' } }), { sender: 'x@carmart.com' });
    expect(a.draft.attribution?.subSource?.value).toBe('Email');
    expect(a.signals).toEqual({ sender: 'x@carmart.com' });
  });

  it('keeps the generic reading, with a warning, when refine throws', () => {
    const d = draft({ provider: { ids: [], name: 'Broken' } });
    const a = attributor.attribute(d, {});
    expect(a.draft).toBe(d);
    expect(a.source?.provider).toBe('Broken');
    expect(a.warnings.map((w) => w.code)).toEqual(['adapter_refine_failed']);
  });

  it('chooses nothing when no signal names a source', () => {
    const a = attributor.attribute(draft({ provider: { ids: [], name: 'Some Unknown Vendor' } }), {});
    expect(a.source).toBeUndefined();
    expect(a.origin).toBeUndefined();
  });

  it('finds an adapter by folder name or canonical brand, case-insensitively', () => {
    expect(attributor.named('CARMART')?.adapter?.name).toBe('carmart');
    expect(attributor.named('Acme Digital')?.adapter?.name).toBe('acme-digital');
    expect(attributor.named('nope')).toBeUndefined();
  });
});

describe('the signals read.ts learns from an email', () => {
  const eml = (name: string) => ({ bytes: readFileSync(new URL(`../../fixtures/emails/${name}`, import.meta.url)), contentType: 'message/rfc822', transport: 'smtp', receivedAt: '2026-01-15T17:00:00.000Z' });

  it('gives each draft the sender address and subject of the message that carried it', async () => {
    const r = await readInput(eml('text-facebook-tvmnotify.eml'));
    expect(r.signals).toEqual([{ sender: 'noreply@tvmnotify.com', subject: 'Facebook Lead' }]);
  });

  it("takes a forwarded original's sender, not the dealer who forwarded it", async () => {
    const r = await readInput(eml('forward-outlook-attached-cargurus.eml'));
    expect(r.signals?.[0]?.sender).toBe('dealer-leads@messages.cargurus.com');
  });

  it('has none for bytes that did not come in an email', async () => {
    const r = await readInput({ bytes: Buffer.from('<adf><prospect><customer><contact><email>a@example.com</email></contact></customer></prospect></adf>'), contentType: 'application/xml', transport: 'http', receivedAt: '2026-01-15T17:00:00.000Z' });
    expect(r.signals).toBeUndefined();
  });
});

describe('the match memo (a cache of which candidates a provider value or id source names)', () => {
  // The loops the memo replaced: candidates in order, then fields (or sources) in order. The memo must pick the same.
  const reference = (d: LeadDraft) => {
    const all = candidatesOf(PROVIDERS).filter((c) => !c.generic);
    const p = d.provider;
    const fields: Array<[string, string]> = [];
    if (p?.name?.trim()) fields.push(['provider.name', p.name.trim()]);
    if (p?.service?.trim()) fields.push(['provider.service', p.service.trim()]);
    if (p?.url?.trim()) fields.push(['provider.url', p.url.trim()]);
    for (const c of all) for (const [signal, value] of fields) if (c.match.names?.test(value)) return { key: c.key, signal, value };
    const sources = [...new Set(d.ids.map((id) => id.source?.trim()).filter((s): s is string => !!s))];
    for (const c of all) {
      const hit = sources.find((s) => c.match.idSources?.test(s));
      if (hit) return { key: c.key, signal: 'id.source', value: hit };
    }
    return undefined;
  };
  const words = ['CarGurus', 'AutoTrader.com', 'TrueCar/PNC', 'Kia Digital', 'Team Velocity - Contact Dealer', 'Dealer.com', 'Mazda Digital', 'Kia.com', 'CarsDirect', 'Live Chat', 'Dealer Website', 'Honda', 'HYU', 'Edmunds', 'KBB', 'unknown co', 'Room58', 'HD Marketplace', 'MFS', 'Facebook', 'Shift Digital', 'Toyota Financial'];
  const word = fc.oneof(fc.constantFrom(...words), fc.string({ maxLength: 12 }));
  const drafts = fc.record({ name: fc.option(word), service: fc.option(word), url: fc.option(word), sources: fc.array(word, { maxLength: 3 }) }).map(({ name, service, url, sources }) =>
    draft({ provider: { ids: [], ...(name ? { name } : {}), ...(service ? { service } : {}), ...(url ? { url } : {}) }, ids: sources.map((source, i) => ({ value: `v${i}`, source })) }),
  );

  it('chooses what the candidate-by-candidate loops chose, with the memo cold, warm and cleared at its bound', () => {
    const warm = new Attributor();
    fc.assert(
      fc.property(drafts, (d) => {
        const want = reference(d);
        for (const a of [new Attributor(), warm]) {
          const got = a.attribute(d, {});
          if (!want) continue;
          expect(got.source?.key).toBe(want.key);
          expect(got.evidence).toMatchObject({ signal: want.signal, value: want.value });
        }
        expect(warm.names.size).toBeLessThanOrEqual(warm.names.bound);
      }),
      { numRuns: 1500 },
    );
  });

  it('gives the same attribution for every fixture with the memo fresh, warm, and after clearing', async () => {
    const dir = new URL('../../fixtures/real-leads/', import.meta.url);
    const inputs = readdirSync(dir).filter((f) => f.endsWith('.xml'));
    const warm = new Attributor();
    const runs: string[][] = [[], [], []];
    for (const pass of [0, 1, 2]) {
      if (pass === 2) {
        warm.names.clear();
        warm.idSourceMatches.clear();
      }
      for (const f of inputs) {
        const r = await readInput({ bytes: readFileSync(new URL(f, dir)), contentType: 'application/xml', transport: 'http', receivedAt: '2026-01-15T17:00:00.000Z' });
        for (const d of r.drafts) {
          const a = (pass === 0 ? new Attributor() : warm).attribute(d, {});
          runs[pass]!.push(JSON.stringify({ source: a.source?.key, evidence: a.evidence, origin: a.origin && { key: a.origin.source.key, evidence: a.origin.evidence }, draft: a.draft, warnings: a.warnings }));
        }
      }
    }
    expect(runs[0]!.length).toBeGreaterThan(20);
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
  });

  it('never holds more than its bound, nor long values, and answers the same after clearing itself', () => {
    const memo = new MatchMemo([/a/i, undefined, /b/i, /^ab$/i], 3);
    const values = ['a', 'b', 'ab', 'x', 'ba', 'a', 'AB', 'b', 'x'.repeat(500)];
    for (const v of values) {
      const want = [/a/i, undefined, /b/i, /^ab$/i].flatMap((re, i) => (re?.test(v) ? [i] : []));
      expect(memo.of(v)).toEqual(want);
      expect(memo.of(v)).toEqual(want);
      expect(memo.size).toBeLessThanOrEqual(3);
    }
  });
});

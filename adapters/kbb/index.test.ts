// Tests for the Kelley Blue Book adapter: detection, Instant Cash Offer as sub-source and lead type "sell", and its synthetic ICO fixture through the whole pipeline.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Lead, LeadDraft } from '../../src/lead.js';
import { silentLogger } from '../../src/log.js';
import { offlineLead, Pipeline } from '../../src/pipeline/index.js';
import { expectGolden, leadsOrRejection } from '../../test/support/golden.js';
import { PROVIDERS } from '../index.js';
import { provider } from './index.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const pipeline = new Pipeline(loadConfig({ env: {} }), undefined, silentLogger);

async function leadsOf(file: URL): Promise<Lead[]> {
  const email = !file.pathname.endsWith('.xml');
  const raw = { bytes: readFileSync(file), contentType: email ? 'message/rfc822' : 'application/xml', transport: email ? 'smtp' : 'http', receivedAt: '2026-01-15T17:00:00.000Z' };
  return (await pipeline.prepare(raw)).map(offlineLead);
}

const draft = (over: Partial<LeadDraft> = {}): LeadDraft => ({
  format: 'adf', index: 0, ids: [], customer: { names: [], emails: [], phones: [], ids: [] }, vehicles: [], extras: {}, warnings: [], ...over,
});
const refine = (d: LeadDraft): LeadDraft => provider.refine!(d, {});
const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1);
const claimsSender = (p: typeof provider, address: string): boolean =>
  (p.match.senderDomains ?? []).some((d) => domainOf(address) === d || domainOf(address).endsWith(`.${d}`));

describe('kbb: detection', () => {
  const names = ['Kelley Blue Book', 'KBB', 'KBB Instant Cash Offer', 'https://www.kbb.com'];
  const idSources = ['Kelley Blue Book', 'KBB'];
  const senders = ['leads@kbb.com'];

  it('recognizes it by name, url, id source and sender', () => {
    for (const n of names) expect(provider.match.names!.test(n), n).toBe(true);
    for (const s of idSources) expect(provider.match.idSources!.test(s), s).toBe(true);
    for (const s of senders) expect(claimsSender(provider, s), s).toBe(true);
  });

  it("does not claim a dealer-website tool that only mentions KBB, nor another provider's lead", () => {
    for (const n of ['Dealer.com - KBB Trade-In', 'DRS TRADE-IN FORM LEAD', 'AutoTrader.com', 'Trade Accelerator']) expect(provider.match.names!.test(n), n).toBe(false);
    for (const other of PROVIDERS.filter((p) => p.name !== provider.name)) {
      for (const n of names) expect(other.match.names?.test(n) ?? false, `${other.name} ~ ${n}`).toBe(false);
      for (const s of idSources) expect(other.match.idSources?.test(s) ?? false, `${other.name} ~ ${s}`).toBe(false);
      for (const s of senders) expect(claimsSender(other, s), `${other.name} ~ ${s}`).toBe(false);
    }
  });

  it('is registered', () => {
    expect(PROVIDERS).toContain(provider);
  });
});

describe('kbb: Instant Cash Offer', () => {
  it('is sub-source "Instant Cash Offer" and lead type "sell", from the service or the name', () => {
    const evidence = { signal: 'provider.service', value: 'Instant Cash Offer', rule: 'adapter:kbb' };
    expect(refine(draft({ provider: { ids: [], name: 'Kelley Blue Book', service: 'Instant Cash Offer' } })).attribution).toEqual({
      subSource: { value: 'Instant Cash Offer', evidence },
      leadType: { value: 'sell', evidence },
    });
    expect(refine(draft({ provider: { ids: [], name: 'KBB ICO' } })).attribution?.leadType?.value).toBe('sell');
  });

  it('is sell even when the lead also lists a vehicle the customer wants', () => {
    const d = draft({ provider: { ids: [], name: 'Kelley Blue Book', service: 'Instant Cash Offer' }, vehicles: [{ ids: [], interest: 'buy' }, { ids: [], interest: 'trade-in' }] });
    expect(refine(d).attribution?.leadType?.value).toBe('sell');
  });

  it('decides no lead type for other KBB products, keeps their service as sub-source, and never overrides what is decided', () => {
    expect(refine(draft({ provider: { ids: [], name: 'Kelley Blue Book', service: 'Kelley Blue Book' } })).attribution).toBeUndefined();
    const other = refine(draft({ provider: { ids: [], name: 'Kelley Blue Book', service: 'Example Program' } })).attribution;
    expect(other?.subSource?.value).toBe('Example Program');
    expect(other?.leadType).toBeUndefined();
    const decided = draft({ provider: { ids: [], service: 'Instant Cash Offer' }, attribution: { leadType: { value: 'trade-appraisal', evidence: { signal: 'rule', rule: 'x' } } } });
    expect(refine(decided).attribution?.leadType?.value).toBe('trade-appraisal');
  });
});

describe('kbb: fixtures through the pipeline (synthetic: no real sample is shared)', () => {
  const files = readdirSync(FIXTURES).filter((f) => /\.(xml|eml)$/.test(f)).sort();

  it('has its fixture', () => {
    expect(files).toEqual(['kbb-ico-synthetic-1.xml']);
  });

  it.each(files)('%s matches its expected output', async (file) => {
    const result = await leadsOrRejection(() => leadsOf(new URL(file, FIXTURES)));
    expectGolden(new URL(file.replace(/\.\w+$/, '.expected.json'), FIXTURES), result, 'adapters/kbb/index.test.ts');
    const [lead] = result as Lead[];
    expect([lead!.source.provider, lead!.source.subSource, lead!.party, lead!.leadType]).toEqual(['Kelley Blue Book', 'Instant Cash Offer', 'third', 'sell']);
    expect(lead!.classification.leadType.rule).toBe('adapter:kbb');
  });
});

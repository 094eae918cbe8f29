// Tests for the Dealix / Autobytel adapter: detection of both brands, the brand as sub-source, and its synthetic fixtures through the whole pipeline.
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
const refine = (d: LeadDraft, signals = {}): LeadDraft => provider.refine!(d, signals);
const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1);
const claimsSender = (p: typeof provider, address: string): boolean =>
  (p.match.senderDomains ?? []).some((d) => domainOf(address) === d || domainOf(address).endsWith(`.${d}`));

describe('dealix: detection', () => {
  const names = ['Dealix', 'Autobytel', 'http://www.dealix.com', 'https://www.autobytel.com'];
  const idSources = ['Dealix', 'Autobytel'];
  const senders = ['leads@dealix.com', 'leads@autobytel.com'];

  it('recognizes both brands by name, id source and sender', () => {
    for (const n of names) expect(provider.match.names!.test(n), n).toBe(true);
    for (const s of idSources) expect(provider.match.idSources!.test(s), s).toBe(true);
    for (const s of senders) expect(claimsSender(provider, s), s).toBe(true);
  });

  it("claims no other provider's lead, and no other adapter claims a Dealix one", () => {
    for (const n of ['Autoweb', 'AutoUSA', 'CarsDirect', 'Dealer.com']) expect(provider.match.names!.test(n), n).toBe(false);
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

describe('dealix: brand → subSource', () => {
  const autobytel = (signal: string, value: string) => ({ value: 'Autobytel', evidence: { signal, value, rule: 'adapter:dealix' } });

  it('keeps Autobytel apart, from whichever signal names it', () => {
    expect(refine(draft({ provider: { ids: [], name: 'Autobytel' } })).attribution?.subSource).toEqual(autobytel('provider.name', 'Autobytel'));
    expect(refine(draft({ ids: [{ value: '1100000164', source: 'Autobytel' }] })).attribution?.subSource).toEqual(autobytel('id.source', 'Autobytel'));
    expect(refine(draft(), { sender: 'leads@autobytel.com' }).attribution?.subSource).toEqual(autobytel('sender.domain', 'autobytel.com'));
  });

  it('gives Dealix-named leads no sub-source', () => {
    expect(refine(draft({ provider: { ids: [], name: 'Dealix', url: 'http://www.dealix.com' } }), { sender: 'leads@dealix.com' }).attribution).toBeUndefined();
  });
});

describe('dealix: fixtures through the pipeline (synthetic: no real sample is shared)', () => {
  const files = readdirSync(FIXTURES).filter((f) => /\.(xml|eml)$/.test(f)).sort();
  const SUB_SOURCE: Record<string, string | undefined> = { 'dealix-synthetic-1.xml': undefined, 'autobytel-synthetic-2.xml': 'Autobytel' };

  it('has a fixture for each brand', () => {
    expect(files).toEqual(Object.keys(SUB_SOURCE).sort());
  });

  it.each(files)('%s matches its expected output', async (file) => {
    const result = await leadsOrRejection(() => leadsOf(new URL(file, FIXTURES)));
    expectGolden(new URL(file.replace(/\.\w+$/, '.expected.json'), FIXTURES), result, 'adapters/dealix/index.test.ts');
    const [lead] = result as Lead[];
    expect([lead!.source.provider, lead!.source.subSource, lead!.party, lead!.leadType]).toEqual(['Dealix', SUB_SOURCE[file], 'third', 'sales-new']);
  });
});

// Tests for the Edmunds adapter: detection, a product named in provider/service as sub-source, and its synthetic fixture through the whole pipeline.
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
const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1);
const claimsSender = (p: typeof provider, address: string): boolean =>
  (p.match.senderDomains ?? []).some((d) => domainOf(address) === d || domainOf(address).endsWith(`.${d}`));

describe('edmunds: detection', () => {
  const names = ['Edmunds', 'Edmunds.com', 'https://www.edmunds.com'];
  const idSources = ['Edmunds'];
  const senders = ['leads@edmunds.com'];

  it('recognizes it by name, url, id source and sender', () => {
    for (const n of names) expect(provider.match.names!.test(n), n).toBe(true);
    for (const s of idSources) expect(provider.match.idSources!.test(s), s).toBe(true);
    for (const s of senders) expect(claimsSender(provider, s), s).toBe(true);
  });

  it("claims no other provider's lead, and no other adapter claims an Edmunds one", () => {
    for (const n of ['Dealer Inspire - Website', 'Kelley Blue Book', 'Ford Direct']) expect(provider.match.names!.test(n), n).toBe(false);
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

describe('edmunds: refine', () => {
  it('takes a non-brand provider/service as the sub-source; the brand gives none', () => {
    expect(provider.refine!(draft({ provider: { ids: [], name: 'Edmunds', service: 'Edmunds.com' } }), {}).attribution).toBeUndefined();
    expect(provider.refine!(draft({ provider: { ids: [], name: 'Edmunds', service: 'Example Program' } }), {}).attribution?.subSource).toEqual({
      value: 'Example Program',
      evidence: { signal: 'provider.service', value: 'Example Program', rule: 'adapter:edmunds' },
    });
  });
});

describe('edmunds: fixtures through the pipeline (synthetic: no real sample is shared)', () => {
  const files = readdirSync(FIXTURES).filter((f) => /\.(xml|eml)$/.test(f)).sort();

  it('has its fixture', () => {
    expect(files).toEqual(['edmunds-synthetic-1.xml']);
  });

  it.each(files)('%s matches its expected output', async (file) => {
    const result = await leadsOrRejection(() => leadsOf(new URL(file, FIXTURES)));
    expectGolden(new URL(file.replace(/\.\w+$/, '.expected.json'), FIXTURES), result, 'adapters/edmunds/index.test.ts');
    const [lead] = result as Lead[];
    expect([lead!.source.provider, lead!.source.subSource, lead!.party, lead!.leadType]).toEqual(['Edmunds', undefined, 'third', 'sales-used']);
    expect(lead!.source.externalIds).toEqual([{ source: 'Edmunds', id: '1100000165' }]);
  });
});

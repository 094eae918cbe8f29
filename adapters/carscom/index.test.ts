// Tests for the Cars.com / DealerRater adapter: detection, DealerRater as sub-source from each signal, vehicle-level ids, and its fixtures through the whole pipeline.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Lead, LeadDraft } from '../../src/lead.js';
import { silentLogger } from '../../src/log.js';
import { offlineLead, Pipeline } from '../../src/pipeline/index.js';
import { readInput } from '../../src/pipeline/read.js';
import { expectGolden, leadsOrRejection } from '../../test/support/golden.js';
import { PROVIDERS } from '../index.js';
import { provider } from './index.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const REPO = new URL('../../', import.meta.url);
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

describe('carscom: detection', () => {
  const names = ['Cars.com', 'DealerRater', 'DealerRater website', 'www.dealerrater.com', 'https://www.cars.com'];
  const idSources = ['Cars.com', 'DealerRater'];
  const senders = ['salesleads@cars.com', 'noreply@dealerrater.com'];
  const subjects = ['Cars.com Used Car Lead for Mission Viejo Kia - 2021 Kia Telluride EX', 'Cars.com New Car Lead for Tustin Mazda', 'DealerRater: New connection for Mission Viejo Kia'];

  it('recognizes every signal delivery.md §2.3 lists', () => {
    for (const n of names) expect(provider.match.names!.test(n), n).toBe(true);
    for (const s of idSources) expect(provider.match.idSources!.test(s), s).toBe(true);
    for (const s of senders) expect(claimsSender(provider, s), s).toBe(true);
    for (const s of subjects) expect(provider.match.subjects!.test(s), s).toBe(true);
  });

  it("claims no other provider's lead (CarsDirect, Dealer Inspire), and no other adapter claims a Cars.com one", () => {
    for (const n of ['CarsDirect', 'carsdirect.com', 'Dealer Inspire - Website', 'usedcars.com', 'Kia Digital - 3rd Party Lead']) {
      expect(provider.match.names!.test(n), n).toBe(false);
    }
    expect(claimsSender(provider, 'leads@carsdirect.com')).toBe(false);
    for (const other of PROVIDERS.filter((p) => p.name !== provider.name)) {
      for (const n of names) expect(other.match.names?.test(n) ?? false, `${other.name} ~ ${n}`).toBe(false);
      for (const s of idSources) expect(other.match.idSources?.test(s) ?? false, `${other.name} ~ ${s}`).toBe(false);
      for (const s of senders) expect(claimsSender(other, s), `${other.name} ~ ${s}`).toBe(false);
      for (const s of subjects) expect(other.match.subjects?.test(s) ?? false, `${other.name} ~ ${s}`).toBe(false);
    }
  });

  it('is registered', () => {
    expect(PROVIDERS).toContain(provider);
  });
});

describe('carscom: DealerRater → subSource', () => {
  const evidence = (signal: string, value: string) => ({ value: 'DealerRater', evidence: { signal, value, rule: 'adapter:carscom' } });

  it('reads it from the provider block first (carscom-dealerrater-1.xml: name "Cars.com", service "DealerRater website")', () => {
    const out = refine(draft({ provider: { ids: [], name: 'Cars.com', service: 'DealerRater website', url: 'www.dealerrater.com' } }));
    expect(out.attribution?.subSource).toEqual(evidence('provider.service', 'DealerRater website'));
  });

  it('then from an id source, the sender domain, or the subject', () => {
    expect(refine(draft({ ids: [{ value: '123456', source: 'DealerRater' }] })).attribution?.subSource).toEqual(evidence('id.source', 'DealerRater'));
    expect(refine(draft(), { sender: 'noreply@dealerrater.com' }).attribution?.subSource).toEqual(evidence('sender.domain', 'dealerrater.com'));
    expect(refine(draft(), { subject: 'Fwd: DealerRater: New connection for Mission Viejo Kia' }).attribution?.subSource).toEqual(evidence('subject', 'DealerRater:'));
  });

  it('gives plain Cars.com leads no sub-source', () => {
    expect(refine(draft({ provider: { ids: [], name: 'Cars.com' } }), { sender: 'salesleads@cars.com' }).attribution).toBeUndefined();
  });
});

describe('carscom: vehicle-level ids', () => {
  it('labels a source-less vehicle id as Cars.com and never promotes it to a lead id', () => {
    const d = draft({ ids: [{ value: 'lead-guid', source: 'Cars.com' }], vehicles: [{ ids: [{ value: '1100000162' }] }] });
    const out = refine(d);
    expect(out.vehicles[0]!.ids).toEqual([{ value: '1100000162', source: 'Cars.com' }]);
    expect(out.ids).toEqual(d.ids);
  });

  it('keeps the listing id out of the external ids (two shoppers of one car are not one lead)', async () => {
    const { drafts } = await readInput({ bytes: readFileSync(new URL('carscom-synthetic-1.xml', FIXTURES)), contentType: 'application/xml', transport: 'http', receivedAt: '2026-01-15T17:00:00.000Z' });
    expect(drafts[0]!.vehicles[0]!.ids).toEqual([{ value: '1100000162', source: 'Cars.com', sequence: '1' }]);
    const [lead] = await leadsOf(new URL('carscom-synthetic-1.xml', FIXTURES));
    expect(lead!.source.externalIds).toEqual([{ source: 'Cars.com', id: '3f2b9c6e-0d41-4a7b-9e15-6c2d8a4f0162' }]);
  });
});

describe('carscom: fixtures through the pipeline', () => {
  const files = readdirSync(FIXTURES).filter((f) => /\.(xml|eml)$/.test(f)).sort();
  const SUB_SOURCE: Record<string, string | undefined> = {
    'carscom-dealerrater-1.xml': 'DealerRater',
    'carscom-synthetic-1.xml': undefined,
  };

  it('has a fixture for each brand', () => {
    expect(files).toEqual(Object.keys(SUB_SOURCE).sort());
  });

  it.each(files)('%s matches its expected output', async (file) => {
    const result = await leadsOrRejection(() => leadsOf(new URL(file, FIXTURES)));
    expectGolden(new URL(file.replace(/\.\w+$/, '.expected.json'), FIXTURES), result, 'adapters/carscom/index.test.ts');
    const [lead] = result as Lead[];
    expect([lead!.source.provider, lead!.source.subSource, lead!.party]).toEqual(['Cars.com', SUB_SOURCE[file], 'third']);
  });

  it.each([
    ['fixtures/emails/text-carscom-unlabeled.eml', undefined],
    ['fixtures/emails/attachment-xml-dealerrater.eml', 'DealerRater'],
  ])('shared corpus %s is Cars.com / %s, third party', async (path, subSource) => {
    const [lead] = await leadsOf(new URL(path, REPO));
    expect([lead!.source.provider, lead!.source.subSource, lead!.party]).toEqual(['Cars.com', subSource, 'third']);
  });
});

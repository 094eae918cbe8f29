// Tests for the Costco Auto Program adapter: detection that never takes a TrueCar partner lead naming Costco, and its fixture through the whole pipeline.
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
const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1);
const claimsSender = (p: typeof provider, address: string): boolean =>
  (p.match.senderDomains ?? []).some((d) => domainOf(address) === d || domainOf(address).endsWith(`.${d}`));

describe('costco: detection', () => {
  const names = ['Costco Auto Program', 'http://www.costcoauto.com', 'costcoauto.com'];
  const senders = ['leads@costcoauto.com'];
  const subjects = ['Costco Auto Program Referral - Lastname auth#: A1B2C3'];

  it('recognizes every signal delivery.md §2.3 lists', () => {
    for (const n of names) expect(provider.match.names!.test(n), n).toBe(true);
    for (const s of senders) expect(claimsSender(provider, s), s).toBe(true);
    for (const s of subjects) expect(provider.match.subjects!.test(s), s).toBe(true);
  });

  it('leaves TrueCar partner leads that name Costco to TrueCar', () => {
    for (const n of ['TrueCar/Costco', 'New TrueCar/Costco Auto Buying Customer Inquiry', 'Costco Wholesale']) expect(provider.match.names!.test(n), n).toBe(false);
    expect(provider.match.subjects!.test('TrueCar / Costco: New Customer Inquiry')).toBe(false);
  });

  it('is claimed by no other adapter', () => {
    for (const other of PROVIDERS.filter((p) => p.name !== provider.name)) {
      for (const n of names) expect(other.match.names?.test(n) ?? false, `${other.name} ~ ${n}`).toBe(false);
      for (const s of senders) expect(claimsSender(other, s), `${other.name} ~ ${s}`).toBe(false);
      for (const s of subjects) expect(other.match.subjects?.test(s) ?? false, `${other.name} ~ ${s}`).toBe(false);
    }
  });

  it('is registered', () => {
    expect(PROVIDERS).toContain(provider);
  });
});

describe('costco: refine', () => {
  it('gives no sub-source when the service is the program itself (costco-auto-options-2.xml)', () => {
    expect(provider.refine!(draft({ provider: { ids: [], name: 'Costco Auto Program', service: 'Costco Auto Program' } }), {}).attribution).toBeUndefined();
  });

  it('never reads the subject (it carries the customer\'s last name)', () => {
    const d = draft({ provider: { ids: [], name: 'Costco Auto Program' } });
    expect(provider.refine!(d, { subject: 'Costco Auto Program Referral - Lastname auth#: A1B2C3' })).toBe(d);
  });
});

describe('costco: fixtures through the pipeline', () => {
  const files = readdirSync(FIXTURES).filter((f) => /\.(xml|eml)$/.test(f)).sort();

  it('has its fixture', () => {
    expect(files).toEqual(['costco-auto-options-2.xml']);
  });

  it.each(files)('%s matches its expected output', async (file) => {
    const result = await leadsOrRejection(() => leadsOf(new URL(file, FIXTURES)));
    expectGolden(new URL(file.replace(/\.\w+$/, '.expected.json'), FIXTURES), result, 'adapters/costco/index.test.ts');
    const [lead] = result as Lead[];
    expect([lead!.source.provider, lead!.source.subSource, lead!.party, lead!.leadType]).toEqual(['Costco Auto Program', undefined, 'third', 'sales-new']);
  });

  it('the email copy in the shared corpus (ADF in body and attachment) is Costco too', async () => {
    const leads = await leadsOf(new URL('fixtures/emails/body-and-attachment-costco.eml', REPO));
    expect(leads.map((l) => [l.source.provider, l.party])).toEqual([['Costco Auto Program', 'third']]);
  });
});

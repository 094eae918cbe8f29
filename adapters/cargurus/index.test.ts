// Tests for the CarGurus adapter: detection (never on "vAuto"), the vAuto lead id's time, the IMV / deal-rating suffix, and its fixtures through the whole pipeline.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Lead, LeadDraft } from '../../src/lead.js';
import { silentLogger } from '../../src/log.js';
import { offlineLead, Pipeline } from '../../src/pipeline/index.js';
import { expectGolden, leadsOrRejection } from '../../test/support/golden.js';
import { PROVIDERS } from '../index.js';
import { provider, readDealSuffix, vAutoTime } from './index.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const REPO = new URL('../../', import.meta.url);
const pipeline = new Pipeline(loadConfig({ env: {} }), undefined, silentLogger);

async function leadsOf(file: URL): Promise<Lead[]> {
  const email = !file.pathname.endsWith('.xml');
  const raw = { bytes: readFileSync(file), contentType: email ? 'message/rfc822' : 'application/xml', transport: email ? 'smtp' : 'http', receivedAt: '2026-01-15T17:00:00.000Z' };
  return (await pipeline.prepare(raw)).map(offlineLead);
}

const draft = (over: Partial<LeadDraft> = {}, comments?: string): LeadDraft => ({
  format: 'adf', index: 0, ids: [], customer: { names: [], emails: [], phones: [], ids: [], ...(comments ? { comments } : {}) }, vehicles: [], extras: {}, warnings: [], ...over,
});
const refine = (d: LeadDraft, signals = {}): LeadDraft => provider.refine!(d, signals);
const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1);
const claimsSender = (p: typeof provider, address: string): boolean =>
  (p.match.senderDomains ?? []).some((d) => domainOf(address) === d || domainOf(address).endsWith(`.${d}`));

const US_SUFFIX = 'I’m interested in this 2020 Dodge Charger. (CarGurus IMV: $26,819 / Deal Rating: Fair Deal / Is From Shippable Listing: No)';
const UK_SUFFIX = "I'm interested in this 2001 Porsche Boxster. (CarGurus deal rating: N/A / Is from deliverable listing: No)";

describe('cargurus: detection', () => {
  const names = ['CarGurus', 'https://cargur.us/REDACTED', 'https://www.cargurus.com/'];
  const idSources = ['CarGurus'];
  const senders = ['dealer-leads@messages.cargurus.com', 'dealer-leads@messages.cargurus.co.uk'];
  const subjects = ['Lead Submission from CarGurus', 'Lead submission from CarGurus'];

  it('recognizes every signal delivery.md §2.3 lists', () => {
    for (const n of names) expect(provider.match.names!.test(n), n).toBe(true);
    for (const s of idSources) expect(provider.match.idSources!.test(s), s).toBe(true);
    for (const s of senders) expect(claimsSender(provider, s), s).toBe(true);
    for (const s of subjects) expect(provider.match.subjects!.test(s), s).toBe(true);
  });

  it("claims no other provider's lead (nor vAuto), and no other adapter claims a CarGurus one", () => {
    for (const n of ['vAuto', 'Cars.com', 'CarsDirect', 'Kia Digital - 3rd Party Lead']) expect(provider.match.names!.test(n), n).toBe(false);
    expect(provider.match.idSources!.test('vAuto')).toBe(false);
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

describe('cargurus: the vAuto lead id', () => {
  it('holds the lead time in epoch milliseconds (cargurus-1.xml: the same instant as its requestdate)', () => {
    expect(vAutoTime('vAuto-1760340718386')).toBe('2025-10-13T07:31:58.386Z');
    expect(vAutoTime('vAuto-12')).toBeUndefined();
    expect(vAutoTime('1760340718386')).toBeUndefined();
  });

  it('gives the request date only when the lead has none, with a warning', () => {
    const ids = [{ value: 'vAuto-1760804913688', source: 'CarGurus', sequence: '1' }];
    const out = refine(draft({ ids }));
    expect(out.requestDate).toBe('2025-10-18T16:28:33.688Z');
    expect(out.warnings.map((w) => w.code)).toEqual(['request_date_from_provider_id']);
    const dated = draft({ ids, requestDate: '2025-10-18T12:28:33-0400' });
    expect(refine(dated).requestDate).toBe('2025-10-18T12:28:33-0400');
    expect(refine(dated).warnings).toEqual([]);
  });

  it('keeps the id as CarGurus\' lead id (an external id and dedupe key)', async () => {
    const [lead] = await leadsOf(new URL('cargurus-1.xml', FIXTURES));
    expect(lead!.source.externalIds).toEqual([{ source: 'CarGurus', id: 'vAuto-1760340718386' }]);
  });
});

describe('cargurus: IMV and deal-rating suffix', () => {
  it('reads the IMV and deal rating (US) and the deal rating alone (UK); N/A is none', () => {
    expect(readDealSuffix(US_SUFFIX)).toEqual({ imv: '$26,819', dealRating: 'Fair Deal' });
    expect(readDealSuffix(UK_SUFFIX)).toEqual({});
    expect(readDealSuffix('(CarGurus Deal Rating: Great Deal / Is From Shippable Listing: Yes)')).toEqual({ dealRating: 'Great Deal' });
    expect(readDealSuffix('Is it available? (I saw it on CarGurus)')).toBeUndefined();
  });

  it('keeps them for later steps in extras, leaves the comments and the vehicle price as sent', () => {
    const vehicles = [{ ids: [], price: { value: '27588.0', type: 'quote' } }];
    const out = refine(draft({ vehicles }, US_SUFFIX));
    expect(out.extras).toEqual({ 'cargurus.imv': '$26,819', 'cargurus.dealrating': 'Fair Deal' });
    expect(out.customer.comments).toBe(US_SUFFIX);
    expect(out.vehicles[0]!.price).toEqual({ value: '27588.0', type: 'quote' });
  });
});

describe('cargurus: vehicle ids and sub-source', () => {
  it('labels the source-less listing id as CarGurus', () => {
    const out = refine(draft({ vehicles: [{ ids: [{ value: '63742-M781761B' }] }] }));
    expect(out.vehicles[0]!.ids).toEqual([{ value: '63742-M781761B', source: 'CarGurus' }]);
  });

  it('takes a non-brand provider/service as the sub-source; the brand gives none', () => {
    expect(refine(draft({ provider: { ids: [], name: 'CarGurus', service: 'CarGurus' } })).attribution).toBeUndefined();
    expect(refine(draft({ provider: { ids: [], name: 'CarGurus', service: 'Digital Deal' } })).attribution?.subSource).toEqual({
      value: 'Digital Deal',
      evidence: { signal: 'provider.service', value: 'Digital Deal', rule: 'adapter:cargurus' },
    });
  });
});

describe('cargurus: fixtures through the pipeline', () => {
  const files = readdirSync(FIXTURES).filter((f) => /\.(xml|eml)$/.test(f)).sort();

  it('has its fixture', () => {
    expect(files).toEqual(['cargurus-1.xml']);
  });

  it.each(files)('%s matches its expected output', async (file) => {
    const result = await leadsOrRejection(() => leadsOf(new URL(file, FIXTURES)));
    expectGolden(new URL(file.replace(/\.\w+$/, '.expected.json'), FIXTURES), result, 'adapters/cargurus/index.test.ts');
    const [lead] = result as Lead[];
    expect([lead!.source.provider, lead!.source.subSource, lead!.party]).toEqual(['CarGurus', undefined, 'third']);
  });

  it.each([
    'fixtures/real-leads/cargurus-no-phone-2.xml',
    'fixtures/emails/text-cargurus-uk.eml',
    'fixtures/emails/forward-outlook-attached-cargurus.eml',
    'fixtures/real-leads/cargurus-uk-plaintext-email-1.txt',
  ])('shared corpus %s is CarGurus, third party', async (path) => {
    const [lead] = await leadsOf(new URL(path, REPO));
    expect([lead!.source.provider, lead!.source.adapter, lead!.party]).toEqual(['CarGurus', 'cargurus', 'third']);
  });
});

// Tests for the CarGurus adapter: detection (never on "vAuto"), the vAuto lead id's time, the IMV / deal-rating suffix, and its fixtures through the whole pipeline.
import { describe, expect, it } from 'vitest';
import type { LeadDraft } from '../../src/lead.js';
import { describeDetection, describeFixtures, draft, leadsOf, REPO } from '../test-kit.js';
import { provider, readDealSuffix, vAutoTime } from './index.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const refine = (d: LeadDraft, signals = {}): LeadDraft => provider.refine!(d, signals);

const US_SUFFIX = 'I’m interested in this 2020 Dodge Charger. (CarGurus IMV: $26,819 / Deal Rating: Fair Deal / Is From Shippable Listing: No)';
const UK_SUFFIX = "I'm interested in this 2001 Porsche Boxster. (CarGurus deal rating: N/A / Is from deliverable listing: No)";

// Every signal delivery.md §2.3 lists; never "vAuto" (Cox's inventory tool that issues the lead id).
describeDetection(
  provider,
  {
    names: ['CarGurus', 'https://cargur.us/REDACTED', 'https://www.cargurus.com/'],
    idSources: ['CarGurus'],
    senders: ['dealer-leads@messages.cargurus.com', 'dealer-leads@messages.cargurus.co.uk'],
    subjects: ['Lead Submission from CarGurus', 'Lead submission from CarGurus'],
  },
  { notMine: { names: ['vAuto', 'Cars.com', 'CarsDirect', 'Kia Digital - 3rd Party Lead'], idSources: ['vAuto'] } },
);

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

describeFixtures(provider, FIXTURES, {
  'cargurus-1.xml': ([lead]) => expect([lead!.source.provider, lead!.source.subSource, lead!.party]).toEqual(['CarGurus', undefined, 'third']),
});

describe('cargurus: the shared corpus', () => {
  it.each([
    'fixtures/real-leads/cargurus-no-phone-2.xml',
    'fixtures/emails/text-cargurus-uk.eml',
    'fixtures/emails/forward-outlook-attached-cargurus.eml',
    'fixtures/real-leads/cargurus-uk-plaintext-email-1.txt',
  ])('%s is CarGurus, third party', async (path) => {
    const [lead] = await leadsOf(new URL(path, REPO));
    expect([lead!.source.provider, lead!.source.adapter, lead!.party]).toEqual(['CarGurus', 'cargurus', 'third']);
  });
});

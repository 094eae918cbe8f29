// Tests for the Costco Auto Program adapter: detection that never takes a TrueCar partner lead naming Costco, and its fixture through the whole pipeline.
import { describe, expect, it } from 'vitest';
import { describeDetection, describeFixtures, draft, EMAILS, leadsOf } from '../test-kit.js';
import { provider } from './index.js';

// Every signal delivery.md §2.3 lists; TrueCar partner leads that name Costco are TrueCar's.
describeDetection(
  provider,
  {
    names: ['Costco Auto Program', 'http://www.costcoauto.com', 'costcoauto.com'],
    senders: ['leads@costcoauto.com'],
    subjects: ['Costco Auto Program Referral - Lastname auth#: A1B2C3'],
  },
  { notMine: { names: ['TrueCar/Costco', 'New TrueCar/Costco Auto Buying Customer Inquiry', 'Costco Wholesale'], subjects: ['TrueCar / Costco: New Customer Inquiry'] } },
);

describe('costco: refine', () => {
  it('gives no sub-source when the service is the program itself (costco-auto-options-2.xml)', () => {
    expect(provider.refine!(draft({ provider: { ids: [], name: 'Costco Auto Program', service: 'Costco Auto Program' } }), {}).attribution).toBeUndefined();
  });

  it('never reads the subject (it carries the customer\'s last name)', () => {
    const d = draft({ provider: { ids: [], name: 'Costco Auto Program' } });
    expect(provider.refine!(d, { subject: 'Costco Auto Program Referral - Lastname auth#: A1B2C3' })).toBe(d);
  });
});

describeFixtures(provider, new URL('./fixtures/', import.meta.url), {
  'costco-auto-options-2.xml': ([lead]) =>
    expect([lead!.source.provider, lead!.source.subSource, lead!.party, lead!.leadType]).toEqual(['Costco Auto Program', undefined, 'third', 'sales-new']),
});

describe('costco: the shared corpus', () => {
  it('the email copy (ADF in body and attachment) is Costco too', async () => {
    const leads = await leadsOf(new URL('body-and-attachment-costco.eml', EMAILS));
    expect(leads.map((l) => [l.source.provider, l.party])).toEqual([['Costco Auto Program', 'third']]);
  });
});

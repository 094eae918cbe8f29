// Tests for the TrueCar adapter: detection, the affinity partner as sub-source from each signal, and its fixtures through the whole pipeline.
import { describe, expect, it } from 'vitest';
import type { Lead, LeadDraft } from '../../src/lead.js';
import { describeDetection, describeFixtures, draft, leadsOf, REPO } from '../test-kit.js';
import { partnerName, provider } from './index.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
/** A draft with only this provider block (and optional comments). */
const named = (p: LeadDraft['provider'], comments?: string): LeadDraft => draft({ provider: p }, comments);
const refine = (d: LeadDraft, signals = {}): LeadDraft => provider.refine!(d, signals);

// Every signal delivery.md §2.3 lists.
describeDetection(
  provider,
  {
    names: ['TrueCar/PNC', 'TrueCar/TrueCar', 'New TrueCar/Sams Club Auto Buying Customer Inquiry', 'https://www.truecar.com/'],
    idSources: ['TrueCar Lead ID'],
    senders: ['pnc@leads.truecarmail.com', 'truecar@secureleads.truecarmail.com'],
    subjects: ['TrueCar / PNC: New Customer Inquiry', 'Fwd: TrueCar / Perks At Work: New Customer Inquiry'],
  },
  { notMine: { names: ['Costco Auto Program', 'CarsDirect', 'Kia Digital - 3rd Party Lead', 'Cars.com', 'truecars-of-anytown.example'] } },
);

describe('truecar: partner → subSource', () => {
  it('reads the partner from provider/name, with the name as evidence', () => {
    const out = refine(named({ ids: [], name: 'TrueCar/PNC', service: 'New TrueCar/PNC Auto Buying Customer Inquiry' }));
    expect(out.attribution?.subSource).toEqual({ value: 'PNC', evidence: { signal: 'provider.name', value: 'TrueCar/PNC', rule: 'adapter:truecar' } });
  });

  it('falls back to the service, then the subject, then the sender local part', () => {
    expect(refine(named({ ids: [], service: 'New TrueCar/U.S. News Auto Buying Customer Inquiry' })).attribution?.subSource?.value).toBe('U.S. News');
    const bySubject = refine(draft(), { subject: 'Fwd: TrueCar / SchoolsFirst FCU: New Customer Inquiry' }).attribution?.subSource;
    expect(bySubject).toEqual({ value: 'SchoolsFirst FCU', evidence: { signal: 'subject', value: 'TrueCar / SchoolsFirst FCU', rule: 'adapter:truecar' } });
    const bySender = refine(draft(), { sender: 'samsclub@leads.truecarmail.com' }).attribution?.subSource;
    expect(bySender).toEqual({ value: 'Sams Club', evidence: { signal: 'sender', value: 'samsclub@leads.truecarmail.com', rule: 'adapter:truecar' } });
  });

  it('never takes a partner from a sender outside truecarmail.com (a dealer forwarding), nor from an unknown local part', () => {
    expect(refine(draft(), { sender: 'pnc@dealergroup.example' }).attribution).toBeUndefined();
    expect(refine(draft(), { sender: 'leads@leads.truecarmail.com' }).attribution).toBeUndefined();
  });

  it("gives TrueCar's own site (TrueCar/TrueCar, truecar@…) no sub-source: it is no partner", () => {
    expect(refine(named({ ids: [], name: 'TrueCar/TrueCar', service: 'New TrueCar/TrueCar Auto Buying Customer Inquiry' })).attribution).toBeUndefined();
    expect(refine(draft(), { sender: 'truecar@secureleads.truecarmail.com', subject: 'TrueCar / TrueCar: New Customer Inquiry' }).attribution).toBeUndefined();
  });

  it('spells known partners one way and keeps unknown partners as sent', () => {
    expect(partnerName('perks at work')).toBe('Perks At Work');
    expect(partnerName('Sams Club')).toBe('Sams Club');
    expect(partnerName(' Costco ')).toBe('Costco');
    expect(partnerName('   ')).toBeUndefined();
  });

  it('does not override a sub-source already decided, and does not mutate its input', () => {
    const d = named({ ids: [], name: 'TrueCar/PNC' });
    d.attribution = { subSource: { value: 'Dealer Rule', evidence: { signal: 'rule', rule: 'x' } } };
    const before = structuredClone(d);
    expect(refine(d).attribution?.subSource?.value).toBe('Dealer Rule');
    expect(d).toEqual(before);
  });
});

describe('truecar: dealer-portal link and <leadtype>', () => {
  const portal = '*** DEALER PORTAL ***\nhttps://dealerportal.truecar.com/dfe/prospects/ABC123?_xt=1&utm_source=crm&utm_campaign=5113';

  it('keeps the portal link in the comments and as a hint', () => {
    const out = refine(named({ ids: [], name: 'TrueCar/TrueCar' }, portal));
    expect(out.customer.comments).toBe(portal);
    expect(out.extras['truecar.portal']).toBe('https://dealerportal.truecar.com/dfe/prospects/ABC123?_xt=1&utm_source=crm&utm_campaign=5113');
  });

  it('lets <leadtype>internet</leadtype> (the CRM up type) decide nothing', async () => {
    const [lead] = await leadsOf(new URL('truecar-pnc-1.xml', FIXTURES));
    expect(lead!.leadType).toBe('sales-used');
    expect(lead!.classification.leadType).toEqual({ signal: 'vehicle.status', value: 'used', rule: 'status' });
  });
});

// A fixture for every partner case it pins.
const partnerIs =
  (subSource: string | undefined) =>
  ([lead]: Lead[]): void =>
    expect([lead!.source.provider, lead!.source.subSource, lead!.party]).toEqual(['TrueCar', subSource, 'third']);
describeFixtures(provider, FIXTURES, {
  'truecar-pnc-1.xml': partnerIs('PNC'),
  'truecar-perksatwork-synthetic-1.eml': partnerIs('Perks At Work'),
});

describe('truecar: the shared corpus', () => {
  it.each([
    ['fixtures/real-leads/truecar-truecar-used-2.xml', undefined],
    ['fixtures/emails/plain-body-truecar-pnc.eml', 'PNC'],
    ['fixtures/emails/forward-gmail-truecar-used.eml', undefined],
  ])('%s is TrueCar / %s, third party', async (path, subSource) => {
    partnerIs(subSource)(await leadsOf(new URL(path, REPO)));
  });
});

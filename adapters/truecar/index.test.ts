// Tests for the TrueCar adapter: detection, the affinity partner as sub-source from each signal, and its fixtures through the whole pipeline.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Lead, LeadDraft } from '../../src/lead.js';
import { silentLogger } from '../../src/log.js';
import { offlineLead, Pipeline } from '../../src/pipeline/index.js';
import { expectGolden, leadsOrRejection } from '../../test/support/golden.js';
import { PROVIDERS } from '../index.js';
import { partnerName, provider } from './index.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const REPO = new URL('../../', import.meta.url);
const pipeline = new Pipeline(loadConfig({ env: {} }), undefined, silentLogger);

async function leadsOf(file: URL): Promise<Lead[]> {
  const email = !file.pathname.endsWith('.xml');
  const raw = { bytes: readFileSync(file), contentType: email ? 'message/rfc822' : 'application/xml', transport: email ? 'smtp' : 'http', receivedAt: '2026-01-15T17:00:00.000Z' };
  return (await pipeline.prepare(raw)).map(offlineLead);
}

const draft = (provider?: LeadDraft['provider'], comments?: string): LeadDraft => ({
  format: 'adf', index: 0, ids: [], customer: { names: [], emails: [], phones: [], ids: [], ...(comments ? { comments } : {}) }, vehicles: [], extras: {}, warnings: [],
  ...(provider ? { provider } : {}),
});
const refine = (d: LeadDraft, signals = {}): LeadDraft => provider.refine!(d, signals);
const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1);
const claimsSender = (p: typeof provider, address: string): boolean =>
  (p.match.senderDomains ?? []).some((d) => domainOf(address) === d || domainOf(address).endsWith(`.${d}`));

describe('truecar: detection', () => {
  const names = ['TrueCar/PNC', 'TrueCar/TrueCar', 'New TrueCar/Sams Club Auto Buying Customer Inquiry', 'https://www.truecar.com/'];
  const idSources = ['TrueCar Lead ID'];
  const senders = ['pnc@leads.truecarmail.com', 'truecar@secureleads.truecarmail.com'];
  const subjects = ['TrueCar / PNC: New Customer Inquiry', 'Fwd: TrueCar / Perks At Work: New Customer Inquiry'];

  it('recognizes every signal delivery.md §2.3 lists', () => {
    for (const n of names) expect(provider.match.names!.test(n), n).toBe(true);
    for (const s of idSources) expect(provider.match.idSources!.test(s), s).toBe(true);
    for (const s of senders) expect(claimsSender(provider, s), s).toBe(true);
    for (const s of subjects) expect(provider.match.subjects!.test(s), s).toBe(true);
  });

  it('claims no other provider\'s lead, and no other adapter claims a TrueCar one', () => {
    for (const n of ['Costco Auto Program', 'CarsDirect', 'Kia Digital - 3rd Party Lead', 'Cars.com', 'truecars-of-anytown.example']) {
      expect(provider.match.names!.test(n), n).toBe(false);
    }
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

describe('truecar: partner → subSource', () => {
  it('reads the partner from provider/name, with the name as evidence', () => {
    const out = refine(draft({ ids: [], name: 'TrueCar/PNC', service: 'New TrueCar/PNC Auto Buying Customer Inquiry' }));
    expect(out.attribution?.subSource).toEqual({ value: 'PNC', evidence: { signal: 'provider.name', value: 'TrueCar/PNC', rule: 'adapter:truecar' } });
  });

  it('falls back to the service, then the subject, then the sender local part', () => {
    expect(refine(draft({ ids: [], service: 'New TrueCar/U.S. News Auto Buying Customer Inquiry' })).attribution?.subSource?.value).toBe('U.S. News');
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
    expect(refine(draft({ ids: [], name: 'TrueCar/TrueCar', service: 'New TrueCar/TrueCar Auto Buying Customer Inquiry' })).attribution).toBeUndefined();
    expect(refine(draft(), { sender: 'truecar@secureleads.truecarmail.com', subject: 'TrueCar / TrueCar: New Customer Inquiry' }).attribution).toBeUndefined();
  });

  it('spells known partners one way and keeps unknown partners as sent', () => {
    expect(partnerName('perks at work')).toBe('Perks At Work');
    expect(partnerName('Sams Club')).toBe('Sams Club');
    expect(partnerName(' Costco ')).toBe('Costco');
    expect(partnerName('   ')).toBeUndefined();
  });

  it('does not override a sub-source already decided, and does not mutate its input', () => {
    const d = draft({ ids: [], name: 'TrueCar/PNC' });
    d.attribution = { subSource: { value: 'Dealer Rule', evidence: { signal: 'rule', rule: 'x' } } };
    const before = structuredClone(d);
    expect(refine(d).attribution?.subSource?.value).toBe('Dealer Rule');
    expect(d).toEqual(before);
  });
});

describe('truecar: dealer-portal link and <leadtype>', () => {
  const portal = '*** DEALER PORTAL ***\nhttps://dealerportal.truecar.com/dfe/prospects/ABC123?_xt=1&utm_source=crm&utm_campaign=5113';

  it('keeps the portal link in the comments and as a hint', () => {
    const out = refine(draft({ ids: [], name: 'TrueCar/TrueCar' }, portal));
    expect(out.customer.comments).toBe(portal);
    expect(out.extras['truecar.portal']).toBe('https://dealerportal.truecar.com/dfe/prospects/ABC123?_xt=1&utm_source=crm&utm_campaign=5113');
  });

  it('lets <leadtype>internet</leadtype> (the CRM up type) decide nothing', async () => {
    const [lead] = await leadsOf(new URL('truecar-pnc-1.xml', FIXTURES));
    expect(lead!.leadType).toBe('sales-used');
    expect(lead!.classification.leadType).toEqual({ signal: 'vehicle.status', value: 'used', rule: 'status' });
  });
});

describe('truecar: fixtures through the pipeline', () => {
  const files = readdirSync(FIXTURES).filter((f) => /\.(xml|eml)$/.test(f)).sort();
  const SUB_SOURCE: Record<string, string> = {
    'truecar-pnc-1.xml': 'PNC',
    'truecar-perksatwork-synthetic-1.eml': 'Perks At Work',
  };

  it('has a fixture for every partner case it pins', () => {
    expect(files).toEqual(Object.keys(SUB_SOURCE).sort());
  });

  it.each(files)('%s matches its expected output', async (file) => {
    const result = await leadsOrRejection(() => leadsOf(new URL(file, FIXTURES)));
    expectGolden(new URL(file.replace(/\.\w+$/, '.expected.json'), FIXTURES), result, 'adapters/truecar/index.test.ts');
    const [lead] = result as Lead[];
    expect(lead!.source.provider).toBe('TrueCar');
    expect(lead!.source.subSource).toBe(SUB_SOURCE[file]);
    expect(lead!.party).toBe('third');
  });

  it.each([
    ['fixtures/real-leads/truecar-truecar-used-2.xml', undefined],
    ['fixtures/emails/plain-body-truecar-pnc.eml', 'PNC'],
    ['fixtures/emails/forward-gmail-truecar-used.eml', undefined],
  ])('shared corpus %s is TrueCar / %s, third party', async (path, subSource) => {
    const [lead] = await leadsOf(new URL(path, REPO));
    expect([lead!.source.provider, lead!.source.subSource, lead!.party]).toEqual(['TrueCar', subSource, 'third']);
  });
});

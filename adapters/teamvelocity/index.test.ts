// Tests for the Team Velocity adapter: detection (and that OEM programs relaying its forms win), form names → lead types, Apollo as sub-source, and its fixture through the pipeline.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAdf } from '../../src/formats/adf.js';
import type { LeadDraft } from '../../src/lead.js';
import { describeDetection, describeFixtures, EMAILS, leadsOf, REAL_LEADS } from '../test-kit.js';
import { formOf, provider } from './index.js';

const HERE = new URL('./fixtures/', import.meta.url);
const APOLLO = readFileSync(new URL('apollo-teamvelocity-website-1.xml', REAL_LEADS), 'utf8');
const draft = (xml: string): LeadDraft => parseAdf(xml)[0]!;

// Team Velocity and Apollo websites, not its social-ad relay (Apollo Ads is the facebook adapter's).
describeDetection(
  provider,
  {
    names: ['Apollo Websites - Contact Dealer', 'Team Velocity - Value Your Trade', 'https://email.velocityoffersites.com/c/x'],
    idSources: ['Team Velocity'],
    senders: ['leads@velocityoffersites.com'],
    subjects: ['Apollo Website Lead-Pre-Qual VDP'],
  },
  { notMine: { names: ['Apollo Ads', 'Kia Digital', 'Velocity Motors'], idSources: ['Apollo Ads'] } },
);

describe('teamvelocity refine', () => {
  it('reads the form from provider/name, else from the Apollo subject', () => {
    expect(formOf(draft(APOLLO), {})).toEqual({ form: 'Contact Dealer', signal: 'provider.name' });
    const unnamed = draft(APOLLO.replace('<name part="full">Apollo Websites - Contact Dealer</name>', ''));
    expect(formOf(unnamed, { subject: 'Fwd: Apollo Website Lead-Pre-Qual VDP' })).toEqual({ form: 'Pre-Qual VDP', signal: 'subject' });
  });

  it('from a subject only the matched words become evidence (a subject may carry more than the form)', () => {
    const unnamed = draft(APOLLO.replace('<name part="full">Apollo Websites - Contact Dealer</name>', ''));
    const a = provider.refine!(unnamed, { subject: 'Apollo Website Lead-Pre-Qual VDP for Firstname Lastname' }).attribution;
    expect(a?.leadType).toEqual({ value: 'credit-app', evidence: { signal: 'subject', value: 'Pre-Qual', rule: 'adapter:teamvelocity' } });
  });

  it('Apollo Contact Dealer: Apollo as sub-source, no lead type (the vehicle decides)', () => {
    const a = provider.refine!(draft(APOLLO), {}).attribution;
    expect(a?.subSource).toEqual({ value: 'Apollo', evidence: { signal: 'provider.name', value: 'Apollo Websites - Contact Dealer', rule: 'adapter:teamvelocity' } });
    expect(a?.leadType).toBeUndefined();
  });

  it.each([
    ['Trade - Value Your Trade', 'trade-appraisal'],
    ['Value Your Trade', 'trade-appraisal'],
    ['Pre-Qual VDP', 'credit-app'],
    ['Schedule Test Drive', 'test-drive'],
    ['Check Availability', undefined],
    ['Contact Dealer', undefined],
  ])('form "%s" → %s', (form, type) => {
    // As Kia/Mazda Digital relay it: the form in provider/name, no Apollo url.
    const relayed = APOLLO.replace('Apollo Websites - Contact Dealer', `Team Velocity - ${form}`).replace(/<url>[^<]*<\/url>/, '');
    const a = provider.refine!(draft(relayed), {}).attribution;
    expect(a?.leadType?.value).toBe(type);
    expect(a?.subSource).toBeUndefined();
  });

  it('<leadtype>Sales</leadtype> decides nothing', () => {
    expect(draft(APOLLO).extras.leadtype).toBe('Sales');
    expect(provider.refine!(draft(APOLLO), {}).attribution?.leadType).toBeUndefined();
  });
});

describe('teamvelocity through the pipeline', () => {
  it.each([
    [new URL('apollo-teamvelocity-website-1.xml', REAL_LEADS), 'sales-new'],
    [new URL('quoted-printable-apollo.eml', EMAILS), 'sales-new'],
    [new URL('apollo-value-your-trade-synthetic.eml', HERE), 'trade-appraisal'],
  ])('%s: Team Velocity / Apollo, first party', async (url, leadType) => {
    const [lead] = await leadsOf(url);
    expect({ provider: lead!.source.provider, subSource: lead!.source.subSource, party: lead!.party, leadType: lead!.leadType, adapter: lead!.source.adapter }).toEqual({
      provider: 'Team Velocity',
      subSource: 'Apollo',
      party: 'first',
      leadType,
      adapter: 'teamvelocity',
    });
  });

  it('a Team Velocity form relayed by an OEM program is the program\'s, with Team Velocity as sub-source', async () => {
    const [lead] = await leadsOf(new URL('kia-digital-teamvelocity-fullline-1.xml', REAL_LEADS));
    expect({ provider: lead!.source.provider, subSource: lead!.source.subSource, party: lead!.party }).toEqual({ provider: 'Kia Digital', subSource: 'Team Velocity', party: 'first' });
  });
});

describeFixtures(provider, HERE);

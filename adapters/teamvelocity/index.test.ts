// Tests for the Team Velocity adapter: detection (and that OEM programs relaying its forms win), form names → lead types, Apollo as sub-source, and its fixture through the pipeline.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { parseAdf } from '../../src/formats/adf.js';
import type { Lead, LeadDraft } from '../../src/lead.js';
import { silentLogger } from '../../src/log.js';
import { offlineLead, Pipeline } from '../../src/pipeline/index.js';
import { expectGolden, leadsOrRejection } from '../../test/support/golden.js';
import { formOf, provider } from './index.js';

const HERE = new URL('./fixtures/', import.meta.url);
const REAL = new URL('../../fixtures/real-leads/', import.meta.url);
const EMAILS = new URL('../../fixtures/emails/', import.meta.url);
const APOLLO = readFileSync(new URL('apollo-teamvelocity-website-1.xml', REAL), 'utf8');
const pipeline = new Pipeline(loadConfig({ env: {} }), undefined, silentLogger);
const draft = (xml: string): LeadDraft => parseAdf(xml)[0]!;

async function leadsOf(url: URL): Promise<Lead[]> {
  const email = url.pathname.endsWith('.eml');
  const raw = { bytes: readFileSync(url), contentType: email ? 'message/rfc822' : 'application/xml', transport: email ? 'smtp' : 'http', receivedAt: '2026-01-15T17:00:00.000Z' };
  return (await pipeline.prepare(raw)).map(offlineLead);
}

describe('teamvelocity detection', () => {
  it('claims Team Velocity and Apollo websites, not its social-ad relay', () => {
    for (const name of ['Apollo Websites - Contact Dealer', 'Team Velocity - Value Your Trade', 'https://email.velocityoffersites.com/c/x']) {
      expect(provider.match.names!.test(name), name).toBe(true);
    }
    for (const name of ['Apollo Ads', 'Kia Digital', 'Velocity Motors']) expect(provider.match.names!.test(name), name).toBe(false);
    expect(provider.match.idSources!.test('Team Velocity')).toBe(true);
    expect(provider.match.idSources!.test('Apollo Ads')).toBe(false);
    expect(provider.match.subjects!.test('Apollo Website Lead-Pre-Qual VDP')).toBe(true);
  });
});

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
    [new URL('apollo-teamvelocity-website-1.xml', REAL), 'sales-new'],
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
    const [lead] = await leadsOf(new URL('kia-digital-teamvelocity-fullline-1.xml', REAL));
    expect({ provider: lead!.source.provider, subSource: lead!.source.subSource, party: lead!.party }).toEqual({ provider: 'Kia Digital', subSource: 'Team Velocity', party: 'first' });
  });

  const inputs = readdirSync(HERE).filter((f) => /\.(xml|eml)$/.test(f)).sort();
  it.each(inputs)('fixtures/%s matches its expected output', async (file) => {
    const result = await leadsOrRejection(() => leadsOf(new URL(file, HERE)));
    expectGolden(new URL(file.replace(/\.(xml|eml)$/, '.expected.json'), HERE), result, 'adapters/teamvelocity/index.test.ts');
  });
});

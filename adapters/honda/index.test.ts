// Tests for the Honda/Acura adapter: detection by program id and name, Acura as the brand, contact-only programs, @hondatest.com test leads, the relayed Dealer Inspire name, and its fixture through the pipeline.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAdf } from '../../src/formats/adf.js';
import type { LeadDraft } from '../../src/lead.js';
import { describeDetection, describeFixtures, leadsOf } from '../test-kit.js';
import { provider } from './index.js';

const HERE = new URL('./fixtures/', import.meta.url);
const XML = readFileSync(new URL('acura-dealer-inspire-helms-synthetic.xml', HERE), 'utf8');
const refine = (xml: string): LeadDraft => provider.refine!(parseAdf(xml)[0]!, {});
const withService = (service: string): string => XML.replace('<service>95079</service>', `<service>${service}</service>`);

// J.D. Power program ids, HELMS and exact Honda/Acura names; not the forced Dealer Inspire name.
describeDetection(
  provider,
  { names: ['90534', '95079', '95081', 'HELMS', 'Honda', 'American Honda', 'Acura'] },
  { notMine: { names: ['Dealer Inspire - Website', 'Honda Financial Services', 'Example Honda', '905341'] } },
);

describe('honda refine', () => {
  it('Acura lead 95079 relayed from a Dealer Inspire site: Acura, Dealer Inspire, first party', () => {
    const a = refine(XML).attribution;
    expect(a?.provider).toEqual({ value: 'Acura', evidence: { signal: 'provider.service', value: '95079', rule: 'adapter:honda' } });
    expect(a?.subSource?.value).toBe('Dealer Inspire');
    expect(a?.party).toEqual({ value: 'first', evidence: { signal: 'provider.name', value: 'Dealer Inspire - Website', rule: 'adapter:honda' } });
    expect(a?.leadType).toBeUndefined();
  });

  it('Honda lead 90534 keeps the Honda brand; Acura contact 95081 asks for contact only', () => {
    expect(refine(withService('90534')).attribution?.provider).toBeUndefined();
    expect(refine(withService('95081')).attribution?.leadType).toEqual({ value: 'general', evidence: { signal: 'provider.service', value: '95081', rule: 'adapter:honda' } });
  });

  it('an Acura name without a program id still names the brand', () => {
    const a = refine(XML.replace('<service>95079</service>', '').replace('Dealer Inspire - Website', 'Acura'));
    expect(a.attribution?.provider?.value).toBe('Acura');
  });

  it('flags @hondatest.com leads as test leads (Honda routes them to a test dealer)', () => {
    const out = refine(XML.replace('customer53@example.com', 'customer53@HONDATEST.com'));
    expect(out.warnings.map((w) => w.code)).toContain('oem_test_lead');
    expect(refine(XML).warnings.map((w) => w.code)).not.toContain('oem_test_lead');
  });

  it('a dealer number sent as a prospect id moves to the vendor ids', () => {
    const out = refine(XML.replace('<requestdate>', '<id source="Dealer Number">251999</id><requestdate>'));
    expect(out.vendor?.ids.map((i) => i.value)).toEqual(['251234', '251999']);
  });
});

describe('honda through the pipeline', () => {
  it('the Acura program id wins over the forced Dealer Inspire name', async () => {
    const [lead] = await leadsOf(XML);
    expect({ provider: lead!.source.provider, subSource: lead!.source.subSource, party: lead!.party, adapter: lead!.source.adapter }).toEqual({
      provider: 'Acura',
      subSource: 'Dealer Inspire',
      party: 'first',
      adapter: 'honda',
    });
  });

  it('without a Honda signal the same lead is Dealer Inspire\'s', async () => {
    const [lead] = await leadsOf(XML.replace('<service>95079</service>', ''));
    expect({ provider: lead!.source.provider, party: lead!.party, adapter: lead!.source.adapter }).toEqual({ provider: 'Dealer Inspire', party: 'first', adapter: 'dealer-inspire' });
  });
});

describeFixtures(provider, HERE);

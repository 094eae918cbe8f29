// Tests for the Hyundai adapter: detection of STAR leads by SenderNameCode and subject, the Marketing pairs as attribution, and its fixtures through the pipeline.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { parseStar } from '../../src/formats/star.js';
import type { LeadDraft } from '../../src/lead.js';
import { describeDetection, describeFixtures, EMAILS, leadsOf, REAL_LEADS } from '../test-kit.js';
import { provider } from './index.js';

const HERE = new URL('./fixtures/', import.meta.url);
const STAR = readFileSync(new URL('star-hyundai-dealercom-tradein-1.xml', REAL_LEADS), 'utf8');

const refine = (xml: string): LeadDraft => provider.refine!(parseStar(xml)[0]!, {});
/** The real lead with one Marketing pair's value replaced. */
const withMarketing = (key: string, value: string): string =>
  STAR.replace(new RegExp(`(<ProgramIdDescription>${key}</ProgramIdDescription><MarketingComment>)<!\\[CDATA\\[[^\\]]*\\]\\]>`), `$1<![CDATA[${value}]]>`);

// STAR leads by the SenderNameCode attribute offers as a provider id, and its relay subject.
// A dealership and the relayed vendor are not the program.
describeDetection(
  provider,
  { names: ['STAR SenderNameCode=HYU', 'Hyundai Motor America'], subjects: ['Hyundai Star XML Lead'] },
  { notMine: { names: ['Tustin Hyundai', 'Dealer.com - DRS', 'STAR SenderNameCode=HYUX'] } },
);

describe('hyundai refine', () => {
  it('Marketing pairs: Lead Category → party, Lead Source → sub-source, Lead Program → lead type', () => {
    const a = refine(STAR).attribution;
    expect(a?.party).toEqual({
      value: 'first',
      evidence: { signal: 'star.marketing', value: 'Lead Category=Dealer; Lead Sub Category=Dealer Website; Media Type=Web', rule: 'adapter:hyundai' },
    });
    expect(a?.subSource).toEqual({
      value: 'Dealer.com',
      evidence: { signal: 'star.marketing', value: 'Lead Source=Dealer.com - DRS; Campaign ID=Accelerate DR - Dealer.com - Deal Events', rule: 'adapter:hyundai' },
    });
    expect(a?.leadType).toEqual({ value: 'trade-appraisal', evidence: { signal: 'star.marketing', value: 'Lead Program=DRS TRADE-IN FORM LEAD', rule: 'adapter:hyundai' } });
  });

  it('a third-party Lead Category makes the lead third party', () => {
    expect(refine(withMarketing('Lead Category', 'Third Party')).attribution?.party?.value).toBe('third');
  });

  it('a Lead Source that is no known vendor is kept as sent; the program naming itself is not a sub-source', () => {
    const other = withMarketing('Lead Source', 'Example Lead Partner').replace('<CompanyName>Dealer.com - DRS</CompanyName>', '<CompanyName>Example Lead Partner</CompanyName>');
    expect(refine(other).attribution?.subSource?.value).toBe('Example Lead Partner');
    const own = withMarketing('Lead Source', 'Hyundai').replace('<CompanyName>Dealer.com - DRS</CompanyName>', '<CompanyName>Hyundai</CompanyName>');
    expect(refine(own).attribution?.subSource).toBeUndefined();
  });

  it('without Marketing pairs the relayed vendor in ProviderParty still decides', () => {
    const bare = STAR.replace(/<Marketing>[\s\S]*?<\/Marketing>/g, '');
    const a = refine(bare).attribution;
    expect(a?.subSource?.value).toBe('Dealer.com');
    expect(a?.party).toEqual({ value: 'first', evidence: { signal: 'provider.name', value: 'Dealer.com - DRS', rule: 'adapter:hyundai' } });
  });

  it('keeps the OEM dealer code (ReceivingDealerParty PartyID) as a vendor id', () => {
    expect(refine(STAR).vendor?.ids).toContainEqual({ value: 'CA325', source: 'OEM dealer code' });
  });
});

describe('hyundai through the pipeline', () => {
  it.each([
    ['star-hyundai-dealercom-tradein-1.xml (HTTP, no subject)', new URL('star-hyundai-dealercom-tradein-1.xml', REAL_LEADS)],
    ['star-body-hyundai.eml', new URL('star-body-hyundai.eml', EMAILS)],
    ['fixtures/forwarded-star-dealercom-tradein.eml', new URL('forwarded-star-dealercom-tradein.eml', HERE)],
  ] as const)('%s: Hyundai relaying a Dealer.com trade-in form', async (_name, url) => {
    const [lead] = await leadsOf(url);
    expect({ provider: lead!.source.provider, subSource: lead!.source.subSource, party: lead!.party, leadType: lead!.leadType, adapter: lead!.source.adapter }).toEqual({
      provider: 'Hyundai',
      subSource: 'Dealer.com',
      party: 'first',
      leadType: 'trade-appraisal',
      adapter: 'hyundai',
    });
    expect(lead!.dealer.id).toBe('tustin-hyundai');
  });

  it('a dealer configured with the Hyundai dealer code is found by it', async () => {
    const config = loadConfig({ env: {}, overrides: { dealers: [{ id: 'hyundai-of-tustin', name: 'Hyundai of Tustin (group name)', vendorIds: ['CA325'] }] } });
    const [lead] = await leadsOf(STAR, { config });
    expect(lead!.dealer.id).toBe('hyundai-of-tustin');
  });
});

describeFixtures(provider, HERE);

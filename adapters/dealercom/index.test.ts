// Tests for the Dealer.com adapter: detection (not look-alike domains), the DRS product and trade-in programs, Hyundai's STAR relay winning over it, and its fixture through the pipeline.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAdf } from '../../src/formats/adf.js';
import { parseStar } from '../../src/formats/star.js';
import { describeDetection, describeFixtures, leadsOf, REAL_LEADS } from '../test-kit.js';
import { provider } from './index.js';

const HERE = new URL('./fixtures/', import.meta.url);
const XML = readFileSync(new URL('dealercom-trade-in-synthetic.xml', HERE), 'utf8');

// dealer.com names, hosts and sender domain; not look-alike domains.
describeDetection(
  provider,
  { names: ['Dealer.com - DRS', 'www.dealer.com', 'support@dealer.com', 'https://shop.dealer.com/sp'], senders: ['leads@dealer.com'] },
  { notMine: { names: ['cardealer.com', 'my-dealer.com', 'Dealer Website'] } },
);

describe('dealercom refine', () => {
  it('the product as sub-source and a trade-in program as the lead type', () => {
    const a = provider.refine!(parseAdf(XML)[0]!, {}).attribution;
    expect(a?.subSource).toEqual({ value: 'DRS', evidence: { signal: 'provider.name', value: 'Dealer.com - DRS', rule: 'adapter:dealercom' } });
    expect(a?.leadType).toEqual({ value: 'trade-appraisal', evidence: { signal: 'provider.service', value: 'DRS TRADE-IN FORM LEAD', rule: 'adapter:dealercom' } });
  });

  it('reads the STAR Lead Program the same way (when a Hyundai relay hands the lead over)', () => {
    const star = parseStar(readFileSync(new URL('star-hyundai-dealercom-tradein-1.xml', REAL_LEADS), 'utf8'))[0]!;
    expect(provider.refine!(star, {}).attribution?.leadType?.value).toBe('trade-appraisal');
  });

  it('a plain "Dealer.com" with a non-trade form claims nothing', () => {
    const plain = XML.replace('Dealer.com - DRS', 'Dealer.com').replace('DRS TRADE-IN FORM LEAD', 'Contact Us');
    expect(provider.refine!(parseAdf(plain)[0]!, {}).attribution).toBeUndefined();
  });
});

describe('dealercom through the pipeline', () => {
  it('a direct Dealer.com trade-in lead: Dealer.com / DRS, first party, trade-appraisal', async () => {
    const [lead] = await leadsOf(new URL('dealercom-trade-in-synthetic.xml', HERE));
    expect({ provider: lead!.source.provider, subSource: lead!.source.subSource, party: lead!.party, leadType: lead!.leadType }).toEqual({
      provider: 'Dealer.com',
      subSource: 'DRS',
      party: 'first',
      leadType: 'trade-appraisal',
    });
  });

  it('the Hyundai STAR lead naming Dealer.com is Hyundai\'s (its SenderNameCode wins), Dealer.com its sub-source', async () => {
    const [lead] = await leadsOf(new URL('star-hyundai-dealercom-tradein-1.xml', REAL_LEADS));
    expect({ provider: lead!.source.provider, subSource: lead!.source.subSource, adapter: lead!.source.adapter }).toEqual({ provider: 'Hyundai', subSource: 'Dealer.com', adapter: 'hyundai' });
  });
});

describeFixtures(provider, HERE);

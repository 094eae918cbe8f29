// Tests for the Dealer.com adapter: detection (not look-alike domains), the DRS product and trade-in programs, Hyundai's STAR relay winning over it, and its fixture through the pipeline.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { parseAdf } from '../../src/formats/adf.js';
import { parseStar } from '../../src/formats/star.js';
import type { Lead } from '../../src/lead.js';
import { silentLogger } from '../../src/log.js';
import { offlineLead, Pipeline } from '../../src/pipeline/index.js';
import { expectGolden, leadsOrRejection } from '../../test/support/golden.js';
import { provider } from './index.js';

const HERE = new URL('./fixtures/', import.meta.url);
const REAL = new URL('../../fixtures/real-leads/', import.meta.url);
const XML = readFileSync(new URL('dealercom-trade-in-synthetic.xml', HERE), 'utf8');
const pipeline = new Pipeline(loadConfig({ env: {} }), undefined, silentLogger);

async function leadsOf(url: URL): Promise<Lead[]> {
  const raw = { bytes: readFileSync(url), contentType: 'application/xml', transport: 'http', receivedAt: '2026-01-15T17:00:00.000Z' };
  return (await pipeline.prepare(raw)).map(offlineLead);
}

describe('dealercom detection', () => {
  it('claims dealer.com names and hosts, not look-alike domains', () => {
    for (const name of ['Dealer.com - DRS', 'www.dealer.com', 'support@dealer.com', 'https://shop.dealer.com/sp']) expect(provider.match.names!.test(name), name).toBe(true);
    for (const name of ['cardealer.com', 'my-dealer.com', 'Dealer Website']) expect(provider.match.names!.test(name), name).toBe(false);
    expect(provider.match.senderDomains).toContain('dealer.com');
  });
});

describe('dealercom refine', () => {
  it('the product as sub-source and a trade-in program as the lead type', () => {
    const a = provider.refine!(parseAdf(XML)[0]!, {}).attribution;
    expect(a?.subSource).toEqual({ value: 'DRS', evidence: { signal: 'provider.name', value: 'Dealer.com - DRS', rule: 'adapter:dealercom' } });
    expect(a?.leadType).toEqual({ value: 'trade-appraisal', evidence: { signal: 'provider.service', value: 'DRS TRADE-IN FORM LEAD', rule: 'adapter:dealercom' } });
  });

  it('reads the STAR Lead Program the same way (when a Hyundai relay hands the lead over)', () => {
    const star = parseStar(readFileSync(new URL('star-hyundai-dealercom-tradein-1.xml', REAL), 'utf8'))[0]!;
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
    const [lead] = await leadsOf(new URL('star-hyundai-dealercom-tradein-1.xml', REAL));
    expect({ provider: lead!.source.provider, subSource: lead!.source.subSource, adapter: lead!.source.adapter }).toEqual({ provider: 'Hyundai', subSource: 'Dealer.com', adapter: 'hyundai' });
  });

  const inputs = readdirSync(HERE).filter((f) => /\.(xml|eml)$/.test(f)).sort();
  it.each(inputs)('fixtures/%s matches its expected output', async (file) => {
    const result = await leadsOrRejection(() => leadsOf(new URL(file, HERE)));
    expectGolden(new URL(file.replace(/\.(xml|eml)$/, '.expected.json'), HERE), result, 'adapters/dealercom/index.test.ts');
  });
});

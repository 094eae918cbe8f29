// Tests for the Dealer Inspire adapter: detection, the Honda-forced "Dealer Inspire - Website" name (Honda wins only with a Honda signal), and its (synthetic) fixture through the pipeline.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Lead } from '../../src/lead.js';
import { silentLogger } from '../../src/log.js';
import { offlineLead, Pipeline } from '../../src/pipeline/index.js';
import { expectGolden, leadsOrRejection } from '../../test/support/golden.js';
import { provider } from './index.js';

const HERE = new URL('./fixtures/', import.meta.url);
const XML = readFileSync(new URL('dealer-inspire-website-synthetic.xml', HERE), 'utf8');
const pipeline = new Pipeline(loadConfig({ env: {} }), undefined, silentLogger);

async function leadsOf(xml: string): Promise<Lead[]> {
  return (await pipeline.prepare({ bytes: Buffer.from(xml), contentType: 'application/xml', transport: 'http', receivedAt: '2026-01-15T17:00:00.000Z' })).map(offlineLead);
}

describe('dealer-inspire detection', () => {
  it('claims Dealer Inspire names and dealerinspire.com', () => {
    for (const name of ['Dealer Inspire - Website', 'DealerInspire', 'https://www.dealerinspire.com']) expect(provider.match.names!.test(name), name).toBe(true);
    for (const name of ['Dealer Website', 'Inspire Motors']) expect(provider.match.names!.test(name), name).toBe(false);
    expect(provider.match.senderDomains).toContain('dealerinspire.com');
  });
});

describe('dealer-inspire through the pipeline', () => {
  it('a Dealer Inspire website lead: Dealer Inspire, first party (the comment\'s "test drive" is only a comment)', async () => {
    const [lead] = await leadsOf(XML);
    expect({ provider: lead!.source.provider, party: lead!.party, adapter: lead!.source.adapter }).toEqual({ provider: 'Dealer Inspire', party: 'first', adapter: 'dealer-inspire' });
    expect(lead!.leadType).toBe('sales-new');
  });

  it('the same forced name with a Honda program id is Honda\'s, Dealer Inspire its sub-source', async () => {
    const [lead] = await leadsOf(XML.replace('<name part="full">Dealer Inspire - Website</name>', '<name part="full">Dealer Inspire - Website</name><service>90534</service>'));
    expect({ provider: lead!.source.provider, subSource: lead!.source.subSource, party: lead!.party }).toEqual({ provider: 'Honda', subSource: 'Dealer Inspire', party: 'first' });
  });

  const inputs = readdirSync(HERE).filter((f) => /\.(xml|eml)$/.test(f)).sort();
  it.each(inputs)('fixtures/%s matches its expected output', async (file) => {
    const result = await leadsOrRejection(() => leadsOf(readFileSync(new URL(file, HERE), 'utf8')));
    expectGolden(new URL(file.replace(/\.(xml|eml)$/, '.expected.json'), HERE), result, 'adapters/dealer-inspire/index.test.ts');
  });
});

// Tests for the DealerOn adapter: detection and its (synthetic) fixture through the pipeline.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Lead } from '../../src/lead.js';
import { silentLogger } from '../../src/log.js';
import { offlineLead, Pipeline } from '../../src/pipeline/index.js';
import { expectGolden, leadsOrRejection } from '../../test/support/golden.js';
import { provider } from './index.js';

const HERE = new URL('./fixtures/', import.meta.url);
const pipeline = new Pipeline(loadConfig({ env: {} }), undefined, silentLogger);

async function leadsOf(bytes: Buffer, email = false): Promise<Lead[]> {
  const raw = { bytes, contentType: email ? 'message/rfc822' : 'application/xml', transport: email ? 'smtp' : 'http', receivedAt: '2026-01-15T17:00:00.000Z' };
  return (await pipeline.prepare(raw)).map(offlineLead);
}

describe('dealeron detection', () => {
  it('claims DealerOn by name, host and sender domain; not a dealership "on" a street', () => {
    for (const name of ['DealerOn', 'https://www.dealeron.com']) expect(provider.match.names!.test(name), name).toBe(true);
    for (const name of ['Dealer on Main', 'Dealer Online Sales']) expect(provider.match.names!.test(name), name).toBe(false);
    expect(provider.match.senderDomains).toContain('dealeron.com');
  });
});

describe('dealeron through the pipeline', () => {
  it('a DealerOn lead: DealerOn, first party, the vehicle decides the lead type', async () => {
    const [lead] = await leadsOf(readFileSync(new URL('dealeron-contact-synthetic.xml', HERE)));
    expect({ provider: lead!.source.provider, party: lead!.party, leadType: lead!.leadType, adapter: lead!.source.adapter }).toEqual({ provider: 'DealerOn', party: 'first', leadType: 'sales-used', adapter: 'dealeron' });
  });

  it('an email from dealeron.com that names no provider is DealerOn\'s', async () => {
    const body = readFileSync(new URL('dealeron-contact-synthetic.xml', HERE), 'utf8').replace(/\s*<provider>[\s\S]*?<\/provider>/, '');
    const eml = `From: Example Motors Website <leads@dealeron.com>\r\nTo: sales@examplemotors.example\r\nMessage-ID: <do.1@dealeron.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}`;
    const [lead] = await leadsOf(Buffer.from(eml), true);
    expect({ provider: lead!.source.provider, party: lead!.party }).toEqual({ provider: 'DealerOn', party: 'first' });
    expect(lead!.classification.provider).toEqual({ signal: 'sender.domain', value: 'dealeron.com', rule: 'adapter:dealeron' });
  });

  const inputs = readdirSync(HERE).filter((f) => /\.(xml|eml)$/.test(f)).sort();
  it.each(inputs)('fixtures/%s matches its expected output', async (file) => {
    const result = await leadsOrRejection(() => leadsOf(readFileSync(new URL(file, HERE)), file.endsWith('.eml')));
    expectGolden(new URL(file.replace(/\.(xml|eml)$/, '.expected.json'), HERE), result, 'adapters/dealeron/index.test.ts');
  });
});

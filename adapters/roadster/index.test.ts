// Tests for the Roadster adapter: detection (never the body style), Mazda Digital relaying Roadster, and its fixture through the pipeline.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Lead } from '../../src/lead.js';
import { silentLogger } from '../../src/log.js';
import { offlineLead, Pipeline } from '../../src/pipeline/index.js';
import { expectGolden, leadsOrRejection } from '../../test/support/golden.js';
import { provider } from './index.js';

const HERE = new URL('./fixtures/', import.meta.url);
const REAL = new URL('../../fixtures/real-leads/', import.meta.url);
const pipeline = new Pipeline(loadConfig({ env: {} }), undefined, silentLogger);

async function leadsOf(url: URL): Promise<Lead[]> {
  const email = url.pathname.endsWith('.eml');
  const raw = { bytes: readFileSync(url), contentType: email ? 'message/rfc822' : 'application/xml', transport: email ? 'smtp' : 'http', receivedAt: '2026-01-15T17:00:00.000Z' };
  return (await pipeline.prepare(raw)).map(offlineLead);
}

describe('roadster detection', () => {
  it('claims Roadster by its product name and dealer-portal host, never the body style', () => {
    for (const name of ['Roadster Online - Unlock Inquiry', 'Roadster', 'https://dealers.roadster.com/exampledealer']) expect(provider.match.names!.test(name), name).toBe(true);
    for (const name of ['MX-5 Miata Roadster', 'Example Roadster Center', 'myroadster.com']) expect(provider.match.names!.test(name), name).toBe(false);
    expect(provider.match.senderDomains).toContain('roadster.com');
  });

  it('has no refine: its comment blocks map onto no Lead field', () => {
    expect(provider.refine).toBeUndefined();
  });
});

describe('roadster through the pipeline', () => {
  it('a direct Roadster lead: Roadster, first party, the vehicle decides the lead type', async () => {
    const [lead] = await leadsOf(new URL('roadster-direct-unlock-synthetic.xml', HERE));
    expect({ provider: lead!.source.provider, party: lead!.party, leadType: lead!.leadType, adapter: lead!.source.adapter }).toEqual({ provider: 'Roadster', party: 'first', leadType: 'sales-new', adapter: 'roadster' });
    // The comments stay whole (representative card, deal key and finance blocks included).
    expect(lead!.customer.comments).toContain('/// Customer Comments ///');
  });

  it('Roadster relayed by Mazda Digital is the program\'s, with Roadster as sub-source', async () => {
    const [lead] = await leadsOf(new URL('mazda-digital-roadster-1.xml', REAL));
    expect({ provider: lead!.source.provider, subSource: lead!.source.subSource, party: lead!.party }).toEqual({ provider: 'Mazda Digital', subSource: 'Roadster', party: 'first' });
  });

  const inputs = readdirSync(HERE).filter((f) => /\.(xml|eml)$/.test(f)).sort();
  it.each(inputs)('fixtures/%s matches its expected output', async (file) => {
    const result = await leadsOrRejection(() => leadsOf(new URL(file, HERE)));
    expectGolden(new URL(file.replace(/\.(xml|eml)$/, '.expected.json'), HERE), result, 'adapters/roadster/index.test.ts');
  });
});

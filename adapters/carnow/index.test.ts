// Tests for the CarNow adapter: detection, chat transcripts → chat, Mazda Digital relaying CarNow, and its fixture through the pipeline.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { parseAdf } from '../../src/formats/adf.js';
import type { Lead, LeadDraft } from '../../src/lead.js';
import { silentLogger } from '../../src/log.js';
import { offlineLead, Pipeline } from '../../src/pipeline/index.js';
import { expectGolden, leadsOrRejection } from '../../test/support/golden.js';
import { hasTranscript, provider } from './index.js';

const HERE = new URL('./fixtures/', import.meta.url);
const REAL = new URL('../../fixtures/real-leads/', import.meta.url);
const CHAT = readFileSync(new URL('mazda-digital-carnow-chat-1.xml', REAL), 'utf8');
const pipeline = new Pipeline(loadConfig({ env: {} }), undefined, silentLogger);
const draft = (xml: string): LeadDraft => parseAdf(xml)[0]!;

async function leadsOf(url: URL): Promise<Lead[]> {
  const email = url.pathname.endsWith('.eml');
  const raw = { bytes: readFileSync(url), contentType: email ? 'message/rfc822' : 'application/xml', transport: email ? 'smtp' : 'http', receivedAt: '2026-01-15T17:00:00.000Z' };
  return (await pipeline.prepare(raw)).map(offlineLead);
}

describe('carnow detection', () => {
  it('claims CarNow by name, id source and sender domain', () => {
    for (const name of ['CarNow - Sales', 'http://app.carnow.com/da/x']) expect(provider.match.names!.test(name), name).toBe(true);
    expect(provider.match.names!.test('Carnowski Motors')).toBe(false);
    expect(provider.match.idSources!.test('CarNow')).toBe(true);
    expect(provider.match.senderDomains).toContain('carnow.com');
    expect(provider.defaultLeadType).toBe('chat');
  });
});

describe('carnow refine', () => {
  it('recognizes a transcript by its link or by timestamped turns', () => {
    expect(hasTranscript(draft(CHAT).customer.comments)).toBe(true);
    expect(hasTranscript('[05:16pm] Dealer: Welcome.[05:17pm] Customer: hi')).toBe(true);
    expect(hasTranscript('Please call me after [5:00pm] tomorrow')).toBe(false);
    expect(hasTranscript(undefined)).toBe(false);
  });

  it('a transcript makes the lead a chat, with evidence that names no customer data', () => {
    expect(provider.refine!(draft(CHAT), {}).attribution?.leadType).toEqual({
      value: 'chat',
      evidence: { signal: 'customer.comments', value: 'chat transcript', rule: 'adapter:carnow' },
    });
  });

  it('without a transcript it leaves the lead type to the default and the content', () => {
    const plain = CHAT.replace(/<comments>[\s\S]*?<\/comments>/, '<comments>Please call me.</comments>');
    expect(provider.refine!(draft(plain), {}).attribution).toBeUndefined();
  });
});

describe('carnow through the pipeline', () => {
  it('a direct CarNow chat lead: CarNow, first party, chat', async () => {
    const [lead] = await leadsOf(new URL('carnow-direct-chat-synthetic.eml', HERE));
    expect({ provider: lead!.source.provider, party: lead!.party, leadType: lead!.leadType, adapter: lead!.source.adapter }).toEqual({ provider: 'CarNow', party: 'first', leadType: 'chat', adapter: 'carnow' });
  });

  it('CarNow relayed by Mazda Digital is the program\'s, with CarNow as sub-source and still a chat', async () => {
    const [lead] = await leadsOf(new URL('mazda-digital-carnow-chat-1.xml', REAL));
    expect({ provider: lead!.source.provider, subSource: lead!.source.subSource, party: lead!.party, leadType: lead!.leadType }).toEqual({
      provider: 'Mazda Digital',
      subSource: 'CarNow',
      party: 'first',
      leadType: 'chat',
    });
  });

  const inputs = readdirSync(HERE).filter((f) => /\.(xml|eml)$/.test(f)).sort();
  it.each(inputs)('fixtures/%s matches its expected output', async (file) => {
    const result = await leadsOrRejection(() => leadsOf(new URL(file, HERE)));
    expectGolden(new URL(file.replace(/\.(xml|eml)$/, '.expected.json'), HERE), result, 'adapters/carnow/index.test.ts');
  });
});

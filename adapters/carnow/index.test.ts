// Tests for the CarNow adapter: detection, chat transcripts → chat, Mazda Digital relaying CarNow, and its fixture through the pipeline.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAdf } from '../../src/formats/adf.js';
import type { LeadDraft } from '../../src/lead.js';
import { describeDetection, describeFixtures, leadsOf, REAL_LEADS } from '../test-kit.js';
import { hasTranscript, provider } from './index.js';

const HERE = new URL('./fixtures/', import.meta.url);
const CHAT = readFileSync(new URL('mazda-digital-carnow-chat-1.xml', REAL_LEADS), 'utf8');
const draft = (xml: string): LeadDraft => parseAdf(xml)[0]!;

// By name, id source and sender domain; not a name that merely starts with "Carnow".
describeDetection(
  provider,
  { names: ['CarNow - Sales', 'http://app.carnow.com/da/x'], idSources: ['CarNow'], senders: ['adf-no-reply@carnow.com'] },
  { notMine: { names: ['Carnowski Motors'] } },
);

describe('carnow: default lead type', () => {
  it('is chat (a chat vendor)', () => {
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
    const [lead] = await leadsOf(new URL('mazda-digital-carnow-chat-1.xml', REAL_LEADS));
    expect({ provider: lead!.source.provider, subSource: lead!.source.subSource, party: lead!.party, leadType: lead!.leadType }).toEqual({
      provider: 'Mazda Digital',
      subSource: 'CarNow',
      party: 'first',
      leadType: 'chat',
    });
  });
});

describeFixtures(provider, HERE);

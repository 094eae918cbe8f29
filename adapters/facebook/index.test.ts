// Tests for the Facebook lead-ads adapter: detection, first party, the relaying marketing vendor as sub-source, and its fixture through the whole pipeline.
import { describe, expect, it } from 'vitest';
import type { LeadDraft } from '../../src/lead.js';
import { describeDetection, describeFixtures, draft } from '../test-kit.js';
import { provider } from './index.js';

/** The relay's notifications are plain text. */
const textDraft = (over: Partial<LeadDraft> = {}): LeadDraft => draft({ format: 'text', ...over });
const refine = (d: LeadDraft, signals = {}): LeadDraft => provider.refine!(d, signals);

// Every signal delivery.md §2.3 and adf.md §10 describe. "Facebook" is what the email reader names a tvmnotify.com
// lead; "facebook" comes from `##source##: facebook`. Team Velocity's website leads and other providers' are not its.
describeDetection(
  provider,
  {
    names: ['Facebook', 'facebook', 'Facebook Lead Ads'],
    idSources: ['Facebook', 'Apollo Ads'],
    senders: ['noreply@tvmnotify.com'],
    subjects: ['Facebook Lead'],
  },
  {
    notMine: {
      names: ['Apollo Websites - Contact Dealer', 'Team Velocity - Value Your Trade', 'OfferUp'],
      idSources: ['Apollo Websites'],
      senders: ['leads@velocityoffersites.com'],
    },
  },
);

describe('facebook: party', () => {
  it('is first party (the dealer\'s own social ads)', () => {
    expect(provider.party).toBe('first');
  });
});

describe('facebook: the relaying vendor → subSource', () => {
  const teamVelocity = (signal: string, value: string) => ({ value: 'Team Velocity', evidence: { signal, value, rule: 'adapter:facebook' } });

  it('reads the vendor from the sender domain or the Apollo Ads id source', () => {
    expect(refine(textDraft(), { sender: 'noreply@tvmnotify.com' }).attribution?.subSource).toEqual(teamVelocity('sender.domain', 'tvmnotify.com'));
    expect(refine(textDraft({ ids: [{ value: '12345', source: 'Apollo Ads' }] })).attribution?.subSource).toEqual(teamVelocity('id.source', 'Apollo Ads'));
  });

  it('names no vendor when nothing says which one relayed it (a dealer forwarding a bare "facebook" lead)', () => {
    expect(refine(textDraft({ provider: { ids: [], name: 'facebook' } }), { sender: 'manager@dealergroup.example' }).attribution).toBeUndefined();
  });
});

describeFixtures(provider, new URL('./fixtures/', import.meta.url), {
  'text-facebook-tvmnotify.eml': ([lead]) => {
    expect([lead!.source.provider, lead!.source.subSource, lead!.party]).toEqual(['Facebook', 'Team Velocity', 'first']);
    expect(lead!.classification.subSource).toEqual({ signal: 'sender.domain', value: 'tvmnotify.com', rule: 'adapter:facebook' });
  },
});

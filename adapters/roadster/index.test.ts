// Tests for the Roadster adapter: detection (never the body style), Mazda Digital relaying Roadster, and its fixture through the pipeline.
import { describe, expect, it } from 'vitest';
import { describeDetection, describeFixtures, leadsOf, REAL_LEADS } from '../test-kit.js';
import { provider } from './index.js';

const HERE = new URL('./fixtures/', import.meta.url);

// By its product name and dealer-portal host, never the body style.
describeDetection(
  provider,
  { names: ['Roadster Online - Unlock Inquiry', 'Roadster', 'https://dealers.roadster.com/exampledealer'], senders: ['leads@roadster.com'] },
  { notMine: { names: ['MX-5 Miata Roadster', 'Example Roadster Center', 'myroadster.com'] } },
);

describe('roadster: refine', () => {
  it('has none: its comment blocks map onto no Lead field', () => {
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
    const [lead] = await leadsOf(new URL('mazda-digital-roadster-1.xml', REAL_LEADS));
    expect({ provider: lead!.source.provider, subSource: lead!.source.subSource, party: lead!.party }).toEqual({ provider: 'Mazda Digital', subSource: 'Roadster', party: 'first' });
  });
});

describeFixtures(provider, HERE);

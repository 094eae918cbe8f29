// Tests for the CARFAX adapter: detection by sender and brand only, and its plain-text fixture through the whole pipeline.
import { describe, expect, it } from 'vitest';
import { describeDetection, describeFixtures } from '../test-kit.js';
import { provider } from './index.js';

// The sender delivery.md §2.3 lists (NoReplyLead@carfax.com) and the brand. A CARFAX report link in another
// provider's lead is not a CARFAX lead: names are anchored.
describeDetection(
  provider,
  { names: ['CARFAX', 'Carfax', 'https://www.carfax.com'], senders: ['NoReplyLead@carfax.com'.toLowerCase()] },
  { notMine: { names: ['Cars.com', 'Dealer.com - Free CARFAX report', 'carfaxdealer.example'] } },
);

describe('carfax: refine', () => {
  it('has none (nothing CARFAX-specific to decide)', () => {
    expect(provider.refine).toBeUndefined();
  });
});

describeFixtures(provider, new URL('./fixtures/', import.meta.url), {
  'text-carfax.eml': ([lead]) => {
    expect([lead!.source.provider, lead!.source.adapter, lead!.party]).toEqual(['CARFAX', 'carfax', 'third']);
    expect(lead!.classification.provider.rule).toBe('adapter:carfax');
  },
});

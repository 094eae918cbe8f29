// Tests for the Kelley Blue Book adapter: detection, Instant Cash Offer as sub-source and lead type "sell", and its synthetic ICO fixture through the whole pipeline.
import { describe, expect, it } from 'vitest';
import type { LeadDraft } from '../../src/lead.js';
import { describeDetection, describeFixtures, draft } from '../test-kit.js';
import { provider } from './index.js';

const refine = (d: LeadDraft): LeadDraft => provider.refine!(d, {});

// By name, url, id source and sender; never a dealer-website tool that only mentions KBB, nor another provider's lead.
describeDetection(
  provider,
  {
    names: ['Kelley Blue Book', 'KBB', 'KBB Instant Cash Offer', 'https://www.kbb.com'],
    idSources: ['Kelley Blue Book', 'KBB'],
    senders: ['leads@kbb.com'],
  },
  { notMine: { names: ['Dealer.com - KBB Trade-In', 'DRS TRADE-IN FORM LEAD', 'AutoTrader.com', 'Trade Accelerator'] } },
);

describe('kbb: Instant Cash Offer', () => {
  it('is sub-source "Instant Cash Offer" and lead type "sell", from the service or the name', () => {
    const evidence = { signal: 'provider.service', value: 'Instant Cash Offer', rule: 'adapter:kbb' };
    expect(refine(draft({ provider: { ids: [], name: 'Kelley Blue Book', service: 'Instant Cash Offer' } })).attribution).toEqual({
      subSource: { value: 'Instant Cash Offer', evidence },
      leadType: { value: 'sell', evidence },
    });
    expect(refine(draft({ provider: { ids: [], name: 'KBB ICO' } })).attribution?.leadType?.value).toBe('sell');
  });

  it('is sell even when the lead also lists a vehicle the customer wants', () => {
    const d = draft({ provider: { ids: [], name: 'Kelley Blue Book', service: 'Instant Cash Offer' }, vehicles: [{ ids: [], interest: 'buy' }, { ids: [], interest: 'trade-in' }] });
    expect(refine(d).attribution?.leadType?.value).toBe('sell');
  });

  it('decides no lead type for other KBB products, keeps their service as sub-source, and never overrides what is decided', () => {
    expect(refine(draft({ provider: { ids: [], name: 'Kelley Blue Book', service: 'Kelley Blue Book' } })).attribution).toBeUndefined();
    const other = refine(draft({ provider: { ids: [], name: 'Kelley Blue Book', service: 'Example Program' } })).attribution;
    expect(other?.subSource?.value).toBe('Example Program');
    expect(other?.leadType).toBeUndefined();
    const decided = draft({ provider: { ids: [], service: 'Instant Cash Offer' }, attribution: { leadType: { value: 'trade-appraisal', evidence: { signal: 'rule', rule: 'x' } } } });
    expect(refine(decided).attribution?.leadType?.value).toBe('trade-appraisal');
  });
});

// Synthetic: no real sample is shared.
describeFixtures(provider, new URL('./fixtures/', import.meta.url), {
  'kbb-ico-synthetic-1.xml': ([lead]) => {
    expect([lead!.source.provider, lead!.source.subSource, lead!.party, lead!.leadType]).toEqual(['Kelley Blue Book', 'Instant Cash Offer', 'third', 'sell']);
    expect(lead!.classification.leadType.rule).toBe('adapter:kbb');
  },
});

// Tests for the OfferUp adapter: detection, the id that holds only "OFFERUP", and its synthetic fixture through the whole pipeline.
import { describe, expect, it } from 'vitest';
import { describeDetection, describeFixtures, draft } from '../test-kit.js';
import { provider } from './index.js';

// Every signal delivery.md §2.3 lists.
describeDetection(
  provider,
  { names: ['OfferUp', 'https://offerup.com'], idSources: ['OFFERUP'], senders: ['offerup@notify.offerup.com'], subjects: ['OfferUp Lead'] },
  { notMine: { names: ['Facebook', 'Cars.com', 'CarGurus'] } },
);

describe('offerup: refine', () => {
  it('drops the id that holds only the provider name, with a warning, and keeps real ids', () => {
    const d = draft({ ids: [{ value: 'OFFERUP', source: 'OFFERUP', sequence: '1' }, { value: '9876543', source: 'OfferUp Lead ID' }] });
    const out = provider.refine!(d, {});
    expect(out.ids).toEqual([{ value: '9876543', source: 'OfferUp Lead ID' }]);
    expect(out.warnings.map((w) => w.code)).toEqual(['provider_id_placeholder_dropped']);
    expect(d.ids).toHaveLength(2);
  });

  it('returns a lead without such an id unchanged', () => {
    const d = draft({ ids: [{ value: '9876543', source: 'OFFERUP' }] });
    expect(provider.refine!(d, {})).toBe(d);
  });
});

// Synthetic: no real sample is shared.
describeFixtures(provider, new URL('./fixtures/', import.meta.url), {
  'offerup-synthetic-1.eml': ([lead]) => {
    expect([lead!.source.provider, lead!.party, lead!.leadType]).toEqual(['OfferUp', 'third', 'sales-used']);
    // The documented OfferUp quirks, each handled: the name-only id, the "N/A" last name, the missing interest, the bogus offset.
    expect(lead!.source.externalIds).toEqual([]);
    expect(lead!.customer.name).toEqual({ first: 'Firstname' });
    expect(lead!.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['provider_id_placeholder_dropped', 'placeholder_dropped', 'interest_defaulted', 'requestdate_bad_offset']));
  },
});

// Tests for the Dealix / Autobytel adapter: detection of both brands, the brand as sub-source, and its synthetic fixtures through the whole pipeline.
import { describe, expect, it } from 'vitest';
import type { Lead, LeadDraft } from '../../src/lead.js';
import { describeDetection, describeFixtures, draft } from '../test-kit.js';
import { provider } from './index.js';

const refine = (d: LeadDraft, signals = {}): LeadDraft => provider.refine!(d, signals);

// Both brands by name, id source and sender.
describeDetection(
  provider,
  {
    names: ['Dealix', 'Autobytel', 'http://www.dealix.com', 'https://www.autobytel.com'],
    idSources: ['Dealix', 'Autobytel'],
    senders: ['leads@dealix.com', 'leads@autobytel.com'],
  },
  { notMine: { names: ['Autoweb', 'AutoUSA', 'CarsDirect', 'Dealer.com'] } },
);

describe('dealix: brand → subSource', () => {
  const autobytel = (signal: string, value: string) => ({ value: 'Autobytel', evidence: { signal, value, rule: 'adapter:dealix' } });

  it('keeps Autobytel apart, from whichever signal names it', () => {
    expect(refine(draft({ provider: { ids: [], name: 'Autobytel' } })).attribution?.subSource).toEqual(autobytel('provider.name', 'Autobytel'));
    expect(refine(draft({ ids: [{ value: '1100000164', source: 'Autobytel' }] })).attribution?.subSource).toEqual(autobytel('id.source', 'Autobytel'));
    expect(refine(draft(), { sender: 'leads@autobytel.com' }).attribution?.subSource).toEqual(autobytel('sender.domain', 'autobytel.com'));
  });

  it('gives Dealix-named leads no sub-source', () => {
    expect(refine(draft({ provider: { ids: [], name: 'Dealix', url: 'http://www.dealix.com' } }), { sender: 'leads@dealix.com' }).attribution).toBeUndefined();
  });
});

// Synthetic, one for each brand: no real sample is shared.
const brandIs =
  (subSource: string | undefined) =>
  ([lead]: Lead[]): void =>
    expect([lead!.source.provider, lead!.source.subSource, lead!.party, lead!.leadType]).toEqual(['Dealix', subSource, 'third', 'sales-new']);
describeFixtures(provider, new URL('./fixtures/', import.meta.url), {
  'dealix-synthetic-1.xml': brandIs(undefined),
  'autobytel-synthetic-2.xml': brandIs('Autobytel'),
});

// Tests for the Edmunds adapter: detection, a product named in provider/service as sub-source, and its synthetic fixture through the whole pipeline.
import { describe, expect, it } from 'vitest';
import { describeDetection, describeFixtures, draft } from '../test-kit.js';
import { provider } from './index.js';

// By name, url, id source and sender.
describeDetection(
  provider,
  { names: ['Edmunds', 'Edmunds.com', 'https://www.edmunds.com'], idSources: ['Edmunds'], senders: ['leads@edmunds.com'] },
  { notMine: { names: ['Dealer Inspire - Website', 'Kelley Blue Book', 'Ford Direct'] } },
);

describe('edmunds: refine', () => {
  it('takes a non-brand provider/service as the sub-source; the brand gives none', () => {
    expect(provider.refine!(draft({ provider: { ids: [], name: 'Edmunds', service: 'Edmunds.com' } }), {}).attribution).toBeUndefined();
    expect(provider.refine!(draft({ provider: { ids: [], name: 'Edmunds', service: 'Example Program' } }), {}).attribution?.subSource).toEqual({
      value: 'Example Program',
      evidence: { signal: 'provider.service', value: 'Example Program', rule: 'adapter:edmunds' },
    });
  });
});

// Synthetic: no real sample is shared.
describeFixtures(provider, new URL('./fixtures/', import.meta.url), {
  'edmunds-synthetic-1.xml': ([lead]) => {
    expect([lead!.source.provider, lead!.source.subSource, lead!.party, lead!.leadType]).toEqual(['Edmunds', undefined, 'third', 'sales-used']);
    expect(lead!.source.externalIds).toEqual([{ source: 'Edmunds', id: '1100000165' }]);
  },
});

// Tests for the GM adapter: detection, the BAC dealer code moved to the vendor ids (and found by resolve-dealer), a relayed website vendor, and its fixture through the pipeline.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { parseAdf } from '../../src/formats/adf.js';
import { describeDetection, describeFixtures, leadsOf } from '../test-kit.js';
import { provider } from './index.js';

const HERE = new URL('./fixtures/', import.meta.url);
const XML = readFileSync(new URL('gm-bac-dealer-inspire-synthetic.xml', HERE), 'utf8');

// Exactly GM / General Motors and a BAC id. Captive finance is the catalog's; a dealership is not the program.
describeDetection(
  provider,
  { names: ['GM', 'General Motors', 'GM Canada'], idSources: ['BAC', 'GM BAC'] },
  { notMine: { names: ['GM Financial', 'Example Chevrolet', 'GMC Sierra'] } },
);

describe('gm refine', () => {
  it('moves the BAC from the prospect ids to the vendor ids, where resolve-dealer reads dealer codes', () => {
    const out = provider.refine!(parseAdf(XML)[0]!, {});
    expect(out.vendor?.ids).toEqual([{ value: '112233', source: 'GM BAC' }]);
    expect(out.ids.map((i) => i.source)).toEqual(['General Motors', 'Dealer Inspire']);
  });

  it('a relayed Dealer Inspire lead is the dealer\'s own: first party, Dealer Inspire as sub-source', () => {
    const a = provider.refine!(parseAdf(XML)[0]!, {}).attribution;
    expect(a?.subSource).toEqual({ value: 'Dealer Inspire', evidence: { signal: 'id.source', value: 'Dealer Inspire', rule: 'adapter:gm' } });
    expect(a?.party?.value).toBe('first');
  });

  it("GM's own lead (no vendor named) stays with the adapter's default party", () => {
    const own = XML.replace(/\s*<id sequence="2" source="Dealer Inspire">[^<]*<\/id>/, '');
    expect(provider.refine!(parseAdf(own)[0]!, {}).attribution).toBeUndefined();
  });
});

describe('gm through the pipeline', () => {
  it('a dealer configured with its BAC is found by it', async () => {
    const config = loadConfig({ env: {}, overrides: { dealers: [{ id: 'example-chevy', name: 'Example Chevrolet of Anytown', vendorIds: ['112233'] }] } });
    const [lead] = await leadsOf(XML, { config });
    expect(lead!.dealer).toEqual({ id: 'example-chevy', name: 'Example Chevrolet of Anytown' });
    expect({ provider: lead!.source.provider, subSource: lead!.source.subSource, party: lead!.party }).toEqual({ provider: 'GM', subSource: 'Dealer Inspire', party: 'first' });
    // The dealer code is no lead id: it would make every lead of the dealer look like one.
    expect(lead!.source.externalIds.map((x) => x.source)).not.toContain('BAC');
  });
});

describeFixtures(provider, HERE);

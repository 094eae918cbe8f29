// Tests for the Toyota adapter: detection, SmartPath as the program's own channel, 3PL leads as third party, the dealer code, and its fixture through the pipeline.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAdf } from '../../src/formats/adf.js';
import type { LeadDraft } from '../../src/lead.js';
import { describeDetection, describeFixtures, leadsOf } from '../test-kit.js';
import { provider } from './index.js';

const HERE = new URL('./fixtures/', import.meta.url);
const XML = readFileSync(new URL('toyota-smartpath-synthetic.xml', HERE), 'utf8');
const refine = (xml: string): LeadDraft => provider.refine!(parseAdf(xml)[0]!, {});

// Names that start with Toyota, and SmartPath. Captive finance (the catalog's) and a dealership are not the program.
describeDetection(
  provider,
  { names: ['Toyota', 'Toyota SmartPath', 'Toyota 3PL', 'SmartPath'] },
  { notMine: { names: ['Toyota Financial Services', 'Example Toyota', 'Toyotathon Deals'] } },
);

describe('toyota refine', () => {
  it('SmartPath: Toyota\'s own dealer-branded site, second party', () => {
    const a = refine(XML).attribution;
    expect(a?.subSource).toEqual({ value: 'SmartPath', evidence: { signal: 'provider.name', value: 'Toyota SmartPath', rule: 'adapter:toyota' } });
    expect(a?.party?.value).toBe('second');
  });

  it('3PL: a third-party lead Toyota passes on is third party, its partner id the sub-source', () => {
    const threePl = XML.replace('<name part="full">Toyota SmartPath</name>', '<name part="full">Toyota 3PL</name>').replace(
      '<id sequence="1" source="Toyota SmartPath">SP-000000301</id>',
      '<id sequence="1" source="Toyota">T3-000000301</id><id sequence="2" source="Autoweb">AW-77001</id>',
    );
    const a = refine(threePl).attribution;
    expect(a?.party).toEqual({ value: 'third', evidence: { signal: 'provider.name', value: 'Toyota 3PL', rule: 'adapter:toyota' } });
    expect(a?.subSource?.value).toBe('Autoweb');
  });

  it('a dealer code sent as a prospect id moves to the vendor ids', () => {
    const out = refine(XML.replace('<requestdate>', '<id source="Toyota Dealer Code">04999</id><requestdate>'));
    expect(out.vendor?.ids).toEqual([{ value: '04136', source: 'Dealer Code' }, { value: '04999', source: 'Toyota dealer code' }]);
    expect(out.ids.map((i) => i.source)).toEqual(['Toyota SmartPath']);
  });
});

describe('toyota through the pipeline', () => {
  it('the SmartPath lead: Toyota / SmartPath, second party', async () => {
    const [lead] = await leadsOf(XML);
    expect({ provider: lead!.source.provider, subSource: lead!.source.subSource, party: lead!.party }).toEqual({ provider: 'Toyota', subSource: 'SmartPath', party: 'second' });
  });
});

describeFixtures(provider, HERE);

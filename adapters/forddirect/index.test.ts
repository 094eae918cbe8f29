// Tests for the FordDirect adapter: detection, the PA code as the dealer's key, FordDirect's own (origin-less) leads as second party, and its fixture through the pipeline.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { parseAdf } from '../../src/formats/adf.js';
import { describeDetection, describeFixtures, leadsOf } from '../test-kit.js';
import { provider } from './index.js';

const HERE = new URL('./fixtures/', import.meta.url);
const XML = readFileSync(new URL('forddirect-pa-code-synthetic.xml', HERE), 'utf8');

// By name, PA-code id source and sender domain; never Ford's captive finance nor a dealership.
describeDetection(
  provider,
  { names: ['FordDirect', 'Ford Direct'], idSources: ['PA Code', 'P&A Code', 'FordDirect'], senders: ['leads@forddirect.com'] },
  { notMine: { names: ['Ford Credit', 'Example Ford'] } },
);

describe('forddirect refine', () => {
  it("FordDirect never says which site a lead came from: no vendor named, nothing claimed beyond the default", () => {
    expect(provider.refine!(parseAdf(XML)[0]!, {}).attribution).toBeUndefined();
  });

  it('a PA code sent as a prospect id moves to the vendor ids', () => {
    const moved = XML.replace('<id sequence="1" source="FordDirect">', '<id source="PA Code">04321</id><id sequence="1" source="FordDirect">').replace('<id source="PA Code">04321</id>\n\t\t\t<vendorname>', '<vendorname>');
    const out = provider.refine!(parseAdf(moved)[0]!, {});
    expect(out.vendor?.ids).toEqual([{ value: '04321', source: 'Ford PA code' }]);
    expect(out.ids.map((i) => i.source)).toEqual(['FordDirect']);
  });

  it('a lead marked third party is third party', () => {
    const bought = XML.replace('<name part="full">FordDirect</name>', '<name part="full">FordDirect - 3rd Party Lead</name>');
    expect(provider.refine!(parseAdf(bought)[0]!, {}).attribution?.party?.value).toBe('third');
  });
});

describe('forddirect through the pipeline', () => {
  it('a dealer configured with its PA code is found by it; the lead is FordDirect\'s, second party', async () => {
    const config = loadConfig({ env: {}, overrides: { dealers: [{ id: 'example-ford', name: 'Example Ford Lincoln', vendorIds: ['04321'] }] } });
    const [lead] = await leadsOf(XML, { config });
    expect(lead!.dealer.id).toBe('example-ford');
    expect({ provider: lead!.source.provider, party: lead!.party, adapter: lead!.source.adapter }).toEqual({ provider: 'FordDirect', party: 'second', adapter: 'forddirect' });
  });

  it('an email from forddirect.com that names no provider is FordDirect\'s', async () => {
    const body = XML.replace(/\s*<provider>[\s\S]*?<\/provider>/, '').replace(/\s*<id sequence="1" source="FordDirect">[^<]*<\/id>/, '');
    const eml = `From: FordDirect <leads@forddirect.com>\r\nTo: sales@exampleford.example\r\nSubject: Lead\r\nMessage-ID: <fd.1@forddirect.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}`;
    const [lead] = await leadsOf(eml, { email: true });
    expect(lead!.source.provider).toBe('FordDirect');
    expect(lead!.classification.provider.signal).toBe('sender.domain');
  });
});

describeFixtures(provider, HERE);

// Tests for the Kia Digital adapter: detection, refine on the real Kia leads and the third-party relay, and its fixtures through the pipeline against their expected output.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAdf } from '../../src/formats/adf.js';
import type { LeadDraft } from '../../src/lead.js';
import { describeDetection, describeFixtures, EMAILS, leadsOf, REAL_LEADS } from '../test-kit.js';
import { provider } from './index.js';

const HERE = new URL('./fixtures/', import.meta.url);
const draftOf = (url: URL): LeadDraft => parseAdf(readFileSync(url, 'utf8'))[0]!;
const refine = (d: LeadDraft): LeadDraft => provider.refine!(d, {});

// The program by its own names only. A dealership, Kia's consumer site alone (the catalog's), and a relayed vendor are not the program.
describeDetection(
  provider,
  { names: ['Kia Digital', 'Kia Digital - 3rd Party Lead'], idSources: ['Kia Digital'], subjects: ['Kia ADF XML Lead'] },
  { notMine: { names: ['Mission Viejo Kia', 'Kia.com', 'Team Velocity - Contact Dealer'], idSources: ['Kia'] } },
);

describe('kia-digital refine', () => {
  it('Kia.com test drive: the program\'s own site, second party, LeadType id → test-drive', () => {
    const a = refine(draftOf(new URL('kia-digital-kiacom-testdrive-1.xml', REAL_LEADS))).attribution;
    expect(a?.subSource).toEqual({ value: 'Kia.com', evidence: { signal: 'provider.name', value: 'Kia.com', rule: 'adapter:kia-digital' } });
    expect(a?.party?.value).toBe('second');
    expect(a?.leadType).toEqual({ value: 'test-drive', evidence: { signal: 'id.source', value: 'LeadType=TestDrive', rule: 'adapter:kia-digital' } });
  });

  it('Team Velocity form relayed by Kia Digital: the dealer\'s own website, first party', () => {
    const a = refine(draftOf(new URL('kia-digital-teamvelocity-fullline-1.xml', REAL_LEADS))).attribution;
    expect(a?.subSource?.value).toBe('Team Velocity');
    expect(a?.party).toEqual({ value: 'first', evidence: { signal: 'provider.name', value: 'Team Velocity - Contact Dealer', rule: 'adapter:kia-digital' } });
    // "Contact Dealer" names no lead type: the vehicle decides later.
    expect(a?.leadType).toBeUndefined();
  });

  it('"Kia Digital - 3rd Party Lead": third party, the CarsDirect id names the partner', () => {
    const a = refine(draftOf(new URL('kia-digital-3rd-party-carsdirect-synthetic.xml', HERE))).attribution;
    expect(a?.party).toEqual({ value: 'third', evidence: { signal: 'provider.name', value: 'Kia Digital - 3rd Party Lead', rule: 'adapter:kia-digital' } });
    expect(a?.subSource).toEqual({ value: 'CarsDirect', evidence: { signal: 'id.source', value: 'CarsDirect', rule: 'adapter:kia-digital' } });
  });

  it('the LeadType id wins over a relayed form name', () => {
    const xml = readFileSync(new URL('kia-digital-teamvelocity-fullline-1.xml', REAL_LEADS), 'utf8').replace('<id sequence="3" source="sessionId">', '<id sequence="5" source="LeadType">TestDrive</id><id sequence="3" source="sessionId">');
    expect(refine(parseAdf(xml)[0]!).attribution?.leadType?.value).toBe('test-drive');
  });

  it('an unknown LeadType value decides nothing', () => {
    const xml = readFileSync(new URL('kia-digital-kiacom-testdrive-1.xml', REAL_LEADS), 'utf8').replace('>TestDrive<', '>Quote<');
    expect(refine(parseAdf(xml)[0]!).attribution?.leadType).toBeUndefined();
  });

  it('is pure: the draft it was given is unchanged', () => {
    const draft = draftOf(new URL('kia-digital-3rd-party-carsdirect-synthetic.xml', HERE));
    const before = structuredClone(draft);
    refine(draft);
    expect(draft).toEqual(before);
  });
});

describe('kia-digital through the pipeline', () => {
  const cases: Array<[URL, { provider: string; subSource: string; party: string; leadType: string }]> = [
    [new URL('kia-digital-kiacom-testdrive-1.xml', REAL_LEADS), { provider: 'Kia Digital', subSource: 'Kia.com', party: 'second', leadType: 'test-drive' }],
    [new URL('kia-digital-teamvelocity-fullline-1.xml', REAL_LEADS), { provider: 'Kia Digital', subSource: 'Team Velocity', party: 'first', leadType: 'sales-new' }],
    [new URL('charset-iso-8859-1-kia.eml', EMAILS), { provider: 'Kia Digital', subSource: 'Team Velocity', party: 'first', leadType: 'sales-new' }],
    [new URL('kia-digital-3rd-party-carsdirect-synthetic.xml', HERE), { provider: 'Kia Digital', subSource: 'CarsDirect', party: 'third', leadType: 'sales-new' }],
  ];
  it.each(cases)('%s', async (url, want) => {
    const [lead] = await leadsOf(url);
    expect({ provider: lead!.source.provider, subSource: lead!.source.subSource, party: lead!.party, leadType: lead!.leadType }).toEqual(want);
    expect(lead!.source.adapter).toBe('kia-digital');
    expect(lead!.dealer.id).toBe('mission-viejo-kia');
  });
});

describeFixtures(provider, HERE);

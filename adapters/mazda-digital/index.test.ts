// Tests for the Mazda Digital adapter: detection, refine on the five real Mazda Digital leads (Team Velocity, Roadster, CarNow, MFS lease-end), and its fixtures through the pipeline.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAdf } from '../../src/formats/adf.js';
import type { LeadDraft } from '../../src/lead.js';
import { describeDetection, describeFixtures, EMAILS, leadsOf, REAL_LEADS } from '../test-kit.js';
import { provider } from './index.js';

const HERE = new URL('./fixtures/', import.meta.url);
const realText = (name: string): string => readFileSync(new URL(name, REAL_LEADS), 'utf8');
const refine = (xml: string): LeadDraft => provider.refine!(parseAdf(xml)[0]!, {});

// The program by its own names only: not the dealership, the relayed vendors, nor Mazda's captive-finance app.
describeDetection(
  provider,
  { names: ['Mazda Digital'], idSources: ['Mazda Digital'], subjects: ['Mazda ADF XML Lead'] },
  { notMine: { names: ['TUSTIN MAZDA', 'Team Velocity - Check Availability', 'MFS Lease End App', 'Roadster Online - Unlock Inquiry'] } },
);

describe('mazda-digital refine', () => {
  it('relayed website and chat vendors become the sub-source, first party', () => {
    const want: Record<string, string> = {
      'mazda-digital-teamvelocity-cpo-1.xml': 'Team Velocity',
      'mazda-digital-teamvelocity-trade-junk-2.xml': 'Team Velocity',
      'mazda-digital-roadster-1.xml': 'Roadster',
      'mazda-digital-carnow-chat-1.xml': 'CarNow',
    };
    for (const [file, vendor] of Object.entries(want)) {
      const a = refine(realText(file)).attribution;
      expect(a?.subSource?.value, file).toBe(vendor);
      expect(a?.party?.value, file).toBe('first');
      expect(a?.party?.evidence.rule, file).toBe('adapter:mazda-digital');
    }
  });

  it("the relayed vendor's own quirks still apply: Value Your Trade → trade-appraisal, a CarNow transcript → chat", () => {
    expect(refine(realText('mazda-digital-teamvelocity-trade-junk-2.xml')).attribution?.leadType).toEqual({
      value: 'trade-appraisal',
      evidence: { signal: 'provider.name', value: 'Value Your Trade', rule: 'adapter:teamvelocity' },
    });
    expect(refine(realText('mazda-digital-carnow-chat-1.xml')).attribution?.leadType?.value).toBe('chat');
    // "Check Availability" and "Unlock Inquiry" say nothing beyond the vehicle.
    expect(refine(realText('mazda-digital-teamvelocity-cpo-1.xml')).attribution?.leadType).toBeUndefined();
    expect(refine(realText('mazda-digital-roadster-1.xml')).attribution?.leadType).toBeUndefined();
  });

  it('MFS lease-end: captive finance, second party; a confirmed buy-out is a used sale', () => {
    const a = refine(realText('mazda-digital-mfs-leaseend-1.xml')).attribution;
    expect(a?.subSource?.value).toBe('MFS Lease End');
    expect(a?.party).toEqual({ value: 'second', evidence: { signal: 'provider.name', value: 'MFS Lease End App', rule: 'adapter:mazda-digital' } });
    expect(a?.leadType).toEqual({ value: 'sales-used', evidence: { signal: 'vehicle.comments', value: 'Customer Intent=PURCHASE_CONFIRMED', rule: 'adapter:mazda-digital' } });
  });

  it('another lease-end intent leaves the lead type to the vehicle', () => {
    const a = refine(realText('mazda-digital-mfs-leaseend-1.xml').replace('PURCHASE_CONFIRMED', 'RETURN_VEHICLE')).attribution;
    expect(a?.subSource?.value).toBe('MFS Lease End');
    expect(a?.leadType).toBeUndefined();
  });

  it('"Customer Intent" outside a lease-end lead is not read', () => {
    const xml = realText('mazda-digital-teamvelocity-cpo-1.xml').replace('<price type="call"', '<comments>Customer Intent: PURCHASE_CONFIRMED</comments><price type="call"');
    expect(refine(xml).attribution?.leadType).toBeUndefined();
  });

  it('keeps the dealer code where resolve-dealer reads it and the ids as sent', () => {
    const draft = parseAdf(realText('mazda-digital-mfs-leaseend-1.xml'))[0]!;
    const out = provider.refine!(draft, {});
    expect(out.vendor).toEqual(draft.vendor);
    expect(out.ids).toEqual(draft.ids);
  });
});

describe('mazda-digital through the pipeline', () => {
  const cases: Array<[URL, { subSource: string; party: string; leadType: string }]> = [
    [new URL('mazda-digital-teamvelocity-cpo-1.xml', REAL_LEADS), { subSource: 'Team Velocity', party: 'first', leadType: 'sales-used' }],
    [new URL('xml-part-mazda-cpo.eml', EMAILS), { subSource: 'Team Velocity', party: 'first', leadType: 'sales-used' }],
    [new URL('mazda-digital-teamvelocity-trade-junk-2.xml', REAL_LEADS), { subSource: 'Team Velocity', party: 'first', leadType: 'trade-appraisal' }],
    [new URL('mazda-digital-roadster-1.xml', REAL_LEADS), { subSource: 'Roadster', party: 'first', leadType: 'sales-new' }],
    [new URL('base64-mazda-roadster.eml', EMAILS), { subSource: 'Roadster', party: 'first', leadType: 'sales-new' }],
    [new URL('mazda-digital-carnow-chat-1.xml', REAL_LEADS), { subSource: 'CarNow', party: 'first', leadType: 'chat' }],
    [new URL('forward-quoted-carnow-chat.eml', EMAILS), { subSource: 'CarNow', party: 'first', leadType: 'chat' }],
    [new URL('mazda-digital-mfs-leaseend-1.xml', REAL_LEADS), { subSource: 'MFS Lease End', party: 'second', leadType: 'sales-used' }],
    [new URL('elead-mfs-leaseend.eml', HERE), { subSource: 'MFS Lease End', party: 'second', leadType: 'sales-used' }],
  ];
  it.each(cases)('%s', async (url, want) => {
    const [lead] = await leadsOf(url);
    expect({ subSource: lead!.source.subSource, party: lead!.party, leadType: lead!.leadType }).toEqual(want);
    expect(lead!.source.provider).toBe('Mazda Digital');
    expect(lead!.source.adapter).toBe('mazda-digital');
  });
});

describeFixtures(provider, HERE);

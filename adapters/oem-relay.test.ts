// Tests for the steps OEM-program adapters share: which relayed source a lead names, the order in which the lead's statements decide, and dealer codes moved to the vendor ids.
import { describe, expect, it } from 'vitest';
import type { DraftId, LeadDraft } from '../src/lead.js';
import { keepDealerCode, partnerId, refineRelay, relayedVendor, type OemProgram } from './oem-relay.js';
import { evidence } from './refine-kit.js';

const PROGRAM: OemProgram = {
  name: 'example-oem',
  own: /\bexample digital\b/i,
  channels: [{ pattern: /^example\.com$/i, subSource: 'Example.com' }],
  dealerCode: { sources: /^dealer code$/i, label: 'Example dealer code' },
};

function draft(opts: { ids?: DraftId[]; name?: string; service?: string; vendorIds?: DraftId[] } = {}): LeadDraft {
  return {
    format: 'adf',
    index: 0,
    ids: opts.ids ?? [],
    customer: { names: [], emails: [], phones: [], ids: [] },
    vehicles: [],
    ...(opts.vendorIds ? { vendor: { ids: opts.vendorIds, name: 'Example Motors' } } : {}),
    provider: { ids: [], ...(opts.name ? { name: opts.name } : {}), service: opts.service ?? 'Example Digital' },
    extras: {},
    warnings: [],
  };
}

describe('relayed sources', () => {
  it('finds the website vendor by provider/name, the name:full id, or a secondary id source', () => {
    expect(relayedVendor(draft({ name: 'Team Velocity - Contact Dealer' }), PROGRAM)?.vendor.name).toBe('teamvelocity');
    const byNameFull = relayedVendor(draft({ name: 'Example Digital', ids: [{ value: 'Roadster Online - Unlock Inquiry', source: 'name:full' }] }), PROGRAM);
    expect(byNameFull).toMatchObject({ signal: 'id.source', value: 'name:full=Roadster Online - Unlock Inquiry' });
    expect(byNameFull?.vendor.name).toBe('roadster');
    expect(relayedVendor(draft({ ids: [{ value: 'C1', source: 'CarNow', sequence: '2' }] }), PROGRAM)).toMatchObject({ signal: 'id.source', value: 'CarNow' });
    expect(relayedVendor(draft({ name: 'Example Digital' }), PROGRAM)).toBeUndefined();
  });

  it('a partner is the first id source that is neither the program nor metadata', () => {
    const ids: DraftId[] = [
      { value: '1', source: 'Example Digital' },
      { value: 'True', source: 'IsCILead' },
      { value: 's', source: 'sessionId' },
      { value: 'x', source: 'SD - sdSessionId' },
      { value: 'TestDrive', source: 'LeadType' },
      { value: '42066', source: 'vendor id' },
      { value: '310000001', source: 'CarsDirect', sequence: '2' },
    ];
    expect(partnerId(draft({ ids }), PROGRAM)).toBe('CarsDirect');
    expect(partnerId(draft({ ids: ids.slice(0, 6) }), PROGRAM)).toBeUndefined();
  });
});

describe('refineRelay', () => {
  it('a third-party marker wins over a channel or vendor named in the same lead', () => {
    const d = draft({ name: 'Example Digital - 3rd Party Lead', ids: [{ value: 'T', source: 'Team Velocity' }] });
    const a = refineRelay(d, {}, PROGRAM).attribution;
    expect(a?.party?.value).toBe('third');
    // Team Velocity is a website vendor, not a marketplace: the partner is the first non-metadata id.
    expect(a?.subSource?.value).toBe('Team Velocity');
  });

  it('the third-party marker may sit in provider/service too', () => {
    expect(refineRelay(draft({ name: 'Example Digital', service: 'Third Party Lead' }), {}, PROGRAM).attribution?.party).toEqual({
      value: 'third',
      evidence: { signal: 'provider.service', value: 'Third Party Lead', rule: 'adapter:example-oem' },
    });
  });

  it("the program's own channel is second party, named as sub-source", () => {
    const a = refineRelay(draft({ name: 'Example.com' }), {}, PROGRAM).attribution;
    expect(a).toEqual({
      subSource: { value: 'Example.com', evidence: { signal: 'provider.name', value: 'Example.com', rule: 'adapter:example-oem' } },
      party: { value: 'second', evidence: { signal: 'provider.name', value: 'Example.com', rule: 'adapter:example-oem' } },
    });
  });

  it("a relayed vendor's refine runs first; the program then names the vendor as sub-source over the vendor's own", () => {
    const a = refineRelay(draft({ name: 'Dealer.com - DRS', service: 'DRS TRADE-IN FORM LEAD' }), {}, PROGRAM).attribution;
    expect(a?.subSource?.value).toBe('Dealer.com');
    expect(a?.party?.value).toBe('first');
    expect(a?.leadType?.evidence.rule).toBe('adapter:dealercom');
  });

  it('nothing named: the lead is left as it was', () => {
    const d = draft({ name: 'Example Digital' });
    expect(refineRelay(d, {}, PROGRAM)).toBe(d);
  });
});

describe('keepDealerCode', () => {
  it('moves prospect-level dealer codes to the vendor ids once', () => {
    const out = keepDealerCode(
      draft({ ids: [{ value: 'L1', source: 'Example Digital' }, { value: ' 04136 ', source: 'Dealer Code' }, { value: '04136', source: 'dealer code' }], vendorIds: [] }),
      PROGRAM,
    );
    expect(out.ids).toEqual([{ value: 'L1', source: 'Example Digital' }]);
    expect(out.vendor).toEqual({ ids: [{ value: '04136', source: 'Example dealer code' }], name: 'Example Motors' });
  });

  it('creates the vendor block when the lead has none, and does not repeat a code the vendor already has', () => {
    expect(keepDealerCode(draft({ ids: [{ value: '7', source: 'Dealer Code' }] }), PROGRAM).vendor).toEqual({ ids: [{ value: '7', source: 'Example dealer code' }] });
    const had = keepDealerCode(draft({ ids: [{ value: '7', source: 'Dealer Code' }], vendorIds: [{ value: '7', source: 'Example' }] }), PROGRAM);
    expect(had.vendor?.ids).toEqual([{ value: '7', source: 'Example' }]);
    expect(had.ids).toEqual([]);
  });

  it('leaves drafts without codes (or programs without a code source) untouched', () => {
    const d = draft({ ids: [{ value: 'L1', source: 'Example Digital' }] });
    expect(keepDealerCode(d, PROGRAM)).toBe(d);
    expect(keepDealerCode(draft({ ids: [{ value: '7', source: 'Dealer Code' }] }), { name: 'x', own: /x/ }).ids).toHaveLength(1);
  });
});

it('evidence values are capped, so a long provider string stays readable', () => {
  const long = 'x'.repeat(300);
  expect(evidence('example-oem', 'provider.name', long).value).toHaveLength(120);
  expect(evidence('example-oem', 'subject')).toEqual({ signal: 'subject', rule: 'adapter:example-oem' });
});

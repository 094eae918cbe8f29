// Tests for the shared refine steps: attribution that keeps or replaces earlier facts, sub-sources from a service or a sub-brand, vehicle id labels, and sender domains.
import { describe, expect, it } from 'vitest';
import type { DraftAttribution } from '../src/lead.js';
import { evidence, labelVehicleIds, senderDomainUnder, serviceSubSource, setAttribution, subBrandOf, withAttribution, type SubBrand } from './refine-kit.js';
import { draft } from './test-kit.js';

const fact = (value: string): NonNullable<DraftAttribution['subSource']> => ({ value, evidence: { signal: 'rule', rule: 'x' } });

describe('setAttribution and withAttribution', () => {
  it('setAttribution fills a field nobody decided, keeps one an earlier step decided, and returns the draft itself when there is nothing to add', () => {
    const d = draft();
    expect(setAttribution(d, 'subSource', fact('A')).attribution).toEqual({ subSource: fact('A') });
    const decided = draft({ attribution: { subSource: fact('Rule') } });
    expect(setAttribution(decided, 'subSource', fact('A'))).toBe(decided);
    expect(setAttribution(d, 'subSource', undefined)).toBe(d);
    expect(d.attribution).toBeUndefined();
  });

  it('withAttribution replaces earlier facts of the same kind and keeps the others', () => {
    const d = draft({ attribution: { subSource: fact('Rule'), party: { value: 'third', evidence: { signal: 'rule', rule: 'x' } } } });
    expect(withAttribution(d, { subSource: fact('A') }).attribution).toEqual({ subSource: fact('A'), party: d.attribution!.party });
    expect(withAttribution(d, {})).toBe(d);
  });

  it('withAttribution builds what `{ ...draft, attribution: { ...draft.attribution, ...facts } }` builds, key order included', () => {
    const party = { value: 'first' as const, evidence: { signal: 'rule', rule: 'x' } };
    const cases: Array<[DraftAttribution | undefined, DraftAttribution]> = [
      [undefined, { party, subSource: fact('A') }],
      [{ subSource: fact('Rule'), party }, { leadType: { value: 'chat', evidence: party.evidence }, subSource: fact('B') }],
      [{ provider: fact('P') }, { party }],
    ];
    for (const [before, facts] of cases) {
      const d = draft(before ? { attribution: before } : {});
      const got = withAttribution(d, facts);
      const want = { ...d, attribution: { ...d.attribution, ...facts } };
      expect(JSON.stringify(got)).toBe(JSON.stringify(want));
      expect(Object.keys(got)).toEqual(Object.keys(want));
      expect(d.attribution).toEqual(before);
    }
  });

  it('evidence clips long values and names the adapter rule', () => {
    expect(evidence('acme', 'provider.name', 'x'.repeat(200)).value).toHaveLength(120);
    expect(evidence('acme', 'subject')).toEqual({ signal: 'subject', rule: 'adapter:acme' });
  });
});

describe('sub-sources', () => {
  it('serviceSubSource: a non-brand service as sent (spaces folded); the brand or a blank gives none', () => {
    const brand = /^acme$/i;
    expect(serviceSubSource(draft({ provider: { ids: [], service: ' Digital  Deal ' } }), brand, 'acme')).toEqual({
      value: 'Digital Deal',
      evidence: { signal: 'provider.service', value: 'Digital Deal', rule: 'adapter:acme' },
    });
    expect(serviceSubSource(draft({ provider: { ids: [], service: 'ACME' } }), brand, 'acme')).toBeUndefined();
    expect(serviceSubSource(draft({ provider: { ids: [], service: '  ' } }), brand, 'acme')).toBeUndefined();
  });

  it('subBrandOf: provider fields in the given order, then an id source, then the sender domain', () => {
    const sub: SubBrand = { value: 'Sub', pattern: /\bsub\b/i, fields: ['service', 'name'], domain: 'sub.example' };
    const both = draft({ provider: { ids: [], name: 'Sub Name', service: 'Sub Service' }, ids: [{ value: '1', source: 'Sub' }] });
    expect(subBrandOf(both, {}, sub, 'acme')?.evidence).toEqual({ signal: 'provider.service', value: 'Sub Service', rule: 'adapter:acme' });
    expect(subBrandOf(draft({ ids: [{ value: '1', source: 'Sub' }] }), {}, sub, 'acme')?.evidence.signal).toBe('id.source');
    expect(subBrandOf(draft(), { sender: 'leads@mail.sub.example' }, sub, 'acme')?.evidence).toEqual({ signal: 'sender.domain', value: 'mail.sub.example', rule: 'adapter:acme' });
    expect(subBrandOf(draft(), { sender: 'leads@other.example' }, sub, 'acme')).toBeUndefined();
  });
});

describe('labelVehicleIds', () => {
  it('labels only source-less vehicle ids, and returns the draft itself when there are none', () => {
    const d = draft({ vehicles: [{ ids: [{ value: '1' }, { value: '2', source: 'VIN' }] }] });
    expect(labelVehicleIds(d, 'Acme').vehicles[0]!.ids).toEqual([{ value: '1', source: 'Acme' }, { value: '2', source: 'VIN' }]);
    expect(d.vehicles[0]!.ids[0]).toEqual({ value: '1' });
    const labelled = draft({ vehicles: [{ ids: [{ value: '2', source: 'VIN' }] }] });
    expect(labelVehicleIds(labelled, 'Acme')).toBe(labelled);
  });
});

describe('senderDomainUnder', () => {
  it('takes the domain itself or a subdomain, never a look-alike', () => {
    expect(senderDomainUnder({ sender: 'pnc@leads.truecarmail.com' }, 'truecarmail.com')).toBe('leads.truecarmail.com');
    expect(senderDomainUnder({ sender: ' Leads@TrueCarMail.com ' }, 'truecarmail.com')).toBe('truecarmail.com');
    expect(senderDomainUnder({ sender: 'x@truecarmail.com.evil.example' }, 'truecarmail.com')).toBeUndefined();
    expect(senderDomainUnder({ sender: 'x@nottruecarmail.com' }, 'truecarmail.com')).toBeUndefined();
    expect(senderDomainUnder({ sender: 'truecarmail.com' }, 'truecarmail.com')).toBeUndefined();
    expect(senderDomainUnder({}, 'truecarmail.com')).toBeUndefined();
  });
});

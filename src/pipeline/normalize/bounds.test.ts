// boundDraft: field lengths, list sizes and control characters of a draft are bounded before normalize, each change with its warning.
import { describe, expect, it } from 'vitest';
import type { LeadDraft } from '../../lead.js';
import { normalize } from '../normalize.js';
import { boundDraft, MAX_FIELD, MAX_TEXT_FIELD } from './bounds.js';

function draft(customer: Partial<LeadDraft['customer']> = {}, rest: Partial<LeadDraft> = {}): LeadDraft {
  return {
    format: 'adf',
    index: 0,
    ids: [],
    customer: { names: [{ value: 'Pat Doe', part: 'full' }], emails: [{ value: 'pat@example.com' }], phones: [], ids: [], ...customer },
    vehicles: [],
    extras: {},
    warnings: [{ code: 'adf_pi_missing', message: 'x' }],
    ...rest,
  };
}
const codes = (d: LeadDraft): string[] => d.warnings.map((w) => w.code);

describe('boundDraft', () => {
  it('returns the same draft when nothing is over a bound', () => {
    const d = draft({ comments: 'c'.repeat(MAX_TEXT_FIELD) });
    expect(boundDraft(d)).toBe(d);
  });

  it('cuts comments at 16 KiB and every other field at 256 characters, with one field_truncated warning', () => {
    const d = boundDraft(draft({ comments: 'c'.repeat(900_000), names: [{ value: 'A '.repeat(10_000), part: 'full' }] }, { vehicles: [{ ids: [], model: 'm'.repeat(1000), comments: 'v'.repeat(20_000) }] }));
    expect(d.customer.comments).toHaveLength(MAX_TEXT_FIELD);
    expect(d.customer.names[0]!.value).toHaveLength(MAX_FIELD);
    expect(d.vehicles[0]!.model).toHaveLength(MAX_FIELD);
    expect(d.vehicles[0]!.comments).toHaveLength(MAX_TEXT_FIELD);
    expect(codes(d)).toEqual(['adf_pi_missing', 'field_truncated']);
  });

  it('never cuts between the halves of a surrogate pair', () => {
    const d = boundDraft(draft({ names: [{ value: `${'a'.repeat(MAX_FIELD - 1)}😀tail`, part: 'full' }] }));
    expect(d.customer.names[0]!.value).toBe('a'.repeat(MAX_FIELD - 1));
  });

  it('keeps the first values of over-long lists (10 phones, 20 vehicles, 64 extras), with one values_capped warning', () => {
    const d = boundDraft(
      draft(
        { phones: Array.from({ length: 30_000 }, (_, i) => ({ value: `212555${String(i).padStart(4, '0')}` })) },
        { vehicles: Array.from({ length: 500 }, () => ({ ids: [] })), extras: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`x${i}`, 'v'])) },
      ),
    );
    expect(d.customer.phones.map((p) => p.value)).toEqual(Array.from({ length: 10 }, (_, i) => `212555000${i}`));
    expect(d.vehicles).toHaveLength(20);
    expect(Object.keys(d.extras)).toHaveLength(64);
    expect(codes(d)).toEqual(['adf_pi_missing', 'values_capped']);
  });

  it('removes NUL, other control characters, noncharacters and lone surrogates, keeping tab, LF and CR', () => {
    const d = boundDraft(draft({ names: [{ value: 'Pat\u0000 Doe\u0001\u001b\u007f\u0085\uffff', part: 'full' }], comments: 'line\tone\r\nline two\ud800', phones: [{ value: '212\u0000555\u00000123' }] }));
    expect(d.customer.names[0]!.value).toBe('Pat Doe');
    expect(d.customer.comments).toBe('line\tone\r\nline two');
    expect(d.customer.phones[0]!.value).toBe('2125550123');
    expect(codes(d)).toEqual(['adf_pi_missing', 'control_characters_removed']);
  });

  it('is applied by normalize, so a hostile draft becomes a bounded lead', () => {
    const lead = normalize(draft({ phones: Array.from({ length: 50 }, (_, i) => ({ value: `(212) 555-${String(1000 + i)}` })), comments: `x${'\u0000'.repeat(10)}y` }), {
      receivedAt: '2025-10-18T12:00:00.000Z',
      channel: 'http-adf',
      adapter: 'adf',
      raw: { sha256: '0'.repeat(64), contentType: 'application/xml', size: 1 },
    });
    expect(lead.customer.phones).toHaveLength(10);
    expect(lead.customer.comments).toBe('xy');
    expect(lead.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['values_capped', 'control_characters_removed']));
  });
});

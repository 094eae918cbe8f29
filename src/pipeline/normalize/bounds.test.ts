// boundDraft: field lengths, list sizes and control characters of a draft are bounded before normalize, each change with its warning.
import fc from 'fast-check';
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

  it('keeps a field of exactly its bound and cuts one character more, for comments and other fields alike', () => {
    const at = draft({ comments: 'c'.repeat(MAX_TEXT_FIELD), names: [{ value: 'n'.repeat(MAX_FIELD), part: 'full' }] }, { vehicles: [{ ids: [], comments: 'v'.repeat(MAX_TEXT_FIELD), model: 'm'.repeat(MAX_FIELD) }] });
    expect(boundDraft(at)).toBe(at);
    for (const over of [
      draft({ comments: 'c'.repeat(MAX_TEXT_FIELD + 1) }),
      draft({ names: [{ value: 'n'.repeat(MAX_FIELD + 1), part: 'full' }] }),
      draft({}, { vehicles: [{ ids: [], comments: 'v'.repeat(MAX_TEXT_FIELD + 1) }] }),
      draft({}, { vehicles: [{ ids: [], model: 'm'.repeat(MAX_FIELD + 1) }] }),
      draft({}, { extras: { comments: 'x'.repeat(MAX_FIELD + 1) } }),
    ])
      expect(codes(boundDraft(over))).toEqual(['adf_pi_missing', 'field_truncated']);
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

  it('returns the draft itself only when every string and list is within bounds and clean (generated drafts)', () => {
    // Short strings mixing plain text with the characters UNWANTED removes (and the ones it keeps: tab, LF, CR, pairs).
    const char = fc.constantFrom('a', ' ', '7', '\t', '\n', '\r', '\u0000', '\u001b', '\u007f', '\u0085', '\u00a0', '\ufffe', '\uffff', '\ud83d\ude00', '\ud800', '\udc00', 'é');
    const str = (max: number) => fc.oneof(fc.array(char, { maxLength: 6 }).map((a) => a.join('')), fc.constantFrom('x'.repeat(max), 'x'.repeat(max + 1)));
    const field = str(MAX_FIELD);
    const list = <T>(item: fc.Arbitrary<T>, max: number) => fc.oneof(fc.array(item, { maxLength: 3 }), fc.constant(max).chain((n) => fc.array(item, { minLength: n, maxLength: n + 1 })));
    const drafts = fc.record({
      names: list(fc.record({ value: field, part: fc.constant('full' as const) }), 10),
      phones: list(fc.record({ value: field }), 10),
      comments: str(MAX_TEXT_FIELD),
      extras: fc.integer({ min: 0, max: 66 }).chain((n) => fc.tuple(fc.constant(n), field)),
      model: field,
    });
    const UNWANTED = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
    fc.assert(
      fc.property(drafts, (g) => {
        const d = draft(
          { names: g.names, phones: g.phones, comments: g.comments },
          { vehicles: [{ ids: [], model: g.model }], extras: Object.fromEntries(Array.from({ length: g.extras[0] }, (_, i) => [`x${i}`, g.extras[1]])) },
        );
        const strings = [...g.names.map((n) => n.value), ...g.phones.map((p) => p.value), g.model, ...(g.extras[0] > 0 ? [g.extras[1]] : [])];
        const within =
          strings.every((v) => v.length <= MAX_FIELD && !UNWANTED.test(v)) &&
          g.comments.length <= MAX_TEXT_FIELD &&
          !UNWANTED.test(g.comments) &&
          g.names.length <= 10 &&
          g.phones.length <= 10 &&
          g.extras[0] <= 64;
        const out = boundDraft(d);
        expect(out === d).toBe(within);
        if (!within) expect(out.warnings.length).toBeGreaterThan(d.warnings.length);
      }),
      { numRuns: 2000, seed: 11 },
    );
  });
});

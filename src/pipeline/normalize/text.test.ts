// Unit tests for the shared text helpers: tidy, placeholders, warnings and comments.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Warning } from '../../lead.js';
import { cleanField, isPlaceholder, normalizeComments, tidy, warn } from './text.js';

describe('tidy', () => {
  it('collapses all kinds of whitespace and trims', () => {
    expect(tidy('  Ana \u00a0 Maria\u202f\tLopez\r\n')).toBe('Ana Maria Lopez');
  });
  it('returns undefined instead of an empty string', () => {
    expect(tidy('')).toBeUndefined();
    expect(tidy(' \u00a0\u200b ')).toBeUndefined();
    expect(tidy(undefined)).toBeUndefined();
  });
});

describe('isPlaceholder', () => {
  it.each(['N/A', 'na', 'NONE', 'null', 'Unknown', '1 not provided', 'Not Provided', '1 Not Available', 'Anonamous First', 'Anonymous', '-', '.', '--', '?'])(
    'treats %j as a placeholder',
    (v) => expect(isPlaceholder(v)).toBe(true),
  );
  it.each(['Nathan', 'Tester', 'Test', 'L', 'Na Young', 'O\u2019Neil', '100 Example Ave'])('keeps %j', (v) => expect(isPlaceholder(v)).toBe(false));
});

describe('cleanField', () => {
  it('drops placeholders with a warning that holds no customer data', () => {
    const w: Warning[] = [];
    expect(cleanField(' N/A ', 'name', w)).toBeUndefined();
    expect(w).toEqual([{ code: 'placeholder_dropped', message: 'A placeholder name was dropped' }]);
  });
  it('drops empty values silently', () => {
    const w: Warning[] = [];
    expect(cleanField('   ', 'name', w)).toBeUndefined();
    expect(w).toEqual([]);
  });
});

describe('warn', () => {
  it('records the same code+message only once', () => {
    const w: Warning[] = [];
    warn(w, 'a', 'x');
    warn(w, 'a', 'x');
    warn(w, 'a', 'y');
    expect(w).toHaveLength(2);
  });
});

describe('normalizeComments', () => {
  it('normalizes CRLF and bare CR/LF mixes (Kia Digital) to \\n', () => {
    expect(normalizeComments('a\r\nb\rc\nd')).toBe('a\nb\nc\nd');
  });
  it('trims trailing spaces per line and the whole text, keeps leading indentation', () => {
    expect(normalizeComments('  \n  Deal Type: finance,   \n    Sale Price: $1  \n ')).toBe('Deal Type: finance,\n    Sale Price: $1');
  });
  it('collapses runs of blank lines to one', () => {
    expect(normalizeComments('a\n\n\n\n\nb\n \n \nc')).toBe('a\n\nb\n\nc');
  });
  it('strips control characters but keeps tabs', () => {
    expect(normalizeComments('a\u0000b\tc\u0007')).toBe('ab\tc');
  });
  it('is undefined when nothing is left', () => {
    expect(normalizeComments(' \r\n \n')).toBeUndefined();
    expect(normalizeComments(undefined)).toBeUndefined();
  });
});

describe('tidy fast path', () => {
  // tidy as it was before the "already tidy" check: the three passes on every value.
  const passes = (s: string): string | undefined => {
    const out = s.replace(/[\u200b-\u200d\u2060\ufeff]/g, '').replace(/[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g, ' ').trim();
    return out === '' ? undefined : out;
  };

  it('matches the three passes for every BMP character, alone, inside, doubled and at either end', () => {
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      for (const s of [ch, `a${ch}b`, `a${ch}${ch}b`, `${ch}a`, `a${ch}`, `a ${ch}b`]) if (tidy(s) !== passes(s)) expect([c, s, tidy(s)]).toEqual([c, s, passes(s)]);
    }
  });

  it('matches the three passes on generated text', () => {
    const ch = fc.oneof(fc.constantFrom(' ', ' ', '\t', '\n', '\r', '\u00a0', '\u200b', '\u2060', '\ufeff', '\u202f', '\u3000', '\u2028', '\u0085', '\u180e'), fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), fc.string({ unit: 'binary', maxLength: 2 }));
    fc.assert(
      fc.property(fc.array(ch, { maxLength: 12 }), (a) => {
        const s = a.join('');
        expect(tidy(s)).toBe(passes(s));
      }),
      { numRuns: 5000, seed: 3 },
    );
  });
});

describe('normalizeComments fast path', () => {
  // normalizeComments as it was before the "nothing to do" check: every pass on every comment.
  const passes = (value: string): string | undefined => {
    const text = value
      .replace(/[\u200b-\u200d\u2060\ufeff]/g, '')
      .replace(/\r\n?/g, '\n')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
      .split('\n')
      .map((line) => line.replace(/[ \t\u00a0\u202f]+$/u, ''))
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
    return text === '' ? undefined : text;
  };

  it('matches every pass for every BMP character, alone, between lines and at either end', () => {
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      for (const s of [ch, `a${ch}\nb`, `a\n${ch}\nb`, `${ch}a`, `a${ch}`, `a\n\n${ch}\nb`]) if (normalizeComments(s) !== passes(s)) expect([c, s]).toEqual([c, passes(s)]);
    }
  });

  it('matches every pass on generated comments', () => {
    const ch = fc.oneof(fc.constantFrom('a', 'b', ' ', '\t', '\n', '\n', '\r', '\r\n', '\u00a0', '\u202f', '\u200b', '\ufeff', '\u0001', '\u000b', '\u2028', '\u3000'), fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)));
    fc.assert(
      fc.property(fc.array(ch, { maxLength: 16 }), (a) => {
        const s = a.join('');
        expect(normalizeComments(s)).toBe(passes(s));
      }),
      { numRuns: 5000, seed: 5 },
    );
  });
});

describe('isPlaceholder fast path', () => {
  // isPlaceholder without the first-character check: fold, trim, look up, then look for a letter or digit.
  const PLACEHOLDERS = ['n/a', 'n.a.', 'n.a', 'na', 'none', 'null', 'nil', 'undefined', 'unknown', 'not provided', '1 not provided', 'not available', '1 not available', 'not applicable', 'anonymous', 'anonamous', 'anonymous first', 'anonamous first', 'anonymous last', 'anonamous last', 'no name', 'noname'];
  const slow = (value: string): boolean => {
    const v = value.toLowerCase().replace(/\s+/g, ' ').trim();
    return v === '' || PLACEHOLDERS.includes(v) || !/[\p{L}\p{N}]/u.test(v);
  };

  it('agrees with the slow check for every placeholder in any casing and spacing', () => {
    for (const p of PLACEHOLDERS) for (const s of [p, p.toUpperCase(), ` ${p} `, p.replace(/ /g, '\u00a0 \t'), p[0]!.toUpperCase() + p.slice(1)]) expect([s, isPlaceholder(s)]).toEqual([s, slow(s)]);
  });

  it('agrees with the slow check for every BMP character first, alone and before a placeholder tail', () => {
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      for (const s of [ch, `${ch}/a`, `${ch}one`, `${ch}nknown`, `${ch} not provided`, `${ch}x`, `${ch}5`, `(5${ch}5) 010-0123`, `1-800-${ch}`]) if (isPlaceholder(s) !== slow(s)) expect([c, s]).toEqual([c, slow(s)]);
    }
  });

  it('agrees with the slow check on generated text', () => {
    const ch = fc.oneof(fc.constantFrom(...PLACEHOLDERS, 'N', 'A', 'U', '1', '-', ' ', '\u00a0', '\t', '/', '.', '(', ')', '+', '555', '0', '\u212a', '\u0130'), fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)));
    fc.assert(
      fc.property(fc.array(ch, { maxLength: 4 }), (a) => {
        const s = a.join('');
        expect(isPlaceholder(s)).toBe(slow(s));
      }),
      { numRuns: 5000, seed: 7 },
    );
  });
});

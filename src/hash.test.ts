// sha256Hex gives exactly createHash's digest (stored fingerprints must not change with the runtime's API).
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './hash.js';

const reference = (d: string | Buffer): string => createHash('sha256').update(d).digest('hex');

describe('sha256Hex', () => {
  it('is the known digest of the empty string and of "abc"', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex(Buffer.from('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('matches createHash for any string (UTF-8, lone surrogates included) and any bytes', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => sha256Hex(s) === reference(s)), { numRuns: 2000 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4096 }), (a) => sha256Hex(Buffer.from(a)) === reference(Buffer.from(a))), { numRuns: 500 });
    expect(sha256Hex('\ud800x')).toBe(reference('\ud800x'));
  });
});

// UUIDv7 ids: shape, embedded time, order within and across milliseconds, uniqueness.
import { describe, expect, it } from 'vitest';
import { newId } from './ids.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const timeOf = (id: string): number => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('newId', () => {
  it('is a version 7, RFC 9562 variant UUID carrying the current time', () => {
    const before = Date.now();
    const id = newId();
    expect(id).toMatch(V7);
    expect(timeOf(id)).toBeGreaterThanOrEqual(before);
    expect(timeOf(id)).toBeLessThanOrEqual(Date.now());
  });

  it('sorts in creation order, also many per millisecond, and never repeats', () => {
    const ids = Array.from({ length: 20_000 }, () => newId());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(V7);
  });

  it('keeps order when the clock steps back or one millisecond runs out of sequence numbers', () => {
    const t = Date.now() + 60_000;
    const ids = [newId(t), newId(t - 5_000), ...Array.from({ length: 5_000 }, () => newId(t)), newId(t + 1)];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(timeOf(ids[1]!)).toBe(t); // stepped back: stays on the last time used
  });
});

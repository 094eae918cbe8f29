// Rate limiter and concurrency gate: bursts, refill, Retry-After, bounded memory, FIFO hand-over, bounded waiting and refusal.
import { describe, expect, it } from 'vitest';
import { addressKey, ConcurrencyGate, RateLimiter } from './limits.js';

describe('RateLimiter', () => {
  it('allows a minute of requests at once, then answers the seconds until the next one', () => {
    let now = 0;
    const rl = new RateLimiter({ perMinute: 3, now: () => now });
    expect([rl.take('a'), rl.take('a'), rl.take('a')]).toEqual([0, 0, 0]);
    expect(rl.take('a')).toBe(20);
    expect(rl.peek('a')).toBe(20);
    // Other keys are untouched.
    expect(rl.take('b')).toBe(0);
    now += 19_000;
    expect(rl.take('a')).toBe(1);
    now += 1_000;
    expect(rl.take('a')).toBe(0);
    expect(rl.take('a')).toBe(20);
  });

  it('takes a per-key rate over the default', () => {
    let now = 0;
    const rl = new RateLimiter({ perMinute: 1000, now: () => now });
    expect(rl.take('slow', 1)).toBe(0);
    expect(rl.take('slow', 1)).toBe(60);
    expect(rl.take('fast')).toBe(0);
    now += 60_000;
    expect(rl.take('slow', 1)).toBe(0);
  });

  it('peek never takes', () => {
    const rl = new RateLimiter({ perMinute: 1, now: () => 0 });
    expect(rl.peek('x')).toBe(0);
    expect(rl.peek('x')).toBe(0);
    expect(rl.take('x')).toBe(0);
    expect(rl.peek('x')).toBe(60);
  });

  it('keeps at most maxKeys buckets, forgetting full ones first, so memory is bounded under many addresses', () => {
    let now = 0;
    const rl = new RateLimiter({ perMinute: 10, maxKeys: 100, now: () => now });
    for (let i = 0; i < 50; i++) rl.take(`busy-${i}`, 10);
    for (let i = 0; i < 9; i++) for (let j = 0; j < 50; j++) rl.take(`busy-${j}`);
    for (let i = 0; i < 10_000; i++) rl.take(`one-off-${i}`);
    expect(rl.size).toBeLessThanOrEqual(100);
    now += 120_000;
    for (let i = 0; i < 1000; i++) rl.take(`later-${i}`);
    expect(rl.size).toBeLessThanOrEqual(100);
  });
});

describe('addressKey', () => {
  it('keeps IPv4, unwraps IPv4-mapped addresses, and groups IPv6 by /64', () => {
    expect(addressKey('203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('ConcurrencyGate', () => {
  it('lets max callers in, hands a freed slot to the longest waiter, and refuses after maxQueueMs', async () => {
    const gate = new ConcurrencyGate(2, 200);
    const a = await gate.acquire();
    const b = await gate.acquire();
    expect(a && b).toBeTruthy();
    const order: string[] = [];
    const c = gate.acquire().then((r) => (order.push('c'), r));
    const d = gate.acquire().then((r) => (order.push('d'), r));
    await tick();
    expect(gate.stats).toEqual({ active: 2, waiting: 2 });
    a!();
    a!(); // released twice: still one slot
    const rc = await c;
    expect(rc).toBeTypeOf('function');
    expect(order).toEqual(['c']);
    expect(gate.stats).toEqual({ active: 2, waiting: 1 });
    // d waits its 200 ms and is refused.
    expect(await d).toBeUndefined();
    expect(gate.stats).toEqual({ active: 2, waiting: 0 });
    b!();
    rc!();
    expect(gate.stats).toEqual({ active: 0, waiting: 0 });
    expect(gate.retryAfterSeconds).toBe(1);
  });

  it('refuses at once with no waiting time or when maxWaiting callers already wait', async () => {
    const none = new ConcurrencyGate(1, 0);
    const r = await none.acquire();
    expect(await none.acquire()).toBeUndefined();
    r!();
    expect(await none.acquire()).toBeTypeOf('function');

    const few = new ConcurrencyGate(1, 10_000, 2);
    const held = await few.acquire();
    const w1 = few.acquire();
    const w2 = few.acquire();
    expect(await few.acquire()).toBeUndefined();
    held!();
    (await w1)!();
    (await w2)!();
    expect(few.stats).toEqual({ active: 0, waiting: 0 });
  });

  it('keeps its queue bounded while nothing is released and every waiter times out', async () => {
    const gate = new ConcurrencyGate(1, 1);
    const held = await gate.acquire();
    for (let round = 0; round < 5; round++) {
      const waits = Array.from({ length: 1000 }, () => gate.acquire());
      expect((await Promise.all(waits)).every((w) => w === undefined)).toBe(true);
    }
    expect(gate.stats.waiting).toBe(0);
    expect((gate as unknown as { waiters: unknown[] }).waiters.length).toBeLessThanOrEqual(2048);
    held!();
    expect(gate.stats.active).toBe(0);
    expect(await gate.acquire()).toBeTypeOf('function');
  });
});

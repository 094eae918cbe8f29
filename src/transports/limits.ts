// Intake limits that protect the gateway from its clients: token-bucket rate limits per credential or client address, and bounded concurrency with a bounded wait.

/** One bucket: tokens left at time `at` (ms), refilled at `perMinute`. */
interface Bucket {
  tokens: number;
  at: number;
  perMinute: number;
}

export interface RateLimiterOptions {
  /** Requests per minute when the caller gives none (limits.ratePerMinute). */
  perMinute: number;
  /** Most buckets kept; beyond it, full (idle) buckets and then the oldest are forgotten. */
  maxKeys?: number;
  now?: () => number;
}

/**
 * Token buckets: each key may send `perMinute` requests in a burst, refilled continuously at
 * `perMinute` per minute. Memory is bounded by `maxKeys`: a forgotten bucket is a full one, so
 * forgetting only ever forgives a client, never blocks one.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(private readonly opts: RateLimiterOptions) {
    this.maxKeys = opts.maxKeys ?? 100_000;
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Seconds until `key` may send again (0: now), without taking anything. */
  peek(key: string, perMinute = this.opts.perMinute): number {
    const b = this.buckets.get(key);
    if (!b) return 0;
    return this.wait(this.refill(b, perMinute), perMinute);
  }

  /** Take one request from `key`'s bucket: 0 when allowed, else the whole seconds to wait (Retry-After). */
  take(key: string, perMinute = this.opts.perMinute): number {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.sweep();
      b = { tokens: perMinute, at: this.now(), perMinute };
      this.buckets.set(key, b);
    }
    const tokens = this.refill(b, perMinute);
    b.at = this.now();
    b.perMinute = perMinute;
    if (tokens >= 1) {
      b.tokens = tokens - 1;
      return 0;
    }
    b.tokens = tokens;
    return this.wait(tokens, perMinute);
  }

  private refill(b: Bucket, perMinute: number): number {
    return Math.min(perMinute, b.tokens + ((this.now() - b.at) * perMinute) / 60_000);
  }

  private wait(tokens: number, perMinute: number): number {
    // Rounded to whole milliseconds first, so floating-point dust never adds a second.
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil(Math.round(((1 - tokens) * 60_000) / perMinute) / 1000));
  }

  /**
   * Forget buckets that have refilled (they behave exactly like absent ones); if that is not
   * enough, forget the oldest down to 90% so the next sweep is 10% of maxKeys inserts away.
   */
  private sweep(): void {
    const now = this.now();
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) * b.perMinute) / 60_000 >= b.perMinute) this.buckets.delete(key);
    }
    const target = Math.floor(this.maxKeys * 0.9);
    if (this.buckets.size <= target) return;
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= target) break;
      this.buckets.delete(key);
    }
  }
}

/**
 * The rate-limit key of a client address: IPv4 as is (also when IPv4-mapped), IPv6 by its /64,
 * because one host usually owns a whole /64 and could otherwise rotate through it.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (!address.includes(':')) return address;
  const [head, tail = ''] = address.toLowerCase().split('%')[0].split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  const groups = [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

interface Waiter {
  resolve: (release: (() => void) | undefined) => void;
  timer: NodeJS.Timeout;
  done: boolean;
}

/**
 * At most `max` intakes run at once; later ones wait in arrival order for up to `maxQueueMs`, and
 * at most `maxWaiting` of them, then are refused (the caller answers 503 + Retry-After). Memory
 * stays bounded whatever the load.
 */
export class ConcurrencyGate {
  private active = 0;
  private waiters: Waiter[] = [];
  private head = 0;
  private waiting = 0;

  constructor(
    readonly max: number,
    readonly maxQueueMs: number,
    readonly maxWaiting: number = Number.POSITIVE_INFINITY,
  ) {}

  get stats(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting };
  }

  /** Seconds a refused caller should wait before retrying. */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.maxQueueMs / 1000));
  }

  /** A release function once a slot is free, or undefined when none freed up in time. */
  acquire(): Promise<(() => void) | undefined> {
    if (this.active < this.max && this.waiting === 0) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    if (this.maxQueueMs <= 0 || this.waiting >= this.maxWaiting) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve,
        done: false,
        timer: setTimeout(() => {
          waiter.done = true;
          this.waiting--;
          this.dropTimedOut();
          resolve(undefined);
        }, this.maxQueueMs),
      };
      this.waiters.push(waiter);
      this.waiting++;
    });
  }

  /** Each slot is released once, whatever the caller does twice. */
  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.handOver();
    };
  }

  /** Give the freed slot to the longest-waiting caller still waiting, or free it. */
  private handOver(): void {
    while (this.head < this.waiters.length) {
      const w = this.waiters[this.head++];
      if (w.done) continue;
      w.done = true;
      clearTimeout(w.timer);
      this.waiting--;
      this.compact();
      w.resolve(this.releaser());
      return;
    }
    this.compact();
    this.active--;
  }

  /** While no slot frees up, timed-out waiters would pile up in the queue: drop them once they outnumber the live ones. */
  private dropTimedOut(): void {
    if (this.waiters.length - this.head <= 2 * this.waiting + 1024) return;
    this.waiters = this.waiters.slice(this.head).filter((w) => !w.done);
    this.head = 0;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.waiters.length) {
      this.waiters = this.waiters.slice(this.head);
      this.head = 0;
    } else if (this.head === this.waiters.length) {
      this.waiters = [];
      this.head = 0;
    }
  }
}

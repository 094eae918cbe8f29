// The relay: claims committed outbox events, publishes them to the sink in commit order, marks them sent, and retries with back-off while the sink is down.
import type { Logger } from './log.js';
import type { Sink } from './sink.js';
import type { Store } from './store.js';

export interface RelayOptions {
  batchSize: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  /** How often to look for work nobody told us about (events committed before a restart, or by another process). */
  pollMs?: number;
}

export interface RelayStats {
  sent: number;
  failures: number;
  lastError?: string;
  lastSentAt?: string;
}

/** Counters the relay reports to (metrics.ts): events published, and publish attempts that failed. */
export interface RelayMetrics {
  relayPublished: { inc(by?: number): void };
  relayErrors: { inc(by?: number): void };
}

export class Relay {
  readonly stats: RelayStats = { sent: 0, failures: 0 };
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private pendingWake = false;

  constructor(
    private readonly store: Store,
    private readonly sink: Sink,
    private readonly opts: RelayOptions,
    private readonly log: Logger,
    private readonly metrics?: RelayMetrics,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Called after each intake commit so events go out without waiting for the poll. */
  notify(): void {
    this.pendingWake = true;
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => {
      this.wake = undefined;
    });
  }

  /**
   * Send one batch; returns how many events were delivered (0 when there was nothing to do, or
   * when relays of other instances hold every partition with work). The store's claim makes
   * several relays on one database safe: each event goes to one of them, a customer's events in
   * commit order, and an event is marked sent only after the sink has it (at least once).
   */
  async drainOnce(): Promise<number> {
    const n = await this.store.claimPending(this.opts.batchSize, (batch) => this.sink.send(batch));
    if (n === 0) return 0;
    this.stats.sent += n;
    this.metrics?.relayPublished.inc(n);
    this.stats.lastSentAt = new Date().toISOString();
    return n;
  }

  private async run(): Promise<void> {
    let delay = this.opts.retryDelayMs;
    while (this.running) {
      this.pendingWake = false;
      try {
        const n = await this.drainOnce();
        if (this.stats.lastError) {
          this.log.info({ sink: this.sink.name }, 'sink reachable again; draining backlog');
          this.stats.lastError = undefined;
        }
        delay = this.opts.retryDelayMs;
        if (n === 0 && !this.pendingWake && this.running) await this.sleep(this.opts.pollMs ?? 1000);
      } catch (err) {
        this.stats.failures++;
        this.metrics?.relayErrors.inc();
        const message = err instanceof Error ? err.message : String(err);
        if (this.stats.lastError !== message) this.log.warn({ sink: this.sink.name, err: message, retryInMs: delay }, 'relay could not publish; events stay in the outbox');
        this.stats.lastError = message;
        if (this.running) await this.sleep(delay);
        delay = Math.min(delay * 2, this.opts.maxRetryDelayMs);
      }
    }
  }

  /** Stop after the batch in flight; with flush, first try to deliver everything pending (bounded by timeoutMs). */
  async stop(opts: { flush?: boolean; timeoutMs?: number } = {}): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    if (opts.flush) {
      const deadline = Date.now() + (opts.timeoutMs ?? 5000);
      while (Date.now() < deadline) {
        try {
          if ((await this.drainOnce()) === 0) break;
        } catch {
          break;
        }
      }
    }
  }
}

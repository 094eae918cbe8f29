// The relay: commit order, at-least-once with stable ids, and back-off while the sink fails (a sink that fails on purpose is the only stand-in here; Kafka faults are in test/kafka.test.ts).
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from './log.js';
import { Relay } from './relay.js';
import type { Sink } from './sink.js';
import { FileLogSink } from './sinks/file-log.js';
import type { OutboxEvent } from './store.js';
import { SqliteStore } from './stores/sqlite.js';
import { tempDir } from '../test/support/gateway.js';

/** Wraps the real file-log sink and fails the first `failures` sends, like a broker that is down for a while. */
class FlakySink implements Sink {
  readonly name = 'flaky';
  attempts = 0;
  constructor(private readonly inner: FileLogSink, private failures: number) {}
  async send(events: OutboxEvent[]): Promise<void> {
    this.attempts++;
    if (this.failures-- > 0) throw new Error('sink down');
    await this.inner.send(events);
  }
  async ready() {
    return this.failures <= 0;
  }
  async close() {
    await this.inner.close();
  }
}

describe('relay', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(() => {
    dir = tempDir();
    store = new SqliteStore(join(dir, 'leadgate.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function commit(n: number, offset = 0): Promise<string[]> {
    const ids = Array.from({ length: n }, (_, i) => `ev-${offset + i}`);
    await store.transaction(async (tx) => tx.enqueue(ids.map((id) => ({ id, topic: 't', key: `k${(offset + 0) % 2}`, value: JSON.stringify({ id }), headers: {} }))));
    return ids;
  }

  const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).id);

  it('publishes committed events in commit order and marks them sent', async () => {
    const sink = new FileLogSink(join(dir, 'events'));
    const relay = new Relay(store, sink, { batchSize: 3, retryDelayMs: 10, maxRetryDelayMs: 50, pollMs: 20 }, silentLogger);
    const ids = [...(await commit(4)), ...(await commit(3, 4))];
    relay.start();
    await expect.poll(() => store.countPending(), { timeout: 10_000 }).toBe(0);
    await relay.stop();
    await sink.close();
    expect(lines(sink.pathOf('t'))).toEqual(ids);
  });

  it('keeps events while the sink fails, backs off, and delivers everything once it recovers', async () => {
    const sink = new FlakySink(new FileLogSink(join(dir, 'events')), 3);
    const relay = new Relay(store, sink, { batchSize: 100, retryDelayMs: 10, maxRetryDelayMs: 40, pollMs: 20 }, silentLogger);
    const ids = await commit(5);
    relay.start();
    await expect.poll(() => store.countPending(), { timeout: 10_000 }).toBe(0);
    await relay.stop();
    expect(sink.attempts).toBeGreaterThanOrEqual(4);
    expect(relay.stats.failures).toBe(3);
    expect(lines(join(dir, 'events', 't.ndjson'))).toEqual(ids);
    await sink.close();
  });

  it('redelivers unmarked events after a restart with the same ids (at least once)', async () => {
    const ids = await commit(3);
    // A relay that dies after the sink wrote but before markSent: simulate by sending without marking.
    const sink = new FileLogSink(join(dir, 'events'));
    await sink.send(await store.pendingEvents(10));
    const relay = new Relay(store, sink, { batchSize: 100, retryDelayMs: 10, maxRetryDelayMs: 40, pollMs: 20 }, silentLogger);
    relay.start();
    await expect.poll(() => store.countPending(), { timeout: 10_000 }).toBe(0);
    await relay.stop();
    await sink.close();
    expect(lines(sink.pathOf('t'))).toEqual([...ids, ...ids]);
  });
});

// The relay: commit order, at-least-once with stable ids, back-off while the sink fails, and several relays sharing one PostgreSQL outbox (a sink that fails on purpose is the only stand-in here; Kafka faults are in test/kafka.test.ts).
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from './log.js';
import { Relay } from './relay.js';
import type { Sink } from './sink.js';
import { FileLogSink } from './sinks/file-log.js';
import type { OutboxEvent } from './store.js';
import { SqliteStore } from './stores/sqlite.js';
import { PostgresStore } from './stores/postgres.js';
import { tempDir } from '../test/support/gateway.js';
import { createTestDatabase, testDatabaseServer, type TestDatabase } from '../test/support/postgres.js';

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

describe.skipIf(!testDatabaseServer())('relays of several instances on one PostgreSQL outbox', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase('relay');
  });
  afterAll(async () => {
    await db?.drop();
  });
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes every event once, each customer in commit order, while intake keeps committing', async () => {
    // Three instances: each its own store (pool), relay and sink handle; the sinks append to one file, so its line order is publish order.
    const stores = [new PostgresStore(db.url), new PostgresStore(db.url), new PostgresStore(db.url)];
    const sinks = stores.map(() => new FileLogSink(join(dir, 'events')));
    const relays = stores.map((s, i) => new Relay(s, sinks[i], { batchSize: 4, retryDelayMs: 10, maxRetryDelayMs: 50, pollMs: 10 }, silentLogger));
    try {
      await Promise.all(stores.map((s) => s.migrate()));
      for (const r of relays) r.start();
      const keys = Array.from({ length: 8 }, (_, k) => `customer-${k}`);
      const committed: Array<{ id: string; key: string }> = [];
      // Intake on all three instances at once, each transaction a few events of one customer.
      await Promise.all(
        stores.map(async (s, i) => {
          for (let n = 0; n < 20; n++) {
            const key = keys[(i * 3 + n) % keys.length];
            await s.transaction(async (tx) => {
              const events = [0, 1].map((j) => ({ id: `ev-${i}-${n}-${j}`, topic: 't', key, value: JSON.stringify({ id: `ev-${i}-${n}-${j}`, key }), headers: {} }));
              await tx.enqueue(events);
            });
            committed.push(...[0, 1].map((j) => ({ id: `ev-${i}-${n}-${j}`, key })));
            relays[i].notify();
          }
        }),
      );
      await expect.poll(() => stores[0].countPending(), { timeout: 20_000 }).toBe(0);
      const published = readFileSync(join(dir, 'events', 't.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; key: string });
      expect(published.map((e) => e.id).sort()).toEqual(committed.map((e) => e.id).sort());
      // Commit order per customer is seq order; the outbox knows it.
      const { rows } = await stores[0].pool.query<{ event_id: string; key: string }>('SELECT event_id, key FROM outbox ORDER BY seq');
      for (const k of keys) {
        expect(published.filter((e) => e.key === k).map((e) => e.id)).toEqual(rows.filter((r) => r.key === k).map((r) => r.event_id));
      }
      expect(relays.reduce((n, r) => n + r.stats.sent, 0)).toBe(committed.length);
    } finally {
      for (const r of relays) await r.stop();
      for (const s of sinks) await s.close();
      for (const s of stores) await s.close();
    }
  });
});

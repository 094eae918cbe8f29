// The SQLite store's group commit: concurrent transactions share one COMMIT, each isolated by a savepoint, with the same decisions as one at a time.
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/gateway.js';
import { loadConfig } from '../config.js';
import { LeadgateError } from '../errors.js';
import { silentLogger } from '../log.js';
import { Pipeline } from '../pipeline/index.js';
import type { ArchivedInput } from '../store.js';
import { Database } from './sqlite-driver.js';
import { SqliteStore } from './sqlite.js';

const REAL_LEADS = new URL('../../fixtures/real-leads/', import.meta.url);

function input(id: string): ArchivedInput {
  return {
    id,
    sha256: '0'.repeat(64),
    contentType: 'application/xml',
    size: 3,
    receivedAt: '2025-10-20T12:00:00.000Z',
    transport: 'test',
    bytes: Buffer.from('<a/>'),
    outcome: 'accepted',
  };
}

/** The store's one connection, for tests that must make SQLite itself fail. */
function connectionOf(store: SqliteStore): Database {
  return (store as unknown as { db: Database }).db;
}

describe('SqliteStore group commit', () => {
  let dir: string;
  let file: string;
  let store: SqliteStore;

  beforeEach(() => {
    dir = tempDir();
    file = join(dir, 'leadgate.db');
    store = new SqliteStore(file);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits concurrent transactions together, and they are on disk once the callers resolve', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `in-${i}`);
    const results = await Promise.all(ids.map((id) => store.transaction(async (tx) => (await tx.archiveInput(input(id)), id))));
    expect(results).toEqual(ids);
    expect(store.stats.transactions).toBe(50);
    expect(store.stats.commits).toBeLessThan(50);

    // Another connection sees them (committed, not just inside our transaction) ...
    const other = new Database(file, { readonly: true });
    expect((other.prepare('SELECT count(*) AS n FROM inputs').get() as { n: number }).n).toBe(50);
    other.close();
    // ... and so does the store after a reopen.
    await store.close();
    store = new SqliteStore(file);
    for (const id of ids) expect((await store.getInput(id))?.id).toBe(id);
  });

  it('opens the file durable (WAL, synchronous=FULL) with savepoint journals in memory, not in temporary files', () => {
    const db = connectionOf(store);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('temp_store', { simple: true })).toBe(2); // MEMORY
  });

  it('a transaction that throws rolls back only its own work and rejects only its own caller', async () => {
    const boom = new Error('boom');
    const settled = await Promise.allSettled(
      [0, 1, 2, 3, 4].map((i) =>
        store.transaction(async (tx) => {
          await tx.archiveInput(input(`in-${i}`));
          if (i === 2) throw boom;
          await tx.enqueue([{ id: `ev-${i}`, topic: 't', key: 'k', value: '{}', headers: {} }]);
          return i;
        }),
      ),
    );
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((settled[2] as PromiseRejectedResult).reason).toBe(boom);
    expect(store.stats.commits).toBe(1);
    expect(await store.getInput('in-2')).toBeUndefined();
    for (const i of [0, 1, 3, 4]) expect((await store.getInput(`in-${i}`))?.id).toBe(`in-${i}`);
    expect((await store.pendingEvents(10)).map((e) => e.id)).toEqual(['ev-0', 'ev-1', 'ev-3', 'ev-4']);
  });

  it('runs a batch without savepoints when no callback throws, and again with them when one does', async () => {
    const runs = [0, 0, 0, 0];
    const batch = (failing: number | undefined) =>
      Promise.allSettled(
        runs.map((_, i) =>
          store.transaction(async (tx) => {
            runs[i]!++;
            await tx.archiveInput(input(`in-${failing ?? 'none'}-${i}`));
            if (i === failing) throw new Error('boom');
          }),
        ),
      );
    await batch(undefined);
    expect(runs).toEqual([1, 1, 1, 1]); // one plain pass
    runs.fill(0);
    const settled = await batch(1);
    // The plain pass stopped at the throw and was rolled back whole; the savepoint pass ran everyone once more.
    expect(runs).toEqual([2, 2, 1, 1]);
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(store.stats.commits).toBe(2);
    expect(store.stats.transactions).toBe(7);
    expect(await store.getInput('in-1-1')).toBeUndefined();
    for (const i of [0, 2, 3]) expect((await store.getInput(`in-1-${i}`))?.id).toBe(`in-1-${i}`);
  });

  it('a SQLite error in one transaction is store_unavailable for that caller only', async () => {
    await store.transaction((tx) => tx.archiveInput(input('taken')));
    const settled = await Promise.allSettled([
      store.transaction((tx) => tx.archiveInput(input('a'))),
      store.transaction((tx) => tx.archiveInput(input('taken'))), // primary key violation
      store.transaction((tx) => tx.archiveInput(input('b'))),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const err = (settled[1] as PromiseRejectedResult).reason;
    expect(err).toBeInstanceOf(LeadgateError);
    expect(err.code).toBe('store_unavailable');
    expect((await store.getInput('b'))?.id).toBe('b');
  });

  it('runs each callback to completion before the next one starts', async () => {
    const trace: string[] = [];
    await Promise.all(
      [0, 1, 2].map((i) =>
        store.transaction(async (tx) => {
          trace.push(`start ${i}`);
          await tx.archiveInput(input(`in-${i}`));
          await tx.findCustomers('s', ['k']);
          trace.push(`end ${i}`);
        }),
      ),
    );
    expect(trace).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('caps the batch size', async () => {
    await store.close();
    store = new SqliteStore(file, { maxBatch: 4 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.transaction((tx) => tx.archiveInput(input(`in-${i}`)))));
    expect(store.stats).toEqual({ commits: 3, transactions: 10 });
  });

  it('a failed COMMIT rejects every caller of the batch as store_unavailable and keeps nothing', async () => {
    // A deferred foreign-key violation is only detected at COMMIT, which then fails.
    const db = connectionOf(store);
    db.exec(`PRAGMA foreign_keys = ON;
      CREATE TABLE parent (id INTEGER PRIMARY KEY);
      CREATE TABLE child (parent_id INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);`);
    const orphan = db.prepare('INSERT INTO child (parent_id) VALUES (42)');
    const settled = await Promise.allSettled(
      [0, 1, 2].map((i) =>
        store.transaction(async (tx) => {
          await tx.archiveInput(input(`in-${i}`));
          if (i === 1) orphan.run();
        }),
      ),
    );
    for (const s of settled) {
      expect(s.status).toBe('rejected');
      expect((s as PromiseRejectedResult).reason.code).toBe('store_unavailable');
    }
    for (const i of [0, 1, 2]) expect(await store.getInput(`in-${i}`)).toBeUndefined();
    // The store keeps working afterwards.
    await store.transaction((tx) => tx.archiveInput(input('after')));
    expect((await store.getInput('after'))?.id).toBe('after');
  });

  it('when SQLite ends the whole transaction mid-batch, earlier callers are rejected and later ones run in the next batch', async () => {
    // What SQLite does on some I/O or disk-full errors; here the callback ends it itself.
    const db = connectionOf(store);
    const settled = await Promise.allSettled(
      [0, 1, 2].map((i) =>
        store.transaction(async (tx) => {
          await tx.archiveInput(input(`in-${i}`));
          if (i === 1) db.exec('ROLLBACK');
        }),
      ),
    );
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect((settled[0] as PromiseRejectedResult).reason.code).toBe('store_unavailable');
    expect(await store.getInput('in-0')).toBeUndefined();
    expect(await store.getInput('in-1')).toBeUndefined();
    expect((await store.getInput('in-2'))?.id).toBe('in-2');
  });

  it('a transaction that cannot start rejects the whole batch as store_unavailable', async () => {
    await store.close();
    store = new SqliteStore(file);
    connectionOf(store).pragma('busy_timeout = 50');
    const other = new Database(file);
    try {
      other.exec('BEGIN EXCLUSIVE');
      const settled = await Promise.allSettled([0, 1].map((i) => store.transaction((tx) => tx.archiveInput(input(`in-${i}`)))));
      for (const s of settled) expect((s as PromiseRejectedResult).reason.code).toBe('store_unavailable');
      other.exec('ROLLBACK');
      await store.transaction((tx) => tx.archiveInput(input('in-0')));
    } finally {
      other.close();
    }
  });
});

describe('concurrent intake through the pipeline', () => {
  let dir: string;
  const stores: SqliteStore[] = [];

  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function pipelineIn(name: string): { store: SqliteStore; pipeline: Pipeline } {
    const store = new SqliteStore(join(dir, `${name}.db`));
    stores.push(store);
    return { store, pipeline: new Pipeline(loadConfig({ env: {}, overrides: { dataDir: dir } }), store, silentLogger) };
  }

  const raw = (body: Buffer | string, i = 0) => ({
    bytes: Buffer.from(body),
    contentType: 'application/xml',
    transport: 'test',
    receivedAt: new Date(Date.parse('2025-10-20T12:00:00Z') + i * 1000).toISOString(),
  });

  it('50 concurrent posts of the same lead: exactly one received, 49 duplicates of it', async () => {
    const { store, pipeline } = pipelineIn('same');
    const body = readFileSync(new URL('truecar-pnc-1.xml', REAL_LEADS));
    const results = await Promise.all(Array.from({ length: 50 }, () => pipeline.ingest(raw(body))));
    const leads = results.map((r) => r.leads[0]);
    const received = leads.filter((l) => l.outcome === 'received');
    expect(received).toHaveLength(1);
    expect(leads.filter((l) => l.outcome === 'duplicate' && l.duplicateOf === received[0].leadId)).toHaveLength(49);
    expect(new Set(leads.map((l) => l.customerId)).size).toBe(1);
    expect(store.stats.commits).toBeLessThan(50);
    expect(await store.countPending()).toBe(50);
  });

  it('concurrent intake decides identity and dedup exactly like one-at-a-time intake', async () => {
    // The real-leads corpus twice over, plus variants that share a customer with an earlier lead.
    const corpus = readdirSync(REAL_LEADS)
      .filter((f) => f.endsWith('.xml') && !readFileSync(new URL(f.replace(/\.xml$/, '.expected.json'), REAL_LEADS), 'utf8').includes('"rejected"'))
      .map((f) => readFileSync(new URL(f, REAL_LEADS), 'utf8'));
    const bodies = [...corpus, ...corpus.map((b) => b.replace('</prospect>', '<!-- resent --></prospect>')), ...corpus];

    /** Outcomes with ids replaced by the index of the input that introduced them, so runs compare. */
    const decisions = (results: Awaited<ReturnType<Pipeline['ingest']>>[]) => {
      const leadIndex = new Map<string, number>();
      const customerIndex = new Map<string, number>();
      results.forEach((r, i) => r.leads.forEach((l) => leadIndex.set(l.leadId, i)));
      return results.map((r, i) =>
        r.leads.map((l) => {
          if (!customerIndex.has(l.customerId)) customerIndex.set(l.customerId, i);
          return { outcome: l.outcome, customer: customerIndex.get(l.customerId), duplicateOf: l.duplicateOf ? leadIndex.get(l.duplicateOf) : undefined };
        }),
      );
    };

    const one = pipelineIn('sequential');
    const sequential = [];
    for (const [i, b] of bodies.entries()) sequential.push(await one.pipeline.ingest(raw(b, i)));

    const many = pipelineIn('concurrent');
    const concurrent = await Promise.all(bodies.map((b, i) => many.pipeline.ingest(raw(b, i))));

    expect(many.store.stats.commits).toBeLessThan(bodies.length);
    expect(decisions(concurrent)).toEqual(decisions(sequential));
    const outcomes = decisions(sequential).flat().map((d) => d.outcome);
    expect(outcomes).toContain('received');
    expect(outcomes).toContain('duplicate');
  });
});

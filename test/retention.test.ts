// Retention and erasure against a real SQLite store: the purge drops old raw bytes only, the daily schedule runs it, older data files migrate, and an erasure removes one customer and nobody else.
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config.js';
import type { RawInput } from '../src/input.js';
import { createLogger, silentLogger } from '../src/log.js';
import { Pipeline, type IngestResult } from '../src/pipeline/index.js';
import { eraseCustomer, erasureTarget, purgeOlderThan, startDailyPurge } from '../src/retention.js';
import { erasureRequestHash } from '../src/store.js';
import { Database } from '../src/stores/sqlite-driver.js';
import { SqliteStore } from '../src/stores/sqlite.js';
import { adfLead, type TestCustomer } from './support/adf-lead.js';
import { tempDir } from './support/gateway.js';
import { expectValidEvent } from './support/schemas.js';

const DAY = 86_400_000;
const ROOT = new URL('..', import.meta.url).pathname;
const alice: TestCustomer = { first: 'Alicia', last: 'Quintero', email: 'Alicia.Quintero@Example.org', phone: '(213) 373-4253', street: '4410 Larkspur Lane', comments: 'Please call after 5pm about the CX-5' };
const bob: TestCustomer = { first: 'Bartholomew', last: 'Okafor', email: 'bart.okafor@example.net', phone: '714-376-9120', street: '77 Quarry Road' };
const carol: TestCustomer = { first: 'Carolina', last: 'Lindqvist', email: 'carolina.l@example.com' };

describe('retention and erasure', () => {
  let dir: string;
  let file: string;
  let store: SqliteStore;
  let config: Config;
  let pipeline: Pipeline;
  const now = Date.now();
  const daysAgo = (d: number): string => new Date(now - d * DAY).toISOString();

  const ingest = (bytes: Buffer, receivedAt: string, extra: Partial<RawInput> = {}): Promise<IngestResult> =>
    pipeline.ingest({ bytes, contentType: 'application/xml', transport: 'http', receivedAt, ...extra });
  /** Read-only look at the file, for what the Store interface does not expose (keys, audit rows). */
  const peek = <T>(sql: string, ...args: unknown[]): T[] => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare(sql).all(...args) as T[];
    } finally {
      db.close();
    }
  };

  beforeEach(() => {
    dir = tempDir();
    file = join(dir, 'leadgate.db');
    store = new SqliteStore(file);
    config = loadConfig({ env: {}, overrides: { dataDir: dir } });
    pipeline = new Pipeline(config, store, silentLogger);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('purges the raw bytes of inputs older than the window and keeps the newer ones', async () => {
    const old = await ingest(adfLead(alice, { leadId: 'L-1001' }), daysAgo(200), { signals: { sender: 'leads@provider.example', subject: 'New lead' } });
    const mid = await ingest(adfLead(bob, { leadId: 'L-1002' }), daysAgo(91));
    const fresh = await ingest(adfLead(carol, { leadId: 'L-1003' }), daysAgo(89));
    await expect(ingest(Buffer.from('<adf><prospect></prospect></adf>'), daysAgo(120))).rejects.toThrow();
    const [rejected] = await store.listInputs({ outcome: 'rejected' });
    const before = await store.getInput(old.inputId);
    expect(before!.signals).toEqual({ sender: 'leads@provider.example', subject: 'New lead' });

    const dry = await purgeOlderThan(store, 90, { dryRun: true, now });
    expect(dry).toMatchObject({ inputs: 3, dryRun: true, before: daysAgo(90) });
    expect((await store.getInput(old.inputId))!.bytes.length).toBeGreaterThan(0);

    expect((await purgeOlderThan(store, 90, { now })).inputs).toBe(3);
    for (const id of [old.inputId, mid.inputId, rejected.id]) {
      const input = (await store.getInput(id))!;
      expect(input.bytes.length).toBe(0);
      expect(input.purgedAt).toBeDefined();
      expect(input.signals).toBeUndefined();
    }
    // The record stays: what arrived, when, how big, and what became of it.
    const after = (await store.getInput(old.inputId))!;
    expect(after).toMatchObject({ sha256: before!.sha256, size: before!.size, outcome: 'accepted', receivedAt: before!.receivedAt, contentType: 'application/xml' });
    expect((await store.getInput(rejected.id))!).toMatchObject({ outcome: 'rejected', errorCode: rejected.errorCode });
    const kept = (await store.getInput(fresh.inputId))!;
    expect(kept.bytes.equals(adfLead(carol, { leadId: 'L-1003' }))).toBe(true);
    expect(kept.purgedAt).toBeUndefined();

    expect((await store.listInputs({ purged: true })).map((i) => i.id).sort()).toEqual([old.inputId, mid.inputId, rejected.id].sort());
    expect((await store.listInputs({ purged: false })).map((i) => i.id)).toEqual([fresh.inputId]);
    // Lead records outlive the bytes (dedupe still knows the customer); a second run has nothing left to do.
    expect(await store.leadsOfInput(old.inputId)).toHaveLength(1);
    expect((await purgeOlderThan(store, 90, { now })).inputs).toBe(0);
  });

  it('drops the published copies of old events from the outbox, never an unpublished one', async () => {
    await ingest(adfLead(alice, { leadId: 'L-2001' }), daysAgo(1));
    await ingest(adfLead(bob, { leadId: 'L-2002' }), daysAgo(1));
    const [first] = await store.pendingEvents(1);
    await store.markSent([first.seq], new Date().toISOString());
    await store.purgeRaw(new Date(Date.now() + 60_000).toISOString());
    expect(peek<{ seq: number }>('SELECT seq FROM outbox').map((r) => r.seq)).not.toContain(first.seq);
    expect(await store.countPending()).toBe(1);
  });

  it('runs the purge on a schedule and logs counts only', async () => {
    await ingest(adfLead(alice, { leadId: 'L-3001' }), daysAgo(400));
    const lines: string[] = [];
    const log = createLogger({
      level: 'debug',
      destination: new Writable({
        write(chunk, _enc, done) {
          lines.push(...chunk.toString().split('\n').filter(Boolean));
          done();
        },
      }),
    });
    const purge = startDailyPurge(store, 365, log, { firstDelayMs: 1, intervalMs: 20 });
    const deadline = Date.now() + 20_000;
    while (lines.filter((l) => l.includes('raw inputs purged')).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await purge.stop();
    const runs = lines.map((l) => JSON.parse(l)).filter((e) => e.msg === 'raw inputs purged');
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs[0]).toMatchObject({ inputs: 1, rawDays: 365 });
    expect(runs[1]).toMatchObject({ inputs: 0 });
    expect(Object.keys(runs[0]).sort()).toEqual(['before', 'inputs', 'level', 'msg', 'rawDays', 'service', 'time'].sort());
  });

  it('erases one customer: keys, summaries, raw bytes, unpublished events; a tombstone and an audit row without PII', async () => {
    const b1 = await ingest(adfLead(bob, { leadId: 'L-4003' }), daysAgo(4));
    const a1 = await ingest(adfLead(alice, { leadId: 'L-4001' }), daysAgo(3), { signals: { sender: 'alicia.quintero@example.org' } });
    const a2 = await ingest(adfLead({ ...alice, email: undefined }, { leadId: 'L-4002', model: 'CX-90' }), daysAgo(2)); // found by phone alone
    // Bob's lead that also names Alice's email: it bridges two customers, and stays with the older one, Bob.
    const bridge = await ingest(adfLead({ ...bob, email: `${bob.email}; ${alice.email}` }, { leadId: 'L-4004', model: 'MX-5' }), daysAgo(1));
    const aliceId = a1.leads[0].customerId;
    const bobId = b1.leads[0].customerId;
    expect(a2.leads[0].customerId).toBe(aliceId);
    expect(bridge.leads[0].customerId).toBe(bobId);
    // Bob's first event is already published; everything else waits in the outbox.
    const [bobEvent] = (await store.pendingEvents(10)).filter((e) => e.key === bobId);
    await store.markSent([bobEvent.seq], new Date().toISOString());
    const pendingBefore = await store.countPending();

    const target = erasureTarget(config, { emails: ['  ALICIA.QUINTERO@example.org '] });
    expect(target).toEqual({ emails: ['alicia.quintero@example.org'], phones: [] });
    const dry = await eraseCustomer(store, config, target, { dryRun: true });
    expect(dry).toMatchObject({ customerIds: [aliceId], leads: 3, inputs: 3, events: 3 });
    expect(peek('SELECT * FROM customer_keys WHERE customer_id = ?', aliceId).length).toBeGreaterThan(0);
    expect(await store.countPending()).toBe(pendingBefore);
    expect(peek('SELECT * FROM erasures')).toEqual([]);

    const r = await eraseCustomer(store, config, target);
    expect(r).toMatchObject({ customerIds: [aliceId], leads: 3, inputs: 3, events: 3, requestHash: erasureRequestHash(target) });

    // Alice: no identity key, summaries redacted, no dedup keys, raw bytes and signals gone.
    expect(peek('SELECT * FROM customer_keys WHERE customer_id = ?', aliceId)).toEqual([]);
    for (const res of [a1, a2, bridge]) {
      const [lead] = await store.leadsOfInput(res.inputId);
      expect(lead.summary).toEqual({ emails: [], phones: [], vehicles: [] });
      expect(lead.erasedAt).toBe(r.erasedAt);
      expect(lead.contentHash).toBeUndefined();
      expect(peek('SELECT * FROM lead_keys WHERE lead_id = ?', lead.leadId)).toEqual([]);
      const input = (await store.getInput(res.inputId))!;
      expect(input.bytes.length).toBe(0);
      expect(input.signals).toBeUndefined();
      expect(input.purgedAt).toBe(r.erasedAt);
    }
    // Bob: untouched, except that his bridging lead lost Alice's data with it.
    expect(peek<{ key: string }>('SELECT key FROM customer_keys WHERE customer_id = ? ORDER BY key', bobId).map((k) => k.key)).toEqual(['email:bart.okafor@example.net', 'phone:+17143769120']);
    const [bobLead] = await store.leadsOfInput(b1.inputId);
    expect(bobLead.summary.emails).toEqual(['bart.okafor@example.net']);
    expect((await store.getInput(b1.inputId))!.bytes.equals(adfLead(bob, { leadId: 'L-4003' }))).toBe(true);

    // Outbox: Alice's and the bridging lead's unpublished events are gone; Bob's remains; one tombstone for Alice.
    const pending = await store.pendingEvents(100);
    const values = pending.map((e) => JSON.parse(e.value));
    expect(values.filter((v) => v.type !== 'com.leadgate.customer.erased').map((v) => v.subject)).toEqual([]);
    const tombstone = pending.find((e) => e.key === aliceId)!;
    const ce = JSON.parse(tombstone.value);
    expectValidEvent(ce);
    expect(ce).toMatchObject({ type: 'com.leadgate.customer.erased', subject: aliceId, partitionkey: aliceId, data: { customerId: aliceId, dealerId: 'tustin-mazda', erasedAt: r.erasedAt } });
    expect(tombstone.topic).toBe(config.topics.leads);
    expect(peek('SELECT seq FROM outbox WHERE seq = ?', bobEvent.seq)).toHaveLength(1);

    // The audit row: counts, time and the request's hash; the values themselves nowhere.
    const audit = peek<Record<string, unknown>>('SELECT * FROM erasures');
    expect(audit).toEqual([{ id: 1, erased_at: r.erasedAt, request_sha256: r.requestHash, scope: null, customers: 1, leads: 3, inputs: 3, events: 3 }]);

    // Nothing of Alice is left in the database file or its WAL (secure_delete + checkpoint).
    for (const f of [file, `${file}-wal`]) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(f);
      } catch {
        continue;
      }
      for (const v of ['alicia.quintero@example.org', 'Quintero', '+12133734253', 'Larkspur']) expect(bytes.includes(Buffer.from(v)), `${v} in ${f}`).toBe(false);
    }

    // Alice writes again: a new customer, a new lead (not a duplicate of what was erased).
    const again = await ingest(adfLead(alice, { leadId: 'L-4001' }), daysAgo(0));
    expect(again.leads[0]).toMatchObject({ outcome: 'received' });
    expect(again.leads[0].customerId).not.toBe(aliceId);
    expect((await eraseCustomer(store, config, target)).customerIds).toEqual([again.leads[0].customerId]);
  });

  it('erases by phone (normalized like the pipeline) and only in the scope asked for', async () => {
    const a = await ingest(adfLead(alice, { leadId: 'L-5001' }), daysAgo(1));
    const elsewhere = await ingest(adfLead(alice, { leadId: 'L-5002', vendor: 'Mission Viejo Kia' }), daysAgo(1));
    const target = erasureTarget(config, { phones: ['213.373.4253'], dealer: 'mission-viejo-kia' });
    expect(target).toEqual({ emails: [], phones: ['+12133734253'], scope: 'mission-viejo-kia' });
    const r = await eraseCustomer(store, config, target);
    expect(r.customerIds).toEqual([elsewhere.leads[0].customerId]);
    expect(r.leads).toBe(1);
    expect((await store.getInput(a.inputId))!.bytes.length).toBeGreaterThan(0);
    expect(peek('SELECT * FROM customer_keys WHERE customer_id = ?', a.leads[0].customerId)).toHaveLength(2);
    // Nobody matches: nothing happens, but the request is still on record.
    expect(await eraseCustomer(store, config, erasureTarget(config, { emails: ['nobody@example.com'] }))).toMatchObject({ customerIds: [], leads: 0, inputs: 0, events: 0 });
    expect(peek('SELECT * FROM erasures')).toHaveLength(2);
  });

  it('refuses erase values that cannot be identity keys, and maps a group dealer to its shared scope', () => {
    expect(() => erasureTarget(config, { emails: ['not-an-email'] })).toThrow(/email #1/);
    expect(() => erasureTarget(config, { phones: ['555-0100'] })).toThrow(/phone #1/);
    expect(() => erasureTarget(config, {})).toThrow(/--email or --phone/);
    const grouped = loadConfig({
      env: {},
      overrides: { dealers: [{ id: 'tustin-mazda', name: 'Tustin Mazda', group: 'auto-group' }, { id: 'solo', name: 'Solo' }], groups: [{ id: 'auto-group', name: 'Auto Group', identityScope: 'group' }] },
    });
    // The same scope the pipeline files the group's customers under (resolve-dealer scopeOf).
    expect(erasureTarget(grouped, { emails: ['a@example.com'], dealer: 'tustin-mazda' }).scope).toBe('group:auto-group');
    expect(erasureTarget(grouped, { emails: ['a@example.com'], dealer: 'solo' }).scope).toBe('solo');
  });
});

describe('data files from before retention', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The tables as the first release created them, with one accepted input and its lead. */
  function oldDataFile(file: string): void {
    const db = new Database(file);
    db.exec(`
      CREATE TABLE inputs (id TEXT PRIMARY KEY, sha256 TEXT NOT NULL, content_type TEXT NOT NULL, size INTEGER NOT NULL, received_at TEXT NOT NULL,
        transport TEXT NOT NULL, dealer_id TEXT, idempotency_key TEXT, outcome TEXT NOT NULL, error_code TEXT, error_message TEXT, bytes BLOB NOT NULL);
      CREATE INDEX inputs_received ON inputs(received_at);
      CREATE TABLE customer_keys (scope TEXT NOT NULL, key TEXT NOT NULL, customer_id TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (scope, key));
      CREATE TABLE leads (lead_id TEXT PRIMARY KEY, scope TEXT NOT NULL, customer_id TEXT NOT NULL, input_id TEXT NOT NULL, received_at TEXT NOT NULL, duplicate_of TEXT, summary TEXT NOT NULL);
      CREATE TABLE lead_keys (scope TEXT NOT NULL, key TEXT NOT NULL, lead_id TEXT NOT NULL, PRIMARY KEY (scope, key));
      CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, topic TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
        headers TEXT NOT NULL, created_at TEXT NOT NULL, sent_at TEXT);
    `);
    db.prepare(`INSERT INTO inputs VALUES ('in-1', ?, 'application/xml', 4, '2025-01-01T00:00:00.000Z', 'http', NULL, NULL, 'accepted', NULL, NULL, ?)`).run('a'.repeat(64), Buffer.from('<a/>'));
    db.prepare(`INSERT INTO leads VALUES ('lead-1', 'tustin-mazda', 'cust-1', 'in-1', '2025-01-01T00:00:00.000Z', NULL, '{"emails":["x@example.com"],"phones":[],"vehicles":[]}')`).run();
    db.close();
  }

  it('adds the new columns in place, keeps every row, and sets the schema version', async () => {
    const file = join(dir, 'leadgate.db');
    oldDataFile(file);
    const store = new SqliteStore(file);
    const input = (await store.getInput('in-1'))!;
    expect(input).toMatchObject({ id: 'in-1', outcome: 'accepted', bytes: Buffer.from('<a/>') });
    expect(input.adapter).toBeUndefined();
    expect(input.purgedAt).toBeUndefined();
    const [lead] = await store.leadsOfInput('in-1');
    expect(lead).toMatchObject({ leadId: 'lead-1', scope: 'tustin-mazda' });
    expect(lead.contentHash).toBeUndefined();
    // An old lead row has no dealer_id: the dealer filter falls back to its scope.
    expect((await store.listInputs({ dealerId: 'tustin-mazda' })).map((i) => i.id)).toEqual(['in-1']);
    expect(await store.purgeRaw('2026-01-01T00:00:00.000Z')).toBe(1);
    await store.close();

    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    const cols = (t: string): string[] => (db.prepare(`PRAGMA table_info(${t})`).all() as Array<{ name: string }>).map((c) => c.name);
    expect(cols('inputs')).toEqual(expect.arrayContaining(['adapter', 'signals', 'purged_at']));
    expect(cols('leads')).toEqual(expect.arrayContaining(['dealer_id', 'draft_index', 'content_hash', 'erased_at']));
    db.close();
    // Opening it again changes nothing.
    const again = new SqliteStore(file);
    expect((await again.getInput('in-1'))!.purgedAt).toBeDefined();
    await again.close();
  });

  it('refuses a data file written by a newer leadgate', () => {
    const file = join(dir, 'leadgate.db');
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    expect(() => new SqliteStore(file)).toThrow(/newer than this leadgate/);
  });
});

describe('leadgate purge and erase on the command line', () => {
  const run = promisify(execFile);
  const cli = (args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, env: { ...process.env, LEADGATE_LOG_LEVEL: 'silent' } });

  it('purges, and erases only with --yes', async () => {
    const dir = tempDir();
    try {
      const store = new SqliteStore(join(dir, 'leadgate.db'));
      const pipeline = new Pipeline(loadConfig({ env: {}, overrides: { dataDir: dir } }), store, silentLogger);
      const old = await pipeline.ingest({ bytes: adfLead(alice), contentType: 'application/xml', transport: 'http', receivedAt: new Date(Date.now() - 10 * DAY).toISOString() });
      const ancient = await pipeline.ingest({ bytes: adfLead(bob), contentType: 'application/xml', transport: 'http', receivedAt: new Date(Date.now() - 400 * DAY).toISOString() });
      expect(await store.purgeRaw(new Date(Date.now() - 100 * DAY).toISOString())).toBe(1);
      await store.close();
      writeFileSync(join(dir, 'leadgate.json'), JSON.stringify({ retention: { rawDays: 30 } }));

      // Each CLI run compiles with tsx (slow on a busy machine): the read-only ones run side by side.
      const [purged, dry, refused, raw] = await Promise.all([
        cli(['purge', '--data-dir', dir, '--config', join(dir, 'leadgate.json')]),
        cli(['purge', '--older-than', '7', '--dry-run', '--data-dir', dir]),
        cli(['erase', '--email', alice.email!, '--data-dir', dir]).catch((e) => e),
        cli(['raw', ancient.inputId, '--data-dir', dir]).catch((e) => e),
      ]);
      expect(raw.code).toBe(2);
      expect(raw.stderr).toMatch(/were purged at .*its record remains/);
      expect(purged.stdout).toMatch(/^purged the raw bytes of 0 input\(s\)/); // retention.rawDays = 30 from the file
      expect(dry.stdout).toMatch(/^would purge the raw bytes of 1 input\(s\)/);
      expect(refused.code).toBe(64);
      expect(refused.stderr).toMatch(/--yes/);
      const done = await cli(['erase', '--phone', alice.phone!, '--yes', '--data-dir', dir]);
      expect(done.stdout).toMatch(/^erased 1 customer\(s\): 1 lead\(s\) redacted, raw bytes of 1 input\(s\) dropped, 1 unpublished event\(s\) deleted, 1 tombstone\(s\) queued/);
      // The operator's own values are printed nowhere.
      expect(done.stdout + done.stderr).not.toContain('373');

      const reopened = new SqliteStore(join(dir, 'leadgate.db'));
      expect((await reopened.getInput(old.inputId))!.bytes.length).toBe(0);
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

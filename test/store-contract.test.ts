// One suite, two stores: SQLite (one machine) and PostgreSQL (several instances) must decide and keep the same things — archive, identity, dedup index, outbox claims, retention, erasure — and PostgreSQL must keep deciding like one store when several instances race.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { LeadgateError } from '../src/errors.js';
import { dedupe } from '../src/pipeline/dedupe.js';
import { identify } from '../src/pipeline/identify.js';
import type { ArchivedInput, LeadRecord, NewEvent, OutboxEvent, Store } from '../src/store.js';
import { PostgresStore } from '../src/stores/postgres.js';
import { MIGRATIONS, OUTBOX_PARTITIONS } from '../src/stores/postgres-migrations.js';
import { SqliteStore } from '../src/stores/sqlite.js';
import { tempDir } from './support/gateway.js';
import { createTestDatabase, testDatabaseServer, type TestDatabase } from './support/postgres.js';

interface Harness {
  name: 'sqlite' | 'postgres';
  /** Whether several stores (processes) can share one database. */
  shared: boolean;
  skip: boolean;
  setupFile(): Promise<void>;
  teardownFile(): Promise<void>;
  /** A fresh, empty store for one test. */
  open(): Promise<Store>;
  /** Another store on the same database, as another gateway instance would open it (SQLite: the same store). */
  peer(): Promise<Store>;
  closeAll(): Promise<void>;
}

function sqliteHarness(): Harness {
  let dir = '';
  let store: SqliteStore | undefined;
  return {
    name: 'sqlite',
    shared: false,
    skip: false,
    async setupFile() {},
    async teardownFile() {},
    async open() {
      dir = tempDir();
      store = new SqliteStore(join(dir, 'leadgate.db'));
      return store;
    },
    async peer() {
      return store!;
    },
    async closeAll() {
      await store?.close();
      store = undefined;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresHarness(): Harness {
  let db: TestDatabase | undefined;
  let stores: PostgresStore[] = [];
  return {
    name: 'postgres',
    shared: true,
    skip: !testDatabaseServer(),
    async setupFile() {
      db = await createTestDatabase('contract');
    },
    async teardownFile() {
      await db?.drop();
    },
    async open() {
      const store = new PostgresStore(db!.url, { poolSize: 8 });
      await store.migrate();
      // One database per file; each test starts from empty tables.
      await store.pool.query('TRUNCATE inputs, customer_keys, leads, lead_keys, outbox, erasures RESTART IDENTITY');
      stores.push(store);
      return store;
    },
    async peer() {
      const store = new PostgresStore(db!.url, { poolSize: 8 });
      stores.push(store);
      return store;
    },
    async closeAll() {
      await Promise.all(stores.map((s) => s.close()));
      stores = [];
    },
  };
}

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

function input(id: string, over: Partial<ArchivedInput> = {}): ArchivedInput {
  return {
    id,
    sha256: 'ab'.repeat(32),
    contentType: 'application/xml; charset=utf-8',
    size: 9,
    receivedAt: at(0),
    transport: 'http',
    bytes: Buffer.from(`<adf>${id}</adf>`),
    outcome: 'accepted',
    ...over,
  };
}

function lead(leadId: string, over: Partial<LeadRecord> = {}): LeadRecord {
  return {
    leadId,
    scope: 'dealer-a',
    customerId: 'cust-1',
    inputId: 'in-1',
    receivedAt: at(0),
    summary: { emails: ['pat@example.com'], phones: ['+15555550100'], vehicles: [{ interest: 'buy', year: 2024, make: 'Kia', model: 'EV9' }], comments: 'Call after 5' },
    ...over,
  };
}

function event(id: string, key: string, over: Partial<NewEvent> = {}): NewEvent {
  return { id, topic: 'leads', key, value: JSON.stringify({ id }), headers: { ce_id: id, ce_subject: `lead-${id}` }, ...over };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Claim and publish everything claimable, collecting what was published. */
async function drainAll(store: Store, limit = 100): Promise<OutboxEvent[]> {
  const out: OutboxEvent[] = [];
  while ((await store.claimPending(limit, async (batch) => void out.push(...batch))) > 0);
  return out;
}

describe.each([sqliteHarness(), postgresHarness()])('store contract: $name', (h) => {
  let store: Store;
  beforeAll(async () => {
    if (!h.skip) await h.setupFile();
  });
  afterAll(async () => {
    if (!h.skip) await h.teardownFile();
  });
  beforeEach(async (ctx) => {
    if (h.skip) ctx.skip();
    store = await h.open();
  });
  afterEach(async () => {
    if (!h.skip) await h.closeAll();
  });

  describe('raw archive', () => {
    it('keeps the exact bytes and what the transport knew, and lists inputs without bytes in (receivedAt, id) order', async () => {
      const bytes = Buffer.from([0x3c, 0x61, 0xff, 0x00, 0xe9, 0x3e]); // not UTF-8: stored as bytes, not text
      await store.transaction(async (tx) => {
        await tx.archiveInput(input('in-b', { receivedAt: at(1), bytes, size: bytes.length, dealerId: 'dealer-a', idempotencyKey: '<m1@example.com>', adapter: 'cargurus', signals: { sender: 'leads@cargurus.example', credential: { id: 'cg', provider: 'CarGurus' } } }));
        await tx.archiveInput(input('in-a', { receivedAt: at(1) }));
        await tx.archiveInput(input('in-r', { receivedAt: at(2), outcome: 'rejected', errorCode: 'not_a_lead', errorMessage: 'no ADF or STAR document' }));
        await tx.archiveInput(input('in-0', { receivedAt: at(0) }));
      });
      const got = await store.getInput('in-b');
      expect(got).toEqual({
        id: 'in-b',
        sha256: 'ab'.repeat(32),
        contentType: 'application/xml; charset=utf-8',
        size: bytes.length,
        receivedAt: at(1),
        transport: 'http',
        dealerId: 'dealer-a',
        idempotencyKey: '<m1@example.com>',
        adapter: 'cargurus',
        signals: { sender: 'leads@cargurus.example', credential: { id: 'cg', provider: 'CarGurus' } },
        bytes,
        outcome: 'accepted',
      });
      expect(Buffer.compare(got!.bytes, bytes)).toBe(0);
      expect(await store.getInput('nope')).toBeUndefined();

      const all = await store.listInputs({});
      expect(all.map((i) => i.id)).toEqual(['in-0', 'in-a', 'in-b', 'in-r']);
      expect(all.every((i) => !('bytes' in i))).toBe(true);
      expect((await store.listInputs({ outcome: 'rejected' }))[0]).toMatchObject({ id: 'in-r', errorCode: 'not_a_lead', errorMessage: 'no ADF or STAR document' });
      expect((await store.listInputs({ since: at(1), until: at(2) })).map((i) => i.id)).toEqual(['in-a', 'in-b']);
      expect((await store.listInputs({ dealerId: 'dealer-a' })).map((i) => i.id)).toEqual(['in-b']);
      // Paging: after an id, in the same order; limit.
      expect((await store.listInputs({ afterId: 'in-a' })).map((i) => i.id)).toEqual(['in-b', 'in-r']);
      expect((await store.listInputs({ limit: 2 })).map((i) => i.id)).toEqual(['in-0', 'in-a']);
    });

    it('finds an input by the dealer its leads were filed under, not only the transport dealer', async () => {
      await store.transaction(async (tx) => {
        await tx.archiveInput(input('in-1'));
        await tx.insertLead(lead('l-1', { scope: 'group:metro', dealerId: 'dealer-b' }), []);
        await tx.archiveInput(input('in-2', { receivedAt: at(1) }));
        await tx.insertLead(lead('l-2', { inputId: 'in-2', scope: 'dealer-c' }), []);
      });
      expect((await store.listInputs({ dealerId: 'dealer-b' })).map((i) => i.id)).toEqual(['in-1']);
      // Leads without dealerId fall back to their scope.
      expect((await store.listInputs({ dealerId: 'dealer-c' })).map((i) => i.id)).toEqual(['in-2']);
    });

    it('rolls back everything a transaction did when it throws, and passes the error through', async () => {
      const err = new LeadgateError('no_customer_contact', 'test');
      await expect(
        store.transaction(async (tx) => {
          await tx.archiveInput(input('in-x'));
          await tx.linkCustomerKeys('dealer-a', 'cust-x', ['email:x@example.com'], at(0));
          await tx.insertLead(lead('l-x', { inputId: 'in-x' }), ['sha:x#0']);
          await tx.enqueue([event('e-x', 'cust-x')]);
          throw err;
        }),
      ).rejects.toBe(err);
      expect(await store.getInput('in-x')).toBeUndefined();
      expect(await store.countPending()).toBe(0);
      await store.transaction(async (tx) => {
        expect(await tx.findCustomers('dealer-a', ['email:x@example.com'])).toEqual([]);
        expect(await tx.findLeadByKeys('dealer-a', ['sha:x#0'])).toBeUndefined();
      });
    });
  });

  describe('identity', () => {
    it('links keys to a customer per scope, oldest customer first, and never moves a key already taken', async () => {
      await store.transaction(async (tx) => {
        expect(await tx.findCustomers('dealer-a', ['email:pat@example.com'])).toEqual([]);
        await tx.linkCustomerKeys('dealer-a', 'cust-old', ['email:pat@example.com'], at(0));
        await tx.linkCustomerKeys('dealer-a', 'cust-new', ['phone:+15555550100'], at(5));
      });
      await store.transaction(async (tx) => {
        // A lead naming both: the oldest customer first, whatever the key order.
        expect(await tx.findCustomers('dealer-a', ['phone:+15555550100', 'email:pat@example.com'])).toEqual(['cust-old', 'cust-new']);
        await tx.linkCustomerKeys('dealer-a', 'cust-old', ['email:pat@example.com', 'phone:+15555550100', 'email:pat2@example.com'], at(9));
        expect(await tx.findCustomers('dealer-a', ['phone:+15555550100'])).toEqual(['cust-new']);
        expect(await tx.findCustomers('dealer-a', ['email:pat2@example.com'])).toEqual(['cust-old']);
        // Another scope knows nobody.
        expect(await tx.findCustomers('dealer-b', ['email:pat@example.com'])).toEqual([]);
        expect(await tx.findCustomers('dealer-a', [])).toEqual([]);
      });
    });
  });

  describe('dedup index', () => {
    it('remembers which lead first claimed each key, with the whole lead record', async () => {
      const first = lead('l-1', { dealerId: 'dealer-a', draftIndex: 0, contentHash: 'c'.repeat(64) });
      await store.transaction(async (tx) => {
        await tx.archiveInput(input('in-1'));
        await tx.insertLead(first, ['sha:aa#0', 'ext:cargurus|123']);
      });
      await store.transaction(async (tx) => {
        await tx.archiveInput(input('in-2', { receivedAt: at(3) }));
        // A later lead claiming an already-claimed key does not take it over.
        await tx.insertLead(lead('l-2', { inputId: 'in-2', receivedAt: at(3), duplicateOf: 'l-1' }), ['sha:bb#0', 'ext:cargurus|123']);
      });
      await store.transaction(async (tx) => {
        const hit = await tx.findLeadByKeys('dealer-a', ['nope', 'ext:cargurus|123', 'sha:aa#0']);
        expect(hit).toEqual({ key: 'ext:cargurus|123', lead: first });
        expect((await tx.findLeadByKeys('dealer-a', ['sha:bb#0']))?.lead).toMatchObject({ leadId: 'l-2', duplicateOf: 'l-1', receivedAt: at(3) });
        expect(await tx.findLeadByKeys('dealer-b', ['sha:aa#0'])).toBeUndefined();
        expect(await tx.findLeadByKeys('dealer-a', [])).toBeUndefined();
      });
      expect(await store.leadsOfInput('in-1')).toEqual([first]);
    });

    it("returns a customer's recent leads oldest first, from `since` on", async () => {
      await store.transaction(async (tx) => {
        await tx.insertLead(lead('l-old', { receivedAt: at(-100) }), []);
        await tx.insertLead(lead('l-b', { receivedAt: at(2) }), []);
        await tx.insertLead(lead('l-a', { receivedAt: at(1) }), []);
        await tx.insertLead(lead('l-other', { receivedAt: at(1), customerId: 'cust-2' }), []);
      });
      await store.transaction(async (tx) => {
        expect((await tx.recentLeadsOfCustomer('dealer-a', 'cust-1', at(0))).map((l) => l.leadId)).toEqual(['l-a', 'l-b']);
      });
    });

    it('corrects a lead only when its content hash is still the expected one (compare-and-set)', async () => {
      await store.transaction(async (tx) => tx.insertLead(lead('l-1', { contentHash: 'h1' }), []));
      const next = { contentHash: 'h2', summary: { emails: ['pat@example.com'], phones: [], vehicles: [] } };
      expect(await store.transaction((tx) => tx.updateLeadContent('l-1', 'h0', next))).toBe(false);
      expect(await store.transaction((tx) => tx.updateLeadContent('l-1', 'h1', next))).toBe(true);
      expect(await store.transaction((tx) => tx.updateLeadContent('l-1', 'h1', next))).toBe(false);
      expect((await store.leadsOfInput('in-1'))[0]).toMatchObject({ contentHash: 'h2', summary: next.summary });
    });

    it('turns a rejected input into an accepted one once', async () => {
      await store.transaction(async (tx) => tx.archiveInput(input('in-r', { outcome: 'rejected', errorCode: 'not_a_lead', errorMessage: 'x' })));
      expect(await store.transaction((tx) => tx.markInputAccepted('in-r'))).toBe(true);
      expect(await store.transaction((tx) => tx.markInputAccepted('in-r'))).toBe(false);
      const got = await store.getInput('in-r');
      expect(got?.outcome).toBe('accepted');
      expect(got?.errorCode).toBeUndefined();
    });
  });

  describe('outbox and claims', () => {
    it('publishes in commit order through claims, marks what the sink took, keeps what it refused', async () => {
      await store.transaction(async (tx) => tx.enqueue([event('e1', 'c1'), event('e2', 'c2')]));
      await store.transaction(async (tx) => tx.enqueue([event('e3', 'c1', { headers: { ce_id: 'e3', 'x-ü': 'ünïcode' } })]));
      expect(await store.countPending()).toBe(3);
      const stats = await store.outboxStats();
      expect(stats.pending).toBe(3);
      expect(Date.parse(stats.oldestCreatedAt!)).toBeGreaterThan(Date.now() - 60_000);
      expect((await store.pendingEvents(10)).map((e) => e.id)).toEqual(['e1', 'e2', 'e3']);

      // The sink fails: nothing is marked; the same events (same ids) come again.
      await expect(store.claimPending(10, async () => Promise.reject(new Error('sink down')))).rejects.toThrow('sink down');
      expect(await store.countPending()).toBe(3);

      const first: OutboxEvent[] = [];
      expect(await store.claimPending(2, async (b) => void first.push(...b))).toBe(2);
      expect(first.map((e) => e.id)).toEqual(['e1', 'e2']);
      expect(first[0]).toMatchObject({ topic: 'leads', key: 'c1', value: JSON.stringify({ id: 'e1' }), headers: { ce_id: 'e1', ce_subject: 'lead-e1' } });
      const rest = await drainAll(store);
      expect(rest.map((e) => [e.id, e.headers])).toEqual([['e3', { ce_id: 'e3', 'x-ü': 'ünïcode' }]]);
      expect(await store.countPending()).toBe(0);
      expect(await store.outboxStats()).toEqual({ pending: 0 });
      expect(await store.claimPending(10, async () => Promise.reject(new Error('not called')))).toBe(0);
    });

    it('never hands the same event to two claims at once, and keeps each key in commit order', async () => {
      const keys = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];
      await store.transaction(async (tx) => tx.enqueue(Array.from({ length: 120 }, (_, i) => event(`e${i}`, keys[i % keys.length]))));
      const relays = [store, await h.peer(), await h.peer()];
      const published: OutboxEvent[] = [];
      // Three relays claim concurrently; publishing takes a while, so claims overlap.
      await Promise.all(
        relays.map(async (s) => {
          for (let idle = 0; idle < 3; ) {
            const n = await s.claimPending(5, async (batch) => {
              // Uneven publish times: a later claim could finish first if claims were not kept apart per key.
              await sleep(2 + Math.random() * 15);
              published.push(...batch);
            });
            if (n === 0) {
              idle++;
              await new Promise((r) => setTimeout(r, 10));
            } else idle = 0;
          }
        }),
      );
      const ids = published.map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(120);
      for (const k of keys) {
        const seqs = published.filter((e) => e.key === k).map((e) => e.seq);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      }
      expect(await store.countPending()).toBe(0);
    });
  });

  describe('concurrent intake decides like one transaction at a time', () => {
    it('gives one customer id to concurrent first leads of the same new customer', async () => {
      const instances = [store, await h.peer(), await h.peer()];
      const keys = ['email:new@example.com', 'phone:+15555550123'];
      const ids = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          instances[i % instances.length].transaction(async (tx) => {
            // Each lead names a different subset of the customer's keys, all sharing the email.
            const mine = i % 2 ? keys : [keys[0]];
            const found = await tx.findCustomers('dealer-a', mine);
            await sleep(20);
            const customerId = found[0] ?? `cust-${i}`;
            await tx.linkCustomerKeys('dealer-a', customerId, mine, at(0));
            return customerId;
          }),
        ),
      );
      expect(new Set(ids).size).toBe(1);
      await store.transaction(async (tx) => expect(await tx.findCustomers('dealer-a', keys)).toEqual([ids[0]]));
    });

    it('lets exactly one of several identical concurrent leads be the first (dedup keys alone, no identity keys)', async () => {
      const instances = [store, await h.peer(), await h.peer()];
      const summary = { emails: [], phones: [], vehicles: [] };
      const decisions = await Promise.all(
        Array.from({ length: 9 }, (_, i) =>
          instances[i % instances.length].transaction(async (tx) => {
            const leadId = `l-${i}`;
            await tx.archiveInput(input(`in-${i}`));
            // A name-only customer: no identity key, so nothing but the dedup keys can make these meet.
            const { customerId, known } = await identify(tx, 'dealer-a', [], at(0));
            const keys = ['sha:same#0', 'ext:autotrader|99'];
            const dup = await dedupe(tx, { scope: 'dealer-a', customerId, knownCustomer: known, keys, summary, receivedAt: at(0), windowDays: 30 });
            await sleep(20); // decided, not yet written: the moment a racing instance must not slip through
            await tx.insertLead(lead(leadId, { inputId: `in-${i}`, customerId, ...(dup ? { duplicateOf: dup.duplicateOf } : {}) }), keys);
            await tx.enqueue([event(`e-${i}`, customerId)]);
            return { leadId, duplicateOf: dup?.duplicateOf };
          }),
        ),
      );
      const firsts = decisions.filter((d) => !d.duplicateOf);
      expect(firsts).toHaveLength(1);
      expect(decisions.filter((d) => d.duplicateOf === firsts[0].leadId)).toHaveLength(8);
    });

    it('serializes two different leads of one known customer that share no key (email vs phone), so content dedupe sees the first', async () => {
      await store.transaction(async (tx) => tx.linkCustomerKeys('dealer-a', 'cust-1', ['email:pat@example.com', 'phone:+15555550100'], at(-10)));
      const instances = [store, await h.peer()];
      const summary = lead('x').summary; // same vehicle
      const decisions = await Promise.all(
        [['email:pat@example.com'], ['phone:+15555550100'], ['email:pat@example.com'], ['phone:+15555550100']].map((keys, i) =>
          instances[i % 2].transaction(async (tx) => {
            const { customerId, known } = await identify(tx, 'dealer-a', keys, at(i));
            const dedupKeys = [`sha:distinct-${i}#0`];
            const dup = await dedupe(tx, { scope: 'dealer-a', customerId, knownCustomer: known, keys: dedupKeys, summary, receivedAt: at(i), windowDays: 30 });
            await sleep(20);
            await tx.insertLead(lead(`l-${i}`, { customerId, receivedAt: at(i), ...(dup ? { duplicateOf: dup.duplicateOf } : {}) }), dedupKeys);
            return dup?.duplicateOf;
          }),
        ),
      );
      expect(decisions.filter((d) => d === undefined)).toHaveLength(1);
    });
  });

  describe('retention and erasure', () => {
    it('purges the bytes (and signals) of old inputs once, keeps their records, and drops old published events', async () => {
      await store.transaction(async (tx) => {
        await tx.archiveInput(input('in-old', { receivedAt: at(-60), signals: { sender: 'a@b.example' } }));
        await tx.archiveInput(input('in-new', { receivedAt: at(60) }));
        await tx.enqueue([event('e-unsent', 'c1')]);
      });
      const before = new Date(Date.now() + 60_000).toISOString();
      expect(await store.purgeRaw(at(0))).toBe(1);
      expect(await store.purgeRaw(at(0))).toBe(0);
      const old = await store.getInput('in-old');
      expect(old).toMatchObject({ id: 'in-old', sha256: 'ab'.repeat(32), size: 9, outcome: 'accepted' });
      expect(old!.bytes.length).toBe(0);
      expect(old!.signals).toBeUndefined();
      expect(old!.purgedAt).toBeDefined();
      expect((await store.getInput('in-new'))!.bytes.length).toBeGreaterThan(0);
      expect((await store.listInputs({ purged: true })).map((i) => i.id)).toEqual(['in-old']);
      expect((await store.listInputs({ purged: false })).map((i) => i.id)).toEqual(['in-new']);
      // Unpublished events are never purged; published ones older than the cut are.
      await store.purgeRaw(before);
      expect(await store.countPending()).toBe(1);
      await drainAll(store);
      await store.purgeRaw(before);
      expect(await store.countPending()).toBe(0);
    });

    it("erases one customer's keys, lead summaries, input bytes and unpublished events, and records only a hash", async () => {
      await store.transaction(async (tx) => {
        await tx.archiveInput(input('in-1'));
        await tx.linkCustomerKeys('dealer-a', 'cust-1', ['email:pat@example.com', 'phone:+15555550100'], at(0));
        await tx.insertLead(lead('l-1', { contentHash: 'h' }), ['sha:1#0']);
        await tx.enqueue([event('e-1', 'cust-1', { headers: { ce_subject: 'l-1' } })]);
        // Someone else, untouched.
        await tx.archiveInput(input('in-2'));
        await tx.linkCustomerKeys('dealer-a', 'cust-2', ['email:sam@example.com'], at(0));
        await tx.insertLead(lead('l-2', { inputId: 'in-2', customerId: 'cust-2', summary: { emails: ['sam@example.com'], phones: [], vehicles: [] } }), ['sha:2#0']);
        await tx.enqueue([event('e-2', 'cust-2', { headers: { ce_subject: 'l-2' } })]);
      });
      const dry = await store.eraseCustomer({ emails: ['pat@example.com'], phones: [], dryRun: true });
      expect(dry).toMatchObject({ customerIds: ['cust-1'], leads: 1, inputs: 1, events: 1 });
      expect(await store.countPending()).toBe(2);

      const result = await store.eraseCustomer({
        emails: ['pat@example.com'],
        phones: [],
        tombstone: ({ customerId }) => event(`tomb-${customerId}`, customerId, { headers: { ce_subject: customerId } }),
      });
      expect(result).toMatchObject({ customerIds: ['cust-1'], leads: 1, inputs: 1, events: 1 });
      expect(result.requestHash).toMatch(/^[0-9a-f]{64}$/);
      await store.transaction(async (tx) => {
        expect(await tx.findCustomers('dealer-a', ['email:pat@example.com', 'phone:+15555550100'])).toEqual([]);
        expect(await tx.findLeadByKeys('dealer-a', ['sha:1#0'])).toBeUndefined();
        expect(await tx.findCustomers('dealer-a', ['email:sam@example.com'])).toEqual(['cust-2']);
      });
      const [erased] = await store.leadsOfInput('in-1');
      expect(erased.summary).toEqual({ emails: [], phones: [], vehicles: [] });
      expect(erased.erasedAt).toBeDefined();
      expect(erased.contentHash).toBeUndefined();
      expect((await store.getInput('in-1'))!.bytes.length).toBe(0);
      expect((await store.getInput('in-2'))!.bytes.length).toBeGreaterThan(0);
      expect((await store.pendingEvents(10)).map((e) => e.id)).toEqual(['e-2', 'tomb-cust-1']);
    });
  });

  describe.runIf(h.shared)('migrations', () => {
    it('are recorded once each, and instances starting at once all come up', async () => {
      const peers = await Promise.all([h.peer(), h.peer(), h.peer()]);
      await Promise.all(peers.map((p) => (p as PostgresStore).migrate()));
      const { rows } = await (store as PostgresStore).pool.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    });
  });
});

describe.skipIf(!testDatabaseServer())('PostgreSQL store only', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('pgonly');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('migrates a fresh database from several instances at once: one applies, the others find it done', async () => {
    const fresh = await createTestDatabase('migrate');
    const stores = Array.from({ length: 4 }, () => new PostgresStore(fresh.url, { poolSize: 2 }));
    try {
      const reports = await Promise.all(stores.map((s) => s.migrate()));
      expect(reports.filter((r) => r.applied.length > 0)).toHaveLength(1);
      expect(reports.every((r) => r.current === MIGRATIONS.at(-1)!.version && r.unknown.length === 0)).toBe(true);
      const c = new pg.Client({ connectionString: fresh.url });
      await c.connect();
      const { rows } = await c.query('SELECT count(*)::int AS n FROM schema_migrations');
      await c.end();
      expect(rows[0].n).toBe(MIGRATIONS.length);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await fresh.drop();
    }
  });

  it('spreads customers over the relay partitions', async () => {
    const store = new PostgresStore(db.url);
    try {
      await store.transaction(async (tx) => tx.enqueue(Array.from({ length: 200 }, (_, i) => event(`p${i}`, `customer-${i}`))));
      const { rows } = await store.pool.query<{ part: number }>('SELECT DISTINCT part FROM outbox');
      expect(rows.length).toBeGreaterThan(OUTBOX_PARTITIONS / 2);
      expect(rows.every((r) => r.part >= 0 && r.part < OUTBOX_PARTITIONS)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('answers store_unavailable (503, retry) when the database cannot be reached', async () => {
    const store = new PostgresStore('postgres://leadgate@127.0.0.1:1/nowhere');
    try {
      const err = await store.ping().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LeadgateError);
      expect((err as LeadgateError).code).toBe('store_unavailable');
      const tx = await store.transaction(async () => 1).catch((e: unknown) => e);
      expect((tx as LeadgateError).code).toBe('store_unavailable');
    } finally {
      await store.close();
    }
  });
});

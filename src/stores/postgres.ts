// The shared store for several gateway instances: PostgreSQL (pg Pool), with advisory locks on identity and dedup keys so racing instances decide like one, and a partitioned outbox that relays claim one partition at a time.
//
// Why advisory locks and not SERIALIZABLE + retry: every intake transaction reads "who holds these
// keys?" and then writes the answer. Two instances racing on the same lead (or the same new
// customer) must not both read "nobody". Unique constraints alone would let both read nobody and
// then one insert silently lose (ON CONFLICT DO NOTHING) with a second lead.received already
// decided. SERIALIZABLE would catch it, but through predicate locks whose false positives grow
// with load, each costing a full retry. Instead each transaction takes
// pg_advisory_xact_lock(space, hash(scope, key)) on the keys it is about to read — identity keys
// before findCustomers, dedup keys before findLeadByKeys, the customer before reading its recent
// leads — each call's keys in ascending order, and reads only after it holds them. READ COMMITTED
// takes a new snapshot per statement, so the read sees everything the previous holder committed.
// Transactions that share no key never wait for each other. A multi-lead input can still take
// locks in an order that deadlocks with another; PostgreSQL detects it and the transaction is
// retried whole (as on serialization failures and unique violations). The unique constraints stay
// as the last line of defence.
import pg from 'pg';
import type { PoolClient, QueryResultRow } from 'pg';
import { LeadgateError } from '../errors.js';
import {
  erasureRequestHash,
  type ArchivedInput,
  type ErasureRequest,
  type ErasureResult,
  type InputFilter,
  type LeadRecord,
  type LeadSummary,
  type NewEvent,
  type OutboxEvent,
  type Store,
  type StoreTx,
} from '../store.js';
import { MIGRATIONS, OUTBOX_PARTITIONS } from './postgres-migrations.js';

const { Pool, DatabaseError } = pg;

/** Advisory lock spaces (the first int of the two-int form), so our locks never collide with each other or with other applications' single-bigint locks. */
const LOCK = {
  migrate: 0x4c470000,
  identity: 0x4c470001,
  dedup: 0x4c470002,
  customer: 0x4c470003,
  relay: 0x4c470004,
} as const;

/** Retried whole: deadlock between two intakes, serialization failure, and a unique key taken by a racing transaction. */
const RETRYABLE = new Set(['40P01', '40001', '23505']);
const MAX_ATTEMPTS = 6;
/** Rows changed per purge statement: intake waits on them for milliseconds, not seconds. */
const PURGE_BATCH = 500;
const ERASED_SUMMARY: LeadSummary = { emails: [], phones: [], vehicles: [] };

export interface PostgresStoreOptions {
  /** Connections in the pool (default 10). */
  poolSize?: number;
}

/** 32-bit FNV-1a of scope and key: the advisory lock id. Collisions only make two unrelated keys wait for each other. */
function lockId(scope: string, key: string): number {
  let h = 0x811c9dc5;
  const s = `${scope}\u0000${key}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

function iso(v: Date | string | null): string | undefined {
  if (v === null || v === undefined) return undefined;
  return v instanceof Date ? v.toISOString() : new Date(v).toISOString();
}

interface LeadRow {
  lead_id: string;
  scope: string;
  customer_id: string;
  input_id: string;
  received_at: Date;
  duplicate_of: string | null;
  summary: LeadSummary;
  dealer_id: string | null;
  draft_index: number | null;
  content_hash: string | null;
  erased_at: Date | null;
}

interface InputRow {
  id: string;
  sha256: string;
  content_type: string;
  size: number;
  received_at: Date;
  transport: string;
  dealer_id: string | null;
  idempotency_key: string | null;
  adapter: string | null;
  signals: ArchivedInput['signals'] | null;
  outcome: 'accepted' | 'rejected';
  error_code: string | null;
  error_message: string | null;
  purged_at: Date | null;
  bytes?: Buffer;
}

interface OutboxRow {
  seq: string;
  event_id: string;
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

const LEAD_COLUMNS = 'lead_id, scope, customer_id, input_id, received_at, duplicate_of, summary, dealer_id, draft_index, content_hash, erased_at';
const INPUT_COLUMNS = 'i.id, i.sha256, i.content_type, i.size, i.received_at, i.transport, i.dealer_id, i.idempotency_key, i.adapter, i.signals, i.outcome, i.error_code, i.error_message, i.purged_at';

function toLead(r: LeadRow): LeadRecord {
  return {
    leadId: r.lead_id,
    scope: r.scope,
    customerId: r.customer_id,
    inputId: r.input_id,
    receivedAt: iso(r.received_at)!,
    ...(r.duplicate_of ? { duplicateOf: r.duplicate_of } : {}),
    summary: r.summary,
    ...(r.dealer_id ? { dealerId: r.dealer_id } : {}),
    ...(r.draft_index !== null ? { draftIndex: r.draft_index } : {}),
    ...(r.content_hash ? { contentHash: r.content_hash } : {}),
    ...(r.erased_at ? { erasedAt: iso(r.erased_at) } : {}),
  };
}

function toInput(r: InputRow): ArchivedInput {
  return {
    id: r.id,
    sha256: r.sha256,
    contentType: r.content_type,
    size: r.size,
    receivedAt: iso(r.received_at)!,
    transport: r.transport,
    ...(r.dealer_id ? { dealerId: r.dealer_id } : {}),
    ...(r.idempotency_key ? { idempotencyKey: r.idempotency_key } : {}),
    ...(r.adapter ? { adapter: r.adapter } : {}),
    ...(r.signals ? { signals: r.signals } : {}),
    outcome: r.outcome,
    ...(r.error_code ? { errorCode: r.error_code } : {}),
    ...(r.error_message ? { errorMessage: r.error_message } : {}),
    bytes: r.bytes ?? Buffer.alloc(0),
    ...(r.purged_at ? { purgedAt: iso(r.purged_at) } : {}),
  };
}

function toEvent(r: OutboxRow): OutboxEvent {
  return { seq: Number(r.seq), id: r.event_id, topic: r.topic, key: r.key, value: r.value, headers: r.headers };
}

/** SQLSTATE classes that mean "try again later": connection, resources, lock timeout, shutdown, system error, transaction rollback. */
function transientSqlState(code: string): boolean {
  return /^(08|40|53|57|58)/.test(code) || code === '55P03' || code === '55006' || code === '25P03' || code === '23505';
}

/** Database and network failures are the store being unavailable (503, retry); our own errors and bugs pass through. */
function storeError(err: unknown): unknown {
  if (err instanceof LeadgateError) return err;
  if (err instanceof DatabaseError) {
    return err.code && transientSqlState(err.code) ? new LeadgateError('store_unavailable', `store error ${err.code}`, { cause: err }) : err;
  }
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    if ((code && /^E[A-Z]+$/.test(code)) || /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended/i.test(err.message)) {
      return new LeadgateError('store_unavailable', `store connection ${code ?? 'lost'}`, { cause: err });
    }
  }
  return err;
}

function sqlState(err: unknown): string | undefined {
  return err instanceof DatabaseError ? err.code : undefined;
}

/** The connection string without its password, for logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable url)';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface MigrationReport {
  /** Versions this start applied (empty when the schema was current). */
  applied: number[];
  /** The newest version in the database. */
  current: number;
  /** Versions in the database that this build does not know (a newer instance migrated first). */
  unknown: number[];
}

export class PostgresStore implements Store {
  readonly pool: pg.Pool;
  private migrated?: Promise<MigrationReport>;
  /** Commits and retried attempts (deadlocks, unique races), for tests and the bench. */
  readonly stats = { commits: 0, retries: 0 };

  constructor(
    readonly url: string,
    opts: PostgresStoreOptions = {},
  ) {
    this.pool = new Pool({
      connectionString: url,
      max: opts.poolSize ?? 10,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30_000,
      application_name: 'leadgate',
      // A stuck instance must not hold other instances' intake forever: waiting for a key lock
      // gives up (503, the sender retries), and a transaction left idle is ended by the server.
      lock_timeout: 10_000,
      statement_timeout: 60_000,
      // The relay keeps its claim open while Kafka acknowledges; beyond this the claim is void and the events are published again.
      idle_in_transaction_session_timeout: 120_000,
    });
    // An idle pooled connection that dies (server restart) only needs replacing: the next checkout does that.
    this.pool.on('error', () => undefined);
  }

  /** Apply missing migrations (once per store; again after a failure). Every operation waits for it. */
  migrate(): Promise<MigrationReport> {
    this.migrated ??= this.applyMigrations().catch((err) => {
      this.migrated = undefined;
      throw storeError(err);
    });
    return this.migrated;
  }

  /**
   * One transaction under an exclusive advisory lock: instances starting at once queue here, and
   * the second finds the first's versions recorded. CREATE TABLE IF NOT EXISTS alone is not safe
   * for that (two sessions can both pass the check and one fails on the catalog's unique index).
   */
  private async applyMigrations(): Promise<MigrationReport> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1, 0)', [LOCK.migrate]);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
      const known = new Set(MIGRATIONS.map((m) => m.version));
      const applied: number[] = [];
      for (const m of [...MIGRATIONS].sort((a, b) => a.version - b.version)) {
        if (done.has(m.version)) continue;
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        applied.push(m.version);
        done.add(m.version);
      }
      await client.query('COMMIT');
      return { applied, current: Math.max(0, ...done), unknown: [...done].filter((v) => !known.has(v)).sort((a, b) => a - b) };
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw err;
    } finally {
      client.release(broken);
    }
  }

  private async connect(): Promise<PoolClient> {
    await this.migrate();
    try {
      return await this.pool.connect();
    } catch (err) {
      throw storeError(err);
    }
  }

  /** A read outside any transaction. */
  private async read<R extends QueryResultRow>(name: string, text: string, values: unknown[] = []): Promise<R[]> {
    await this.migrate();
    try {
      return (await this.pool.query<R>({ name, text, values })).rows;
    } catch (err) {
      throw storeError(err);
    }
  }

  /** Operations of one intake transaction on its connection; `held` remembers the advisory locks it already has. */
  private txOn(client: PoolClient): StoreTx {
    const held = new Set<string>();
    const q = <R extends QueryResultRow>(name: string, text: string, values: unknown[]) => client.query<R>({ name, text, values });
    /** Take the locks this transaction does not hold yet, in ascending id order, in one round trip. */
    const lock = async (space: number, scope: string, keys: string[]): Promise<void> => {
      const ids = [...new Set(keys.map((k) => lockId(scope, k)))].filter((id) => !held.has(`${space}:${id}`)).sort((a, b) => a - b);
      if (ids.length === 0) return;
      await q('lg_lock', 'SELECT count(pg_advisory_xact_lock($1::int, k)) FROM unnest($2::int[]) AS k', [space, ids]);
      for (const id of ids) held.add(`${space}:${id}`);
    };
    return {
      archiveInput: async (i) => {
        await q(
          'lg_archive',
          `INSERT INTO inputs (id, sha256, content_type, size, received_at, transport, dealer_id, idempotency_key, adapter, signals, outcome, error_code, error_message, bytes)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
          [i.id, i.sha256, i.contentType, i.size, i.receivedAt, i.transport, i.dealerId ?? null, i.idempotencyKey ?? null, i.adapter ?? null, i.signals ? JSON.stringify(i.signals) : null, i.outcome, i.errorCode ?? null, i.errorMessage ?? null, i.bytes],
        );
      },
      findCustomers: async (scope, keys) => {
        if (keys.length === 0) return [];
        await lock(LOCK.identity, scope, keys);
        // Oldest customer first; on equal times, the one whose key comes first in the caller's order.
        const r = await q<{ customer_id: string }>(
          'lg_find_customers',
          `SELECT ck.customer_id FROM unnest($2::text[]) WITH ORDINALITY AS k(key, ord)
             JOIN customer_keys ck ON ck.scope = $1 AND ck.key = k.key
           GROUP BY ck.customer_id ORDER BY min(ck.created_at), min(k.ord)`,
          [scope, keys],
        );
        return r.rows.map((row) => row.customer_id);
      },
      linkCustomerKeys: async (scope, customerId, keys, at) => {
        if (keys.length === 0) return;
        await lock(LOCK.identity, scope, keys);
        await q(
          'lg_link_keys',
          `INSERT INTO customer_keys (scope, key, customer_id, created_at)
           SELECT $1, k, $3, $4 FROM unnest($2::text[]) AS k ON CONFLICT (scope, key) DO NOTHING`,
          [scope, keys, customerId, at],
        );
      },
      findLeadByKeys: async (scope, keys) => {
        if (keys.length === 0) return undefined;
        await lock(LOCK.dedup, scope, keys);
        const r = await q<LeadRow & { key: string }>(
          'lg_find_lead',
          `SELECT k.key, ${LEAD_COLUMNS.split(', ').map((c) => `l.${c}`).join(', ')}
             FROM unnest($2::text[]) WITH ORDINALITY AS k(key, ord)
             JOIN lead_keys lk ON lk.scope = $1 AND lk.key = k.key
             JOIN leads l ON l.lead_id = lk.lead_id
           ORDER BY k.ord LIMIT 1`,
          [scope, keys],
        );
        const row = r.rows[0];
        return row ? { key: row.key, lead: toLead(row) } : undefined;
      },
      recentLeadsOfCustomer: async (scope, customerId, since) => {
        // Two leads of one known customer that share no key (one by email, one by phone) still meet here.
        await lock(LOCK.customer, scope, [customerId]);
        const r = await q<LeadRow>(
          'lg_recent_leads',
          `SELECT ${LEAD_COLUMNS} FROM leads WHERE scope = $1 AND customer_id = $2 AND received_at >= $3 ORDER BY received_at, seq`,
          [scope, customerId, since],
        );
        return r.rows.map(toLead);
      },
      insertLead: async (lead, dedupKeys) => {
        await lock(LOCK.dedup, lead.scope, dedupKeys);
        await q(
          'lg_insert_lead',
          `WITH l AS (
             INSERT INTO leads (lead_id, scope, customer_id, input_id, received_at, duplicate_of, summary, dealer_id, draft_index, content_hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           )
           INSERT INTO lead_keys (scope, key, lead_id) SELECT $2, k, $1 FROM unnest($11::text[]) AS k ON CONFLICT (scope, key) DO NOTHING`,
          [
            lead.leadId,
            lead.scope,
            lead.customerId,
            lead.inputId,
            lead.receivedAt,
            lead.duplicateOf ?? null,
            JSON.stringify(lead.summary),
            lead.dealerId ?? null,
            lead.draftIndex ?? null,
            lead.contentHash ?? null,
            dedupKeys,
          ],
        );
      },
      enqueue: async (events: NewEvent[]) => {
        if (events.length === 0) return;
        await q(
          'lg_enqueue',
          `INSERT INTO outbox (event_id, topic, key, value, headers)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[])`,
          [events.map((e) => e.id), events.map((e) => e.topic), events.map((e) => e.key), events.map((e) => e.value), events.map((e) => JSON.stringify(e.headers))],
        );
      },
      updateLeadContent: async (leadId, expectedHash, next) => {
        const r = await q(
          'lg_update_content',
          'UPDATE leads SET content_hash = $1, summary = $2 WHERE lead_id = $3 AND content_hash = $4 AND erased_at IS NULL',
          [next.contentHash, JSON.stringify(next.summary), leadId, expectedHash],
        );
        return (r.rowCount ?? 0) > 0;
      },
      markInputAccepted: async (inputId) => {
        const r = await q(
          'lg_mark_accepted',
          `UPDATE inputs SET outcome = 'accepted', error_code = NULL, error_message = NULL WHERE id = $1 AND outcome = 'rejected' AND purged_at IS NULL`,
          [inputId],
        );
        return (r.rowCount ?? 0) > 0;
      },
    };
  }

  /**
   * fn runs inside BEGIN … COMMIT on one pooled connection. A deadlock, serialization failure or
   * unique violation (a racing instance got there first) rolls back and runs fn again from the
   * start: fn only talks to the store through tx, so a fresh run decides afresh on what is
   * committed now.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.withTransaction((client) => fn(this.txOn(client)));
  }

  private async withTransaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const value = await fn(client);
        await client.query('COMMIT');
        this.stats.commits++;
        return value;
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        const code = sqlState(err);
        if (code && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) {
          this.stats.retries++;
          await sleep(Math.random() * 10 * attempt);
          continue;
        }
        throw storeError(err);
      } finally {
        client.release(broken);
      }
    }
  }

  /**
   * Claiming for several relays (one per instance), without reordering a customer's events:
   * FOR UPDATE SKIP LOCKED alone would let relay A take events 1–100 and relay B events 101–200
   * of the same customer and publish B's first. So the outbox is split into OUTBOX_PARTITIONS by
   * hash(key) (the customer id), and a relay publishes a partition only while it holds that
   * partition's transaction-level advisory lock. It try-locks every partition that has pending
   * events (another relay's partitions are skipped; only when all of them are taken does it wait,
   * briefly, for one), takes the oldest pending events of the partitions it got in seq order,
   * publishes them, marks them sent and commits, which releases the locks; the next holder of a
   * partition sees them sent. A customer's events are all in one partition, and an event enqueued
   * after another committed has a higher seq and is never visible without it, so seq order keeps
   * every earlier event of a customer before its later ones. A relay that dies mid-publish loses
   * its connection, PostgreSQL rolls its claim back and releases the locks, and the next relay
   * publishes those events again (at least once, same event ids).
   */
  async claimPending(limit: number, publish: (events: OutboxEvent[]) => Promise<void>): Promise<number> {
    const client = await this.connect();
    let broken: Error | undefined;
    let events: OutboxEvent[] = [];
    let publishing = false;
    try {
      await client.query('BEGIN');
      // got: true = ours now, false = another relay is publishing it, null = nothing to publish there.
      // CASE keeps the lock from being taken on partitions with nothing to publish.
      const parts = await client.query<{ p: number; got: boolean | null }>({
        name: 'lg_claim_parts',
        text: `SELECT p, CASE WHEN EXISTS (SELECT 1 FROM outbox WHERE part = p AND sent_at IS NULL) THEN pg_try_advisory_xact_lock($1::int, p) END AS got
               FROM generate_series(0, $2::int - 1) AS p`,
        values: [LOCK.relay, OUTBOX_PARTITIONS],
      });
      const mine = parts.rows.filter((r) => r.got === true).map((r) => r.p);
      const busy = parts.rows.filter((r) => r.got === false).map((r) => r.p);
      if (mine.length === 0 && busy.length > 0) {
        // Everything pending is being published by other relays. Asking again at once would spin on
        // every commit notice; queue behind one of them instead (it commits within milliseconds,
        // and what was committed meanwhile is then ours), for a second at most.
        const p = busy[Math.floor(Math.random() * busy.length)];
        await client.query("SET LOCAL lock_timeout = '1s'");
        const waited = await client.query({ name: 'lg_claim_wait', text: 'SELECT pg_advisory_xact_lock($1::int, $2::int)', values: [LOCK.relay, p] }).then(
          () => true,
          (err: unknown) => {
            if (sqlState(err) === '55P03') return false;
            throw err;
          },
        );
        if (!waited) {
          await client.query('ROLLBACK');
          return 0;
        }
        mine.push(p);
      }
      if (mine.length > 0) {
        const rows = await client.query<OutboxRow>({
          name: 'lg_claim_events',
          text: `SELECT seq, event_id, topic, key, value, headers FROM outbox
                 WHERE sent_at IS NULL AND part = ANY($1::smallint[]) ORDER BY seq LIMIT $2 FOR UPDATE`,
          values: [mine, limit],
        });
        events = rows.rows.map(toEvent);
      }
      if (events.length > 0) {
        publishing = true;
        await publish(events);
        publishing = false;
        await client.query({ name: 'lg_mark_sent', text: 'UPDATE outbox SET sent_at = now() WHERE seq = ANY($1::bigint[])', values: [events.map((e) => e.seq)] });
      }
      await client.query('COMMIT');
      return events.length;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      // The sink's own error goes to the relay as it is (it logs and backs off); ours is the store's.
      throw publishing ? err : storeError(err);
    } finally {
      client.release(broken);
    }
  }

  async pendingEvents(limit: number): Promise<OutboxEvent[]> {
    const rows = await this.read<OutboxRow>('lg_pending', 'SELECT seq, event_id, topic, key, value, headers FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT $1', [limit]);
    return rows.map(toEvent);
  }

  async countPending(): Promise<number> {
    return (await this.outboxStats()).pending;
  }

  async outboxStats(): Promise<{ pending: number; oldestCreatedAt?: string }> {
    const [row] = await this.read<{ n: string; oldest: Date | null }>('lg_outbox_stats', 'SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE sent_at IS NULL');
    return { pending: Number(row.n), ...(row.oldest ? { oldestCreatedAt: iso(row.oldest) } : {}) };
  }

  async getInput(id: string): Promise<ArchivedInput | undefined> {
    const [row] = await this.read<InputRow>('lg_get_input', `SELECT ${INPUT_COLUMNS}, i.bytes FROM inputs i WHERE i.id = $1`, [id]);
    return row ? toInput(row) : undefined;
  }

  async listInputs(filter: InputFilter): Promise<Omit<ArchivedInput, 'bytes'>[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown) => `$${args.push(v)}`;
    if (filter.outcome) where.push(`i.outcome = ${arg(filter.outcome)}`);
    if (filter.since) where.push(`i.received_at >= ${arg(filter.since)}`);
    if (filter.until) where.push(`i.received_at < ${arg(filter.until)}`);
    if (filter.purged !== undefined) where.push(filter.purged ? 'i.purged_at IS NOT NULL' : 'i.purged_at IS NULL');
    if (filter.dealerId) {
      // The transport's dealer, or the dealer its leads were filed under (scope for leads older than dealer_id).
      const d = arg(filter.dealerId);
      where.push(`(i.dealer_id = ${d} OR EXISTS (SELECT 1 FROM leads l WHERE l.input_id = i.id AND coalesce(l.dealer_id, l.scope) = ${d}))`);
    }
    if (filter.afterId) where.push(`(i.received_at, i.id) > (SELECT received_at, id FROM inputs WHERE id = ${arg(filter.afterId)})`);
    const sql = `SELECT ${INPUT_COLUMNS} FROM inputs i ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY i.received_at, i.id LIMIT ${arg(filter.limit ?? 1000)}`;
    await this.migrate();
    try {
      const rows = (await this.pool.query<InputRow>(sql, args)).rows;
      return rows.map((r) => {
        const { bytes: _bytes, ...rest } = toInput(r);
        return rest;
      });
    } catch (err) {
      throw storeError(err);
    }
  }

  async leadsOfInput(inputId: string): Promise<LeadRecord[]> {
    return (await this.read<LeadRow>('lg_leads_of_input', `SELECT ${LEAD_COLUMNS} FROM leads WHERE input_id = $1 ORDER BY seq`, [inputId])).map(toLead);
  }

  /**
   * Retention, in small statements so intake never waits long: bytes and signals of old inputs
   * dropped (SKIP LOCKED: rows an erasure holds are taken on the next run), then the published
   * copies of old events. PostgreSQL frees the old row versions at the next (auto)vacuum.
   */
  async purgeRaw(before: string): Promise<number> {
    let purged = 0;
    for (;;) {
      const rows = await this.read<{ id: string }>(
        'lg_purge_inputs',
        `WITH batch AS (
           SELECT id FROM inputs WHERE received_at < $1 AND purged_at IS NULL ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED
         )
         UPDATE inputs i SET bytes = '\\x'::bytea, signals = NULL, purged_at = now() FROM batch WHERE i.id = batch.id RETURNING i.id`,
        [before, PURGE_BATCH],
      );
      purged += rows.length;
      if (rows.length < PURGE_BATCH) break;
    }
    for (;;) {
      const rows = await this.read<{ seq: string }>(
        'lg_purge_outbox',
        `DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE sent_at IS NOT NULL AND created_at < $1 LIMIT $2) RETURNING seq`,
        [before, PURGE_BATCH],
      );
      if (rows.length < PURGE_BATCH) break;
    }
    return purged;
  }

  /** The erasure steps documented on Store.eraseCustomer, in one transaction holding the customers' identity locks (intake for them waits, then starts afresh). */
  async eraseCustomer(request: ErasureRequest): Promise<ErasureResult> {
    const requestHash = erasureRequestHash(request);
    const keys = [...request.emails.map((e) => `email:${e}`), ...request.phones.map((p) => `phone:${p}`)];
    const values = [...request.emails, ...request.phones].map((v) => JSON.stringify(v));
    const scope = request.scope ?? null;
    return this.withTransaction(async (client) => {
      const erasedAt = new Date().toISOString();
      if (keys.length === 0) return { customerIds: [], leads: 0, inputs: 0, events: 0, requestHash, erasedAt };
      const q = async <R extends QueryResultRow>(text: string, args: unknown[]) => (await client.query<R>(text, args)).rows;

      // Lock the request's keys in every scope that holds one, as intake would, then read.
      const scopes = (await q<{ scope: string }>('SELECT DISTINCT scope FROM customer_keys WHERE key = ANY($1::text[]) AND ($2::text IS NULL OR scope = $2) ORDER BY scope', [keys, scope])).map((r) => r.scope);
      const ids = [...new Set(scopes.flatMap((s) => keys.map((k) => lockId(s, k))))].sort((a, b) => a - b);
      if (ids.length) await q('SELECT count(pg_advisory_xact_lock($1::int, k)) FROM unnest($2::int[]) AS k', [LOCK.identity, ids]);
      // 1. The customers holding those keys.
      const customers = await q<{ scope: string; customer_id: string }>(
        `SELECT scope, customer_id FROM customer_keys WHERE key = ANY($1::text[]) AND ($2::text IS NULL OR scope = $2)
         GROUP BY scope, customer_id ORDER BY min(created_at), min(seq)`,
        [keys, scope],
      );
      const customerIds = customers.map((c) => c.customer_id);
      const scopesOf = customers.map((c) => c.scope);
      // 2. Their leads, and other not-yet-erased leads whose summary names one of the values (a lead that bridged two customers).
      const leads = await q<{ lead_id: string; input_id: string }>(
        `SELECT lead_id, input_id FROM leads l
         WHERE (l.scope, l.customer_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
            OR (l.erased_at IS NULL AND ($3::text IS NULL OR l.scope = $3) AND EXISTS (SELECT 1 FROM unnest($4::text[]) AS v WHERE strpos(l.summary::text, v) > 0))
         ORDER BY seq`,
        [scopesOf, customerIds, scope, values],
      );
      const leadIds = leads.map((l) => l.lead_id);
      const inputIds = [...new Set(leads.map((l) => l.input_id))];
      // 6. Their events: keyed by an erased customer, or about one of those leads or inputs (a rejected event carries the raw bytes).
      const subjects = [...leadIds, ...inputIds];
      const doomed = await q<{ seq: string; sent: boolean }>(
        `SELECT seq, sent_at IS NOT NULL AS sent FROM outbox WHERE key = ANY($1::text[]) OR headers->>'ce_subject' = ANY($2::text[]) FOR UPDATE`,
        [customerIds, subjects],
      );
      const unpublished = doomed.filter((e) => !e.sent).length;
      const result: ErasureResult = { customerIds, leads: leadIds.length, inputs: inputIds.length, events: unpublished, requestHash, erasedAt };
      if (request.dryRun) return result;

      // 3. Every identity key of those customers.
      await q('DELETE FROM customer_keys WHERE (scope, customer_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))', [scopesOf, customerIds]);
      // 4. Lead summaries and dedup keys.
      await q('UPDATE leads SET summary = $1, content_hash = NULL, erased_at = $2 WHERE lead_id = ANY($3::text[])', [JSON.stringify(ERASED_SUMMARY), erasedAt, leadIds]);
      await q('DELETE FROM lead_keys WHERE lead_id = ANY($1::text[])', [leadIds]);
      // 5. Raw bytes of their inputs.
      await q(`UPDATE inputs SET bytes = '\\x'::bytea, signals = NULL, idempotency_key = NULL, purged_at = coalesce(purged_at, $1) WHERE id = ANY($2::text[])`, [erasedAt, inputIds]);
      await q('DELETE FROM outbox WHERE seq = ANY($1::bigint[])', [doomed.map((e) => e.seq)]);
      // 7. Tombstones, after the deletions so they are not deleted themselves.
      if (request.tombstone) {
        for (const c of customers) {
          const e = request.tombstone({ customerId: c.customer_id, scope: c.scope, erasedAt });
          await q('INSERT INTO outbox (event_id, topic, key, value, headers, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [e.id, e.topic, e.key, e.value, JSON.stringify(e.headers), erasedAt]);
        }
      }
      // 8. The audit row: counts and the request's hash, nothing that names the customer.
      await q('INSERT INTO erasures (erased_at, request_sha256, scope, customers, leads, inputs, events) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        erasedAt,
        requestHash,
        scope,
        customerIds.length,
        leadIds.length,
        inputIds.length,
        unpublished,
      ]);
      return result;
    });
  }

  async ping(): Promise<void> {
    await this.read('lg_ping', 'SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

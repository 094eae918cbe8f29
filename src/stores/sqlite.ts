// The embedded store: one SQLite file in the data directory (WAL, synchronous=FULL), concurrent transactions group-committed in-process.
import { Database } from './sqlite-driver.js';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ArchivedInput, ErasureRequest, ErasureResult, InputFilter, LeadRecord, LeadSummary, NewEvent, OutboxEvent, Store, StoreTx } from '../store.js';
import { erasureRequestHash } from '../store.js';
import { LeadgateError } from '../errors.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS inputs (
  id TEXT PRIMARY KEY,
  sha256 TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  received_at TEXT NOT NULL,
  transport TEXT NOT NULL,
  dealer_id TEXT,
  idempotency_key TEXT,
  outcome TEXT NOT NULL,
  error_code TEXT,
  error_message TEXT,
  bytes BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS customer_keys (
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE TABLE IF NOT EXISTS leads (
  lead_id TEXT PRIMARY KEY,
  scope TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  input_id TEXT NOT NULL,
  received_at TEXT NOT NULL,
  duplicate_of TEXT,
  summary TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS leads_customer ON leads(scope, customer_id, received_at);
CREATE TABLE IF NOT EXISTS lead_keys (
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  lead_id TEXT NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL,
  topic TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  headers TEXT NOT NULL,
  created_at TEXT NOT NULL,
  sent_at TEXT
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(seq) WHERE sent_at IS NULL;
CREATE INDEX IF NOT EXISTS leads_input ON leads(input_id);
CREATE INDEX IF NOT EXISTS inputs_received_id ON inputs(received_at, id);
-- inputs_received (received_at alone) duplicated the prefix of inputs_received_id and cost every archived input one more B-tree write.
DROP INDEX IF EXISTS inputs_received;
CREATE TABLE IF NOT EXISTS erasures (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  erased_at TEXT NOT NULL,
  request_sha256 TEXT NOT NULL,
  scope TEXT,
  customers INTEGER NOT NULL,
  leads INTEGER NOT NULL,
  inputs INTEGER NOT NULL,
  events INTEGER NOT NULL
);
`;

/** The data-file version these columns make (PRAGMA user_version); a newer file is refused rather than misread. */
const SCHEMA_VERSION = 1;

/**
 * Columns added after the first release. They are added in place (ALTER TABLE ADD COLUMN, which
 * SQLite does without rewriting rows) to any data file that lacks them, fresh ones included, so
 * there is one path to the current shape.
 */
const ADDED_COLUMNS: ReadonlyArray<[table: string, column: string, type: string]> = [
  ['inputs', 'adapter', 'TEXT'],
  ['inputs', 'signals', 'TEXT'],
  ['inputs', 'purged_at', 'TEXT'],
  ['leads', 'dealer_id', 'TEXT'],
  ['leads', 'draft_index', 'INTEGER'],
  ['leads', 'content_hash', 'TEXT'],
  ['leads', 'erased_at', 'TEXT'],
];

/** Bring an existing data file to SCHEMA_VERSION; one IMMEDIATE transaction, so two processes opening it at once do not race. */
function migrate(db: Database): void {
  db.transaction(() => {
    const version = Number(db.pragma('user_version', { simple: true }));
    if (version > SCHEMA_VERSION) throw new Error(`the data file is schema version ${version}, newer than this leadgate understands (${SCHEMA_VERSION}); upgrade leadgate`);
    const columns = new Map<string, Set<string>>();
    for (const [table, column, type] of ADDED_COLUMNS) {
      if (!columns.has(table)) columns.set(table, new Set((db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name)));
      if (!columns.get(table)!.has(column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
    }
    if (version < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/** What an erased lead's summary becomes. */
const ERASED_SUMMARY = JSON.stringify({ emails: [], phones: [], vehicles: [] } satisfies LeadSummary);
/** Rows changed per purge transaction: small enough that intake waits milliseconds, not seconds. */
const PURGE_BATCH = 500;

interface LeadRow {
  lead_id: string;
  scope: string;
  customer_id: string;
  input_id: string;
  received_at: string;
  duplicate_of: string | null;
  summary: string;
  dealer_id: string | null;
  draft_index: number | null;
  content_hash: string | null;
  erased_at: string | null;
}

interface InputRow {
  id: string;
  sha256: string;
  content_type: string;
  size: number;
  received_at: string;
  transport: string;
  dealer_id: string | null;
  idempotency_key: string | null;
  outcome: 'accepted' | 'rejected';
  error_code: string | null;
  error_message: string | null;
  adapter: string | null;
  signals: string | null;
  purged_at: string | null;
  bytes?: Buffer;
}

function toLead(r: LeadRow): LeadRecord {
  return {
    leadId: r.lead_id,
    scope: r.scope,
    customerId: r.customer_id,
    inputId: r.input_id,
    receivedAt: r.received_at,
    ...(r.duplicate_of ? { duplicateOf: r.duplicate_of } : {}),
    summary: JSON.parse(r.summary),
    ...(r.dealer_id ? { dealerId: r.dealer_id } : {}),
    ...(r.draft_index !== null && r.draft_index !== undefined ? { draftIndex: r.draft_index } : {}),
    ...(r.content_hash ? { contentHash: r.content_hash } : {}),
    ...(r.erased_at ? { erasedAt: r.erased_at } : {}),
  };
}

function toInput(r: InputRow): ArchivedInput {
  return {
    id: r.id,
    sha256: r.sha256,
    contentType: r.content_type,
    size: r.size,
    receivedAt: r.received_at,
    transport: r.transport,
    ...(r.dealer_id ? { dealerId: r.dealer_id } : {}),
    ...(r.idempotency_key ? { idempotencyKey: r.idempotency_key } : {}),
    ...(r.adapter ? { adapter: r.adapter } : {}),
    ...(r.signals ? { signals: JSON.parse(r.signals) } : {}),
    outcome: r.outcome,
    ...(r.error_code ? { errorCode: r.error_code } : {}),
    ...(r.error_message ? { errorMessage: r.error_message } : {}),
    bytes: r.bytes ?? Buffer.alloc(0),
    ...(r.purged_at ? { purgedAt: r.purged_at } : {}),
  };
}

/** A caller waiting in the group-commit queue. */
interface Waiting {
  fn: (tx: StoreTx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export interface SqliteStoreOptions {
  /** Most transactions that share one commit (default 256). */
  maxBatch?: number;
  /** Wait this long for company before the first commit of an idle store (default 0: the next event-loop turn). */
  windowMs?: number;
}

/** SQLite errors are the store being unavailable (locked, disk full, I/O); our own errors and bugs pass through. */
function storeError(err: unknown): unknown {
  if (err instanceof LeadgateError) return err;
  if (err instanceof Database.SqliteError) return new LeadgateError('store_unavailable', `store error ${err.code}`, { cause: err });
  return err;
}

function unavailable(detail: string, cause: unknown): LeadgateError {
  return new LeadgateError('store_unavailable', detail, { cause });
}

/**
 * Group commit: better-sqlite3 has one connection and synchronous=FULL costs one fsync per
 * COMMIT, so transactions that arrive while a commit is pending or running share the next one.
 * They run one after another inside one BEGIN IMMEDIATE, then one COMMIT; every caller settles
 * after it. A callback that throws must roll back only its own work: the batch first runs plain,
 * and if a callback throws, it is rolled back whole and run again with each callback in its own
 * SAVEPOINT (Store.transaction's fn may run more than once).
 */
export class SqliteStore implements Store {
  private readonly db: Database;
  private readonly stmts;
  private readonly maxBatch: number;
  private readonly windowMs: number;
  /** Transactions waiting for the next batch, in arrival order. */
  private waiting: Waiting[] = [];
  private scheduled = false;
  /** The batch in progress (BEGIN … COMMIT and settling its callers), if any. */
  private running?: Promise<void>;
  /** Commits made and transactions they carried (transactions / commits = the mean batch size). */
  readonly stats = { commits: 0, transactions: 0 };

  constructor(
    readonly file: string,
    opts: SqliteStoreOptions = {},
  ) {
    this.maxBatch = Math.max(1, opts.maxBatch ?? 256);
    this.windowMs = Math.max(0, opts.windowMs ?? 0);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // FULL: the commit is on disk before the 2xx; a power cut cannot lose an acknowledged lead.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    // Each intake transaction runs in its own SAVEPOINT, and SQLite keeps a savepoint's undo pages in a statement
    // journal: a temporary file by default, one write syscall per page a transaction first touches. In memory they
    // cost a copy: the store's inserts took ~45% less time per lead (archive, lead, keys, outbox: ~110 → ~60 µs).
    // The journal holds one transaction's pages at a time, so the memory stays small.
    this.db.pragma('temp_store = MEMORY');
    this.db.exec(SCHEMA);
    migrate(this.db);
    const db = this.db;
    this.stmts = {
      insertInput: db.prepare(`INSERT INTO inputs (id, sha256, content_type, size, received_at, transport, dealer_id, idempotency_key, outcome, error_code, error_message, bytes, adapter, signals)
        VALUES (@id, @sha256, @contentType, @size, @receivedAt, @transport, @dealerId, @idempotencyKey, @outcome, @errorCode, @errorMessage, @bytes, @adapter, @signals)`),
      findCustomerKey: db.prepare('SELECT customer_id, created_at FROM customer_keys WHERE scope = ? AND key = ?'),
      insertCustomerKey: db.prepare('INSERT OR IGNORE INTO customer_keys (scope, key, customer_id, created_at) VALUES (?, ?, ?, ?)'),
      findLeadKey: db.prepare('SELECT l.* FROM lead_keys k JOIN leads l ON l.lead_id = k.lead_id WHERE k.scope = ? AND k.key = ?'),
      insertLeadKey: db.prepare('INSERT OR IGNORE INTO lead_keys (scope, key, lead_id) VALUES (?, ?, ?)'),
      recentLeads: db.prepare('SELECT * FROM leads WHERE scope = ? AND customer_id = ? AND received_at >= ? ORDER BY received_at, rowid'),
      insertLead: db.prepare(`INSERT INTO leads (lead_id, scope, customer_id, input_id, received_at, duplicate_of, summary, dealer_id, draft_index, content_hash)
        VALUES (@leadId, @scope, @customerId, @inputId, @receivedAt, @duplicateOf, @summary, @dealerId, @draftIndex, @contentHash)`),
      updateLeadContent: db.prepare('UPDATE leads SET content_hash = ?, summary = ? WHERE lead_id = ? AND content_hash = ? AND erased_at IS NULL'),
      markInputAccepted: db.prepare(`UPDATE inputs SET outcome = 'accepted', error_code = NULL, error_message = NULL WHERE id = ? AND outcome = 'rejected' AND purged_at IS NULL`),
      leadsOfInput: db.prepare('SELECT * FROM leads WHERE input_id = ? ORDER BY rowid'),
      enqueue: db.prepare('INSERT INTO outbox (event_id, topic, key, value, headers, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
      pending: db.prepare('SELECT seq, event_id, topic, key, value, headers FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT ?'),
      markSent: db.prepare('UPDATE outbox SET sent_at = ? WHERE seq = ?'),
      countPending: db.prepare('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL'),
      getInput: db.prepare('SELECT * FROM inputs WHERE id = ?'),
    };
  }

  private readonly tx: StoreTx = {
    archiveInput: async (i: ArchivedInput) => {
      this.stmts.insertInput.run({
        id: i.id,
        sha256: i.sha256,
        contentType: i.contentType,
        size: i.size,
        receivedAt: i.receivedAt,
        transport: i.transport,
        outcome: i.outcome,
        bytes: i.bytes,
        dealerId: i.dealerId ?? null,
        idempotencyKey: i.idempotencyKey ?? null,
        errorCode: i.errorCode ?? null,
        errorMessage: i.errorMessage ?? null,
        adapter: i.adapter ?? null,
        signals: i.signals ? JSON.stringify(i.signals) : null,
      });
    },
    findCustomers: async (scope, keys) => {
      const found = new Map<string, string>();
      for (const key of keys) {
        const row = this.stmts.findCustomerKey.get(scope, key) as { customer_id: string; created_at: string } | undefined;
        if (row && !found.has(row.customer_id)) found.set(row.customer_id, row.created_at);
      }
      return [...found.entries()].sort((a, b) => a[1].localeCompare(b[1])).map(([id]) => id);
    },
    linkCustomerKeys: async (scope, customerId, keys, at) => {
      for (const key of keys) this.stmts.insertCustomerKey.run(scope, key, customerId, at);
    },
    findLeadByKeys: async (scope, keys) => {
      for (const key of keys) {
        const row = this.stmts.findLeadKey.get(scope, key) as LeadRow | undefined;
        if (row) return { key, lead: toLead(row) };
      }
      return undefined;
    },
    recentLeadsOfCustomer: async (scope, customerId, since) =>
      (this.stmts.recentLeads.all(scope, customerId, since) as LeadRow[]).map(toLead),
    insertLead: async (lead: LeadRecord, dedupKeys: string[]) => {
      this.stmts.insertLead.run({
        leadId: lead.leadId,
        scope: lead.scope,
        customerId: lead.customerId,
        inputId: lead.inputId,
        receivedAt: lead.receivedAt,
        duplicateOf: lead.duplicateOf ?? null,
        summary: JSON.stringify(lead.summary),
        dealerId: lead.dealerId ?? null,
        draftIndex: lead.draftIndex ?? null,
        contentHash: lead.contentHash ?? null,
      });
      for (const key of dedupKeys) this.stmts.insertLeadKey.run(lead.scope, key, lead.leadId);
    },
    enqueue: async (events: NewEvent[]) => {
      const now = new Date().toISOString();
      for (const e of events) this.stmts.enqueue.run(e.id, e.topic, e.key, e.value, JSON.stringify(e.headers), now);
    },
    updateLeadContent: async (leadId, expectedHash, next) =>
      this.stmts.updateLeadContent.run(next.contentHash, JSON.stringify(next.summary), leadId, expectedHash).changes > 0,
    markInputAccepted: async (inputId) => this.stmts.markInputAccepted.run(inputId).changes > 0,
  };

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Start the next batch on a later event-loop turn, so everything that arrives meanwhile joins it. */
  private schedule(): void {
    if (this.scheduled || this.running || this.waiting.length === 0) return;
    this.scheduled = true;
    const go = (): void => {
      this.scheduled = false;
      this.running = this.runBatch().finally(() => {
        this.running = undefined;
        this.schedule();
      });
    };
    if (this.windowMs > 0) setTimeout(go, this.windowMs);
    else setImmediate(go);
  }

  private async runBatch(): Promise<void> {
    const batch = this.waiting.splice(0, this.maxBatch);
    if (!(await this.runPlain(batch))) await this.runIsolated(batch);
  }

  /**
   * The whole batch in one plain transaction: no savepoint per caller, whose undo pages cost every
   * transaction ~10% of its statements' time. True when the batch is settled (committed, or failed
   * as a whole); false when a callback of a batch of several threw: everything is rolled back and
   * nobody settled, so runIsolated runs the batch again with a savepoint per caller.
   */
  private async runPlain(batch: Waiting[]): Promise<boolean> {
    if (!this.begin(batch)) return true;
    const values: unknown[] = [];
    for (const w of batch) {
      try {
        values.push(await w.fn(this.tx)); // runs to completion before the next one starts
      } catch (err) {
        this.rollback();
        if (batch.length > 1) return false;
        w.reject(storeError(err)); // alone in its batch: rolling back the transaction is rolling back its own work
        return true;
      }
      // SQLite ends the whole transaction on some I/O and disk-full errors. The next callback must not run in
      // autocommit mode: the savepoint path runs the batch again and settles each caller as that case requires.
      if (!this.db.inTransaction) return false;
    }
    const failed = this.commit(batch.length);
    if (failed) {
      for (const w of batch) w.reject(failed);
      return true;
    }
    // Callers settle only after the batch ends, so none of their code runs inside our open transaction.
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(values[i]);
    return true;
  }

  /** BEGIN IMMEDIATE; false (the batch rejected as store_unavailable) when it cannot start. */
  private begin(batch: Waiting[]): boolean {
    try {
      this.db.exec('BEGIN IMMEDIATE');
      return true;
    } catch (err) {
      const e = unavailable('could not start a transaction', err);
      for (const w of batch) w.reject(e);
      return false;
    }
  }

  /** The batch with each callback in its own SAVEPOINT, so one that throws rolls back only its own work. */
  private async runIsolated(batch: Waiting[]): Promise<void> {
    if (!this.begin(batch)) return;
    // Callers settle only after the batch ends, so none of their code runs inside our open transaction.
    const ok: Array<{ w: Waiting; value: unknown }> = [];
    const failed: Array<{ w: Waiting; err: unknown }> = [];
    const settle = (): void => {
      for (const f of failed) f.w.reject(f.err);
      for (const o of ok) o.w.resolve(o.value);
    };
    for (let i = 0; i < batch.length; i++) {
      const w = batch[i];
      try {
        this.db.exec('SAVEPOINT leadgate_tx');
        const value = await w.fn(this.tx); // runs to completion before the next one starts
        this.db.exec('RELEASE leadgate_tx');
        ok.push({ w, value });
      } catch (err) {
        failed.push({ w, err: storeError(err) });
        if (!this.rollbackToSavepoint()) {
          // Some errors (I/O, disk full) make SQLite roll back the whole transaction: the
          // callers before this one lost their work; the ones after it go to the next batch.
          const e = unavailable('the transaction was rolled back', err);
          for (const o of ok.splice(0)) failed.push({ w: o.w, err: e });
          this.waiting.unshift(...batch.slice(i + 1));
          settle();
          return;
        }
      }
    }
    const e = this.commit(ok.length);
    if (e) for (const o of ok.splice(0)) failed.push({ w: o.w, err: e });
    settle();
  }

  /** COMMIT the batch's transaction of `transactions` callers; when that fails, everything is rolled back and the error is returned for them. */
  private commit(transactions: number): LeadgateError | undefined {
    try {
      this.db.exec('COMMIT');
      this.stats.commits++;
      this.stats.transactions += transactions;
      return undefined;
    } catch (err) {
      this.rollback();
      return unavailable('could not commit', err);
    }
  }

  /** Undo one callback's work; false when the enclosing transaction is gone. */
  private rollbackToSavepoint(): boolean {
    try {
      if (!this.db.inTransaction) return false;
      this.db.exec('ROLLBACK TO leadgate_tx; RELEASE leadgate_tx');
      return true;
    } catch {
      this.rollback();
      return false;
    }
  }

  private rollback(): void {
    try {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
    } catch {
      // Nothing more to undo: SQLite already ended the transaction.
    }
  }

  /** Reads and relay updates never run inside an open batch (they would see or join uncommitted work). */
  private async outsideBatch(): Promise<void> {
    while (this.running && this.db.inTransaction) await this.running;
  }

  async pendingEvents(limit: number): Promise<OutboxEvent[]> {
    await this.outsideBatch();
    const rows = this.stmts.pending.all(limit) as Array<{ seq: number; event_id: string; topic: string; key: string; value: string; headers: string }>;
    return rows.map((r) => ({ seq: r.seq, id: r.event_id, topic: r.topic, key: r.key, value: r.value, headers: JSON.parse(r.headers) }));
  }

  /** Claims run one at a time, so two callers (the relay and a shutdown flush) never publish the same events twice. */
  private claiming: Promise<unknown> = Promise.resolve();

  /** One process owns a SQLite file, so claiming is the in-process queue above; order is seq order, which is commit order here. */
  claimPending(limit: number, publish: (events: OutboxEvent[]) => Promise<void>): Promise<number> {
    const run = this.claiming.then(async () => {
      const batch = await this.pendingEvents(limit);
      if (batch.length === 0) return 0;
      await publish(batch);
      await this.markSent(batch.map((e) => e.seq), new Date().toISOString());
      return batch.length;
    });
    this.claiming = run.catch(() => undefined);
    return run;
  }

  /** Mark events sent without publishing them (tests that need a published history); the relay goes through claimPending. */
  async markSent(seqs: number[], at: string): Promise<void> {
    // Rides the next group commit with intake's transactions instead of paying a COMMIT (and its
    // fsync) of its own: under load the relay marks a batch for every few intake commits.
    await this.transaction(async () => {
      for (const seq of seqs) this.stmts.markSent.run(at, seq);
    });
  }

  async countPending(): Promise<number> {
    await this.outsideBatch();
    return (this.stmts.countPending.get() as { n: number }).n;
  }

  async getInput(id: string): Promise<ArchivedInput | undefined> {
    await this.outsideBatch();
    const row = this.stmts.getInput.get(id) as InputRow | undefined;
    return row ? toInput(row) : undefined;
  }

  async outboxStats(): Promise<{ pending: number; oldestCreatedAt?: string }> {
    await this.outsideBatch();
    const row = this.db.prepare('SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE sent_at IS NULL').get() as { n: number; oldest: string | null };
    return { pending: row.n, ...(row.oldest ? { oldestCreatedAt: row.oldest } : {}) };
  }

  async listInputs(filter: InputFilter): Promise<Omit<ArchivedInput, 'bytes'>[]> {
    await this.outsideBatch();
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.outcome) (where.push('i.outcome = ?'), args.push(filter.outcome));
    if (filter.since) (where.push('i.received_at >= ?'), args.push(filter.since));
    if (filter.until) (where.push('i.received_at < ?'), args.push(filter.until));
    if (filter.purged !== undefined) where.push(filter.purged ? 'i.purged_at IS NOT NULL' : 'i.purged_at IS NULL');
    if (filter.dealerId) {
      // The transport's dealer, or the dealer its leads were filed under (scope for leads older than dealer_id).
      where.push('(i.dealer_id = ? OR EXISTS (SELECT 1 FROM leads l WHERE l.input_id = i.id AND coalesce(l.dealer_id, l.scope) = ?))');
      args.push(filter.dealerId, filter.dealerId);
    }
    if (filter.afterId) {
      where.push('(i.received_at, i.id) > (SELECT received_at, id FROM inputs WHERE id = ?)');
      args.push(filter.afterId);
    }
    const sql = `SELECT i.id, i.sha256, i.content_type, i.size, i.received_at, i.transport, i.dealer_id, i.idempotency_key, i.outcome, i.error_code, i.error_message,
        i.adapter, i.signals, i.purged_at
      FROM inputs i ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY i.received_at, i.id LIMIT ?`;
    const rows = this.db.prepare(sql).all(...args, filter.limit ?? 1000) as InputRow[];
    return rows.map((r) => {
      const { bytes: _bytes, ...rest } = toInput(r);
      return rest;
    });
  }

  async leadsOfInput(inputId: string): Promise<LeadRecord[]> {
    await this.outsideBatch();
    return (this.stmts.leadsOfInput.all(inputId) as LeadRow[]).map(toLead);
  }

  async purgeRaw(before: string): Promise<number> {
    const select = this.db.prepare('SELECT id FROM inputs WHERE received_at < ? AND purged_at IS NULL ORDER BY received_at LIMIT ?');
    const purge = this.db.prepare(`UPDATE inputs SET bytes = x'', signals = NULL, purged_at = ? WHERE id = ?`);
    const dropSent = this.db.prepare('DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE sent_at IS NOT NULL AND created_at < ? LIMIT ?)');
    let purged = 0;
    for (;;) {
      await this.outsideBatch();
      const n = this.withSecureDelete(() =>
        this.db.transaction(() => {
          const at = new Date().toISOString();
          const ids = (select.all(before, PURGE_BATCH) as Array<{ id: string }>).map((r) => r.id);
          for (const id of ids) purge.run(at, id);
          return ids.length;
        }).immediate(),
      );
      purged += n;
      if (n < PURGE_BATCH) break;
      await new Promise((r) => setImmediate(r)); // let intake commit between batches
    }
    for (;;) {
      await this.outsideBatch();
      const n = this.withSecureDelete(() => dropSent.run(before, PURGE_BATCH).changes);
      if (n < PURGE_BATCH) break;
      await new Promise((r) => setImmediate(r));
    }
    this.checkpoint();
    return purged;
  }

  async eraseCustomer(request: ErasureRequest): Promise<ErasureResult> {
    await this.outsideBatch();
    const erasedAt = new Date().toISOString();
    const requestHash = erasureRequestHash(request);
    const run = (): ErasureResult => {
      const db = this.db;
      const scoped = request.scope !== undefined;
      const keys = [...request.emails.map((e) => `email:${e}`), ...request.phones.map((p) => `phone:${p}`)];
      const values = [...request.emails, ...request.phones].map((v) => JSON.stringify(v));
      if (keys.length === 0) return { customerIds: [], leads: 0, inputs: 0, events: 0, requestHash, erasedAt };
      const marks = (n: number): string => Array(n).fill('?').join(',');

      // 1. The customers holding those keys.
      const customers = db
        .prepare(`SELECT DISTINCT scope, customer_id FROM customer_keys WHERE key IN (${marks(keys.length)})${scoped ? ' AND scope = ?' : ''} ORDER BY created_at`)
        .all(...keys, ...(scoped ? [request.scope] : [])) as Array<{ scope: string; customer_id: string }>;
      // 2. Their leads, and leads of others whose summary names one of the values (a lead that bridged two customers).
      const leads = new Map<string, string>();
      const ofCustomer = db.prepare('SELECT lead_id, input_id FROM leads WHERE scope = ? AND customer_id = ?');
      for (const c of customers) for (const r of ofCustomer.all(c.scope, c.customer_id) as Array<{ lead_id: string; input_id: string }>) leads.set(r.lead_id, r.input_id);
      const bridged = db
        .prepare(`SELECT lead_id, input_id FROM leads WHERE erased_at IS NULL${scoped ? ' AND scope = ?' : ''} AND (${values.map(() => 'instr(summary, ?) > 0').join(' OR ')})`)
        .all(...(scoped ? [request.scope] : []), ...values) as Array<{ lead_id: string; input_id: string }>;
      for (const r of bridged) leads.set(r.lead_id, r.input_id);
      const leadIds = [...leads.keys()];
      const inputIds = [...new Set(leads.values())];
      const customerIds = customers.map((c) => c.customer_id);

      // 6. Their events: keyed by an erased customer, or about one of those leads or inputs (a rejected event carries the raw bytes).
      const subjects = [...leadIds, ...inputIds];
      const tests = [customerIds.length ? `key IN (${marks(customerIds.length)})` : '', subjects.length ? `json_extract(headers, '$.ce_subject') IN (${marks(subjects.length)})` : ''].filter(Boolean);
      const doomed = tests.length
        ? (db.prepare(`SELECT seq, sent_at FROM outbox WHERE ${tests.join(' OR ')}`).all(...customerIds, ...subjects) as Array<{ seq: number; sent_at: string | null }>)
        : [];
      const unpublished = doomed.filter((e) => e.sent_at === null).length;
      const result: ErasureResult = { customerIds, leads: leadIds.length, inputs: inputIds.length, events: unpublished, requestHash, erasedAt };
      if (request.dryRun) return result;

      // 3. Every identity key of those customers.
      const dropKeys = db.prepare('DELETE FROM customer_keys WHERE scope = ? AND customer_id = ?');
      for (const c of customers) dropKeys.run(c.scope, c.customer_id);
      // 4. Lead summaries and dedup keys.
      const redact = db.prepare('UPDATE leads SET summary = ?, content_hash = NULL, erased_at = ? WHERE lead_id = ?');
      const dropLeadKeys = db.prepare('DELETE FROM lead_keys WHERE lead_id = ?');
      for (const id of leadIds) (redact.run(ERASED_SUMMARY, erasedAt, id), dropLeadKeys.run(id));
      // 5. Raw bytes of their inputs.
      const dropBytes = db.prepare(`UPDATE inputs SET bytes = x'', signals = NULL, idempotency_key = NULL, purged_at = coalesce(purged_at, ?) WHERE id = ?`);
      for (const id of inputIds) dropBytes.run(erasedAt, id);
      const dropEvent = db.prepare('DELETE FROM outbox WHERE seq = ?');
      for (const e of doomed) dropEvent.run(e.seq);
      // 7. Tombstones, after the deletions so they are not deleted themselves.
      if (request.tombstone) {
        const enqueue = this.stmts.enqueue;
        for (const c of customers) {
          const e = request.tombstone({ customerId: c.customer_id, scope: c.scope, erasedAt });
          enqueue.run(e.id, e.topic, e.key, e.value, JSON.stringify(e.headers), erasedAt);
        }
      }
      // 8. The audit row: counts and the request's hash, nothing that names the customer.
      db.prepare('INSERT INTO erasures (erased_at, request_sha256, scope, customers, leads, inputs, events) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        erasedAt,
        requestHash,
        request.scope ?? null,
        customerIds.length,
        leadIds.length,
        inputIds.length,
        unpublished,
      );
      return result;
    };
    try {
      const result = request.dryRun ? run() : this.withSecureDelete(() => this.db.transaction(run).immediate());
      if (!request.dryRun) this.checkpoint();
      return result;
    } catch (err) {
      throw storeError(err);
    }
  }

  /** Overwrite what a purge or an erasure deletes, so the bytes do not linger in free pages. */
  private withSecureDelete<T>(fn: () => T): T {
    this.db.pragma('secure_delete = ON');
    try {
      return fn();
    } finally {
      this.db.pragma('secure_delete = OFF');
    }
  }

  /** Move the WAL into the database and truncate it, so erased content does not survive in the log either. */
  private checkpoint(): void {
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // A reader holding an old snapshot keeps part of the WAL; the next automatic checkpoint overwrites it.
    }
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    while (this.running || this.scheduled || this.waiting.length > 0) {
      this.schedule();
      await (this.running ?? new Promise((r) => setImmediate(r)));
    }
    this.db.close();
  }
}

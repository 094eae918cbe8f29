// The embedded store: one SQLite file in the data directory (WAL, synchronous=FULL), concurrent transactions group-committed in-process.
import { Database } from './sqlite-driver.js';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ArchivedInput, InputFilter, LeadRecord, NewEvent, OutboxEvent, Store, StoreTx } from '../store.js';
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
CREATE INDEX IF NOT EXISTS inputs_received ON inputs(received_at);
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
`;

interface LeadRow {
  lead_id: string;
  scope: string;
  customer_id: string;
  input_id: string;
  received_at: string;
  duplicate_of: string | null;
  summary: string;
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
    outcome: r.outcome,
    ...(r.error_code ? { errorCode: r.error_code } : {}),
    ...(r.error_message ? { errorMessage: r.error_message } : {}),
    bytes: r.bytes ?? Buffer.alloc(0),
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
 * They run one after another inside one BEGIN IMMEDIATE, each in its own SAVEPOINT (a callback
 * that throws rolls back only its own work), then one COMMIT; every caller settles after it.
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
    this.db.exec(SCHEMA);
    const db = this.db;
    this.stmts = {
      insertInput: db.prepare(`INSERT INTO inputs (id, sha256, content_type, size, received_at, transport, dealer_id, idempotency_key, outcome, error_code, error_message, bytes)
        VALUES (@id, @sha256, @contentType, @size, @receivedAt, @transport, @dealerId, @idempotencyKey, @outcome, @errorCode, @errorMessage, @bytes)`),
      findCustomerKey: db.prepare('SELECT customer_id, created_at FROM customer_keys WHERE scope = ? AND key = ?'),
      insertCustomerKey: db.prepare('INSERT OR IGNORE INTO customer_keys (scope, key, customer_id, created_at) VALUES (?, ?, ?, ?)'),
      findLeadKey: db.prepare('SELECT l.* FROM lead_keys k JOIN leads l ON l.lead_id = k.lead_id WHERE k.scope = ? AND k.key = ?'),
      insertLeadKey: db.prepare('INSERT OR IGNORE INTO lead_keys (scope, key, lead_id) VALUES (?, ?, ?)'),
      recentLeads: db.prepare('SELECT * FROM leads WHERE scope = ? AND customer_id = ? AND received_at >= ? ORDER BY received_at, rowid'),
      insertLead: db.prepare(`INSERT INTO leads (lead_id, scope, customer_id, input_id, received_at, duplicate_of, summary)
        VALUES (@leadId, @scope, @customerId, @inputId, @receivedAt, @duplicateOf, @summary)`),
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
        ...i,
        dealerId: i.dealerId ?? null,
        idempotencyKey: i.idempotencyKey ?? null,
        errorCode: i.errorCode ?? null,
        errorMessage: i.errorMessage ?? null,
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
      this.stmts.insertLead.run({ ...lead, duplicateOf: lead.duplicateOf ?? null, summary: JSON.stringify(lead.summary) });
      for (const key of dedupKeys) this.stmts.insertLeadKey.run(lead.scope, key, lead.leadId);
    },
    enqueue: async (events: NewEvent[]) => {
      const now = new Date().toISOString();
      for (const e of events) this.stmts.enqueue.run(e.id, e.topic, e.key, e.value, JSON.stringify(e.headers), now);
    },
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
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      const e = unavailable('could not start a transaction', err);
      for (const w of batch) w.reject(e);
      return;
    }
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
    try {
      this.db.exec('COMMIT');
      this.stats.commits++;
      this.stats.transactions += ok.length;
    } catch (err) {
      this.rollback();
      const e = unavailable('could not commit', err);
      for (const o of ok.splice(0)) failed.push({ w: o.w, err: e });
    }
    settle();
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

  async markSent(seqs: number[], at: string): Promise<void> {
    await this.outsideBatch();
    const mark = this.db.transaction((list: number[]) => {
      for (const seq of list) this.stmts.markSent.run(at, seq);
    });
    mark(seqs);
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
    if (filter.outcome) (where.push('outcome = ?'), args.push(filter.outcome));
    if (filter.since) (where.push('received_at >= ?'), args.push(filter.since));
    if (filter.until) (where.push('received_at < ?'), args.push(filter.until));
    if (filter.dealerId) (where.push('dealer_id = ?'), args.push(filter.dealerId));
    const sql = `SELECT id, sha256, content_type, size, received_at, transport, dealer_id, idempotency_key, outcome, error_code, error_message
      FROM inputs ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY received_at, rowid LIMIT ?`;
    const rows = this.db.prepare(sql).all(...args, filter.limit ?? 1000) as InputRow[];
    return rows.map((r) => {
      const { bytes: _bytes, ...rest } = toInput(r);
      return rest;
    });
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

// The embedded store: one SQLite file in the data directory (WAL, synchronous=FULL), transactions serialized in-process.
import { Database } from './sqlite-driver.js';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ArchivedInput, LeadRecord, NewEvent, OutboxEvent, Store, StoreTx } from '../store.js';
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

export class SqliteStore implements Store {
  private readonly db: Database;
  /** Tail of the chain of transactions: better-sqlite3 has one connection, so intake transactions run one at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly stmts;

  constructor(readonly file: string) {
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
    const run = async (): Promise<T> => {
      try {
        this.db.exec('BEGIN IMMEDIATE');
      } catch (err) {
        throw new LeadgateError('store_unavailable', 'could not start a transaction', { cause: err });
      }
      try {
        const result = await fn(this.tx);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        if (err instanceof LeadgateError) throw err;
        if (err instanceof Database.SqliteError) throw new LeadgateError('store_unavailable', `store error ${err.code}`, { cause: err });
        throw err;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async pendingEvents(limit: number): Promise<OutboxEvent[]> {
    const rows = this.stmts.pending.all(limit) as Array<{ seq: number; event_id: string; topic: string; key: string; value: string; headers: string }>;
    return rows.map((r) => ({ seq: r.seq, id: r.event_id, topic: r.topic, key: r.key, value: r.value, headers: JSON.parse(r.headers) }));
  }

  async markSent(seqs: number[], at: string): Promise<void> {
    const mark = this.db.transaction((list: number[]) => {
      for (const seq of list) this.stmts.markSent.run(at, seq);
    });
    mark(seqs);
  }

  async countPending(): Promise<number> {
    return (this.stmts.countPending.get() as { n: number }).n;
  }

  async getInput(id: string): Promise<ArchivedInput | undefined> {
    const row = this.stmts.getInput.get(id) as InputRow | undefined;
    return row ? toInput(row) : undefined;
  }

  async listInputs(filter: { outcome?: 'accepted' | 'rejected'; since?: string; until?: string; limit?: number }): Promise<Omit<ArchivedInput, 'bytes'>[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.outcome) (where.push('outcome = ?'), args.push(filter.outcome));
    if (filter.since) (where.push('received_at >= ?'), args.push(filter.since));
    if (filter.until) (where.push('received_at < ?'), args.push(filter.until));
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
    await this.queue;
    this.db.close();
  }
}

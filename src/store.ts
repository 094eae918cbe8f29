// The store interface: raw archive, identity, dedup index and outbox behind one transaction, implemented by stores/sqlite.ts (and PostgreSQL later).
import type { Signals } from './input.js';
import type { Vehicle } from './lead.js';

/** A received input as archived: the exact bytes plus what the transport knew. */
export interface ArchivedInput {
  id: string;
  sha256: string;
  contentType: string;
  size: number;
  receivedAt: string;
  transport: string;
  dealerId?: string;
  idempotencyKey?: string;
  /** Explicit adapter/provider the caller chose, and the transport's signals: replay needs both to read the bytes the same way. */
  adapter?: string;
  signals?: Signals;
  bytes: Buffer;
  outcome: 'accepted' | 'rejected';
  errorCode?: string;
  errorMessage?: string;
}

/** What dedupe remembers of an earlier lead: enough to match vehicles and to say what a duplicate adds. */
export interface LeadSummary {
  emails: string[];
  phones: string[];
  vehicles: Vehicle[];
  comments?: string;
}

export interface LeadRecord {
  leadId: string;
  scope: string;
  customerId: string;
  inputId: string;
  receivedAt: string;
  /** The first lead of the chain when this one was itself a duplicate. */
  duplicateOf?: string;
  summary: LeadSummary;
}

export interface NewEvent {
  id: string;
  topic: string;
  /** Kafka key: the customer id (per-customer order). */
  key: string;
  /** The CloudEvent, serialized. */
  value: string;
  headers: Record<string, string>;
}

export interface OutboxEvent extends NewEvent {
  seq: number;
}

/** Operations available inside one intake transaction; everything done through it commits or rolls back together. */
export interface InputFilter {
  outcome?: 'accepted' | 'rejected';
  since?: string;
  until?: string;
  dealerId?: string;
  /** Paging: inputs after this id in (received_at, id) order. */
  afterId?: string;
  limit?: number;
}

export interface StoreTx {
  archiveInput(input: ArchivedInput): Promise<void>;
  /** Customers already holding any of these identity keys, oldest first. */
  findCustomers(scope: string, keys: string[]): Promise<string[]>;
  /** Attach identity keys to a customer; keys already taken are left as they are. */
  linkCustomerKeys(scope: string, customerId: string, keys: string[], at: string): Promise<void>;
  /** The lead that first claimed any of these dedup keys (bytes, provider id, idempotency key). */
  findLeadByKeys(scope: string, keys: string[]): Promise<{ key: string; lead: LeadRecord } | undefined>;
  /** Leads of a customer received at or after `since`, oldest first. */
  recentLeadsOfCustomer(scope: string, customerId: string, since: string): Promise<LeadRecord[]>;
  insertLead(lead: LeadRecord, dedupKeys: string[]): Promise<void>;
  enqueue(events: NewEvent[]): Promise<void>;
}

export interface Store {
  /** Run fn in one atomic transaction; concurrent calls are serialized or isolated by the implementation. */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** The oldest unsent events, in commit order. */
  pendingEvents(limit: number): Promise<OutboxEvent[]>;
  markSent(seqs: number[], at: string): Promise<void>;
  countPending(): Promise<number>;
  /** Outbox depth and the commit time of the oldest unpublished event (for /readyz and metrics). */
  outboxStats(): Promise<{ pending: number; oldestCreatedAt?: string }>;
  getInput(id: string): Promise<ArchivedInput | undefined>;
  listInputs(filter: InputFilter): Promise<Omit<ArchivedInput, 'bytes'>[]>;
  // --- Issue 6: retention, erasure, replay (optional until both stores implement them; then required) ---
  /** Drop the bytes of inputs received before `before` (records stay with sha256/size, marked purged). Returns how many. */
  purgeRaw?(before: string): Promise<number>;
  /**
   * Erase one customer's data wherever an email or phone (E.164) identifies them, in every scope
   * or in one: identity keys, lead summaries, the raw bytes of inputs holding their leads, and
   * unpublished events. Returns what was removed.
   */
  eraseCustomer?(match: { emails: string[]; phones: string[]; scope?: string }): Promise<{ customerIds: string[]; leads: number; inputs: number; events: number }>;
  /** The leads committed from one input (replay links new events to them). */
  leadsOfInput?(inputId: string): Promise<LeadRecord[]>;
  /** Cheap liveness check for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

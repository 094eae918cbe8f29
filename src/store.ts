// The store interface: raw archive, identity, dedup index and outbox behind one transaction, implemented by stores/sqlite.ts (one machine) and stores/postgres.ts (several instances).
import { sha256Hex } from './hash.js';
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
  /** Empty once the input was purged (purgedAt set). */
  bytes: Buffer;
  outcome: 'accepted' | 'rejected';
  errorCode?: string;
  errorMessage?: string;
  /**
   * When the raw bytes were dropped (retention purge or erasure). A purged input keeps id, sha256,
   * size, contentType, receivedAt, transport, dealerId, adapter, outcome and error; its bytes are
   * empty and its signals are gone (they can name the sender). Replay skips it.
   */
  purgedAt?: string;
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
  /** The dealer the lead was filed under (Lead.dealer.id); the scope may be a group shared by several dealers. */
  dealerId?: string;
  /** Position of the lead's prospect in its input (PreparedLead.index): replay matches re-read leads to committed ones by it. */
  draftIndex?: number;
  /**
   * leadContentHash (pipeline/content-hash.ts) of the lead as last published: replay publishes a
   * correction only when a re-read differs from it. Absent on leads committed before it existed
   * (replay cannot judge those) and cleared when the customer is erased.
   */
  contentHash?: string;
  /** Set when the customer was erased: the summary is then empty and the lead is never matched again. */
  erasedAt?: string;
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
  /**
   * The dealer the transport named (ArchivedInput.dealerId) OR the dealer any lead of the input was
   * filed under (LeadRecord.dealerId, or its scope for leads committed before dealerId was kept).
   */
  dealerId?: string;
  /** Paging: inputs after this id in (received_at, id) order. */
  afterId?: string;
  limit?: number;
  /** true: only inputs whose bytes were purged; false: only inputs that still have them. */
  purged?: boolean;
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
  /**
   * Replay's correction of a committed lead: set its contentHash and summary, only when its stored
   * contentHash still equals `expectedHash` (compare-and-set: of two replays racing, one corrects)
   * and it is not erased. Returns whether the row changed.
   */
  updateLeadContent(leadId: string, expectedHash: string, next: { contentHash: string; summary: LeadSummary }): Promise<boolean>;
  /**
   * Replay's recovery of an input rejected before: outcome → 'accepted', errorCode/errorMessage
   * cleared, only when it is still 'rejected' and not purged. Returns whether the row changed.
   */
  markInputAccepted(inputId: string): Promise<boolean>;
}

/** One erasure request (CCPA/GDPR): identity values normalized as the pipeline does (pipeline/identify.ts identityKeys). */
export interface ErasureRequest {
  /** Normalized email addresses (lower-case): identity keys `email:<address>`. */
  emails: string[];
  /** Valid E.164 numbers: identity keys `phone:<e164>`. */
  phones: string[];
  /** One identity scope (a dealer id, or a group id where a group shares customers); every scope when absent. */
  scope?: string;
  /** Count what would be removed and change nothing (no audit row, no tombstones). */
  dryRun?: boolean;
  /** Builds the tombstone event for one erased customer; enqueued in the erasure's own transaction, after their deleted events. */
  tombstone?: (erased: { customerId: string; scope: string; erasedAt: string }) => NewEvent;
}

export interface ErasureResult {
  /** The erased customers (ids are unique across scopes). */
  customerIds: string[];
  /** Leads whose summary was redacted: every lead of those customers, plus other customers' leads whose summary held one of the values. */
  leads: number;
  /** Inputs whose raw bytes were dropped (the inputs of those leads). */
  inputs: number;
  /** Unpublished outbox events deleted (they will never reach the sink). */
  events: number;
  /** erasureRequestHash(request): what the audit row keeps instead of the values. */
  requestHash: string;
  erasedAt: string;
}

/**
 * The audit trail's stand-in for an erasure request: sha256 of the sorted identity keys and the
 * scope. It proves which request was carried out (hash the same values again) without keeping them.
 */
export function erasureRequestHash(request: Pick<ErasureRequest, 'emails' | 'phones' | 'scope'>): string {
  const keys = [...request.emails.map((e) => `email:${e}`), ...request.phones.map((p) => `phone:${p}`)].sort();
  return sha256Hex(JSON.stringify({ keys, scope: request.scope ?? null }));
}

export interface Store {
  /**
   * Run fn in one atomic transaction; concurrent calls are serialized or isolated by the implementation.
   * fn may run more than once (PostgreSQL retries a transaction that lost a race or a deadlock, from
   * the start), so it must act only through tx and keep no effects of an earlier run.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** The oldest unsent events, in commit order, without claiming them (inspection and tests; the relay uses claimPending). */
  pendingEvents(limit: number): Promise<OutboxEvent[]>;
  /**
   * The relay's only way to publish: claim up to `limit` unsent events, hand them to `publish`
   * (oldest first) while holding the claim, and mark them sent only when it resolves; when it
   * throws they stay unsent. While claimed, no other caller — in this process or another instance
   * on the same database — gets them, and a customer's (key's) events are never handed out of
   * commit order, nor a later one while an earlier one is claimed elsewhere. Resolves to how many
   * were published (0: nothing claimable right now).
   */
  claimPending(limit: number, publish: (events: OutboxEvent[]) => Promise<void>): Promise<number>;
  countPending(): Promise<number>;
  /** Outbox depth and the commit time of the oldest unpublished event (for /readyz and metrics). */
  outboxStats(): Promise<{ pending: number; oldestCreatedAt?: string }>;
  /** One archived input; a purged one comes back with empty bytes and its purgedAt. */
  getInput(id: string): Promise<ArchivedInput | undefined>;
  /** Archived inputs (without bytes) in (receivedAt, id) order; since inclusive, until exclusive; limit default 1000. */
  listInputs(filter: InputFilter): Promise<Omit<ArchivedInput, 'bytes'>[]>;
  // --- Retention, erasure and replay (issue 6). PostgreSQL implements the same semantics. ---
  /**
   * Retention: for every input received before `before` (ISO UTC, compared with receivedAt) that
   * still has its bytes: bytes → empty, signals → null, purgedAt → now; id, sha256, size,
   * contentType, outcome, error, adapter, dealerId and idempotencyKey stay. Also deletes outbox
   * events created before `before` that were already published (the store's copy of what the
   * sink has; unpublished events are never touched). Works in small batches so intake is not
   * blocked; idempotent. Returns how many inputs it purged (0 on a second run).
   */
  purgeRaw(before: string): Promise<number>;
  /**
   * Erasure of one customer, atomically (one transaction):
   * 1. customers = distinct (scope, customerId) holding any key `email:<e>` / `phone:<p>` of the
   *    request, in request.scope only when given;
   * 2. leads = every lead of those customers (same scope and customerId), plus, in the same
   *    scope(s), any other not-yet-erased lead whose summary holds one of the values as a JSON
   *    string (`"<email>"`, `"<e164>"`: a lead that bridged two customers) — those other
   *    customers are not erased;
   * 3. deletes every identity key of those customers (all their keys, not only the matching
   *    ones: a later lead with the same email gets a new customerId);
   * 4. leads: summary → {"emails":[],"phones":[],"vehicles":[]}, contentHash → null,
   *    erasedAt → now, and their dedup keys (lead_keys) deleted; the rows (ids, scope,
   *    customerId, inputId, receivedAt, duplicateOf) stay for counts and links;
   * 5. the inputs of those leads: bytes → empty, signals and idempotencyKey → null,
   *    purgedAt → now (kept if already set);
   * 6. outbox: deletes unpublished events keyed by one of those customerIds or whose ce_subject
   *    header is one of those leads or inputs (an input rejected first, then recovered by replay,
   *    has a rejected event carrying its bytes) — counted in `events` — and the published rows
   *    matching the same test (not counted: the sink already has them, hence the tombstone);
   * 7. enqueues request.tombstone(...) once per erased customer (after step 6);
   * 8. writes an audit row without personal data: time, requestHash, scope, and the counts.
   * Rejected inputs are not matched (they held no customer); retention removes them.
   * With dryRun: steps 1–2 and the counts only, nothing changed, no audit row.
   * SQLite overwrites deleted content (secure_delete) and checkpoints the WAL afterwards.
   */
  eraseCustomer(request: ErasureRequest): Promise<ErasureResult>;
  /** The leads committed from one input, in commit order (replay compares re-read leads with them). */
  leadsOfInput(inputId: string): Promise<LeadRecord[]>;
  /** Cheap liveness check for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

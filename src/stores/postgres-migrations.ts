// PostgreSQL schema migrations: versioned, forward-only, applied in order at startup (stores/postgres.ts runs them under an advisory lock).
//
// Rules: never edit a migration that has shipped — add the next version. Each one runs inside the
// migrating transaction together with its schema_migrations row, so it applies wholly or not at all.
// Old instances keep running during a rolling upgrade, so a migration adds (tables, nullable
// columns, indexes) rather than renames or drops in the same release that stops using a thing.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** How many relay partitions the outbox is split into (outbox.part); per-customer order holds within one. */
export const OUTBOX_PARTITIONS = 16;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'archive, identity, dedup index, outbox',
    sql: `
CREATE TABLE inputs (
  id text PRIMARY KEY,
  sha256 text NOT NULL,
  content_type text NOT NULL,
  size integer NOT NULL,
  received_at timestamptz NOT NULL,
  transport text NOT NULL,
  dealer_id text,
  idempotency_key text,
  adapter text,
  signals jsonb,
  outcome text NOT NULL CHECK (outcome IN ('accepted', 'rejected')),
  error_code text,
  error_message text,
  bytes bytea NOT NULL,
  purged_at timestamptz
);
CREATE INDEX inputs_received ON inputs (received_at, id);
CREATE INDEX inputs_unpurged ON inputs (received_at) WHERE purged_at IS NULL;

-- Identity: which customer an email or phone belongs to, per scope (a dealer, or a group sharing customers).
CREATE TABLE customer_keys (
  scope text NOT NULL,
  key text NOT NULL,
  customer_id text NOT NULL,
  created_at timestamptz NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (scope, key)
);
CREATE INDEX customer_keys_customer ON customer_keys (scope, customer_id);
CREATE INDEX customer_keys_key ON customer_keys (key);

CREATE TABLE leads (
  lead_id text PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  scope text NOT NULL,
  customer_id text NOT NULL,
  input_id text NOT NULL,
  received_at timestamptz NOT NULL,
  duplicate_of text,
  summary jsonb NOT NULL,
  dealer_id text,
  draft_index integer,
  content_hash text,
  erased_at timestamptz
);
CREATE INDEX leads_customer ON leads (scope, customer_id, received_at, seq);
CREATE INDEX leads_input ON leads (input_id, seq);

-- The dedup index: bytes hash, idempotency key and provider lead ids → the lead that first claimed them.
CREATE TABLE lead_keys (
  scope text NOT NULL,
  key text NOT NULL,
  lead_id text NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE INDEX lead_keys_lead ON lead_keys (lead_id);

-- part: the relay partition of the event's key (the customer id); one relay at a time publishes a partition.
CREATE TABLE outbox (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id text NOT NULL,
  topic text NOT NULL,
  key text NOT NULL,
  value text NOT NULL,
  headers jsonb NOT NULL,
  part smallint NOT NULL GENERATED ALWAYS AS (((hashtext(key) & 2147483647) % ${OUTBOX_PARTITIONS})::smallint) STORED,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);
CREATE INDEX outbox_pending ON outbox (part, seq) WHERE sent_at IS NULL;
CREATE INDEX outbox_key ON outbox (key);
CREATE INDEX outbox_subject ON outbox ((headers->>'ce_subject'));
CREATE INDEX outbox_sent ON outbox (created_at) WHERE sent_at IS NOT NULL;

-- Erasure audit: when, which request (its hash, never the values), and what was removed.
CREATE TABLE erasures (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  erased_at timestamptz NOT NULL,
  request_sha256 text NOT NULL,
  scope text,
  customers integer NOT NULL,
  leads integer NOT NULL,
  inputs integer NOT NULL,
  events integer NOT NULL
);
`,
  },
];

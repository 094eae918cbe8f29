// Configuration from defaults, a JSON file, environment variables and CLI flags (in that order), validated with ajv; every problem is reported at once.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parseSecretHash, readHmacSecret } from './secrets.js';
import { formConfigProblems } from './formats/form.js';

export interface DealerConfig {
  /** Stable id used in events and as the identity/dedup scope. */
  id: string;
  name: string;
  /** ISO 3166 country used to read phone numbers (default: the top-level country). */
  country?: string;
  timeZone?: string;
  /** ADF vendor ids (e.g. "100008806", "sp63742") and vendor names that mean this dealer. */
  vendorIds?: string[];
  vendorNames?: string[];
  /** Dealer group (groups[].id) this rooftop belongs to (issue 5: identity may be shared group-wide). */
  group?: string;
  /** Intake credentials bound to this dealer: a lead posted with one belongs to this dealer (issue 6). */
  credentials?: CredentialConfig[];
  /** Website forms of this dealer: POST /v1/forms/{key} (issue 4). */
  forms?: FormConfig[];
  /** Classification overrides for this dealer, tried before the group's and the top-level ones (issue 4). */
  sources?: SourceRule[];
}

export interface GroupConfig {
  id: string;
  name: string;
  /** "dealer" (default): each rooftop has its own customers; "group": a shopper who writes to two rooftops is one customer. */
  identityScope?: 'dealer' | 'group';
  /** Classification overrides shared by every rooftop of the group (a group's shared BDC, its microsites). */
  sources?: SourceRule[];
}

/**
 * One sender's credential. Secrets are never stored in clear: API keys and Basic passwords as
 * `sha256:<hex>` (for generated, high-entropy keys) or `scrypt:<N>:<r>:<p>:<saltB64>:<hashB64>`
 * (`leadgate hash-secret` prints both); HMAC needs the shared secret itself, so it is read from an
 * environment variable or a file, never the config file.
 */
export interface CredentialConfig {
  /** Stable name for logs/metrics/rate limits, e.g. "cargurus" or "website-form". */
  id: string;
  type: 'api-key' | 'basic' | 'hmac';
  /** api-key: the header carrying the key (default "x-api-key"; "authorization: Bearer …" is also read). */
  header?: string;
  /** api-key and basic: the secret's hash. */
  secretHash?: string;
  /** basic: the user name. */
  username?: string;
  /** hmac: where the shared secret lives. */
  secretEnv?: string;
  secretFile?: string;
  /** The provider this credential was issued to: the strongest classification signal (delivery.md §5.2). */
  provider?: string;
  /** Per-credential rate limit (requests per minute); default limits.ratePerMinute. */
  ratePerMinute?: number;
}

/** A dealer website form: field mapping, bot defenses, CORS and the reply. */
export interface FormConfig {
  /** URL-safe key: POST /v1/forms/{key}. Unique across all dealers. */
  key: string;
  /** Browser origins allowed to post (CORS), e.g. "https://www.example-kia.com". */
  origins: string[];
  /** Our field → the form's field name(s), overriding the built-in defaults (first_name, email, phone, vin, …). */
  fields?: Record<string, string | string[]>;
  /** Hidden field that humans leave empty (default "website"); a filled honeypot is refused quietly. */
  honeypot?: string;
  /** A form submitted sooner than this after it rendered is a bot (default 2; 0 turns it off). */
  minFillSeconds?: number;
  /** Redirect (303) browsers here after a successful post; JSON reply when unset or when the client asks for JSON. */
  thankYouUrl?: string;
  /** Provider name and lead type for its leads (default "Dealer Website", detected from the fields). */
  provider?: string;
  leadType?: string;
}

/**
 * A classification override: when every given `match` pattern (case-insensitive regular
 * expressions) matches its signal, the given fields replace what the catalog decided.
 */
export interface SourceRule {
  match: {
    provider?: string;
    service?: string;
    url?: string;
    idSource?: string;
    sender?: string;
    subject?: string;
    credential?: string;
    form?: string;
    adapter?: string;
  };
  set: { provider?: string; subSource?: string; party?: 'first' | 'second' | 'third'; leadType?: string; channel?: string };
}

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  /** true, or TLS settings (PEM file paths) for a private CA or client certificates. */
  ssl?: boolean | { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean };
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  /** Producer compression (default none; gzip needs no extra package). */
  compression?: 'none' | 'gzip';
}

export interface SmtpConfig {
  /** Listen for SMTP here (leadgate serve starts the receiver only when smtp is configured). */
  host: string;
  port: number;
  /** The name announced in the greeting and EHLO reply. */
  hostname: string;
  /**
   * Recipient domains accepted: `leads+<dealerId>@domain` or `<dealerId>@domain` names the dealer,
   * any other local part is accepted with the dealer taken from the lead itself. Never an open relay:
   * every other domain is refused at RCPT TO.
   */
  domains: string[];
  /** Exact recipient addresses mapped to a dealer, e.g. the address a dealer's forwarding rule uses. */
  addresses: Array<{ address: string; dealer: string }>;
  /** Largest message accepted (SIZE extension, and enforced while reading DATA). */
  maxMessageBytes: number;
  /** STARTTLS with this certificate and key (PEM file paths). */
  tls?: { cert: string; key: string };
  /** AUTH PLAIN/LOGIN users; with `required`, unauthenticated senders are refused. */
  auth?: { required: boolean; users: Array<{ username: string; password: string }> };
}

export interface ImapMailboxConfig {
  /** A short name for logs and metrics. */
  name: string;
  host: string;
  port: number;
  /** Implicit TLS (port 993). Otherwise STARTTLS is used when the server offers it. */
  secure: boolean;
  user: string;
  /** One of: the password itself, an environment variable that holds it, or a file that holds it. */
  password?: string;
  passwordEnv?: string;
  passwordFile?: string;
  /** Folder to watch (default INBOX). */
  folder: string;
  /** Dealer every lead from this mailbox belongs to (otherwise taken from the lead). */
  dealer?: string;
  /** After the lead is committed: move it here, or (when unset) flag it \Seen and leave it. */
  processedFolder?: string;
  /** Messages that hold no lead are moved here (when unset they are flagged \Seen like processed ones). */
  rejectedFolder?: string;
  /** Polling interval when the server has no IDLE, and the safety net re-scan interval with IDLE. */
  pollSeconds: number;
  /** Accept self-signed certificates (test servers only). */
  allowSelfSigned?: boolean;
}

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** Default dealer country for phone numbers. */
  country: string;
  dealers: DealerConfig[];
  dedupe: { windowDays: number };
  limits: {
    maxBodyBytes: number;
    maxEmailBytes: number;
    xmlMaxDepth: number;
    xmlMaxElements: number;
    /** Per-credential (or per client address, when unauthenticated) requests per minute; 429 + Retry-After beyond. */
    ratePerMinute: number;
    /** Intakes processed at once; beyond it requests wait up to maxQueueMs, then get 503 + Retry-After. */
    maxConcurrent: number;
    maxQueueMs: number;
    /** Slow clients: headers must arrive within headersTimeoutMs, the whole request within requestTimeoutMs. */
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    /** Open HTTP connections at most (slow-loris). */
    maxConnections: number;
  };
  /** Dealer groups (issue 5). */
  groups: GroupConfig[];
  /** Credentials not bound to one dealer (a provider posting for many rooftops: the dealer comes from the lead). */
  credentials: CredentialConfig[];
  /** Top-level classification overrides (tried after the dealer's and the group's). */
  sources: SourceRule[];
  /** Who may reach admin endpoints (/metrics, /v1/admin/*). Loopback callers need none while `auth.allowLoopbackWithoutCredentials`. */
  admin: { credentials: CredentialConfig[] };
  auth: {
    /** Accept unauthenticated intake from loopback clients (first runs). Non-loopback binds need credentials whatever this says. */
    allowLoopbackWithoutCredentials: boolean;
    /** HMAC signatures older or newer than this are refused (replay protection). */
    hmacToleranceSeconds: number;
  };
  /** PostgreSQL connection string; SQLite in dataDir when unset (also DATABASE_URL). */
  databaseUrl?: string;
  /** Raw inputs are kept this long, then `leadgate purge` (and the daily purge in serve) drops their bytes. */
  retention: { rawDays: number };
  /** /readyz fails when the oldest unpublished event is older than this. */
  readiness: { maxOutboxAgeSeconds: number };
  kafka?: KafkaConfig;
  smtp?: SmtpConfig;
  imap: { mailboxes: ImapMailboxConfig[] };
  topics: {
    leads: string;
    rejected: string;
    /** Create missing topics at startup where the broker allows it. */
    create: boolean;
    partitions: number;
    replicationFactor: number;
  };
  relay: { batchSize: number; retryDelayMs: number; maxRetryDelayMs: number };
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' };
}

export const DEFAULTS: Config = {
  host: '127.0.0.1',
  port: 8080,
  dataDir: './data',
  country: 'US',
  dealers: [],
  groups: [],
  credentials: [],
  sources: [],
  admin: { credentials: [] },
  auth: { allowLoopbackWithoutCredentials: true, hmacToleranceSeconds: 300 },
  retention: { rawDays: 90 },
  readiness: { maxOutboxAgeSeconds: 300 },
  imap: { mailboxes: [] },
  dedupe: { windowDays: 30 },
  limits: {
    maxBodyBytes: 1024 * 1024,
    maxEmailBytes: 25 * 1024 * 1024,
    xmlMaxDepth: 64,
    xmlMaxElements: 50_000,
    ratePerMinute: 6000,
    maxConcurrent: 512,
    maxQueueMs: 2000,
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 30_000,
    maxConnections: 1024,
  },
  topics: { leads: 'leadgate.leads', rejected: 'leadgate.leads.rejected', create: true, partitions: 6, replicationFactor: 1 },
  relay: { batchSize: 100, retryDelayMs: 200, maxRetryDelayMs: 10_000 },
  log: { level: 'info' },
};

const nonEmpty = { type: 'string', minLength: 1 } as const;
const partyEnum = { enum: ['first', 'second', 'third'] } as const;
const slug = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' } as const;

const credentialSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type'],
  properties: {
    id: slug,
    type: { enum: ['api-key', 'basic', 'hmac'] },
    header: { type: 'string', pattern: '^[A-Za-z0-9-]{1,64}$' },
    secretHash: { type: 'string', pattern: '^(sha256:[0-9a-f]{64}|scrypt:\\d+:\\d+:\\d+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+)$' },
    username: nonEmpty,
    secretEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
    secretFile: nonEmpty,
    provider: nonEmpty,
    ratePerMinute: { type: 'integer', minimum: 1 },
  },
} as const;

const sourceRuleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['match', 'set'],
  properties: {
    match: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: Object.fromEntries(['provider', 'service', 'url', 'idSource', 'sender', 'subject', 'credential', 'form', 'adapter'].map((k) => [k, nonEmpty])),
    },
    set: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: { provider: nonEmpty, subSource: nonEmpty, party: partyEnum, leadType: nonEmpty, channel: nonEmpty },
    },
  },
} as const;

const formSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'origins'],
  properties: {
    key: slug,
    origins: { type: 'array', items: { type: 'string', pattern: '^https?://[^/\\s]+$' } },
    fields: { type: 'object', additionalProperties: { anyOf: [nonEmpty, { type: 'array', items: nonEmpty }] } },
    honeypot: nonEmpty,
    minFillSeconds: { type: 'number', minimum: 0, maximum: 3600 },
    thankYouUrl: { type: 'string', pattern: '^https?://' },
    provider: nonEmpty,
    leadType: nonEmpty,
  },
} as const;

export const SMTP_DEFAULTS: SmtpConfig = {
  host: '127.0.0.1',
  port: 2525,
  hostname: 'leadgate.localhost',
  domains: [],
  addresses: [],
  maxMessageBytes: 25 * 1024 * 1024,
};

export const IMAP_MAILBOX_DEFAULTS = { port: 993, secure: true, folder: 'INBOX', pollSeconds: 60 };

/** JSON Schema of the config file (after defaults are merged), also served in the README. */
export const CONFIG_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['host', 'port', 'dataDir', 'country', 'dealers', 'groups', 'credentials', 'sources', 'admin', 'auth', 'retention', 'readiness', 'imap', 'dedupe', 'limits', 'topics', 'relay', 'log'],
  properties: {
    $schema: { type: 'string' },
    host: nonEmpty,
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    dataDir: nonEmpty,
    country: { type: 'string', pattern: '^[A-Z]{2}$' },
    dealers: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name'],
        properties: {
          id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' },
          name: nonEmpty,
          country: { type: 'string', pattern: '^[A-Z]{2}$' },
          timeZone: nonEmpty,
          vendorIds: { type: 'array', items: nonEmpty },
          vendorNames: { type: 'array', items: nonEmpty },
          group: nonEmpty,
          credentials: { type: 'array', items: credentialSchema },
          forms: { type: 'array', items: formSchema },
          sources: { type: 'array', items: sourceRuleSchema },
        },
      },
    },
    groups: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name'],
        properties: { id: slug, name: nonEmpty, identityScope: { enum: ['dealer', 'group'] }, sources: { type: 'array', items: sourceRuleSchema } },
      },
    },
    credentials: { type: 'array', items: credentialSchema },
    sources: { type: 'array', items: sourceRuleSchema },
    admin: {
      type: 'object',
      additionalProperties: false,
      required: ['credentials'],
      properties: { credentials: { type: 'array', items: credentialSchema } },
    },
    auth: {
      type: 'object',
      additionalProperties: false,
      required: ['allowLoopbackWithoutCredentials', 'hmacToleranceSeconds'],
      properties: { allowLoopbackWithoutCredentials: { type: 'boolean' }, hmacToleranceSeconds: { type: 'integer', minimum: 1, maximum: 86_400 } },
    },
    databaseUrl: { type: 'string', pattern: '^postgres(ql)?://' },
    retention: {
      type: 'object',
      additionalProperties: false,
      required: ['rawDays'],
      properties: { rawDays: { type: 'number', minimum: 1, maximum: 36_500 } },
    },
    readiness: {
      type: 'object',
      additionalProperties: false,
      required: ['maxOutboxAgeSeconds'],
      properties: { maxOutboxAgeSeconds: { type: 'number', minimum: 1 } },
    },
    dedupe: {
      type: 'object',
      additionalProperties: false,
      required: ['windowDays'],
      properties: { windowDays: { type: 'number', minimum: 0, maximum: 3650 } },
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      required: ['maxBodyBytes', 'maxEmailBytes', 'xmlMaxDepth', 'xmlMaxElements', 'ratePerMinute', 'maxConcurrent', 'maxQueueMs', 'headersTimeoutMs', 'requestTimeoutMs', 'maxConnections'],
      properties: {
        maxBodyBytes: { type: 'integer', minimum: 1024, maximum: 64 * 1024 * 1024 },
        maxEmailBytes: { type: 'integer', minimum: 1024, maximum: 100 * 1024 * 1024 },
        xmlMaxDepth: { type: 'integer', minimum: 8, maximum: 1024 },
        xmlMaxElements: { type: 'integer', minimum: 100, maximum: 10_000_000 },
        ratePerMinute: { type: 'integer', minimum: 1 },
        maxConcurrent: { type: 'integer', minimum: 1, maximum: 100_000 },
        maxQueueMs: { type: 'integer', minimum: 0, maximum: 60_000 },
        headersTimeoutMs: { type: 'integer', minimum: 100, maximum: 600_000 },
        requestTimeoutMs: { type: 'integer', minimum: 100, maximum: 3_600_000 },
        maxConnections: { type: 'integer', minimum: 1, maximum: 1_000_000 },
      },
    },
    kafka: {
      type: 'object',
      additionalProperties: false,
      required: ['brokers', 'clientId'],
      properties: {
        brokers: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[^\\s:]+:\\d+$' } },
        clientId: nonEmpty,
        ssl: {
          anyOf: [
            { type: 'boolean' },
            {
              type: 'object',
              additionalProperties: false,
              properties: { ca: nonEmpty, cert: nonEmpty, key: nonEmpty, rejectUnauthorized: { type: 'boolean' } },
            },
          ],
        },
        compression: { enum: ['none', 'gzip'] },
        sasl: {
          type: 'object',
          additionalProperties: false,
          required: ['mechanism', 'username', 'password'],
          properties: {
            mechanism: { enum: ['plain', 'scram-sha-256', 'scram-sha-512'] },
            username: nonEmpty,
            password: nonEmpty,
          },
        },
      },
    },
    smtp: {
      type: 'object',
      additionalProperties: false,
      required: ['host', 'port', 'hostname', 'domains', 'addresses', 'maxMessageBytes'],
      properties: {
        host: nonEmpty,
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        hostname: nonEmpty,
        domains: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z0-9.-]+$' } },
        addresses: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['address', 'dealer'],
            properties: { address: { type: 'string', pattern: '^[^\\s@]+@[^\\s@]+$' }, dealer: nonEmpty },
          },
        },
        maxMessageBytes: { type: 'integer', minimum: 1024, maximum: 100 * 1024 * 1024 },
        tls: {
          type: 'object',
          additionalProperties: false,
          required: ['cert', 'key'],
          properties: { cert: nonEmpty, key: nonEmpty },
        },
        auth: {
          type: 'object',
          additionalProperties: false,
          required: ['required', 'users'],
          properties: {
            required: { type: 'boolean' },
            users: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['username', 'password'],
                properties: { username: nonEmpty, password: nonEmpty },
              },
            },
          },
        },
      },
    },
    imap: {
      type: 'object',
      additionalProperties: false,
      required: ['mailboxes'],
      properties: {
        mailboxes: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'host', 'port', 'secure', 'user', 'folder', 'pollSeconds'],
            properties: {
              name: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
              host: nonEmpty,
              port: { type: 'integer', minimum: 1, maximum: 65535 },
              secure: { type: 'boolean' },
              user: nonEmpty,
              password: nonEmpty,
              passwordEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
              passwordFile: nonEmpty,
              folder: nonEmpty,
              dealer: nonEmpty,
              processedFolder: nonEmpty,
              rejectedFolder: nonEmpty,
              pollSeconds: { type: 'number', minimum: 1, maximum: 3600 },
              allowSelfSigned: { type: 'boolean' },
            },
          },
        },
      },
    },
    topics: {
      type: 'object',
      additionalProperties: false,
      required: ['leads', 'rejected', 'create', 'partitions', 'replicationFactor'],
      properties: {
        leads: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,249}$' },
        rejected: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,249}$' },
        create: { type: 'boolean' },
        partitions: { type: 'integer', minimum: 1, maximum: 10_000 },
        replicationFactor: { type: 'integer', minimum: 1, maximum: 10 },
      },
    },
    relay: {
      type: 'object',
      additionalProperties: false,
      required: ['batchSize', 'retryDelayMs', 'maxRetryDelayMs'],
      properties: {
        batchSize: { type: 'integer', minimum: 1, maximum: 10_000 },
        retryDelayMs: { type: 'integer', minimum: 1 },
        maxRetryDelayMs: { type: 'integer', minimum: 1 },
      },
    },
    log: {
      type: 'object',
      additionalProperties: false,
      required: ['level'],
      properties: { level: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] } },
    },
  },
} as const;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Environment variables leadgate reads, and where each lands in the config. */
export const ENV_VARS: Record<string, string> = {
  LEADGATE_HOST: 'host',
  LEADGATE_PORT: 'port',
  LEADGATE_DATA_DIR: 'dataDir',
  LEADGATE_COUNTRY: 'country',
  LEADGATE_DEDUPE_WINDOW_DAYS: 'dedupe.windowDays',
  LEADGATE_MAX_BODY_BYTES: 'limits.maxBodyBytes',
  LEADGATE_LOG_LEVEL: 'log.level',
  LEADGATE_TOPIC_LEADS: 'topics.leads',
  LEADGATE_TOPIC_REJECTED: 'topics.rejected',
  LEADGATE_SMTP_HOST: 'smtp.host',
  LEADGATE_SMTP_PORT: 'smtp.port',
  LEADGATE_SMTP_DOMAINS: 'smtp.domains',
  LEADGATE_RETENTION_DAYS: 'retention.rawDays',
  LEADGATE_RATE_PER_MINUTE: 'limits.ratePerMinute',
  DATABASE_URL: 'databaseUrl',
  KAFKA_COMPRESSION: 'kafka.compression',
  KAFKA_BROKERS: 'kafka.brokers',
  KAFKA_CLIENT_ID: 'kafka.clientId',
  KAFKA_SSL: 'kafka.ssl',
  KAFKA_SASL_MECHANISM: 'kafka.sasl.mechanism',
  KAFKA_SASL_USERNAME: 'kafka.sasl.username',
  KAFKA_SASL_PASSWORD: 'kafka.sasl.password',
};

const NUMERIC = new Set(['port', 'dedupe.windowDays', 'limits.maxBodyBytes', 'smtp.port', 'retention.rawDays', 'limits.ratePerMinute']);
const LISTS = new Set(['kafka.brokers', 'smtp.domains']);

type Json = Record<string, unknown>;

function setPath(target: Json, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Json;
  }
  node[keys[keys.length - 1]] = value;
}

function merge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? merge(b as Json, v as Json)
        : v;
  }
  return out;
}

export interface LoadOptions {
  /** Path of a JSON config file (also LEADGATE_CONFIG). */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Values from CLI flags, as config paths ("port", "dataDir"). */
  overrides?: Record<string, unknown>;
}

/** Build the effective configuration; throws ConfigError listing every problem found. */
export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const problems: string[] = [];
  let fileJson: Json = {};
  const file = opts.file ?? env.LEADGATE_CONFIG;
  if (file) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(resolve(file), 'utf8'));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) fileJson = parsed as Json;
      else problems.push(`${file}: the config file must hold a JSON object`);
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
      problems.push(`${file}: cannot read the config file (${reason})`);
    }
  }

  const fromEnv: Json = {};
  for (const [name, path] of Object.entries(ENV_VARS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (NUMERIC.has(path)) {
      const n = Number(raw);
      if (!Number.isFinite(n)) problems.push(`${name}=${JSON.stringify(raw)} is not a number`);
      else setPath(fromEnv, path, n);
    } else if (LISTS.has(path)) {
      setPath(fromEnv, path, raw.split(',').map((s) => s.trim()).filter(Boolean));
    } else if (path === 'kafka.ssl') {
      setPath(fromEnv, path, /^(1|true|yes)$/i.test(raw));
    } else {
      setPath(fromEnv, path, raw);
    }
  }
  const fromFlags: Json = {};
  for (const [path, value] of Object.entries(opts.overrides ?? {})) {
    if (value !== undefined) setPath(fromFlags, path, value);
  }

  let merged = merge(merge(merge(DEFAULTS as unknown as Json, fileJson), fromEnv), fromFlags);
  // An smtp section (or LEADGATE_SMTP_PORT) needs only what differs from these defaults.
  if (merged.smtp && typeof merged.smtp === 'object') {
    merged = { ...merged, smtp: { ...SMTP_DEFAULTS, ...(merged.smtp as Json) } };
  }
  // Mailboxes need only host, user and a password source.
  const imap = merged.imap as Json | undefined;
  if (imap && Array.isArray(imap.mailboxes)) {
    merged = {
      ...merged,
      imap: { ...imap, mailboxes: imap.mailboxes.map((m, i) => (m && typeof m === 'object' ? { ...IMAP_MAILBOX_DEFAULTS, name: `mailbox-${i + 1}`, ...(m as Json) } : m)) },
    };
  }
  // Brokers given without a client id still make a complete Kafka section.
  if (merged.kafka && typeof merged.kafka === 'object') {
    merged = { ...merged, kafka: { clientId: 'leadgate', ...(merged.kafka as Json) } };
  }

  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(CONFIG_SCHEMA);
  if (!validate(merged)) {
    for (const e of validate.errors ?? []) {
      const where = e.instancePath || '(top level)';
      const extra = e.keyword === 'additionalProperties' ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"` : '';
      const allowed = e.keyword === 'enum' ? ` (one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})` : '';
      problems.push(`${where} ${e.message}${extra}${allowed}`);
    }
  }
  const config = merged as unknown as Config;
  if (problems.length === 0) {
    const seen = new Set<string>();
    for (const d of config.dealers) {
      if (seen.has(d.id)) problems.push(`/dealers: dealer id "${d.id}" is listed twice`);
      seen.add(d.id);
    }
    // Groups decide shared identity scopes: a dealer naming a group that does not exist would silently get its own.
    const groupIds = new Set<string>();
    for (const g of config.groups) {
      if (groupIds.has(g.id)) problems.push(`/groups: group id "${g.id}" is listed twice`);
      groupIds.add(g.id);
    }
    config.dealers.forEach((d, i) => {
      if (d.group !== undefined && !groupIds.has(d.group)) problems.push(`/dealers/${i}/group: "${d.group}" is not a group id (groups[].id)`);
    });
    if (config.relay.maxRetryDelayMs < config.relay.retryDelayMs) problems.push('/relay/maxRetryDelayMs must be >= /relay/retryDelayMs');
    problems.push(...credentialProblems(config, env));
    if (config.limits.headersTimeoutMs > config.limits.requestTimeoutMs) problems.push('/limits/headersTimeoutMs must be <= /limits/requestTimeoutMs');
    problems.push(...formConfigProblems(config.dealers));
    const names = new Set<string>();
    config.imap.mailboxes.forEach((m, i) => {
      const sources = [m.password, m.passwordEnv, m.passwordFile].filter((x) => x !== undefined).length;
      if (sources !== 1) problems.push(`/imap/mailboxes/${i} needs exactly one of password, passwordEnv, passwordFile`);
      if (m.passwordEnv && !env[m.passwordEnv]) problems.push(`/imap/mailboxes/${i}/passwordEnv: environment variable ${m.passwordEnv} is not set`);
      if (names.has(m.name)) problems.push(`/imap/mailboxes/${i}: mailbox name "${m.name}" is used twice`);
      names.add(m.name);
    });
  }
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/**
 * Credentials that could not work, and the one rule that keeps a fresh install safe: a host other
 * machines can reach needs intake credentials (unauthenticated intake is for loopback only).
 */
function credentialProblems(config: Config, env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  const check = (c: CredentialConfig, where: string, door: { users: Set<string>; hashes: Set<string> }): void => {
    if (ids.has(c.id)) problems.push(`${where}: credential id "${c.id}" is used twice`);
    ids.add(c.id);
    if (c.type === 'hmac') {
      if (c.secretHash) problems.push(`${where}: an hmac credential needs the shared secret itself (secretEnv or secretFile), not secretHash`);
      if ((c.secretEnv === undefined) === (c.secretFile === undefined)) problems.push(`${where}: an hmac credential needs exactly one of secretEnv, secretFile`);
      else {
        try {
          readHmacSecret(c, env);
        } catch (err) {
          problems.push(`${where}: ${(err as Error).message}`);
        }
      }
      return;
    }
    if (!c.secretHash) problems.push(`${where}: a${c.type === 'api-key' ? 'n api-key' : ' basic'} credential needs secretHash (leadgate hash-secret prints it)`);
    else {
      try {
        parseSecretHash(c.secretHash);
      } catch (err) {
        problems.push(`${where}/secretHash ${(err as Error).message}`);
      }
      if (door.hashes.has(c.secretHash)) problems.push(`${where}: the same secretHash is used by two credentials`);
      door.hashes.add(c.secretHash);
    }
    if (c.type === 'basic') {
      if (!c.username) problems.push(`${where}: a basic credential needs a username`);
      else if (door.users.has(c.username)) problems.push(`${where}: username "${c.username}" is used by two credentials`);
      else door.users.add(c.username);
    }
  };
  const intake = { users: new Set<string>(), hashes: new Set<string>() };
  config.credentials.forEach((c, i) => check(c, `/credentials/${i}`, intake));
  config.dealers.forEach((d, i) => (d.credentials ?? []).forEach((c, j) => check(c, `/dealers/${i}/credentials/${j}`, intake)));
  const admin = { users: new Set<string>(), hashes: new Set<string>() };
  config.admin.credentials.forEach((c, i) => check(c, `/admin/credentials/${i}`, admin));
  const intakeCount = config.credentials.length + config.dealers.reduce((n, d) => n + (d.credentials?.length ?? 0), 0);
  // A forms-only site is fine on a public host: forms are protected by origin, honeypot and rate
  // limits, and the credential-less intake routes stay closed to everyone but loopback callers.
  const formCount = config.dealers.reduce((n, d) => n + (d.forms?.length ?? 0), 0);
  if (!isLoopback(config.host) && intakeCount === 0 && formCount === 0) {
    problems.push(
      `/host "${config.host}" accepts connections from other machines, so intake needs credentials (or the site must be forms-only): add one under credentials[] or dealers[].credentials[] ` +
        '(leadgate hash-secret --generate makes an API key), or listen on 127.0.0.1 (see README, "Authentication and limits")',
    );
  }
  return problems;
}

/** True when the host only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

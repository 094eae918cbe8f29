// Configuration from defaults, a JSON file, environment variables and CLI flags (in that order), validated with ajv; every problem is reported at once.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';

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
}

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  ssl?: boolean;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
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
  limits: { maxBodyBytes: number; maxEmailBytes: number; xmlMaxDepth: number; xmlMaxElements: number };
  kafka?: KafkaConfig;
  smtp?: SmtpConfig;
  imap: { mailboxes: ImapMailboxConfig[] };
  topics: { leads: string; rejected: string };
  relay: { batchSize: number; retryDelayMs: number; maxRetryDelayMs: number };
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' };
}

export const DEFAULTS: Config = {
  host: '127.0.0.1',
  port: 8080,
  dataDir: './data',
  country: 'US',
  dealers: [],
  imap: { mailboxes: [] },
  dedupe: { windowDays: 30 },
  limits: { maxBodyBytes: 1024 * 1024, maxEmailBytes: 25 * 1024 * 1024, xmlMaxDepth: 64, xmlMaxElements: 50_000 },
  topics: { leads: 'leadgate.leads', rejected: 'leadgate.leads.rejected' },
  relay: { batchSize: 100, retryDelayMs: 200, maxRetryDelayMs: 10_000 },
  log: { level: 'info' },
};

const nonEmpty = { type: 'string', minLength: 1 } as const;

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
  required: ['host', 'port', 'dataDir', 'country', 'dealers', 'imap', 'dedupe', 'limits', 'topics', 'relay', 'log'],
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
        },
      },
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
      required: ['maxBodyBytes', 'maxEmailBytes', 'xmlMaxDepth', 'xmlMaxElements'],
      properties: {
        maxBodyBytes: { type: 'integer', minimum: 1024, maximum: 64 * 1024 * 1024 },
        maxEmailBytes: { type: 'integer', minimum: 1024, maximum: 100 * 1024 * 1024 },
        xmlMaxDepth: { type: 'integer', minimum: 8, maximum: 1024 },
        xmlMaxElements: { type: 'integer', minimum: 100, maximum: 10_000_000 },
      },
    },
    kafka: {
      type: 'object',
      additionalProperties: false,
      required: ['brokers', 'clientId'],
      properties: {
        brokers: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[^\\s:]+:\\d+$' } },
        clientId: nonEmpty,
        ssl: { type: 'boolean' },
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
      required: ['leads', 'rejected'],
      properties: { leads: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,249}$' }, rejected: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,249}$' } },
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
  KAFKA_BROKERS: 'kafka.brokers',
  KAFKA_CLIENT_ID: 'kafka.clientId',
  KAFKA_SSL: 'kafka.ssl',
  KAFKA_SASL_MECHANISM: 'kafka.sasl.mechanism',
  KAFKA_SASL_USERNAME: 'kafka.sasl.username',
  KAFKA_SASL_PASSWORD: 'kafka.sasl.password',
};

const NUMERIC = new Set(['port', 'dedupe.windowDays', 'limits.maxBodyBytes', 'smtp.port']);
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
    if (config.relay.maxRetryDelayMs < config.relay.retryDelayMs) problems.push('/relay/maxRetryDelayMs must be >= /relay/retryDelayMs');
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

/** True when the host only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

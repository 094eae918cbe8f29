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

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** Default dealer country for phone numbers. */
  country: string;
  dealers: DealerConfig[];
  dedupe: { windowDays: number };
  limits: { maxBodyBytes: number; xmlMaxDepth: number; xmlMaxElements: number };
  kafka?: KafkaConfig;
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
  dedupe: { windowDays: 30 },
  limits: { maxBodyBytes: 1024 * 1024, xmlMaxDepth: 64, xmlMaxElements: 50_000 },
  topics: { leads: 'leadgate.leads', rejected: 'leadgate.leads.rejected' },
  relay: { batchSize: 100, retryDelayMs: 200, maxRetryDelayMs: 10_000 },
  log: { level: 'info' },
};

const nonEmpty = { type: 'string', minLength: 1 } as const;

/** JSON Schema of the config file (after defaults are merged), also served in the README. */
export const CONFIG_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['host', 'port', 'dataDir', 'country', 'dealers', 'dedupe', 'limits', 'topics', 'relay', 'log'],
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
      required: ['maxBodyBytes', 'xmlMaxDepth', 'xmlMaxElements'],
      properties: {
        maxBodyBytes: { type: 'integer', minimum: 1024, maximum: 64 * 1024 * 1024 },
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
  KAFKA_BROKERS: 'kafka.brokers',
  KAFKA_CLIENT_ID: 'kafka.clientId',
  KAFKA_SSL: 'kafka.ssl',
  KAFKA_SASL_MECHANISM: 'kafka.sasl.mechanism',
  KAFKA_SASL_USERNAME: 'kafka.sasl.username',
  KAFKA_SASL_PASSWORD: 'kafka.sasl.password',
};

const NUMERIC = new Set(['port', 'dedupe.windowDays', 'limits.maxBodyBytes']);

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
    } else if (path === 'kafka.brokers') {
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
  }
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** True when the host only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

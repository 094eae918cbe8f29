// The Kafka sink: kafkajs idempotent producer, acks from all replicas, key = customer id, CloudEvents attributes as ce_* headers; TLS/SASL, compression, topics created at startup where allowed, and a cached health check for /readyz.
import { readFileSync } from 'node:fs';
import kafkajs, { type Admin, type KafkaConfig as KafkaJsConfig, type Producer, type SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import type { Config, KafkaConfig } from '../config.js';
import type { Logger } from '../log.js';
import type { Sink } from '../sink.js';
import type { OutboxEvent } from '../store.js';

// kafkajs is CommonJS; its default export is the reliable way in from ESM.
const { Kafka, logLevel, Partitioners, CompressionTypes } = kafkajs;

/** How often the health check runs when nothing was published meanwhile, and how long one check may take. */
const HEALTH_INTERVAL_MS = 10_000;
const HEALTH_TIMEOUT_MS = 3_000;

/** Errors that mean "Kafka is not reachable right now" (try again later), as opposed to "Kafka said no". */
const UNREACHABLE = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSBrokerNotFound',
  'KafkaJSTimeout',
  'KafkaJSLockTimeout',
  'KafkaJSSASLAuthenticationError',
]);

export type TopicsConfig = Config['topics'];

export interface KafkaHealth {
  ok: boolean;
  /** When the broker last answered (a produce or a health check). */
  lastOkAt?: string;
  checkedAt?: string;
  /** Why the last check failed (an error class and message, never event content). */
  error?: string;
}

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`kafka.ssl.${what}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** TLS options from config: true → the system CAs; an object → PEM files read once, here, so a missing file fails at startup. */
export function kafkaTls(ssl: KafkaConfig['ssl']): ConnectionOptions | boolean | undefined {
  if (ssl === undefined || typeof ssl === 'boolean') return ssl;
  return {
    ...(ssl.ca ? { ca: [readPem(ssl.ca, 'ca')] } : {}),
    ...(ssl.cert ? { cert: readPem(ssl.cert, 'cert') } : {}),
    ...(ssl.key ? { key: readPem(ssl.key, 'key') } : {}),
    ...(ssl.rejectUnauthorized !== undefined ? { rejectUnauthorized: ssl.rejectUnauthorized } : {}),
  };
}

/** The kafkajs client settings for a config: what the tests and production share, so the code path is the same. */
export function kafkaClientConfig(config: KafkaConfig, overrides: Partial<KafkaJsConfig> = {}): KafkaJsConfig {
  const ssl = kafkaTls(config.ssl);
  return {
    clientId: config.clientId,
    brokers: config.brokers,
    ...(ssl !== undefined ? { ssl } : {}),
    ...(config.sasl ? { sasl: { mechanism: config.sasl.mechanism, username: config.sasl.username, password: config.sasl.password } as SASLOptions } : {}),
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    // kafkajs retries inside send; the relay only retries a whole batch after that gives up.
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
    logLevel: logLevel.NOTHING,
    ...overrides,
  };
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    const type = (err as { type?: string }).type;
    return `${err.name}${type ? ` ${type}` : ''}: ${err.message}`.slice(0, 300);
  }
  return String(err).slice(0, 300);
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`${what} timed out after ${ms} ms`), { name: 'KafkaJSTimeout' })), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export class KafkaSink implements Sink {
  readonly name = 'kafka';
  private readonly kafka: InstanceType<typeof Kafka>;
  /** A second client for health checks: no retries and short timeouts, so a check answers in seconds. */
  private readonly probe: InstanceType<typeof Kafka>;
  private producer?: Producer;
  private connecting?: Promise<Producer>;
  private probeAdmin?: Admin;
  private healthTimer?: NodeJS.Timeout;
  private checking?: Promise<void>;
  private readonly compression: kafkajs.CompressionTypes;
  /** Set once the topics were looked at (created, found, or the broker refused): no more admin calls for them. */
  private topicsSettled = false;
  private settling?: Promise<void>;
  readonly health: KafkaHealth = { ok: false };

  constructor(
    private readonly config: KafkaConfig,
    private readonly log: Logger,
    private readonly topics?: TopicsConfig,
  ) {
    this.kafka = new Kafka(kafkaClientConfig(config));
    this.probe = new Kafka(kafkaClientConfig(config, { clientId: `${config.clientId}-health`, connectionTimeout: 2000, requestTimeout: HEALTH_TIMEOUT_MS, retry: { retries: 0 } }));
    this.compression = config.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
    if (config.sasl && !config.ssl) log.warn({ mechanism: config.sasl.mechanism }, 'kafka SASL is configured without TLS: credentials and events cross the network unencrypted (set kafka.ssl)');
  }

  /** Begin the background work: topic preparation now, then a health check every HEALTH_INTERVAL_MS. */
  start(): void {
    void this.ensureTopics().catch((err) => this.log.warn({ err: describeError(err) }, 'kafka unreachable at startup; topics are checked again before the first publish'));
    void this.checkHealth();
    this.healthTimer ??= setInterval(() => void this.checkHealth(), HEALTH_INTERVAL_MS);
    this.healthTimer.unref();
  }

  /**
   * Make sure the configured topics exist with the configured partition count, once. Missing
   * ones are created when topics.create allows it; a broker that refuses (no CreateTopics
   * support, no permission, a policy) gets one clear log line and publishing goes on (the broker
   * may auto-create them, with its default partition count). Unreachable: throws, tried again.
   */
  ensureTopics(): Promise<void> {
    if (this.topicsSettled || !this.topics) return Promise.resolve();
    this.settling ??= this.settleTopics().finally(() => {
      this.settling = undefined;
    });
    return this.settling;
  }

  private async settleTopics(): Promise<void> {
    const t = this.topics!;
    const wanted = [...new Set([t.leads, t.rejected])];
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const present = wanted.filter((x) => existing.has(x));
      const missing = wanted.filter((x) => !existing.has(x));
      if (present.length) {
        const meta = await admin.fetchTopicMetadata({ topics: present });
        for (const topic of meta.topics) {
          if (topic.partitions.length !== t.partitions) {
            // Not changed for you: adding partitions moves customers to other partitions (their order across the change is lost).
            this.log.warn({ topic: topic.name, partitions: topic.partitions.length, configured: t.partitions }, 'kafka topic exists with another partition count than topics.partitions; using it as it is');
          }
        }
      }
      if (missing.length && !t.create) {
        this.log.warn({ topics: missing }, 'kafka topics are missing and topics.create is off: create them, or the broker auto-creates them with its default partition count');
      } else if (missing.length) {
        try {
          await admin.createTopics({
            topics: missing.map((topic) => ({ topic, numPartitions: t.partitions, replicationFactor: t.replicationFactor })),
            waitForLeaders: true,
            timeout: 10_000,
          });
          this.log.info({ topics: missing, partitions: t.partitions, replicationFactor: t.replicationFactor }, 'kafka topics created');
        } catch (err) {
          if (UNREACHABLE.has((err as Error).name)) throw err;
          this.log.warn(
            { topics: missing, partitions: t.partitions, replicationFactor: t.replicationFactor, reason: describeError(err) },
            'the kafka cluster does not let leadgate create topics: create them yourself with these settings (or set topics.create to false); publishing continues, and a broker with auto-create makes them with its default partition count',
          );
        }
      }
      this.topicsSettled = true;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** One health check unless one is running or a publish just proved the broker reachable; never throws. */
  checkHealth(): Promise<void> {
    const fresh = this.health.ok && this.health.lastOkAt && Date.now() - Date.parse(this.health.lastOkAt) < HEALTH_INTERVAL_MS;
    if (fresh) return Promise.resolve();
    this.checking ??= (async () => {
      try {
        this.probeAdmin ??= this.probe.admin();
        await withTimeout(this.probeAdmin.connect(), HEALTH_TIMEOUT_MS, 'connect');
        await withTimeout(this.probeAdmin.describeCluster(), HEALTH_TIMEOUT_MS, 'describeCluster');
        this.markOk();
      } catch (err) {
        this.health.ok = false;
        this.health.error = describeError(err);
        // Start the next check from a fresh connection.
        const admin = this.probeAdmin;
        this.probeAdmin = undefined;
        await admin?.disconnect().catch(() => undefined);
      } finally {
        this.health.checkedAt = new Date().toISOString();
      }
    })().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private markOk(): void {
    this.health.ok = true;
    this.health.lastOkAt = new Date().toISOString();
    delete this.health.error;
  }

  private async connected(): Promise<Producer> {
    if (this.producer) return this.producer;
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: true,
        // murmur2 like the Java client, so a customer's events land on the same partition whichever client produced them.
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      producer.on(producer.events.DISCONNECT, () => {
        if (this.producer === producer) this.producer = undefined;
      });
      try {
        await producer.connect();
      } catch (err) {
        await producer.disconnect().catch(() => undefined);
        throw err;
      }
      this.producer = producer;
      this.log.info({ brokers: this.config.brokers.length, compression: this.config.compression ?? 'none', tls: Boolean(this.config.ssl), sasl: this.config.sasl?.mechanism }, 'kafka producer connected');
      return producer;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  async send(events: OutboxEvent[]): Promise<void> {
    await this.ensureTopics();
    const producer = await this.connected();
    // Keep commit order per topic; one request per topic, messages in seq order (per-customer order follows).
    const byTopic = new Map<string, OutboxEvent[]>();
    for (const e of events) {
      const list = byTopic.get(e.topic);
      if (list) list.push(e);
      else byTopic.set(e.topic, [e]);
    }
    try {
      await producer.sendBatch({
        acks: -1,
        compression: this.compression,
        topicMessages: [...byTopic].map(([topic, list]) => ({
          topic,
          messages: list.map((e) => ({ key: e.key, value: e.value, headers: e.headers })),
        })),
      });
      this.markOk();
    } catch (err) {
      this.health.ok = false;
      this.health.error = describeError(err);
      // A failed idempotent producer must be rebuilt so sequence numbers restart cleanly.
      this.producer = undefined;
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
  }

  /** For /readyz: the cached result of the last publish or health check (no request per call). */
  async ready(): Promise<boolean> {
    return this.health.ok;
  }

  async close(): Promise<void> {
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.healthTimer = undefined;
    await this.checking;
    await this.probeAdmin?.disconnect().catch(() => undefined);
    this.probeAdmin = undefined;
    const p = this.producer ?? (await this.connecting?.catch(() => undefined));
    this.producer = undefined;
    await p?.disconnect().catch(() => undefined);
  }
}

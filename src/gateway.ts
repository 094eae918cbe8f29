// Assembles a running gateway from a Config: store (SQLite, or PostgreSQL for several instances), sink (Kafka or file log), relay, pipeline and the HTTP server.
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { isLoopback, type Config } from './config.js';
import type { Logger } from './log.js';
import { Metrics, metricsOptionsFrom } from './metrics.js';
import { Pipeline } from './pipeline/index.js';
import { Relay } from './relay.js';
import { startDailyPurge } from './retention.js';
import type { Sink } from './sink.js';
import { FileLogSink } from './sinks/file-log.js';
import { KafkaSink } from './sinks/kafka.js';
import type { Store } from './store.js';
import { driverName } from './stores/sqlite-driver.js';
import { SqliteStore } from './stores/sqlite.js';
import { PostgresStore, redactDatabaseUrl } from './stores/postgres.js';
import { createHttpApp, problem } from './transports/http.js';
import { HttpSecurity } from './transports/auth.js';
import { startSmtpReceiver } from './transports/smtp.js';
import { indexForms } from './formats/form.js';
import { startImapIntake } from './transports/imap.js';

export interface Gateway {
  url: string;
  port: number;
  /** The SMTP receiver's port, when smtp is configured. */
  smtpPort?: number;
  store: Store;
  sink: Sink;
  relay: Relay;
  pipeline: Pipeline;
  close(): Promise<void>;
}

/** PostgreSQL when databaseUrl (DATABASE_URL) is set — several instances share it — else SQLite in the data dir. PostgreSQL migrates on first use. */
export function openStore(config: Config): Store {
  if (config.databaseUrl) return new PostgresStore(config.databaseUrl);
  return new SqliteStore(join(resolve(config.dataDir), 'leadgate.db'));
}

export function openSink(config: Config, log: Logger): Sink {
  return config.kafka ? new KafkaSink(config.kafka, log, config.topics) : new FileLogSink(join(resolve(config.dataDir), 'events'));
}

/** Bring the PostgreSQL schema up to date before serving (instances starting together queue on an advisory lock); a clear error when the database is unreachable. */
async function prepareStore(store: Store, log: Logger): Promise<void> {
  if (!(store instanceof PostgresStore)) return;
  const where = redactDatabaseUrl(store.url);
  try {
    const report = await store.migrate();
    if (report.applied.length) log.info({ database: where, applied: report.applied, schemaVersion: report.current }, 'postgresql schema migrated');
    if (report.unknown.length) log.warn({ database: where, unknown: report.unknown }, 'the database has schema versions this build does not know (a newer leadgate migrated it); running on the versions it knows');
  } catch (err) {
    await store.close().catch(() => undefined);
    const reason = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    throw new Error(`cannot prepare the PostgreSQL store at ${where}: ${reason}`, { cause: err });
  }
}

/** The outbox part of /readyz: depth, the oldest unpublished event's age, and whether that is within the limit. */
export async function outboxCheck(store: Pick<Store, 'outboxStats'>, maxAgeSeconds: number): Promise<{ ok: boolean; pending: number; oldestAgeSeconds?: number; maxAgeSeconds: number; error?: string }> {
  try {
    const s = await store.outboxStats();
    const age = s.oldestCreatedAt ? Math.max(0, Math.floor((Date.now() - Date.parse(s.oldestCreatedAt)) / 1000)) : undefined;
    const tooOld = age !== undefined && age > maxAgeSeconds;
    return { ok: !tooOld, pending: s.pending, ...(age !== undefined ? { oldestAgeSeconds: age } : {}), maxAgeSeconds, ...(tooOld ? { error: 'outbox_backlog_too_old' } : {}) };
  } catch {
    // The store check above reports an unreachable store.
    return { ok: true, pending: -1, maxAgeSeconds };
  }
}

export async function startGateway(config: Config, log: Logger): Promise<Gateway> {
  const store = openStore(config);
  await prepareStore(store, log);
  const sink = openSink(config, log);
  // Label sets (dealers, providers) come from the config once; outbox depth and age are read at each scrape.
  const metrics = new Metrics({ ...metricsOptionsFrom(config), processMetrics: true });
  metrics.watchOutbox(() => store.outboxStats());
  const relay = new Relay(store, sink, config.relay, log, metrics);
  const pipeline = new Pipeline(config, store, log);

  const app = createHttpApp({
    pipeline,
    metrics,
    log,
    maxBodyBytes: config.limits.maxBodyBytes,
    maxEmailBytes: config.limits.maxEmailBytes,
    onCommitted: () => relay.notify(),
    forms: indexForms(config.dealers),
    security: new HttpSecurity(config, { log, metrics, refuse: problem }),
    ready: async () => {
      const checks: Record<string, unknown> = {};
      let ok = true;
      try {
        await store.ping();
        checks.store = 'ok';
      } catch {
        checks.store = 'unavailable';
        ok = false;
      }
      // The sink being down does not stop intake (the outbox holds events), so it is reported, not fatal.
      checks.sink = {
        name: sink.name,
        lastError: relay.stats.lastError ? 'publishing failed; events are queued' : undefined,
        // Kafka: the cached result of the last publish or background health check, never a request per probe.
        ...(sink instanceof KafkaSink ? { reachable: sink.health.ok, lastOkAt: sink.health.lastOkAt, checkedAt: sink.health.checkedAt } : {}),
      };
      // A backlog older than readiness.maxOutboxAgeSeconds fails readiness: events are not reaching consumers (the sink has been down that long).
      const outbox = await outboxCheck(store, config.readiness.maxOutboxAgeSeconds);
      checks.outboxPending = outbox.pending;
      checks.outbox = outbox;
      if (!outbox.ok) ok = false;
      // A mailbox that cannot connect is reported (leads wait on the mail server, nothing is lost) but does not make intake unready.
      if (imap) checks.imap = imap.status();
      return { ok, checks };
    },
  });

  relay.start();
  // Topics created (where the broker allows it) and the health check started, in the background: Kafka being down never stops intake.
  if (sink instanceof KafkaSink) sink.start();
  // Raw inputs older than retention.rawDays lose their bytes once a day (first a minute after start).
  const dailyPurge = startDailyPurge(store, config.retention.rawDays, log);
  const smtp = config.smtp
    ? await startSmtpReceiver({ config: config.smtp, dealerIds: config.dealers.map((d) => d.id), pipeline, log, metrics, onCommitted: () => relay.notify() })
    : undefined;
  if (smtp && config.smtp && config.smtp.domains.length + config.smtp.addresses.length === 0) {
    log.warn('smtp receiver has no recipient domains or addresses configured, so it refuses every message (set smtp.domains or LEADGATE_SMTP_DOMAINS)');
  }
  if (smtp && config.smtp) log.info({ host: config.smtp.host, port: smtp.port, domains: config.smtp.domains.length, addresses: config.smtp.addresses.length, tls: Boolean(config.smtp.tls) }, 'smtp receiver listening');
  const imap = config.imap.mailboxes.length
    ? await startImapIntake({
        mailboxes: config.imap.mailboxes,
        pipeline,
        log,
        metrics,
        onCommitted: () => relay.notify(),
        maxMessageBytes: config.limits.maxEmailBytes,
      })
    : undefined;
  const { limits } = config;
  const server = await new Promise<Server>((resolveServer, reject) => {
    const s = serve(
      {
        fetch: app.fetch,
        port: config.port,
        hostname: config.host,
        // Slow clients (slow-loris) must not hold connections: headers and the whole request each have a deadline,
        // checked often enough that a deadline is enforced within a quarter of itself.
        serverOptions: {
          headersTimeout: limits.headersTimeoutMs,
          requestTimeout: limits.requestTimeoutMs,
          keepAliveTimeout: Math.min(5000, limits.headersTimeoutMs),
          connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(limits.headersTimeoutMs / 4))),
        },
      },
      () => resolveServer(s as Server),
    );
    s.once('error', reject);
  });
  // Beyond this many open connections new ones are dropped at once, so memory stays bounded whoever connects.
  server.maxConnections = limits.maxConnections;
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log.info(
    { url, dataDir: resolve(config.dataDir), sink: sink.name, store: store instanceof PostgresStore ? `postgres ${redactDatabaseUrl(store.url)}` : `sqlite ${driverName}`, node: process.version, dealers: config.dealers.length, loopbackOnly: isLoopback(config.host) },
    isLoopback(config.host)
      ? 'leadgate listening on loopback only (set LEADGATE_HOST or --host to accept other machines)'
      : 'leadgate listening',
  );

  let closed = false;
  return {
    url,
    port,
    ...(smtp ? { smtpPort: smtp.port } : {}),
    store,
    sink,
    relay,
    pipeline,
    async close() {
      if (closed) return;
      closed = true;
      // Stop accepting, let requests in flight finish (their commits decide their replies), then cut idle keep-alives.
      const stopped = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), 5000);
      force.unref();
      await stopped;
      clearTimeout(force);
      await smtp?.close();
      await imap?.close();
      await dailyPurge.stop();
      await relay.stop({ flush: true, timeoutMs: 5000 });
      await sink.close();
      await store.close();
      log.info('leadgate stopped');
    },
  };
}

// Assembles a running gateway from a Config: SQLite store, sink (Kafka or file log), relay, pipeline and the HTTP server.
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { isLoopback, type Config } from './config.js';
import type { Logger } from './log.js';
import { Metrics } from './metrics.js';
import { Pipeline } from './pipeline/index.js';
import { Relay } from './relay.js';
import type { Sink } from './sink.js';
import { FileLogSink } from './sinks/file-log.js';
import { KafkaSink } from './sinks/kafka.js';
import type { Store } from './store.js';
import { driverName } from './stores/sqlite-driver.js';
import { SqliteStore } from './stores/sqlite.js';
import { createHttpApp } from './transports/http.js';
import { startSmtpReceiver } from './transports/smtp.js';
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

export function openStore(config: Config): Store {
  return new SqliteStore(join(resolve(config.dataDir), 'leadgate.db'));
}

export function openSink(config: Config, log: Logger): Sink {
  return config.kafka ? new KafkaSink(config.kafka, log) : new FileLogSink(join(resolve(config.dataDir), 'events'));
}

export async function startGateway(config: Config, log: Logger): Promise<Gateway> {
  const store = openStore(config);
  const sink = openSink(config, log);
  const relay = new Relay(store, sink, config.relay, log);
  const pipeline = new Pipeline(config, store, log);
  const metrics = new Metrics();
  metrics.gauge('leadgate_outbox_pending', 'Committed events not yet published to the sink.', () => store.countPending());
  metrics.gauge('leadgate_relay_sent_total', 'Events published since start.', () => relay.stats.sent);
  metrics.gauge('leadgate_relay_failures_total', 'Failed publish attempts since start.', () => relay.stats.failures);

  const app = createHttpApp({
    pipeline,
    metrics,
    log,
    maxBodyBytes: config.limits.maxBodyBytes,
    maxEmailBytes: config.limits.maxEmailBytes,
    onCommitted: () => relay.notify(),
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
      checks.sink = { name: sink.name, lastError: relay.stats.lastError ? 'publishing failed; events are queued' : undefined };
      checks.outboxPending = await store.countPending().catch(() => -1);
      // A mailbox that cannot connect is reported (leads wait on the mail server, nothing is lost) but does not make intake unready.
      if (imap) checks.imap = imap.status();
      return { ok, checks };
    },
  });

  relay.start();
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
  const server = await new Promise<Server>((resolveServer, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolveServer(s as Server));
    s.once('error', reject);
  });
  // Slow clients must not hold connections forever.
  server.headersTimeout = 15_000;
  server.requestTimeout = 30_000;
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log.info(
    { url, dataDir: resolve(config.dataDir), sink: sink.name, sqlite: driverName, node: process.version, dealers: config.dealers.length, loopbackOnly: isLoopback(config.host) },
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
      await relay.stop({ flush: true, timeoutMs: 5000 });
      await sink.close();
      await store.close();
      log.info('leadgate stopped');
    },
  };
}

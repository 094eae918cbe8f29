// The Kafka sink's production settings: TLS and SASL as kafkajs gets them (and a real TLS handshake), compression, topics at startup on a broker that cannot create them, the cached health check behind /readyz, and a shutdown that flushes the relay.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { Writable } from 'node:stream';
import kafkajs, { type KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, tempDir } from '../../test/support/gateway.js';
import { kafkaMockAvailable, startKafkaBroker, type KafkaBroker } from '../../test/support/kafka-broker.js';
import { opensslAvailable, selfSignedCertificate } from '../../test/support/tls.js';
import { createLogger } from '../log.js';
import { SqliteStore } from '../stores/sqlite.js';
import { kafkaClientConfig, KafkaSink } from './kafka.js';

const { Kafka, logLevel } = kafkajs;
const brokerSuite = describe.skipIf(!kafkaMockAvailable() && process.env.LEADGATE_REQUIRE_KAFKA !== '1');

/** A logger whose lines the test can read. */
function capturedLog(): { log: ReturnType<typeof createLogger>; lines: () => Array<Record<string, unknown>> } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { log: createLogger({ level: 'debug', destination: sink }), lines: () => lines.map((l) => JSON.parse(l)) };
}

async function consume(brokers: string[], topic: string, count: number): Promise<KafkaMessage[]> {
  const kafka = new Kafka({ clientId: 'sink-test', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `g-${topic}-${Math.random().toString(36).slice(2)}`, maxWaitTimeInMs: 50 });
  const got: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void got.push(message) });
  const deadline = Date.now() + 30_000;
  while (got.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await consumer.disconnect();
  return got;
}

describe('kafka client settings from config', () => {
  it('passes SASL (PLAIN and SCRAM) and plain TLS through unchanged', () => {
    const base = { brokers: ['k1:9093', 'k2:9093'], clientId: 'leadgate' };
    for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
      const c = kafkaClientConfig({ ...base, ssl: true, sasl: { mechanism, username: 'lg', password: 's3cret' } });
      expect(c).toMatchObject({ clientId: 'leadgate', brokers: ['k1:9093', 'k2:9093'], ssl: true, sasl: { mechanism, username: 'lg', password: 's3cret' } });
    }
    const plain = kafkaClientConfig(base);
    expect(plain.ssl).toBeUndefined();
    expect(plain.sasl).toBeUndefined();
  });

  it('reads TLS files once into the socket options, and names a file it cannot read', () => {
    const dir = tempDir();
    try {
      for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(dir, f), `-----BEGIN ${f}-----\n`);
      const c = kafkaClientConfig({ brokers: ['k:9093'], clientId: 'x', ssl: { ca: join(dir, 'ca.pem'), cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), rejectUnauthorized: false } });
      expect(c.ssl).toEqual({ ca: ['-----BEGIN ca.pem-----\n'], cert: '-----BEGIN cert.pem-----\n', key: '-----BEGIN key.pem-----\n', rejectUnauthorized: false });
      expect(() => kafkaClientConfig({ brokers: ['k:9093'], clientId: 'x', ssl: { ca: join(dir, 'missing.pem') } })).toThrow(`kafka.ssl.ca: cannot read ${join(dir, 'missing.pem')} (ENOENT)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('warns when SASL credentials would cross the network without TLS', () => {
    const { log, lines } = capturedLog();
    new KafkaSink({ brokers: ['k:9092'], clientId: 'x', sasl: { mechanism: 'plain', username: 'u', password: 'p' } }, log);
    expect(lines().some((l) => /without TLS/.test(String(l.msg)))).toBe(true);
    expect(JSON.stringify(lines())).not.toContain('"p"');
  });

  it.skipIf(!opensslAvailable())('completes a real TLS handshake with a private CA from kafka.ssl.ca, and refuses an unknown certificate without it', async () => {
    const cert = selfSignedCertificate();
    const handshakes: string[] = [];
    const server = createTlsServer({ cert: readFileSync(cert.cert), key: readFileSync(cert.key) }, (socket: TLSSocket) => {
      handshakes.push(socket.getProtocol() ?? 'tls');
      socket.destroy(); // not a Kafka broker: the handshake is what this test is about
    });
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const attempt = async (ssl: boolean | { ca: string }) => {
      const admin = new Kafka(kafkaClientConfig({ brokers: [`localhost:${port}`], clientId: 'tls-test', ssl }, { retry: { retries: 0 }, connectionTimeout: 2000 })).admin();
      const err = await admin.connect().then(() => undefined, (e: Error) => e);
      await admin.disconnect().catch(() => undefined);
      return err;
    };
    try {
      const untrusted = await attempt(true);
      expect(String(untrusted?.message)).toMatch(/self[- ]signed|certificate/i);
      expect(handshakes).toHaveLength(0);
      await attempt({ ca: cert.cert });
      expect(handshakes.length).toBeGreaterThan(0);
    } finally {
      server.close();
      cert.cleanup();
    }
  });
});

brokerSuite('kafka sink against a Kafka-protocol broker', () => {
  let broker: KafkaBroker;
  beforeAll(async () => {
    broker = await startKafkaBroker({ topics: [{ name: 'pre-made', partitions: 2 }] });
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('checks topics at startup: says clearly when the broker cannot create them, warns on a partition mismatch, and keeps publishing (gzip)', async () => {
    const { log, lines } = capturedLog();
    const topics = { leads: 'pre-made', rejected: 'not-yet-there', create: true, partitions: 6, replicationFactor: 1 };
    const sink = new KafkaSink({ brokers: broker.brokers, clientId: 'lg', compression: 'gzip' }, log, topics);
    try {
      await sink.ensureTopics();
      const warned = lines().filter((l) => l.level === 40);
      const mismatch = warned.find((l) => l.topic === 'pre-made');
      expect(mismatch).toMatchObject({ partitions: 2, configured: 6 });
      const refused = warned.find((l) => /does not let leadgate create topics/.test(String(l.msg)));
      expect(refused).toMatchObject({ topics: ['not-yet-there'], partitions: 6, replicationFactor: 1 });
      expect(String(refused!.reason)).toMatch(/does not support/i);
      // Once settled, no more admin round trips: a second call logs nothing new.
      const n = lines().length;
      await sink.ensureTopics();
      expect(lines().length).toBe(n);

      const events = Array.from({ length: 20 }, (_, i) => ({ seq: i + 1, id: `e${i}`, topic: i % 2 ? 'pre-made' : 'not-yet-there', key: `c${i % 3}`, value: JSON.stringify({ i, pad: 'x'.repeat(200) }), headers: { ce_id: `e${i}` } }));
      await sink.send(events);
      const made = await consume(broker.brokers, 'pre-made', 10);
      const auto = await consume(broker.brokers, 'not-yet-there', 10);
      expect(made.map((m) => JSON.parse(m.value!.toString()).i).sort((a, b) => a - b)).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
      expect(auto).toHaveLength(10);
      expect(lines().some((l) => l.msg === 'kafka producer connected' && l.compression === 'gzip')).toBe(true);
    } finally {
      await sink.close();
    }
  });

  it('caches a health check for /readyz: reachable, then not while the broker is down, then again', async () => {
    const { log } = capturedLog();
    const sink = new KafkaSink({ brokers: broker.brokers, clientId: 'lg' }, log);
    try {
      await sink.checkHealth();
      expect(sink.health).toMatchObject({ ok: true });
      expect(await sink.ready()).toBe(true);
      await broker.setBrokerDown(-1);
      // A fresh success is trusted for a while; force the next check to ask.
      sink.health.lastOkAt = new Date(0).toISOString();
      await sink.checkHealth();
      expect(sink.health.ok).toBe(false);
      expect(sink.health.error).toBeTruthy();
      expect(await sink.ready()).toBe(false);
      await broker.setBrokerUp(-1);
      await sink.checkHealth();
      expect(sink.health.ok).toBe(true);
    } finally {
      await broker.setBrokerUp(-1);
      await sink.close();
    }
  });

  it('reports Kafka reachability on /readyz, and a graceful shutdown publishes what is still in the outbox', async () => {
    const topics = { leads: `flush-${Date.now()}`, rejected: `flush-rej-${Date.now()}` };
    const gw = await startTestGateway({ topics }, { KAFKA_BROKERS: broker.bootstrap });
    let closed = false;
    try {
      await expect.poll(async () => ((await (await fetch(`${gw.url}/readyz`)).json()) as any).checks.sink.reachable, { timeout: 20_000 }).toBe(true);
      await broker.setBrokerDown(-1);
      const body = readFileSync(new URL('../../fixtures/real-leads/cargurus-1.xml', import.meta.url), 'utf8');
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await gw.post(body.replace('vAuto-1760340718386', `vAuto-77${i}`).replace('2 weeks', `${i + 2} weeks`));
        expect(res.status).toBe(200);
        ids.push(res.json.leads[0].leadId);
      }
      expect(await gw.store.countPending()).toBe(6);
      await broker.setBrokerUp(-1);
      // Close right away: the relay may still be backing off; the shutdown flush must deliver the backlog.
      await gw.close();
      closed = true;
      const reopened = new SqliteStore(join(gw.dataDir, 'leadgate.db'));
      expect(await reopened.countPending()).toBe(0);
      await reopened.close();
      const got = await consume(broker.brokers, topics.leads, 6);
      expect(got.map((m) => JSON.parse(m.value!.toString()).data.leadId)).toEqual(ids);
    } finally {
      await broker.setBrokerUp(-1);
      if (closed) rmSync(gw.dataDir, { recursive: true, force: true });
      else await gw.cleanup();
    }
  });
});

// Kafka end to end: the real relay + kafkajs publish to a Kafka-protocol broker over TCP; a kafkajs consumer reads the events back; a killed gateway's backlog is delivered after restart.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import kafkajs, { type KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaMockAvailable, startKafkaBroker, type KafkaBroker } from './support/kafka-broker.js';
import { startTestGateway, tempDir, type TestGateway } from './support/gateway.js';
import { expectValidEvent } from './support/schemas.js';

const { Kafka, logLevel } = kafkajs;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = new URL('../fixtures/real-leads/', import.meta.url);
// The blank EverLogic template holds no lead (see http.test.ts); every other real lead must flow through.
const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.xml') && f !== 'published-everlogic-template-1.xml').sort();
const suite = describe.skipIf(!kafkaMockAvailable() && process.env.LEADGATE_REQUIRE_KAFKA !== '1');

interface Received {
  key: string;
  value: any;
  headers: Record<string, string>;
  partition: number;
}

/** Read `count` messages from a topic with a kafkajs consumer group, from the beginning. */
async function consume(brokers: string[], topic: string, count: number, timeoutMs = 30_000): Promise<Received[]> {
  const kafka = new Kafka({ clientId: 'test-consumer', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `g-${topic}-${Math.random().toString(36).slice(2)}` });
  const got: Received[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${got.length}/${count} messages on ${topic}`)), timeoutMs);
    void consumer.run({
      eachMessage: async ({ message, partition }: { message: KafkaMessage; partition: number }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        got.push({ key: message.key!.toString(), value: JSON.parse(message.value!.toString()), headers, partition });
        if (got.length >= count) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  try {
    await done;
  } finally {
    await consumer.disconnect();
  }
  return got;
}

const uniqueTopics = () => {
  const tag = Math.random().toString(36).slice(2, 8);
  return { leads: `leads-${tag}`, rejected: `rejected-${tag}` };
};

suite('publishing to Kafka', () => {
  let broker: KafkaBroker;
  beforeAll(async () => {
    broker = await startKafkaBroker();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('publishes every real lead as a schema-valid CloudEvent keyed by customer, with ce_* headers', async () => {
    const topics = uniqueTopics();
    const gw: TestGateway = await startTestGateway({ topics }, { KAFKA_BROKERS: broker.bootstrap });
    try {
      const replies: any[] = [];
      for (const f of fixtures) {
        const res = await gw.post(readFileSync(new URL(f, FIXTURES)));
        expect(res.status, f).toBe(200);
        replies.push(...res.json.leads);
      }
      const again = await gw.post(readFileSync(new URL(fixtures[0], FIXTURES)));
      expect(again.json.leads[0].outcome).toBe('duplicate');
      const bad = await gw.post('not a lead', { contentType: 'text/plain' });
      expect(bad.status).toBe(422);

      const messages = await consume(broker.brokers, topics.leads, replies.length + 1);
      expect(messages.map((m) => m.value.data.leadId).sort()).toEqual([...replies.map((r) => r.leadId), again.json.leads[0].leadId].sort());
      for (const m of messages) {
        expectValidEvent(m.value);
        expect(m.key).toBe(m.value.data.customerId);
        expect(m.headers.ce_id).toBe(m.value.id);
        expect(m.headers.ce_type).toBe(m.value.type);
        expect(m.headers.ce_specversion).toBe('1.0');
        expect(m.headers.ce_source).toBe(m.value.source);
      }
      expect(messages.filter((m) => m.value.type === 'com.leadgate.lead.duplicate')).toHaveLength(1);
      const rejected = await consume(broker.brokers, topics.rejected, 1);
      expectValidEvent(rejected[0].value);
      expect(rejected[0].value.data.code).toBe('not_a_lead');
    } finally {
      await gw.cleanup();
    }
  });

  it('keeps accepting leads while Kafka is down and drains the backlog when it returns, in order per customer', async () => {
    const topics = uniqueTopics();
    const gw = await startTestGateway({ topics }, { KAFKA_BROKERS: broker.bootstrap });
    try {
      await broker.setBrokerDown(-1);
      const body = readFileSync(new URL('cargurus-1.xml', FIXTURES), 'utf8');
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        // Same customer, different provider lead ids and comments: one received, then duplicates, all for one key.
        const res = await gw.post(body.replace('vAuto-1760340718386', `vAuto-99${i}`).replace('2 weeks', `${i + 2} weeks`));
        expect(res.status).toBe(200);
        ids.push(res.json.leads[0].leadId);
      }
      expect(await gw.store.countPending()).toBe(5);
      await broker.setBrokerUp(-1);
      const messages = await consume(broker.brokers, topics.leads, 5);
      expect(messages.map((m) => m.value.data.leadId)).toEqual(ids);
      expect(new Set(messages.map((m) => m.partition)).size).toBe(1);
    } finally {
      await broker.setBrokerUp(-1);
      await gw.cleanup();
    }
  });
});

suite('restart', () => {
  let broker: KafkaBroker;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    // The restart test runs the real CLI in a child process: compile the current sources first.
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
    broker = await startKafkaBroker();
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await broker?.stop();
  });

  /** Start `leadgate serve` and resolve with its URL (read from its first log line). */
  function serve(dataDir: string, topics: { leads: string; rejected: string }): Promise<{ child: ChildProcess; url: string }> {
    const child = spawn(process.execPath, ['dist/src/cli.js', 'serve', '--port', '0', '--data-dir', dataDir], {
      cwd: ROOT,
      env: { ...process.env, KAFKA_BROKERS: broker.bootstrap, LEADGATE_TOPIC_LEADS: topics.leads, LEADGATE_TOPIC_REJECTED: topics.rejected, LEADGATE_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('gateway did not start')), 20_000);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        try {
          const entry = JSON.parse(line);
          if (entry.url) {
            clearTimeout(timer);
            resolve({ child, url: entry.url });
          }
        } catch {
          /* not a log line */
        }
      });
      child.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
    });
  }

  it('delivers what was committed before a kill -9, once the gateway is back', async () => {
    const dataDir = tempDir();
    const topics = uniqueTopics();
    try {
      await broker.setBrokerDown(-1);
      const first = await serve(dataDir, topics);
      const leadIds: string[] = [];
      for (const f of fixtures.slice(0, 6)) {
        const res = await fetch(`${first.url}/v1/leads`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: readFileSync(new URL(f, FIXTURES)) });
        expect(res.status).toBe(200);
        leadIds.push(...((await res.json()) as any).leads.map((l: { leadId: string }) => l.leadId));
      }
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));
      await broker.setBrokerUp(-1);

      await serve(dataDir, topics);
      const messages = await consume(broker.brokers, topics.leads, leadIds.length);
      // Different customers land on different partitions, so compare as sets.
      expect(messages.map((m) => m.value.data.leadId).sort()).toEqual([...leadIds].sort());
      for (const m of messages) expectValidEvent(m.value);
    } finally {
      await broker.setBrokerUp(-1);
      for (const c of children) c.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

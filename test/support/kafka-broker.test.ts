// Proves the test Kafka broker (librdkafka mock cluster) against the client the app uses, kafkajs.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import kafkajs from 'kafkajs';
import type { Consumer, Producer } from 'kafkajs';
import { kafkaMockAvailable, startKafkaBroker, type KafkaBroker } from './kafka-broker.js';

const { Kafka, logLevel, Partitioners } = kafkajs;

const requireKafka = process.env.LEADGATE_REQUIRE_KAFKA === '1';
const suite = describe.skipIf(!kafkaMockAvailable() && !requireKafka);

function client(broker: KafkaBroker, clientId: string, retries = 5) {
  return new Kafka({
    clientId,
    brokers: broker.brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 5_000,
    retry: { retries, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
}

function idempotentProducer(kafka: InstanceType<typeof Kafka>): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

async function waitFor(cond: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

suite('kafka test broker (librdkafka mock) with kafkajs', () => {
  const topic = 'leads.test';
  let broker: KafkaBroker;

  beforeAll(async () => {
    broker = await startKafkaBroker({ topics: [{ name: topic, partitions: 3 }] });
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('starts on 127.0.0.1 and reports its brokers', () => {
    expect(broker.brokers).toHaveLength(1);
    expect(broker.bootstrap).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('round-trips 1000 keyed messages with headers through an idempotent producer and a consumer group', async () => {
    const kafka = client(broker, 'roundtrip');
    const admin = kafka.admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0].partitions).toHaveLength(3);
    await admin.disconnect();

    const producer = idempotentProducer(kafka);
    await producer.connect();
    const total = 1000;
    const keys = 37;
    for (let start = 0; start < total; start += 100) {
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: 100 }, (_, j) => {
          const i = start + j;
          return {
            key: `dealer-${i % keys}`,
            value: JSON.stringify({ i }),
            headers: { seq: String(i), 'content-type': 'application/json', 'x-lead-source': 'adf' },
          };
        }),
      });
    }
    await producer.disconnect();

    const seen: Array<{ key: string; seq: number; partition: number; value: number; headers: Record<string, string> }> = [];
    const consumer: Consumer = kafka.consumer({ groupId: 'roundtrip-group', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        seen.push({
          key: message.key!.toString(),
          seq: Number(headers.seq),
          partition,
          value: JSON.parse(message.value!.toString()).i,
          headers,
        });
      },
    });
    try {
      await waitFor(() => seen.length >= total, 30_000, `${total} messages (got ${seen.length})`);
    } finally {
      await consumer.disconnect();
    }

    expect(seen).toHaveLength(total);
    expect(new Set(seen.map((m) => m.seq)).size).toBe(total);
    expect(new Set(seen.map((m) => m.partition))).toEqual(new Set([0, 1, 2]));
    const lastSeqByKey = new Map<string, number>();
    const partitionByKey = new Map<string, number>();
    for (const m of seen) {
      expect(m.value).toBe(m.seq);
      expect(m.key).toBe(`dealer-${m.seq % keys}`);
      expect(m.headers).toEqual({ seq: String(m.seq), 'content-type': 'application/json', 'x-lead-source': 'adf' });
      // Per-key order: a key lives on one partition and its messages arrive in send order.
      expect(partitionByKey.get(m.key) ?? m.partition).toBe(m.partition);
      partitionByKey.set(m.key, m.partition);
      expect(m.seq).toBeGreaterThan(lastSeqByKey.get(m.key) ?? -1);
      lastSeqByKey.set(m.key, m.seq);
    }
  });

  it('fails a send while the broker is down and succeeds once it is back up', async () => {
    const own = await startKafkaBroker({ topics: [{ name: 'faults', partitions: 1 }] });
    const producer = idempotentProducer(client(own, 'faults', 2));
    try {
      await producer.connect();
      await producer.send({ topic: 'faults', acks: -1, messages: [{ key: 'k', value: 'before' }] });

      await own.setBrokerDown(1);
      const started = Date.now();
      const outcome = await Promise.race([
        producer.send({ topic: 'faults', acks: -1, messages: [{ key: 'k', value: 'during' }] }).then(
          () => 'sent',
          () => 'failed',
        ),
        new Promise<string>((r) => setTimeout(() => r('stalled'), 8_000)),
      ]);
      expect(outcome).toBe('failed');
      expect(Date.now() - started).toBeLessThan(10_000);

      await own.setBrokerUp(1);
      await producer.send({ topic: 'faults', acks: -1, messages: [{ key: 'k', value: 'after' }] });

      const consumer = client(own, 'faults-reader').consumer({ groupId: 'faults-group', maxWaitTimeInMs: 100 });
      const values: string[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic: 'faults', fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
      try {
        await waitFor(() => values.includes('after'), 15_000, 'the message sent after recovery');
      } finally {
        await consumer.disconnect();
      }
      expect(values[0]).toBe('before');
      expect(values).toContain('after');
    } finally {
      await producer.disconnect().catch(() => {});
      await own.stop();
    }
  });

  it('answers fault-injection commands and exits when stopped', async () => {
    const own = await startKafkaBroker({ brokers: 3 });
    expect(own.brokers).toHaveLength(3);
    await own.createTopic('extra', 2);
    await own.setBrokerRtt(2, 10);
    await own.pushRequestErrors(0, 6, 1);
    await expect(own.createTopic('extra', 0)).rejects.toThrow(/failed command/);
    const pid = own.pid;
    await own.stop();
    expect(() => process.kill(pid, 0)).toThrow();
  });
});

describe.skipIf(!process.env.LEADGATE_TEST_KAFKA_BROKERS && !requireKafka)('shared broker from test/global-setup.ts', () => {
  it('is exposed through env and inject() and accepts produce with topic auto-creation', async () => {
    const bootstrap = process.env.LEADGATE_TEST_KAFKA_BROKERS!;
    expect(bootstrap).toMatch(/^127\.0\.0\.1:\d+/);
    expect(inject('kafkaBrokers')).toBe(bootstrap);
    const kafka = new Kafka({ clientId: 'shared', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
    const producer = idempotentProducer(kafka);
    await producer.connect();
    const [res] = await producer.send({ topic: 'shared.autocreated', acks: -1, messages: [{ value: 'x' }] });
    await producer.disconnect();
    expect(res.errorCode).toBe(0);
  });
});

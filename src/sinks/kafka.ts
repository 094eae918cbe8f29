// The Kafka sink: kafkajs idempotent producer, acks from all replicas, key = customer id, CloudEvents attributes as ce_* headers.
import kafkajs, { type Producer, type SASLOptions } from 'kafkajs';
import type { KafkaConfig } from '../config.js';
import type { Logger } from '../log.js';
import type { Sink } from '../sink.js';
import type { OutboxEvent } from '../store.js';

// kafkajs is CommonJS; its default export is the reliable way in from ESM.
const { Kafka, logLevel, Partitioners } = kafkajs;

export class KafkaSink implements Sink {
  readonly name = 'kafka';
  private readonly kafka: InstanceType<typeof Kafka>;
  private producer?: Producer;
  private connecting?: Promise<Producer>;

  constructor(
    private readonly config: KafkaConfig,
    private readonly log: Logger,
  ) {
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: config.brokers,
      ssl: config.ssl,
      ...(config.sasl ? { sasl: config.sasl as SASLOptions } : {}),
      connectionTimeout: 3000,
      requestTimeout: 10_000,
      // kafkajs retries inside send; the relay only retries a whole batch after that gives up.
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
      logLevel: logLevel.NOTHING,
    });
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
      this.log.info({ brokers: this.config.brokers.length }, 'kafka producer connected');
      return producer;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  async send(events: OutboxEvent[]): Promise<void> {
    const producer = await this.connected();
    // Keep commit order per topic; one request per topic, messages in seq order (per-customer order follows).
    const byTopic = new Map<string, OutboxEvent[]>();
    for (const e of events) byTopic.set(e.topic, [...(byTopic.get(e.topic) ?? []), e]);
    try {
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, list]) => ({
          topic,
          messages: list.map((e) => ({ key: e.key, value: e.value, headers: e.headers })),
        })),
      });
    } catch (err) {
      // A failed idempotent producer must be rebuilt so sequence numbers restart cleanly.
      this.producer = undefined;
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
  }

  async ready(): Promise<boolean> {
    try {
      await this.connected();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    const p = this.producer ?? (await this.connecting?.catch(() => undefined));
    this.producer = undefined;
    await p?.disconnect().catch(() => undefined);
  }
}

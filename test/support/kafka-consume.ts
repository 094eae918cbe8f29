// Reads a topic back with a real kafkajs consumer group (from the beginning), for end-to-end tests that check what leadgate published.
import kafkajs, { type KafkaMessage } from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

export interface ConsumedMessage {
  key: string;
  value: any;
  headers: Record<string, string>;
}

/** The first `count` messages of `topic` (any order across partitions); fails after `timeoutMs` with how many arrived. */
export async function consumeTopic(brokers: string[], topic: string, count: number, timeoutMs = 30_000): Promise<ConsumedMessage[]> {
  const kafka = new Kafka({ clientId: 'leadgate-test-consumer', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `test-${topic}-${Math.random().toString(36).slice(2)}` });
  const got: ConsumedMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${got.length}/${count} messages arrived on ${topic}`)), timeoutMs);
      void consumer
        .run({
          eachMessage: async ({ message }: { message: KafkaMessage }) => {
            const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
            got.push({ key: message.key?.toString() ?? '', value: JSON.parse(message.value!.toString()), headers });
            if (got.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return got;
}

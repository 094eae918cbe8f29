// Reads everything a Kafka topic holds (every partition, low to high watermark) with a real kafkajs consumer, so fault tests can count what was published, duplicates included.
import kafkajs from 'kafkajs';
import { consumeTopic, type ConsumedMessage } from './kafka-consume.js';

const { Kafka, logLevel } = kafkajs;

/** How many messages the topic holds now, from the brokers' offsets (0 when it does not exist yet). */
export async function topicSize(brokers: string[], topic: string): Promise<number> {
  const admin = new Kafka({ clientId: 'leadgate-test-offsets', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return 0;
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Every message of the topic, read once the producer side is quiet (call it after the outbox drained). */
export async function readWholeTopic(brokers: string[], topic: string, timeoutMs = 60_000): Promise<ConsumedMessage[]> {
  const size = await topicSize(brokers, topic);
  return size === 0 ? [] : consumeTopic(brokers, topic, size, timeoutMs);
}

// The sink interface the relay publishes to: Kafka when brokers are configured, an NDJSON file log otherwise.
import type { OutboxEvent } from './store.js';

export interface Sink {
  readonly name: string;
  /** Deliver events in the given order; resolves only when every one is durable at the destination. */
  send(events: OutboxEvent[]): Promise<void>;
  /** For /readyz: can the sink take events right now? */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

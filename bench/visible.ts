// Open-loop load at a fixed rate (no wrk2 in Debian) plus a kafkajs consumer: HTTP reply latency and accept → consumer-visible latency, matched by leadId.
import { Agent, request } from 'node:http';
import kafkajs from 'kafkajs';
import { render } from './body.js';
import { sleep } from './proc.js';
import { percentile } from './stats.js';

const { Kafka, logLevel } = kafkajs;

export interface Consumer {
  /** leadId → when the consumer received its event (performance.now()). */
  seen: Map<string, number>;
  stop(): Promise<void>;
}

/**
 * A consumer group member on `topic`, reading from the end; it keys each event by its ce_subject
 * header (the leadId). The mock broker answers an empty fetch only after the full max wait (a real
 * broker answers as soon as data arrives), so the consumer polls every 5 ms instead of long-polling.
 */
export async function startConsumer(brokers: string, topic: string): Promise<Consumer> {
  const kafka = new Kafka({ clientId: 'bench-consumer', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 5 });
  const seen = new Map<string, number>();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const now = performance.now();
      for (const m of batch.messages) {
        const subject = m.headers?.ce_subject;
        if (subject) seen.set(subject.toString(), now);
      }
    },
  });
  await Promise.race([joined, sleep(15_000)]);
  return {
    seen,
    async stop() {
      await consumer.disconnect();
    },
  };
}

export interface FixedRateResult {
  rate: number;
  sent: number;
  ok: number;
  errors: number;
  /** How far behind schedule the client got at worst (ms): large values mean the client, not the server, set the pace. */
  maxLagMs: number;
  http_p50_ms: number;
  http_p99_ms: number;
  visible_p50_ms: number;
  visible_p99_ms: number;
  /** Accepted leads whose event the consumer had not seen when we stopped waiting. */
  notVisible: number;
}

/**
 * Send `rate` requests per second for `seconds` (open loop: a request goes out on schedule
 * whether or not earlier ones were answered), then wait (bounded) for the replies and events.
 */
export async function fixedRate(opts: { url: string; rate: number; seconds: number; seed: number; consumer: Consumer }): Promise<FixedRateResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const target = new URL('/v1/leads', opts.url);
  const total = Math.max(1, Math.round(opts.rate * opts.seconds));
  const sentAt = new Map<string, number>(); // leadId → send time
  const httpMs: number[] = [];
  let ok = 0;
  let errors = 0;
  let done = 0;
  let maxLagMs = 0;

  const send = (n: number): void => {
    const body = Buffer.from(render(opts.seed, n));
    const t0 = performance.now();
    const req = request(target, { method: 'POST', agent, headers: { 'content-type': 'application/xml', 'content-length': body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        done++;
        httpMs.push(performance.now() - t0);
        if (res.statusCode !== 200) return void errors++;
        ok++;
        const leadId = JSON.parse(Buffer.concat(chunks).toString('utf8')).leads?.[0]?.leadId;
        if (leadId) sentAt.set(leadId, t0);
      });
    });
    req.on('error', () => {
      done++;
      errors++;
    });
    req.end(body);
  };

  const start = performance.now();
  let n = 0;
  while (n < total) {
    const now = performance.now();
    const due = Math.min(total, Math.floor(((now - start) * opts.rate) / 1000) + 1);
    if (n < due) maxLagMs = Math.max(maxLagMs, now - (start + (n * 1000) / opts.rate));
    while (n < due) send(n++);
    await sleep(1);
  }
  const deadline = performance.now() + 15_000;
  while (done < total && performance.now() < deadline) await sleep(5);
  const visibleBy = performance.now() + 10_000;
  const missing = () => [...sentAt.keys()].filter((id) => !opts.consumer.seen.has(id)).length;
  while (missing() > 0 && performance.now() < visibleBy) await sleep(20);
  agent.destroy();

  const visible: number[] = [];
  for (const [id, t0] of sentAt) {
    const t1 = opts.consumer.seen.get(id);
    if (t1 !== undefined) visible.push(t1 - t0);
  }
  return {
    rate: opts.rate,
    sent: total,
    ok,
    errors,
    maxLagMs,
    http_p50_ms: percentile(httpMs, 50),
    http_p99_ms: percentile(httpMs, 99),
    visible_p50_ms: percentile(visible, 50),
    visible_p99_ms: percentile(visible, 99),
    notVisible: sentAt.size - visible.length,
  };
}

// SMTP intake latency: from just before a real client sends a lead email to the event being durable in the file-log sink; prints p50/p99 as JSON.
//   npx tsx bench/email-smtp.ts [--quick]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import { loadConfig, SMTP_DEFAULTS } from '../src/config.js';
import { startGateway } from '../src/gateway.js';
import { silentLogger } from '../src/log.js';
import { Metrics } from '../src/metrics.js';
import { startSmtpReceiver } from '../src/transports/smtp.js';
import { percentile } from './stats.js';

const quick = process.argv.includes('--quick');
const N = quick ? 50 : 500;
const WARMUP = quick ? 5 : 20;
const GOAL_P99_MS = 100;

const ADF = readFileSync(new URL('../fixtures/real-leads/truecar-pnc-1.xml', import.meta.url), 'utf8');

const dataDir = mkdtempSync(join(tmpdir(), 'leadgate-bench-smtp-'));
const config = loadConfig({ env: {}, overrides: { port: 0, dataDir } });
const gw = await startGateway(config, silentLogger);

// The moment each lead event is durable in the sink (the relay resolves send() only after the fsync).
const arrivals: number[] = [];
const send = gw.sink.send.bind(gw.sink);
gw.sink.send = async (events) => {
  await send(events);
  const at = performance.now();
  for (const e of events) if (e.topic === config.topics.leads) arrivals.push(at);
};

const rx = await startSmtpReceiver({
  config: { ...SMTP_DEFAULTS, port: 0, domains: ['leads.bench.test'], addresses: [] },
  dealerIds: [],
  pipeline: gw.pipeline,
  log: silentLogger,
  metrics: new Metrics(),
  onCommitted: () => gw.relay.notify(),
});
// nodemailer leaves Nagle on, so the message's final "." waits for our delayed ACK (~40 ms on Linux);
// MTAs usually send it with the end of the body, so the client socket gets TCP_NODELAY to measure us, not Nagle.
const getSocket = (_options: unknown, callback: (err: Error | null, socket?: { connection: Socket }) => void) => {
  const socket = connect(rx.port, '127.0.0.1', () => {
    socket.off('error', callback);
    callback(null, { connection: socket });
  });
  socket.setNoDelay(true);
  socket.once('error', callback);
};
const client = nodemailer.createTransport({ host: '127.0.0.1', port: rx.port, secure: false, pool: true, maxConnections: 1, getSocket } as SMTPPool.Options);

async function waitForEvent(count: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  while (arrivals.length < count) {
    if (Date.now() > deadline) throw new Error('no lead event reached the sink within 10 s');
    await new Promise((r) => setImmediate(r));
  }
  return arrivals[count - 1];
}

const latencies: number[] = [];
const acks: number[] = [];
let failure: string | undefined;
try {
  for (let i = 0; i < WARMUP + N; i++) {
    // Each mail a new customer and provider lead id, so every one is a fresh lead.received.
    const body = ADF.replace('1142904505', String(9_000_000_000 + i)).replace('customer02@example.com', `bench-${i}@example.com`);
    const t0 = performance.now();
    const info = await client.sendMail({ from: 'leads@truecar.example', to: 'leads@leads.bench.test', subject: 'New lead', text: body });
    if (!/queued as/.test(info.response)) throw new Error(`the receiver did not take the lead: ${info.response} (is email reading in the pipeline yet?)`);
    const tAck = performance.now();
    const t1 = await waitForEvent(i + 1);
    if (i >= WARMUP) {
      latencies.push(t1 - t0);
      acks.push(tAck - t0);
    }
  }
} catch (err) {
  failure = (err as Error).message;
} finally {
  client.close();
  await rx.close();
  await gw.close();
  rmSync(dataDir, { recursive: true, force: true });
}

if (failure) {
  // A setup problem, not a speed result: say so and stop.
  console.error(`bench/email-smtp: ${failure}`);
  process.exit(2);
}
const pct = (xs: number[], p: number) => Math.round(percentile(xs, p) * 100) / 100;
// smtp_ack: until the client has our 250 (the commit); the rest is the relay writing the event to the sink.
const result = { smtp_to_event_p50_ms: pct(latencies, 50), smtp_to_event_p99_ms: pct(latencies, 99), smtp_ack_p50_ms: pct(acks, 50), n: latencies.length };
console.log(JSON.stringify(result));
console.log(result.smtp_to_event_p99_ms < GOAL_P99_MS ? `PASS p99 < ${GOAL_P99_MS} ms` : `MISS p99 >= ${GOAL_P99_MS} ms`);

// IMAP intake latency: from a real IMAP APPEND completing on Dovecot to the lead event being durable in the file-log sink (IDLE pickup, fetch, commit, marking, relay); prints p50/p99 as JSON.
//   npx tsx bench/email-imap.ts [--quick]
// Never fails on a slow result: it prints PASS or MISS against the goal (p99 < 1 s).
// Each message arrives while the intake is idling (a pause after each event), as mail does in
// production; back to back, APPENDs would land before IDLE restarts and look faster. Dovecot
// batches IDLE notifications (~0.5 s after the change reaches the maildir), which is most of
// the figure.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ImapFlow } from 'imapflow';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { loadConfig } from '../src/config.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { silentLogger } from '../src/log.js';
import { Metrics } from '../src/metrics.js';
import { startImapIntake, type ImapIntake } from '../src/transports/imap.js';
import { startDovecot, type Dovecot } from '../test/support/dovecot.js';
import { percentile } from './stats.js';

const quick = process.argv.includes('--quick');
const N = quick ? 12 : 200;
const WARMUP = quick ? 2 : 5;
/** Pause after each event before the next APPEND, so the intake is back in IDLE: 150–400 ms. */
const gapMs = () => 150 + Math.random() * 250;
const GOAL_P99_MS = 1000;

const ADF = readFileSync(new URL('../fixtures/real-leads/truecar-pnc-1.xml', import.meta.url), 'utf8');

async function leadEmail(i: number): Promise<Buffer> {
  // Each mail a new customer and provider lead id, so every one is a fresh lead.received.
  const text = ADF.replace('1142904505', String(9_000_000_000 + i)).replace('customer02@example.com', `bench-${i}@example.com`);
  return new MailComposer({ from: 'leads@truecar.example', to: 'internet-sales@dealer.example', subject: 'New lead', text, messageId: `<bench-${process.pid}-${i}@truecar.example>` }).compile().build();
}

const pct = (xs: number[], p: number) => Math.round(percentile(xs, p) * 100) / 100;

const dataDir = mkdtempSync(join(tmpdir(), 'leadgate-bench-imap-'));
let dovecot: Dovecot | undefined;
let gw: Gateway | undefined;
let intake: ImapIntake | undefined;
let appender: ImapFlow | undefined;
const latencies: number[] = [];
const commits: number[] = [];
let failure: string | undefined;

try {
  dovecot = await startDovecot();
  const config = loadConfig({ env: {}, overrides: { port: 0, dataDir } });
  gw = await startGateway(config, silentLogger);
  const relay = gw.relay;

  // The moment each lead event is durable in the sink (the relay resolves send() only after the fsync).
  const arrivals: number[] = [];
  const sink = gw.sink;
  const send = sink.send.bind(sink);
  sink.send = async (events) => {
    await send(events);
    const at = performance.now();
    for (const e of events) if (e.topic === config.topics.leads) arrivals.push(at);
  };
  const committedAt: number[] = [];

  intake = await startImapIntake({
    // pollSeconds is only the safety net here: pickup must come from IDLE.
    mailboxes: [{ name: 'bench', host: dovecot.host, port: dovecot.port, secure: false, user: dovecot.user, password: dovecot.password, folder: 'INBOX', pollSeconds: 3600 }],
    pipeline: gw.pipeline,
    log: silentLogger,
    metrics: new Metrics(),
    onCommitted: () => {
      committedAt.push(performance.now());
      relay.notify();
    },
  });
  if (!intake.status()[0].connected) throw new Error(`the intake could not connect: ${intake.status()[0].lastError}`);

  // The delivering side: one long-lived IMAP session, as a mail server's delivery agent would hold.
  appender = new ImapFlow({ host: dovecot.host, port: dovecot.port, secure: false, auth: { user: dovecot.user, pass: dovecot.password }, logger: false, disableAutoIdle: true });
  appender.on('error', () => undefined);
  await appender.connect();

  const waitFor = async (list: number[], count: number, what: string): Promise<number> => {
    const deadline = Date.now() + 10_000;
    while (list.length < count) {
      if (Date.now() > deadline) throw new Error(`no ${what} within 10 s (message ${count}; is email reading in the pipeline yet?)`);
      await new Promise((r) => setImmediate(r));
    }
    return list[count - 1];
  };

  for (let i = 0; i < WARMUP + N; i++) {
    const raw = await leadEmail(i);
    await new Promise((r) => setTimeout(r, gapMs()));
    await appender.append('INBOX', raw);
    const t0 = performance.now();
    const t1 = await waitFor(arrivals, i + 1, 'lead event in the sink');
    const tc = await waitFor(committedAt, i + 1, 'commit');
    if (i >= WARMUP) {
      latencies.push(t1 - t0);
      commits.push(tc - t0);
    }
  }
} catch (err) {
  failure = (err as Error).message;
} finally {
  await appender?.logout().catch(() => appender?.close());
  await intake?.close();
  await gw?.close();
  await dovecot?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

if (failure || latencies.length === 0) {
  // A setup problem, not a speed result: say so (this benchmark never fails the run).
  console.log(JSON.stringify({ error: failure ?? 'no measurements', n: latencies.length }));
  console.log(`MISS (no result: ${failure ?? 'no measurements'})`);
} else {
  // imap_commit: APPEND done → the pipeline committed (IDLE push, fetch, ingest); the rest is marking and the relay.
  const result = { imap_to_event_p50_ms: pct(latencies, 50), imap_to_event_p99_ms: pct(latencies, 99), imap_to_commit_p50_ms: pct(commits, 50), n: latencies.length };
  console.log(JSON.stringify(result));
  console.log(result.imap_to_event_p99_ms < GOAL_P99_MS ? `PASS p99 < ${GOAL_P99_MS} ms` : `MISS p99 >= ${GOAL_P99_MS} ms`);
}

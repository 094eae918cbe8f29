// Several gateway processes against one PostgreSQL and one Kafka broker, raced with concurrent posts: one lead.received per lead, one customer id per customer, every acknowledged lead published once (at least once when an instance is killed), in order per customer.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import kafkajs, { type KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './support/gateway.js';
import { createTestDatabase, testDatabaseServer, type TestDatabase } from './support/postgres.js';
import { expectValidEvent } from './support/schemas.js';

const { Kafka, logLevel } = kafkajs;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BROKERS = process.env.LEADGATE_TEST_KAFKA_BROKERS ?? '';
const INSTANCES = 3;

function newestSource(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newestSource(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/**
 * The built CLI when dist is current (CI builds before the tests: scripts/test-all.sh), else the
 * sources through tsx — the same code either way, never a stale build.
 */
function cliCommand(): string[] {
  const built = join(ROOT, 'dist/src/cli.js');
  const fresh = existsSync(built) && statSync(built).mtimeMs >= Math.max(newestSource(join(ROOT, 'src')), newestSource(join(ROOT, 'adapters')));
  return fresh ? [built] : ['--import', 'tsx', join(ROOT, 'src/cli.ts')];
}

interface Instance {
  name: string;
  url: string;
  child: ChildProcess;
  dataDir: string;
}

async function startInstance(name: string, env: Record<string, string>): Promise<Instance> {
  const dataDir = tempDir(`leadgate-${name}-`);
  const child = spawn(process.execPath, [...cliCommand(), 'serve', '--port', '0', '--data-dir', dataDir], {
    cwd: ROOT,
    env: { ...process.env, LEADGATE_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-3000)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${stderr}`)), 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line);
        if (entry.url && entry.msg?.startsWith('leadgate listening')) {
          clearTimeout(timer);
          resolve(entry.url);
        }
      } catch {
        /* not a log line */
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}: ${stderr}`));
    });
  });
  return { name, url, child, dataDir };
}

async function stopInstance(i: Instance, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (i.child.exitCode === null && i.child.signalCode === null) {
    const exited = new Promise((r) => i.child.once('exit', r));
    i.child.kill(signal);
    const t = setTimeout(() => i.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(t);
  }
  rmSync(i.dataDir, { recursive: true, force: true });
}

interface Ack {
  leadId: string;
  customerId: string;
  outcome: 'received' | 'duplicate';
  duplicateOf?: string;
}

async function post(url: string, body: string): Promise<Ack> {
  const res = await fetch(`${url}/v1/leads`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body });
  const json = (await res.json()) as { leads: Ack[] };
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${JSON.stringify(json)}`);
  return json.leads[0];
}

let counter = 0;
/** A lead with its own provider lead id; same email = same customer, same vehicle within the window = a duplicate of the customer's earlier lead. */
function adf(email: string, vehicle: { make: string; model: string }, note = ''): string {
  const id = `ML-${process.pid}-${Date.now()}-${++counter}`;
  return `<?xml version="1.0"?><?adf version="1.0"?><adf><prospect status="new">
<id sequence="1" source="RaceMarket">${id}</id><requestdate>2026-03-01T10:00:00-05:00</requestdate>
<vehicle interest="buy" status="new"><year>2026</year><make>${vehicle.make}</make><model>${vehicle.model}</model></vehicle>
<customer><contact><name part="first">Alex</name><name part="last">Morgan</name><email>${email}</email></contact><comments>${note || id}</comments></customer>
<vendor><vendorname>Race Motors</vendorname></vendor><provider><name part="full">RaceMarket</name></provider></prospect></adf>`;
}

const MODELS = ['Telluride', 'Sorento', 'Sportage', 'Carnival', 'EV9', 'Niro', 'Seltos', 'K5', 'Soul', 'Forte'];

interface Received {
  key: string;
  partition: number;
  offset: string;
  value: any;
}

/** A consumer group member from the beginning; stop() returns everything read. */
async function startConsumer(topic: string): Promise<{ got: Received[]; stop(): Promise<Received[]> }> {
  const kafka = new Kafka({ clientId: 'multi-instance-test', brokers: BROKERS.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `mi-${topic}-${Math.random().toString(36).slice(2, 8)}`, maxWaitTimeInMs: 50 });
  const got: Received[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message, partition }: { message: KafkaMessage; partition: number }) => {
      got.push({ key: message.key!.toString(), partition, offset: message.offset, value: JSON.parse(message.value!.toString()) });
    },
  });
  return {
    got,
    async stop() {
      await consumer.disconnect();
      return got;
    },
  };
}

async function waitFor(done: () => boolean, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

/** Wait until `want` events are in, then a little longer so extra (duplicate) deliveries would show up too. */
async function collect(got: Received[], want: number, settleMs = 2000): Promise<void> {
  await waitFor(() => got.length >= want);
  await new Promise((r) => setTimeout(r, settleMs));
}

/** Run tasks with at most `n` in flight. */
async function pool<T>(items: T[], n: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

const suite = describe.skipIf(!testDatabaseServer() || !BROKERS);

suite('several instances on one PostgreSQL and one Kafka', () => {
  let db: TestDatabase;
  let instances: Instance[] = [];
  const topic = `mi-leads-${Math.random().toString(36).slice(2, 8)}`;

  beforeAll(async () => {
    db = await createTestDatabase('multi');
    const env = { DATABASE_URL: db.url, KAFKA_BROKERS: BROKERS, LEADGATE_TOPIC_LEADS: topic, LEADGATE_TOPIC_REJECTED: `${topic}.rejected` };
    // Started together: their migrations race on the advisory lock and all must come up.
    instances = await Promise.all(Array.from({ length: INSTANCES }, (_, i) => startInstance(`gw${i + 1}`, env)));
  });
  afterAll(async () => {
    await Promise.all(instances.map((i) => stopInstance(i)));
    await db?.drop();
  });

  it('races identical leads, first leads of new customers and per-customer streams across the instances', async () => {
    const acknowledged: Ack[] = [];
    const ack = (a: Ack) => (acknowledged.push(a), a);

    // 1. The same lead posted to every instance at the same moment, for 15 different leads.
    const identical = Array.from({ length: 15 }, (_, i) => adf(`same-${i}-${counter}@example.com`, { make: 'Kia', model: MODELS[i % MODELS.length] }));
    const identicalReplies: Ack[][] = [];
    await pool(identical, 5, async (body) => {
      identicalReplies.push(await Promise.all(instances.map(async (inst) => ack(await post(inst.url, body)))));
    });

    // 2. Three different leads (different vehicles) of one new customer, one to each instance at once, for 12 customers.
    const newCustomers = Array.from({ length: 12 }, (_, c) => `new-${c}-${counter}@example.com`);
    const newCustomerReplies: Ack[][] = [];
    await pool(newCustomers, 4, async (email) => {
      newCustomerReplies.push(await Promise.all(instances.map(async (inst, k) => ack(await post(inst.url, adf(email, { make: 'Kia', model: MODELS[k] }))))));
    });

    // 3. Streams: each customer's leads one after another (each waits for the previous reply), rotating instances;
    //    every third lead repeats the customer's previous request at another instance. Customers run in parallel.
    const streamCustomers = Array.from({ length: 10 }, (_, c) => `stream-${c}-${counter}@example.com`);
    const streams = new Map<string, Ack[]>();
    await pool(streamCustomers, 10, async (email, c) => {
      const mine: Ack[] = [];
      let previous = '';
      for (let j = 0; j < 6; j++) {
        const body = j % 3 === 2 ? previous : adf(email, { make: 'Kia', model: MODELS[(c + j) % MODELS.length] });
        mine.push(ack(await post(instances[(c + j) % INSTANCES].url, body)));
        previous = body;
      }
      streams.set(email, mine);
    });

    // Exactly one received per identical lead, the others duplicates of it, one customer.
    for (const replies of identicalReplies) {
      const received = replies.filter((r) => r.outcome === 'received');
      expect(received).toHaveLength(1);
      expect(replies.filter((r) => r.outcome === 'duplicate' && r.duplicateOf === received[0].leadId)).toHaveLength(INSTANCES - 1);
      expect(new Set(replies.map((r) => r.customerId)).size).toBe(1);
    }
    // One customer id per new customer, whichever instance saw them first.
    for (const replies of newCustomerReplies) {
      expect(new Set(replies.map((r) => r.customerId)).size).toBe(1);
      expect(replies.every((r) => r.outcome === 'received')).toBe(true);
    }
    for (const mine of streams.values()) {
      expect(new Set(mine.map((r) => r.customerId)).size).toBe(1);
      expect(mine.filter((_, j) => j % 3 === 2).every((r) => r.outcome === 'duplicate')).toBe(true);
    }

    // Every acknowledged lead on the topic exactly once (several relays, no double publish), in order per customer.
    const consumer = await startConsumer(topic);
    await collect(consumer.got, acknowledged.length);
    const events = await consumer.stop();
    const count = new Map<string, number>();
    for (const e of events) count.set(e.value.data.leadId, (count.get(e.value.data.leadId) ?? 0) + 1);
    const missing = acknowledged.filter((a) => !count.has(a.leadId));
    const duplicated = [...count.values()].filter((n) => n > 1).length;
    const unexpected = [...count.keys()].filter((id) => !acknowledged.some((a) => a.leadId === id));
    const types = { received: events.filter((e) => e.value.type.endsWith('.received')).length, duplicate: events.filter((e) => e.value.type.endsWith('.duplicate')).length };
    console.log(
      `[multi-instance] instances=${INSTANCES} posted=${acknowledged.length} acknowledged=${acknowledged.length} published=${events.length} ` +
        `received=${types.received} duplicate=${types.duplicate} missing=${missing.length} published-twice=${duplicated} unexpected=${unexpected.length}`,
    );
    expect(missing).toEqual([]);
    expect(duplicated).toBe(0);
    expect(unexpected).toEqual([]);
    expect(events).toHaveLength(acknowledged.length);
    expect(types.received).toBe(acknowledged.filter((a) => a.outcome === 'received').length);
    for (const e of events.slice(0, 20)) expectValidEvent(e.value);
    for (const e of events) expect(e.key).toBe(e.value.data.customerId);
    // Per customer: one partition, and the order in it is the order the customer's leads were acknowledged.
    for (const mine of streams.values()) {
      const mineOnTopic = events.filter((e) => e.key === mine[0].customerId);
      expect(new Set(mineOnTopic.map((e) => e.partition)).size).toBe(1);
      expect(mineOnTopic.map((e) => e.value.data.leadId)).toEqual(mine.map((a) => a.leadId));
    }
  });

  it('publishes every acknowledged lead at least once when an instance is killed mid-stream (the survivors publish what it left)', async () => {
    const acknowledged: Array<Ack & { email: string }> = [];
    let refused = 0;
    const victim = instances[0];
    const emails = Array.from({ length: 90 }, (_, i) => `kill-${i % 30}-${counter}@example.com`);
    await pool(emails, 9, async (email, i) => {
      // Killed while leads are being committed and published: its claims die with its connections.
      if (i === 30) victim.child.kill('SIGKILL');
      try {
        acknowledged.push({ ...(await post(instances[i % INSTANCES].url, adf(email, { make: 'Kia', model: MODELS[i % MODELS.length] }))), email });
      } catch {
        refused++; // the killed instance: not acknowledged, so nothing was promised
      }
    });
    const consumer = await startConsumer(topic);
    const seen = () => new Set(consumer.got.map((e) => e.value.data.leadId));
    await waitFor(() => acknowledged.every((a) => seen().has(a.leadId)));
    await new Promise((r) => setTimeout(r, 2000));
    const events = await consumer.stop();
    const count = new Map<string, number>();
    for (const e of events) count.set(e.value.data.leadId, (count.get(e.value.data.leadId) ?? 0) + 1);
    const missing = acknowledged.filter((a) => !count.has(a.leadId));
    const twice = acknowledged.filter((a) => (count.get(a.leadId) ?? 0) > 1).length;
    console.log(
      `[multi-instance kill -9] sent=${emails.length} acknowledged=${acknowledged.length} refused=${refused} published=${acknowledged.length - missing.length} ` +
        `missing=${missing.length} published-more-than-once=${twice} (allowed under failure: at least once)`,
    );
    expect(acknowledged.length).toBeGreaterThanOrEqual(60);
    expect(missing).toEqual([]);
    // The survivors agree on customers, and still answer.
    const customersByEmail = new Map<string, Set<string>>();
    for (const a of acknowledged) customersByEmail.set(a.email, (customersByEmail.get(a.email) ?? new Set()).add(a.customerId));
    expect([...customersByEmail.values()].every((ids) => ids.size === 1)).toBe(true);
    for (const survivor of instances.slice(1)) expect((await fetch(`${survivor.url}/healthz`)).status).toBe(200);
  });
});

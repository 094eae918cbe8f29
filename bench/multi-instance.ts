// Several instances on one PostgreSQL: end-to-end leads/s, HTTP p99 and accept → Kafka-visible p99 with one, two and three `leadgate serve` processes, and where the CPU goes; prints one JSON line (pg_* keys).
//   npx tsx bench/multi-instance.ts [--quick] [--cli path/to/cli.js]
//
// Method: a durable PostgreSQL (fsync and synchronous commit on, as in production) and the Kafka
// mock broker; for N = 1, 2, 3 a fresh database and N gateway processes with DATABASE_URL and
// KAFKA_BROKERS; a closed-loop client with CONNECTIONS keep-alive connections spread evenly over
// the instances (what a round-robin load balancer does), every request a new lead (bench/body.ts);
// a kafkajs consumer times each lead from send to visible. Nothing is pinned: the instances,
// PostgreSQL, the broker and the client share the machine's cores, which is the question — how
// far do more instances go on this machine, and what saturates. CPU per process group comes from
// /proc (utime + stime over the measured window), so the report says who used the cores.
import { readdirSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startKafkaBroker } from '../test/support/kafka-broker.js';
import { createTestDatabase, startPostgres } from '../test/support/postgres.js';
import { render } from './body.js';
import { cpuMs, freePort, sleep, spawnPinned, waitForHttp, type Pinned } from './proc.js';
import { ensureBuild, ensureKafkaMock, pinSelf, ROOT } from './setup.js';
import { median, percentile, round } from './stats.js';
import { startConsumer, type Consumer } from './visible.js';

const CONNECTIONS = 48;
const TOPIC = 'leadgate.leads';

/** The figures this bench adds to bench/results (run.ts appends them to its table). */
export const PG_FIGURES: Array<{ key: string; label: string; unit: string }> = [
  ...[1, 2, 3].flatMap((n) => [
    { key: `pg_${n}_rps`, label: `${n} instance${n > 1 ? 's' : ''} on one PostgreSQL → Kafka, ${CONNECTIONS} conns`, unit: 'leads/s' },
    { key: `pg_${n}_p99_ms`, label: `${n} instance${n > 1 ? 's' : ''}: HTTP p99 (saturated)`, unit: 'ms' },
    { key: `pg_${n}_visible_p99_ms`, label: `${n} instance${n > 1 ? 's' : ''}: accept → consumer-visible p99 (saturated)`, unit: 'ms' },
  ]),
  { key: 'pg_3_vs_1', label: 'three instances / one instance (leads/s)', unit: '×' },
];

const log = (msg: string) => process.stderr.write(`[bench multi-instance] ${msg}\n`);

interface Instance {
  url: string;
  proc: Pinned;
  dataDir: string;
}

/** CPU ms a process has used; a process gone meanwhile (a PostgreSQL backend) counts as 0. */
const cpuOf = (pid: number): number => cpuMs(pid) || 0;

/** Busy and total jiffies of all cores together (/proc/stat "cpu" line; idle + iowait count as not busy). */
function machineTicks(): { busy: number; total: number } {
  const row = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = row.reduce((a, b) => a + b, 0);
  return { busy: total - row[3] - row[4], total };
}

/** The postmaster and every backend it forked. */
function postgresPids(postmaster: number): number[] {
  const pids = [postmaster];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) pids.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function startInstances(n: number, cli: string, cpuList: string, env: Record<string, string>): Promise<Instance[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const port = await freePort();
      const dataDir = mkdtempSync(join(tmpdir(), 'leadgate-bench-mi-'));
      const proc = spawnPinned(cpuList, process.execPath, [cli, 'serve', '--port', String(port), '--data-dir', dataDir], {
        env: { NODE_ENV: 'production', LEADGATE_LOG_LEVEL: 'warn', ...env },
      });
      const url = `http://127.0.0.1:${port}`;
      await waitForHttp(`${url}/healthz`, proc, 60_000);
      return { url, proc, dataDir };
    }),
  );
}

interface LoadResult {
  ok: number;
  errors: number;
  seconds: number;
  latencies: number[];
  /** leadId → send time, for the visible latency. */
  sentAt: Map<string, number>;
}

/** Closed loop: CONNECTIONS workers, worker w always on instance w % n (a round-robin balancer with sticky connections), each request a new lead. */
async function closedLoop(instances: Instance[], seconds: number, seed: number, record: boolean): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  const sentAt = new Map<string, number>();
  let ok = 0;
  let errors = 0;
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  const one = (target: URL, body: Buffer): Promise<void> =>
    new Promise((resolve) => {
      const t0 = performance.now();
      const req = request(target, { method: 'POST', agent, headers: { 'content-type': 'application/xml', 'content-length': body.length } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode === 200) {
            ok++;
            if (record) {
              latencies.push(performance.now() - t0);
              const leadId = JSON.parse(Buffer.concat(chunks).toString('utf8')).leads?.[0]?.leadId;
              if (leadId) sentAt.set(leadId, t0);
            }
          } else errors++;
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, w) => {
      const target = new URL('/v1/leads', instances[w % instances.length].url);
      while (performance.now() < end) await one(target, Buffer.from(render(seed, n++)));
    }),
  );
  agent.destroy();
  return { ok, errors, seconds: (performance.now() - start) / 1000, latencies, sentAt };
}

/** Wait (bounded) until the shared outbox is empty. */
async function drained(url: string, timeoutMs = 60_000): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    const r = (await (await fetch(`${url}/readyz`)).json()) as { checks?: { outboxPending?: number } };
    if (r.checks?.outboxPending === 0) return (performance.now() - t0) / 1000;
    await sleep(100);
  }
  return NaN;
}

interface RunResult {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  visible_p99_ms: number;
  notVisible: number;
  errors: number;
  drainS: number;
  /** Cores used on average during the measured window, per process group. */
  cores: { gateways: number; postgres: number; broker: number; client: number };
  /** How busy the whole machine was meanwhile (all processes, ours and others'), % of all cores. */
  machineBusyPct: number;
  deadlocks: number;
  commits: number;
}

async function runOnce(n: number, opts: { cli: string; cpuList: string; pgUrl: string; postmaster: number; brokers: string; brokerPid: number; consumer: Consumer; seed: number; warmS: number; loadS: number }): Promise<RunResult> {
  const db = await createTestDatabase(`bench${n}`, opts.pgUrl);
  const instances = await startInstances(n, opts.cli, opts.cpuList, { DATABASE_URL: db.url, KAFKA_BROKERS: opts.brokers });
  try {
    await closedLoop(instances, opts.warmS, opts.seed * 10, false);
    await drained(instances[0].url);
    const groups = {
      gateways: () => instances.reduce((t, i) => t + cpuOf(i.proc.pid), 0),
      postgres: () => postgresPids(opts.postmaster).reduce((t, p) => t + cpuOf(p), 0),
      broker: () => cpuOf(opts.brokerPid),
    };
    const before = { gateways: groups.gateways(), postgres: groups.postgres(), broker: groups.broker(), client: process.cpuUsage(), machine: machineTicks() };
    const r = await closedLoop(instances, opts.loadS, opts.seed * 10 + 1, true);
    const machine = machineTicks();
    const machineBusyPct = (100 * (machine.busy - before.machine.busy)) / Math.max(1, machine.total - before.machine.total);
    const cores = {
      gateways: (groups.gateways() - before.gateways) / 1000 / r.seconds,
      postgres: (groups.postgres() - before.postgres) / 1000 / r.seconds,
      broker: (groups.broker() - before.broker) / 1000 / r.seconds,
      client: (() => {
        const u = process.cpuUsage(before.client);
        return (u.user + u.system) / 1e6 / r.seconds;
      })(),
    };
    const drainS = await drained(instances[0].url);
    const visibleBy = performance.now() + 20_000;
    const missing = () => [...r.sentAt.keys()].filter((id) => !opts.consumer.seen.has(id)).length;
    while (missing() > 0 && performance.now() < visibleBy) await sleep(50);
    const visible: number[] = [];
    for (const [id, t0] of r.sentAt) {
      const t1 = opts.consumer.seen.get(id);
      if (t1 !== undefined) visible.push(t1 - t0);
    }
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const { rows } = await c.query<{ deadlocks: string; xact_commit: string }>('SELECT deadlocks, xact_commit FROM pg_stat_database WHERE datname = current_database()');
    await c.end();
    return {
      rps: r.ok / r.seconds,
      p50_ms: percentile(r.latencies, 50),
      p99_ms: percentile(r.latencies, 99),
      visible_p99_ms: percentile(visible, 99),
      notVisible: r.sentAt.size - visible.length,
      errors: r.errors,
      drainS,
      cores,
      machineBusyPct,
      deadlocks: Number(rows[0]?.deadlocks ?? 0),
      commits: Number(rows[0]?.xact_commit ?? 0),
    };
  } finally {
    await Promise.all(instances.map((i) => i.proc.stop()));
    for (const i of instances) rmSync(i.dataDir, { recursive: true, force: true });
    await db.drop().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, cli: { type: 'string' } } });
  const plan = args.quick ? { runs: 1, warmS: 1, loadS: 3 } : { runs: 3, warmS: 3, loadS: 15 };
  const cli = args.cli ?? join(ROOT, 'dist/src/cli.js');
  if (!args.cli) ensureBuild();
  ensureKafkaMock();
  // npm run bench pins its harness to one core; this bench is about sharing all of them, so undo that for us and our children.
  const cpuList = `0-${cpus().length - 1}`;
  pinSelf(cpuList);
  const postgres = await startPostgres({ durable: true });
  const broker = await startKafkaBroker({ topics: [{ name: TOPIC, partitions: 4 }, { name: `${TOPIC}.rejected`, partitions: 4 }] });
  const consumer = await startConsumer(broker.bootstrap, TOPIC);
  const results: Record<number, RunResult[]> = { 1: [], 2: [], 3: [] };
  let seed = 0;
  try {
    for (let run = 1; run <= plan.runs; run++) {
      for (const n of [1, 2, 3]) {
        const r = await runOnce(n, { cli, cpuList, pgUrl: postgres.url, postmaster: postgres.pid, brokers: broker.bootstrap, brokerPid: broker.pid, consumer, seed: 40 + ++seed, warmS: plan.warmS, loadS: plan.loadS });
        results[n].push(r);
        const c = r.cores;
        log(
          `run ${run}/${plan.runs}, ${n} instance(s): ${round(r.rps)} leads/s, HTTP p50 ${round(r.p50_ms)} / p99 ${round(r.p99_ms)} ms, visible p99 ${round(r.visible_p99_ms)} ms` +
            `${r.notVisible ? ` (${r.notVisible} not visible)` : ''}${r.errors ? `, ${r.errors} errors` : ''}; cores used: gateways ${round(c.gateways)}, postgres ${round(c.postgres)}, ` +
            `broker ${round(c.broker)}, client ${round(c.client)} (machine ${round(r.machineBusyPct)}% busy); CPU per lead: gateway ${round((1000 * c.gateways) / r.rps)} ms, ` +
            `postgres ${round((1000 * c.postgres) / r.rps)} ms; deadlocks ${r.deadlocks}; outbox drained ${round(r.drainS)} s after load`,
        );
      }
    }
  } finally {
    await consumer.stop();
    await broker.stop();
    await postgres.stop();
  }
  const out: Record<string, number> = {};
  for (const n of [1, 2, 3]) {
    const rs = results[n];
    out[`pg_${n}_rps`] = round(median(rs.map((r) => r.rps)));
    out[`pg_${n}_p50_ms`] = round(median(rs.map((r) => r.p50_ms)));
    out[`pg_${n}_p99_ms`] = round(median(rs.map((r) => r.p99_ms)));
    out[`pg_${n}_visible_p99_ms`] = round(median(rs.map((r) => r.visible_p99_ms)));
    out[`pg_${n}_cores_gateways`] = round(median(rs.map((r) => r.cores.gateways)));
    out[`pg_${n}_cores_postgres`] = round(median(rs.map((r) => r.cores.postgres)));
    out[`pg_${n}_cores_broker`] = round(median(rs.map((r) => r.cores.broker)));
    out[`pg_${n}_cores_client`] = round(median(rs.map((r) => r.cores.client)));
    out[`pg_${n}_deadlocks`] = median(rs.map((r) => r.deadlocks));
    out[`pg_${n}_machine_busy_pct`] = round(median(rs.map((r) => r.machineBusyPct)));
    // CPU milliseconds per acknowledged lead: what each lead costs, whatever else ran on the machine.
    out[`pg_${n}_gateway_cpu_ms_per_lead`] = round(median(rs.map((r) => (1000 * r.cores.gateways) / r.rps)));
    out[`pg_${n}_postgres_cpu_ms_per_lead`] = round(median(rs.map((r) => (1000 * r.cores.postgres) / r.rps)));
  }
  out.pg_3_vs_1 = round(out.pg_3_rps / out.pg_1_rps);
  out.cores = cpus().length;
  process.stdout.write(JSON.stringify(out) + '\n');
}

const invoked = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invoked) {
  main().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`[bench multi-instance] failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}

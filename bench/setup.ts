// Prerequisites the harness fixes itself: wrk (apt-get), taskset, a fresh build in dist/, the Kafka mock broker binary; and what machine this is.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kafkaMockAvailable } from '../test/support/kafka-broker.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

/** wrk from Debian; installed with apt-get when missing (needs root, as in the dev container). */
export function ensureWrk(): void {
  if (has('wrk')) return;
  if (!has('apt-get')) throw new Error('wrk is missing and there is no apt-get: install wrk (https://github.com/wg/wrk) and rerun');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = root ? [] : ['sudo', '-n'];
  const apt = (...args: string[]) => spawnSync(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(root ? [] : ['apt-get']), ...args], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  log('wrk not found: apt-get install -y wrk');
  if (apt('install', '-y', '-q', 'wrk').status !== 0) {
    log('apt-get update, then install again');
    apt('update', '-q');
    if (apt('install', '-y', '-q', 'wrk').status !== 0) throw new Error('could not install wrk with apt-get; install it and rerun');
  }
  if (!has('wrk')) throw new Error('wrk is still missing after apt-get install');
}

/** taskset (util-linux) pins the server and the load generator to different cores. */
export function ensureTaskset(): void {
  if (!has('taskset')) throw new Error('taskset is missing: apt-get install -y util-linux');
}

function newest(dir: string, skip: (p: string) => boolean): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (skip(p)) continue;
    if (e.isDirectory()) t = Math.max(t, newest(p, skip));
    else if (e.name.endsWith('.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/** `npm run build` when dist/ is older than any source file (the server under test runs from dist). */
export function ensureBuild(): void {
  const cli = join(ROOT, 'dist/src/cli.js');
  const skip = (p: string) => p.endsWith('.test.ts') || p.includes('/fixtures');
  const src = Math.max(newest(join(ROOT, 'src'), skip), newest(join(ROOT, 'adapters'), skip), statSync(join(ROOT, 'package.json')).mtimeMs);
  if (existsSync(cli) && statSync(cli).mtimeMs >= src && !isStale(join(ROOT, 'dist'), src)) return;
  log('dist is stale: npm run build');
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    // tsc still emits on type errors (e.g. someone else's work in progress); only a missing CLI is fatal.
    if (!existsSync(cli)) throw new Error('npm run build failed and dist/src/cli.js does not exist');
    log('npm run build reported errors; measuring what it emitted');
  }
}

/** dist/ counts as stale when its newest .js is older than the newest source. */
function isStale(dist: string, src: number): boolean {
  let t = 0;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) t = Math.max(t, statSync(p).mtimeMs);
    }
  };
  walk(dist);
  return t < src;
}

/** The librdkafka mock cluster binary (built once by scripts/build-kafka-mock.sh, a minute or two). */
export function ensureKafkaMock(): void {
  if (kafkaMockAvailable()) return;
  log('Kafka mock broker missing: bash scripts/build-kafka-mock.sh');
  execFileSync('bash', [join(ROOT, 'scripts/build-kafka-mock.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (!kafkaMockAvailable()) throw new Error('the Kafka mock broker did not build');
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  node: string;
  kernel: string;
  wrk: string;
  date: string;
  /** How busy each core was (%) in the second before the run: other work on a shared machine skews every figure. */
  busyBeforePct: number[];
}

function cpuTimes(): number[][] {
  return readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((l) => /^cpu\d+ /.test(l))
    .map((l) => l.trim().split(/\s+/).slice(1).map(Number));
}

/** Busy share of each core over `ms` (Linux /proc/stat; idle + iowait count as not busy). */
export async function busyPct(ms = 1000): Promise<number[]> {
  try {
    const a = cpuTimes();
    await new Promise((r) => setTimeout(r, ms));
    const b = cpuTimes();
    return b.map((row, i) => {
      const total = row.reduce((x, y) => x + y, 0) - a[i].reduce((x, y) => x + y, 0);
      const idle = row[3] + row[4] - (a[i][3] + a[i][4]);
      return total > 0 ? Math.round((100 * (total - idle)) / total) : 0;
    });
  } catch {
    return [];
  }
}

export async function machineInfo(): Promise<Machine> {
  const wrk = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  let kernel = '';
  try {
    kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {
    // not Linux
  }
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel,
    wrk: `${wrk.stdout ?? ''}${wrk.stderr ?? ''}`.split('\n')[0].trim(),
    date: new Date().toISOString(),
    busyBeforePct: await busyPct(),
  };
}

/** Keep the harness itself (load generators, consumer, broker) off the server's core. */
export function pinSelf(cpus: string): void {
  spawnSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' });
}

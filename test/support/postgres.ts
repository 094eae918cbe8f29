// Starts a real PostgreSQL for tests: Debian's server binaries (initdb + postgres) in a temp dir on a free 127.0.0.1 port, and one fresh database per test file.
//
// What works on these machines (PostgreSQL 15, Debian 12):
// - PostgreSQL refuses to run as root, so as root the cluster belongs to the package's `postgres`
//   user: initdb and the server are exec'ed through `setpriv --reuid=postgres`, which also sets a
//   parent-death signal (SIGINT = fast shutdown), so the server never outlives the test run.
// - initdb takes ~1.5 s here; a copy of an initialized cluster ~0.15 s. So the first run keeps a
//   template cluster under .cache/postgres (LEADGATE_CACHE_DIR) and every run starts from a copy.
// - fsync, synchronous_commit and full_page_writes are off: tests need PostgreSQL's semantics
//   (locks, constraints, isolation), not its durability.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from './net.js';

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;
const SUPERUSER = 'leadgate';
const CACHE = process.env.LEADGATE_CACHE_DIR || fileURLToPath(new URL('../../.cache', import.meta.url));

export interface PostgresServer {
  /** Connection string of the maintenance database (`postgres`), as superuser `leadgate`, no password. */
  url: string;
  port: number;
  pid: number;
  dataDir: string;
  stop(): Promise<void>;
}

/** The newest installed server's bin directory (/usr/lib/postgresql/<major>/bin), or undefined. */
export function postgresBinDir(): string | undefined {
  if (process.env.LEADGATE_POSTGRES_BIN_DIR) return process.env.LEADGATE_POSTGRES_BIN_DIR;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return majors.length ? join(root, majors[0], 'bin') : undefined;
}

export function postgresAvailable(): boolean {
  return postgresBinDir() !== undefined;
}

const isRoot = () => userInfo().uid === 0;

/** The command prefix that runs a server binary as the cluster's owner. */
function asOwner(bin: string, args: string[]): [string, string[]] {
  if (!isRoot()) return [bin, args];
  return ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--pdeathsig', 'SIGINT', '--', bin, ...args]];
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
}

function chownTree(dir: string): void {
  if (isRoot()) run('chown', ['-R', 'postgres:postgres', dir]);
}

/** An initialized cluster to copy from, made once per machine and PostgreSQL version. */
function templateCluster(bin: string): string {
  const version = bin.split('/').at(-2) ?? 'pg';
  const dir = join(CACHE, 'postgres', `template-${version}-${isRoot() ? 'postgres' : userInfo().username}`);
  if (existsSync(join(dir, 'PG_VERSION'))) return dir;
  mkdirSync(join(CACHE, 'postgres'), { recursive: true });
  // Built beside the final place and renamed into it, so two runs starting at once never see half a cluster.
  const work = mkdtempSync(join(CACHE, 'postgres', 'init-'));
  chownTree(work);
  const data = join(work, 'data');
  const [cmd, args] = asOwner(join(bin, 'initdb'), ['-D', data, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: tmpdir() });
  if (r.status !== 0) {
    run('rm', ['-rf', work]);
    throw new Error(`initdb failed (${r.status}): ${r.stderr || r.stdout}`);
  }
  try {
    renameSync(data, dir);
  } catch {
    // Another run won the race; its template is as good as ours.
  }
  run('rm', ['-rf', work]);
  return dir;
}

async function waitUntilAccepting(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited (${child.exitCode ?? child.signalCode}): ${log()}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within ${START_TIMEOUT_MS} ms: ${log()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export interface StartPostgresOptions {
  /** Keep PostgreSQL's durability (fsync, synchronous commit): for the bench, which must pay what production pays. */
  durable?: boolean;
}

/** Start a throwaway PostgreSQL cluster on 127.0.0.1 (a copy of the cached template), stopped by stop() or when this process dies. */
export async function startPostgres(opts: StartPostgresOptions = {}): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)');
  const template = templateCluster(bin);
  const root = mkdtempSync(join(tmpdir(), 'leadgate-pg-'));
  const dataDir = join(root, 'data');
  // cp/rm rather than fs.cpSync/rmSync: on these machines Node's recursive copy of a cluster takes seconds, cp -a ~0.1 s.
  run('cp', ['-a', template, dataDir]);
  const socketDir = join(root, 'run');
  mkdirSync(socketDir);
  chownTree(root);
  const port = await freePort();
  const settings = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: socketDir,
    ...(opts.durable ? {} : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }),
    max_connections: '300',
    shared_buffers: '64MB',
    // Several instances under test race on advisory locks; report real deadlocks quickly.
    deadlock_timeout: '200ms',
    log_min_messages: 'warning',
    logging_collector: 'off',
  };
  const args = ['-D', dataDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const [cmd, argv] = asOwner(join(bin, 'postgres'), args);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], cwd: tmpdir() });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGQUIT'); // immediate shutdown: the cluster is thrown away, so no checkpoint is worth waiting for
      const t = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(t);
    }
    run('rm', ['-rf', root]);
  };
  try {
    await waitUntilAccepting(url, child, () => stderr);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, pid: child.pid!, dataDir, stop };
}

/** Connection string of the shared test server (global setup), or undefined when PostgreSQL tests should skip. */
export function testDatabaseServer(): string | undefined {
  return process.env.LEADGATE_TEST_DATABASE_URL || undefined;
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh, empty database on the shared test server, for one test file (or one test). */
export async function createTestDatabase(prefix = 'lg', server = testDatabaseServer()): Promise<TestDatabase> {
  if (!server) throw new Error('no test PostgreSQL (LEADGATE_TEST_DATABASE_URL is unset)');
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

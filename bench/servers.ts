// The servers under test, each a child process pinned to the server core: floor A, the alternative, and leadgate itself (`node dist/src/cli.js serve`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnPinned, waitForHttp, type Pinned } from './proc.js';
import { ROOT } from './setup.js';

export interface Server {
  name: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** The environment minus anything that would configure leadgate or Kafka behind our back. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(LEADGATE_|KAFKA_)/.test(k)) env[k] = v;
  return { ...env, NODE_ENV: 'production', ...extra };
}

async function start(name: string, cpus: string, args: string[], env: Record<string, string>, health: string, port: number, after?: () => void): Promise<Server> {
  const child: Pinned = spawnPinned(cpus, process.execPath, args, { env: cleanEnv(env) });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(url + health, child);
  } catch (err) {
    await child.stop(1000);
    after?.();
    throw err;
  }
  return {
    name,
    url,
    pid: child.pid,
    async stop() {
      await child.stop();
      after?.();
    },
  };
}

export async function floorA(cpus: string): Promise<Server> {
  const port = await freePort();
  return start('floor A (node:http)', cpus, ['--import', 'tsx', join(ROOT, 'bench/floor-a.ts')], { PORT: String(port) }, '/', port);
}

export async function alternative(cpus: string, brokers: string): Promise<Server> {
  const port = await freePort();
  return start('alternative (express + xml2js + kafkajs)', cpus, ['--import', 'tsx', join(ROOT, 'bench/alternative.ts')], { PORT: String(port), KAFKA_BROKERS: brokers }, '/healthz', port);
}

/** leadgate serve with a fresh data dir (removed on stop); Kafka sink when `brokers` is given, else the file log. */
export async function leadgate(cpus: string, cli: string, brokers?: string): Promise<Server> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'leadgate-bench-data-'));
  return start(
    brokers ? 'leadgate (kafka)' : 'leadgate (file log)',
    cpus,
    [cli, 'serve', '--port', String(port), '--data-dir', dataDir],
    brokers ? { KAFKA_BROKERS: brokers } : {},
    '/healthz',
    port,
    () => rmSync(dataDir, { recursive: true, force: true }),
  );
}

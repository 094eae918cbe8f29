// Starts a real Kafka-protocol broker for tests: librdkafka's mock cluster, hosted by the
// small C program in tools/kafka-mock (built by scripts/build-kafka-mock.sh). Brokers listen
// on 127.0.0.1 on free ports. Limits: no CreateTopics/DeleteTopics admin calls (pre-create
// topics here, or rely on auto-creation with 4 partitions), data in memory only.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const DEFAULT_BIN = fileURLToPath(new URL('../../.cache/kafka-mock/kafka-mock', import.meta.url));
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

export interface KafkaTopicSpec {
  name: string;
  partitions: number;
}

export interface StartKafkaBrokerOptions {
  topics?: KafkaTopicSpec[];
  /** Number of brokers, ids 1..n (default 1). Broker 1 is the controller. */
  brokers?: number;
}

export interface KafkaBroker {
  /** Comma-separated host:port list, usable as KAFKA_BROKERS. */
  bootstrap: string;
  /** host:port per broker; brokers[i] is broker id i + 1. */
  brokers: string[];
  pid: number;
  /** Close the broker's connections and refuse new ones (-1 = all brokers). */
  setBrokerDown(id: number): Promise<void>;
  setBrokerUp(id: number): Promise<void>;
  /** Delay every response from a broker by ms (-1 = all brokers). */
  setBrokerRtt(id: number, ms: number): Promise<void>;
  createTopic(name: string, partitions: number): Promise<void>;
  /**
   * Make the next `count` requests with Kafka protocol ApiKey `apiKey` (0 = Produce,
   * 1 = Fetch, 3 = Metadata, ...) fail with Kafka error code `errorCode`
   * (e.g. 6 = NOT_LEADER_OR_FOLLOWER, 7 = REQUEST_TIMED_OUT).
   */
  pushRequestErrors(apiKey: number, errorCode: number, count?: number): Promise<void>;
  stop(): Promise<void>;
}

export function kafkaMockBinary(): string {
  return process.env.LEADGATE_KAFKA_MOCK_BIN || DEFAULT_BIN;
}

export function kafkaMockAvailable(): boolean {
  return existsSync(kafkaMockBinary());
}

const validName = (s: string) => /^[A-Za-z0-9._-]{1,249}$/.test(s);

export async function startKafkaBroker(opts: StartKafkaBrokerOptions = {}): Promise<KafkaBroker> {
  const bin = kafkaMockBinary();
  if (!existsSync(bin)) {
    throw new Error(`Kafka mock binary not found at ${bin}; run: bash scripts/build-kafka-mock.sh`);
  }
  const brokerCount = opts.brokers ?? 1;
  const args = ['--brokers', String(brokerCount)];
  for (const t of opts.topics ?? []) {
    if (!validName(t.name) || !(t.partitions >= 1)) throw new Error(`bad topic spec ${t.name}:${t.partitions}`);
    args.push(`${t.name}:${t.partitions}`);
  }

  // stdin stays a pipe: the mock exits when it closes, so it never outlives this process.
  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let alive = true;
  child.once('exit', () => {
    alive = false;
  });
  child.stdin.on('error', () => {}); // EPIPE after the mock died; surfaced via `pending`

  // After the bootstrap line, each stdout line answers one command, in order.
  const pending: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  const lines = createInterface({ input: child.stdout });
  const bootstrap = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Kafka mock did not start within ${START_TIMEOUT_MS} ms: ${stderr}`));
    }, START_TIMEOUT_MS);
    const onExit = (code: number | null, signal: string | null) => {
      clearTimeout(timer);
      reject(new Error(`Kafka mock exited (code ${code}, signal ${signal}) before starting: ${stderr}`));
    };
    child.once('exit', onExit);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    lines.once('line', (line) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve(line.trim());
    });
  });
  lines.on('line', (line) => {
    const p = pending.shift();
    if (!p) return;
    if (line === 'ok') p.resolve();
    else p.reject(new Error(`Kafka mock: ${line}`));
  });
  child.once('exit', () => {
    for (const p of pending.splice(0)) p.reject(new Error(`Kafka mock exited: ${stderr}`));
  });

  const send = (cmd: string) =>
    new Promise<void>((resolve, reject) => {
      if (!alive) return reject(new Error('Kafka mock is not running'));
      pending.push({ resolve, reject });
      child.stdin.write(cmd + '\n');
    });
  const int = (n: number) => {
    if (!Number.isInteger(n)) throw new Error(`not an integer: ${n}`);
    return String(n);
  };

  return {
    bootstrap,
    brokers: bootstrap.split(','),
    pid: child.pid!,
    setBrokerDown: async (id) => send(`down ${int(id)}`),
    setBrokerUp: async (id) => send(`up ${int(id)}`),
    setBrokerRtt: async (id, ms) => send(`rtt ${int(id)} ${int(ms)}`),
    createTopic: async (name, partitions) => {
      if (!validName(name)) throw new Error(`bad topic name ${name}`);
      return send(`topic ${name} ${int(partitions)}`);
    },
    pushRequestErrors: async (apiKey, errorCode, count = 1) =>
      send(`error ${int(apiKey)} ${int(errorCode)} ${int(count)}`),
    async stop() {
      if (!alive) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      child.kill('SIGTERM'); // by pid
      await exited;
      clearTimeout(timer);
      lines.close();
    },
  };
}

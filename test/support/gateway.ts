// Starts a real gateway (HTTP on a free loopback port, SQLite in a temp dir) for end-to-end tests, and reads its file-log events back.
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log.js';
import type { CloudEvent } from '../../src/events.js';

export interface TestGateway extends Gateway {
  config: Config;
  dataDir: string;
  /** Every log line the gateway wrote (JSON text), for tests that check what logs reveal. */
  logLines: string[];
  post(body: string | Buffer, opts?: { path?: string; contentType?: string; headers?: Record<string, string> }): Promise<{ status: number; json: any; headers: Headers }>;
  /** Resolves once the relay has published everything committed so far. */
  drained(): Promise<void>;
  /** Events in the file-log sink for a topic (waits until at least `atLeast` are there). */
  events(topic?: string, atLeast?: number): Promise<CloudEvent<any>[]>;
  cleanup(): Promise<void>;
}

export function tempDir(prefix = 'leadgate-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A reply's body: parsed JSON, or the text when it is not JSON. */
export async function replyBody(res: Response): Promise<any> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function startTestGateway(overrides: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}): Promise<TestGateway> {
  const dataDir = (overrides.dataDir as string | undefined) ?? tempDir();
  const config = loadConfig({ env, overrides: { port: 0, dataDir, ...overrides } });
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const log = createLogger({ level: 'debug', destination: sink });
  const gw = await startGateway({ ...config, relay: { ...config.relay, retryDelayMs: 50, maxRetryDelayMs: 500 } }, log);
  const readEvents = (topic: string): CloudEvent<any>[] => {
    const file = join(dataDir, 'events', `${topic}.ndjson`);
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  };
  return {
    ...gw,
    config,
    dataDir,
    logLines,
    async post(body, opts = {}) {
      const res = await fetch(`${gw.url}${opts.path ?? '/v1/leads'}`, {
        method: 'POST',
        headers: { 'content-type': opts.contentType ?? 'application/xml', ...opts.headers },
        body,
      });
      const json = await replyBody(res);
      return { status: res.status, json, headers: res.headers };
    },
    async drained() {
      const deadline = Date.now() + 10_000;
      while ((await gw.store.countPending()) > 0) {
        if (Date.now() > deadline) throw new Error('relay did not drain the outbox');
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async events(topic = config.topics.leads, atLeast = 0) {
      const deadline = Date.now() + 10_000;
      let events = readEvents(topic);
      while (events.length < atLeast && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        events = readEvents(topic);
      }
      return events;
    },
    async cleanup() {
      await gw.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

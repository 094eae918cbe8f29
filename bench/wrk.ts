// Closed-loop load from wrk (pinned to the load core): sustained requests/s and latency percentiles from `wrk --latency`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPinned } from './proc.js';
import { wrkScript } from './body.js';

export interface WrkResult {
  /** Successful (2xx) responses per second. */
  rps: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  non2xx: number;
  socketErrors: number;
  seconds: number;
}

const scriptDir = mkdtempSync(join(tmpdir(), 'leadgate-bench-wrk-'));
process.once('exit', () => rmSync(scriptDir, { recursive: true, force: true }));
const scripts = new Map<string, string>();

function scriptFor(path: string): string {
  let file = scripts.get(path);
  if (!file) {
    file = join(scriptDir, `post-${scripts.size}.lua`);
    writeFileSync(file, wrkScript(path));
    scripts.set(path, file);
  }
  return file;
}

function toMs(value: string, unit: string): number {
  const v = Number(value);
  return unit === 'us' ? v / 1000 : unit === 's' ? v * 1000 : unit === 'm' ? v * 60_000 : v;
}

export function parseWrk(out: string): WrkResult {
  const pct = (p: string) => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out);
    return m ? toMs(m[1], m[2]) : NaN;
  };
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m)/.exec(out);
  if (!total) throw new Error(`cannot read wrk output:\n${out}`);
  const requests = Number(total[1]);
  const seconds = toMs(total[2], total[3]) / 1000;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const se = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = se ? se.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  return { rps: (requests - non2xx) / seconds, p50_ms: pct('50'), p99_ms: pct('99'), requests, non2xx, socketErrors, seconds };
}

/** POST the varied ADF body to `url` with `connections` connections for `seconds` (one wrk thread on `cpus`). */
export async function wrk(opts: { url: string; path?: string; connections: number; seconds: number; seed: number; cpus: string }): Promise<WrkResult> {
  const args = ['-t1', `-c${opts.connections}`, `-d${opts.seconds}s`, '--latency', '--timeout', '10s', '-s', scriptFor(opts.path ?? '/v1/leads'), opts.url, '--', String(opts.seed)];
  const out = await runPinned(opts.cpus, 'wrk', args, { timeoutMs: (opts.seconds + 30) * 1000 });
  return parseWrk(out);
}

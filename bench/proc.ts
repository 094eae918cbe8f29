// Child processes for the harness: pinned to a core with taskset, tracked so every one is killed on exit, with RSS read from /proc.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

const children = new Set<ChildProcess>();

function killAll(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null && c.pid) process.kill(c.pid, 'SIGKILL');
}
process.once('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    killAll();
    process.exit(130);
  });
}

export interface Pinned {
  pid: number;
  child: ChildProcess;
  /** Last lines of stderr, for error messages. */
  stderr(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** Run `cmd args` on the given CPU(s) (`taskset -c <cpus>` execs it, so the pid is the command's own). */
export function spawnPinned(cpus: string, cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; stdout?: 'ignore' | 'pipe' } = {}): Pinned {
  const child = spawn('taskset', ['-c', cpus, cmd, ...args], {
    stdio: ['ignore', opts.stdout ?? 'ignore', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  children.add(child);
  let err = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    err = (err + d).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => children.delete(child));
  return {
    pid: child.pid!,
    child,
    stderr: () => err,
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Run a pinned command to completion and return its stdout (rejects on a non-zero exit). */
export function runPinned(cpus: string, cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<string> {
  const p = spawnPinned(cpus, cmd, args, { ...opts, stdout: 'pipe' });
  let out = '';
  p.child.stdout!.setEncoding('utf8');
  p.child.stdout!.on('data', (d: string) => (out += d));
  const timer = setTimeout(() => p.child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
  return new Promise((resolve, reject) => {
    p.child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code ?? signal}: ${p.stderr().slice(-1500)}`));
    });
  });
}

/** A free TCP port on loopback (the tests' helper). */
export { freePort } from '../test/support/net.js';

/** Wait until `url` answers 2xx (bounded). */
export async function waitForHttp(url: string, child: Pinned, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.child.exitCode !== null) throw new Error(`server exited before answering: ${child.stderr()}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${child.stderr()}`);
}

/** Resident set size of a process in MB (VmRSS), NaN once it is gone. */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Kernel clock ticks per second, the unit of /proc/<pid>/stat's CPU times (100 on every common Linux). */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system, all threads) a process has used so far, in ms; NaN once it is gone. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after "(command)": state is the first, utime and stime the 12th and 13th (proc(5) fields 14 and 15).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** Sample a process's RSS every `everyMs` until stopped; returns the samples (t: ms since start). */
export function sampleRss(pid: number, everyMs = 250): { stop(): Array<{ t: number; mb: number }> } {
  const samples: Array<{ t: number; mb: number }> = [];
  const start = performance.now();
  const t = setInterval(() => {
    const mb = rssMb(pid);
    if (Number.isFinite(mb)) samples.push({ t: performance.now() - start, mb });
  }, everyMs);
  return {
    stop() {
      clearInterval(t);
      return samples;
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Runs `leadgate serve` from the TypeScript sources (tsx) in a child process, for tests that kill the whole process (SIGKILL) and start it again on the same data directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const START_TIMEOUT_MS = 90_000;

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** SIGKILL: no shutdown hook runs, nothing is flushed; resolves once the process is gone. */
  kill9(): Promise<void>;
}

/** Start the gateway on a free loopback port and resolve with its URL (from its "listening" log line). */
export function serveProcess(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], {
    cwd: ROOT,
    env: { ...process.env, LEADGATE_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const kill9 = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void kill9();
      reject(new Error(`leadgate serve did not start within ${START_TIMEOUT_MS} ms: ${stderr}`));
    }, START_TIMEOUT_MS);
    // Keep reading stdout for the life of the process: a full pipe would block its logging.
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { url?: string };
        if (entry.url) {
          clearTimeout(timer);
          resolve({ child, url: entry.url, kill9 });
        }
      } catch {
        /* not a log line */
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`leadgate serve exited (${code ?? signal}) before listening: ${stderr}`));
    });
  });
}

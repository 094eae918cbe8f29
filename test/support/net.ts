// Test helper: a free TCP port on loopback, for the servers the tests and the bench start (Dovecot, PostgreSQL, gateways).
import { createServer } from 'node:net';

/** A port nobody listens on right now (another process may still take it before the caller binds: callers that can, retry). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

// A TCP proxy in front of a real IMAP server that can cut a connection in the middle of a FETCH response (after N bytes of a message body literal), and refuse connections for a while after, to inject "the server dropped us mid-fetch".
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface ImapCutProxy {
  port: number;
  /** How many connections were cut mid-literal so far. */
  readonly cuts: number;
  /** Connections accepted so far (each reconnect is one). */
  readonly connections: number;
  /**
   * Cut the next connection that receives a message body (`BODY[] {n}` literal) after `afterBytes`
   * bytes of that body; with `refuseAfter`, new connections are closed at once until allow().
   */
  armCut(opts: { afterBytes: number; refuseAfter?: boolean }): void;
  /** Accept connections again after a cut with refuseAfter. */
  allow(): void;
  close(): Promise<void>;
}

/** The start of a message body literal in a FETCH response: `BODY[] {1234}` CRLF. */
const BODY_LITERAL = /BODY\[\] \{(\d+)\}\r\n/;
/** Bytes kept from the end of the previous chunk, so a marker split across two chunks is still found. */
const TAIL = 64;

export async function startImapCutProxy(target: { host: string; port: number }): Promise<ImapCutProxy> {
  let armed: { afterBytes: number; refuseAfter: boolean } | undefined;
  let refusing = false;
  let cuts = 0;
  let connections = 0;
  const sockets = new Set<Socket>();

  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (refusing) {
      client.destroy();
      return;
    }
    connections++;
    const upstream = connect(target.port, target.host);
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);

    let tail = Buffer.alloc(0);
    /** Body bytes still to forward before the cut, once this connection's body literal started. */
    let remaining: number | undefined;
    const cut = () => {
      cuts++;
      armed = undefined;
      remaining = undefined;
      client.destroy();
      upstream.destroy();
    };
    upstream.on('data', (chunk: Buffer) => {
      if (!armed) {
        client.write(chunk);
        return;
      }
      if (remaining !== undefined) {
        const part = chunk.subarray(0, remaining);
        client.write(part);
        remaining -= part.length;
        if (remaining === 0) cut();
        return;
      }
      const seen = Buffer.concat([tail, chunk]);
      const m = BODY_LITERAL.exec(seen.toString('latin1'));
      if (!m) {
        client.write(chunk);
        tail = seen.subarray(Math.max(0, seen.length - TAIL));
        return;
      }
      // Forward up to the literal's start plus afterBytes of the body (never the whole body), then cut.
      const bodyStart = m.index + m[0].length;
      const keep = Math.min(armed.afterBytes, Math.max(0, Number(m[1]) - 1));
      const end = bodyStart + keep; // in `seen` coordinates; the tail part was forwarded already
      const fromChunk = Math.min(chunk.length, Math.max(0, end - tail.length));
      client.write(chunk.subarray(0, fromChunk));
      if (armed.refuseAfter) refusing = true;
      remaining = end - tail.length - fromChunk;
      if (remaining <= 0) cut();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    port,
    get cuts() {
      return cuts;
    },
    get connections() {
      return connections;
    },
    armCut(opts) {
      armed = { afterBytes: opts.afterBytes, refuseAfter: opts.refuseAfter ?? false };
    },
    allow() {
      refusing = false;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// Fault 6(e): slow-loris clients (headers or body dripped a byte at a time) cannot exhaust the gateway's connections: a normal client's lead is accepted meanwhile, the connection cap holds, and the timeouts cut the slow ones.
import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';

const HEADER_DRIPPERS = 40;
const BODY_DRIPPERS = 10;
const EXTRA_IDLE = 20;
const MAX_CONNECTIONS = 64;
const DRIP_MS = 40;

interface Slow {
  socket: Socket;
  open: boolean;
  /** What the server said before closing (a 408 when a timeout cut it). */
  reply: string;
  timer?: NodeJS.Timeout;
}

/** A client that connects and sends `lead` at once, then one byte of `drip()` every DRIP_MS, forever. */
function slowClient(port: number, lead: string, drip: () => string): Promise<Slow> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const slow: Slow = { socket, open: true, reply: '' };
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (slow.reply += d));
    socket.on('error', () => {});
    socket.on('close', () => {
      slow.open = false;
      clearInterval(slow.timer);
    });
    socket.once('connect', () => {
      if (lead) socket.write(lead);
      let pending = '';
      slow.timer = setInterval(() => {
        if (!pending) pending = drip();
        if (!socket.writable) return;
        socket.write(pending[0]);
        pending = pending.slice(1);
      }, DRIP_MS);
      resolve(slow);
    });
    socket.once('error', reject);
  });
}

async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('slow-loris', () => {
  let gw: TestGateway;
  const clients: Slow[] = [];
  beforeAll(async () => {
    // Small deadlines keep the test short; what is asserted is behaviour, not how fast it happens.
    gw = await startTestGateway({ limits: { headersTimeoutMs: 3000, requestTimeoutMs: 4000, maxConnections: MAX_CONNECTIONS } });
  });
  afterAll(async () => {
    for (const c of clients) {
      clearInterval(c.timer);
      c.socket.destroy();
    }
    await gw.cleanup();
  });

  it('keeps serving a normal client while slow ones drip, caps connections, and cuts the slow ones by timeout', async () => {
    const lead = readFileSync(new URL('../fixtures/real-leads/cargurus-1.xml', import.meta.url));
    /** A request line, then header lines without end. */
    const endlessHeaders = () => {
      let n = 0;
      return () => (n++ === 0 ? 'POST /v1/leads HTTP/1.1\r\nHost: leadgate\r\n' : `X-Slow-${n}: ${'a'.repeat(8)}\r\n`);
    };
    const headerDrippers = await Promise.all(Array.from({ length: HEADER_DRIPPERS }, () => slowClient(gw.port, '', endlessHeaders())));
    const bodyDrippers = await Promise.all(
      Array.from({ length: BODY_DRIPPERS }, () =>
        slowClient(gw.port, `POST /v1/leads HTTP/1.1\r\nHost: leadgate\r\nContent-Type: application/xml\r\nContent-Length: ${lead.length}\r\n\r\n`, () => lead.toString('latin1')),
      ),
    );
    const slow = [...headerDrippers, ...bodyDrippers];
    clients.push(...slow);
    const openSlow = () => slow.filter((c) => c.open).length;

    // A normal sender meanwhile: its lead is accepted while the slow ones still hold their connections.
    const normal = await gw.post(lead);
    const slowOpenAtAccept = openSlow();
    expect(normal.status).toBe(200);
    expect(normal.json.leads[0].outcome).toBe('received');
    expect(slowOpenAtAccept).toBe(slow.length);

    // More connections than the cap allows: the surplus is dropped at once. The slow clients (all
    // older) are still open when that happens, so no timeout can have done it.
    const extras = await Promise.all(Array.from({ length: EXTRA_IDLE }, () => slowClient(gw.port, '', () => '')));
    for (const e of extras) clearInterval(e.timer);
    clients.push(...extras);
    const surplus = slow.length + EXTRA_IDLE - MAX_CONNECTIONS;
    const dropped = () => extras.filter((e) => !e.open).length;
    await until('the connection cap to drop the surplus', () => dropped() >= surplus);
    const slowOpenAtCap = openSlow();
    const droppedAtCap = dropped();
    expect(slowOpenAtCap).toBe(slow.length);

    // The deadlines cut every slow client: headers never completed, bodies never arrived.
    await until('the timeouts to cut every slow client', () => openSlow() === 0);
    const answered408 = slow.filter((c) => c.reply.startsWith('HTTP/1.1 408')).length;
    const header408 = headerDrippers.filter((c) => c.reply.startsWith('HTTP/1.1 408')).length;
    // None of the dripped bodies became a lead: nothing half-received is ever archived.
    const inputs = await gw.store.listInputs({ limit: 1000 });

    // Capacity is back for everyone.
    const after = await gw.post(lead);
    const health = await fetch(`${gw.url}/healthz`);
    console.log(
      `slow-loris: header drippers ${HEADER_DRIPPERS}, body drippers ${BODY_DRIPPERS}, extra idle ${EXTRA_IDLE}, cap ${MAX_CONNECTIONS}; ` +
        `normal lead accepted with ${slowOpenAtAccept} slow open; dropped at cap ${droppedAtCap} (slow open then ${slowOpenAtCap}); ` +
        `slow cut by timeout ${slow.length} (408 answers ${answered408}); archived inputs ${inputs.length}; after: ${after.status}`,
    );
    expect(header408).toBe(HEADER_DRIPPERS);
    // Cutting a slow client is routine, not an error.
    expect(gw.logLines.filter((l) => /"level":(50|60)/.test(l))).toEqual([]);
    expect(inputs).toHaveLength(1);
    expect(after.status).toBe(200);
    expect(after.json.leads[0].outcome).toBe('duplicate');
    expect(health.status).toBe(200);
  }, 60_000);
});

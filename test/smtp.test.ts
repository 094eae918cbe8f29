// End to end over SMTP: a real client (nodemailer) over TCP to the receiver, a real pipeline and SQLite store; 250 only after the commit, never an open relay.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTP_DEFAULTS, type SmtpConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { Metrics } from '../src/metrics.js';
import type { Pipeline } from '../src/pipeline/index.js';
import { Database } from '../src/stores/sqlite-driver.js';
import { dealersOf, recipientRouter, startSmtpReceiver, type SmtpReceiver } from '../src/transports/smtp.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { expectValidEvent } from './support/schemas.js';
import { opensslAvailable, selfSignedCertificate, type TestCertificate } from './support/tls.js';

const ADF = readFileSync(new URL('../fixtures/real-leads/truecar-pnc-1.xml', import.meta.url), 'utf8');
const DOMAIN = 'leads.example.test';
const DEALERS = [
  { id: 'mission-viejo-kia', name: 'Mission Viejo Kia' },
  { id: 'north-kia', name: 'North Kia' },
];
const FORWARD_ADDRESS = 'kia-forward@dealer-mail.example';

/** The TrueCar lead as a different customer and provider lead id, so it is new to the store. */
const variant = (n: number): string => ADF.replace('1142904505', `77${n}0001`).replace('customer02@example.com', `smtp-customer-${n}@example.com`);

/** A lead email as a forwarding mailbox sends it: the ADF as the plain-text body. */
function mime(opts: { body: string; messageId: string; to?: string; date?: string; from?: string | null }): string {
  const headers = [
    ...(opts.from === null ? [] : [`From: ${opts.from ?? 'TrueCar <leads@truecar.example>'}`]),
    `To: ${opts.to ?? `leads@${DOMAIN}`}`,
    'Subject: New TrueCar lead',
    `Date: ${opts.date ?? 'Fri, 17 Oct 2025 19:54:00 -0700'}`,
    `Message-ID: <${opts.messageId}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  return `${headers.join('\r\n')}\r\n\r\n${opts.body.replace(/\r?\n/g, '\r\n')}`;
}

interface Receiver {
  rx: SmtpReceiver;
  metrics: Metrics;
  /** The receiver's own log lines (the pipeline's go to gw.logLines). */
  lines: string[];
  client(opts?: Partial<SMTPTransport.Options>): nodemailer.Transporter<SMTPTransport.SentMessageInfo>;
  sendRaw(raw: string, to?: string[], opts?: Partial<SMTPTransport.Options>): Promise<SMTPTransport.SentMessageInfo>;
}

async function startReceiver(gw: TestGateway, smtp: Partial<SmtpConfig> = {}, pipeline: Pipeline = gw.pipeline): Promise<Receiver> {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const metrics = new Metrics();
  const rx = await startSmtpReceiver({
    config: { ...SMTP_DEFAULTS, port: 0, domains: [DOMAIN], addresses: [{ address: FORWARD_ADDRESS, dealer: 'north-kia' }], maxMessageBytes: 256 * 1024, ...smtp },
    dealerIds: gw.config.dealers.map((d) => d.id),
    pipeline,
    log: createLogger({ level: 'debug', destination }),
    metrics,
    onCommitted: () => gw.relay.notify(),
  });
  const client = (opts: Partial<SMTPTransport.Options> = {}) =>
    nodemailer.createTransport({ host: '127.0.0.1', port: rx.port, secure: false, tls: { rejectUnauthorized: false }, ...opts } as SMTPTransport.Options);
  return {
    rx,
    metrics,
    lines,
    client,
    async sendRaw(raw, to = [`leads@${DOMAIN}`], opts = {}) {
      const t = client(opts);
      try {
        return await t.sendMail({ envelope: { from: 'forwarder@dealer-mail.example', to }, raw });
      } finally {
        t.close();
      }
    },
  };
}

/** What sendMail rejected with (nodemailer errors carry the SMTP reply). */
async function refusal(p: Promise<unknown>): Promise<{ responseCode?: number; response?: string; code?: string }> {
  try {
    await p;
  } catch (err) {
    return err as { responseCode?: number; response?: string; code?: string };
  }
  throw new Error('expected the SMTP server to refuse');
}

/** Polls until cond() holds (bounded by the test timeout, never asserted on time). */
async function until(cond: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await cond())) await new Promise((r) => setTimeout(r, 10));
}

async function newEvents(gw: TestGateway, before: number, topic?: string) {
  await gw.drained();
  return (await gw.events(topic)).slice(before);
}

describe('recipient routing (never an open relay)', () => {
  const route = recipientRouter({ domains: [DOMAIN, 'Other.Example.'], addresses: [{ address: 'Kia-Forward@Dealer-Mail.example', dealer: 'north-kia' }] }, DEALERS.map((d) => d.id));
  it.each([
    ['leads+north-kia@leads.example.test', { dealerId: 'north-kia' }],
    ['LEADS+North-Kia@LEADS.example.test', { dealerId: 'north-kia' }],
    ['mission-viejo-kia@leads.example.test', { dealerId: 'mission-viejo-kia' }],
    ['leads+nobody@leads.example.test', {}],
    ['sales@other.example', {}],
    ['kia-forward@dealer-mail.example', { dealerId: 'north-kia' }],
    ['someone-else@dealer-mail.example', null],
    ['leads@leads.example.test.evil.example', null],
    ['leads@sub.leads.example.test', null],
    ['victim@gmail.com', null],
    ['postmaster', null],
  ])('%s → %j', (address, expected) => {
    expect(route(address)).toEqual(expected);
  });

  it('ingests once per distinct named dealer, or once for the lead to decide', () => {
    expect(dealersOf([{ dealerId: 'a' }, {}, { dealerId: 'b' }, { dealerId: 'a' }])).toEqual(['a', 'b']);
    expect(dealersOf([{}, {}])).toEqual([undefined]);
  });
});

describe('SMTP intake', () => {
  let gw: TestGateway;
  let r: Receiver;
  beforeAll(async () => {
    gw = await startTestGateway({ dealers: DEALERS });
    r = await startReceiver(gw);
  });
  afterAll(async () => {
    await r.rx.close();
    await gw.cleanup();
  });

  it('takes an ADF lead email, answers 250 after the commit, and publishes the same lead as HTTP would', async () => {
    await gw.drained();
    const before = (await gw.events()).length;
    const t = r.client();
    const info = await t.sendMail({ from: 'TrueCar <leads@truecar.example>', to: `leads@${DOMAIN}`, subject: 'New TrueCar lead', text: ADF, messageId: '<truecar-1142904505@truecar.example>' });
    t.close();
    expect(info.response).toMatch(/^250 2\.0\.0 queued as [0-9a-f-]{36} \(1 lead\)$/);
    expect(info.rejected).toEqual([]);

    const [ev] = await newEvents(gw, before);
    expectValidEvent(ev);
    expect(ev.type).toBe('com.leadgate.lead.received');
    expect(ev.data.source.channel).toMatch(/^smtp-/);
    expect(ev.data.raw.contentType).toBe('message/rfc822');
    const inputId = /queued as (\S+)/.exec(info.response)![1];
    expect((await gw.store.getInput(inputId))?.transport).toBe('smtp');

    // The same ADF over HTTP: a duplicate now, but the same lead content.
    const http = await gw.post(ADF);
    expect(http.status).toBe(200);
    const [viaHttp] = await newEvents(gw, before + 1);
    expect(viaHttp.data.source.channel).toMatch(/^http-/);
    expect(ev.data.customer).toEqual(viaHttp.data.customer);
    expect(ev.data.vehicles).toEqual(viaHttp.data.vehicles);
    expect(ev.data.dealer).toEqual(viaHttp.data.dealer);
    expect(ev.data.dealer).toEqual({ id: 'mission-viejo-kia', name: 'Mission Viejo Kia' });

    const metrics = await r.metrics.render();
    expect(metrics).toMatch(/leadgate_leads_total\{channel="smtp",outcome="received"\} 1/);
    // One outcome line per message, with no customer data and no envelope address at all.
    const outcome = r.lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'smtp message accepted');
    expect(outcome).toHaveLength(1);
    expect(outcome[0]).toMatchObject({ inputIds: [inputId], dealers: ['mission-viejo-kia'], outcomes: ['received'], tls: false });
    expect(outcome[0].size).toBeGreaterThan(ADF.length);
    const leaks = [...r.lines, ...gw.logLines].filter((l) => /customer02|@example|leads\.example\.test|truecar\.example|dealer-mail|Firstname|Lastname|010-0102|Suburban|New TrueCar lead/.test(l));
    expect(leaks).toEqual([]);
  });

  it('publishes a resend of the same message (same Message-ID) as lead.duplicate', async () => {
    await gw.drained();
    const before = (await gw.events()).length;
    const body = variant(1);
    const messageId = 'resend-test-1@truecar.example';
    // The sending server rebuilt the message: other Date, same Message-ID, so only the Message-ID says it is the same mail.
    const first = await r.sendRaw(mime({ body, messageId, date: 'Fri, 17 Oct 2025 19:54:00 -0700' }));
    const again = await r.sendRaw(mime({ body, messageId, date: 'Fri, 17 Oct 2025 20:09:00 -0700' }));
    expect(first.response).toMatch(/^250 .*queued as/);
    expect(again.response).toMatch(/^250 .*queued as/);
    const events = await newEvents(gw, before);
    expect(events.map((e) => e.type)).toEqual(['com.leadgate.lead.received', 'com.leadgate.lead.duplicate']);
    expect(events[1].data.duplicateOf).toBe(events[0].data.leadId);
    expect(events[1].data.duplicateReason).toBe('same_idempotency_key');
    for (const e of events) expectValidEvent(e);
  });

  it('ingests a message for two dealers once per dealer, and maps an exact address to its dealer', async () => {
    await gw.drained();
    const before = (await gw.events()).length;
    const info = await r.sendRaw(mime({ body: variant(2), messageId: 'two-dealers@truecar.example' }), [`leads+mission-viejo-kia@${DOMAIN}`, FORWARD_ADDRESS]);
    expect(info.response).toMatch(/^250 2\.0\.0 queued as \S+,\S+ \(2 leads\)$/);
    const events = await newEvents(gw, before);
    expect(events.map((e) => e.data.dealer.id).sort()).toEqual(['mission-viejo-kia', 'north-kia']);
    expect(events.map((e) => e.type)).toEqual(['com.leadgate.lead.received', 'com.leadgate.lead.received']);
  });

  it('refuses a recipient at any other domain with 550 5.7.1 at RCPT TO and stores nothing', async () => {
    const inputs = (await gw.store.listInputs({})).length;
    const err = await refusal(r.sendRaw(mime({ body: variant(3), messageId: 'relay@spam.example', to: 'victim@gmail.com' }), ['victim@gmail.com']));
    expect(err.responseCode).toBe(550);
    expect(err.response).toMatch(/^550 5\.7\.1 /);
    // A mixed envelope: the foreign recipient is refused, ours still gets the message.
    const mixed = await r.sendRaw(mime({ body: 'no lead here', messageId: 'mixed@spam.example' }), ['victim@gmail.com', `leads@${DOMAIN}`]);
    expect(mixed.rejected).toEqual(['victim@gmail.com']);
    expect((await gw.store.listInputs({})).length).toBe(inputs + 1);
    expect(await r.metrics.render()).toMatch(/leadgate_inputs_rejected_total\{code="relay_denied"\} 2/);
  });

  it('refuses a message over maxMessageBytes with 552 while reading DATA, and stores nothing', async () => {
    const inputs = (await gw.store.listInputs({})).length;
    const big = mime({ body: variant(4) + '\n' + 'x'.repeat(76).concat('\n').repeat(4000), messageId: 'big@truecar.example' });
    expect(big.length).toBeGreaterThan(256 * 1024);
    const err = await refusal(r.sendRaw(big));
    expect(err.responseCode).toBe(552);
    expect(err.response).toMatch(/^552 5\.3\.4 /);
    expect((await gw.store.listInputs({})).length).toBe(inputs);
    // The receiver keeps taking messages after refusing one.
    const after = await r.sendRaw(mime({ body: 'no lead here either', messageId: 'after-big@truecar.example' }));
    expect(after.response).toMatch(/^250 /);
  });

  it('accepts a message that holds no lead with 250 and keeps the raw MIME in the rejected stream', async () => {
    await gw.drained();
    const before = (await gw.events('leadgate.leads.rejected')).length;
    const raw = mime({ body: 'I am out of the office until Monday.\n', messageId: 'ooo@example.invalid', from: null });
    const info = await r.sendRaw(raw);
    expect(info.response).toMatch(/^250 2\.0\.0 Accepted; no lead found \([a-z_]+\)/);
    const [ev] = await newEvents(gw, before, 'leadgate.leads.rejected');
    expectValidEvent(ev);
    expect(ev.data.transport).toBe('smtp');
    expect(info.response).toContain(`(${ev.data.code})`);
    expect(Buffer.from(ev.data.raw.base64, 'base64').toString()).toBe(raw);
    const archived = await gw.store.getInput(ev.data.inputId);
    expect(archived?.outcome).toBe('rejected');
    expect(archived?.bytes.toString()).toBe(raw);
    expect(await r.metrics.render()).toContain(`leadgate_inputs_rejected_total{code="${ev.data.code}"}`);
  });
});

describe.skipIf(!opensslAvailable())('SMTP over STARTTLS, with AUTH', () => {
  let cert: TestCertificate;
  let gw: TestGateway;
  let r: Receiver;
  const user = { username: 'forwarder', password: 'correct horse battery staple' };
  beforeAll(async () => {
    cert = selfSignedCertificate();
    gw = await startTestGateway({ dealers: DEALERS });
    r = await startReceiver(gw, { tls: { cert: cert.cert, key: cert.key }, auth: { required: true, users: [user] } });
  });
  afterAll(async () => {
    await r.rx.close();
    await gw.cleanup();
    cert.cleanup();
  });

  it('refuses MAIL FROM without credentials (530) and wrong credentials (535)', async () => {
    const none = await refusal(r.sendRaw(mime({ body: variant(5), messageId: 'noauth@truecar.example' }), undefined, { requireTLS: true }));
    expect(none.responseCode).toBe(530);
    const wrong = await refusal(r.sendRaw(mime({ body: variant(5), messageId: 'wrong@truecar.example' }), undefined, { requireTLS: true, auth: { user: user.username, pass: 'nope' } }));
    expect(wrong.responseCode).toBe(535);
    expect(await gw.store.listInputs({})).toEqual([]);
  });

  it('negotiates TLS with the configured certificate and takes the lead from an authenticated sender', async () => {
    // Trust only the certificate made for this test: the handshake proves the receiver serves it.
    const info = await r.sendRaw(mime({ body: variant(6), messageId: 'tls@truecar.example' }), undefined, {
      requireTLS: true,
      auth: { user: user.username, pass: user.password },
      tls: { ca: cert.certPem, servername: 'localhost', rejectUnauthorized: true },
    });
    expect(info.response).toMatch(/^250 2\.0\.0 queued as/);
    const outcome = r.lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'smtp message accepted');
    expect(outcome).toMatchObject({ tls: true, outcomes: ['received'] });
    const [ev] = await gw.events(undefined, 1);
    expectValidEvent(ev);
    expect(r.lines.some((l) => l.includes(user.password) || l.includes(user.username))).toBe(false);
  });
});

describe('when the store is unavailable', () => {
  it('answers 451 4.3.0, commits nothing, and takes the sender retry exactly once', async () => {
    const gw = await startTestGateway({ dealers: DEALERS });
    const r = await startReceiver(gw);
    const other = new Database(join(gw.dataDir, 'leadgate.db'));
    try {
      // Another process holding the write lock: our transaction waits the busy timeout, then gives up.
      other.exec('BEGIN EXCLUSIVE');
      const raw = mime({ body: variant(7), messageId: 'retry@truecar.example' });
      const err = await refusal(r.sendRaw(raw));
      expect(err.responseCode).toBe(451);
      expect(err.response).toMatch(/^451 4\.3\.0 /);
      other.exec('ROLLBACK');
      expect(await gw.store.listInputs({})).toEqual([]);
      expect(await gw.store.countPending()).toBe(0);
      // The sending server retries the same queued bytes.
      const retry = await r.sendRaw(raw);
      expect(retry.response).toMatch(/^250 2\.0\.0 queued as \S+ \(1 lead\)$/);
      await gw.drained();
      const events = await gw.events();
      expect(events.map((e) => e.type)).toEqual(['com.leadgate.lead.received']);
      expect(await r.metrics.render()).toMatch(/leadgate_errors_total\{code="store_unavailable"\} 1/);
    } finally {
      other.close();
      await r.rx.close();
      await gw.cleanup();
    }
  });
});

describe('connections that end early, and shutdown', () => {
  it('never ingests a message whose client vanished in the middle of DATA', async () => {
    const gw = await startTestGateway({ dealers: DEALERS });
    const r = await startReceiver(gw);
    try {
      const socket = connect(r.rx.port, '127.0.0.1');
      let received = '';
      socket.on('data', (d) => (received += d.toString()));
      const say = async (line: string, expect: RegExp) => {
        const from = received.length;
        socket.write(`${line}\r\n`);
        await until(() => expect.test(received.slice(from)));
      };
      await until(() => /^220 /m.test(received));
      await say('EHLO client.example', /^250 /m);
      await say('MAIL FROM:<forwarder@dealer-mail.example>', /^250 /m);
      await say(`RCPT TO:<leads@${DOMAIN}>`, /^250 /m);
      await say('DATA', /^354 /m);
      socket.write(mime({ body: variant(8), messageId: 'cut@truecar.example' }).slice(0, 600));
      socket.destroy();
      await until(() => r.lines.some((l) => l.includes('"code":"connection_lost"')));
      expect(await gw.store.listInputs({})).toEqual([]);
    } finally {
      await r.rx.close();
      await gw.cleanup();
    }
  });

  it('close() lets a message being committed finish with its real reply, then refuses connections', async () => {
    const gw = await startTestGateway({ dealers: DEALERS });
    let closed: Promise<void> | undefined;
    // Start shutting down exactly while the pipeline holds the message.
    const pipeline = {
      ingest: (raw: Parameters<Pipeline['ingest']>[0]) => {
        closed ??= r.rx.close();
        return gw.pipeline.ingest(raw);
      },
    } as Pipeline;
    const r = await startReceiver(gw, {}, pipeline);
    try {
      const info = await r.sendRaw(mime({ body: variant(9), messageId: 'shutdown@truecar.example' }));
      expect(info.response).toMatch(/^250 2\.0\.0 /);
      expect(closed).toBeDefined();
      await closed;
      expect(await gw.store.listInputs({})).toHaveLength(1);
      const err = await refusal(r.sendRaw(mime({ body: variant(10), messageId: 'late@truecar.example' })));
      expect(err.code).toBe('ESOCKET');
    } finally {
      await r.rx.close();
      await gw.cleanup();
    }
  });
});

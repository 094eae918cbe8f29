// IMAP intake end to end: a real Dovecot, real APPEND deliveries, the real pipeline on SQLite and the file-log relay; messages are marked only after their commit, and drops, crashes, a locked store and UIDVALIDITY changes lose or double nothing.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ImapMailboxConfig } from '../src/config.js';
import type { CloudEvent } from '../src/events.js';
import { createLogger } from '../src/log.js';
import { Metrics } from '../src/metrics.js';
import { Database } from '../src/stores/sqlite-driver.js';
import { imapAction, startImapIntake, uidSet, type ImapIntake } from '../src/transports/imap.js';
import { LeadgateError } from '../src/errors.js';
import type { Pipeline } from '../src/pipeline/index.js';
import { dovecotAvailable, startDovecot, type Dovecot } from './support/dovecot.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { expectValidEvent } from './support/schemas.js';

const FIXTURES = new URL('../fixtures/real-leads/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');
/** Real leads of different customers, so each is a lead.received on its own. */
const LEADS = ['truecar-pnc-1.xml', 'cargurus-1.xml', 'carscom-dealerrater-1.xml', 'autotrader-wallet-1.xml', 'kia-digital-kiacom-testdrive-1.xml'];
const RECEIVED = 'com.leadgate.lead.received';
const DUPLICATE = 'com.leadgate.lead.duplicate';
const SEEN = '\\Seen';

let seq = 0;
/** An RFC 822 lead email as a provider sends it: the ADF document as the text body. */
async function leadEmail(fixtureName: string, opts: { messageId?: string | false; text?: string } = {}): Promise<Buffer> {
  const id = opts.messageId === undefined ? `<lead-${process.pid}-${++seq}@provider.example>` : opts.messageId;
  const mail = new MailComposer({
    from: 'leads@provider.example',
    to: 'internet-sales@dealer.example',
    subject: `New lead ${seq}`,
    text: opts.text ?? fixture(fixtureName),
    date: new Date('2025-10-18T02:54:00Z'),
    ...(id ? { messageId: id } : {}),
  });
  const raw = await mail.compile().build();
  // MailComposer always adds a Message-ID; "no Message-ID" means taking it out again.
  return id === false ? Buffer.from(raw.toString('latin1').replace(/^Message-ID: .*\r\n/im, ''), 'latin1') : raw;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Harness {
  gw: TestGateway;
  intake: ImapIntake;
  metrics: Metrics;
  logLines: string[];
  mailbox: ImapMailboxConfig;
  /** Stop the intake (as a crash or a deploy would) and start a fresh one on the same gateway. */
  restartIntake(): Promise<void>;
  events(type?: string, atLeast?: number): Promise<CloudEvent<any>[]>;
}

describe.skipIf(!dovecotAvailable() && process.env.LEADGATE_REQUIRE_IMAP !== '1')('IMAP intake (Dovecot)', () => {
  let dovecot: Dovecot;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    dovecot = await startDovecot();
  });
  afterAll(async () => {
    await dovecot?.stop();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function harness(
    box: Partial<ImapMailboxConfig> & { folder: string },
    opts: { server?: Dovecot; gateway?: Record<string, unknown>; env?: NodeJS.ProcessEnv; maxMessageBytes?: number; wrap?: (p: Pipeline) => Pipeline } = {},
  ): Promise<Harness> {
    const server = opts.server ?? dovecot;
    const gw = await startTestGateway(opts.gateway);
    cleanups.push(() => gw.cleanup());
    const logLines: string[] = [];
    const log = createLogger({
      level: 'debug',
      destination: new Writable({
        write(chunk, _enc, done) {
          logLines.push(...chunk.toString().split('\n').filter(Boolean));
          done();
        },
      }),
    });
    const metrics = new Metrics();
    const mailbox: ImapMailboxConfig = {
      name: `test-${box.folder}`,
      host: server.host,
      port: server.port,
      secure: false,
      user: server.user,
      password: server.password,
      pollSeconds: 3600, // no polling: pickup must come from IDLE (or the start-up catch-up)
      ...box,
    };
    if (box.passwordEnv || box.passwordFile) delete mailbox.password;
    const start = () =>
      startImapIntake({ mailboxes: [mailbox], pipeline: opts.wrap ? opts.wrap(gw.pipeline) : gw.pipeline, log, metrics, onCommitted: () => gw.relay.notify(), env: opts.env ?? {}, ...(opts.maxMessageBytes ? { maxMessageBytes: opts.maxMessageBytes } : {}) });
    const h: Harness = {
      gw,
      intake: await start(),
      metrics,
      logLines,
      mailbox,
      async restartIntake() {
        await h.intake.close();
        h.intake = await start();
      },
      async events(type, atLeast = 0) {
        const deadline = Date.now() + 30_000;
        for (;;) {
          const all = await gw.events(gw.config.topics.leads);
          const matching = type ? all.filter((e) => e.type === type) : all;
          if (matching.length >= atLeast || Date.now() > deadline) return matching;
          await new Promise((r) => setTimeout(r, 25));
        }
      },
    };
    cleanups.push(() => h.intake.close());
    return h;
  }

  /** True once every message of the folder carries \Seen (and there are `count` of them). */
  const allSeen = (folder: string, count: number, server: Dovecot = dovecot) => async () => {
    const msgs = await server.list(folder);
    return msgs.length === count && msgs.every((m) => m.flags.includes(SEEN)) ? msgs : undefined;
  };

  it('picks a new lead email up through IDLE, publishes a schema-valid event, then flags it \\Seen', async () => {
    const h = await harness({ folder: 'INBOX' });
    expect(h.intake.status()).toEqual([expect.objectContaining({ name: 'test-INBOX', connected: true })]);
    const raw = await leadEmail('truecar-pnc-1.xml');
    const uid = await dovecot.append('INBOX', raw);

    const [event] = await h.events(RECEIVED, 1);
    expectValidEvent(event);
    expect(event.data.raw).toMatchObject({ sha256: sha256(raw), contentType: 'message/rfc822', size: raw.length });
    expect(event.data.source.externalIds).toContainEqual({ source: 'TrueCar Lead ID', id: '1142904505' });
    await waitFor('\\Seen on the message', async () => (await dovecot.list('INBOX')).find((m) => m.uid === uid && m.flags.includes(SEEN)));
    expect(await h.metrics.render()).toMatch(/leadgate_leads_total\{channel="imap",outcome="received"\} 1/);

    // One settled line naming mailbox, uid and inputId; nothing the customer wrote.
    const settled = h.logLines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'imap message settled');
    expect(settled).toEqual([expect.objectContaining({ mailbox: 'test-INBOX', uid, outcome: 'processed', flagged: 'seen', inputId: expect.any(String) })]);
    const pii = ['Firstname', 'Lastname', 'customer02@example.com', '010-0102', '100 Example Ave', 'New lead', 'provider.example'];
    const leaks = h.logLines.filter((l) => pii.some((p) => l.includes(p)));
    expect(leaks).toEqual([]);
  });

  it('moves processed messages to the processed folder, creating it, and reads the password from a file', async () => {
    const pwFile = join(tmpdir(), `leadgate-imap-pw-${process.pid}`);
    writeFileSync(pwFile, `${dovecot.password}\n`);
    cleanups.push(async () => rmSync(pwFile, { force: true }));
    await dovecot.createFolder('move-in');
    const h = await harness({ folder: 'move-in', processedFolder: 'move-done', passwordFile: pwFile });
    expect(await dovecot.folders()).toContain('move-done');
    const raw = await leadEmail('cargurus-1.xml');
    await dovecot.append('move-in', raw);
    const [event] = await h.events(RECEIVED, 1);
    expectValidEvent(event);
    const moved = await waitFor('the message in move-done', async () => {
      const done = await dovecot.list('move-done');
      return done.length === 1 && (await dovecot.list('move-in')).length === 0 ? done : undefined;
    });
    expect(moved[0].messageId).toMatch(/^<lead-/);
  });

  it('catches up on messages that arrived while it was stopped, in UID order', async () => {
    await dovecot.createFolder('catch-up');
    const raws = await Promise.all(LEADS.slice(0, 3).map((f) => leadEmail(f)));
    for (const raw of raws) await dovecot.append('catch-up', raw);
    // One that was already handled before the outage stays alone.
    await dovecot.append('catch-up', await leadEmail('kia-digital-kiacom-testdrive-1.xml'), [SEEN]);

    const h = await harness({ folder: 'catch-up', passwordEnv: 'IMAP_PW' }, { env: { IMAP_PW: dovecot.password } });
    const events = await h.events(undefined, 3);
    expect(events.map((e) => e.type)).toEqual([RECEIVED, RECEIVED, RECEIVED]);
    expect(events.map((e) => e.data.raw.sha256)).toEqual(raws.map(sha256));
    for (const e of events) expectValidEvent(e);
    await waitFor('all four \\Seen', allSeen('catch-up', 4));
    await h.gw.drained();
    expect(await h.events()).toHaveLength(3);
  });

  it('moves a message without a lead to the rejected folder, with a rejected event', async () => {
    await dovecot.createFolder('junk-in');
    const h = await harness({ folder: 'junk-in', processedFolder: 'junk-done', rejectedFolder: 'junk-rejected' });
    const raw = Buffer.from(
      'From: someone@example.org\r\nTo: internet-sales@dealer.example\r\nSubject: Out of office\r\nMessage-ID: <ooo-1@example.org>\r\n' +
        'Auto-Submitted: auto-replied\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThis is an automatic reply. I am out of the office until Monday.\r\n',
    );
    await dovecot.append('junk-in', raw);
    const rejected = await h.gw.events(h.gw.config.topics.rejected, 1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0].type).toBe('com.leadgate.lead.rejected');
    expect(rejected[0].data).toMatchObject({ transport: 'imap', raw: { sha256: sha256(raw) } });
    await waitFor('the message in junk-rejected', async () => (await dovecot.list('junk-rejected')).length === 1 && (await dovecot.list('junk-in')).length === 0);
    expect(await dovecot.list('junk-done')).toEqual([]);
    expect(await h.events()).toEqual([]);
    expect(await h.metrics.render()).toMatch(/leadgate_inputs_rejected_total\{code="[a-z_]+"\} 1/);
  });

  it('sets aside a message too large to read without downloading it', async () => {
    await dovecot.createFolder('big-in');
    const h = await harness({ folder: 'big-in', rejectedFolder: 'big-rejected' }, { maxMessageBytes: 4096 });
    const big = await leadEmail('truecar-pnc-1.xml', { text: `${fixture('truecar-pnc-1.xml')}\n${'x'.repeat(8000)}` });
    await dovecot.append('big-in', big);
    await waitFor('the message in big-rejected', async () => (await dovecot.list('big-rejected')).length === 1);
    expect(await dovecot.list('big-in')).toEqual([]);
    expect(await h.metrics.render()).toMatch(/leadgate_inputs_rejected_total\{code="body_too_large"\} 1/);
    expect(await h.events()).toEqual([]);
    // The refusal is visible in the rejected stream, with the message's headers (not its body) archived.
    await h.gw.drained();
    const rejected = await h.gw.events('leadgate.leads.rejected', 1);
    expect(rejected).toHaveLength(1);
    expectValidEvent(rejected[0]);
    expect(rejected[0].data).toMatchObject({ code: 'body_too_large', transport: 'imap' });
    const headers = Buffer.from(rejected[0].data.raw.base64, 'base64').toString();
    expect(headers).toMatch(/^Message-ID: /im);
    expect(headers).not.toContain('xxxxxxxx');
  });

  it('leaves a message unseen and in place while the store is locked, then commits it exactly once', async () => {
    await dovecot.createFolder('locked');
    const h = await harness({ folder: 'locked' });
    // Another process holding the SQLite write lock: each attempt waits the busy timeout (5 s), then fails as transient.
    const other = new Database(join(h.gw.dataDir, 'leadgate.db'));
    cleanups.push(async () => {
      other.close();
    });
    other.exec('BEGIN EXCLUSIVE');
    const raw = await leadEmail('autotrader-wallet-1.xml');
    const uid = await dovecot.append('locked', raw);
    await waitFor('a store_unavailable failure', () => h.intake.status()[0].lastError === 'store_unavailable');
    expect(await dovecot.list('locked')).toEqual([expect.objectContaining({ uid, flags: [] })]);
    other.exec('ROLLBACK');

    await waitFor('\\Seen after the store is back', allSeen('locked', 1));
    await h.gw.drained();
    const events = await h.events();
    expect(events.map((e) => [e.type, e.data.raw.sha256])).toEqual([[RECEIVED, sha256(raw)]]);
    expect(await h.metrics.render()).toMatch(/leadgate_errors_total\{code="store_unavailable"\} [1-9]/);
    expect(h.intake.status()[0].connected).toBe(true);
  });

  it('reconnects after its session is cut and after the server restarts, and goes on', async () => {
    await dovecot.createFolder('flaky');
    const h = await harness({ folder: 'flaky' });
    await dovecot.append('flaky', await leadEmail(LEADS[0]));
    await h.events(RECEIVED, 1);

    await dovecot.dropConnections();
    await dovecot.append('flaky', await leadEmail(LEADS[1]));
    await h.events(RECEIVED, 2);

    await dovecot.halt();
    await waitFor('the mailbox reported down', () => !h.intake.status()[0].connected);
    await dovecot.restart();
    await dovecot.append('flaky', await leadEmail(LEADS[2]));
    await h.events(RECEIVED, 3);
    await waitFor('all \\Seen', allSeen('flaky', 3));
    await h.gw.drained();
    expect((await h.events()).map((e) => e.type)).toEqual([RECEIVED, RECEIVED, RECEIVED]);
    const states = h.logLines.map((l) => JSON.parse(l)).filter((l) => /imap mailbox (connected|unavailable)/.test(l.msg));
    // State changes only: connected, down, connected, down, connected (not one line per retry).
    expect(states.length).toBeLessThanOrEqual(6);
  });

  it('publishes a message processed twice (crash after commit, before marking) as a duplicate, not a second lead', async () => {
    await dovecot.createFolder('crash');
    const h = await harness({ folder: 'crash' });
    const withId = await leadEmail(LEADS[3]);
    const withoutId = await leadEmail(LEADS[4], { messageId: false });
    expect(withoutId.toString()).not.toMatch(/^Message-ID:/im);
    const uids = [await dovecot.append('crash', withId), await dovecot.append('crash', withoutId)];
    const first = await h.events(RECEIVED, 2);
    await waitFor('both \\Seen', allSeen('crash', 2));

    // The crash: committed, but \Seen never reached the server.
    await h.intake.close();
    for (const uid of uids) await dovecot.removeFlags('crash', uid, [SEEN]);
    await h.restartIntake();

    const dups = await h.events(DUPLICATE, 2);
    await waitFor('both \\Seen again', allSeen('crash', 2));
    await h.gw.drained();
    expect(await h.events(RECEIVED)).toHaveLength(2);
    expect(dups).toHaveLength(2);
    for (const d of dups) expectValidEvent(d);
    expect(dups.map((d) => d.data.duplicateOf).sort()).toEqual(first.map((e) => e.data.leadId).sort());
  });

  /** The real pipeline, with each ingest held until the test lets it go (to act while a message is in flight). */
  function gated() {
    let calls = 0;
    let entered!: () => void;
    const inFlight = new Promise<void>((r) => (entered = r));
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const wrap = (p: Pipeline) =>
      ({
        ingest: async (raw: Parameters<Pipeline['ingest']>[0]) => {
          calls++;
          entered();
          await gate;
          return p.ingest(raw);
        },
      }) as unknown as Pipeline;
    return { wrap, inFlight, open, calls: () => calls };
  }

  it('marks a message whose connection was lost between commit and marking on the next session, without ingesting it again', async () => {
    await dovecot.createFolder('lost');
    const g = gated();
    const h = await harness({ folder: 'lost' }, { wrap: g.wrap });
    const uid = await dovecot.append('lost', await leadEmail(LEADS[2]));
    await g.inFlight;
    await dovecot.dropConnections();
    await waitFor('the mailbox reported down', () => !h.intake.status()[0].connected);
    g.open(); // the commit happens now; marking it fails on the dead connection
    await waitFor('\Seen after reconnecting', allSeen('lost', 1));
    await h.gw.drained();
    expect(g.calls()).toBe(1);
    expect((await h.events()).map((e) => e.type)).toEqual([RECEIVED]);
    expect(h.logLines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'imap message settled')).toEqual([expect.objectContaining({ uid })]);
  });

  it('close() finishes the message in flight (commit and marking) before logging out', async () => {
    await dovecot.createFolder('closing');
    const g = gated();
    const h = await harness({ folder: 'closing' }, { wrap: g.wrap });
    await dovecot.append('closing', await leadEmail(LEADS[3]));
    await g.inFlight;
    const closed = h.intake.close();
    g.open();
    await closed;
    expect(await dovecot.list('closing')).toEqual([expect.objectContaining({ flags: [SEEN] })]);
    expect(h.intake.status()[0].connected).toBe(false);
    expect((await h.events(RECEIVED, 1)).length).toBe(1);
  });

  it('survives a UIDVALIDITY change: rescans by flags, skips nothing, republishes nothing as new', async () => {
    await dovecot.createFolder('migrate');
    // A folder deleted under an IDLE session gets only an untagged NO from Dovecot, and the BYE
    // ("session state is inconsistent") comes with the next command: the safety-net re-scan
    // (pollSeconds) is what notices, so it runs every second here.
    const h = await harness({ folder: 'migrate', pollSeconds: 1 });
    const m1 = await leadEmail(LEADS[0]);
    const m2 = await leadEmail(LEADS[1]);
    await dovecot.append('migrate', m1);
    await dovecot.append('migrate', m2);
    await h.events(RECEIVED, 2);
    await waitFor('both \\Seen', allSeen('migrate', 2));

    // Recreated with the old messages (flags kept) plus a new lead that lands on UID 1 — below
    // every UID already processed, so "UID > last seen" would skip it.
    const m3 = await leadEmail(LEADS[2]);
    const { before, after } = await dovecot.recreate('migrate', { prepend: [m3] });
    expect(after).not.toBe(before);
    expect((await dovecot.list('migrate')).map((m) => m.uid)).toEqual([1, 2, 3]);
    const received = await h.events(RECEIVED, 3);
    expect(received[2].data.raw.sha256).toBe(sha256(m3));
    await waitFor('all three \\Seen', allSeen('migrate', 3));

    // Recreated again and the flags lost on the way: everything is read again, as duplicates only.
    await dovecot.recreate('migrate', { keepFlags: false });
    const dups = await h.events(DUPLICATE, 3);
    await waitFor('all three \\Seen again', allSeen('migrate', 3));
    await h.gw.drained();
    expect(dups).toHaveLength(3);
    expect(await h.events(RECEIVED)).toHaveLength(3);
    expect(h.logLines.some((l) => l.includes('imap uidvalidity changed'))).toBe(true);
  });

  it('polls a server without IDLE every pollSeconds', async () => {
    const noIdle = await startDovecot({ capabilities: 'IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE SORT UIDPLUS MOVE NAMESPACE CHILDREN AUTH=PLAIN AUTH=LOGIN' });
    cleanups.push(() => noIdle.stop());
    const h = await harness({ folder: 'INBOX', pollSeconds: 1 }, { server: noIdle });
    expect(h.logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'imap mailbox connected')).toMatchObject({ idle: false });
    await noIdle.append('INBOX', await leadEmail(LEADS[0]));
    const [event] = await h.events(RECEIVED, 1);
    expectValidEvent(event);
    await waitFor('\\Seen', allSeen('INBOX', 1, noIdle));
  });

  it('uses STARTTLS, accepting a self-signed certificate only when allowed', async () => {
    const tls = await startDovecot({ tls: true });
    cleanups.push(() => tls.stop());
    const strict = await harness({ folder: 'INBOX' }, { server: tls });
    await waitFor('a certificate error', () => strict.intake.status()[0].lastError);
    expect(strict.intake.status()[0]).toMatchObject({ connected: false, lastError: expect.stringMatching(/CERT|SELF_SIGNED|certificate/i) });
    await strict.intake.close();

    const lenient = await harness({ folder: 'INBOX', allowSelfSigned: true }, { server: tls });
    expect(lenient.intake.status()[0].connected).toBe(true);
    await tls.append('INBOX', await leadEmail(LEADS[0]));
    await lenient.events(RECEIVED, 1);
    await waitFor('\\Seen', allSeen('INBOX', 1, tls));
  });

  it('names the dealer of the mailbox on every lead', async () => {
    await dovecot.createFolder('dealer');
    const h = await harness({ folder: 'dealer', dealer: 'mvk' }, { gateway: { dealers: [{ id: 'mvk', name: 'Mission Viejo Kia' }] } });
    await dovecot.append('dealer', await leadEmail(LEADS[1]));
    const [event] = await h.events(RECEIVED, 1);
    expect(event.data.dealer).toEqual({ id: 'mvk', name: 'Mission Viejo Kia' });
  });
});

describe('IMAP error mapping', () => {
  const flagged = {};
  const moving = { processedFolder: 'Leads/Done', rejectedFolder: 'Leads/Rejected' };
  it('settles committed and invalid inputs, and leaves transient failures and bugs for a later pass', () => {
    expect(imapAction({}, flagged)).toEqual({ do: 'seen', outcome: 'processed' });
    expect(imapAction({}, moving)).toEqual({ do: 'move', folder: 'Leads/Done', outcome: 'processed' });
    expect(imapAction({ error: new LeadgateError('not_a_lead') }, flagged)).toEqual({ do: 'seen', outcome: 'rejected', code: 'not_a_lead' });
    expect(imapAction({ error: new LeadgateError('no_customer_contact') }, moving)).toEqual({ do: 'move', folder: 'Leads/Rejected', outcome: 'rejected', code: 'no_customer_contact' });
    expect(imapAction({ error: new LeadgateError('store_unavailable') }, moving)).toEqual({ do: 'leave', code: 'store_unavailable', pauseMailbox: true });
    expect(imapAction({ error: new Error('boom') }, moving)).toEqual({ do: 'leave', code: 'internal_error', pauseMailbox: false });
  });
  it('writes UID lists as compact sequence sets', () => {
    expect(uidSet([1, 2, 3, 5, 7, 8])).toBe('1:3,5,7:8');
    expect(uidSet([42])).toBe('42');
  });
});

// The IMAP transport (imapflow): watches dealer mailboxes with IDLE (polling where the server has none), ingests each message, and marks it processed only after the pipeline committed it; the one place that maps errors to IMAP behaviour.
//
// Delivery guarantees, in short:
// - A message is marked (moved to processedFolder, or flagged \Seen) only after Pipeline.ingest
//   resolved, i.e. after its input and events are durable (architecture §2). Fetches use
//   BODY.PEEK, so reading never sets \Seen by itself.
// - "Unprocessed" is decided by the server's state, never by "UID > last seen": unseen messages
//   (or, when both processed and rejected messages are moved away, every message in the folder).
//   So a catch-up after downtime, a reconnect, or a UIDVALIDITY change (folder recreated,
//   server migrated: all UIDs renumbered) re-scans by flags and skips nothing.
// - A crash between commit and marking makes the next pass ingest the same message again. The
//   pipeline recognises it (idempotency key msgid:<Message-ID>, else the sha256 of the raw
//   bytes) and publishes a lead.duplicate, never a second lead.received. Within one process a
//   lost connection between commit and marking does not even cost that: the committed
//   (UIDVALIDITY, UID) is remembered and only marked on the next pass. No state of our own is
//   kept in the store: the Message-ID/bytes dedup already covers restarts, and a UID table
//   would be wrong after every UIDVALIDITY change anyway.
// - Logs carry the mailbox name, UID, inputId and outcome code only; never subjects, addresses
//   or bodies (imapflow's own logger is off: it would log protocol lines).
import { readFileSync } from 'node:fs';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import pRetry from 'p-retry';
import type { ImapMailboxConfig } from '../config.js';
import { LeadgateError, toLeadgateError, type ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { IngestResult, Pipeline } from '../pipeline/index.js';
import type { Store } from '../store.js';

/** Messages larger than this are not downloaded (a lead email is a few KiB; attachments rarely exceed a few MiB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

export interface ImapIntakeOptions {
  mailboxes: ImapMailboxConfig[];
  pipeline: Pipeline;
  /** Not used: dedup by Message-ID / raw bytes in the pipeline replaces a (mailbox, UIDVALIDITY, UID) table. */
  store?: Store;
  log: Logger;
  metrics: Metrics;
  /** Called after every commit (lead or rejection), so the relay publishes at once. */
  onCommitted?: () => void;
  /** Where passwordEnv is looked up (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Larger messages are not fetched; they are set aside like a message without a lead (default 25 MiB). */
  maxMessageBytes?: number;
}

export interface ImapMailboxStatus {
  name: string;
  connected: boolean;
  /** Last time the server answered a scan or pushed a change (ISO UTC). */
  lastSeenAt?: string;
  /** Last connection or intake problem, as a short code (never message content). */
  lastError?: string;
}

export interface ImapIntake {
  /** Stop idling and polling, finish the message in flight, log out. */
  close(): Promise<void>;
  status(): ImapMailboxStatus[];
}

// ---------------------------------------------------------------------------------------------
// The one place that maps intake outcomes to IMAP behaviour.

/**
 * What to do with a message after an ingest attempt:
 * - `move` / `seen`: it is settled (committed lead, or no lead and already in the rejected stream);
 * - `leave`: untouched (unseen, in place) for a later pass. `pauseMailbox` (transient: the store is
 *   unavailable) backs off the whole mailbox, since every other message would fail the same way;
 *   otherwise (a bug) only this message is retried later, so one poison message blocks nothing.
 */
export type ImapAction =
  | { do: 'move'; folder: string; outcome: 'processed' | 'rejected'; code?: ErrorCode }
  | { do: 'seen'; outcome: 'processed' | 'rejected'; code?: ErrorCode }
  | { do: 'leave'; code: ErrorCode; pauseMailbox: boolean };

export function imapAction(result: { error?: unknown }, mailbox: Pick<ImapMailboxConfig, 'processedFolder' | 'rejectedFolder'>): ImapAction {
  if (result.error === undefined) {
    return mailbox.processedFolder ? { do: 'move', folder: mailbox.processedFolder, outcome: 'processed' } : { do: 'seen', outcome: 'processed' };
  }
  const e = toLeadgateError(result.error);
  switch (e.kind) {
    case 'invalid':
      return mailbox.rejectedFolder ? { do: 'move', folder: mailbox.rejectedFolder, outcome: 'rejected', code: e.code } : { do: 'seen', outcome: 'rejected', code: e.code };
    case 'transient':
      return { do: 'leave', code: e.code, pauseMailbox: true };
    case 'bug':
      return { do: 'leave', code: e.code, pauseMailbox: false };
  }
}

/**
 * Which messages still need processing. Only when both settled outcomes move messages away is
 * everything in the folder unprocessed (a message a person already opened is still a lead);
 * otherwise settled messages stay behind flagged \Seen, so "unprocessed" means unseen.
 */
function unprocessedQuery(mailbox: ImapMailboxConfig): { seen?: boolean; deleted: boolean } {
  return mailbox.processedFolder && mailbox.rejectedFolder ? { deleted: false } : { seen: false, deleted: false };
}

// ---------------------------------------------------------------------------------------------

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 60_000;
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 60_000;
/** A session shorter than this counts as a failed connect for back-off (a server that accepts, then drops at once). */
const SHORT_SESSION_MS = 10_000;
/** How long close() waits for the message in flight. */
const CLOSE_WAIT_MS = 15_000;
/** Remembered (UIDVALIDITY, UID) of committed-but-unmarked messages; bounded, the dedup is the real guarantee. */
const MAX_REMEMBERED = 10_000;

/** Wait, or stop waiting as soon as the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function backoffMs(attempt: number, min: number, max: number): number {
  return Math.min(max, Math.round(min * 2 ** attempt * (1 + Math.random())));
}

/** A short, content-free description of a connection error for logs and status. */
function errorCode(err: unknown): string {
  if (err instanceof LeadgateError) return err.code;
  const e = err as { authenticationFailed?: boolean; code?: unknown; serverResponseCode?: unknown; message?: unknown };
  if (e?.authenticationFailed) return 'authentication_failed';
  if (typeof e?.serverResponseCode === 'string') return e.serverResponseCode;
  if (typeof e?.code === 'string') return e.code;
  return typeof e?.message === 'string' ? e.message.slice(0, 120) : 'unknown_error';
}

/** Sorted UIDs as a compact IMAP sequence set ("3:7,9,12:13"), so a large catch-up stays one short command. */
export function uidSet(uids: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < uids.length; ) {
    let j = i;
    while (j + 1 < uids.length && uids[j + 1] === uids[j] + 1) j++;
    parts.push(i === j ? String(uids[i]) : `${uids[i]}:${uids[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function readPassword(m: ImapMailboxConfig, env: NodeJS.ProcessEnv): string {
  if (m.password !== undefined) return m.password;
  if (m.passwordEnv) {
    const v = env[m.passwordEnv];
    if (!v) throw new Error(`password_env_unset`);
    return v;
  }
  if (m.passwordFile) {
    try {
      return readFileSync(m.passwordFile, 'utf8').trim();
    } catch {
      throw new Error('password_file_unreadable');
    }
  }
  throw new Error('password_missing');
}

type Deps = Required<Pick<ImapIntakeOptions, 'pipeline' | 'log' | 'metrics'>> & Pick<ImapIntakeOptions, 'onCommitted'> & { env: NodeJS.ProcessEnv; maxMessageBytes: number };

/** One mailbox: a connect/reconnect loop around sessions; each session idles (or polls) and scans. */
class MailboxWorker {
  private client: ImapFlow | undefined;
  /** The client of a connect attempt in progress (closed by close()). */
  private connecting: ImapFlow | undefined;
  private connected = false;
  private lastSeenAt: string | undefined;
  private lastError: string | undefined;
  /** Why the current connection ended (set by imapflow errors and failed scans). */
  private connError: string | undefined;
  private loggedState = '';
  private closing = false;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private firstAttempt!: Promise<void>;
  private firstAttemptDone: () => void = () => undefined;

  // Scanning (one at a time per mailbox).
  private scanning: Promise<void> | undefined;
  private scanWanted = false;
  private reselectWanted = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryAt = 0;

  // Back-off of intake problems.
  private pausedUntil = 0;
  private pauseAttempts = 0;
  private readonly deferred = new Map<string, { attempts: number; notBefore: number }>();
  /** Committed (or rejected) but not yet marked on the server: settle without ingesting again. */
  private readonly committed = new Map<string, Exclude<ImapAction, { do: 'leave' }>>();
  private uidValidity: bigint | undefined;

  constructor(
    private readonly mailbox: ImapMailboxConfig,
    private readonly deps: Deps,
  ) {
    this.firstAttempt = new Promise((r) => (this.firstAttemptDone = r));
  }

  start(): Promise<void> {
    this.loop = this.run();
    return this.firstAttempt;
  }

  status(): ImapMailboxStatus {
    return {
      name: this.mailbox.name,
      connected: this.connected,
      ...(this.lastSeenAt ? { lastSeenAt: this.lastSeenAt } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  async close(): Promise<void> {
    this.closing = true;
    this.abort.abort(new Error('closing'));
    this.connecting?.close();
    this.clearTimers();
    // Let the message in flight finish: its commit must be followed by its marking. Bounded, in
    // case the server or the store stopped answering (then the next start re-ingests it, and the
    // pipeline reports a duplicate).
    const deadline = Date.now() + CLOSE_WAIT_MS;
    const until = (p: Promise<unknown> | undefined) =>
      p && Promise.race([p.catch(() => undefined), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())).unref())]);
    await until(this.scanning);
    const client = this.client;
    if (client?.usable) await until(client.logout());
    client?.close();
    this.connected = false;
    await until(this.loop);
  }

  private get fields() {
    return { mailbox: this.mailbox.name };
  }

  /** Log connection state changes only, not every retry. */
  private setState(connected: boolean, error?: string): void {
    this.connected = connected;
    if (connected) this.lastError = undefined;
    if (error) this.lastError = error;
    const state = connected ? 'connected' : `down:${error ?? ''}`;
    if (state === this.loggedState) return;
    this.loggedState = state;
    if (connected) {
      this.deps.log.info({ ...this.fields, idle: this.client?.capabilities.has('IDLE') ?? false, uidValidity: String(this.uidValidity) }, 'imap mailbox connected');
    } else if (!this.closing) {
      this.deps.log.warn({ ...this.fields, code: error }, 'imap mailbox unavailable; reconnecting with back-off');
    }
  }

  private clearTimers(): void {
    clearInterval(this.pollTimer);
    clearTimeout(this.retryTimer);
    this.pollTimer = undefined;
    this.retryTimer = undefined;
    this.retryAt = 0;
  }

  private async run(): Promise<void> {
    let shortSessions = 0;
    while (!this.closing) {
      let conn: { client: ImapFlow; closed: Promise<void> };
      try {
        conn = await pRetry(() => this.connect(), {
          retries: Infinity,
          factor: 2,
          minTimeout: RECONNECT_MIN_MS,
          maxTimeout: RECONNECT_MAX_MS,
          randomize: true,
          signal: this.abort.signal,
          onFailedAttempt: ({ error }) => {
            this.setState(false, errorCode(error));
            this.firstAttemptDone();
          },
        });
      } catch {
        break; // aborted by close()
      }
      if (this.closing) {
        conn.client.close();
        break;
      }
      const started = Date.now();
      await this.session(conn.client, conn.closed);
      if (this.closing) break;
      // A server that accepts and then drops us at once must not be hammered either.
      shortSessions = Date.now() - started < SHORT_SESSION_MS ? shortSessions + 1 : 0;
      if (shortSessions > 0) await sleep(backoffMs(shortSessions - 1, RECONNECT_MIN_MS, RECONNECT_MAX_MS), this.abort.signal);
    }
    this.connected = false;
    this.firstAttemptDone();
  }

  /** Connect, log in, make sure the target folders exist and open the watched one. */
  private async connect(): Promise<{ client: ImapFlow; closed: Promise<void> }> {
    const m = this.mailbox;
    const options: ImapFlowOptions = {
      host: m.host,
      port: m.port,
      secure: m.secure,
      auth: { user: m.user, pass: readPassword(m, this.deps.env) },
      ...(m.allowSelfSigned ? { tls: { rejectUnauthorized: false } } : {}),
      logger: false,
      clientInfo: { name: 'leadgate' },
      // IDLE starts as soon as a scan releases the mailbox (scans hold the mailbox lock, so IDLE
      // never slips in between fetch, ingest and marking), and is renewed every 4 minutes: under
      // imapflow's 5-minute socket timeout on quiet servers, and RFC 2177's 29 minutes. Without
      // IDLE imapflow sends a NOOP at that interval; the scans every pollSeconds do the polling.
      autoIdleDelay: 50,
      maxIdleTime: 4 * 60_000,
      connectionTimeout: 30_000,
    };
    const client = new ImapFlow(options);
    this.connecting = client;
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    // imapflow emits 'error' for problems it cannot hand to a caller; the 'close' that follows drives reconnecting.
    client.on('error', (err: Error) => {
      this.connError = errorCode(err);
    });
    try {
      await client.connect();
      for (const folder of [m.processedFolder, m.rejectedFolder]) {
        if (folder) await this.ensureFolder(client, folder);
      }
      const box = await client.mailboxOpen(m.folder);
      this.noteUidValidity(box.uidValidity);
      if (this.closing) throw new Error('closing');
      return { client, closed };
    } catch (err) {
      client.close();
      // p-retry gives up at once on a TypeError; every connect failure here is worth retrying.
      throw err instanceof TypeError ? new Error(err.message) : err;
    } finally {
      this.connecting = undefined;
    }
  }

  /**
   * A new UIDVALIDITY means every UID was renumbered (folder recreated, server migrated): forget
   * what was keyed by the old ones. Nothing depends on UIDs being comparable: unprocessed
   * messages are found by their flags, and the pipeline's dedup turns re-ingests into duplicates.
   */
  private noteUidValidity(validity: bigint): void {
    if (this.uidValidity !== undefined && validity !== this.uidValidity) {
      this.deps.log.info({ ...this.fields, before: String(this.uidValidity), after: String(validity) }, 'imap uidvalidity changed; rescanning by flags');
      this.committed.clear();
      this.deferred.clear();
    }
    this.uidValidity = validity;
  }

  private async ensureFolder(client: ImapFlow, folder: string): Promise<void> {
    const existing = await client.list();
    if (existing.some((f) => f.path === folder)) return;
    try {
      await client.mailboxCreate(folder);
      this.deps.log.info({ ...this.fields, folder }, 'imap folder created');
    } catch (err) {
      // Created meanwhile by someone else: fine.
      if (!(await client.list()).some((f) => f.path === folder)) throw err;
    }
  }

  /** One connected session: scan now, then on every new message, every pollSeconds and after back-offs; resolves when the connection closes. */
  private async session(client: ImapFlow, closed: Promise<void>): Promise<void> {
    this.client = client;
    this.connError = undefined;
    client.on('exists', (data: { count: number; prevCount: number }) => {
      this.lastSeenAt = new Date().toISOString();
      if (data.count > data.prevCount) this.requestScan();
    });
    this.lastSeenAt = new Date().toISOString();
    this.setState(true);
    this.firstAttemptDone();
    // With IDLE this is the safety net; without it, the polling itself. It selects the folder
    // afresh: a session whose folder was deleted and recreated under it (UIDVALIDITY change) may
    // otherwise keep searching its stale view — Dovecot only sends an untagged NO during IDLE.
    this.pollTimer = setInterval(() => {
      this.reselectWanted = true;
      this.requestScan();
    }, this.mailbox.pollSeconds * 1000);
    this.pollTimer.unref();
    this.requestScan();
    await closed;
    this.clearTimers();
    if (!this.closing) this.setState(false, this.connError ?? 'connection_closed');
    // A scan still in flight (an ingest outlives its connection) finishes before the next
    // session starts, so two passes never work on the same message.
    await this.scanning?.catch(() => undefined);
    this.client = undefined;
  }

  private requestScan(): void {
    if (this.closing || !this.client) return;
    this.scanWanted = true;
    if (this.scanning) return;
    this.scanning = this.scanLoop().finally(() => {
      this.scanning = undefined;
    });
  }

  private scheduleRetry(at: number): void {
    if (this.closing) return;
    if (this.retryTimer && this.retryAt <= at) return;
    clearTimeout(this.retryTimer);
    this.retryAt = at;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.retryAt = 0;
      this.requestScan();
    }, Math.max(0, at - Date.now()));
    this.retryTimer.unref();
  }

  private async scanLoop(): Promise<void> {
    while (this.scanWanted && !this.closing && this.client) {
      this.scanWanted = false;
      if (Date.now() < this.pausedUntil) {
        this.scheduleRetry(this.pausedUntil);
        return;
      }
      const client = this.client;
      try {
        await this.scan(client);
        this.lastSeenAt = new Date().toISOString();
        this.deps.metrics.imapPolled(this.mailbox.name);
      } catch (err) {
        // A failed IMAP command means the session is unusable or confused: start over on a fresh connection.
        this.connError = errorCode(err);
        this.deps.log.debug({ ...this.fields, code: this.connError }, 'imap scan failed; reconnecting');
        client.close();
        return;
      }
    }
  }

  /** Process every unprocessed message of the folder in UID order. */
  private async scan(client: ImapFlow): Promise<void> {
    const lock = await client.getMailboxLock(this.mailbox.folder);
    try {
      if (this.reselectWanted) {
        this.reselectWanted = false;
        await client.mailboxOpen(this.mailbox.folder);
      }
      const validity = client.mailbox ? client.mailbox.uidValidity : undefined;
      if (validity === undefined) throw new Error('mailbox_not_selected');
      this.noteUidValidity(validity);
      const found = await client.search(unprocessedQuery(this.mailbox), { uid: true });
      if (!Array.isArray(found)) throw new Error('search_failed');
      const uids = found.sort((a, b) => a - b);
      if (uids.length === 0) return;
      // Sizes first, in one command: an oversized message is never downloaded.
      const sizes = new Map<number, number>();
      for await (const msg of client.fetch(uidSet(uids), { uid: true, size: true }, { uid: true })) {
        if (msg.size !== undefined) sizes.set(msg.uid, msg.size);
      }
      for (const uid of uids) {
        if (this.closing) return;
        if (!sizes.has(uid)) continue; // expunged meanwhile
        const key = `${validity}:${uid}`;
        const deferred = this.deferred.get(key);
        if (deferred && Date.now() < deferred.notBefore) {
          this.scheduleRetry(deferred.notBefore);
          continue;
        }
        const stop = await this.processMessage(client, uid, key, sizes.get(uid)!);
        if (stop) return;
      }
    } finally {
      lock.release();
    }
  }

  /** Ingest one message and settle it on the server; true when the mailbox must back off (transient). */
  private async processMessage(client: ImapFlow, uid: number, key: string, size: number): Promise<boolean> {
    const { log, metrics, pipeline } = this.deps;
    let settled = this.committed.get(key);
    let inputId: string | undefined;
    if (!settled) {
      let result: IngestResult | undefined;
      let error: unknown;
      /** When the server received the message (IMAP lag) and when we took it (commit latency). */
      let internalDate: Date | string | undefined;
      let receivedAt = '';
      if (size > this.deps.maxMessageBytes) {
        // Not downloaded: its headers and the reason go to the rejected stream, the message itself to the rejected folder.
        const tooLarge = new LeadgateError('body_too_large', `messages over ${this.deps.maxMessageBytes} bytes are not read`);
        error = tooLarge;
        try {
          const head = await client.fetchOne(String(uid), { uid: true, headers: true }, { uid: true });
          await pipeline.recordRejection(
            {
              bytes: head && head.headers ? head.headers : Buffer.alloc(0),
              contentType: 'text/rfc822-headers',
              transport: 'imap',
              receivedAt: new Date().toISOString(),
              ...(this.mailbox.dealer ? { dealerId: this.mailbox.dealer } : {}),
            },
            tooLarge,
          );
        } catch (err) {
          // Could not record the refusal (store down): leave the message for the next pass.
          error = err;
        }
      } else {
        const msg = await client.fetchOne(String(uid), { uid: true, source: true, internalDate: true }, { uid: true });
        if (!msg || !msg.source) return false; // expunged meanwhile
        internalDate = msg.internalDate;
        receivedAt = new Date().toISOString();
        try {
          result = await pipeline.ingest({
            bytes: msg.source,
            contentType: 'message/rfc822',
            transport: 'imap',
            receivedAt,
            ...(this.mailbox.dealer ? { dealerId: this.mailbox.dealer } : {}),
          });
        } catch (err) {
          error = err;
        }
      }
      const action = imapAction(error === undefined ? {} : { error }, this.mailbox);
      inputId = result?.inputId;
      if (action.do === 'leave') return this.holdBack(uid, key, action);
      settled = action;
      // Settled: the lead (or the rejection) is durable from here on.
      if (result) {
        metrics.committed('imap', { receivedAt }, result);
        metrics.imapCommitted(this.mailbox.name, internalDate);
        this.deps.onCommitted?.();
      } else if (action.code) {
        metrics.rejectedInput(action.code, this.mailbox.dealer ? { dealerId: this.mailbox.dealer } : undefined);
        this.deps.onCommitted?.();
      }
      if (this.pauseAttempts > 0) log.info({ ...this.fields }, 'imap intake resumed');
      this.pauseAttempts = 0;
      this.lastError = undefined;
      this.deferred.delete(key);
      if (this.committed.size >= MAX_REMEMBERED) this.committed.clear();
      this.committed.set(key, action);
    }
    const action = settled;
    // A failure here (connection lost) leaves the key in `committed`: the next pass only marks it.
    const marked =
      action.do === 'move'
        ? await client.messageMove(String(uid), action.folder, { uid: true })
        : await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
    if (!marked) throw new Error(action.do === 'move' ? 'move_failed' : 'store_flags_failed');
    this.committed.delete(key);
    log.info(
      {
        ...this.fields,
        uid,
        ...(inputId ? { inputId } : {}),
        outcome: action.outcome,
        ...(action.code ? { code: action.code } : {}),
        ...(action.do === 'move' ? { movedTo: action.folder } : { flagged: 'seen' }),
      },
      'imap message settled',
    );
    return false;
  }

  private holdBack(uid: number, key: string, action: Extract<ImapAction, { do: 'leave' }>): boolean {
    const { log, metrics } = this.deps;
    metrics.errors.inc({ code: action.code });
    this.lastError = action.code;
    if (action.pauseMailbox) {
      const delay = backoffMs(this.pauseAttempts, RETRY_MIN_MS, RETRY_MAX_MS);
      // First failure of a streak at warn, the retries at debug: no log spam while the store is down.
      log[this.pauseAttempts === 0 ? 'warn' : 'debug']({ ...this.fields, uid, code: action.code, retryInMs: delay }, 'imap message left unseen; backing off');
      this.pauseAttempts++;
      this.pausedUntil = Date.now() + delay;
      this.scheduleRetry(this.pausedUntil);
      return true;
    }
    const prev = this.deferred.get(key);
    const attempts = (prev?.attempts ?? 0) + 1;
    const delay = backoffMs(attempts - 1, RETRY_MIN_MS, Math.max(RETRY_MIN_MS, this.mailbox.pollSeconds * 1000));
    log[attempts === 1 ? 'error' : 'debug']({ ...this.fields, uid, code: action.code, attempts, retryInMs: delay }, 'imap message failed; left unseen for a later pass');
    this.deferred.set(key, { attempts, notBefore: Date.now() + delay });
    this.scheduleRetry(Date.now() + delay);
    return false;
  }
}

/** Start watching every configured mailbox; resolves once each has connected or failed its first attempt (it keeps retrying). */
export async function startImapIntake(opts: ImapIntakeOptions): Promise<ImapIntake> {
  const deps: Deps = {
    pipeline: opts.pipeline,
    log: opts.log,
    metrics: opts.metrics,
    onCommitted: opts.onCommitted,
    env: opts.env ?? process.env,
    maxMessageBytes: opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
  };
  const workers = opts.mailboxes.map((m) => new MailboxWorker(m, deps));
  await Promise.all(workers.map((w) => w.start()));
  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= Promise.all(workers.map((w) => w.close())).then(() => undefined);
      return closing;
    },
    status: () => workers.map((w) => w.status()),
  };
}

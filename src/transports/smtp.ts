// The SMTP transport (smtp-server): receives forwarded lead mail for configured addresses only, answers 250 only after the commit; the one place that maps errors to SMTP.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { isLoopback, type SmtpConfig } from '../config.js';
import { LeadgateError, toLeadgateError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { IngestResult, Pipeline } from '../pipeline/index.js';

export interface SmtpReceiverOptions {
  config: SmtpConfig;
  /** Configured dealer ids: a recipient's local part names a dealer only when it is one of these. */
  dealerIds: Iterable<string>;
  pipeline: Pipeline;
  log: Logger;
  metrics: Metrics;
  /** Called after every commit (lead or rejected input), so the relay publishes at once. */
  onCommitted?: () => void;
}

export interface SmtpReceiver {
  port: number;
  /** Stop accepting, let messages being committed finish (bounded), then drop the connections. */
  close(): Promise<void>;
}

/** A recipient we accept, and the dealer it names (none: the lead itself says). */
export interface Route {
  dealerId?: string;
}

/** An SMTP reply: basic code and text (the text starts with the RFC 3463 enhanced code). */
export interface SmtpReply {
  code: number;
  text: string;
}

/** Idle time allowed while the client owes us input (smtp-server does not count time we spend committing). */
const SOCKET_TIMEOUT_MS = 120_000;
/** How long close() waits for messages being received or committed before it drops connections. */
const CLOSE_GRACE_MS = 10_000;
/** Every connection may hold one message of up to maxMessageBytes in memory: this bounds the total. */
const MAX_CLIENTS = 50;
/** A forwarding rule or provider addresses a handful of mailboxes, never hundreds. */
const MAX_RECIPIENTS = 50;

/** `leads+<dealerId>` is the documented form; the bare `<dealerId>` local part works too. */
const SUBADDRESS = /^leads\+(.+)$/i;

/**
 * Decide who a recipient is for: an exact configured address (its dealer), an address at an accepted
 * domain (`leads+<dealerId>@` or `<dealerId>@` when that id is configured, else no dealer), or null:
 * refused, so we are never an open relay.
 */
export function recipientRouter(config: Pick<SmtpConfig, 'domains' | 'addresses'>, dealerIds: Iterable<string>): (address: string) => Route | null {
  const exact = new Map(config.addresses.map((a) => [a.address.trim().toLowerCase(), a.dealer]));
  const domains = new Set(config.domains.map((d) => d.trim().toLowerCase().replace(/\.$/, '')));
  const ids = new Set<string>();
  const idsLower = new Map<string, string>();
  for (const id of dealerIds) {
    ids.add(id);
    if (!idsLower.has(id.toLowerCase())) idsLower.set(id.toLowerCase(), id);
  }
  return (address) => {
    const addr = address.trim();
    const hit = exact.get(addr.toLowerCase());
    if (hit) return { dealerId: hit };
    const at = addr.lastIndexOf('@');
    if (at <= 0) return null;
    const domain = addr.slice(at + 1).toLowerCase().replace(/\.$/, '');
    if (!domains.has(domain)) return null;
    const local = addr.slice(0, at);
    const candidate = SUBADDRESS.exec(local)?.[1] ?? local;
    const dealerId = ids.has(candidate) ? candidate : idsLower.get(candidate.toLowerCase());
    return dealerId ? { dealerId } : {};
  };
}

/**
 * The dealers one message is ingested for. Recipients that name dealers win: the message is ingested
 * once per distinct named dealer (a provider copying two rooftops sends one mail). Only when no
 * recipient names a dealer is it ingested once, with the dealer taken from the lead.
 */
export function dealersOf(routes: Route[]): Array<string | undefined> {
  const named = [...new Set(routes.map((r) => r.dealerId).filter((d): d is string => d !== undefined))];
  return named.length ? named : [undefined];
}

/**
 * The one place that maps leadgate errors to SMTP. A message that holds no lead is still accepted:
 * it is already kept in the rejected stream with its reason, and a bounce would reach the customer or
 * the provider instead of the dealer. Store trouble and our own bugs are temporary (451): the sending
 * server keeps the mail and retries, so nothing is lost.
 */
export function replyFor(err: LeadgateError, limitBytes?: number): SmtpReply {
  if (err.code === 'body_too_large') return { code: 552, text: `5.3.4 Message too big for leadgate${limitBytes ? ` (limit ${limitBytes} bytes)` : ''}` };
  switch (err.kind) {
    case 'invalid':
      return { code: 250, text: `2.0.0 Accepted; no lead found (${err.code}), kept for review` };
    case 'transient':
      return { code: 451, text: '4.3.0 Lead store temporarily unavailable, try again later' };
    case 'bug':
      return { code: 451, text: '4.3.0 Temporary local problem, try again later' };
  }
}

/** 250 text for committed leads: the input id(s) an operator can look up, and how many leads. */
function queuedReply(results: IngestResult[]): SmtpReply {
  const n = results.reduce((sum, r) => sum + r.leads.length, 0);
  return { code: 250, text: `2.0.0 queued as ${results.map((r) => r.inputId).join(',')} (${n} lead${n === 1 ? '' : 's'})` };
}

function smtpError(reply: SmtpReply): Error & { responseCode: number } {
  return Object.assign(new Error(reply.text), { responseCode: reply.code });
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Compare against every user, always all of them, in constant time per comparison. */
function credentialsChecker(users: Array<{ username: string; password: string }>): (username: string, password: string) => boolean {
  const known = users.map((u) => ({ user: digest(u.username), pass: digest(u.password) }));
  return (username, password) => {
    const user = digest(username);
    const pass = digest(password);
    let ok = 0;
    for (const k of known) ok |= Number(timingSafeEqual(user, k.user)) & Number(timingSafeEqual(pass, k.pass));
    return ok === 1;
  };
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`smtp.tls.${what}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

export async function startSmtpReceiver(opts: SmtpReceiverOptions): Promise<SmtpReceiver> {
  const { config, pipeline, log, metrics } = opts;
  const route = recipientRouter(config, opts.dealerIds);
  const inflight = new Set<Promise<void>>();
  const auth = config.auth;
  const checkCredentials = auth ? credentialsChecker(auth.users) : undefined;

  /** Read DATA (bounded), commit it for each dealer, and decide the one reply. */
  const receive = async (stream: SMTPServerDataStream, session: SMTPServerSession): Promise<SmtpReply> => {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        size += chunk.length;
        // Past the limit, keep reading (the client is still sending) but stop keeping.
        if (size <= config.maxMessageBytes) chunks.push(chunk);
      }
    } catch {
      // The client went away mid-message; handled below.
    }
    const base = { transport: 'smtp', session: session.id, size, tls: session.secure };
    if (!stream.readableEnded) {
      // Never ingest part of a message: without our 250 the sender still holds it and retries.
      log.info({ ...base, code: 'connection_lost' }, 'smtp message not received in full');
      return { code: 451, text: '4.4.2 Connection lost before the end of the message' };
    }
    if (size > config.maxMessageBytes || stream.sizeExceeded) {
      metrics.rejected.inc({ code: 'body_too_large' });
      log.info({ ...base, code: 'body_too_large', limit: config.maxMessageBytes }, 'smtp message refused');
      return replyFor(new LeadgateError('body_too_large'), config.maxMessageBytes);
    }

    const bytes = Buffer.concat(chunks, size);
    const receivedAt = new Date().toISOString();
    const routes = session.envelope.rcptTo.map((r) => route(r.address)).filter((r): r is Route => r !== null);
    const results: IngestResult[] = [];
    for (const dealerId of dealersOf(routes)) {
      try {
        const result = await pipeline.ingest({ bytes, contentType: 'message/rfc822', transport: 'smtp', receivedAt, ...(dealerId ? { dealerId } : {}) });
        opts.onCommitted?.();
        metrics.committed('smtp', { receivedAt }, result);
        results.push(result);
      } catch (err) {
        const e = toLeadgateError(err);
        const fields = { ...base, inputIds: results.map((r) => r.inputId), dealer: dealerId, code: e.code };
        if (e.kind === 'invalid') {
          // Already archived with its reason in the rejected stream; the same bytes hold no lead for any other dealer either.
          metrics.rejectedInput(e.code, dealerId ? { dealerId } : undefined);
          opts.onCommitted?.();
          log.info(fields, 'smtp message accepted without a lead');
          return results.length ? queuedReply(results) : replyFor(e);
        }
        metrics.errors.inc({ code: e.code });
        // Leads committed for an earlier dealer of this message come back as duplicates on the sender's retry.
        if (e.kind === 'bug') log.error({ ...fields, err: e.cause instanceof Error ? e.cause.stack : String(e.cause) }, 'smtp message failed');
        else log.warn(fields, 'smtp message deferred');
        return replyFor(e);
      }
    }
    log.info(
      {
        ...base,
        inputIds: results.map((r) => r.inputId),
        dealers: [...new Set(results.flatMap((r) => r.published.map((l) => l.dealer.id)))],
        outcomes: results.flatMap((r) => r.leads.map((l) => l.outcome)),
      },
      'smtp message accepted',
    );
    return queuedReply(results);
  };

  const disabled: string[] = [];
  if (!auth) disabled.push('AUTH');
  if (!config.tls) disabled.push('STARTTLS');

  const options: SMTPServerOptions = {
    name: config.hostname,
    banner: 'leadgate lead intake',
    logger: false,
    secure: false,
    ...(config.tls ? { key: readPem(config.tls.key, 'key'), cert: readPem(config.tls.cert, 'cert'), minVersion: 'TLSv1.2' as const } : {}),
    size: config.maxMessageBytes,
    disabledCommands: disabled,
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: !auth?.required,
    authRequiredMessage: '5.7.0 Authentication required',
    // We write the enhanced code into every reply we own (e.g. 5.7.1 for relay denied, which the
    // library's automatic mapping would turn into 5.1.1), so its automatic codes are off.
    hideENHANCEDSTATUSCODES: true,
    disableReverseLookup: true,
    maxClients: MAX_CLIENTS,
    maxRecipients: MAX_RECIPIENTS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    closeTimeout: CLOSE_GRACE_MS + 2_000,
    onAuth(a, session, callback) {
      const ok = (a.method === 'PLAIN' || a.method === 'LOGIN') && typeof a.username === 'string' && typeof a.password === 'string' && checkCredentials?.(a.username, a.password);
      if (ok) return callback(null, { user: a.username });
      metrics.rejected.inc({ code: 'auth_failed' });
      log.info({ transport: 'smtp', session: session.id, code: 'auth_failed' }, 'smtp authentication failed');
      callback(null, { message: '5.7.8 Authentication credentials invalid', responseCode: 535 });
    },
    onRcptTo(address: SMTPServerAddress, session, callback) {
      if (route(address.address)) return callback();
      metrics.rejected.inc({ code: 'relay_denied' });
      log.debug({ transport: 'smtp', session: session.id, code: 'relay_denied' }, 'smtp recipient refused');
      callback(smtpError({ code: 550, text: '5.7.1 Relay denied: this server only takes mail for its lead addresses' }));
    },
    onData(stream, session, callback) {
      const task = receive(stream, session)
        .catch((err: unknown) => {
          // receive() maps every pipeline error itself; anything here is our bug, and temporary to the sender.
          log.error({ transport: 'smtp', session: session.id, err: err instanceof Error ? err.stack : String(err) }, 'smtp receive failed');
          return replyFor(toLeadgateError(err));
        })
        .then((reply) => (reply.code === 250 ? callback(null, reply.text) : callback(smtpError(reply))));
      inflight.add(task);
      void task.finally(() => inflight.delete(task));
    },
  };

  const server = new SMTPServer(options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Connection-level errors (resets, failed TLS handshakes) are routine on an open port: log quietly, never crash.
  server.on('error', (err) => log.debug({ transport: 'smtp', err: err.message }, 'smtp connection error'));
  const port = (server.server.address() as AddressInfo).port;

  if (auth?.required && auth.users.length === 0) log.warn({ transport: 'smtp' }, 'smtp auth is required but no users are configured: every sender is refused');
  if (auth && !config.tls && !isLoopback(config.host)) log.warn({ transport: 'smtp' }, 'smtp auth without tls: passwords cross the network in clear (configure smtp.tls)');
  if (config.domains.length === 0 && config.addresses.length === 0) log.warn({ transport: 'smtp' }, 'smtp has no domains or addresses configured: every recipient is refused');
  log.info({ transport: 'smtp', host: config.host, port, tls: Boolean(config.tls), auth: auth ? (auth.required ? 'required' : 'optional') : 'off', domains: config.domains.length, addresses: config.addresses.length }, 'smtp receiver listening');

  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= (async () => {
        // New commands now get 421; messages already in DATA finish and get their real reply.
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([Promise.allSettled([...inflight]), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))]);
        clearTimeout(timer);
        for (const connection of server.connections) {
          connection.send(421, '4.3.2 Service shutting down');
          connection.close();
        }
        await stopped;
        log.info({ transport: 'smtp' }, 'smtp receiver stopped');
      })();
      return closing;
    },
  };
}

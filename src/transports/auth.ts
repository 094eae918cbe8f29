// Who may use each HTTP door and how often: API keys, HTTP Basic and HMAC-signed requests checked against hashed credentials, identical refusals whatever was wrong, rate limits and the intake concurrency gate.
import type { Context, MiddlewareHandler } from 'hono';
import type { IncomingMessage } from 'node:http';
import type { Config, CredentialConfig } from '../config.js';
import { LeadgateError } from '../errors.js';
import type { RawInput } from '../input.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { hmacSignature, readHmacSecret, sameBytes, SecretVerifier, sha256 } from '../secrets.js';
import { addressKey, ConcurrencyGate, RateLimiter } from './limits.js';

/** intake: /v1/leads*, /v1/email*; admin: /metrics, /v1/admin/*. Each has its own credentials. */
export type Door = 'intake' | 'admin';

/** An authenticated sender. */
export interface Principal {
  /** The credential's id (logs, metrics, rate limits, classification). */
  id: string;
  provider?: string;
  /** Set for credentials under dealers[]: the lead belongs to this dealer. */
  dealerId?: string;
  ratePerMinute?: number;
}

/** The HMAC scheme's headers (see the README, "Authentication and limits"). */
export const HMAC_HEADERS = {
  timestamp: 'x-leadgate-timestamp',
  signature: 'x-leadgate-signature',
  /** Optional: names the credential, so only its secret is tried. */
  keyId: 'x-leadgate-key-id',
} as const;

export const DEFAULT_KEY_HEADER = 'x-api-key';

export type AuthOutcome =
  | { ok: true; principal?: Principal; release?: () => void }
  | { ok: false; code: 'unauthorized' | 'forbidden' };

/** What authentication may look at in a request. */
export interface PresentedRequest {
  header(name: string): string | undefined;
  /** The raw body (read only for HMAC). */
  body(): Promise<Buffer>;
  /** The client connected from this machine. */
  loopback: boolean;
}

interface SecretEntry {
  principal: Principal;
  /** api-key: the header that carries it (lower case). */
  header?: string;
  verifier: SecretVerifier;
}

interface HmacEntry {
  principal: Principal;
  secret: Buffer;
}

/** One door's credentials, indexed once at start-up so a request costs one sha256 and a lookup. */
class DoorCredentials {
  /** api keys hashed with sha256, by the hex of that hash. */
  readonly fastKeys = new Map<string, SecretEntry>();
  /** api keys hashed with scrypt (allowed, though sha256 suits generated keys). */
  readonly slowKeys: SecretEntry[] = [];
  readonly keyHeaders: string[] = [];
  readonly users = new Map<string, SecretEntry>();
  /** Checked for unknown user names, so they cost what a wrong password costs. */
  readonly decoy?: SecretVerifier;
  readonly hmacById = new Map<string, HmacEntry>();
  readonly hmac: HmacEntry[] = [];
  readonly count: number;
  /** WWW-Authenticate value: the same on every 401 of this door. */
  readonly challenge: string;

  constructor(list: Array<{ cred: CredentialConfig; dealerId?: string }>, env: NodeJS.ProcessEnv) {
    this.count = list.length;
    let decoyLike: SecretVerifier | undefined;
    for (const { cred, dealerId } of list) {
      const principal: Principal = {
        id: cred.id,
        ...(cred.provider ? { provider: cred.provider } : {}),
        ...(dealerId ? { dealerId } : {}),
        ...(cred.ratePerMinute ? { ratePerMinute: cred.ratePerMinute } : {}),
      };
      if (cred.type === 'hmac') {
        const entry = { principal, secret: readHmacSecret(cred, env) };
        this.hmac.push(entry);
        this.hmacById.set(cred.id, entry);
        continue;
      }
      const verifier = new SecretVerifier(cred.secretHash ?? '');
      if (cred.type === 'basic') {
        this.users.set(cred.username ?? '', { principal, verifier });
        if (!decoyLike || verifier.kind === 'scrypt') decoyLike = verifier;
        continue;
      }
      const header = (cred.header ?? DEFAULT_KEY_HEADER).toLowerCase();
      if (!this.keyHeaders.includes(header)) this.keyHeaders.push(header);
      const entry = { principal, header, verifier };
      if (verifier.kind === 'sha256') this.fastKeys.set((cred.secretHash ?? '').slice('sha256:'.length), entry);
      else this.slowKeys.push(entry);
    }
    if (decoyLike) this.decoy = SecretVerifier.decoy(decoyLike);
    const challenges = [];
    if (this.users.size) challenges.push('Basic realm="leadgate", charset="UTF-8"');
    if (this.fastKeys.size || this.slowKeys.length) challenges.push('Bearer realm="leadgate"');
    if (this.hmac.length) challenges.push('LeadgateHMAC realm="leadgate"');
    this.challenge = challenges.join(', ');
  }
}

/** Signatures already used, remembered while their timestamp could still be accepted. */
class RecentSignatures {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly keepMs: number,
    private readonly now: () => number,
    private readonly max = 1_000_000,
  ) {}

  /** False when `key` was already used. */
  remember(key: string): boolean {
    const now = this.now();
    // Every entry lives keepMs from its insertion, so the oldest are first: prune from the front.
    for (const [k, expires] of this.seen) {
      if (expires > now) break;
      this.seen.delete(k);
    }
    if (this.seen.has(key)) return false;
    this.seen.set(key, now + this.keepMs);
    if (this.seen.size > this.max) this.seen.delete(this.seen.keys().next().value as string);
    return true;
  }

  forget(key: string): void {
    this.seen.delete(key);
  }
}

const DENIED: AuthOutcome = { ok: false, code: 'unauthorized' };

/**
 * Decides who a request is. The rule for each door:
 * - a door with credentials requires one from every caller, loopback included (a reverse proxy on
 *   the same machine makes every internet caller look like loopback);
 * - a door without credentials is open to loopback callers while auth.allowLoopbackWithoutCredentials
 *   (the first-run default) and closed (403) to everyone else.
 */
export class Authenticator {
  private readonly doors: Record<Door, DoorCredentials>;
  private readonly recent: RecentSignatures;
  private readonly toleranceSeconds: number;
  private readonly trustLoopback: boolean;
  private readonly now: () => number;

  constructor(config: Pick<Config, 'dealers' | 'credentials' | 'admin' | 'auth'>, env: NodeJS.ProcessEnv = process.env, now: () => number = Date.now) {
    this.now = now;
    this.toleranceSeconds = config.auth.hmacToleranceSeconds;
    this.trustLoopback = config.auth.allowLoopbackWithoutCredentials;
    const intake = [
      ...config.credentials.map((cred) => ({ cred })),
      ...config.dealers.flatMap((d) => (d.credentials ?? []).map((cred) => ({ cred, dealerId: d.id }))),
    ];
    this.doors = {
      intake: new DoorCredentials(intake, env),
      admin: new DoorCredentials(config.admin.credentials.map((cred) => ({ cred })), env),
    };
    // A signature with timestamp t is accepted until t + tolerance, and t <= now + tolerance when first seen.
    this.recent = new RecentSignatures(2 * this.toleranceSeconds * 1000, now);
  }

  hasCredentials(door: Door): boolean {
    return this.doors[door].count > 0;
  }

  challenge(door: Door): string {
    return this.doors[door].challenge;
  }

  async authenticate(door: Door, req: PresentedRequest): Promise<AuthOutcome> {
    const creds = this.doors[door];
    if (creds.count === 0) return this.trustLoopback && req.loopback ? { ok: true } : { ok: false, code: 'forbidden' };
    // One scheme per request, strongest first; a failing one never falls back to another.
    if (req.header(HMAC_HEADERS.signature) !== undefined) return this.checkHmac(creds, req);
    const authorization = req.header('authorization');
    if (authorization !== undefined) {
      const m = /^\s*(\S+)\s+(\S+)\s*$/.exec(authorization);
      if (!m) return DENIED;
      const scheme = m[1].toLowerCase();
      if (scheme === 'basic') return this.checkBasic(creds, m[2]);
      if (scheme === 'bearer') return this.checkKey(creds, m[2], undefined);
      return DENIED;
    }
    for (const header of creds.keyHeaders) {
      const value = req.header(header);
      if (value !== undefined) return this.checkKey(creds, value.trim(), header);
    }
    return DENIED;
  }

  /** `header` undefined: presented as a Bearer token, which any api-key credential may use. */
  private async checkKey(creds: DoorCredentials, key: string, header: string | undefined): Promise<AuthOutcome> {
    if (!key) return DENIED;
    const digest = sha256(key);
    const usable = (e: SecretEntry) => header === undefined || e.header === header;
    const fast = creds.fastKeys.get(digest.toString('hex'));
    if (fast && usable(fast) && fast.verifier.matchesFast(digest)) return { ok: true, principal: fast.principal };
    for (const e of creds.slowKeys) if (usable(e) && e.verifier.matchesFast(digest)) return { ok: true, principal: e.principal };
    for (const e of creds.slowKeys) if (usable(e) && (await e.verifier.verify(key, digest))) return { ok: true, principal: e.principal };
    return DENIED;
  }

  private async checkBasic(creds: DoorCredentials, encoded: string): Promise<AuthOutcome> {
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return DENIED;
    const password = decoded.slice(colon + 1);
    const entry = creds.users.get(decoded.slice(0, colon));
    if (!entry) {
      // An unknown user costs what a wrong password costs: the reply time says nothing about who exists.
      await creds.decoy?.verify(password);
      return DENIED;
    }
    return (await entry.verifier.verify(password)) ? { ok: true, principal: entry.principal } : DENIED;
  }

  private async checkHmac(creds: DoorCredentials, req: PresentedRequest): Promise<AuthOutcome> {
    const timestamp = req.header(HMAC_HEADERS.timestamp)?.trim() ?? '';
    const signature = /^\s*sha256=([0-9a-fA-F]{64})\s*$/.exec(req.header(HMAC_HEADERS.signature) ?? '');
    if (!signature || !/^\d{1,12}$/.test(timestamp)) return DENIED;
    if (Math.abs(Math.floor(this.now() / 1000) - Number(timestamp)) > this.toleranceSeconds) return DENIED;
    const keyId = req.header(HMAC_HEADERS.keyId)?.trim();
    const named = keyId !== undefined ? creds.hmacById.get(keyId) : undefined;
    const candidates = keyId !== undefined ? (named ? [named] : []) : creds.hmac;
    if (candidates.length === 0) return DENIED;
    const body = await req.body();
    const given = Buffer.from(signature[1], 'hex');
    for (const c of candidates) {
      if (!sameBytes(hmacSignature(c.secret, timestamp, body), given)) continue;
      // Checked only after the signature verified, so nobody without the secret can fill this memory.
      const used = `${c.principal.id}:${signature[1].toLowerCase()}`;
      if (!this.recent.remember(used)) return DENIED;
      return { ok: true, principal: c.principal, release: () => this.recent.forget(used) };
    }
    return DENIED;
  }
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopbackAddress(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.toLowerCase().startsWith('::ffff:127.');
}

function clientAddress(c: Context): string {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket?.remoteAddress ?? '';
}

/** The principal of each authenticated request, kept beside hono's context (no typed Variables needed). */
const principals = new WeakMap<Context, Principal>();

/** What a request's credential tells the pipeline: the dealer it is bound to and the classification signal. */
export function inputFacts(c: Context): Pick<RawInput, 'dealerId' | 'signals'> {
  const p = principals.get(c);
  if (!p) return {};
  return {
    ...(p.dealerId ? { dealerId: p.dealerId } : {}),
    signals: { credential: { id: p.id, ...(p.provider ? { provider: p.provider } : {}) } },
  };
}

export interface SecurityDeps {
  log: Logger;
  metrics: Metrics;
  /** Turns a refusal into the HTTP reply (http.ts problem()). */
  refuse: (c: Context, err: LeadgateError) => Response;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}

/** Request bodies larger than this are not read after a refusal: the connection is closed instead. */
const DRAIN_LIMIT_BYTES = 64 * 1024;

/**
 * The HTTP doors' guard: authentication, rate limits and the intake concurrency gate, built once
 * from the config at start-up.
 */
export class HttpSecurity {
  readonly auth: Authenticator;
  readonly rates: RateLimiter;
  readonly gate: ConcurrencyGate;
  private readonly guards = new Map<Door | 'open', MiddlewareHandler>();

  constructor(
    config: Pick<Config, 'dealers' | 'credentials' | 'admin' | 'auth' | 'limits'>,
    private readonly deps: SecurityDeps,
  ) {
    this.auth = new Authenticator(config, deps.env, deps.now);
    this.rates = new RateLimiter({ perMinute: config.limits.ratePerMinute, ...(deps.now ? { now: deps.now } : {}) });
    this.gate = new ConcurrencyGate(config.limits.maxConcurrent, config.limits.maxQueueMs, config.limits.maxConnections);
  }

  /**
   * Middleware for a door. `open` (web forms, posted by browsers that hold no secret) is only rate
   * limited per client address. Refused and failed attempts are charged to the client address,
   * and an address that used up its allowance is refused before any secret is checked (bounding
   * password guessing and scrypt work). Authenticated requests are limited per credential.
   * Anonymous loopback callers of a door without credentials (first runs) are trusted: no limit.
   */
  guard(door: Door | 'open'): MiddlewareHandler {
    let guard = this.guards.get(door);
    if (guard) return guard;
    guard = async (c, next) => {
      const address = clientAddress(c);
      const addressBucket = `address:${addressKey(address)}`;
      if (door === 'open') {
        const wait = this.rates.take(addressBucket);
        if (wait) return this.tooMany(c, wait);
        return next();
      }
      const blocked = this.rates.peek(addressBucket);
      if (blocked) return this.tooMany(c, blocked);
      const outcome = await this.auth.authenticate(door, {
        header: (name) => c.req.header(name),
        body: async () => Buffer.from(await c.req.arrayBuffer()),
        loopback: isLoopbackAddress(address),
      });
      if (!outcome.ok) {
        this.rates.take(addressBucket);
        return this.deny(c, door, outcome.code);
      }
      if (outcome.principal) {
        const wait = this.rates.take(`credential:${outcome.principal.id}`, outcome.principal.ratePerMinute);
        if (wait) {
          outcome.release?.();
          return this.tooMany(c, wait);
        }
        principals.set(c, outcome.principal);
      }
      await next();
      // A signed request that was not taken (retry later) may be sent again unchanged.
      if (outcome.release && (c.res.status === 429 || c.res.status >= 500)) outcome.release();
    };
    this.guards.set(door, guard);
    return guard;
  }

  /** 503 + Retry-After for an intake that found no free slot in time. */
  overloaded(c: Context): Response {
    this.deps.metrics.errors.inc({ code: 'overloaded' });
    c.header('retry-after', String(this.gate.retryAfterSeconds));
    return this.deps.refuse(c, new LeadgateError('overloaded'));
  }

  private tooMany(c: Context, seconds: number): Response {
    this.deps.metrics.errors.inc({ code: 'rate_limited' });
    c.header('retry-after', String(seconds));
    this.closeIfBodyUnread(c);
    return this.deps.refuse(c, new LeadgateError('rate_limited'));
  }

  /** 401/403 with the same body whatever was wrong: nothing says which part failed or whether a user exists. */
  private deny(c: Context, door: Door, code: 'unauthorized' | 'forbidden'): Response {
    this.deps.metrics.rejected.inc({ code });
    this.deps.log.debug({ door, code, path: c.req.path }, 'request refused');
    if (code === 'unauthorized') c.header('www-authenticate', this.auth.challenge(door));
    this.closeIfBodyUnread(c);
    return this.deps.refuse(c, new LeadgateError(code));
  }

  /** Node discards a small unread body and keeps the connection; a large or unknown-length one is not worth reading. */
  private closeIfBodyUnread(c: Context): void {
    const length = Number(c.req.header('content-length') ?? 0);
    if (length > DRAIN_LIMIT_BYTES || c.req.header('transfer-encoding') !== undefined) c.header('connection', 'close');
  }
}

// The HTTP transport (hono): lead intake, health, readiness, metrics and OpenAPI; the one place that maps errors to HTTP.
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ADAPTERS, PROVIDERS } from '../../adapters/index.js';
import { ERROR_CODES, LeadgateError, toLeadgateError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { RawInput } from '../input.js';
import type { Pipeline } from '../pipeline/index.js';
import { inputFacts, type HttpSecurity } from './auth.js';
import { EMAIL_WEBHOOKS, mimeFromWebhook, type EmailWebhook } from './email-webhooks.js';
import { OPENAPI } from './openapi.js';
import { registerFormRoutes } from './forms.js';
import type { FormIndex } from '../formats/form.js';

export interface HttpDeps {
  pipeline: Pipeline;
  metrics: Metrics;
  log: Logger;
  maxBodyBytes: number;
  /** Limit for inbound-email webhooks (whole messages with attachments). */
  maxEmailBytes: number;
  /** Readiness of everything behind intake (store, sink); the reply lists each check. */
  ready: () => Promise<{ ok: boolean; checks: Record<string, unknown> }>;
  /** Called after every commit, so the relay publishes at once. */
  onCommitted?: () => void;
  /** Website forms by key (POST /v1/forms/{key}, forms.ts); browsers post them without credentials. */
  forms?: FormIndex;
  /** Authentication, rate limits and the intake concurrency gate (auth.ts). */
  security: HttpSecurity;
}

const RETRY_AFTER_SECONDS = 5;

/** RFC 9457 problem+json with a stable code; details never echo the input. */
export function problem(c: Context, err: LeadgateError, extra: Record<string, unknown> = {}): Response {
  const body = {
    type: `https://leadgate.dev/problems/${err.code.replace(/_/g, '-')}`,
    title: ERROR_CODES[err.code].title,
    status: err.status,
    code: err.code,
    ...(err.detail && err.kind !== 'bug' ? { detail: err.detail } : {}),
    ...extra,
  };
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  const connection = c.res.headers.get('connection');
  if (connection) headers.connection = connection;
  // A caller that knows better (rate limits, the concurrency gate) sets Retry-After itself.
  if (err.kind === 'transient' && !c.res.headers.has('retry-after')) headers['retry-after'] = String(RETRY_AFTER_SECONDS);
  return c.body(JSON.stringify(body), err.status as 400, headers);
}

function charsetOf(contentType: string): string | undefined {
  const m = /;\s*charset="?([^";\s]+)"?/i.exec(contentType);
  return m?.[1];
}

export function createHttpApp(deps: HttpDeps): Hono {
  const app = new Hono();
  const { pipeline, metrics, log, security } = deps;
  // Admin endpoints have their own credentials; web forms (browsers, no secret) are only rate limited.
  app.use('/metrics', security.guard('admin'));
  app.use('/v1/admin', security.guard('admin'));
  app.use('/v1/admin/*', security.guard('admin'));
  app.use('/v1/forms/*', security.guard('open'));
  const intakeGuard = security.guard('intake');

  /**
   * Commit one input and answer. `invalid` inputs are already in the rejected stream when ingest
   * throws; for email webhooks they are still answered 200 (like SMTP's 250), because an email
   * service would retry or bounce a customer's message otherwise.
   */
  const ingestNow = async (c: Context, raw: RawInput, opts: { acceptInvalid?: boolean } = {}): Promise<Response> => {
    try {
      const result = await pipeline.ingest(raw);
      deps.onCommitted?.();
      metrics.committed(raw.transport, raw, result);
      return c.json({ leads: result.leads }, 200);
    } catch (err) {
      const e = toLeadgateError(err);
      if (e.kind === 'invalid') {
        metrics.rejectedInput(e.code, raw);
        deps.onCommitted?.();
        if (opts.acceptInvalid) return c.json({ leads: [], rejected: { code: e.code, title: ERROR_CODES[e.code].title } }, 200);
      } else {
        metrics.errors.inc({ code: e.code });
        if (e.kind === 'bug') log.error({ code: e.code, err: e.cause instanceof Error ? e.cause.stack : String(e.cause) }, 'intake failed');
      }
      return problem(c, e);
    }
  };

  /** At most limits.maxConcurrent inputs in the pipeline at once; the rest wait (bounded), then get 503 + Retry-After. */
  const ingest = async (c: Context, raw: RawInput, opts: { acceptInvalid?: boolean } = {}): Promise<Response> => {
    const release = await security.gate.acquire();
    if (!release) return security.overloaded(c);
    try {
      return await ingestNow(c, raw, opts);
    } finally {
      release();
    }
  };

  const intake = async (c: Context): Promise<Response> => {
    const contentType = c.req.header('content-type') ?? '';
    const adapter = c.req.param('adapter');
    const idempotencyKey = c.req.header('idempotency-key');
    return ingest(c, {
      bytes: Buffer.from(await c.req.arrayBuffer()),
      contentType,
      charset: charsetOf(contentType),
      transport: 'http',
      receivedAt: new Date().toISOString(),
      ...(adapter ? { adapter } : {}),
      ...(idempotencyKey ? { idempotencyKey } : {}),
      ...inputFacts(c),
    });
  };

  const emailWebhook = async (c: Context): Promise<Response> => {
    const kind = (c.req.param('service') ?? 'rfc822') as EmailWebhook;
    if (!EMAIL_WEBHOOKS.includes(kind)) return problem(c, new LeadgateError('unknown_adapter', `email webhooks: ${EMAIL_WEBHOOKS.join(', ')}`));
    const receivedAt = new Date().toISOString();
    let bytes: Buffer;
    try {
      bytes = await mimeFromWebhook(kind, c);
    } catch (err) {
      const e = toLeadgateError(err);
      metrics.rejected.inc({ code: e.code });
      return problem(c, e);
    }
    return ingest(c, { bytes, contentType: 'message/rfc822', transport: kind === 'rfc822' ? 'webhook' : `webhook-${kind}`, receivedAt, ...inputFacts(c) }, { acceptInvalid: kind !== 'rfc822' });
  };

  const limit = (maxSize: number): MiddlewareHandler => {
    const tooLarge = (c: Context): Response => {
      metrics.rejected.inc({ code: 'body_too_large' });
      // The rest of the body is never read, so the connection cannot be reused for another request.
      c.header('connection', 'close');
      return problem(c, new LeadgateError('body_too_large', `the limit is ${maxSize} bytes`));
    };
    const counting = bodyLimit({ maxSize, onError: tooLarge });
    // A declared length is checked from the header alone. hono's bodyLimit would touch c.req.raw.body
    // for that, which builds a web Request and stream around every post (~10% of a lead's CPU);
    // untouched, @hono/node-server reads the body straight from the socket. Chunked bodies are counted.
    return async (c, next) => {
      const length = c.req.header('content-length');
      if (length === undefined || c.req.header('transfer-encoding') !== undefined) return counting(c, next);
      if (Number(length) > maxSize) return tooLarge(c);
      await next();
    };
  };
  // The body limit wraps the guard, so an HMAC check reads at most the route's limit.
  app.post('/v1/leads', limit(deps.maxBodyBytes), intakeGuard, intake);
  app.post('/v1/leads/:adapter', limit(deps.maxBodyBytes), intakeGuard, intake);
  app.post('/v1/email', limit(deps.maxEmailBytes), intakeGuard, emailWebhook);
  app.post('/v1/email/:service', limit(deps.maxEmailBytes), intakeGuard, emailWebhook);
  registerFormRoutes(app, deps); // POST/OPTIONS /v1/forms/:key: no intake guard (the 'open' guard above rate-limits per address)

  // Formats (how the bytes are read) and providers (whose dialect and classification); either name works in POST /v1/leads/{adapter}.
  const listing = {
    adapters: [
      ...ADAPTERS.map((a) => ({ name: a.name, title: a.title, kind: 'format', format: a.format })),
      ...PROVIDERS.map((p) => ({ name: p.name, title: p.title, kind: 'provider', provider: p.provider, party: p.party, formats: p.formats })),
    ],
  };
  app.get('/v1/adapters', (c) => c.json(listing));
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const r = await deps.ready();
    return c.json({ status: r.ok ? 'ready' : 'not ready', checks: r.checks }, r.ok ? 200 : 503);
  });
  app.get('/metrics', async (c) => c.body(await metrics.render(), 200, { 'content-type': metrics.contentType }));
  app.get('/openapi.json', (c) => c.json(OPENAPI));

  app.notFound((c) => c.json({ type: 'about:blank', title: 'Not found', status: 404, code: 'not_found' }, 404, { 'content-type': 'application/problem+json' }));
  app.onError((err, c) => {
    // A client that left, or was cut by the request timeout, while its body was being read is not a bug; nobody is there to answer.
    if (c.req.raw.signal.aborted || (err as NodeJS.ErrnoException).code === 'ECONNRESET') {
      log.debug({ path: c.req.path }, 'client went away mid-request');
      return c.body(null, 408);
    }
    const e = toLeadgateError(err);
    log.error({ code: e.code, err: err instanceof Error ? err.message : String(err) }, 'unhandled error');
    return problem(c, e);
  });
  return app;
}

// Website form intake: POST /v1/forms/{key} from a dealer's pages, CORS limited to that form's origins, bots answered quietly, a JSON reply or a redirect to the thank-you page.
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { LeadgateError, toLeadgateError } from '../errors.js';
import { normalizeOrigin, type CompiledForm, type FormIndex } from '../formats/form.js';
import type { RawInput } from '../input.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Pipeline } from '../pipeline/index.js';
import type { HttpSecurity } from './auth.js';
import { problem } from './http.js';

export interface FormRouteDeps {
  pipeline: Pipeline;
  metrics: Metrics;
  log: Logger;
  maxBodyBytes: number;
  /** Configured forms by key (src/formats/form.ts indexForms); none → every key is unknown. */
  forms?: FormIndex;
  onCommitted?: () => void;
  /** The intake concurrency gate shared with /v1/leads (auth.ts), when the app has one. */
  security?: Pick<HttpSecurity, 'gate' | 'overloaded'>;
}

/** Request headers a dealer page's fetch() may send (no cookies or credentials: forms never need them). */
const ALLOWED_HEADERS = 'content-type, accept, idempotency-key, x-requested-with';
const PREFLIGHT_MAX_AGE_SECONDS = '600';
/** Bot posts are kept in the rejected stream but answered like a success, so the bot learns nothing. */
const QUIET_CODES = new Set(['form_honeypot', 'form_too_fast']);

const OVERLOADED = Symbol('overloaded');

/** The form (when the key is known), the browser origin it allows, or why the request is refused. */
type Check = { form: CompiledForm; origin?: string; error?: undefined } | { form?: CompiledForm; error: LeadgateError };

/** The form and, when a browser sent an Origin, that origin if the form allows it. No Origin: not a browser (server-side posts), allowed. */
function check(c: Context, forms: FormIndex): Check {
  const key = c.req.param('key') ?? '';
  const form = forms.get(key);
  if (!form) return { error: new LeadgateError('unknown_form', 'check the form key in the page (dealers[].forms[].key in the config)') };
  const origin = c.req.header('origin');
  if (origin === undefined) return { form };
  const normalized = normalizeOrigin(origin);
  if (!normalized || !form.origins.has(normalized)) {
    return { form, error: new LeadgateError('form_origin_forbidden', "add this website's origin (scheme://host[:port]) to the form's origins") };
  }
  return { form, origin };
}

function allowOrigin(c: Context, origin: string): void {
  c.header('access-control-allow-origin', origin);
  c.header('vary', 'Origin');
}

/** A browser's own form submission (it navigates, so it accepts HTML) gets the thank-you page; fetch() callers asking for JSON get JSON. */
function wantsRedirect(c: Context, form: CompiledForm): form is CompiledForm & { thankYouUrl: string } {
  if (!form.thankYouUrl) return false;
  const accept = (c.req.header('accept') ?? '').toLowerCase();
  return accept.includes('text/html') && !accept.includes('application/json');
}

export function registerFormRoutes(app: Hono, deps: FormRouteDeps): void {
  const forms: FormIndex = deps.forms ?? new Map();
  const { pipeline, metrics } = deps;

  const preflight = (c: Context): Response => {
    const r = check(c, forms);
    if (r.error) return problem(c, r.error);
    if (!r.origin) return c.body(null, 204, { allow: 'POST, OPTIONS' });
    allowOrigin(c, r.origin);
    return c.body(null, 204, {
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': ALLOWED_HEADERS,
      'access-control-max-age': PREFLIGHT_MAX_AGE_SECONDS,
    });
  };

  /** Allowed origins get their CORS header on every answer (also 413 and 422), so the page's script can read the problem. */
  const cors: MiddlewareHandler = async (c, next) => {
    const r = check(c, forms);
    if (!r.error && r.origin) allowOrigin(c, r.origin);
    await next();
  };

  const limit = bodyLimit({
    maxSize: deps.maxBodyBytes,
    onError: (c) => {
      metrics.rejected.inc({ code: 'body_too_large' });
      c.header('connection', 'close');
      return problem(c, new LeadgateError('body_too_large', `the limit is ${deps.maxBodyBytes} bytes`));
    },
  });

  /** At most limits.maxConcurrent inputs in the pipeline at once, whichever door they came through. */
  const ingest = async (raw: RawInput) => {
    const release = deps.security ? await deps.security.gate.acquire() : () => {};
    if (!release) throw OVERLOADED;
    try {
      return await pipeline.ingest(raw);
    } finally {
      release();
    }
  };

  const success = (c: Context, form: CompiledForm, leads: unknown[]): Response =>
    wantsRedirect(c, form) ? c.redirect(form.thankYouUrl, 303) : c.json({ leads }, 200);

  const submit = async (c: Context): Promise<Response> => {
    const key = c.req.param('key') ?? '';
    const contentType = c.req.header('content-type') ?? '';
    const idempotencyKey = c.req.header('idempotency-key');
    const r = check(c, forms);
    const raw: RawInput = {
      bytes: Buffer.from(await c.req.arrayBuffer()),
      contentType,
      transport: 'http',
      receivedAt: new Date().toISOString(),
      adapter: 'form',
      signals: { form: key },
      ...(r.form?.dealerId ? { dealerId: r.form.dealerId } : {}),
      ...(idempotencyKey ? { idempotencyKey } : {}),
    };
    try {
      if (r.error) {
        // A shopper's post to a mistyped key or from an unlisted origin is still a lead: keep it, replayable once the config is fixed.
        metrics.rejected.inc({ code: r.error.code });
        if (raw.bytes.length > 0) {
          await pipeline.recordRejection(raw, r.error);
          deps.onCommitted?.();
        }
        return problem(c, r.error);
      }
      const result = await ingest(raw);
      deps.onCommitted?.();
      metrics.committed('form', raw, result);
      return success(c, r.form, result.leads);
    } catch (err) {
      if (err === OVERLOADED && deps.security) return deps.security.overloaded(c);
      const e = toLeadgateError(err);
      if (e.kind === 'invalid') {
        metrics.rejectedInput(e.code, raw);
        deps.onCommitted?.();
        if (QUIET_CODES.has(e.code) && r.form) return success(c, r.form, []);
      } else {
        metrics.errors.inc({ code: e.code });
        if (e.kind === 'bug') deps.log.error({ code: e.code, form: key, err: e.cause instanceof Error ? e.cause.stack : String(e.cause) }, 'form intake failed');
      }
      return problem(c, e);
    }
  };

  app.options('/v1/forms/:key', preflight);
  app.post('/v1/forms/:key', cors, limit, submit);
}

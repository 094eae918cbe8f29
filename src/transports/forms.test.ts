// Tests for the website form routes in-process (hono app.request) over a real pipeline and SQLite store: CORS, bots, replies and what is kept when a post is refused.
import { Writable } from 'node:stream';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { indexForms } from '../formats/form.js';
import { createLogger } from '../log.js';
import { Metrics } from '../metrics.js';
import { Pipeline } from '../pipeline/index.js';
import { SqliteStore } from '../stores/sqlite.js';
import { registerFormRoutes } from './forms.js';

const SITE = 'https://www.example-kia.com';
const THANKS = 'https://www.example-kia.com/thank-you';
const config = loadConfig({
  env: {},
  overrides: {
    dealers: [
      {
        id: 'example-kia',
        name: 'Example Kia',
        forms: [
          { key: 'contact', origins: [SITE, 'http://localhost:3000'] },
          { key: 'trade', origins: [SITE], thankYouUrl: THANKS, honeypot: 'fax', minFillSeconds: 0 },
        ],
      },
    ],
    limits: { maxBodyBytes: 4096 },
  },
});

let store: SqliteStore;
let app: Hono;
let logLines: string[];
let committed: number;

beforeEach(() => {
  store = new SqliteStore(':memory:');
  logLines = [];
  const log = createLogger({ level: 'debug', destination: new Writable({ write: (chunk, _e, done) => (logLines.push(chunk.toString()), done()) }) });
  app = new Hono();
  committed = 0;
  registerFormRoutes(app, {
    pipeline: new Pipeline(config, store, log),
    metrics: new Metrics(),
    log,
    maxBodyBytes: config.limits.maxBodyBytes,
    forms: indexForms(config.dealers),
    onCommitted: () => committed++,
  });
});
afterEach(async () => {
  await store.close();
});

const rendered = (secondsAgo: number) => String(Date.now() - secondsAgo * 1000);
const human = (extra = '') => `first_name=Ana&last_name=Lima&email=ana.lima%40example.com&phone=714-555-0100&_lg_ts=${rendered(30)}${extra}`;

function post(key: string, body: string | Buffer, headers: Record<string, string> = {}) {
  return app.request(`/v1/forms/${key}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: SITE, accept: 'application/json', ...headers },
  });
}

const json = (res: Response): Promise<any> => res.json();
const rejected = () => store.listInputs({ outcome: 'rejected' });

describe('CORS', () => {
  it('answers a preflight from an allowed origin with that origin, the method and the headers a page may send', async () => {
    const res = await app.request('/v1/forms/contact', { method: 'OPTIONS', headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(res.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
    expect(res.headers.get('access-control-allow-headers')).toContain('content-type');
    expect(res.headers.get('vary')).toBe('Origin');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('refuses a preflight from another origin (403, no CORS header) and one for an unknown form (404)', async () => {
    const other = await app.request('/v1/forms/contact', { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect((await json(other)).code).toBe('form_origin_forbidden');
    const unknown = await app.request('/v1/forms/nope', { method: 'OPTIONS', headers: { origin: SITE } });
    expect(unknown.status).toBe(404);
    expect((await json(unknown)).code).toBe('unknown_form');
  });

  it('a post from another origin is refused without CORS headers, but kept (rejected, with its form and dealer) so it can be replayed', async () => {
    const res = await post('contact', human(), { origin: 'https://example-kia.com' });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect((await json(res)).code).toBe('form_origin_forbidden');
    const [kept] = await rejected();
    expect(kept).toMatchObject({ errorCode: 'form_origin_forbidden', adapter: 'form', dealerId: 'example-kia', signals: { form: 'contact' } });
    expect(committed).toBe(1);
  });

  it('a post with no Origin (a server, not a browser) is accepted; "null" origins (sandboxed frames) are not', async () => {
    const res = await app.request('/v1/forms/contact', { method: 'POST', body: human(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect((await post('contact', human(), { origin: 'null' })).status).toBe(403);
  });
});

describe('posting a form', () => {
  it('commits the lead and answers like /v1/leads, with the CORS header for the page', async () => {
    const res = await post('contact', human());
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(SITE);
    const body = await json(res);
    expect(body.leads).toEqual([{ leadId: expect.any(String), customerId: expect.any(String), outcome: 'received' }]);
    const again = await json(await post('contact', human()));
    expect(again.leads[0]).toMatchObject({ outcome: 'duplicate', customerId: body.leads[0].customerId });
    expect(await rejected()).toEqual([]);
    // Ids, codes and sizes only: the customer stays out of the logs.
    expect(logLines.join('\n')).not.toMatch(/Ana|Lima|ana\.lima|555-0100|5550100/);
  });

  it('reads JSON and multipart bodies as well', async () => {
    const posted = await post('contact', JSON.stringify({ name: 'Bo Chen', email: 'bo@example.com', _lg_ts: rendered(10) }), { 'content-type': 'application/json' });
    expect(posted.status).toBe(200);
    const fd = new FormData();
    fd.append('fname', 'Cy');
    fd.append('tel', '7145550177');
    fd.append('_lg_ts', rendered(10));
    const req = new Request('http://x/', { method: 'POST', body: fd });
    const multipart = await post('contact', Buffer.from(await req.arrayBuffer()), { 'content-type': req.headers.get('content-type')! });
    expect(multipart.status).toBe(200);
    expect((await json(multipart)).leads).toHaveLength(1);
  });

  it('redirects a browser form submission (Accept: text/html) to the thank-you page with 303; fetch() asking for JSON gets JSON', async () => {
    const browser = await post('trade', human(), { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' });
    expect(browser.status).toBe(303);
    expect(browser.headers.get('location')).toBe(THANKS);
    const script = await post('trade', human('&trade_year=2018&trade_make=Honda'), { accept: 'application/json' });
    expect(script.status).toBe(200);
    expect((await json(script)).leads).toHaveLength(1);
    // No thank-you page configured: browsers get JSON too.
    expect((await post('contact', human(), { accept: 'text/html' })).status).toBe(200);
  });

  it('answers bots quietly as a success, publishes nothing, and keeps them in the rejected stream', async () => {
    const honeypot = await post('contact', human('&website=http%3A%2F%2Fspam.example'));
    expect(honeypot.status).toBe(200);
    expect(await json(honeypot)).toEqual({ leads: [] });
    const tooFast = await post('contact', `email=ana%40example.com&_lg_ts=${rendered(0)}`);
    expect(tooFast.status).toBe(200);
    expect(await json(tooFast)).toEqual({ leads: [] });
    const customHoneypot = await post('trade', human('&fax=1'), { accept: 'text/html' });
    expect(customHoneypot.status).toBe(303);
    expect((await rejected()).map((r) => r.errorCode).sort()).toEqual(['form_honeypot', 'form_honeypot', 'form_too_fast']);
    expect(await store.listInputs({ outcome: 'accepted' })).toEqual([]);
  });

  it('answers invalid posts with problem+json the page can read', async () => {
    const noContact = await post('contact', `comments=hello&_lg_ts=${rendered(10)}`);
    expect(noContact.status).toBe(422);
    expect(noContact.headers.get('access-control-allow-origin')).toBe(SITE);
    expect((await json(noContact)).code).toBe('no_customer_contact');
    const tooLarge = await post('contact', `comments=${'x'.repeat(5000)}`);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get('access-control-allow-origin')).toBe(SITE);
    expect((await json(tooLarge)).code).toBe('body_too_large');
    const xml = await post('contact', '<adf/>', { 'content-type': 'application/xml' });
    expect(xml.status).toBe(415);
  });

  it('an unknown form key is 404, and the post is kept for when the key is configured', async () => {
    const res = await post('contact-us', human());
    expect(res.status).toBe(404);
    expect((await json(res)).code).toBe('unknown_form');
    const [kept] = await rejected();
    expect(kept).toMatchObject({ errorCode: 'unknown_form', signals: { form: 'contact-us' } });
    expect(kept!.dealerId).toBeUndefined();
  });
});

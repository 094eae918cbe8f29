// Authentication and limits end to end on a real gateway: each credential type, identical refusals, dealer binding and the credential signal, admin protection, the non-loopback rule, rate limits and overload.
import { execFile } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { hashScrypt, hashSha256 } from '../src/secrets.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/real-leads/${name}`, import.meta.url));
const email = (name: string) => readFileSync(new URL(`../fixtures/emails/${name}`, import.meta.url));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const SITE_KEY = 'lg_tustin-site-key-000000000000000000000000';
const LIMITED_KEY = 'lg_limited-key-00000000000000000000000000000';
const ADMIN_KEY = 'lg_admin-key-0000000000000000000000000000000';
const PASSWORD = 'the dealer picked this one';
const FILE_SECRET = 'provider-shared-secret-from-a-file-0123';
const ENV_SECRET = 'provider-shared-secret-from-the-env-456';

function signedHeaders(secret: string, body: Buffer, at = Date.now()): Record<string, string> {
  const ts = String(Math.floor(at / 1000));
  const sig = createHmac('sha256', secret).update(`${ts}.`).update(body).digest('hex');
  return { 'x-leadgate-timestamp': ts, 'x-leadgate-signature': `sha256=${sig}` };
}
const basicAuth = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

/** The one non-loopback IPv4 address of this machine, to connect as "another machine" would. */
const outsideAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

describe('authenticated intake', () => {
  let gw: TestGateway;
  let secrets: string;

  beforeAll(async () => {
    secrets = mkdtempSync(join(tmpdir(), 'leadgate-auth-'));
    writeFileSync(join(secrets, 'hmac'), `${FILE_SECRET}\n`);
    // The gateway reads HMAC secrets from its own environment; loadConfig checks the same variable.
    process.env.LEADGATE_TEST_HMAC_SECRET = ENV_SECRET;
    gw = await startTestGateway(
      {
        dealers: [
          {
            id: 'tustin-mazda',
            name: 'Tustin Mazda',
            credentials: [{ id: 'tustin-site', type: 'api-key', secretHash: hashSha256(SITE_KEY), provider: 'cargurus' }],
          },
        ],
        credentials: [
          { id: 'adf-basic', type: 'basic', username: 'adf-sender', secretHash: await hashScrypt(PASSWORD, { N: 1024, r: 8, p: 1 }), provider: 'Cars.com' },
          { id: 'signer-file', type: 'hmac', secretFile: join(secrets, 'hmac'), provider: 'TrueCar' },
          { id: 'signer-env', type: 'hmac', secretEnv: 'LEADGATE_TEST_HMAC_SECRET' },
          { id: 'limited', type: 'api-key', secretHash: hashSha256(LIMITED_KEY), ratePerMinute: 2 },
        ],
        admin: { credentials: [{ id: 'ops', type: 'api-key', secretHash: hashSha256(ADMIN_KEY) }] },
      },
      { LEADGATE_TEST_HMAC_SECRET: ENV_SECRET },
    );
  });
  afterAll(async () => {
    await gw.cleanup();
    rmSync(secrets, { recursive: true, force: true });
    delete process.env.LEADGATE_TEST_HMAC_SECRET;
  });

  /** The archived input of a body, found by its sha256. */
  const archived = async (body: Buffer) => (await gw.store.listInputs({ limit: 1000 })).find((i) => i.sha256 === sha(body));

  it('accepts each credential type and records which credential sent the input', async () => {
    const cases: Array<[string, Buffer, Record<string, string>, { id: string; provider?: string }]> = [
      ['api key header', fixture('cargurus-1.xml'), { 'x-api-key': SITE_KEY }, { id: 'tustin-site', provider: 'cargurus' }],
      ['bearer token', fixture('carscom-dealerrater-1.xml'), { authorization: `Bearer ${SITE_KEY}` }, { id: 'tustin-site', provider: 'cargurus' }],
      ['basic', fixture('costco-auto-options-2.xml'), basicAuth('adf-sender', PASSWORD), { id: 'adf-basic', provider: 'Cars.com' }],
      ['hmac, secret from a file', fixture('mazda-digital-roadster-1.xml'), signedHeaders(FILE_SECRET, fixture('mazda-digital-roadster-1.xml')), { id: 'signer-file', provider: 'TrueCar' }],
      ['hmac, secret from the environment', fixture('published-mudd-elead-1.xml'), signedHeaders(ENV_SECRET, fixture('published-mudd-elead-1.xml')), { id: 'signer-env' }],
    ];
    for (const [what, body, headers, credential] of cases) {
      const res = await gw.post(body, { headers });
      expect(res.status, `${what}: ${JSON.stringify(res.json)}`).toBe(200);
      expect((await archived(body))?.signals?.credential, what).toEqual(credential);
    }
    // Basic again: served from the verification cache, same answer.
    const again = await gw.post(fixture('costco-auto-options-2.xml'), { headers: basicAuth('adf-sender', PASSWORD) });
    expect(again.status).toBe(200);
  });

  it('files a lead sent with a dealer-bound credential under that dealer, and the credential decides the provider', async () => {
    // AutoTrader's lead names its own dealer; the credential belongs to Tustin Mazda and was issued to CarGurus.
    const body = fixture('autotrader-wallet-1.xml');
    const res = await gw.post(body, { headers: { 'x-api-key': SITE_KEY } });
    expect(res.status).toBe(200);
    expect((await archived(body))?.dealerId).toBe('tustin-mazda');
    await gw.drained();
    const events = await gw.events();
    const ev = events.find((e) => e.data.leadId === res.json.leads[0].leadId);
    expect(ev?.data.dealer.id).toBe('tustin-mazda');
    expect(ev?.data.classification.provider).toMatchObject({ signal: 'credential', value: 'cargurus' });
  });

  it('answers every failed attempt with the same 401, stores nothing of it, and names the schemes it takes', async () => {
    const body = fixture('kia-digital-kiacom-testdrive-1.xml');
    const replayed = signedHeaders(FILE_SECRET, body);
    expect((await gw.post(body, { headers: replayed })).status).toBe(200);
    const inputsBefore = (await gw.store.listInputs({ limit: 10_000 })).length;
    const attempts: Record<string, Record<string, string>> = {
      'no credential': {},
      'wrong key': { 'x-api-key': `${SITE_KEY}0` },
      'wrong bearer': { authorization: 'Bearer lg_not-a-key' },
      'admin key on intake': { 'x-api-key': ADMIN_KEY },
      'wrong password': basicAuth('adf-sender', `${PASSWORD}!`),
      'unknown user': basicAuth('someone-else', PASSWORD),
      'bad signature': signedHeaders('not-the-shared-secret-at-all', body),
      'stale timestamp': signedHeaders(FILE_SECRET, body, Date.now() - 3600_000),
      'future timestamp': signedHeaders(FILE_SECRET, body, Date.now() + 3600_000),
      'replayed signature': replayed,
    };
    const replies = [];
    for (const [what, headers] of Object.entries(attempts)) {
      const res = await gw.post(body, { headers });
      expect(res.status, what).toBe(401);
      expect(res.headers.get('content-type'), what).toBe('application/problem+json');
      expect(res.headers.get('www-authenticate'), what).toMatch(/^Basic realm="leadgate"/);
      replies.push(JSON.stringify(res.json));
    }
    expect(new Set(replies).size).toBe(1);
    expect(JSON.parse(replies[0])).toEqual({
      type: 'https://leadgate.dev/problems/unauthorized',
      title: 'A valid credential is required',
      status: 401,
      code: 'unauthorized',
    });
    // Unauthenticated bytes are never archived: nobody without a credential can fill the disk.
    expect((await gw.store.listInputs({ limit: 10_000 })).length).toBe(inputsBefore);
  });

  it('protects the email webhooks too (email services put Basic credentials in the webhook URL)', async () => {
    const message = email('base64-mazda-roadster.eml');
    expect((await gw.post(message, { path: '/v1/email', contentType: 'message/rfc822' })).status).toBe(401);
    const res = await gw.post(message, { path: '/v1/email', contentType: 'message/rfc822', headers: basicAuth('adf-sender', PASSWORD) });
    expect(res.status).toBe(200);
    expect((await archived(message))?.signals?.credential).toEqual({ id: 'adf-basic', provider: 'Cars.com' });
  });

  it('protects /metrics with the admin credentials and leaves health, readiness and the API description open', async () => {
    const get = (path: string, headers: Record<string, string> = {}) => fetch(`${gw.url}${path}`, { headers });
    expect((await get('/metrics')).status).toBe(401);
    expect((await get('/metrics', { 'x-api-key': SITE_KEY })).status).toBe(401);
    const metrics = await get('/metrics', { authorization: `Bearer ${ADMIN_KEY}` });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/leadgate_inputs_rejected_total\{code="unauthorized"\} \d+/);
    expect((await get('/v1/admin/anything')).status).toBe(401);
    for (const open of ['/healthz', '/readyz', '/openapi.json', '/v1/adapters']) expect((await get(open)).status, open).toBe(200);
  });

  it('limits each credential to its rate: 429 with Retry-After, other credentials unaffected', async () => {
    const body = fixture('mazda-digital-carnow-chat-1.xml');
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await gw.post(body, { headers: { 'x-api-key': LIMITED_KEY } }));
    expect(statuses.map((r) => r.status)).toEqual([200, 200, 429]);
    const limited = statuses[2];
    expect(limited.json.code).toBe('rate_limited');
    // Two a minute: the next one is 30 seconds away.
    expect(limited.headers.get('retry-after')).toBe('30');
    expect((await gw.post(body, { headers: { 'x-api-key': SITE_KEY } })).status).toBe(200);
  });

  it('signs the way the README shows with openssl', async () => {
    const body = fixture('mazda-digital-teamvelocity-cpo-1.xml');
    const file = join(secrets, 'lead.xml');
    writeFileSync(file, body);
    // The README's recipe, verbatim apart from the variables.
    const script = `ts=$(date +%s)
sig=$( { printf '%s.' "$ts"; cat "$LEAD"; } | openssl dgst -sha256 -hmac "$SECRET" -r | cut -d' ' -f1)
printf '%s %s' "$ts" "$sig"`;
    const out = await new Promise<string>((done, fail) =>
      execFile('bash', ['-c', script], { env: { ...process.env, LEAD: file, SECRET: FILE_SECRET } }, (err, stdout) => (err ? fail(err) : done(stdout))),
    );
    const [ts, sig] = out.split(' ');
    const res = await gw.post(body, { headers: { 'x-leadgate-timestamp': ts, 'x-leadgate-signature': `sha256=${sig}`, 'x-leadgate-key-id': 'signer-file' } });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
  });
});

describe('guessing and web forms are limited per client address', () => {
  it('charges failed attempts to the address, then refuses it before checking anything; forms need no credential but share the limit', async () => {
    const gw = await startTestGateway({
      limits: { ratePerMinute: 3 },
      credentials: [{ id: 'k', type: 'api-key', secretHash: hashSha256(SITE_KEY) }],
    });
    try {
      const body = fixture('cargurus-1.xml');
      for (let i = 0; i < 3; i++) expect((await gw.post(body, { headers: { 'x-api-key': `guess-${i}` } })).status).toBe(401);
      // The right key from the same address is now refused too, until the bucket refills.
      const blocked = await gw.post(body, { headers: { 'x-api-key': SITE_KEY } });
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      await gw.cleanup();
    }

    const forms = await startTestGateway({ limits: { ratePerMinute: 2 }, credentials: [{ id: 'k', type: 'api-key', secretHash: hashSha256(SITE_KEY) }] });
    try {
      const post = () => forms.post('first_name=Ann', { path: '/v1/forms/no-such-form', contentType: 'application/x-www-form-urlencoded' });
      const first = await post();
      // Whatever the form door answers, it never asks a browser for a credential.
      expect([401, 403]).not.toContain(first.status);
      expect((await post()).status).not.toBe(429);
      const third = await post();
      expect(third.status).toBe(429);
      expect(third.json.code).toBe('rate_limited');
    } finally {
      await forms.cleanup();
    }
  });
});

describe('the loopback rule', () => {
  it('refuses to start on a non-loopback host without intake credentials or forms, and says what to do', () => {
    let err: unknown;
    try {
      loadConfig({ env: {}, overrides: { host: '0.0.0.0' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.join('\n')).toMatch(/"0\.0\.0\.0" accepts connections from other machines, so intake needs credentials.*hash-secret --generate/);
    // Admin credentials alone do not count: they open no intake door.
    expect(() => loadConfig({ env: {}, overrides: { host: '0.0.0.0', admin: { credentials: [{ id: 'ops', type: 'api-key', secretHash: hashSha256(ADMIN_KEY) }] } } })).toThrow(ConfigError);
    expect(loadConfig({ env: {}, overrides: { host: '0.0.0.0', credentials: [{ id: 'k', type: 'api-key', secretHash: hashSha256(SITE_KEY) }] } }).host).toBe('0.0.0.0');
    expect(loadConfig({ env: {}, overrides: { host: '127.0.0.1' } }).credentials).toEqual([]);
    // A forms-only site may listen publicly: its lead routes stay closed to other machines.
    const formsOnly = { host: '0.0.0.0', dealers: [{ id: 'd1', name: 'Dealer One', forms: [{ key: 'contact', origins: ['https://www.example.com'] }] }] };
    expect(loadConfig({ env: {}, overrides: formsOnly }).host).toBe('0.0.0.0');
  });

  it('reports credentials that could not work, all at once', () => {
    let err: unknown;
    try {
      loadConfig({
        env: {},
        overrides: {
          credentials: [
            { id: 'a', type: 'api-key' },
            { id: 'a', type: 'basic', secretHash: hashSha256('x') },
            { id: 'h', type: 'hmac', secretEnv: 'NOT_SET_ANYWHERE' },
            { id: 'h2', type: 'hmac', secretEnv: 'X', secretFile: '/x' },
            { id: 'h3', type: 'hmac', secretHash: hashSha256('y'), secretFile: '/nonexistent/secret' },
            { id: 's', type: 'api-key', secretHash: 'scrypt:1000:8:1:c2FsdHNhbHQ=:aGFzaGhhc2hoYXNoaGFzaA==' },
          ],
          limits: { headersTimeoutMs: 5000, requestTimeoutMs: 1000 },
        },
      });
    } catch (e) {
      err = e;
    }
    const text = (err as ConfigError).problems.join('\n');
    expect(text).toMatch(/\/credentials\/0: an api-key credential needs secretHash/);
    expect(text).toMatch(/\/credentials\/1: credential id "a" is used twice/);
    expect(text).toMatch(/\/credentials\/1: a basic credential needs a username/);
    expect(text).toMatch(/\/credentials\/2: environment variable NOT_SET_ANYWHERE is not set/);
    expect(text).toMatch(/\/credentials\/3: an hmac credential needs exactly one of secretEnv, secretFile/);
    expect(text).toMatch(/\/credentials\/4: an hmac credential needs the shared secret itself/);
    expect(text).toMatch(/\/credentials\/4: cannot read \/nonexistent\/secret/);
    expect(text).toMatch(/\/credentials\/5\/secretHash scrypt N must be a power of two/);
    expect(text).toMatch(/headersTimeoutMs must be <= \/limits\/requestTimeoutMs/);
  });

  it.skipIf(!outsideAddress)('serves other machines only with credentials, and admin endpoints to them only with admin credentials', async () => {
    const gw = await startTestGateway({ host: '0.0.0.0', credentials: [{ id: 'k', type: 'api-key', secretHash: hashSha256(SITE_KEY) }] });
    try {
      const outside = `http://${outsideAddress}:${gw.port}`;
      const inside = `http://127.0.0.1:${gw.port}`;
      const body = fixture('cargurus-no-phone-2.xml');
      const post = (base: string, headers: Record<string, string>) => fetch(`${base}/v1/leads`, { method: 'POST', headers: { 'content-type': 'application/xml', ...headers }, body });
      expect((await post(outside, {})).status).toBe(401);
      // Loopback is no excuse once credentials exist (a local reverse proxy would make everyone loopback).
      expect((await post(inside, {})).status).toBe(401);
      expect((await post(outside, { 'x-api-key': SITE_KEY })).status).toBe(200);
      // No admin credentials configured: metrics for this machine only.
      const fromOutside = await fetch(`${outside}/metrics`);
      expect(fromOutside.status).toBe(403);
      expect(await fromOutside.json()).toMatchObject({ code: 'forbidden', status: 403 });
      expect((await fetch(`${inside}/metrics`)).status).toBe(200);
      expect((await fetch(`${outside}/healthz`)).status).toBe(200);
    } finally {
      await gw.cleanup();
    }
  });

  it('first runs: no credentials and a loopback host take leads from this machine without any', async () => {
    // One a minute, yet this machine's anonymous first-run posts are not limited (the benchmark and local scripts rely on it).
    const gw = await startTestGateway({ limits: { ratePerMinute: 1 } });
    try {
      expect((await gw.post(fixture('cargurus-1.xml'))).status).toBe(200);
      expect((await gw.post(fixture('carscom-dealerrater-1.xml'))).status).toBe(200);
      expect((await fetch(`${gw.url}/metrics`)).status).toBe(200);
    } finally {
      await gw.cleanup();
    }
    const locked = await startTestGateway({ auth: { allowLoopbackWithoutCredentials: false } });
    try {
      const res = await locked.post(fixture('cargurus-1.xml'));
      expect(res.status).toBe(403);
      expect(res.json.code).toBe('forbidden');
    } finally {
      await locked.cleanup();
    }
  });
});

describe('back-pressure', () => {
  it('lets maxConcurrent intakes run, makes the next wait maxQueueMs, then answers 503 + Retry-After; the held one still commits', async () => {
    const gw = await startTestGateway({ limits: { maxConcurrent: 1, maxQueueMs: 150 } });
    // Test hook: hold the first input inside the real pipeline until we let go (the HTTP app calls gw.pipeline.ingest).
    const realIngest = gw.pipeline.ingest.bind(gw.pipeline);
    let letGo!: () => void;
    const held = new Promise<void>((r) => (letGo = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    let calls = 0;
    gw.pipeline.ingest = async (raw) => {
      if (calls++ === 0) {
        entered();
        await held;
      }
      return realIngest(raw);
    };
    try {
      const first = gw.post(fixture('cargurus-1.xml'));
      await inside;
      const second = await gw.post(fixture('carscom-dealerrater-1.xml'));
      expect(second.status).toBe(503);
      expect(second.json.code).toBe('overloaded');
      expect(second.headers.get('retry-after')).toBe('1');
      letGo();
      expect((await first).status).toBe(200);
      // The slot is free again.
      expect((await gw.post(fixture('carscom-dealerrater-1.xml'))).status).toBe(200);
      expect(calls).toBe(2);
    } finally {
      letGo();
      await gw.cleanup();
    }
  });
});

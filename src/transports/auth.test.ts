// The Authenticator on its own (clock and environment injected): each credential type, every way to fail, replay, door separation and the loopback rule.
import { createHmac } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS, type Config, type CredentialConfig } from '../config.js';
import { hashScrypt, hashSha256 } from '../secrets.js';
import { Authenticator, isLoopbackAddress, type AuthOutcome, type PresentedRequest } from './auth.js';

const KEY = 'lg_dealer-key-0123456789abcdefghijklmnop';
const PARTNER_KEY = 'lg_partner-key-0123456789abcdefghijklmn';
const ADMIN_KEY = 'lg_admin-key-0123456789abcdefghijklmnopq';
const HMAC_SECRET = 'shared-secret-of-the-provider-0123456789';
const NOW = 1_700_000_000_000;

function request(headers: Record<string, string>, body = '', loopback = false): PresentedRequest {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { header: (n) => lower[n.toLowerCase()], body: async () => Buffer.from(body), loopback };
}

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

function signed(body: string, opts: { secret?: string; at?: number; keyId?: string } = {}): Record<string, string> {
  const ts = String(Math.floor((opts.at ?? NOW) / 1000));
  const sig = createHmac('sha256', opts.secret ?? HMAC_SECRET).update(`${ts}.${body}`).digest('hex');
  return { 'x-leadgate-timestamp': ts, 'x-leadgate-signature': `sha256=${sig}`, ...(opts.keyId ? { 'x-leadgate-key-id': opts.keyId } : {}) };
}

const ok = (o: AuthOutcome) => (o.ok ? o.principal?.id ?? 'anonymous' : o.code);

describe('Authenticator', () => {
  let config: Config;
  let auth: Authenticator;
  let now = NOW;

  beforeAll(async () => {
    const cred = (c: CredentialConfig) => c;
    config = {
      ...DEFAULTS,
      dealers: [{ id: 'tustin-mazda', name: 'Tustin Mazda', credentials: [cred({ id: 'tustin-site', type: 'api-key', secretHash: hashSha256(KEY), provider: 'Dealer Website' })] }],
      credentials: [
        cred({ id: 'partner', type: 'api-key', header: 'x-partner-token', secretHash: await hashScrypt(PARTNER_KEY, { N: 1024, r: 8, p: 1 }) }),
        cred({ id: 'adf-sender', type: 'basic', username: 'adf', secretHash: await hashScrypt('a chosen password', { N: 1024, r: 8, p: 1 }), provider: 'CarGurus' }),
        cred({ id: 'signer', type: 'hmac', secretEnv: 'SIGNER_SECRET', provider: 'TrueCar' }),
        cred({ id: 'signer-2', type: 'hmac', secretEnv: 'SIGNER_2_SECRET' }),
      ],
      admin: { credentials: [cred({ id: 'ops', type: 'api-key', secretHash: hashSha256(ADMIN_KEY) })] },
    };
    auth = new Authenticator(config, { SIGNER_SECRET: HMAC_SECRET, SIGNER_2_SECRET: 'second-secret-0123456789abcdef' }, () => now);
  });

  it('accepts an API key in its header or as a Bearer token, bound to its dealer', async () => {
    const o = await auth.authenticate('intake', request({ 'x-api-key': KEY }));
    expect(o).toEqual({ ok: true, principal: { id: 'tustin-site', provider: 'Dealer Website', dealerId: 'tustin-mazda' } });
    expect(ok(await auth.authenticate('intake', request({ authorization: `Bearer ${KEY}` })))).toBe('tustin-site');
    expect(ok(await auth.authenticate('intake', request({ 'X-Partner-Token': PARTNER_KEY })))).toBe('partner');
    expect(ok(await auth.authenticate('intake', request({ authorization: `bearer ${PARTNER_KEY}` })))).toBe('partner');
  });

  it('refuses wrong keys, keys in another credential’s header, and requests carrying nothing', async () => {
    expect(ok(await auth.authenticate('intake', request({ 'x-api-key': `${KEY}x` })))).toBe('unauthorized');
    expect(ok(await auth.authenticate('intake', request({ 'x-api-key': PARTNER_KEY })))).toBe('unauthorized');
    expect(ok(await auth.authenticate('intake', request({ 'x-partner-token': KEY })))).toBe('unauthorized');
    expect(ok(await auth.authenticate('intake', request({ 'x-api-key': '' })))).toBe('unauthorized');
    expect(ok(await auth.authenticate('intake', request({})))).toBe('unauthorized');
    // Loopback does not help once the door has credentials.
    expect(ok(await auth.authenticate('intake', request({}, '', true)))).toBe('unauthorized');
    expect(ok(await auth.authenticate('intake', request({ authorization: 'Digest abc' })))).toBe('unauthorized');
    expect(ok(await auth.authenticate('intake', request({ authorization: 'Bearer' })))).toBe('unauthorized');
  });

  it('accepts HTTP Basic and refuses a wrong password, an unknown user and a malformed header alike', async () => {
    expect(ok(await auth.authenticate('intake', request(basic('adf', 'a chosen password'))))).toBe('adf-sender');
    // Second time from the cache; still right.
    expect(ok(await auth.authenticate('intake', request(basic('adf', 'a chosen password'))))).toBe('adf-sender');
    expect(ok(await auth.authenticate('intake', request(basic('adf', 'a chosen passwor'))))).toBe('unauthorized');
    expect(ok(await auth.authenticate('intake', request(basic('nobody', 'a chosen password'))))).toBe('unauthorized');
    expect(ok(await auth.authenticate('intake', request({ authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` })))).toBe('unauthorized');
  });

  it('accepts a fresh HMAC signature once, with or without naming the key', async () => {
    const body = '<adf><prospect/></adf>';
    const first = await auth.authenticate('intake', request(signed(body), body));
    expect(first).toMatchObject({ ok: true, principal: { id: 'signer', provider: 'TrueCar' } });
    const named = await auth.authenticate('intake', request(signed(`${body} `, { keyId: 'signer' }), `${body} `));
    expect(ok(named)).toBe('signer');
    const other = '<adf/>';
    expect(ok(await auth.authenticate('intake', request(signed(other, { secret: 'second-secret-0123456789abcdef' }), other)))).toBe('signer-2');
    // The exact same request again is a replay.
    expect(ok(await auth.authenticate('intake', request(signed(body), body)))).toBe('unauthorized');
    // ...unless the first was not taken (the guard releases it on 429/5xx).
    if (first.ok) first.release?.();
    expect(ok(await auth.authenticate('intake', request(signed(body), body)))).toBe('signer');
  });

  it('refuses a bad signature, a changed body, a wrong key id and timestamps outside the tolerance', async () => {
    const body = '<adf>x</adf>';
    expect(ok(await auth.authenticate('intake', request(signed(body, { secret: 'not-the-secret-0123456789' }), body)))).toBe('unauthorized');
    expect(ok(await auth.authenticate('intake', request(signed(body), '<adf>y</adf>')))).toBe('unauthorized');
    expect(ok(await auth.authenticate('intake', request(signed(body, { keyId: 'signer-2' }), body)))).toBe('unauthorized');
    expect(ok(await auth.authenticate('intake', request(signed(body, { keyId: 'nobody' }), body)))).toBe('unauthorized');
    const tolerance = config.auth.hmacToleranceSeconds * 1000;
    expect(ok(await auth.authenticate('intake', request(signed(body, { at: NOW - tolerance - 1000 }), body)))).toBe('unauthorized');
    expect(ok(await auth.authenticate('intake', request(signed(body, { at: NOW + tolerance + 1000 }), body)))).toBe('unauthorized');
    expect(ok(await auth.authenticate('intake', request(signed(body, { at: NOW - tolerance + 1000 }), body)))).toBe('signer');
    const h = signed(body);
    expect(ok(await auth.authenticate('intake', request({ ...h, 'x-leadgate-signature': h['x-leadgate-signature'].slice(0, -2) }, body)))).toBe('unauthorized');
    expect(ok(await auth.authenticate('intake', request({ ...h, 'x-leadgate-timestamp': `${h['x-leadgate-timestamp']}.5` }, body)))).toBe('unauthorized');
  });

  it('forgets used signatures once their timestamps could no longer be accepted (bounded memory)', async () => {
    const body = '<adf>later</adf>';
    expect(ok(await auth.authenticate('intake', request(signed(body), body)))).toBe('signer');
    const remembered = () => (auth as unknown as { recent: { seen: Map<string, number> } }).recent.seen.size;
    expect(remembered()).toBeGreaterThan(1);
    now = NOW + 2 * config.auth.hmacToleranceSeconds * 1000 + 1000;
    try {
      // Stale now: the timestamp refuses it, the memory is no longer needed.
      expect(ok(await auth.authenticate('intake', request(signed(body), body)))).toBe('unauthorized');
      expect(ok(await auth.authenticate('intake', request(signed(body, { at: now }), body)))).toBe('signer');
      expect(remembered()).toBe(1);
    } finally {
      now = NOW;
    }
  });

  it('keeps the doors apart: intake credentials do not open admin endpoints, nor admin ones intake', async () => {
    expect(ok(await auth.authenticate('admin', request({ 'x-api-key': ADMIN_KEY })))).toBe('ops');
    expect(ok(await auth.authenticate('admin', request({ 'x-api-key': KEY })))).toBe('unauthorized');
    expect(ok(await auth.authenticate('intake', request({ 'x-api-key': ADMIN_KEY })))).toBe('unauthorized');
    expect(auth.challenge('intake')).toBe('Basic realm="leadgate", charset="UTF-8", Bearer realm="leadgate", LeadgateHMAC realm="leadgate"');
    expect(auth.challenge('admin')).toBe('Bearer realm="leadgate"');
  });

  it('a door without credentials is open to loopback callers only, and only while loopback is trusted', async () => {
    const open = new Authenticator({ ...DEFAULTS }, {});
    expect(ok(await open.authenticate('intake', request({}, '', true)))).toBe('anonymous');
    expect(ok(await open.authenticate('intake', request({ 'x-api-key': 'anything' }, '', true)))).toBe('anonymous');
    expect(ok(await open.authenticate('intake', request({}, '', false)))).toBe('forbidden');
    expect(ok(await open.authenticate('admin', request({}, '', true)))).toBe('anonymous');
    expect(ok(await open.authenticate('admin', request({}, '', false)))).toBe('forbidden');
    const closed = new Authenticator({ ...DEFAULTS, auth: { ...DEFAULTS.auth, allowLoopbackWithoutCredentials: false } }, {});
    expect(ok(await closed.authenticate('intake', request({}, '', true)))).toBe('forbidden');
    expect(ok(await closed.authenticate('admin', request({}, '', true)))).toBe('forbidden');
  });

  it('knows loopback addresses', () => {
    expect(['127.0.0.1', '127.8.9.1', '::1', '::ffff:127.0.0.1'].every(isLoopbackAddress)).toBe(true);
    expect(['192.0.2.2', '::ffff:192.0.2.2', 'fd00::2', '', '1.127.0.0'].some(isLoopbackAddress)).toBe(false);
  });
});

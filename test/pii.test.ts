// PII-safe operation end to end: a full run of every fixture (HTTP and email, accepted and refused) leaves no customer value in any log line at debug level, and erasing one customer removes them from the store, publishes a tombstone and leaves everyone else alone.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eraseCustomer, erasureTarget } from '../src/retention.js';
import { Database } from '../src/stores/sqlite-driver.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { expectValidEvent } from './support/schemas.js';

const REAL = new URL('../fixtures/real-leads/', import.meta.url);
const EMAILS = new URL('../fixtures/emails/', import.meta.url);
const xmlFiles = readdirSync(REAL).filter((f) => f.endsWith('.xml')).sort();
const textFiles = readdirSync(REAL).filter((f) => f.endsWith('.txt')).sort();
const emlFiles = readdirSync(EMAILS).filter((f) => f.endsWith('.eml')).sort();

/** Every value a customer gave us, from the reviewed expected outputs: names, emails, phones (raw and E.164), address lines, comments. */
function customerValues(): Set<string> {
  const values = new Set<string>();
  for (const dir of [REAL, EMAILS]) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.expected.json'))) {
      const expected = JSON.parse(readFileSync(new URL(f, dir), 'utf8'));
      if (!Array.isArray(expected)) continue; // a fixture that holds no lead
      for (const { customer: c } of expected) {
        const all = [c.name?.first, c.name?.last, c.name?.full, ...c.emails, ...c.phones.flatMap((p: { raw: string; e164?: string }) => [p.raw, p.e164]), ...(c.address?.lines ?? [])];
        // A comment reaches a log, if ever, truncated or whole: look for both.
        if (c.comments) all.push(c.comments, c.comments.slice(0, 24));
        // Shorter values ("Al", "Li") would match inside ordinary words; every longer one counts.
        for (const v of all) if (typeof v === 'string' && v.length >= 4) values.add(v);
      }
    }
  }
  return values;
}

/** Customer data sent down every refusal path: each must be refused (or kept as rejected) without the data reaching a log. */
const HOSTILE = { name: 'Zebulon Featherstonehaugh', email: 'zebulon.featherstonehaugh@example.org', phone: '(949) 287-6631', street: '9 Quillfeather Close' };
const hostileContact = `<name part="full">${HOSTILE.name}</name><email>${HOSTILE.email}</email><phone>${HOSTILE.phone}</phone><address><street line="1">${HOSTILE.street}</street></address>`;
const REFUSALS: Array<{ what: string; body: string | Buffer; path?: string; contentType: string; status: number[] }> = [
  { what: 'truncated ADF', body: `<?xml version="1.0"?><adf><prospect><customer><contact>${hostileContact}`, contentType: 'application/xml', status: [200, 422] },
  { what: 'DOCTYPE', body: `<?xml version="1.0"?><!DOCTYPE adf [<!ENTITY x "y">]><adf><prospect><customer><contact>${hostileContact}</contact></customer></prospect></adf>`, contentType: 'application/xml', status: [422] },
  { what: 'no prospect', body: `<adf><customer><contact>${hostileContact}</contact></customer></adf>`, contentType: 'application/xml', status: [422] },
  { what: 'not a lead', body: `Hello, I am ${HOSTILE.name}, write to ${HOSTILE.email} or call ${HOSTILE.phone}.`, contentType: 'text/plain', status: [422] },
  { what: 'wrong media type', body: `${HOSTILE.name} ${HOSTILE.email}`, contentType: 'image/png', status: [415] },
  { what: 'too large', body: `<adf><prospect><customer><contact>${hostileContact}</contact></customer><comments>${'x'.repeat(1024 * 1024)}</comments></prospect></adf>`, contentType: 'application/xml', status: [413] },
  { what: 'unknown adapter', path: '/v1/leads/no-such-adapter', body: `<adf><prospect><customer><contact>${hostileContact}</contact></customer></prospect></adf>`, contentType: 'application/xml', status: [404] },
  {
    what: 'email without a lead',
    path: '/v1/email',
    body: ['From: ' + HOSTILE.email, 'To: sales@dealer.example', 'Subject: hello from ' + HOSTILE.name, 'Message-ID: <pii-1@example.org>', '', `Call me at ${HOSTILE.phone}, I live at ${HOSTILE.street}.`].join('\r\n'),
    contentType: 'message/rfc822',
    status: [200, 422],
  },
  { what: 'broken Postmark JSON', path: '/v1/email/postmark', body: `{"From":"${HOSTILE.email}","TextBody":"${HOSTILE.name}`, contentType: 'application/json', status: [400, 415, 422] },
];

describe('PII-safe operation over a full run', () => {
  let gw: TestGateway;
  let pii: Set<string>;
  beforeAll(async () => {
    gw = await startTestGateway();
    pii = customerValues();
    for (const v of Object.values(HOSTILE)) pii.add(v);
  });
  afterAll(async () => {
    await gw.cleanup();
  });

  /** Every log line that carries a customer value, as "value in line-start". */
  const leaks = (): string[] => gw.logLines.flatMap((line) => [...pii].filter((v) => line.includes(v)).map((v) => `${v} in ${line.slice(0, 120)}`));
  const peek = <T>(sql: string, ...args: unknown[]): T[] => {
    const db = new Database(join(gw.dataDir, 'leadgate.db'), { readonly: true });
    try {
      return db.prepare(sql).all(...args) as T[];
    } finally {
      db.close();
    }
  };

  it('logs no customer value for any fixture, by HTTP or by email, accepted or refused', async () => {
    expect(pii.size).toBeGreaterThan(90);
    for (const f of xmlFiles) {
      const res = await gw.post(readFileSync(new URL(f, REAL)));
      expect([200, 422], f).toContain(res.status);
    }
    for (const f of textFiles) {
      const res = await gw.post(readFileSync(new URL(f, REAL)), { contentType: 'text/plain' });
      expect([200, 422], f).toContain(res.status);
    }
    for (const f of emlFiles) {
      const res = await gw.post(readFileSync(new URL(f, EMAILS)), { path: '/v1/email', contentType: 'message/rfc822' });
      expect([200, 422], f).toContain(res.status);
    }
    for (const r of REFUSALS) {
      const res = await gw.post(r.body, { path: r.path, contentType: r.contentType });
      expect(r.status, `${r.what}: ${res.status}`).toContain(res.status);
      // The reply names what went wrong, never what the customer wrote.
      expect(JSON.stringify(res.json)).not.toContain(HOSTILE.email);
    }
    await gw.drained();
    const events = await gw.events();
    expect(events.length).toBeGreaterThanOrEqual(xmlFiles.length);
    expect((await gw.events(gw.config.topics.rejected)).length).toBeGreaterThanOrEqual(5);
    // Every input has its outcome line, so there was something to scan.
    expect(gw.logLines.filter((l) => /"msg":"input (accepted|rejected)"/.test(l)).length).toBeGreaterThanOrEqual(xmlFiles.length + emlFiles.length);
    expect(leaks()).toEqual([]);
  });

  it('erases one customer: gone from the store, a tombstone published, a new lead gets a new customer, nobody else touched', async () => {
    const email = 'customer05@example.com'; // cargurus-1, also inside forward-outlook-attached-cargurus.eml
    const other = 'customer10@example.com'; // apollo-teamvelocity-website-1, also in quoted-printable-apollo.eml
    const holders = peek<{ customer_id: string; scope: string }>('SELECT customer_id, scope FROM customer_keys WHERE key = ?', `email:${email}`);
    expect(holders).toHaveLength(1);
    const customerId = holders[0].customer_id;
    const theirInputs = peek<{ input_id: string }>('SELECT DISTINCT input_id FROM leads WHERE customer_id = ?', customerId).map((r) => r.input_id);
    expect(theirInputs.length).toBeGreaterThanOrEqual(2); // the HTTP post and the forwarded email
    const otherId = peek<{ customer_id: string }>('SELECT customer_id FROM customer_keys WHERE key = ?', `email:${other}`)[0].customer_id;
    const otherInputs = peek<{ input_id: string }>('SELECT DISTINCT input_id FROM leads WHERE customer_id = ?', otherId).map((r) => r.input_id);
    const otherBytes = await Promise.all(otherInputs.map(async (id) => (await gw.store.getInput(id))!.bytes));

    const result = await eraseCustomer(gw.store, gw.config, erasureTarget(gw.config, { emails: [email.toUpperCase()] }));
    expect(result.customerIds).toEqual([customerId]);
    expect(result.inputs).toBe(theirInputs.length);
    gw.relay.notify();
    await gw.drained();

    // Gone from the store: no identity key, summaries redacted, raw bytes empty.
    expect(peek('SELECT * FROM customer_keys WHERE customer_id = ?', customerId)).toEqual([]);
    expect(peek<{ summary: string }>('SELECT summary FROM leads WHERE customer_id = ?', customerId).map((r) => JSON.parse(r.summary))).toEqual(
      theirInputs.map(() => ({ emails: [], phones: [], vehicles: [] })),
    );
    for (const id of theirInputs) expect((await gw.store.getInput(id))!.bytes.length).toBe(0);
    // The tombstone reached the sink, keyed and shaped as the schema says.
    const tombstone = (await gw.events()).find((e) => e.type === 'com.leadgate.customer.erased');
    expect(tombstone).toBeDefined();
    expectValidEvent(tombstone);
    expect(tombstone!.data).toEqual({ customerId, dealerId: holders[0].scope, erasedAt: result.erasedAt });

    // Everyone else is untouched.
    expect(peek('SELECT * FROM customer_keys WHERE customer_id = ?', otherId).length).toBeGreaterThan(0);
    expect(peek<{ summary: string }>('SELECT summary FROM leads WHERE customer_id = ?', otherId).every((r) => JSON.parse(r.summary).emails.includes(other))).toBe(true);
    for (const [i, id] of otherInputs.entries()) expect((await gw.store.getInput(id))!.bytes.equals(otherBytes[i])).toBe(true);

    // The same customer writing again is a stranger now: a new customer id, and a lead of its own.
    const again = await gw.post(readFileSync(new URL('cargurus-1.xml', REAL)));
    expect(again.status).toBe(200);
    expect(again.json.leads[0].outcome).toBe('received');
    expect(again.json.leads[0].customerId).not.toBe(customerId);
    await gw.drained();
    expect(leaks()).toEqual([]);
  });
});

// End to end over HTTP on embedded defaults: every real lead is accepted, committed and written as a schema-valid event; errors are problem+json with stable codes.
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { Database } from '../src/stores/sqlite-driver.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectValidEvent } from './support/schemas.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

const FIXTURES = new URL('../fixtures/real-leads/', import.meta.url);
/** EverLogic's published "required format" template is every element left blank: no lead, and rightly refused. */
const BLANK_TEMPLATE = 'published-everlogic-template-1.xml';
const xmlFixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.xml') && f !== BLANK_TEMPLATE).sort();
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES));

describe('HTTP intake on embedded defaults', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw.cleanup();
  });

  it('accepts every real-leads fixture and writes one schema-valid event per lead to the file log', async () => {
    const replies = [];
    for (const name of xmlFixtures) {
      const res = await gw.post(fixture(name));
      expect(res.status, `${name}: ${JSON.stringify(res.json)}`).toBe(200);
      expect(res.json.leads.length).toBeGreaterThan(0);
      replies.push(...res.json.leads);
    }
    const events = await gw.events(undefined, replies.length);
    expect(events).toHaveLength(replies.length);
    for (const ev of events) expectValidEvent(ev);
    // The reply and the event agree on ids, and the CloudEvents id is unique per event.
    expect(events.map((e) => e.data.leadId)).toEqual(replies.map((r) => r.leadId));
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    for (const ev of events) {
      expect(ev.partitionkey).toBe(ev.data.customerId);
      expect(ev.source).toBe(`/leadgate/dealers/${encodeURIComponent(ev.data.dealer.id)}`);
    }

    // Nothing a customer told us reaches the logs: scan every line for every value the events carry.
    const pii = new Set<string>();
    for (const { data } of events) {
      const c = data.customer;
      for (const v of [c.name?.first, c.name?.last, c.name?.full, ...c.emails, ...c.phones.map((p: { raw: string }) => p.raw), ...(c.address?.lines ?? []), c.comments?.slice(0, 24)]) {
        if (typeof v === 'string' && v.length >= 4) pii.add(v);
      }
    }
    expect(pii.size).toBeGreaterThan(40);
    expect(gw.logLines.length).toBeGreaterThanOrEqual(xmlFixtures.length);
    const leaks = gw.logLines.flatMap((line) => [...pii].filter((v) => line.includes(v)).map((v) => `${v} in ${line.slice(0, 80)}`));
    expect(leaks).toEqual([]);
  });

  it('refuses the blank EverLogic template as no_customer_contact and keeps it in the rejected stream', async () => {
    const res = await gw.post(fixture(BLANK_TEMPLATE));
    expect(res.status).toBe(422);
    expect(res.json.code).toBe('no_customer_contact');
    const rejected = await gw.events('leadgate.leads.rejected', 1);
    expect(rejected.some((e) => e.data.raw.base64 === fixture(BLANK_TEMPLATE).toString('base64'))).toBe(true);
  });

  it('answers a repost of the same lead as a duplicate of the first', async () => {
    const body = fixture('cargurus-1.xml');
    const first = await gw.post(body);
    const again = await gw.post(body);
    expect(again.status).toBe(200);
    expect(again.json.leads[0].outcome).toBe('duplicate');
    // The first post in this test may itself be a duplicate of the earlier test's post: both point at the original.
    const original = first.json.leads[0].duplicateOf ?? first.json.leads[0].leadId;
    expect(again.json.leads[0].duplicateOf).toBe(original);
    expect(again.json.leads[0].customerId).toBe(first.json.leads[0].customerId);
    await gw.drained();
    const events = await gw.events();
    const dup = events.find((e) => e.data.leadId === again.json.leads[0].leadId)!;
    expect(dup.type).toBe('com.leadgate.lead.duplicate');
    expect(dup.data.duplicateReason).toBe('same_bytes');
    expectValidEvent(dup);
  });

  it('takes the XML from a form-encoded field and from text/plain', async () => {
    const xml = fixture('truecar-pnc-1.xml').toString('utf8').replace('1142904505', '9990001');
    const form = await gw.post(`adf=${encodeURIComponent(xml)}`, { contentType: 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(200);
    const plain = await gw.post(xml.replace('9990001', '9990002'), { contentType: 'text/plain' });
    expect(plain.status).toBe(200);
  });

  it('reads a lead with the adapter named in the path', async () => {
    const res = await gw.post(fixture('star-hyundai-dealercom-tradein-1.xml'), { path: '/v1/leads/star' });
    expect(res.status).toBe(200);
    const unknown = await gw.post(fixture('cargurus-1.xml'), { path: '/v1/leads/nope' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.code).toBe('unknown_adapter');
  });

  it.each([
    ['empty body', '', 'application/xml', 400, 'empty_body'],
    ['an image', 'GIF89a....', 'image/gif', 415, 'unsupported_media_type'],
    ['prose', 'Hello, please call me back', 'text/plain', 422, 'not_a_lead'],
    ['XML that is not ADF', '<order><id>1</id></order>', 'application/xml', 422, 'not_a_lead'],
    ['a prospect with nobody to call', '<adf><prospect><requestdate>2025-01-01T00:00:00Z</requestdate><customer><contact></contact></customer></prospect></adf>', 'application/xml', 422, 'no_customer_contact'],
    ['an XXE attempt', '<?xml version="1.0"?><!DOCTYPE adf [<!ENTITY x SYSTEM "file:///etc/passwd">]><adf><prospect><customer><contact><name part="full">&x;</name></contact></customer></prospect></adf>', 'application/xml', 422, 'xml_doctype_forbidden'],
  ])('rejects %s with problem+json and keeps the raw bytes in the rejected stream', async (_label, body, contentType, status, code) => {
    await gw.drained();
    const before = (await gw.events('leadgate.leads.rejected')).length;
    const res = await gw.post(body, { contentType });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.json).toMatchObject({ status, code, type: expect.stringContaining(code.replace(/_/g, '-')), title: expect.any(String) });
    const rejected = await gw.events('leadgate.leads.rejected', before + 1);
    const ev = rejected[rejected.length - 1];
    expectValidEvent(ev);
    expect(ev.type).toBe('com.leadgate.lead.rejected');
    expect(ev.data.code).toBe(code);
    expect(Buffer.from(ev.data.raw.base64 ?? '', 'base64').toString()).toBe(body);
    const archived = await gw.store.getInput(ev.data.inputId);
    expect(archived?.bytes.toString()).toBe(body);
    expect(archived?.outcome).toBe('rejected');
  });

  it('refuses a body over the limit with 413', async () => {
    const res = await gw.post('<adf>' + ' '.repeat(gw.config.limits.maxBodyBytes + 10) + '</adf>');
    expect(res.status).toBe(413);
    expect(res.json.code).toBe('body_too_large');
  });

  it('counts a chunked body (no Content-Length) against the same limit', async () => {
    /** POST with Transfer-Encoding: chunked, the body in 4 KiB pieces. */
    const postChunked = (body: Buffer) =>
      new Promise<{ status: number; json: any }>((resolve, reject) => {
        const req = request(`${gw.url}/v1/leads`, { method: 'POST', headers: { 'content-type': 'application/xml' } }, (res) => {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(parts).toString() || 'null') }));
        });
        req.on('error', reject);
        for (let at = 0; at < body.length; at += 4096) req.write(body.subarray(at, at + 4096));
        req.end();
      });
    const ok = await postChunked(fixture(xmlFixtures[0]!));
    expect(ok.status).toBe(200);
    expect(ok.json.leads).toHaveLength(1);
    const big = await postChunked(Buffer.from('<adf>' + ' '.repeat(gw.config.limits.maxBodyBytes + 10) + '</adf>'));
    expect(big.status).toBe(413);
    expect(big.json.code).toBe('body_too_large');
  });

  it('serves health, readiness, metrics, adapters and the OpenAPI document', async () => {
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gw.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as any).checks.store).toBe('ok');
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/leadgate_leads_total\{channel="http",outcome="received"\} \d+/);
    expect(metrics).toMatch(/leadgate_inputs_rejected_total\{code="not_a_lead"\} \d+/);
    const adapters = (await (await fetch(`${gw.url}/v1/adapters`)).json()) as any;
    expect(adapters.adapters.map((a: { name: string }) => a.name)).toEqual(expect.arrayContaining(['adf', 'star']));
    const openapi = (await (await fetch(`${gw.url}/openapi.json`)).json()) as any;
    expect(openapi.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/v1/leads', '/v1/leads/{adapter}', '/healthz', '/readyz']));
  });
});

describe('when the store is unavailable', () => {
  it('answers 503 with Retry-After and takes the same lead once the store is back', async () => {
    const gw = await startTestGateway();
    // Another process holding the write lock: our transaction waits its busy timeout, then gives up.
    const other = new Database(join(gw.dataDir, 'leadgate.db'));
    try {
      other.exec('BEGIN EXCLUSIVE');
      const body = fixture('truecar-pnc-1.xml');
      const res = await gw.post(body);
      expect(res.status).toBe(503);
      expect(res.json.code).toBe('store_unavailable');
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      other.exec('ROLLBACK');
      const retry = await gw.post(body);
      expect(retry.status).toBe(200);
      expect(retry.json.leads[0].outcome).toBe('received');
    } finally {
      other.close();
      await gw.cleanup();
    }
  });
});

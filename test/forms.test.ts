// Website forms end to end: a real gateway over HTTP publishing to the Kafka-protocol broker; urlencoded, multipart and JSON posts, bots, CORS, the thank-you redirect, unknown forms, and one customer across a form and an ADF lead.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adfLead } from './support/adf-lead.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { consumeTopic } from './support/kafka-consume.js';
import { expectValidEvent } from './support/schemas.js';

const BROKERS = process.env.LEADGATE_TEST_KAFKA_BROKERS ?? '';
const SITE = 'https://www.example-kia.com';
const THANKS = 'https://www.example-kia.com/thank-you';
const suite = describe.skipIf(!BROKERS && process.env.LEADGATE_REQUIRE_KAFKA !== '1');

const json = (res: Response): Promise<any> => res.json();
const rendered = (secondsAgo: number) => String(Date.now() - secondsAgo * 1000);

suite('website forms end to end (Kafka)', () => {
  const tag = Math.random().toString(36).slice(2, 8);
  const topics = { leads: `forms-leads-${tag}`, rejected: `forms-rejected-${tag}` };
  let gw: TestGateway;
  /** Reply lead per customer name, as the posts below made them. */
  const replies = new Map<string, { leadId: string; customerId: string; outcome: string }>();

  beforeAll(async () => {
    gw = await startTestGateway(
      {
        topics,
        dealers: [
          {
            id: 'example-kia',
            name: 'Example Kia',
            vendorNames: ['Example Kia'],
            forms: [
              { key: 'example-kia-contact', origins: [SITE], minFillSeconds: 1 },
              { key: 'example-kia-trade', origins: [SITE], thankYouUrl: THANKS, provider: 'Example Kia Trade Tool', leadType: 'trade-appraisal' },
            ],
          },
        ],
      },
      { KAFKA_BROKERS: BROKERS },
    );
  });
  afterAll(async () => {
    await gw?.cleanup();
  });

  const url = (key: string) => `${gw.url}/v1/forms/${key}`;
  const send = (key: string, body: string | FormData, headers: Record<string, string> = {}) =>
    fetch(url(key), { method: 'POST', body, redirect: 'manual', headers: { origin: SITE, accept: 'application/json', ...headers } });
  const urlencoded = { 'content-type': 'application/x-www-form-urlencoded' };

  it('takes an urlencoded post', async () => {
    const body = new URLSearchParams({ first_name: 'Ana', last_name: 'Lima', email: 'Ana.Lima@Example.com', phone: '(714) 555-0142', vehicle: '2025 Kia EV9 Land', utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'ev9-launch', website: '', _lg_ts: rendered(20) });
    const res = await send('example-kia-contact', body.toString(), urlencoded);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(SITE);
    const reply = await json(res);
    expect(reply.leads).toEqual([{ leadId: expect.any(String), customerId: expect.any(String), outcome: 'received' }]);
    replies.set('Ana', reply.leads[0]);
  });

  it('takes a multipart post (fetch with FormData), ignoring a file upload', async () => {
    const fd = new FormData();
    fd.append('fname', 'Bo');
    fd.append('lname', 'Chen');
    fd.append('tel', '714-555-0143');
    fd.append('condition', 'Used');
    fd.append('photo', new Blob([Buffer.alloc(1024, 7)], { type: 'image/jpeg' }), 'car.jpg');
    fd.append('_lg_ts', rendered(20));
    const res = await send('example-kia-contact', fd);
    expect(res.status).toBe(200);
    replies.set('Bo', (await json(res)).leads[0]);
  });

  it('takes a JSON post with a nested customer', async () => {
    const res = await send('example-kia-contact', JSON.stringify({ customer: { name: 'Cy Diaz', email: 'cy@example.com' }, test_drive_date: 'Saturday 10am', _lg_ts: rendered(20) }), { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    replies.set('Cy', (await json(res)).leads[0]);
  });

  it('redirects a browser form submission to the thank-you page (303)', async () => {
    const body = new URLSearchParams({ name: 'Di Evans', email: 'di@example.com', trade_year: '2017', trade_make: 'Honda', trade_model: 'Accord', _lg_ts: rendered(20) });
    const res = await send('example-kia-trade', body.toString(), { ...urlencoded, accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(THANKS);
  });

  it('answers the honeypot and a too-fast post like a success, without publishing them as leads', async () => {
    const trap = await send('example-kia-contact', new URLSearchParams({ name: 'Spam Bot', email: 'bot@spam.example', website: 'http://spam.example', _lg_ts: rendered(20) }).toString(), urlencoded);
    expect(trap.status).toBe(200);
    expect(await json(trap)).toEqual({ leads: [] });
    const fast = await send('example-kia-contact', new URLSearchParams({ name: 'Fast Bot', email: 'fast@spam.example', _lg_ts: rendered(0) }).toString(), urlencoded);
    expect(fast.status).toBe(200);
    expect(await json(fast)).toEqual({ leads: [] });
  });

  it('allows only the configured origins (preflight and post), and knows no other forms', async () => {
    const preflight = await fetch(url('example-kia-contact'), { method: 'OPTIONS', headers: { origin: SITE, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    const deniedPreflight = await fetch(url('example-kia-contact'), { method: 'OPTIONS', headers: { origin: 'https://other-dealer.example', 'access-control-request-method': 'POST' } });
    expect(deniedPreflight.status).toBe(403);
    expect(deniedPreflight.headers.get('access-control-allow-origin')).toBeNull();
    const denied = await send('example-kia-contact', new URLSearchParams({ name: 'Eve Fox', email: 'eve@example.com', _lg_ts: rendered(20) }).toString(), { ...urlencoded, origin: 'https://other-dealer.example' });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    expect(denied.headers.get('content-type')).toBe('application/problem+json');
    expect((await json(denied)).code).toBe('form_origin_forbidden');
    const unknown = await send('no-such-form', new URLSearchParams({ name: 'Gus Hill', email: 'gus@example.com' }).toString(), urlencoded);
    expect(unknown.status).toBe(404);
    expect((await json(unknown)).code).toBe('unknown_form');
  });

  it('an ADF lead from the same shopper is the same customer as the form lead', async () => {
    const res = await gw.post(adfLead({ first: 'Ana', last: 'Lima', email: 'ana.lima@example.com' }, { vendor: 'Example Kia', make: 'Kia', model: 'Sorento', year: 2025, leadId: `LID-${tag}` }));
    expect(res.status).toBe(200);
    expect(res.json.leads[0].customerId).toBe(replies.get('Ana')!.customerId);
  });

  it('publishes first-party, schema-valid lead events to Kafka; the bots and refusals only to the rejected topic', async () => {
    const brokers = BROKERS.split(',');
    const leads = await consumeTopic(brokers, topics.leads, 5);
    for (const m of leads) expectValidEvent(m.value);
    const byEmail = new Map(leads.map((m) => [m.value.data.customer.emails[0] ?? m.value.data.customer.phones[0]?.e164, m.value.data]));
    expect([...byEmail.keys()].sort()).toEqual(['+17145550143', 'ana.lima@example.com', 'cy@example.com', 'di@example.com']);

    const formLeads = leads.filter((m) => m.value.data.source.adapter === 'form').map((m) => m.value.data);
    expect(formLeads).toHaveLength(4);
    for (const lead of formLeads) {
      expect(lead.party).toBe('first');
      expect(lead.dealer).toEqual({ id: 'example-kia', name: 'Example Kia' });
      expect(lead.source.channel).toBe('http-form');
    }
    const ana = formLeads.find((l) => l.customer.name?.first === 'Ana')!;
    expect(ana).toMatchObject({
      leadId: replies.get('Ana')!.leadId,
      source: { provider: 'Dealer Website', subSource: 'utm: google / cpc / ev9-launch' },
      customer: { emails: ['ana.lima@example.com'], phones: [{ e164: '+17145550142' }] },
      vehicles: [{ interest: 'buy', year: 2025, make: 'Kia', model: 'EV9', trim: 'Land' }],
    });
    expect(formLeads.find((l) => l.customer.name?.first === 'Bo')).toMatchObject({ leadType: 'sales-used', vehicles: [] });
    expect(formLeads.find((l) => l.customer.name?.first === 'Cy')).toMatchObject({ leadType: 'test-drive', customer: { comments: 'Test drive requested: Saturday 10am' } });
    const di = formLeads.find((l) => l.customer.name?.first === 'Di')!;
    expect(di).toMatchObject({ leadType: 'trade-appraisal', source: { provider: 'Example Kia Trade Tool' }, vehicles: [{ interest: 'trade-in', year: 2017, make: 'Honda', model: 'Accord' }] });

    // The ADF lead of the same shopper shares the customer id, so the Kafka key (per-customer order) is the same too.
    const adf = leads.find((m) => m.value.data.source.adapter !== 'form')!;
    expect(adf.value.data.customerId).toBe(ana.customerId);
    expect(adf.key).toBe(leads.find((m) => m.value.data.leadId === ana.leadId)!.key);

    const rejected = await consumeTopic(brokers, topics.rejected, 4);
    for (const m of rejected) expectValidEvent(m.value);
    expect(rejected.map((m) => m.value.data.code).sort()).toEqual(['form_honeypot', 'form_origin_forbidden', 'form_too_fast', 'unknown_form']);
  });
});

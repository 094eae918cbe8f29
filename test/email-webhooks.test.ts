// Inbound-email webhooks over real HTTP: raw MIME, SendGrid raw mode, Mailgun body-mime and Postmark JSON all become the same lead as the ADF posted directly.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { expectValidEvent } from './support/schemas.js';

const ADF = readFileSync(new URL('../fixtures/real-leads/truecar-pnc-1.xml', import.meta.url), 'utf8');

/** A minimal real-looking provider email whose plain-text body is the ADF document. */
/** The TrueCar lead with its own provider lead id and customer email, so tests do not dedupe each other. */
function adf(tag: string): string {
  return ADF.replace('1142904505', `70000${tag}`).replace(/customer02@example\.com/gi, `webhook${tag}@example.com`);
}

function mime(opts: { messageId: string; tag: string }): string {
  const body = adf(opts.tag);
  return [
    'From: TrueCar <pnc@leads.truecarmail.com>',
    'To: leads@dealer.example',
    'Subject: TrueCar / PNC: New Customer Inquiry',
    'Date: Fri, 17 Oct 2025 19:54:00 -0700',
    `Message-ID: <${opts.messageId}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
  ].join('\r\n');
}

describe('inbound-email webhooks', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw.cleanup();
  });

  const leadOf = async (leadId: string) => {
    await gw.drained();
    const ev = (await gw.events()).find((e) => e.data.leadId === leadId);
    expect(ev, 'event for the lead').toBeDefined();
    expectValidEvent(ev);
    return ev!.data;
  };

  it('takes a raw message posted as message/rfc822 and reads the same lead as the ADF itself', async () => {
    const direct = await gw.post(adf('01'));
    const viaEmail = await gw.post(mime({ messageId: 'a1@truecarmail.com', tag: '01' }), { path: '/v1/email', contentType: 'message/rfc822' });
    expect(viaEmail.status).toBe(200);
    const a = await leadOf(direct.json.leads[0].leadId);
    const b = await leadOf(viaEmail.json.leads[0].leadId);
    // Same customer, same vehicle: the email copy is a duplicate of the direct post, with the same content.
    expect(viaEmail.json.leads[0]).toMatchObject({ outcome: 'duplicate', duplicateOf: direct.json.leads[0].leadId });
    expect(b.customer).toEqual(a.customer);
    expect(b.vehicles).toEqual(a.vehicles);
    expect(b.dealer).toEqual(a.dealer);
    expect(b.source.channel).toBe('webhook-adf');
  });

  it('SendGrid Inbound Parse (raw mode): the "email" field, and a redelivery is a duplicate by Message-ID', async () => {
    const form = () => {
      const f = new FormData();
      f.set('to', 'leads@dealer.example');
      f.set('from', 'pnc@leads.truecarmail.com');
      f.set('subject', 'TrueCar / PNC: New Customer Inquiry');
      f.set('email', mime({ messageId: 'sg-1@truecarmail.com', tag: '03' }));
      return f;
    };
    const first = await fetch(`${gw.url}/v1/email/sendgrid`, { method: 'POST', body: form() });
    expect(first.status).toBe(200);
    const firstJson = (await first.json()) as any;
    expect(firstJson.leads[0].outcome).toBe('received');
    const again = (await (await fetch(`${gw.url}/v1/email/sendgrid`, { method: 'POST', body: form() })).json()) as any;
    expect(again.leads[0]).toMatchObject({ outcome: 'duplicate', duplicateOf: firstJson.leads[0].leadId });
    expect((await leadOf(firstJson.leads[0].leadId)).source.channel).toBe('webhook-sendgrid-adf');
  });

  it('Mailgun: the "body-mime" field (sent as a file part)', async () => {
    const f = new FormData();
    f.set('recipient', 'leads@dealer.example');
    f.set('body-mime', new Blob([mime({ messageId: 'mg-1@truecarmail.com', tag: '04' })], { type: 'message/rfc822' }), 'message.eml');
    const res = await fetch(`${gw.url}/v1/email/mailgun`, { method: 'POST', body: f });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).leads[0].outcome).toBe('received');
  });

  it('Postmark: rebuilt from TextBody, or taken whole from RawEmail', async () => {
    const parsed = await gw.post(
      JSON.stringify({
        MessageID: 'pm-1',
        From: 'pnc@leads.truecarmail.com',
        To: 'leads@dealer.example',
        Subject: 'TrueCar / PNC: New Customer Inquiry',
        Date: 'Fri, 17 Oct 2025 19:54:00 -0700',
        TextBody: adf('05'),
        Headers: [{ Name: 'Message-ID', Value: '<pm-1@truecarmail.com>' }],
      }),
      { path: '/v1/email/postmark', contentType: 'application/json' },
    );
    expect(parsed.status).toBe(200);
    expect(parsed.json.leads[0].outcome).toBe('received');
    const raw = await gw.post(JSON.stringify({ RawEmail: mime({ messageId: 'pm-2@truecarmail.com', tag: '06' }) }), { path: '/v1/email/postmark', contentType: 'application/json' });
    expect(raw.json.leads[0].outcome).toBe('received');
  });

  it('a message that holds no lead is answered 200 with the rejection, and kept in the rejected stream', async () => {
    await gw.drained();
    const before = (await gw.events('leadgate.leads.rejected')).length;
    const res = await gw.post(JSON.stringify({ From: 'someone@example.com', Subject: 'Lunch?', TextBody: 'Are we still on for lunch tomorrow?' }), { path: '/v1/email/postmark', contentType: 'application/json' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ leads: [], rejected: { code: 'not_a_lead' } });
    const rejected = await gw.events('leadgate.leads.rejected', before + 1);
    expectValidEvent(rejected[rejected.length - 1]);
    expect(Buffer.from(rejected[rejected.length - 1].data.raw.base64, 'base64').toString()).toContain('Subject: Lunch?');
  });

  it('says what is missing when a webhook is misconfigured', async () => {
    const f = new FormData();
    f.set('text', 'parsed mode instead of raw mode');
    const res = await fetch(`${gw.url}/v1/email/sendgrid`, { method: 'POST', body: f });
    expect(res.status).toBe(422);
    expect(((await res.json()) as any).detail).toContain('"email" field');
    const unknown = await gw.post('x', { path: '/v1/email/yahoo', contentType: 'text/plain' });
    expect(unknown.status).toBe(404);
  });
});

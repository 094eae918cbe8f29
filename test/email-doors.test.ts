// Issue 3's promise end to end through `startGateway`'s own wiring: the same provider email forwarded to the SMTP port, dropped into a watched IMAP folder or posted to the webhook yields the lead that posting its ADF over HTTP yields.
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dovecotAvailable, startDovecot, type Dovecot } from './support/dovecot.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { expectValidEvent } from './support/schemas.js';

const ADF = readFileSync(new URL('../fixtures/real-leads/autotrader-wallet-1.xml', import.meta.url), 'utf8');
const EMAIL = [
  'From: AutoTrader <dealerleads@autotrader.com>',
  'To: leads+huntington-beach-mazda@leads.example.test',
  'Subject: Wallet Lead: Autotrader Vehicle: Certified 2022 MAZDA CX-9 - Owner 100008806',
  'Date: Sat, 18 Oct 2025 10:19:50 -0400',
  'Message-ID: <wallet-758671792@autotrader.com>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  '',
  ADF,
].join('\r\n');

/** The parts of a lead that must not depend on the door it came through. */
function content(lead: any) {
  const { leadId: _l, customerId: _c, receivedAt: _r, raw: _raw, warnings: _w, source, ...rest } = lead;
  return { ...rest, provider: source.provider, service: source.service, externalIds: source.externalIds };
}

describe.skipIf(!dovecotAvailable() && process.env.LEADGATE_REQUIRE_IMAP !== '1')('one lead, four doors', () => {
  let dovecot: Dovecot;
  const gateways: TestGateway[] = [];
  beforeAll(async () => {
    dovecot = await startDovecot();
  });
  afterAll(async () => {
    for (const gw of gateways) await gw.cleanup();
    await dovecot?.stop();
  });

  /** A fresh gateway per door, so each lead is new (not a duplicate of another door's). */
  async function gateway(extra: Record<string, unknown> = {}): Promise<TestGateway> {
    const gw = await startTestGateway({ dealers: [{ id: 'huntington-beach-mazda', name: 'Huntington Beach Mazda', vendorIds: ['100008806'] }], ...extra });
    gateways.push(gw);
    return gw;
  }

  async function onlyLead(gw: TestGateway): Promise<any> {
    const events = await gw.events(undefined, 1);
    await gw.drained();
    expect(events).toHaveLength(1);
    expectValidEvent(events[0]);
    expect(events[0].type).toBe('com.leadgate.lead.received');
    return events[0].data;
  }

  it('HTTP, SMTP, IMAP and the email webhook publish the same lead', async () => {
    const http = await gateway();
    expect((await http.post(ADF)).status).toBe(200);
    const viaHttp = await onlyLead(http);

    const smtp = await gateway({ smtp: { port: 0, domains: ['leads.example.test'] } });
    const mailer = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.smtpPort, secure: false, ignoreTLS: true } as SMTPTransport.Options);
    const sent = await mailer.sendMail({ envelope: { from: 'dealerleads@autotrader.com', to: ['leads+huntington-beach-mazda@leads.example.test'] }, raw: EMAIL });
    expect(sent.response).toMatch(/^250 /);
    mailer.close();
    const viaSmtp = await onlyLead(smtp);

    await dovecot.createFolder('doors');
    const imap = await gateway({
      imap: { mailboxes: [{ name: 'doors', host: dovecot.host, port: dovecot.port, secure: false, user: dovecot.user, password: dovecot.password, folder: 'doors', pollSeconds: 60 }] },
    });
    await dovecot.append('doors', EMAIL);
    const viaImap = await onlyLead(imap);
    const ready = (await (await fetch(`${imap.url}/readyz`)).json()) as any;
    expect(ready.checks.imap).toEqual([expect.objectContaining({ name: 'doors', connected: true })]);

    const hook = await gateway();
    expect((await hook.post(EMAIL, { path: '/v1/email', contentType: 'message/rfc822' })).status).toBe(200);
    const viaWebhook = await onlyLead(hook);

    expect(viaHttp.dealer).toEqual({ id: 'huntington-beach-mazda', name: 'Huntington Beach Mazda' });
    for (const lead of [viaSmtp, viaImap, viaWebhook]) expect(content(lead)).toEqual(content(viaHttp));
    expect([viaHttp, viaSmtp, viaImap, viaWebhook].map((l) => l.source.channel)).toEqual(['http-adf', 'smtp-adf', 'imap-adf', 'webhook-adf']);
  });
});

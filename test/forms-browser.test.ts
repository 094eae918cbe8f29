// A real headless Chromium (Debian's chromium) fills a dealer's web page served from another loopback origin and submits it to leadgate: by fetch() (CORS preflight, JSON reply) and as a plain HTML form (303 to the thank-you page); the lead is read back from Kafka.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { consumeTopic } from './support/kafka-consume.js';
import { expectValidEvent } from './support/schemas.js';

const CHROMIUM = process.env.LEADGATE_CHROMIUM ?? '/usr/bin/chromium';
const BROKERS = process.env.LEADGATE_TEST_KAFKA_BROKERS ?? '';
const hasChromium = existsSync(CHROMIUM);
const suite = describe.skipIf((!hasChromium && process.env.LEADGATE_REQUIRE_CHROMIUM !== '1') || (!BROKERS && process.env.LEADGATE_REQUIRE_KAFKA !== '1'));

/** The dealer's contact page, as the README tells a dealer to write it: honeypot, render timestamp, and either a plain post or fetch(). */
function dealerPage(action: string, mode: 'fetch' | 'post'): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Example Kia – Contact us</title>
<style>.lg-hp { position: absolute; left: -10000px; }</style></head>
<body>
<form id="lead" action="${action}" method="post">
  <label>First name <input name="first_name" required></label>
  <label>Last name <input name="last_name" required></label>
  <label>Email <input type="email" name="email" required></label>
  <label>Phone <input type="tel" name="phone"></label>
  <label>Vehicle <input name="vehicle"></label>
  <label>Comments <textarea name="comments"></textarea></label>
  <input type="hidden" name="utm_source" value="facebook">
  <input type="hidden" name="utm_medium" value="paid-social">
  <div class="lg-hp" aria-hidden="true"><label>Website <input name="website" tabindex="-1" autocomplete="off"></label></div>
  <input type="hidden" name="_lg_ts" value="">
  <button type="submit">Send</button>
</form>
<pre id="result"></pre>
<script>
  document.querySelector('input[name=_lg_ts]').value = String(Date.now());
  ${
    mode === 'fetch'
      ? `document.getElementById('lead').addEventListener('submit', async (event) => {
    event.preventDefault();
    const fields = Object.fromEntries(new FormData(event.target));
    const out = document.getElementById('result');
    try {
      const res = await fetch(event.target.action, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(fields) });
      out.textContent = JSON.stringify({ status: res.status, body: await res.json() });
    } catch (err) {
      out.textContent = JSON.stringify({ error: String(err) });
    }
  });`
      : ''
  }
</script>
</body></html>`;
}

suite('a real browser posts a dealer page to leadgate', () => {
  const tag = Math.random().toString(36).slice(2, 8);
  const topics = { leads: `browser-leads-${tag}`, rejected: `browser-rejected-${tag}` };
  let site: Server;
  let siteOrigin: string;
  let otherOrigin: string;
  let gw: TestGateway;
  let browser: Browser;
  const thanksSeen: string[] = [];

  beforeAll(async () => {
    // The dealer's site: its own origin on loopback (localhost:PORT); 127.0.0.1:PORT is a different origin the form does not allow.
    site = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/thanks') {
        thanksSeen.push(req.method ?? '');
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><h1>Thank you</h1>');
      } else if (path === '/contact-fetch' || path === '/contact-post') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(dealerPage(`${gw.url}/v1/forms/example-kia-web`, path === '/contact-fetch' ? 'fetch' : 'post'));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    const port = (site.address() as AddressInfo).port;
    siteOrigin = `http://localhost:${port}`;
    otherOrigin = `http://127.0.0.1:${port}`;
    gw = await startTestGateway(
      {
        topics,
        dealers: [
          {
            id: 'example-kia',
            name: 'Example Kia',
            forms: [{ key: 'example-kia-web', origins: [siteOrigin], minFillSeconds: 1, thankYouUrl: `${siteOrigin}/thanks` }],
          },
        ],
      },
      { KAFKA_BROKERS: BROKERS },
    );
    // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.cleanup();
    await new Promise((r) => site?.close(r));
  });

  /** Type like a person (key by key), and take longer than the form's minFillSeconds. */
  async function fill(page: Page, who: { first: string; last: string; email: string; phone: string; vehicle: string; comments: string }): Promise<void> {
    await page.locator('input[name=first_name]').pressSequentially(who.first, { delay: 40 });
    await page.locator('input[name=last_name]').pressSequentially(who.last, { delay: 40 });
    await page.locator('input[name=email]').pressSequentially(who.email, { delay: 20 });
    await page.locator('input[name=phone]').pressSequentially(who.phone, { delay: 20 });
    await page.locator('input[name=vehicle]').pressSequentially(who.vehicle, { delay: 20 });
    await page.locator('textarea[name=comments]').pressSequentially(who.comments, { delay: 10 });
    await page.waitForTimeout(1100);
  }

  it('fetch() from the dealer page: the CORS preflight passes and the page reads the JSON reply', async () => {
    const page = await browser.newPage();
    await page.goto(`${siteOrigin}/contact-fetch`);
    await fill(page, { first: 'Maria', last: 'Gonzalez', email: 'maria.gonzalez@example.com', phone: '(714) 555-0199', vehicle: '2025 Kia Sportage X-Pro', comments: 'Can I see it Saturday?' });
    await page.click('button[type=submit]');
    await page.waitForFunction("document.getElementById('result').textContent !== ''");
    const result = JSON.parse((await page.textContent('#result'))!);
    expect(result).toEqual({ status: 200, body: { leads: [{ leadId: expect.any(String), customerId: expect.any(String), outcome: 'received' }] } });
    await page.close();
  });

  it('a plain HTML form post lands on the thank-you page (303)', async () => {
    const page = await browser.newPage();
    await page.goto(`${siteOrigin}/contact-post`);
    await fill(page, { first: 'Tom', last: 'Becker', email: 'tom.becker@example.com', phone: '714-555-0188', vehicle: '2024 Kia Telluride', comments: 'Best price?' });
    await Promise.all([page.waitForURL(`${siteOrigin}/thanks`), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Thank you');
    expect(thanksSeen).toEqual(['GET']);
    await page.close();
  });

  it('the same page served from an origin the form does not list cannot post (the browser blocks it)', async () => {
    const page = await browser.newPage();
    await page.goto(`${otherOrigin}/contact-fetch`);
    await fill(page, { first: 'Nope', last: 'Nobody', email: 'nope@example.com', phone: '714-555-0177', vehicle: '', comments: '' });
    await page.click('button[type=submit]');
    await page.waitForFunction("document.getElementById('result').textContent !== ''");
    const result = JSON.parse((await page.textContent('#result'))!);
    expect(result.error).toMatch(/Failed to fetch/);
    await page.close();
  });

  it('both posts become first-party lead.received events on Kafka, with the customer as typed', async () => {
    const events = await consumeTopic(BROKERS.split(','), topics.leads, 2);
    for (const e of events) expectValidEvent(e.value);
    expect(events.map((e) => e.value.type)).toEqual(['com.leadgate.lead.received', 'com.leadgate.lead.received']);
    const byName = new Map(events.map((e) => [e.value.data.customer.name.first, e.value.data]));
    for (const lead of byName.values()) {
      expect(lead.party).toBe('first');
      expect(lead.dealer).toEqual({ id: 'example-kia', name: 'Example Kia' });
      expect(lead.source).toMatchObject({ channel: 'http-form', adapter: 'form', provider: 'Dealer Website', subSource: 'utm: facebook / paid-social' });
      expect(lead.warnings.map((w: { code: string }) => w.code)).not.toContain('form_fill_time_unknown');
    }
    expect(byName.get('Maria')).toMatchObject({
      customer: { name: { first: 'Maria', last: 'Gonzalez' }, emails: ['maria.gonzalez@example.com'], phones: [{ e164: '+17145550199' }], comments: 'Can I see it Saturday?' },
      vehicles: [{ interest: 'buy', year: 2025, make: 'Kia', model: 'Sportage', trim: 'X-Pro' }],
    });
    expect(byName.get('Tom')).toMatchObject({
      customer: { name: { first: 'Tom', last: 'Becker' }, emails: ['tom.becker@example.com'], phones: [{ e164: '+17145550188' }] },
      vehicles: [{ year: 2024, make: 'Kia', model: 'Telluride' }],
    });
  });
});

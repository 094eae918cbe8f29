// The email corpus (fixtures/emails/*.eml): each message through the pipeline as SMTP would deliver it, compared with its expected leads (UPDATE_EXPECTED=1 rewrites them — review the diff).
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import type { Lead } from '../src/lead.js';
import { silentLogger } from '../src/log.js';
import { offlineLead, Pipeline } from '../src/pipeline/index.js';
import { readInput } from '../src/pipeline/read.js';
import { SqliteStore } from '../src/stores/sqlite.js';
import { tempDir } from './support/gateway.js';
import { expectGolden, leadsOrRejection } from './support/golden.js';

const DIR = new URL('../fixtures/emails/', import.meta.url);
const REAL = new URL('../fixtures/real-leads/', import.meta.url);
const files = readdirSync(DIR).filter((f) => f.endsWith('.eml')).sort();
const pipeline = new Pipeline(loadConfig({ env: {} }), undefined, silentLogger);
const RECEIVED_AT = '2026-01-15T17:00:00.000Z';
const bytesOf = (file: string): Buffer => readFileSync(new URL(file, DIR));

async function leadsOf(file: string): Promise<Lead[]> {
  return (await pipeline.prepare({ bytes: bytesOf(file), contentType: 'message/rfc822', transport: 'smtp', receivedAt: RECEIVED_AT })).map(offlineLead);
}

/** The real lead each message carries: posting that ADF/STAR over HTTP must give the same lead. */
const PAYLOADS: Record<string, string> = {
  'plain-body-truecar-pnc.eml': 'truecar-pnc-1',
  'html-escaped-autotrader-wallet.eml': 'autotrader-wallet-1',
  'quoted-printable-apollo.eml': 'apollo-teamvelocity-website-1',
  'base64-mazda-roadster.eml': 'mazda-digital-roadster-1',
  'attachment-xml-dealerrater.eml': 'carscom-dealerrater-1',
  'xml-part-mazda-cpo.eml': 'mazda-digital-teamvelocity-cpo-1',
  'body-and-attachment-costco.eml': 'costco-auto-options-2',
  'forward-gmail-truecar-used.eml': 'truecar-truecar-used-2',
  'forward-quoted-carnow-chat.eml': 'mazda-digital-carnow-chat-1',
  'forward-outlook-attached-cargurus.eml': 'cargurus-1',
  'charset-iso-8859-1-kia.eml': 'kia-digital-teamvelocity-fullline-1',
  'star-body-hyundai.eml': 'star-hyundai-dealercom-tradein-1',
};

/** Where each message hides its lead: the warnings that must say so. */
const PLACEMENT: Record<string, string[]> = {
  'plain-body-truecar-pnc.eml': [],
  'html-escaped-autotrader-wallet.eml': ['email_lead_in_html', 'email_html_escaped'],
  'quoted-printable-apollo.eml': [],
  'base64-mazda-roadster.eml': [],
  'attachment-xml-dealerrater.eml': ['email_lead_in_attachment'],
  'xml-part-mazda-cpo.eml': ['email_lead_in_xml_part'],
  'body-and-attachment-costco.eml': ['email_duplicate_document'],
  'forward-gmail-truecar-used.eml': ['email_lead_forwarded'],
  'forward-quoted-carnow-chat.eml': ['email_lead_forwarded', 'email_quote_prefix_removed'],
  'forward-outlook-attached-cargurus.eml': ['email_lead_forwarded'],
  'charset-iso-8859-1-kia.eml': [],
  'star-body-hyundai.eml': [],
};

const EMAIL_CODE = /^email_/;

describe('email fixtures', () => {
  it('covers every placement and layout', () => {
    expect(files.length).toBeGreaterThanOrEqual(19);
    for (const f of Object.keys(PAYLOADS)) expect(files).toContain(f);
  });

  it.each(files)('%s matches its expected leads', async (file) => {
    const result = await leadsOrRejection(() => leadsOf(file));
    expectGolden(new URL(file.replace(/\.eml$/, '.expected.json'), DIR), result, 'test/emails.test.ts');
  });

  it.each(Object.entries(PAYLOADS))('%s gives the same lead as posting %s over HTTP (but channel, raw and placement warnings)', async (file, payload) => {
    const [lead] = await leadsOf(file);
    const [http] = JSON.parse(readFileSync(new URL(`${payload}.expected.json`, REAL), 'utf8')) as Lead[];
    const strip = (l: Lead) => {
      // customerId is derived from the raw bytes when a lead has no usable email/phone (phone-only leads with redacted numbers).
      const { leadId: _id, customerId: _customer, raw: _raw, warnings, source, ...rest } = l;
      return { ...rest, source: { ...source, channel: undefined }, warnings: warnings.filter((w) => !EMAIL_CODE.test(w.code)) };
    };
    expect(strip(lead!)).toEqual(strip(http!));
    expect(lead!.source.channel).toBe(payload.startsWith('star-') ? 'smtp-star' : 'smtp-adf');
    expect(lead!.warnings.filter((w) => EMAIL_CODE.test(w.code)).map((w) => w.code)).toEqual(PLACEMENT[file]);
  });

  it('plain-text leads carry text_parsed, channel smtp-text, and a provider from the sender where catalogued', async () => {
    const expectProvider: Record<string, string> = {
      'text-cargurus-uk.eml': 'CarGurus',
      'text-carscom-unlabeled.eml': 'Cars.com',
      'text-carfax.eml': 'CARFAX',
      'text-facebook-tvmnotify.eml': 'Facebook',
      'text-website-form.eml': 'Dealer Website',
      'text-cazoo-indented.eml': 'unknown',
    };
    // The provider adapter that refined the lead names itself in source.adapter; without one, the format does.
    const expectAdapter: Record<string, string> = { 'text-cargurus-uk.eml': 'cargurus', 'text-carscom-unlabeled.eml': 'carscom', 'text-carfax.eml': 'carfax', 'text-facebook-tvmnotify.eml': 'facebook' };
    for (const [file, provider] of Object.entries(expectProvider)) {
      const [lead] = await leadsOf(file);
      expect(lead!.source.channel, file).toBe('smtp-text');
      expect(lead!.source.adapter, file).toBe(expectAdapter[file] ?? 'text');
      expect(lead!.source.provider, file).toBe(provider);
      const codes = lead!.warnings.map((w) => w.code);
      expect(codes[0], file).toBe('text_parsed');
      expect(codes.includes('provider_from_sender'), file).toBe(!['Dealer Website', 'unknown'].includes(provider));
    }
  });

  it('the CarGurus UK notification is the lead a dealer wants', async () => {
    const [lead] = await leadsOf('text-cargurus-uk.eml');
    expect(lead!.customer).toEqual({
      name: { first: 'firstname', last: 'lastname', full: 'firstname lastname' },
      emails: ['customer26@example.com'],
      phones: [{ raw: '07700 900126' }],
      address: { lines: [], postalCode: 'N0 0AA' },
      preferredContact: 'email',
      comments: expect.stringMatching(/^I'm interested in this 2001 Porsche Boxster/),
    });
    expect(lead!.vehicles).toEqual([{ interest: 'buy', year: 2001, make: 'Porsche', model: 'Boxster', trim: '3.2 S 2dr Tiptronic S', stock: '1924223', price: { amount: 10995, currency: 'GBP' } }]);
    expect(lead!.requestedAt).toBe('2025-08-19T14:07:31+01:00');
  });

  it('phishing imitating a lead notification is not a lead', async () => {
    await expect(leadsOf('phishing-no-contact.eml')).rejects.toMatchObject({ code: 'not_a_lead' });
  });
});

describe('reading an email input', () => {
  it('gives the Message-ID as idempotency key (no angle brackets, lower-cased)', async () => {
    const r = await readInput({ bytes: bytesOf('plain-body-truecar-pnc.eml'), contentType: 'message/rfc822', transport: 'file', receivedAt: RECEIVED_AT });
    expect(r.idempotencyKey).toBe('msgid:0f3a9c1e.7d2b.4c55.9e1a.5b8d2f64c0a1@leads.truecarmail.com');
    expect(r.adapter.name).toBe('adf');
    const outlook = await readInput({ bytes: bytesOf('forward-outlook-attached-cargurus.eml'), contentType: 'message/rfc822; charset=utf-8', transport: 'imap', receivedAt: RECEIVED_AT });
    expect(outlook.idempotencyKey).toBe('msgid:sj0pr11mb5678a1b2c3d4e5f6a7b8c9d0e1f2@sj0pr11mb5678.namprd11.prod.outlook.com');
  });

  it('a transport idempotency key still wins in the pipeline', async () => {
    const [p] = await pipeline.prepare({ bytes: bytesOf('text-carfax.eml'), contentType: 'message/rfc822', transport: 'smtp', receivedAt: RECEIVED_AT, idempotencyKey: 'smtp:abc' });
    expect(p!.idempotencyKey).toBe('smtp:abc');
  });

  it('a message without any lead is rejected with not_a_lead, never a crash', async () => {
    const empty = Buffer.from('From: a@example.com\r\nSubject: hello\r\nMessage-ID: <x@y>\r\n\r\nSee you Monday.\r\n');
    await expect(readInput({ bytes: empty, contentType: 'message/rfc822', transport: 'smtp', receivedAt: RECEIVED_AT })).rejects.toMatchObject({ code: 'not_a_lead' });
  });

  it('an unreadable lead XML falls back to the text of the email only when that names a customer', async () => {
    const email = (body: string) => Buffer.from(`From: a@example.com\r\nMessage-ID: <b@y>\r\n\r\n${body}\r\n`);
    const broken = '<adf><prospect><customer><contact></prospect></foo></adf>';
    await expect(readInput({ bytes: email(broken), contentType: 'message/rfc822', transport: 'smtp', receivedAt: RECEIVED_AT })).rejects.toMatchObject({ code: 'xml_malformed' });
    const r = await readInput({ bytes: email(`Name: Pat Doe\r\nPhone: 555-010-0150\r\n\r\n${broken}`), contentType: 'message/rfc822', transport: 'smtp', receivedAt: RECEIVED_AT });
    expect(r.adapter.name).toBe('text');
    expect(r.warnings.map((w) => w.code)).toEqual(['email_xml_unreadable']);
    expect(r.drafts[0]!.customer.names).toEqual([{ value: 'Pat Doe', part: 'full' }]);
  });
});

describe('the same email delivered twice (real SQLite store)', () => {
  let dir: string;
  let store: SqliteStore;
  let ingesting: Pipeline;

  beforeEach(() => {
    dir = tempDir();
    store = new SqliteStore(join(dir, 'leadgate.db'));
    ingesting = new Pipeline(loadConfig({ env: {}, overrides: { dataDir: dir } }), store, silentLogger);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ingest = (bytes: Buffer, at: string) => ingesting.ingest({ bytes, contentType: 'message/rfc822', transport: 'smtp', receivedAt: at });

  it('is a duplicate by Message-ID, even when a relay added headers (different bytes)', async () => {
    const bytes = bytesOf('text-carscom-unlabeled.eml');
    const first = await ingest(bytes, '2025-10-15T21:30:20.000Z');
    expect(first.leads[0]!.outcome).toBe('received');
    const relayed = Buffer.concat([Buffer.from('Received: from mx2.edealerhub.com by mx1.edealerhub.com; Wed, 15 Oct 2025 21:31:02 +0000\r\nDelivered-To: sales@missionviejokia.edealerhub.com\r\n'), bytes]);
    const again = await ingest(relayed, '2025-10-15T21:31:02.000Z');
    expect(again.leads[0]).toMatchObject({ outcome: 'duplicate', duplicateOf: first.leads[0]!.leadId });
    expect(again.published[0]!.duplicateReason).toBe('same_idempotency_key');
  });

  it('identical bytes are a duplicate too, and an ADF email dedupes the same way', async () => {
    const bytes = bytesOf('plain-body-truecar-pnc.eml');
    const first = await ingest(bytes, '2025-10-18T02:54:10.000Z');
    const again = await ingest(bytes, '2025-10-18T02:55:10.000Z');
    expect(again.leads[0]).toMatchObject({ outcome: 'duplicate', duplicateOf: first.leads[0]!.leadId });
    expect(again.published[0]!.duplicateReason).toBe('same_bytes');
    const forwarded = Buffer.concat([Buffer.from('X-Forwarded-By: imap-poller\r\n'), bytes]);
    const third = await ingest(forwarded, '2025-10-18T02:56:10.000Z');
    expect(third.published[0]!.duplicateReason).toBe('same_idempotency_key');
  });
});

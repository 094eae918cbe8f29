// Metrics: bounded label values, latency, the "source went quiet" gauges, outbox gauges read from a real SQLite store, and /metrics of a running gateway.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register as globalRegistry, Counter } from 'prom-client';
import { loadConfig } from './config.js';
import { Metrics, metricsOptionsFrom } from './metrics.js';
import { SqliteStore } from './stores/sqlite.js';
import { adfLead } from '../test/support/adf-lead.js';
import { startTestGateway, tempDir, type TestGateway } from '../test/support/gateway.js';

const lead = (dealer: string, provider: string) => ({ dealer: { id: dealer, name: dealer }, source: { channel: 'http-adf', adapter: 'adf', provider, externalIds: [] } });

/** The value of one sample line, e.g. sample(text, 'leadgate_intake_total{dealer="x",provider="y",outcome="received"}'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('Metrics', () => {
  it('uses its own registry: the global prom-client registry never shows up, and two instances do not share values', async () => {
    const stray = new Counter({ name: 'some_library_total', help: 'registered globally by someone else' });
    stray.inc();
    try {
      const a = new Metrics();
      const b = new Metrics();
      a.errors.inc({ code: 'store_unavailable' });
      expect(await a.render()).not.toContain('some_library_total');
      expect(sample(await a.render(), 'leadgate_errors_total{code="store_unavailable"}')).toBe(1);
      expect(sample(await b.render(), 'leadgate_errors_total{code="store_unavailable"}')).toBeUndefined();
      expect(a.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    } finally {
      globalRegistry.removeSingleMetric('some_library_total');
    }
  });

  it('labels intake by configured dealer and registry provider, and folds everything else into "unknown" / "other"', async () => {
    const m = new Metrics({ dealers: ['tustin-mazda'], providers: ['Spring Sale Microsite'] });
    const raw = { receivedAt: new Date(Date.now() - 40).toISOString() };
    m.committed('http', raw, { leads: [{ outcome: 'received' }, { outcome: 'duplicate' }], published: [lead('tustin-mazda', 'CarGurus'), lead('tustin-mazda', 'CarGurus')] });
    // A dealer slug and a provider name taken from a lead's own text must not become label values.
    m.committed('smtp', raw, { leads: [{ outcome: 'received' }], published: [lead('joes-cars-from-vendorname', 'Some "Free" Text <script>')] });
    m.committed('form', raw, { leads: [{ outcome: 'received' }], published: [lead('tustin-mazda', 'Spring Sale Microsite')] });
    m.committed('form', raw, { leads: [{ outcome: 'received' }], published: [lead('tustin-mazda', 'Dealer Website')] });
    const text = await m.render();
    expect(sample(text, 'leadgate_intake_total{dealer="tustin-mazda",provider="cargurus",outcome="received"}')).toBe(1);
    expect(sample(text, 'leadgate_intake_total{dealer="tustin-mazda",provider="cargurus",outcome="duplicate"}')).toBe(1);
    expect(sample(text, 'leadgate_intake_total{dealer="unknown",provider="other",outcome="received"}')).toBe(1);
    expect(sample(text, 'leadgate_intake_total{dealer="tustin-mazda",provider="spring-sale-microsite",outcome="received"}')).toBe(1);
    expect(sample(text, 'leadgate_intake_total{dealer="tustin-mazda",provider="dealer-website",outcome="received"}')).toBe(1);
    expect(text).not.toContain('joes-cars');
    expect(text).not.toContain('script');
    expect(sample(text, 'leadgate_leads_total{channel="http",outcome="received"}')).toBe(1);
    expect(sample(text, 'leadgate_leads_total{channel="smtp",outcome="received"}')).toBe(1);
    // One latency observation per input (not per lead), each at least the 40 ms since receivedAt.
    expect(sample(text, 'leadgate_intake_commit_seconds_count{channel="http"}')).toBe(1);
    expect(sample(text, 'leadgate_intake_commit_seconds_bucket{le="0.025",channel="http"}')).toBe(0);
    expect(sample(text, 'leadgate_intake_commit_seconds_count{channel="form"}')).toBe(2);
  });

  it('counts rejected inputs by code and by the dealer/provider the transport named', async () => {
    const m = new Metrics({ dealers: ['tustin-mazda'] });
    m.rejectedInput('not_a_lead', { dealerId: 'tustin-mazda', adapter: 'truecar' });
    m.rejectedInput('xml_malformed', { signals: { credential: { id: 'k1', provider: 'Cars.com' } } });
    m.rejectedInput('xml_malformed');
    const text = await m.render();
    expect(sample(text, 'leadgate_inputs_rejected_total{code="not_a_lead"}')).toBe(1);
    expect(sample(text, 'leadgate_inputs_rejected_total{code="xml_malformed"}')).toBe(2);
    expect(sample(text, 'leadgate_intake_total{dealer="tustin-mazda",provider="truecar",outcome="rejected"}')).toBe(1);
    expect(sample(text, 'leadgate_intake_total{dealer="unknown",provider="carscom",outcome="rejected"}')).toBe(1);
    expect(sample(text, 'leadgate_intake_total{dealer="unknown",provider="other",outcome="rejected"}')).toBe(1);
  });

  it('reports per dealer and provider when the last lead came, as a timestamp and as an age, only for pairs seen', async () => {
    const m = new Metrics({ dealers: ['a', 'b'] });
    expect(await m.render()).not.toMatch(/^leadgate_source_last_lead_age_seconds\{/m);
    const dayAgo = Date.now() - 86_400_000;
    m.committed('http', { receivedAt: new Date(dayAgo).toISOString() }, { leads: [{ outcome: 'received' }], published: [lead('a', 'TrueCar')] }, dayAgo);
    m.committed('http', { receivedAt: new Date().toISOString() }, { leads: [{ outcome: 'received' }], published: [lead('b', 'TrueCar')] });
    const text = await m.render();
    expect(sample(text, 'leadgate_source_last_lead_timestamp_seconds{dealer="a",provider="truecar"}')).toBeCloseTo(dayAgo / 1000, 3);
    expect(sample(text, 'leadgate_source_last_lead_age_seconds{dealer="a",provider="truecar"}')).toBeGreaterThanOrEqual(86_400);
    expect(sample(text, 'leadgate_source_last_lead_age_seconds{dealer="b",provider="truecar"}')).toBeLessThan(86_400);
    expect(text.match(/^leadgate_source_last_lead_age_seconds\{/gm)).toHaveLength(2);
    // The help text says which alert rule to write.
    expect(text).toMatch(/# HELP leadgate_source_last_lead_timestamp_seconds .*max_over_time/);
  });

  it('reads outbox depth and the oldest event age from the store at scrape time; NaN when the store cannot be read', async () => {
    const dir = tempDir();
    const store = new SqliteStore(join(dir, 'leadgate.db'));
    try {
      const m = new Metrics();
      m.watchOutbox(() => store.outboxStats());
      expect(sample(await m.render(), 'leadgate_outbox_pending')).toBe(0);
      expect(sample(await m.render(), 'leadgate_outbox_oldest_age_seconds')).toBe(0);
      await store.transaction((tx) => tx.enqueue([{ id: 'e1', topic: 't', key: 'k', value: '{}', headers: {} }]));
      await new Promise((r) => setTimeout(r, 1100));
      const text = await m.render();
      expect(sample(text, 'leadgate_outbox_pending')).toBe(1);
      expect(sample(text, 'leadgate_outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(1);
      await store.close();
      const closed = await m.render();
      expect(sample(closed, 'leadgate_outbox_pending')).toBeNaN();
      expect(sample(closed, 'leadgate_outbox_oldest_age_seconds')).toBeNaN();
    } finally {
      await store.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('measures IMAP lag from INTERNALDATE and the time since each mailbox was last scanned', async () => {
    const m = new Metrics();
    const now = Date.now();
    m.imapCommitted('tustin', new Date(now - 90_000), now);
    m.imapCommitted('tustin', undefined, now); // no INTERNALDATE: nothing to measure
    m.imapPolled('tustin', now - 5000);
    const text = await m.render();
    expect(sample(text, 'leadgate_imap_lag_seconds_count{mailbox="tustin"}')).toBe(1);
    expect(sample(text, 'leadgate_imap_lag_seconds_bucket{le="60",mailbox="tustin"}')).toBe(0);
    expect(sample(text, 'leadgate_imap_lag_seconds_bucket{le="120",mailbox="tustin"}')).toBe(1);
    expect(sample(text, 'leadgate_imap_last_poll_age_seconds{mailbox="tustin"}')).toBeGreaterThanOrEqual(5);
  });

  it('adds process metrics only when asked, and derives label sets from the config', async () => {
    expect(await new Metrics().render()).not.toContain('leadgate_process_cpu');
    expect(await new Metrics({ processMetrics: true }).render()).toMatch(/^leadgate_process_cpu_user_seconds_total /m);
    const config = loadConfig({
      env: {},
      overrides: {
        dealers: [{ id: 'd1', name: 'D1', forms: [{ key: 'd1-contact', origins: ['https://d1.example'], provider: 'D1 Microsite' }], sources: [{ match: { provider: 'x' }, set: { provider: 'Spring Event' } }] }],
        sources: [{ match: { sender: 'y' }, set: { provider: 'Top Rule' } }],
      },
    });
    expect(metricsOptionsFrom(config)).toEqual({ dealers: ['d1'], providers: expect.arrayContaining(['D1 Microsite', 'Spring Event', 'Top Rule']) });
  });
});

describe('GET /metrics of a running gateway', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ dealers: [{ id: 'tustin-mazda', name: 'Tustin Mazda' }] });
  });
  afterAll(async () => {
    await gw?.cleanup();
  });

  it('shows intake per dealer and provider, rejections, latency, relay and outbox, and the quiet-source gauges', async () => {
    expect((await gw.post(adfLead({ first: 'Ann', last: 'Metric', email: 'ann.metric@example.test' }, { leadId: 'M-1001' }))).status).toBe(200);
    const cargurus = readFileSync(new URL('../fixtures/real-leads/cargurus-1.xml', import.meta.url));
    expect((await gw.post(cargurus, { path: '/v1/leads/cargurus' })).status).toBe(200);
    expect((await gw.post('not a lead', { contentType: 'text/plain' })).status).toBe(422);
    await gw.drained();
    const res = await fetch(`${gw.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(sample(text, 'leadgate_intake_total{dealer="tustin-mazda",provider="other",outcome="received"}')).toBe(1);
    expect(sample(text, 'leadgate_intake_total{dealer="unknown",provider="cargurus",outcome="received"}')).toBe(1);
    expect(sample(text, 'leadgate_intake_total{dealer="unknown",provider="other",outcome="rejected"}')).toBe(1);
    expect(sample(text, 'leadgate_inputs_rejected_total{code="not_a_lead"}')).toBe(1);
    expect(sample(text, 'leadgate_intake_commit_seconds_count{channel="http"}')).toBe(2);
    expect(sample(text, 'leadgate_relay_published_total')).toBe(3); // two leads and one rejected event
    expect(sample(text, 'leadgate_relay_errors_total')).toBe(0);
    expect(sample(text, 'leadgate_outbox_pending')).toBe(0);
    expect(sample(text, 'leadgate_outbox_oldest_age_seconds')).toBe(0);
    expect(sample(text, 'leadgate_source_last_lead_age_seconds{dealer="unknown",provider="cargurus"}')).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/^leadgate_nodejs_eventloop_lag_seconds /m);
    // No customer data in any label or value.
    expect(text).not.toMatch(/ann\.metric|Metric"|example\.test/i);
  });
});

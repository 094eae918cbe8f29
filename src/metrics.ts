// Prometheus metrics on prom-client, in a registry of our own: intake by dealer/provider/outcome, rejections, pipeline latency, outbox, relay, IMAP lag and the "source went quiet" gauges an on-call engineer alerts on.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { PROVIDERS } from '../adapters/index.js';
import type { Config } from './config.js';
import type { RawInput } from './input.js';
import type { Lead } from './lead.js';

/** Label values for what is not configured: every label value comes from config or the adapter registry, never from a lead's text. */
export const UNKNOWN_DEALER = 'unknown';
export const OTHER_PROVIDER = 'other';
/** The provider name web form leads carry unless their form names another (formats/form.ts). */
const WEBSITE_PROVIDER = 'Dealer Website';

export interface MetricsOptions {
  /** Configured dealer ids: leads of any other dealer are counted as "unknown" (a vendor name from a lead never becomes a label). */
  dealers?: readonly string[];
  /** Provider names the config introduces (forms, source rules, credentials); registry providers are always known. */
  providers?: readonly string[];
  /** Node.js process metrics (CPU, memory, event loop lag, GC): on in the gateway, off in unit tests. */
  processMetrics?: boolean;
}

/** Label sets from the config, computed once at startup: configured dealer ids and every provider name the config introduces. */
export function metricsOptionsFrom(config: Pick<Config, 'dealers' | 'groups' | 'credentials' | 'sources'>): MetricsOptions {
  const providers = new Set<string>();
  const rules = [...config.sources, ...config.groups.flatMap((g) => g.sources ?? [])];
  const credentials = [...config.credentials];
  for (const d of config.dealers) {
    rules.push(...(d.sources ?? []));
    credentials.push(...(d.credentials ?? []));
    for (const f of d.forms ?? []) if (f.provider) providers.add(f.provider);
  }
  for (const r of rules) if (r.set.provider) providers.add(r.set.provider);
  for (const c of credentials) if (c.provider) providers.add(c.provider);
  return { dealers: config.dealers.map((d) => d.id), providers: [...providers] };
}

/** What the outbox gauges read at scrape time (Store.outboxStats). */
export type OutboxSource = () => Promise<{ pending: number; oldestCreatedAt?: string }>;

/** The outcome of one committed input, as Pipeline.ingest returns it. */
export interface CommittedInput {
  leads: ReadonlyArray<{ outcome: 'received' | 'duplicate' }>;
  published: ReadonlyArray<Pick<Lead, 'dealer' | 'source'>>;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const IMAP_LAG_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 900, 1800, 3600, 4 * 3600, 24 * 3600];

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}

function secondsSince(ms: number, now: number): number {
  return Math.max(0, (now - ms) / 1000);
}

export class Metrics {
  /** Our own registry: a library or test that uses prom-client's global one never mixes into /metrics. */
  readonly registry = new Registry();
  /** Leads committed by door (http, webhook-*, smtp, imap, form) and outcome. */
  readonly leads: Counter<'channel' | 'outcome'>;
  /** Inputs refused as invalid, by error code (also auth refusals and transport limits). */
  readonly rejected: Counter<'code'>;
  /** Inputs that failed for a transient reason or a bug, by error code (the sender retries). */
  readonly errors: Counter<'code'>;
  /** Intake per dealer and provider: received and duplicate leads, and inputs rejected by the pipeline. */
  readonly intake: Counter<'dealer' | 'provider' | 'outcome'>;
  /** Accept → durable commit of one input. */
  readonly commitLatency: Histogram<'channel'>;
  readonly relayPublished: Counter;
  readonly relayErrors: Counter;
  /** A message's INTERNALDATE (when the mail server got it) → its commit. */
  readonly imapLag: Histogram<'mailbox'>;

  private readonly dealers: ReadonlySet<string>;
  /** Lower-cased provider brand, registry name or configured name → label value. */
  private readonly providerLabels = new Map<string, string>();
  /** `${dealer}\n${provider}` → when its last lead was committed (ms); only pairs seen, so the label set stays bounded. */
  private readonly lastLead = new Map<string, { dealer: string; provider: string; at: number }>();
  private readonly lastPoll = new Map<string, number>();
  private outbox?: OutboxSource;
  private readonly outboxPending: Gauge;
  private readonly outboxOldestAge: Gauge;

  constructor(opts: MetricsOptions = {}) {
    this.dealers = new Set(opts.dealers ?? []);
    for (const p of PROVIDERS) {
      this.providerLabels.set(p.provider.toLowerCase(), p.name);
      this.providerLabels.set(p.name.toLowerCase(), p.name);
    }
    for (const name of [WEBSITE_PROVIDER, ...(opts.providers ?? [])]) {
      const key = name.trim().toLowerCase();
      if (key && !this.providerLabels.has(key)) this.providerLabels.set(key, slug(name) || OTHER_PROVIDER);
    }
    const registers = [this.registry];
    const self = this;

    this.leads = new Counter({ name: 'leadgate_leads_total', help: 'Leads committed, by door (channel) and outcome (received, duplicate).', labelNames: ['channel', 'outcome'], registers });
    this.rejected = new Counter({ name: 'leadgate_inputs_rejected_total', help: 'Inputs refused as invalid, by error code (kept in the rejected stream when they reached the pipeline).', labelNames: ['code'], registers });
    this.errors = new Counter({ name: 'leadgate_errors_total', help: 'Inputs that failed for a transient reason (store unavailable, overloaded, rate limited) or a bug, by error code; the sender retries them.', labelNames: ['code'], registers });
    this.intake = new Counter({
      name: 'leadgate_intake_total',
      help: 'Intake by dealer (configured id, else "unknown"), provider (adapter registry name or a configured one, else "other") and outcome (received, duplicate, rejected).',
      labelNames: ['dealer', 'provider', 'outcome'],
      registers,
    });
    this.commitLatency = new Histogram({ name: 'leadgate_intake_commit_seconds', help: 'From accepting an input to its durable commit (the moment it is acknowledged), by door.', labelNames: ['channel'], buckets: LATENCY_BUCKETS, registers });
    this.relayPublished = new Counter({ name: 'leadgate_relay_published_total', help: 'Events the relay published to the sink.', registers });
    this.relayErrors = new Counter({ name: 'leadgate_relay_errors_total', help: 'Publish attempts that failed (the events stay in the outbox and are retried with back-off).', registers });
    this.imapLag = new Histogram({ name: 'leadgate_imap_lag_seconds', help: 'From a message reaching the mailbox (IMAP INTERNALDATE) to its lead being committed, by mailbox.', labelNames: ['mailbox'], buckets: IMAP_LAG_BUCKETS, registers });

    new Gauge({
      name: 'leadgate_imap_last_poll_age_seconds',
      help: 'Seconds since the mailbox was last scanned successfully (alert when it exceeds a few times its pollSeconds: the mailbox is not being watched).',
      labelNames: ['mailbox'],
      registers,
      collect() {
        const now = Date.now();
        for (const [mailbox, at] of self.lastPoll) this.set({ mailbox }, secondsSince(at, now));
      },
    });
    new Gauge({
      name: 'leadgate_source_last_lead_timestamp_seconds',
      help:
        'Unix time of the last lead committed per dealer and provider (pairs seen since start). The costliest failure is leads that silently stop: alert on ' +
        '`time() - max_over_time(leadgate_source_last_lead_timestamp_seconds[7d]) > 86400` during business hours (max_over_time carries the value across restarts).',
      labelNames: ['dealer', 'provider'],
      registers,
      collect() {
        for (const s of self.lastLead.values()) this.set({ dealer: s.dealer, provider: s.provider }, s.at / 1000);
      },
    });
    new Gauge({
      name: 'leadgate_source_last_lead_age_seconds',
      help: 'Seconds since the last lead committed per dealer and provider (pairs seen since start); e.g. alert when > 86400 for a source that normally sends daily.',
      labelNames: ['dealer', 'provider'],
      registers,
      collect() {
        const now = Date.now();
        for (const s of self.lastLead.values()) this.set({ dealer: s.dealer, provider: s.provider }, secondsSince(s.at, now));
      },
    });
    this.outboxPending = new Gauge({ name: 'leadgate_outbox_pending', help: 'Committed events not yet published to the sink (NaN when the store cannot be read).', registers });
    this.outboxOldestAge = new Gauge({
      name: 'leadgate_outbox_oldest_age_seconds',
      help: 'Age of the oldest unpublished event (0 when none; NaN when the store cannot be read); /readyz fails past readiness.maxOutboxAgeSeconds.',
      registers,
    });
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'leadgate_' });
  }

  /** Read the outbox (depth and oldest age) at every scrape. */
  watchOutbox(source: OutboxSource): void {
    this.outbox = source;
  }

  dealerLabel(id: string | undefined): string {
    return id !== undefined && this.dealers.has(id) ? id : UNKNOWN_DEALER;
  }

  providerLabel(provider: string | undefined): string {
    return (provider && this.providerLabels.get(provider.trim().toLowerCase())) || OTHER_PROVIDER;
  }

  /** One input committed with its leads: counts, latency since `raw.receivedAt`, and the per-source "last lead" time. */
  committed(channel: string, raw: Pick<RawInput, 'receivedAt'>, result: CommittedInput, now = Date.now()): void {
    const accepted = Date.parse(raw.receivedAt);
    if (Number.isFinite(accepted)) this.commitLatency.observe({ channel }, secondsSince(accepted, now));
    for (let i = 0; i < result.leads.length; i++) {
      const outcome = result.leads[i].outcome;
      this.leads.inc({ channel, outcome });
      const lead = result.published[i];
      const dealer = this.dealerLabel(lead?.dealer.id);
      const provider = this.providerLabel(lead?.source.provider);
      this.intake.inc({ dealer, provider, outcome });
      // A duplicate still proves the source is sending.
      this.lastLead.set(`${dealer}\n${provider}`, { dealer, provider, at: now });
    }
  }

  /** An input the pipeline refused as invalid (it is in the rejected stream): by code, and by the dealer/provider the transport named. */
  rejectedInput(code: string, raw?: Pick<RawInput, 'dealerId' | 'adapter' | 'signals'>): void {
    this.rejected.inc({ code });
    const provider = raw?.signals?.credential?.provider ?? raw?.adapter;
    this.intake.inc({ dealer: this.dealerLabel(raw?.dealerId), provider: this.providerLabel(provider), outcome: 'rejected' });
  }

  /** IMAP: a message's lead committed; lag from the server's INTERNALDATE. */
  imapCommitted(mailbox: string, internalDate: Date | string | undefined, now = Date.now()): void {
    const at = internalDate === undefined ? NaN : new Date(internalDate).getTime();
    if (Number.isFinite(at)) this.imapLag.observe({ mailbox }, secondsSince(at, now));
  }

  /** IMAP: a scan of the mailbox succeeded. */
  imapPolled(mailbox: string, now = Date.now()): void {
    this.lastPoll.set(mailbox, now);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition of every metric; the outbox is read once per scrape, first, so both of its gauges describe the same moment. */
  async render(): Promise<string> {
    if (this.outbox) {
      try {
        const s = await this.outbox();
        this.outboxPending.set(s.pending);
        this.outboxOldestAge.set(s.oldestCreatedAt ? secondsSince(Date.parse(s.oldestCreatedAt), Date.now()) : 0);
      } catch {
        this.outboxPending.set(NaN);
        this.outboxOldestAge.set(NaN);
      }
    }
    return this.registry.metrics();
  }
}

// Replay: re-read archived raw inputs with the current pipeline (after a parser fix) and publish only what changed — corrections under the original lead ids, and leads from inputs once rejected.
import { toLeadgateError } from './errors.js';
import { correctedEvent } from './events.js';
import type { RawInput } from './input.js';
import type { Lead } from './lead.js';
import type { Logger } from './log.js';
import { leadContentHash } from './pipeline/content-hash.js';
import { summarize } from './pipeline/dedupe.js';
import { identityKeys } from './pipeline/identify.js';
import type { Pipeline, PreparedLead } from './pipeline/index.js';
import type { ArchivedInput, LeadRecord, Store } from './store.js';

export interface ReplayOptions {
  /** Inputs received at or after this (ISO UTC). */
  since: string;
  /** ... and before this (ISO UTC). */
  until: string;
  /** Only inputs of this dealer: named by the transport, filed under it, or (once rejected) now read as its leads. */
  dealerId?: string;
  /** Count what would be published; publish and change nothing. */
  dryRun?: boolean;
  pageSize?: number;
}

export interface ReplayCounts {
  /** Archived inputs re-read (purged ones are skipped: their bytes are gone). */
  examined: number;
  /** Leads that read exactly as published: nothing published. */
  unchanged: number;
  /** Leads that read differently: one com.leadgate.lead.corrected each. */
  corrected: number;
  /** Inputs rejected before that now hold leads. */
  recovered: number;
  /** New leads published as lead.received / lead.duplicate: those of recovered inputs, and prospects an earlier read missed. */
  added: number;
  /** Inputs rejected before and still rejected. */
  stillRejected: number;
  /** Leads the current pipeline no longer finds (their input now reads as no lead, or a prospect vanished): nothing is retracted. */
  lost: number;
  /** Leads committed before content hashes were kept: replay cannot tell whether they changed, so it leaves them. */
  noBaseline: number;
  /** Inputs that failed for a transient reason (store) or a bug: run replay again. */
  failed: number;
}

export interface ReplayDeps {
  store: Store;
  /** The current pipeline: today's readers, normalizers and configuration. */
  pipeline: Pipeline;
  /** The leads topic (corrections go where the leads went). */
  topic: string;
  log: Logger;
}

/** The bytes as the transport handed them over, with what it knew: the pipeline reads them exactly as it would have then. */
function rawOf(input: ArchivedInput): RawInput {
  return {
    bytes: input.bytes,
    contentType: input.contentType,
    transport: input.transport,
    receivedAt: input.receivedAt,
    ...(input.adapter ? { adapter: input.adapter } : {}),
    ...(input.dealerId ? { dealerId: input.dealerId } : {}),
    ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
    ...(input.signals ? { signals: input.signals } : {}),
  };
}

/** The corrected Lead: the new read under the committed lead's ids (and its duplicate link, which the read cannot decide). */
function correctedLead(p: PreparedLead, committed: LeadRecord): Lead {
  const { index: _index, idempotencyKey: _key, ...rest } = p;
  return { leadId: committed.leadId, customerId: committed.customerId, ...rest, ...(committed.duplicateOf ? { duplicateOf: committed.duplicateOf } : {}) };
}

/** Pairs each re-read lead with the committed lead of the same prospect (by draft index; by position for leads older than it). */
function match(prepared: PreparedLead[], committed: LeadRecord[]): { pairs: Array<[PreparedLead, LeadRecord]>; extra: PreparedLead[]; missing: number } {
  const byIndex = committed.every((l) => l.draftIndex !== undefined);
  const pairs: Array<[PreparedLead, LeadRecord]> = [];
  const extra: PreparedLead[] = [];
  const used = new Set<LeadRecord>();
  prepared.forEach((p, i) => {
    const l = byIndex ? committed.find((c) => c.draftIndex === p.index) : committed[i];
    if (l && !used.has(l)) (pairs.push([p, l]), used.add(l));
    else extra.push(p);
  });
  return { pairs, extra, missing: committed.length - used.size };
}

export class Replayer {
  readonly counts: ReplayCounts = { examined: 0, unchanged: 0, corrected: 0, recovered: 0, added: 0, stillRejected: 0, lost: 0, noBaseline: 0, failed: 0 };

  constructor(
    private readonly deps: ReplayDeps,
    private readonly opts: ReplayOptions,
  ) {}

  async run(): Promise<ReplayCounts> {
    const { since, until, dealerId } = this.opts;
    await this.each({ since, until, purged: false, ...(dealerId ? { dealerId } : {}) }, (input) => this.replayInput(input));
    if (dealerId) {
      // Rejected inputs no transport filed under a dealer belong to it only if they now read as its leads.
      await this.each({ since, until, purged: false, outcome: 'rejected' }, (input) => (input.dealerId ? Promise.resolve() : this.replayInput(input, dealerId)));
    }
    this.deps.log.info({ ...this.counts, dryRun: Boolean(this.opts.dryRun) }, 'replay finished');
    return this.counts;
  }

  /** Every archived input matching the filter, page by page in (receivedAt, id) order. */
  private async each(filter: Parameters<Store['listInputs']>[0], fn: (input: ArchivedInput) => Promise<void>): Promise<void> {
    const limit = this.opts.pageSize ?? 200;
    let afterId: string | undefined;
    for (;;) {
      const page = await this.deps.store.listInputs({ ...filter, limit, ...(afterId ? { afterId } : {}) });
      for (const row of page) {
        const input = await this.deps.store.getInput(row.id);
        if (input && !input.purgedAt) await fn(input);
      }
      if (page.length < limit) return;
      afterId = page[page.length - 1].id;
    }
  }

  /** Re-read one input and publish what differs from what its first read published. */
  private async replayInput(input: ArchivedInput, onlyIfDealer?: string): Promise<void> {
    const { pipeline, log } = this.deps;
    let prepared: PreparedLead[];
    try {
      prepared = await pipeline.prepare(rawOf(input));
    } catch (err) {
      if (onlyIfDealer) return; // still no lead, so not this dealer's
      this.counts.examined++;
      const e = toLeadgateError(err);
      if (e.kind !== 'invalid') {
        this.counts.failed++;
        log.warn({ inputId: input.id, code: e.code }, 'replay could not re-read an input');
      } else if (input.outcome === 'rejected') {
        this.counts.stillRejected++;
      } else {
        const lost = (await this.deps.store.leadsOfInput(input.id)).filter((l) => !l.erasedAt).length;
        this.counts.lost += lost;
        // A parser change made an accepted input unreadable: worth a look, but its published leads stand.
        log.warn({ inputId: input.id, code: e.code, leads: lost }, 'replay: an accepted input no longer reads as a lead; nothing is retracted');
      }
      return;
    }
    if (onlyIfDealer && !prepared.some((p) => p.dealer.id === onlyIfDealer)) return;
    this.counts.examined++;
    try {
      if (input.outcome === 'rejected') await this.recover(input, prepared);
      else await this.compare(input, prepared);
    } catch (err) {
      this.counts.failed++;
      log.warn({ inputId: input.id, code: toLeadgateError(err).code }, 'replay could not commit an input');
    }
  }

  /** A once-rejected input that now reads: its leads go through identity and dedupe as if they had arrived then. */
  private async recover(input: ArchivedInput, prepared: PreparedLead[]): Promise<void> {
    if (this.opts.dryRun) {
      this.counts.recovered++;
      this.counts.added += prepared.length;
      return;
    }
    const leads = await this.deps.pipeline.commitArchived(input, prepared);
    if (!leads) return; // another replay recovered it meanwhile
    this.counts.recovered++;
    this.counts.added += leads.length;
    this.deps.log.info({ inputId: input.id, leads: leads.length }, 'replay recovered a rejected input');
  }

  /** An accepted input: compare each re-read lead with the committed one, correct what changed, add prospects read for the first time. */
  private async compare(input: ArchivedInput, prepared: PreparedLead[]): Promise<void> {
    const committed = (await this.deps.store.leadsOfInput(input.id)).filter((l) => !l.erasedAt);
    const { pairs, extra, missing } = match(prepared, committed);
    this.counts.lost += missing;
    const corrections: Array<{ p: PreparedLead; committed: LeadRecord & { contentHash: string }; lead: Lead; hash: string }> = [];
    for (const [p, l] of pairs) {
      if (!l.contentHash) {
        this.counts.noBaseline++;
        continue;
      }
      const lead = correctedLead(p, l);
      const hash = leadContentHash(lead);
      if (hash === l.contentHash) this.counts.unchanged++;
      else corrections.push({ p, committed: l as LeadRecord & { contentHash: string }, lead, hash });
    }
    if (this.opts.dryRun) {
      this.counts.corrected += corrections.length;
      this.counts.added += extra.length;
      return;
    }
    if (corrections.length) {
      const { topic, store } = this.deps;
      const n = await store.transaction(async (tx) => {
        let done = 0;
        for (const c of corrections) {
          // Compare-and-set on the hash: the correction and its event commit together, once.
          if (!(await tx.updateLeadContent(c.committed.leadId, c.committed.contentHash, { contentHash: c.hash, summary: summarize(c.p) }))) continue;
          // A fixed read may find an email or phone the first one missed: later leads should find this customer by it.
          await tx.linkCustomerKeys(c.committed.scope, c.committed.customerId, identityKeys(c.lead.customer), input.receivedAt);
          await tx.enqueue([correctedEvent(c.lead, input.id, topic)]);
          done++;
        }
        return done;
      });
      this.counts.corrected += n;
      this.counts.unchanged += corrections.length - n; // corrected by a concurrent replay already
    }
    if (extra.length) {
      const leads = await this.deps.pipeline.commitArchived(input, extra);
      this.counts.added += leads?.length ?? 0;
    }
  }
}

/** Replay archived inputs received in [since, until) and return the counts. */
export function replay(deps: ReplayDeps, opts: ReplayOptions): Promise<ReplayCounts> {
  return new Replayer(deps, opts).run();
}

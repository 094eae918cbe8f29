// The pipeline on one screen: read → normalize → resolve-dealer → classify → validate, then one store transaction: archive, identify, dedupe, outbox.
import { createHash, randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import { LeadgateError, toLeadgateError } from '../errors.js';
import { leadEvent, rejectedEvent, REJECTED_INLINE_MAX } from '../events.js';
import type { RawInput } from '../input.js';
import type { Lead, RawRef, Warning } from '../lead.js';
import type { Logger } from '../log.js';
import type { ArchivedInput, Store } from '../store.js';
import { classifyParty } from './classify.js';
import { dedupe, dedupKeys, summarize } from './dedupe.js';
import { identify, identityKeys } from './identify.js';
import { normalize } from './normalize.js';
import { readInput, mediaType } from './read.js';
import { DealerResolver } from './resolve-dealer.js';
import { hasContact } from './validate.js';

/** A lead ready for the store: everything but the ids decided inside the transaction. */
export type PreparedLead = Omit<Lead, 'leadId' | 'customerId'> & { index: number; idempotencyKey?: string };

export interface LeadOutcome {
  leadId: string;
  customerId: string;
  outcome: 'received' | 'duplicate';
  duplicateOf?: string;
}

export interface IngestResult {
  inputId: string;
  leads: LeadOutcome[];
  /** The full leads as published (for callers that want them, e.g. tests and the CLI). */
  published: Lead[];
}

export function rawRef(raw: RawInput): RawRef {
  return {
    sha256: createHash('sha256').update(raw.bytes).digest('hex'),
    contentType: raw.contentType || 'application/octet-stream',
    size: raw.bytes.length,
  };
}

/** A UUID-shaped id derived from text, so offline parsing prints the same ids for the same input. */
function stableId(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * A complete Lead without a store (`leadgate parse`, fixtures): ids derived from the bytes and the
 * customer's first identity key instead of decided by identity/dedup, so they are repeatable.
 */
export function offlineLead(p: PreparedLead): Lead {
  const { index, idempotencyKey: _key, ...rest } = p;
  const keys = identityKeys(p.customer);
  return {
    leadId: stableId(`lead:${p.raw.sha256}#${index}`),
    customerId: stableId(`customer:${p.dealer.id}:${keys[0] ?? `${p.raw.sha256}#${index}`}`),
    ...rest,
  };
}

function toArchived(raw: RawInput, ref: RawRef): ArchivedInput {
  return {
    id: randomUUID(),
    sha256: ref.sha256,
    contentType: ref.contentType,
    size: ref.size,
    receivedAt: raw.receivedAt,
    transport: raw.transport,
    ...(raw.dealerId ? { dealerId: raw.dealerId } : {}),
    ...(raw.idempotencyKey ? { idempotencyKey: raw.idempotencyKey } : {}),
    ...(raw.adapter ? { adapter: raw.adapter } : {}),
    ...(raw.signals ? { signals: raw.signals } : {}),
    bytes: raw.bytes,
    outcome: 'accepted',
  };
}

export class Pipeline {
  private readonly dealers: DealerResolver;

  constructor(
    private readonly config: Config,
    private readonly store: Store | undefined,
    private readonly log: Logger,
  ) {
    this.dealers = new DealerResolver(config.dealers);
  }

  /** Pure part: bytes → leads without ids. Throws a LeadgateError (kind invalid) when the input holds no lead. */
  async prepare(raw: RawInput, ref: RawRef = rawRef(raw)): Promise<PreparedLead[]> {
    const { adapter, drafts, warnings: readWarnings, idempotencyKey } = await readInput(raw, {
      maxDepth: this.config.limits.xmlMaxDepth,
      maxElements: this.config.limits.xmlMaxElements,
      maxBytes: this.config.limits.maxBodyBytes,
    });
    const prepared: PreparedLead[] = [];
    let skipped = 0;
    for (const draft of drafts) {
      // The dealer decides the phone country, so look at the vendor before normalizing.
      const dealer = this.dealers.resolve(draft.vendor, raw.dealerId);
      const n = normalize(draft, {
        receivedAt: raw.receivedAt,
        channel: `${raw.transport}-${adapter.format}`,
        adapter: adapter.name,
        raw: ref,
        country: dealer.country ?? this.config.country,
      });
      if (!hasContact(n.customer)) {
        skipped++;
        continue;
      }
      const { party, warnings: partyWarnings } = classifyParty([n.source.provider, n.source.service, n.hints.providerName, n.hints.providerUrl, ...n.source.externalIds.map((x) => x.source)]);
      const warnings: Warning[] = [...readWarnings, ...n.warnings, ...dealer.warnings, ...partyWarnings];
      const { vendor: _vendor, hints: _hints, ...lead } = n;
      const key = raw.idempotencyKey ?? idempotencyKey;
      prepared.push({ ...lead, party, dealer: { id: dealer.id, name: dealer.name }, warnings, index: draft.index, ...(key ? { idempotencyKey: key } : {}) });
    }
    if (prepared.length === 0) {
      throw new LeadgateError('no_customer_contact', drafts.length > 1 ? 'no prospect has a customer name, email or phone' : 'add a customer name, email or phone');
    }
    if (skipped > 0) {
      for (const p of prepared) p.warnings.push({ code: 'prospect_skipped', message: `${skipped} prospect(s) in the same input had no customer contact and were not published.` });
    }
    return prepared;
  }

  /** Prepare, then commit input + identity + dedup + events atomically. Only after this resolves may a transport acknowledge. */
  async ingest(raw: RawInput): Promise<IngestResult> {
    const store = this.requireStore();
    const ref = rawRef(raw);
    const archived = toArchived(raw, ref);
    const inputId = archived.id;
    let prepared: PreparedLead[];
    try {
      prepared = await this.prepare(raw, ref);
    } catch (err) {
      const e = toLeadgateError(err);
      if (e.kind === 'invalid') await this.reject(archived, e, ref);
      else this.log.error({ inputId, code: e.code, err: e.cause instanceof Error ? e.cause.message : undefined }, 'input failed');
      throw e;
    }

    const windowDays = this.config.dedupe.windowDays;
    const topic = this.config.topics.leads;
    const published = await store.transaction(async (tx) => {
      await tx.archiveInput(archived);
      const out: Lead[] = [];
      for (const p of prepared) {
        const { index, idempotencyKey, ...rest } = p;
        const scope = p.dealer.id;
        const { customerId, known } = await identify(tx, scope, identityKeys(p.customer), raw.receivedAt);
        const keys = dedupKeys(p, index, idempotencyKey);
        const summary = summarize(p);
        const dup = await dedupe(tx, { scope, customerId, knownCustomer: known, keys, summary, receivedAt: raw.receivedAt, windowDays });
        const lead: Lead = {
          leadId: randomUUID(),
          customerId,
          ...rest,
          ...(dup ? { duplicateOf: dup.duplicateOf, duplicateReason: dup.reason, ...(dup.adds ? { adds: dup.adds } : {}) } : {}),
        };
        await tx.insertLead(
          { leadId: lead.leadId, scope, customerId, inputId, receivedAt: raw.receivedAt, ...(dup ? { duplicateOf: dup.duplicateOf } : {}), summary },
          keys,
        );
        await tx.enqueue([leadEvent(lead, topic)]);
        out.push(lead);
      }
      return out;
    });
    const leads = published.map((l) => ({
      leadId: l.leadId,
      customerId: l.customerId,
      outcome: l.duplicateOf ? ('duplicate' as const) : ('received' as const),
      ...(l.duplicateOf ? { duplicateOf: l.duplicateOf } : {}),
    }));
    this.log.info(
      { inputId, transport: raw.transport, adapter: published[0]?.source.adapter, dealer: published[0]?.dealer.id, outcomes: leads.map((l) => l.outcome), warnings: published.reduce((n, l) => n + l.warnings.length, 0) },
      'input accepted',
    );
    return { inputId, leads, published };
  }

  /**
   * For transports that refuse an input before the pipeline can read it (an IMAP message too
   * large to download): keep what they have (its headers) and the reason in the archive and the
   * rejected stream, so the refusal is visible and nothing disappears silently.
   */
  async recordRejection(raw: RawInput, err: LeadgateError): Promise<string> {
    const ref = rawRef(raw);
    const archived = toArchived(raw, ref);
    await this.reject(archived, err, ref);
    return archived.id;
  }

  /** Keep what holds no lead, with its bytes and reason, in the archive and the rejected stream. */
  private async reject(archived: ArchivedInput, err: LeadgateError, ref: RawRef): Promise<void> {
    const store = this.requireStore();
    const rejected: ArchivedInput = { ...archived, outcome: 'rejected', errorCode: err.code, ...(err.detail ? { errorMessage: err.detail } : {}) };
    await store.transaction(async (tx) => {
      await tx.archiveInput(rejected);
      await tx.enqueue([
        rejectedEvent(
          {
            inputId: archived.id,
            code: err.code,
            message: err.detail ?? err.message,
            receivedAt: archived.receivedAt,
            transport: archived.transport,
            ...(archived.dealerId ? { dealerId: archived.dealerId } : {}),
            raw: { ...ref, ...(archived.bytes.length <= REJECTED_INLINE_MAX ? { base64: archived.bytes.toString('base64') } : {}) },
          },
          this.config.topics.rejected,
        ),
      ]);
    });
    this.log.info({ inputId: archived.id, transport: archived.transport, contentType: mediaType(archived.contentType), code: err.code, size: archived.size }, 'input rejected');
  }

  private requireStore(): Store {
    if (!this.store) throw new Error('this pipeline has no store (parse-only mode)');
    return this.store;
  }
}

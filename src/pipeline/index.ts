// The pipeline on one screen: read → attribute → resolve-dealer → normalize → validate → classify, then one store transaction: archive, identify, dedupe, outbox.
import { sha256Hex } from '../hash.js';
import { newId } from '../ids.js';
import type { Config } from '../config.js';
import { LeadgateError, toLeadgateError } from '../errors.js';
import { leadEvent, rejectedEvent, REJECTED_INLINE_MAX } from '../events.js';
import type { RawInput } from '../input.js';
import type { Lead, RawRef, Warning } from '../lead.js';
import type { Logger } from '../log.js';
import type { ArchivedInput, Store, StoreTx } from '../store.js';
import { Attributor } from './attribute.js';
import { Classifier, type ClassifyInput } from './classify.js';
import { leadContentHash } from './content-hash.js';
import { dedupe, dedupKeys, summarize } from './dedupe.js';
import { identify, identityKeys } from './identify.js';
import { normalize } from './normalize.js';
import { readInput, mediaType } from './read.js';
import { indexForms, type FormIndex } from '../formats/form.js';
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
    sha256: sha256Hex(raw.bytes),
    contentType: raw.contentType || 'application/octet-stream',
    size: raw.bytes.length,
  };
}

/** A UUID-shaped id derived from text, so offline parsing prints the same ids for the same input. */
function stableId(text: string): string {
  const h = sha256Hex(text);
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

/**
 * The lists joined in order: what `a.concat(b, c, d, e)` gives, without concat's generic spreadable check per argument
 * (~1 µs a lead); most of the lists are empty.
 */
function joinWarnings(...lists: readonly Warning[][]): Warning[] {
  const out: Warning[] = [];
  for (const list of lists) for (let i = 0; i < list.length; i++) out.push(list[i]!);
  return out;
}

function toArchived(raw: RawInput, ref: RawRef): ArchivedInput {
  return {
    id: newId(),
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
  /** Website forms by key, compiled once: read.ts applies a form's mapping and bot checks to its posts. */
  private readonly forms: FormIndex;
  private readonly attributor: Attributor;
  private readonly classifier: Classifier;

  constructor(
    private readonly config: Config,
    private readonly store: Store | undefined,
    private readonly log: Logger,
  ) {
    this.dealers = new DealerResolver(config.dealers, config.groups);
    this.forms = indexForms(config.dealers);
    this.attributor = new Attributor();
    this.classifier = new Classifier(config);
  }

  /** Pure part: bytes → leads without ids. Throws a LeadgateError (kind invalid) when the input holds no lead. */
  async prepare(raw: RawInput, ref: RawRef = rawRef(raw)): Promise<PreparedLead[]> {
    const { adapter, drafts, warnings: readWarnings, idempotencyKey, signals: readSignals } = await readInput(raw, {
      maxDepth: this.config.limits.xmlMaxDepth,
      maxElements: this.config.limits.xmlMaxElements,
      maxBytes: this.config.limits.maxBodyBytes,
      forms: this.forms,
    });
    const prepared: PreparedLead[] = [];
    let skipped = 0;
    for (const [i, read] of drafts.entries()) {
      // Which provider sent it (and its quirks), from the transport's signals and what the email said about its sender.
      // A second spread takes V8's slow generic path: only pay it when the email reader added signals.
      const more = readSignals?.[i];
      const signals = more ? { ...raw.signals, ...more } : { ...raw.signals };
      const attribution = this.attributor.attribute(read, signals, raw.adapter);
      const draft = attribution.draft;
      // The dealer decides the phone country, so look at the vendor before normalizing.
      const dealer = this.dealers.resolve(draft.vendor, raw.dealerId);
      const n = normalize(draft, {
        receivedAt: raw.receivedAt,
        channel: `${raw.transport}-${adapter.format}`,
        adapter: attribution.source?.adapter?.name ?? adapter.name,
        raw: ref,
        country: dealer.country ?? this.config.country,
      });
      if (!hasContact(n.customer)) {
        skipped++;
        continue;
      }
      const input: ClassifyInput = { dealerId: dealer.id, lead: n, attribution };
      if (raw.adapter) input.explicitAdapter = raw.adapter;
      const c = this.classifier.classify(input);
      const warnings = joinWarnings(readWarnings, n.warnings, attribution.warnings, dealer.warnings, c.warnings);
      const sent = n.source;
      const source = { channel: c.channel ?? sent.channel, adapter: sent.adapter, provider: c.provider } as PreparedLead['source'];
      if (c.subSource) source.subSource = c.subSource;
      if (sent.service) source.service = sent.service;
      source.externalIds = sent.externalIds;
      const key = raw.idempotencyKey ?? idempotencyKey;
      // One literal instead of `{ ...rest }` of the normalized lead without vendor and hints (a rest copy and a spread
      // cost ~8 µs a lead). It lists normalize()'s keys in normalize()'s order, `source` and `warnings` replaced in
      // place, then ours: the key order of published leads. src/pipeline/prepare-shape.test.ts fails if normalize()
      // gains a key this literal does not carry.
      const lead: PreparedLead = {
        receivedAt: n.receivedAt,
        requestedAt: n.requestedAt,
        source,
        customer: n.customer,
        vehicles: n.vehicles,
        warnings,
        raw: n.raw,
        party: c.party,
        leadType: c.leadType,
        classification: c.classification,
        dealer: { id: dealer.id, name: dealer.name },
        index: draft.index,
      };
      if (key) lead.idempotencyKey = key;
      prepared.push(lead);
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

    const published = await store.transaction(async (tx) => {
      await tx.archiveInput(archived);
      return this.commitLeads(tx, prepared, inputId, raw.receivedAt);
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

  /** Identity, dedupe, lead record and event for each lead of one input, inside the caller's transaction. */
  private async commitLeads(tx: StoreTx, prepared: PreparedLead[], inputId: string, receivedAt: string): Promise<Lead[]> {
    const windowDays = this.config.dedupe.windowDays;
    const topic = this.config.topics.leads;
    const out: Lead[] = [];
    for (const p of prepared) {
      const { index, idempotencyKey, ...rest } = p;
      const scope = this.dealers.scopeOf(p.dealer.id);
      const { customerId, known } = await identify(tx, scope, identityKeys(p.customer), receivedAt);
      const keys = dedupKeys(p, index, idempotencyKey);
      const summary = summarize(p);
      const dup = await dedupe(tx, { scope, customerId, knownCustomer: known, keys, summary, receivedAt, windowDays });
      const lead: Lead = {
        leadId: newId(),
        customerId,
        ...rest,
        ...(dup ? { duplicateOf: dup.duplicateOf, duplicateReason: dup.reason, ...(dup.adds ? { adds: dup.adds } : {}) } : {}),
      };
      // dealerId, draftIndex and contentHash: where replay finds this lead again and what it compares a re-read with.
      await tx.insertLead(
        { leadId: lead.leadId, scope, customerId, inputId, receivedAt, ...(dup ? { duplicateOf: dup.duplicateOf } : {}), summary, dealerId: p.dealer.id, draftIndex: index, contentHash: leadContentHash(lead) },
        keys,
      );
      await tx.enqueue([leadEvent(lead, topic)]);
      out.push(lead);
    }
    return out;
  }

  /**
   * Replay (src/replay.ts): commit leads re-read from an archived input under its original id and
   * receivedAt, through the same identity and dedupe as intake (so they are lead.received, or
   * lead.duplicate when the customer wrote again meanwhile). A rejected input becomes accepted in
   * the same transaction; undefined when it no longer is rejected (another replay got there first).
   */
  async commitArchived(input: ArchivedInput, prepared: PreparedLead[]): Promise<Lead[] | undefined> {
    return this.requireStore().transaction(async (tx) => {
      if (input.outcome === 'rejected' && !(await tx.markInputAccepted(input.id))) return undefined;
      return this.commitLeads(tx, prepared, input.id, input.receivedAt);
    });
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

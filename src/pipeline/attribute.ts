// attribute: choose the provider behind each draft (explicit name, then the signals of delivery.md §5.2, strongest first), record why, and let its adapter refine the draft.
import { PROVIDERS, type ProviderAdapter } from '../../adapters/index.js';
import { cleanSubject, isRelaySender, senderDomain } from '../formats/email-senders.js';
import type { Signals } from '../input.js';
import type { DraftId, Evidence, LeadDraft, LeadType, Party, Warning } from '../lead.js';
import { CATALOG } from './classify/catalog.js';

/** A source leadgate can recognize: a provider adapter (which can refine) or a catalog entry (which cannot). */
export interface Candidate {
  /** "adapter:<name>" or "catalog:<key>": the rule named in evidence. */
  key: string;
  provider: string;
  party: Party;
  match: ProviderAdapter['match'];
  defaultLeadType?: LeadType;
  adapter?: ProviderAdapter;
  /** A generic channel word from the catalog: a last resort (see CatalogEntry.generic). */
  generic?: boolean;
}

/** What attribution learned about one draft. */
export interface Attribution {
  /** The draft after its adapter's refine. */
  draft: LeadDraft;
  /** The signals the draft was judged on (transport's plus the email's sender/subject). */
  signals: Signals;
  /** The source chosen, and the evidence that chose it; undefined when nothing matched. */
  source?: Candidate;
  evidence?: Evidence;
  /** When an OEM program (second party) relays a lead, the source it relays (its website vendor, a marketplace). */
  origin?: { source: Candidate; evidence: Evidence };
  warnings: Warning[];
}

/** The contract says "case-insensitive"; a stray g/y flag would make test() stateful. Compile each pattern once, safely. */
function safePattern(re: RegExp | undefined): RegExp | undefined {
  if (!re) return undefined;
  const flags = re.flags.replace(/[gy]/g, '');
  return new RegExp(re.source, flags.includes('i') ? flags : `${flags}i`);
}

function compileMatch(m: ProviderAdapter['match']): ProviderAdapter['match'] {
  const names = safePattern(m.names);
  const idSources = safePattern(m.idSources);
  const subjects = safePattern(m.subjects);
  return {
    ...(names ? { names } : {}),
    ...(idSources ? { idSources } : {}),
    ...(subjects ? { subjects } : {}),
    ...(m.senderDomains?.length ? { senderDomains: m.senderDomains.map((d) => d.toLowerCase()) } : {}),
  };
}

export function candidatesOf(providers: readonly ProviderAdapter[], catalog = CATALOG): Candidate[] {
  return [
    ...providers.map((p) => ({
      key: `adapter:${p.name}`,
      provider: p.provider,
      party: p.party,
      match: compileMatch(p.match),
      adapter: p,
      ...(p.defaultLeadType ? { defaultLeadType: p.defaultLeadType } : {}),
    })),
    ...catalog.map((c) => ({
      key: `catalog:${c.key}`,
      provider: c.provider,
      party: c.party,
      match: compileMatch(c.match),
      ...(c.defaultLeadType ? { defaultLeadType: c.defaultLeadType } : {}),
      ...(c.generic ? { generic: true } : {}),
    })),
  ];
}

/** The ADF provider block's fields, in the order §5.2 lists them; the email domain of provider/email counts as its url. */
function providerFields(draft: LeadDraft): Array<[signal: string, value: string]> {
  const p = draft.provider;
  if (!p) return [];
  const out: Array<[string, string]> = [];
  if (p.name?.trim()) out.push(['provider.name', p.name.trim()]);
  if (p.service?.trim()) out.push(['provider.service', p.service.trim()]);
  if (p.url?.trim()) out.push(['provider.url', p.url.trim()]);
  const domain = p.email ? senderDomain(p.email) : undefined;
  if (domain) out.push(['provider.email', domain]);
  // STAR's SenderNameCode (HYU) and similar provider-level ids name the sending program.
  for (const id of p.ids) if (id.source && id.value) out.push(['provider.id', `${id.source}=${id.value}`]);
  return out;
}

/** Every id source the lead carries: prospect, customer, vehicle and provider ids (metadata ids included: they name programs too). */
function idSources(draft: LeadDraft): string[] {
  const seen = new Set<string>();
  const add = (ids: DraftId[]) => {
    for (const id of ids) if (id.source?.trim()) seen.add(id.source.trim());
  };
  add(draft.ids);
  add(draft.customer.ids);
  for (const v of draft.vehicles) add(v.ids);
  if (draft.provider) add(draft.provider.ids);
  return [...seen];
}

function domainMatches(domain: string, wanted: string): boolean {
  return domain === wanted || domain.endsWith(`.${wanted}`);
}

/** Short, non-customer text for evidence values (provider names and id sources can be long). */
function clip(value: string): string {
  return value.length > 120 ? `${value.slice(0, 117)}...` : value;
}

/**
 * Chooses providers for drafts. Built once (at pipeline construction): the candidate list is
 * PROVIDERS in registry order, then the built-in catalog.
 */
export class Attributor {
  /** Specific sources (adapters, then named catalog entries), in precedence order. */
  private readonly candidates: Candidate[];
  /** Generic channel words, the last resort. */
  private readonly generic: Candidate[];
  private readonly byName = new Map<string, Candidate>();
  /** othersOf's lists, keyed by the relay's candidate (one of ours, so at most one list per candidate). */
  private readonly relayOthers = new Map<Candidate, Candidate[]>();

  constructor(providers: readonly ProviderAdapter[] = PROVIDERS) {
    const all = candidatesOf(providers);
    this.candidates = all.filter((c) => !c.generic);
    this.generic = all.filter((c) => c.generic);
    for (const c of all) {
      if (c.adapter) this.byName.set(c.adapter.name, c);
      if (!this.byName.has(c.provider.toLowerCase())) this.byName.set(c.provider.toLowerCase(), c);
    }
  }

  /** The provider adapter named explicitly (POST /v1/leads/{name}, a credential's provider), by folder name or canonical brand. */
  named(name: string): Candidate | undefined {
    return this.byName.get(name.trim().toLowerCase());
  }

  /** Pick the source of one draft, then let its adapter refine the draft. */
  attribute(draft: LeadDraft, signals: Signals, explicit?: string): Attribution {
    const warnings: Warning[] = [];
    const chosen = this.choose(draft, signals, explicit);
    let refined = draft;
    const adapter = chosen?.source.adapter;
    if (adapter?.refine) {
      try {
        refined = adapter.refine(draft, signals);
      } catch (err) {
        // A provider quirk must never cost the lead: keep the generic reading and say so.
        refined = draft;
        warnings.push({ code: 'adapter_refine_failed', message: `The ${adapter.name} adapter could not refine this lead (${err instanceof Error ? err.name : 'error'}); the generic reading was kept.` });
      }
    }
    const origin = chosen && chosen.source.party === 'second' ? this.relayOrigin(refined, chosen.source) : undefined;
    return {
      draft: refined,
      signals,
      ...(chosen ? { source: chosen.source, evidence: chosen.evidence } : {}),
      ...(origin ? { origin } : {}),
      warnings,
    };
  }

  private choose(draft: LeadDraft, signals: Signals, explicit?: string): { source: Candidate; evidence: Evidence } | undefined {
    // 0. The caller named the provider (POST /v1/leads/cargurus).
    if (explicit) {
      const c = this.named(explicit);
      if (c?.adapter) return { source: c, evidence: { signal: 'adapter', value: c.adapter.name, rule: c.key } };
    }
    // 1. Transport identity: the credential was issued to this provider.
    const credential = signals.credential?.provider;
    if (credential) {
      const c = this.named(credential) ?? this.candidates.find((x) => x.match.names?.test(credential));
      if (c) return { source: c, evidence: { signal: 'credential', value: clip(credential), rule: c.key } };
    }
    // 2. provider/name, service, url (registry order decides when several sources are named: an OEM program relaying a vendor's lead names both).
    const fields = providerFields(draft);
    if (fields.length) {
      for (const c of this.candidates) {
        const re = c.match.names;
        if (!re) continue;
        for (const [signal, value] of fields) {
          if (re.test(value)) return { source: c, evidence: { signal, value: clip(value), rule: c.key } };
        }
      }
    }
    // 3. id sources.
    const sources = idSources(draft);
    if (sources.length) {
      for (const c of this.candidates) {
        const re = c.match.idSources;
        if (!re) continue;
        const hit = sources.find((s) => re.test(s));
        if (hit) return { source: c, evidence: { signal: 'id.source', value: clip(hit), rule: c.key } };
      }
    }
    // 4. The email sender's domain (a relay such as eLead's starlead@ carries every provider's leads: never decisive).
    const sender = signals.sender;
    if (sender && !isRelaySender(sender)) {
      const domain = senderDomain(sender);
      if (domain) {
        const c = this.candidates.find((x) => x.match.senderDomains?.some((d) => domainMatches(domain, d)));
        if (c) return { source: c, evidence: { signal: 'sender.domain', value: domain, rule: c.key } };
      }
    }
    // 5. The subject (a dealer forwarding the notification). Its text may hold a customer's name: the evidence names only the rule.
    const subject = signals.subject ? cleanSubject(signals.subject) : '';
    if (subject) {
      const c = this.candidates.find((x) => x.match.subjects?.test(subject));
      if (c) return { source: c, evidence: { signal: 'subject', rule: c.key } };
    }
    // 6. Nothing named a known source: a generic channel word in the provider's name or service ("Dealer Website", "Live Chat").
    for (const [signal, value] of fields) {
      if (signal !== 'provider.name' && signal !== 'provider.service') continue;
      const c = this.generic.find((x) => x.match.names?.test(value));
      if (c) return { source: c, evidence: { signal, value: clip(value), rule: c.key } };
    }
    return undefined;
  }

  /** The candidates a relay may name as its origin (any but itself and its own brand), listed once per relay. */
  private othersOf(relay: Candidate): Candidate[] {
    let others = this.relayOthers.get(relay);
    if (!others) {
      others = this.candidates.filter((c) => c !== relay && c.provider !== relay.provider);
      this.relayOthers.set(relay, others);
    }
    return others;
  }

  /**
   * The source an OEM program relays: named by provider/name (Kia Digital puts the website vendor's
   * form there: "Team Velocity - Contact Dealer") or by a secondary id source (CarsDirect).
   */
  private relayOrigin(draft: LeadDraft, relay: Candidate): { source: Candidate; evidence: Evidence } | undefined {
    const others = this.othersOf(relay);
    const name = draft.provider?.name?.trim();
    if (name) {
      const c = others.find((x) => x.match.names?.test(name)) ?? this.generic.find((x) => x.match.names?.test(name));
      if (c) return { source: c, evidence: { signal: 'provider.name', value: clip(name), rule: `relay-origin:${c.key}` } };
    }
    const sources = idSources(draft);
    for (const c of others) {
      const re = c.match.idSources;
      if (!re) continue;
      const hit = sources.find((s) => re.test(s));
      if (hit) return { source: c, evidence: { signal: 'id.source', value: clip(hit), rule: `relay-origin:${c.key}` } };
    }
    return undefined;
  }
}

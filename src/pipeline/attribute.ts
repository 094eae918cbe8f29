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
  addSources(seen, draft.ids);
  addSources(seen, draft.customer.ids);
  for (const v of draft.vehicles) addSources(seen, v.ids);
  if (draft.provider) addSources(seen, draft.provider.ids);
  return [...seen];
}

function addSources(seen: Set<string>, ids: DraftId[]): void {
  for (const id of ids) {
    const source = id.source?.trim();
    if (source) seen.add(source);
  }
}

/** No candidate matched: one shared, frozen list instead of an empty array per memo entry. */
const NO_MATCH: readonly number[] = Object.freeze([]);

/**
 * Which candidates' pattern (names, or id sources) matches one value, as ascending indices into the
 * attributor's candidate list (specific ones first, then generic ones: the precedence order).
 * Provider names, services, urls and id sources repeat from lead to lead (every CarGurus lead says
 * "CarGurus"), so the ~60 patterns are tested once per distinct value, not once per lead. Safe
 * because each pattern is compiled without g/y (safePattern): test() depends on the value alone.
 * Only provider-block values and id sources are memoized, never customer data; long values are not
 * kept, and the map is cleared when it reaches its bound, so memory stays small whatever is sent.
 */
export class MatchMemo {
  private readonly seen = new Map<string, readonly number[]>();

  constructor(
    private readonly patterns: ReadonlyArray<RegExp | undefined>,
    readonly bound = 512,
    private readonly maxKeyLength = 200,
  ) {}

  of(value: string): readonly number[] {
    const known = this.seen.get(value);
    if (known) return known;
    let hits: number[] | undefined;
    for (let i = 0; i < this.patterns.length; i++) {
      if (this.patterns[i]?.test(value)) (hits ??= []).push(i);
    }
    const out = hits ?? NO_MATCH;
    if (value.length <= this.maxKeyLength) {
      if (this.seen.size >= this.bound) this.seen.clear();
      this.seen.set(value, out);
    }
    return out;
  }

  /** Entries held (tests pin the bound). */
  get size(): number {
    return this.seen.size;
  }

  clear(): void {
    this.seen.clear();
  }
}

function domainMatches(domain: string, wanted: string): boolean {
  return domain === wanted || domain.endsWith(`.${wanted}`);
}

/** Short, non-customer text for evidence values (provider names and id sources can be long). */
function clip(value: string): string {
  return value.length > 120 ? `${value.slice(0, 117)}...` : value;
}

/** A choice and the evidence that made it. */
type Chosen = { source: Candidate; evidence: Evidence };

/**
 * Chooses providers for drafts. Built once (at pipeline construction): the candidate list is
 * PROVIDERS in registry order, then the built-in catalog.
 */
export class Attributor {
  /** Specific sources (adapters, then named catalog entries), in precedence order. */
  private readonly candidates: Candidate[];
  /** Generic channel words, the last resort. */
  private readonly generic: Candidate[];
  /** candidates, then generic: the list the memos' indices point into (an index < candidates.length is specific). */
  private readonly ordered: Candidate[];
  private readonly byName = new Map<string, Candidate>();
  /** Which candidates' names / idSources match a provider field or id source (see MatchMemo). */
  readonly names: MatchMemo;
  readonly idSourceMatches: MatchMemo;

  constructor(providers: readonly ProviderAdapter[] = PROVIDERS) {
    const all = candidatesOf(providers);
    this.candidates = all.filter((c) => !c.generic);
    this.generic = all.filter((c) => c.generic);
    this.ordered = [...this.candidates, ...this.generic];
    this.names = new MatchMemo(this.ordered.map((c) => c.match.names));
    this.idSourceMatches = new MatchMemo(this.ordered.map((c) => c.match.idSources));
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
    // Built key by key (no spreads), in the order the spreads gave: draft, signals, source, evidence, origin, warnings.
    const out = { draft: refined, signals } as Attribution;
    if (chosen) {
      out.source = chosen.source;
      out.evidence = chosen.evidence;
    }
    if (origin) out.origin = origin;
    out.warnings = warnings;
    return out;
  }

  private choose(draft: LeadDraft, signals: Signals, explicit?: string): Chosen | undefined {
    const specific = this.candidates.length;
    // 0. The caller named the provider (POST /v1/leads/cargurus).
    if (explicit) {
      const c = this.named(explicit);
      if (c?.adapter) return { source: c, evidence: { signal: 'adapter', value: c.adapter.name, rule: c.key } };
    }
    // 1. Transport identity: the credential was issued to this provider (a configured name, not customer data).
    const credential = signals.credential?.provider;
    if (credential) {
      const c = this.named(credential) ?? this.firstSpecific(credential);
      if (c) return { source: c, evidence: { signal: 'credential', value: clip(credential), rule: c.key } };
    }
    // 2. provider/name, service, url (registry order decides when several sources are named: an OEM program relaying a vendor's lead names both).
    // The first candidate (in order) that any field names wins, with the first field that names it: that is the
    // field whose first match has the lowest index (an earlier field naming the same candidate would have it too).
    const fields = providerFields(draft);
    let best = specific;
    let bestField: [string, string] | undefined;
    for (const field of fields) {
      const first = this.names.of(field[1])[0];
      if (first !== undefined && first < best) {
        best = first;
        bestField = field;
      }
    }
    if (bestField) {
      const c = this.ordered[best]!;
      return { source: c, evidence: { signal: bestField[0], value: clip(bestField[1]), rule: c.key } };
    }
    // 3. id sources (the same reasoning: lowest first match, first source that has it).
    const sources = idSources(draft);
    const byId = this.firstIdSource(sources, undefined);
    if (byId) return { source: byId.source, evidence: { signal: 'id.source', value: clip(byId.hit), rule: byId.source.key } };
    // 4. The email sender's domain (a relay such as eLead's starlead@ carries every provider's leads: never decisive).
    const sender = signals.sender;
    if (sender && !isRelaySender(sender)) {
      const domain = senderDomain(sender);
      if (domain) {
        const c = this.candidates.find((x) => x.match.senderDomains?.some((d) => domainMatches(domain, d)));
        if (c) return { source: c, evidence: { signal: 'sender.domain', value: domain, rule: c.key } };
      }
    }
    // 5. The subject (a dealer forwarding the notification). Its text may hold a customer's name: the evidence names
    // only the rule, and it is never memoized.
    const subject = signals.subject ? cleanSubject(signals.subject) : '';
    if (subject) {
      const c = this.candidates.find((x) => x.match.subjects?.test(subject));
      if (c) return { source: c, evidence: { signal: 'subject', rule: c.key } };
    }
    // 6. Nothing named a known source: a generic channel word in the provider's name or service ("Dealer Website", "Live Chat").
    for (const [signal, value] of fields) {
      if (signal !== 'provider.name' && signal !== 'provider.service') continue;
      const c = this.firstGeneric(value);
      if (c) return { source: c, evidence: { signal, value: clip(value), rule: c.key } };
    }
    return undefined;
  }

  /** The first specific candidate whose names match. */
  private firstSpecific(value: string): Candidate | undefined {
    const first = this.names.of(value)[0];
    return first !== undefined && first < this.candidates.length ? this.ordered[first] : undefined;
  }

  /** The first generic candidate whose names match (generic indices follow the specific ones). */
  private firstGeneric(value: string): Candidate | undefined {
    for (const i of this.names.of(value)) if (i >= this.candidates.length) return this.ordered[i];
    return undefined;
  }

  /** A specific candidate other than the relay and its own brand: the ones a relay may name as its origin. */
  private isOther(i: number, relay: Candidate | undefined): boolean {
    if (i >= this.candidates.length) return false;
    if (!relay) return true;
    const c = this.ordered[i]!;
    return c !== relay && c.provider !== relay.provider;
  }

  /**
   * The first specific candidate (skipping the relay and its brand, when given) whose idSources match any
   * source, and the first source that matches it: what looping candidates, then sources, would find.
   */
  private firstIdSource(sources: string[], relay: Candidate | undefined): { source: Candidate; hit: string } | undefined {
    let best = this.candidates.length;
    let hit: string | undefined;
    for (const s of sources) {
      for (const i of this.idSourceMatches.of(s)) {
        if (i >= best) break;
        if (!this.isOther(i, relay)) continue;
        best = i;
        hit = s;
        break;
      }
    }
    return hit === undefined ? undefined : { source: this.ordered[best]!, hit };
  }

  /**
   * The source an OEM program relays: named by provider/name (Kia Digital puts the website vendor's
   * form there: "Team Velocity - Contact Dealer") or by a secondary id source (CarsDirect).
   */
  private relayOrigin(draft: LeadDraft, relay: Candidate): Chosen | undefined {
    const name = draft.provider?.name?.trim();
    if (name) {
      let c: Candidate | undefined;
      for (const i of this.names.of(name)) {
        if (this.isOther(i, relay)) {
          c = this.ordered[i];
          break;
        }
      }
      c ??= this.firstGeneric(name);
      if (c) return { source: c, evidence: { signal: 'provider.name', value: clip(name), rule: `relay-origin:${c.key}` } };
    }
    const byId = this.firstIdSource(idSources(draft), relay);
    if (byId) return { source: byId.source, evidence: { signal: 'id.source', value: clip(byId.hit), rule: `relay-origin:${byId.source.key}` } };
    return undefined;
  }
}

// Small steps several provider refines share: attribution that keeps an earlier decision or adds facts, clipped evidence, a product or sub-brand as sub-source, source-less vehicle ids, the sender's domain.
import type { Signals } from '../src/input.js';
import type { DraftAttribution, DraftId, Evidence, LeadDraft } from '../src/lead.js';

/** Evidence under rule `adapter:<adapter>`; long provider names and form names are clipped (evidence is for reading, not storage). */
export function evidence(adapter: string, signal: string, value?: string): Evidence {
  if (value === undefined) return { signal, rule: `adapter:${adapter}` };
  return { signal, value: value.length > 120 ? `${value.slice(0, 117)}...` : value, rule: `adapter:${adapter}` };
}

/**
 * A copy of the draft with `value` as its attribution `field` — unless an earlier step (a relaying OEM
 * program, a configured rule) already decided that field, or there is no value: then the draft itself.
 */
export function setAttribution<K extends keyof DraftAttribution>(draft: LeadDraft, field: K, value: DraftAttribution[K] | undefined): LeadDraft {
  if (!value || draft.attribution?.[field]) return draft;
  return { ...draft, attribution: { ...draft.attribution, [field]: value } };
}

/** A copy of the draft with these facts added to its attribution, each replacing an earlier one of its kind (the draft itself when there are none). */
export function withAttribution(draft: LeadDraft, facts: DraftAttribution): LeadDraft {
  if (!hasOwnKey(facts)) return draft;
  // The same object `{ ...draft.attribution, ...facts }` gives (earlier keys in place, new ones appended in facts'
  // order), without a second spread, which V8 only runs on its slow generic path.
  const attribution: DraftAttribution = { ...draft.attribution };
  for (const key in facts) {
    if (Object.hasOwn(facts, key)) (attribution as Record<string, unknown>)[key] = facts[key as keyof DraftAttribution];
  }
  return { ...draft, attribution };
}

/** Object.keys(o).length > 0 without building the array. */
function hasOwnKey(o: object): boolean {
  for (const key in o) if (Object.hasOwn(o, key)) return true;
  return false;
}

/** A provider/service other than the brand itself ("Digital Deal" from CarGurus) names a product of the source: the sub-source, as CRMs file it. */
export function serviceSubSource(draft: LeadDraft, brand: RegExp, adapter: string): DraftAttribution['subSource'] {
  const service = draft.provider?.service?.replace(/\s+/g, ' ').trim();
  if (!service || brand.test(service)) return undefined;
  return { value: service, evidence: { signal: 'provider.service', value: service, rule: `adapter:${adapter}` } };
}

/** Vehicle-level ids sent without a source are the provider's own (its listing ids): labelled with `source`, never moved. */
export function labelVehicleIds(draft: LeadDraft, source: string): LeadDraft {
  if (!draft.vehicles.some((v) => v.ids.some((id) => !id.source?.trim()))) return draft;
  const label = (id: DraftId): DraftId => (id.source?.trim() ? id : { ...id, source });
  return { ...draft, vehicles: draft.vehicles.map((v) => ({ ...v, ids: v.ids.map(label) })) };
}

/** A second brand an adapter files under its provider (Autobytel under Dealix, DealerRater under Cars.com) and how a lead names it. */
export interface SubBrand {
  /** The sub-source it becomes ("Autobytel"). */
  value: string;
  pattern: RegExp;
  /** Provider fields to look in, most telling first. */
  fields: ReadonlyArray<'name' | 'service' | 'url'>;
  /** Its email domain (a subdomain counts). */
  domain: string;
}

/** The sub-brand as sub-source when the lead names it: a provider field (in `fields` order), then a prospect id source, then the sender's domain. */
export function subBrandOf(draft: LeadDraft, signals: Signals, brand: SubBrand, adapter: string): DraftAttribution['subSource'] {
  const named = (signal: string, value: string): DraftAttribution['subSource'] => ({ value: brand.value, evidence: { signal, value, rule: `adapter:${adapter}` } });
  const p = draft.provider;
  const field = brand.fields.find((k) => brand.pattern.test(p?.[k] ?? ''));
  if (field) return named(`provider.${field}`, p![field]!.trim());
  const idSource = draft.ids.find((id) => brand.pattern.test(id.source ?? ''))?.source;
  if (idSource) return named('id.source', idSource);
  const domain = senderDomainUnder(signals, brand.domain);
  return domain ? named('sender.domain', domain) : undefined;
}

/** The email sender's domain (lower-case) when it is `parent` or one of its subdomains (leads.truecarmail.com under truecarmail.com); else undefined. */
export function senderDomainUnder(signals: Signals, parent: string): string | undefined {
  const sender = signals.sender?.trim().toLowerCase();
  const at = sender?.lastIndexOf('@') ?? -1;
  if (!sender || at < 0) return undefined;
  const domain = sender.slice(at + 1);
  return domain === parent || domain.endsWith(`.${parent}`) ? domain : undefined;
}

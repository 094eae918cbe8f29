// What every OEM-program adapter refines the same way: the source a program relays (the dealer's website/chat vendor, the program's own site or app, a third-party marketplace) and the OEM dealer code.
import type { Signals } from '../src/input.js';
import type { DraftAttribution, DraftId, LeadDraft, LeadType } from '../src/lead.js';
import type { ProviderAdapter } from './index.js';
import { THIRD_PARTY_MARKER } from '../src/pipeline/classify/catalog.js';
import { evidence, withAttribution } from './refine-kit.js';
import { provider as carnow } from './carnow/index.js';
import { provider as dealerInspire } from './dealer-inspire/index.js';
import { provider as dealercom } from './dealercom/index.js';
import { provider as dealeron } from './dealeron/index.js';
import { provider as roadster } from './roadster/index.js';
import { provider as teamvelocity } from './teamvelocity/index.js';

/**
 * The dealer's own website and chat vendors an OEM program may relay (Kia Digital: Team Velocity;
 * Mazda Digital: Team Velocity, Roadster, CarNow; Hyundai: Dealer.com; Honda, Ford and GM: Dealer
 * Inspire's plugins — delivery.md §2.3, §4). A relayed vendor lead is the dealer's own: first party.
 */
export const WEBSITE_VENDORS: readonly ProviderAdapter[] = [teamvelocity, roadster, carnow, dealerInspire, dealeron, dealercom];

/** An OEM program as its adapter describes it to the shared steps. */
export interface OemProgram {
  /** Adapter name, for evidence rules ("adapter:<name>"). */
  name: string;
  /** The program's own names (provider/service "Kia Digital", id source "Mazda Digital"): never a relayed source. */
  own: RegExp;
  /** The program's own consumer sites and apps (Kia.com, MFS Lease End App, SmartPath): second party, named as sub-source. */
  channels?: ReadonlyArray<{ pattern: RegExp; subSource: string }>;
  /** What marks a relayed third-party lead; default "3rd Party" / "third party". */
  thirdParty?: RegExp;
  /** id sources (prospect level) that hold the OEM dealer code; moved to the vendor ids so resolve-dealer can map them. */
  dealerCode?: { sources: RegExp; label: string };
}

/**
 * Prospect ids that describe the lead rather than name a partner: sessions, flags, the origin site,
 * Shift Digital's deal ids, dealer codes (kia-digital-*.xml, mazda-digital-*.xml).
 */
const METADATA_ID = /session|^sd\b|^sd-|iscilead|^lead ?type$|^name:|vendor id|dealer ?(?:code|number|id)|\bbac\b|p&?a ?code/i;

/**
 * Names that say where the lead started: provider/name, and the `name:full` id Kia Digital adds
 * (`<id source="name:full">kia.com</id>`, `… Team Velocity - Contact Dealer`).
 */
function originNames(draft: LeadDraft): Array<[signal: string, value: string]> {
  const out: Array<[string, string]> = [];
  const name = draft.provider?.name?.trim();
  if (name) out.push(['provider.name', name]);
  for (const id of draft.ids) {
    if (id.source && /^name:full$/i.test(id.source.trim()) && id.value.trim() && id.value.trim() !== name) out.push(['id.source', `name:full=${id.value.trim()}`]);
  }
  return out;
}

const valueOf = (signalValue: string): string => signalValue.replace(/^name:full=/i, '');

/** The website/chat vendor a name stands for ("Dealer.com - DRS" → Dealer.com), if any. */
export function vendorNamed(name: string): ProviderAdapter | undefined {
  return WEBSITE_VENDORS.find((v) => v.match.names?.test(name));
}

/** The website/chat vendor named by provider/name, the `name:full` id, or a secondary id source (`<id sequence="2" source="CarNow">`). */
export function relayedVendor(draft: LeadDraft, program: OemProgram): { vendor: ProviderAdapter; signal: string; value: string } | undefined {
  for (const [signal, value] of originNames(draft)) {
    if (program.own.test(valueOf(value))) continue;
    const vendor = vendorNamed(valueOf(value));
    if (vendor) return { vendor, signal, value };
  }
  for (const id of draft.ids) {
    const source = id.source?.trim();
    if (!source || program.own.test(source)) continue;
    const vendor = WEBSITE_VENDORS.find((v) => v.match.idSources?.test(source));
    if (vendor) return { vendor, signal: 'id.source', value: source };
  }
  return undefined;
}

/** The partner of a third-party relay: the first prospect id source that is neither the program's own nor metadata (`CarsDirect`). */
export function partnerId(draft: LeadDraft, program: OemProgram): string | undefined {
  return draft.ids.map((id) => id.source?.trim()).find((s): s is string => !!s && !program.own.test(s) && !METADATA_ID.test(s));
}

/**
 * Dealer codes a program sends as prospect ids (a GM `BAC`, a Ford `PA Code`) move to the vendor
 * ids: there resolve-dealer finds a dealer configured with that code in `vendorIds`, and they stop
 * posing as the lead's own id (every lead of the dealer carries the same code, so dedupe would
 * take them for one lead). A code already among the vendor ids is not added twice.
 */
export function keepDealerCode(draft: LeadDraft, program: OemProgram): LeadDraft {
  const spec = program.dealerCode;
  if (!spec) return draft;
  const isCode = (id: DraftId): boolean => !!id.source && spec.sources.test(id.source.trim()) && id.value.trim() !== '';
  const codes = draft.ids.filter(isCode);
  if (codes.length === 0) return draft;
  const vendor = draft.vendor ?? { ids: [] };
  const have = new Set(vendor.ids.map((id) => id.value.trim().toLowerCase()));
  const add: DraftId[] = [];
  for (const id of codes) {
    const value = id.value.trim();
    if (have.has(value.toLowerCase())) continue;
    have.add(value.toLowerCase());
    add.push({ value, source: spec.label });
  }
  return { ...draft, ids: draft.ids.filter((id) => !isCode(id)), vendor: { ...vendor, ids: [...vendor.ids, ...add] } };
}

/**
 * The steps every OEM program shares, in order of what the lead says most plainly:
 * 1. a third-party marker in provider/name or service ("Kia Digital - 3rd Party Lead") → party third,
 *    the partner id's source (`CarsDirect`) as sub-source;
 * 2. one of the program's own sites/apps (Kia.com, MFS Lease End App) → party second, that channel as sub-source;
 * 3. a website/chat vendor it relays (Team Velocity, Roadster, CarNow, Dealer.com, …) → the vendor's own
 *    refine (form → lead type, chat transcript), then the vendor as sub-source and its party (first).
 * Nothing matched: the program's own lead, second party (the adapter default) — FordDirect, for one,
 * never says which site a purchased lead came from (market.md [O2]).
 */
export function refineRelay(draft: LeadDraft, signals: Signals, program: OemProgram): LeadDraft {
  const out = keepDealerCode(draft, program);
  const marker = program.thirdParty ?? THIRD_PARTY_MARKER;
  const p = out.provider;
  const flagged = p?.name && marker.test(p.name) ? 'provider.name' : p?.service && marker.test(p.service) ? 'provider.service' : undefined;
  if (flagged) {
    const facts: DraftAttribution = { party: { value: 'third', evidence: evidence(program.name, flagged, flagged === 'provider.name' ? p!.name! : p!.service!) } };
    const partner = partnerId(out, program);
    if (partner) facts.subSource = { value: partner, evidence: evidence(program.name, 'id.source', partner) };
    return withAttribution(out, facts);
  }
  for (const [signal, value] of originNames(out)) {
    const channel = program.channels?.find((c) => c.pattern.test(valueOf(value)));
    if (channel) {
      const ev = evidence(program.name, signal, value);
      return withAttribution(out, { subSource: { value: channel.subSource, evidence: ev }, party: { value: 'second', evidence: ev } });
    }
  }
  const relayed = relayedVendor(out, program);
  if (relayed) {
    const refined = relayed.vendor.refine ? relayed.vendor.refine(out, signals) : out;
    const ev = evidence(program.name, relayed.signal, relayed.value);
    return withAttribution(refined, { subSource: { value: relayed.vendor.provider, evidence: ev }, party: { value: relayed.vendor.party, evidence: ev } });
  }
  return out;
}

/** Keywords of program and form names that say what the customer asked for ("TestDrive", "DRS TRADE-IN FORM LEAD"). */
const NAME_TYPES: Array<[RegExp, LeadType]> = [
  [/test ?drive/i, 'test-drive'],
  [/credit|pre-?qual/i, 'credit-app'],
  [/\bchat\b/i, 'chat'],
  [/trade/i, 'trade-appraisal'],
];

export function leadTypeOfName(name: string): LeadType | undefined {
  return NAME_TYPES.find(([re]) => re.test(name))?.[1];
}

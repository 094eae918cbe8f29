// Who sent a lead email (delivery.md §2.3, §5.2): the From address and domain, the subject, and the provider they stand for — read from the provider adapters' and the catalog's match fields, so each sender is known in one place.
import { PROVIDERS } from '../../adapters/index.js';
import type { LeadDraft, Warning } from '../lead.js';
import { CATALOG } from '../pipeline/classify/catalog.js';

export interface SenderProvider {
  /** The provider's canonical brand ("CarGurus", "TrueCar"). */
  name: string;
}

interface SenderEntry {
  provider: string;
  /** From domains; a subdomain matches too (leads.truecarmail.com matches truecarmail.com). */
  domains: readonly string[];
  /** Subject pattern that names the provider when the From address does not (a dealer forwarding the mail). */
  subjects?: RegExp;
}

/** Relays carry many providers' leads (eLead's OEM relay): the document names the provider, never the sender. */
const RELAY_ADDRESSES: readonly string[] = ['starlead@eleadcrm.com'];

let directory: SenderEntry[] | undefined;

/**
 * Built on first use from PROVIDERS then CATALOG (registry order: the first matching entry wins).
 * Lazily, because the registry imports the text reader, which imports this module.
 */
function senders(): SenderEntry[] {
  directory ??= [...PROVIDERS, ...CATALOG].flatMap((p) => {
    const domains = (p.match.senderDomains ?? []).map((d) => d.toLowerCase());
    const re = p.match.subjects;
    if (!domains.length && !re) return [];
    // A g/y flag would make test() stateful; the contract says case-insensitive.
    const subjects = re ? new RegExp(re.source, re.flags.replace(/[gyi]/g, '') + 'i') : undefined;
    return [{ provider: p.provider, domains, ...(subjects ? { subjects } : {}) }];
  });
  return directory;
}

/** The address inside a From value: `"CarGurus" <Dealer-Leads@Messages.CarGurus.com>` → dealer-leads@messages.cargurus.com. */
export function senderAddress(from: string | undefined): string | undefined {
  if (!from || from.length > 1000) return undefined;
  const angle = /<([^<>\s]+@[^<>\s]+)>/.exec(from);
  const bare = angle?.[1] ?? /[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/.exec(from)?.[0];
  return bare ? bare.toLowerCase().replace(/\.$/, '') : undefined;
}

/** The domain of a From value or address (lower-case), or undefined. */
export function senderDomain(from: string | undefined): string | undefined {
  const address = senderAddress(from);
  const at = address?.lastIndexOf('@') ?? -1;
  return address && at > 0 ? address.slice(at + 1) : undefined;
}

/** A subject without reply/forward prefixes, bounded (subjects are matched, never stored). */
export function cleanSubject(subject: string): string {
  return subject.slice(0, 500).replace(/^\s*(?:(?:re|fw|fwd|aw|wg|tr)\s*:\s*)+/i, '').trim();
}

/** Relays (eLead's starlead@eleadcrm.com) carry many providers' leads: their documents name the provider, never the sender. */
export function isRelaySender(from: string): boolean {
  const address = senderAddress(from);
  return address !== undefined && RELAY_ADDRESSES.includes(address);
}

function domainMatches(domain: string, wanted: string): boolean {
  return domain === wanted || domain.endsWith(`.${wanted}`);
}

function entryFor(address: string | undefined): SenderEntry | undefined {
  const at = address?.lastIndexOf('@') ?? -1;
  if (!address || at < 1) return undefined;
  const domain = address.slice(at + 1);
  return senders().find((e) => e.domains.some((d) => domainMatches(domain, d)));
}

/**
 * The provider a sender and subject stand for, or undefined (unknown sender, or a relay such as
 * eLead's starlead@eleadcrm.com whose documents name their own provider). The From address decides
 * when it is known; the subject is only consulted when the sender is not (a dealer forwarding).
 * Programs and partners (TrueCar's PNC, Autotrader's Wallet) are the provider adapters' business.
 */
export function providerFromSender(from: string | undefined, subject: string | undefined): SenderProvider | undefined {
  const address = senderAddress(from);
  if (address && RELAY_ADDRESSES.includes(address)) return undefined;
  const subj = cleanSubject(subject ?? '');
  const entry = entryFor(address) ?? (subj ? senders().find((e) => e.subjects?.test(subj)) : undefined);
  return entry ? { name: entry.provider } : undefined;
}

/** True when the address belongs to a known provider or relay (never the customer's own address). */
export function isProviderAddress(address: string): boolean {
  const a = address.toLowerCase();
  return RELAY_ADDRESSES.includes(a) || entryFor(a) !== undefined;
}

/**
 * What a subject line says beyond the provider: the dealer ("Cars.com Used Car Lead for <Dealer> - <Vehicle>",
 * "DealerRater: New connection for <Dealer>") and the vehicle, and new/used.
 */
export function subjectHints(subject: string | undefined): { dealer?: string; vehicle?: string; status?: string } {
  const s = (subject ?? '').slice(0, 500).replace(/^\s*(?:(?:re|fw|fwd)\s*:\s*)+/i, '').trim();
  const cars = /^Cars\.com (New|Used|Certified)? ?Car Lead for (.+?)(?:\s+-\s+(.+))?$/i.exec(s);
  if (cars) {
    return { dealer: cars[2]!.trim(), ...(cars[3] ? { vehicle: cars[3].trim() } : {}), ...(cars[1] ? { status: cars[1].toLowerCase() } : {}) };
  }
  const dr = /^DealerRater: New connection for (.+)$/i.exec(s);
  if (dr) return { dealer: dr[1]!.trim() };
  return {};
}

/**
 * Fill `draft.provider` (name only) from the sender when the draft names no provider, with warning
 * `provider_from_sender`. Returns true when it did.
 */
export function applySenderProvider(draft: LeadDraft, from: string | undefined, subject: string | undefined): boolean {
  if (draft.provider?.name?.trim()) return false;
  const inferred = providerFromSender(from, subject);
  if (!inferred) return false;
  draft.provider = { ...(draft.provider ?? { ids: [] }), name: inferred.name };
  draft.warnings.push({ ...PROVIDER_FROM_SENDER });
  return true;
}

const PROVIDER_FROM_SENDER: Warning = {
  code: 'provider_from_sender',
  message: "The lead names no provider; it was inferred from the email's sender address or subject.",
};

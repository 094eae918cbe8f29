// The email sender catalog (delivery.md §2.3, §5.2): From domains/addresses and subject patterns → provider names, for leads that do not name their provider.

import type { LeadDraft, Warning } from '../lead.js';

export interface SenderProvider {
  /** Provider name as a CRM would file it ("CarGurus", "TrueCar"). */
  name: string;
  /** Sub-source when the sender or subject encodes one (TrueCar's affinity partner: "TrueCar/PNC"). */
  service?: string;
}

interface SenderRule {
  provider: string;
  /** Exact From addresses (lower-case). */
  addresses?: string[];
  /** From domains; a subdomain matches too (leads.truecarmail.com matches truecarmail.com). */
  domains?: string[];
  /** Subject patterns that name the provider when the From address does not (a dealer forwarding the mail). */
  subjects?: RegExp[];
  /** Relays carry many providers' leads: the document decides, never the sender. */
  relay?: boolean;
  /** Service from the From local part and the subject. */
  service?: (local: string, subject: string) => string | undefined;
}

/** TrueCar affinity partners as they appear in the sender local part (pnc@leads.truecarmail.com). */
const TRUECAR_PARTNERS: Record<string, string> = {
  truecar: 'TrueCar',
  pnc: 'PNC',
  usnews: 'U.S. News',
  samsclub: 'Sams Club',
  perksatwork: 'Perks At Work',
  schoolsfirst: 'SchoolsFirst FCU',
  schoolsfirstfcu: 'SchoolsFirst FCU',
  extendednetwork: 'Extended Network',
};

/** "TrueCar / PNC: New Customer Inquiry" → "PNC"; else the partner named by the sender local part. */
function trueCarService(local: string, subject: string): string | undefined {
  const m = /\bTrueCar\s*\/\s*([^:]{1,40}?)\s*:/i.exec(subject);
  const partner = m?.[1]?.trim() || TRUECAR_PARTNERS[local.replace(/[^a-z]/g, '')];
  return partner ? `TrueCar/${partner}` : undefined;
}

/** "Apollo Website Lead-Contact Dealer" → "Contact Dealer". */
function apolloService(_local: string, subject: string): string | undefined {
  return /Apollo Website Lead\s*-\s*(.{1,60})$/i.exec(subject.trim())?.[1]?.trim() || undefined;
}

/** "Wallet Lead: Autotrader Vehicle: …" → "Wallet Lead". */
function autoTraderService(_local: string, subject: string): string | undefined {
  return /^([A-Za-z][\w ]{0,30}? Lead):/i.exec(subject.trim())?.[1] || undefined;
}

/** Ordered: the first rule whose address or domain matches the sender wins; subjects are only tried when no sender matched. */
export const SENDER_RULES: readonly SenderRule[] = [
  { provider: '', addresses: ['starlead@eleadcrm.com'], relay: true },
  { provider: 'AutoTrader.com', domains: ['autotrader.com'], subjects: [/\bLead: Autotrader\b/i], service: autoTraderService },
  { provider: 'CarGurus', domains: ['cargurus.com', 'cargurus.co.uk', 'cargurus.ca'], subjects: [/\bLead Submission from CarGurus\b/i] },
  { provider: 'Cars.com', domains: ['cars.com'], subjects: [/^Cars\.com (?:New |Used |Certified )?Car Lead\b/i] },
  { provider: 'DealerRater', domains: ['dealerrater.com'], subjects: [/^DealerRater: New connection\b/i] },
  { provider: 'TrueCar', domains: ['truecarmail.com', 'truecar.com'], subjects: [/^TrueCar\s*\/\s*[^:]+: New Customer Inquiry\b/i], service: trueCarService },
  { provider: 'OfferUp', domains: ['offerup.com'], subjects: [/^OfferUp Lead\b/i] },
  { provider: 'Costco Auto Program', domains: ['costcoauto.com'], subjects: [/^Costco Auto Program Referral\b/i] },
  { provider: 'Team Velocity Apollo', domains: ['velocityoffersites.com'], subjects: [/^Apollo Website Lead\b/i], service: apolloService },
  { provider: 'Facebook (Team Velocity)', domains: ['tvmnotify.com'] },
  { provider: 'CARFAX', domains: ['carfax.com'] },
  { provider: 'CarNow', domains: ['carnow.com'] },
];

/** The address inside a From value: `"CarGurus" <Dealer-Leads@Messages.CarGurus.com>` → dealer-leads@messages.cargurus.com. */
export function senderAddress(from: string | undefined): string | undefined {
  if (!from || from.length > 1000) return undefined;
  const angle = /<([^<>\s]+@[^<>\s]+)>/.exec(from);
  const bare = angle?.[1] ?? /[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/.exec(from)?.[0];
  return bare ? bare.toLowerCase().replace(/\.$/, '') : undefined;
}

function domainMatches(domain: string, wanted: string): boolean {
  return domain === wanted || domain.endsWith(`.${wanted}`);
}

function ruleFor(address: string | undefined): SenderRule | undefined {
  if (!address) return undefined;
  const at = address.lastIndexOf('@');
  const domain = address.slice(at + 1);
  return SENDER_RULES.find((r) => r.addresses?.includes(address) || r.domains?.some((d) => domainMatches(domain, d)));
}

/**
 * The provider a sender and subject stand for, or undefined (unknown sender, or a relay such as
 * eLead's starlead@eleadcrm.com whose documents name their own provider). The From address decides
 * when it is in the catalog; the subject is only consulted when the sender is not (a dealer forwarding).
 */
export function providerFromSender(from: string | undefined, subject: string | undefined): SenderProvider | undefined {
  const address = senderAddress(from);
  const subj = (subject ?? '').slice(0, 500).replace(/^\s*(?:(?:re|fw|fwd|aw|wg|tr)\s*:\s*)+/i, '').trim();
  let rule = ruleFor(address);
  if (rule?.relay) return undefined;
  rule ??= subj ? SENDER_RULES.find((r) => !r.relay && r.subjects?.some((p) => p.test(subj))) : undefined;
  if (!rule) return undefined;
  const local = address ? address.slice(0, address.lastIndexOf('@')) : '';
  const service = rule.service?.(local, subj);
  return service ? { name: rule.provider, service } : { name: rule.provider };
}

/** True when the address belongs to a catalogued provider or relay (never the customer's own address). */
export function isProviderAddress(address: string): boolean {
  return ruleFor(address.toLowerCase()) !== undefined;
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
 * Fill `draft.provider` from the sender when the draft names no provider, with warning
 * `provider_from_sender`. Returns true when it did.
 */
export function applySenderProvider(draft: LeadDraft, from: string | undefined, subject: string | undefined): boolean {
  if (draft.provider?.name?.trim()) return false;
  const inferred = providerFromSender(from, subject);
  if (!inferred) return false;
  const provider = draft.provider ?? { ids: [] };
  provider.name = inferred.name;
  if (inferred.service && !provider.service?.trim()) provider.service = inferred.service;
  draft.provider = provider;
  draft.warnings.push({ ...PROVIDER_FROM_SENDER });
  return true;
}

const PROVIDER_FROM_SENDER: Warning = {
  code: 'provider_from_sender',
  message: "The lead names no provider; it was inferred from the email's sender address or subject.",
};

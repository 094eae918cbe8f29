// TrueCar leads and its affinity partners (PNC, U.S. News, Sams Club, Perks At Work, …): how to recognize them, the partner as sub-source, the dealer-portal link and <leadtype>.
import type { Signals } from '../../src/input.js';
import type { DraftAttribution, LeadDraft } from '../../src/lead.js';
import type { ProviderAdapter } from '../index.js';
import { senderDomainUnder, setAttribution } from '../refine-kit.js';

const RULE = 'adapter:truecar';

/**
 * Partners as the sender local part spells them (pnc@leads.truecarmail.com), and the one display
 * spelling per partner (delivery.md §2.3). A partner missing here is kept as TrueCar wrote it.
 */
const PARTNERS: Record<string, string> = {
  truecar: 'TrueCar',
  pnc: 'PNC',
  usnews: 'U.S. News',
  samsclub: 'Sams Club',
  perksatwork: 'Perks At Work',
  schoolsfirst: 'SchoolsFirst FCU',
  schoolsfirstfcu: 'SchoolsFirst FCU',
  extendednetwork: 'Extended Network',
};

/** provider/name "TrueCar/PNC". */
const NAME_PARTNER = /^\s*TrueCar\s*\/\s*([^/]{1,60}?)\s*$/i;
/** provider/service "New TrueCar/PNC Auto Buying Customer Inquiry". */
const SERVICE_PARTNER = /\bTrueCar\s*\/\s*(.{1,60}?)\s+Auto Buying\b/i;
/** Subject "TrueCar / PNC: New Customer Inquiry". */
const SUBJECT_PARTNER = /\bTrueCar\s*\/\s*([^:]{1,60}?)\s*:\s*New Customer Inquiry\b/i;
/** "*** DEALER PORTAL *** <br /> https://dealerportal.truecar.com/dfe/prospects/…" in the customer comments. */
const PORTAL_LINK = /https?:\/\/dealerportal\.truecar\.com\/[^\s<>"']+/i;

/** The canonical spelling of a partner: "perks at work" → "Perks At Work"; unknown partners as sent. */
export function partnerName(raw: string): string | undefined {
  const s = raw.replace(/\s+/g, ' ').trim();
  if (!s) return undefined;
  return PARTNERS[s.toLowerCase().replace(/[^a-z]/g, '')] ?? s;
}

/** Partner from the strongest signal that names one: provider name, service, subject, then the sender's local part. */
function partnerOf(draft: LeadDraft, signals: Signals): DraftAttribution['subSource'] {
  const name = draft.provider?.name?.trim();
  const byName = name ? NAME_PARTNER.exec(name)?.[1] : undefined;
  if (byName) return evidenced(byName, 'provider.name', name!);
  const service = draft.provider?.service?.trim();
  const byService = service ? SERVICE_PARTNER.exec(service)?.[1] : undefined;
  if (byService) return evidenced(byService, 'provider.service', service!);
  const subject = signals.subject?.slice(0, 300);
  const bySubject = subject ? SUBJECT_PARTNER.exec(subject) : null;
  // Only the matched "TrueCar / <Partner>" goes into evidence; a forwarded subject may carry more.
  if (bySubject) return evidenced(bySubject[1]!, 'subject', `TrueCar / ${bySubject[1]!.trim()}`);
  const sender = signals.sender?.trim().toLowerCase();
  if (sender && senderDomainUnder(signals, 'truecarmail.com')) {
    const local = sender.slice(0, sender.lastIndexOf('@')).replace(/[^a-z]/g, '');
    const known = PARTNERS[local];
    if (known && known !== 'TrueCar') return { value: known, evidence: { signal: 'sender', value: sender, rule: RULE } };
  }
  return undefined;
}

/** TrueCar's own site ("TrueCar/TrueCar") is no partner: it gives no sub-source. */
function evidenced(raw: string, signal: string, value: string): DraftAttribution['subSource'] {
  const partner = partnerName(raw);
  return partner && partner !== 'TrueCar' ? { value: partner, evidence: { signal, value, rule: RULE } } : undefined;
}

function refine(draft: LeadDraft, signals: Signals): LeadDraft {
  let out = draft;
  // The deep link into TrueCar's dealer portal is the dealer's way back to the deal; it stays in the comments
  // and is also kept for later steps (hints). `<leadtype>internet</leadtype>` is the CRM's up type ("Internet
  // Up"), not a lead type, so it stays in extras as sent and decides nothing.
  const link = PORTAL_LINK.exec(draft.customer.comments ?? '')?.[0];
  if (link && !draft.extras['truecar.portal']) out = { ...out, extras: { ...out.extras, 'truecar.portal': link } };
  return setAttribution(out, 'subSource', partnerOf(draft, signals));
}

export const provider: ProviderAdapter = {
  name: 'truecar',
  title: 'TrueCar and its affinity partners',
  provider: 'TrueCar',
  party: 'third',
  formats: ['adf'],
  match: {
    // provider/name "TrueCar/PNC", service "New TrueCar/PNC Auto Buying …", url truecar.com.
    names: /^truecar\b|^new truecar\s*\/|(?:^|[/.])truecar\.com\b/i,
    // <id source="TrueCar Lead ID">.
    idSources: /^truecar\b/i,
    senderDomains: ['truecarmail.com', 'truecar.com'],
    subjects: /^\s*(?:(?:re|fwd?|fw)\s*:\s*)*TrueCar\s*\/\s*[^:]{1,60}:\s*New Customer Inquiry\b/i,
  },
  refine,
};

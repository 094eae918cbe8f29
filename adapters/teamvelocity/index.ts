// Team Velocity (Apollo dealer websites): form leads sent directly (leads@velocityoffersites.com) or relayed by an OEM program; the form's name says what the customer asked for.
import type { Signals } from '../../src/input.js';
import type { DraftAttribution, Evidence, LeadDraft, LeadType } from '../../src/lead.js';
import type { ProviderAdapter } from '../index.js';
import { evidence as evidenceOf, senderDomainUnder, withAttribution } from '../refine-kit.js';

/** provider/name "Apollo Websites - Contact Dealer", "Team Velocity - Value Your Trade": the form after the brand. */
const NAME_FORM = /^\s*(?:team ?velocity|apollo websites?)\s*-\s*(.{1,80}?)\s*$/i;
/** Subject "Apollo Website Lead-Trade - Value Your Trade" (delivery.md §2.3). */
const SUBJECT_FORM = /^\s*(?:(?:re|fwd?|fw)\s*:\s*)*Apollo Website Lead\s*-\s*(.{1,80}?)\s*$/i;
/** The Apollo website product (as opposed to Team Velocity forms relayed by Kia/Mazda Digital, which never say Apollo). */
const APOLLO = /\bapollo websites?\b|velocityoffersites\.com/i;

/**
 * Forms whose name says what was asked (subjects in delivery.md §2.3; a dealer's router files
 * "Pre-Qual" as pre_qual and "Value Your Trade" as value_your_trade, §5.2). "Contact Dealer" and
 * "Check Availability" say nothing beyond the vehicle, so classify decides those from it.
 */
const FORM_TYPES: Array<[RegExp, LeadType]> = [
  [/value your trade|\btrade\b/i, 'trade-appraisal'],
  [/pre-?qual/i, 'credit-app'],
  [/test[ -]?drive/i, 'test-drive'],
];

const evidence = (signal: string, value: string): Evidence => evidenceOf('teamvelocity', signal, value);

/** The form name and where it was read: provider/name first, then the subject of a direct Apollo email. */
export function formOf(draft: LeadDraft, signals: Signals): { form: string; signal: string } | undefined {
  const byName = NAME_FORM.exec(draft.provider?.name ?? '')?.[1];
  if (byName) return { form: byName, signal: 'provider.name' };
  const bySubject = SUBJECT_FORM.exec((signals.subject ?? '').slice(0, 300))?.[1];
  if (bySubject) return { form: bySubject, signal: 'subject' };
  return undefined;
}

function apolloEvidence(draft: LeadDraft, signals: Signals): Evidence | undefined {
  const p = draft.provider;
  for (const [signal, value] of [['provider.name', p?.name], ['provider.url', p?.url]] as const) {
    if (value && APOLLO.test(value)) return evidence(signal, value);
  }
  const id = [...draft.ids, ...(p?.ids ?? [])].find((i) => i.source && APOLLO.test(i.source));
  if (id?.source) return evidence('id.source', id.source);
  const domain = senderDomainUnder(signals, 'velocityoffersites.com');
  if (domain) return evidence('sender.domain', domain);
  return undefined;
}

function refine(draft: LeadDraft, signals: Signals): LeadDraft {
  const facts: DraftAttribution = {};
  const form = formOf(draft, signals);
  for (const [re, type] of form ? FORM_TYPES : []) {
    const word = re.exec(form!.form)?.[0];
    if (!word) continue;
    // A subject may carry more than the form (a forwarder's note, a name): from there only the matched words are evidence.
    facts.leadType = { value: type, evidence: evidence(form!.signal, form!.signal === 'subject' ? word : form!.form) };
    break;
  }
  const apollo = apolloEvidence(draft, signals);
  if (apollo) facts.subSource = { value: 'Apollo', evidence: apollo };
  // <leadtype>Sales</leadtype> under <prospect> is the CRM's up type, not what the customer asked for: it decides nothing.
  return withAttribution(draft, facts);
}

export const provider: ProviderAdapter = {
  name: 'teamvelocity',
  title: 'Team Velocity / Apollo dealer websites',
  provider: 'Team Velocity',
  party: 'first',
  formats: ['adf'],
  match: {
    // "Apollo Websites - Contact Dealer", "Team Velocity - Check Availability", url email.velocityoffersites.com.
    // Not "Apollo Ads" (Team Velocity's social-ad relay is the facebook adapter's).
    names: /\bteam ?velocity\b|\bapollo websites?\b|velocityoffersites\.com/i,
    // <id source="Apollo Websites"/>, <id sequence="2" source="Team Velocity"> (relayed by Kia/Mazda Digital).
    idSources: /^(?:team ?velocity|apollo websites?)$/i,
    senderDomains: ['velocityoffersites.com'],
    subjects: /^Apollo Website Lead\b/i,
  },
  refine,
};

// Facebook lead ads relayed by the dealer's marketing vendor (Team Velocity's tvmnotify.com notifications): first party — the dealer's own social ads — with the relaying vendor as sub-source.
import type { Signals } from '../../src/input.js';
import type { DraftAttribution, LeadDraft } from '../../src/lead.js';
import type { ProviderAdapter } from '../index.js';
import { senderDomainUnder, setAttribution } from '../refine-kit.js';

const RULE = 'adapter:facebook';

/** Relay sender domains → the marketing vendor running the dealer's ads (delivery.md §2.3: noreply@tvmnotify.com, "Facebook Lead"). */
const VENDOR_DOMAINS: Record<string, string> = {
  'tvmnotify.com': 'Team Velocity',
};

/** Id sources naming a vendor's social-ad product (adf.md §9.5: `<id sequence="" source="Apollo Ads">`, Team Velocity's). */
const VENDOR_ID_SOURCES: Array<[RegExp, string]> = [[/^apollo ads$/i, 'Team Velocity']];

function vendorOf(draft: LeadDraft, signals: Signals): DraftAttribution['subSource'] {
  for (const [parent, vendor] of Object.entries(VENDOR_DOMAINS)) {
    const domain = senderDomainUnder(signals, parent);
    if (domain) return { value: vendor, evidence: { signal: 'sender.domain', value: domain, rule: RULE } };
  }
  for (const id of [...draft.ids, ...(draft.provider?.ids ?? [])]) {
    const hit = id.source ? VENDOR_ID_SOURCES.find(([re]) => re.test(id.source!.trim())) : undefined;
    if (hit) return { value: hit[1], evidence: { signal: 'id.source', value: id.source!.trim(), rule: RULE } };
  }
  return undefined;
}

/**
 * The relay's quirks (snake_case `prospect_customer_contact_*` keys, `##source##: facebook`, NBSP and "- "
 * before values — adf.md §10) are read by the plain-text reader; here only the vendor is decided.
 */
function refine(draft: LeadDraft, signals: Signals): LeadDraft {
  return setAttribution(draft, 'subSource', vendorOf(draft, signals));
}

export const provider: ProviderAdapter = {
  name: 'facebook',
  title: 'Facebook lead ads (via the dealer\'s marketing vendor)',
  provider: 'Facebook',
  party: 'first',
  formats: ['text', 'adf'],
  match: {
    // "Facebook" (what the email reader names a tvmnotify.com lead), or `##source##: facebook` read as the provider.
    names: /^facebook\b|(?:^|[/.])facebook\.com\b/i,
    // Team Velocity's social-ad product id (adf.md §9.5); delivery.md §2.3 files its leads as Facebook.
    idSources: /^facebook\b|^apollo ads$/i,
    senderDomains: ['tvmnotify.com'],
    subjects: /^\s*(?:(?:re|fwd?|fw)\s*:\s*)*Facebook Lead\b/i,
  },
  refine,
};

// Kelley Blue Book leads, Instant Cash Offer included: an ICO lead is a customer selling a car, so it is lead type "sell" with sub-source "Instant Cash Offer".
import type { Signals } from '../../src/input.js';
import type { Evidence, LeadDraft } from '../../src/lead.js';
import type { ProviderAdapter } from '../index.js';
import { serviceSubSource, setAttribution } from '../refine-kit.js';

const RULE = 'adapter:kbb';
const BRAND = /^(?:kbb|kelley blue book)(?:\.com)?$/i;
const ICO = /\binstant cash offer\b|\bICO\b/i;

/** Where the lead says Instant Cash Offer: provider/service first, then provider/name. */
function icoEvidence(draft: LeadDraft): Evidence | undefined {
  for (const k of ['service', 'name'] as const) {
    const raw = draft.provider?.[k]?.replace(/\s+/g, ' ').trim();
    if (raw && ICO.test(raw)) return { signal: `provider.${k}`, value: raw, rule: RULE };
  }
  return undefined;
}

/** The product as sub-source: Instant Cash Offer, else a non-brand service as sent. Never overrides what an earlier step decided. */
function refine(draft: LeadDraft, _signals: Signals): LeadDraft {
  const ico = icoEvidence(draft);
  if (!ico) return setAttribution(draft, 'subSource', serviceSubSource(draft, BRAND, 'kbb'));
  // An Instant Cash Offer is KBB's offer for the customer's own car: whatever else the lead lists, it is a sell lead.
  const out = setAttribution(draft, 'subSource', { value: 'Instant Cash Offer', evidence: ico });
  return setAttribution(out, 'leadType', { value: 'sell', evidence: ico });
}

export const provider: ProviderAdapter = {
  name: 'kbb',
  title: 'Kelley Blue Book (incl. Instant Cash Offer)',
  provider: 'Kelley Blue Book',
  party: 'third',
  formats: ['adf'],
  match: {
    // Anchored, so a dealer-website tool that merely mentions KBB in its own provider name is not claimed here.
    names: /^(?:kbb|kelley blue book)\b|(?:^|[/.])kbb\.com\b/i,
    idSources: /^(?:kbb|kelley blue book)\b/i,
    senderDomains: ['kbb.com'],
  },
  refine,
};

// Kelley Blue Book leads, Instant Cash Offer included: an ICO lead is a customer selling a car, so it is lead type "sell" with sub-source "Instant Cash Offer".
import type { Signals } from '../../src/input.js';
import type { DraftAttribution, LeadDraft } from '../../src/lead.js';
import type { ProviderAdapter } from '../index.js';

const RULE = 'adapter:kbb';
const BRAND = /^(?:kbb|kelley blue book)(?:\.com)?$/i;
const ICO = /\binstant cash offer\b|\bICO\b/i;

/** The product: Instant Cash Offer when the provider name or service says so, else a non-brand service as sent. */
function productOf(draft: LeadDraft): { value: string; signal: string; raw: string; ico: boolean } | undefined {
  const p = draft.provider;
  for (const k of ['service', 'name'] as const) {
    const raw = p?.[k]?.replace(/\s+/g, ' ').trim();
    if (raw && ICO.test(raw)) return { value: 'Instant Cash Offer', signal: `provider.${k}`, raw, ico: true };
  }
  const service = p?.service?.replace(/\s+/g, ' ').trim();
  if (service && !BRAND.test(service)) return { value: service, signal: 'provider.service', raw: service, ico: false };
  return undefined;
}

function refine(draft: LeadDraft, _signals: Signals): LeadDraft {
  const product = productOf(draft);
  if (!product) return draft;
  const evidence = { signal: product.signal, value: product.raw, rule: RULE };
  const patch: DraftAttribution = { subSource: { value: product.value, evidence } };
  // An Instant Cash Offer is KBB's offer for the customer's own car: whatever else the lead lists, it is a sell lead.
  if (product.ico) patch.leadType = { value: 'sell', evidence };
  return { ...draft, attribution: { ...patch, ...draft.attribution } };
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

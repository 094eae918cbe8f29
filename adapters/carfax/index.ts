// CARFAX used-car listing leads: plain-text "NEW CUSTOMER LEAD FOR <dealer>" emails from NoReplyLead@carfax.com, recognized by sender and brand.
import type { ProviderAdapter } from '../index.js';

/**
 * No refine: the plain-text reader already understands the layout (adf.md §10) — the dealer from "NEW CUSTOMER
 * LEAD FOR …", customer and vehicle from "<First> <Last> is interested in …", labelled email/phone/stock/price —
 * and the docs give CARFAX no programs, so there is no sub-source or lead type for an adapter to decide.
 */
export const provider: ProviderAdapter = {
  name: 'carfax',
  title: 'CARFAX',
  provider: 'CARFAX',
  party: 'third',
  formats: ['text', 'adf'],
  match: {
    names: /^carfax\b|(?:^|[/.])carfax\.com\b/i,
    idSources: /^carfax\b/i,
    // delivery.md §2.3: NoReplyLead@carfax.com.
    senderDomains: ['carfax.com'],
  },
};

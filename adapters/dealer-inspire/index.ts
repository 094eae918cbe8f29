// Dealer Inspire (Cars Commerce) dealer websites: first-party form leads; its name also marks Honda/Acura dealers' leads, which Honda's plugin forces to "Dealer Inspire - Website".
import type { ProviderAdapter } from '../index.js';

/**
 * No refine: no real Dealer Inspire lead is in our corpora. What the docs say (delivery.md §4) is
 * about routing, not about the ADF: each form is delivered as ADF *and* as a text notification
 * (the pair is de-duplicated downstream), and on Honda/Acura stores the provider name is forced to
 * "Dealer Inspire - Website" while the lead travels through Honda's HELMS — the honda adapter
 * claims those when the lead carries a Honda/Acura signal, and falls back to this one otherwise.
 */
export const provider: ProviderAdapter = {
  name: 'dealer-inspire',
  title: 'Dealer Inspire dealer websites',
  provider: 'Dealer Inspire',
  party: 'first',
  formats: ['adf', 'text'],
  match: {
    // "Dealer Inspire - Website", url/addresses at dealerinspire.com.
    names: /\bdealer ?inspire\b|\bdealerinspire\.com\b/i,
    idSources: /^dealer ?inspire\b/i,
    senderDomains: ['dealerinspire.com'],
  },
};

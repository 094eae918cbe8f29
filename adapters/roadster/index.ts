// Roadster (CDK) digital retailing on the dealer's own website: "Roadster Online - <form>" leads, seen relayed by Mazda Digital.
import type { ProviderAdapter } from '../index.js';

/**
 * No refine: Roadster's comments are `/// URL ///`, `/// Representatives ///`, `/// Locale ///`,
 * `/// Deal Key ///`, `/// Customer Comments ///`, `/// Finance Details ///` blocks
 * (mazda-digital-roadster-1.xml) and none of them maps onto a Lead field — the representative's
 * card is the dealer's salesperson, not the customer; the finance type has no field — so the
 * comments stay whole, and the form name ("Unlock Inquiry") says nothing the vehicle does not.
 */
export const provider: ProviderAdapter = {
  name: 'roadster',
  title: 'Roadster (dealer digital retailing)',
  provider: 'Roadster',
  party: 'first',
  formats: ['adf'],
  match: {
    // provider/name "Roadster Online - Unlock Inquiry"; links to dealers.roadster.com. Never the bare word
    // "roadster" inside a name, which is also a body style.
    names: /^roadster\b|\broadster online\b|(?:^|[/.@])roadster\.com\b/i,
    idSources: /^roadster\b/i,
    senderDomains: ['roadster.com'],
  },
};

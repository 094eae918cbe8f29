// DealerOn dealer websites: first-party form leads sent as ADF email; recognized by name, id source and sender domain only.
import type { ProviderAdapter } from '../index.js';

/**
 * No refine: no real DealerOn lead is in our corpora and the docs name no DealerOn quirk
 * (delivery.md §1 lists it among the website vendors that email ADF), so the generic ADF reading
 * stands and classify decides the lead type from the vehicle and the form name.
 */
export const provider: ProviderAdapter = {
  name: 'dealeron',
  title: 'DealerOn dealer websites',
  provider: 'DealerOn',
  party: 'first',
  formats: ['adf'],
  match: {
    // "DealerOn", url www.dealeron.com; never "Dealer on Main" (a dealership's name).
    names: /\bdealeron\b/i,
    idSources: /^dealeron\b/i,
    senderDomains: ['dealeron.com'],
  },
};

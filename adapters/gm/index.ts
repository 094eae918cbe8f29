// GM (General Motors) dealer programs: leads GM relays from the dealer's website plugins, filed under the dealer's BAC (Business Associate Code).
import type { ProviderAdapter } from '../index.js';
import { refineRelay, type OemProgram } from '../oem-relay.js';

/**
 * GM's US website leads go through Dealer Inspire's Lead Manifold plugin to GM's API, GM Canada's
 * through Shift Digital (delivery.md §4); no GM lead is in our corpora, so the adapter assumes only
 * what every OEM relay does: a named website vendor makes the lead the dealer's own, and the BAC —
 * GM's dealer code — is kept as a vendor id wherever the lead puts it.
 */
const PROGRAM: OemProgram = {
  name: 'gm',
  own: /^(?:gm|general motors)(?: canada)?$/i,
  dealerCode: { sources: /^(?:gm\s*)?bac$|business associate code/i, label: 'GM BAC' },
};

export const provider: ProviderAdapter = {
  name: 'gm',
  title: 'GM (General Motors) dealer programs',
  provider: 'GM',
  party: 'second',
  formats: ['adf'],
  match: {
    // Exactly "GM" / "General Motors" (never "GM Financial", captive finance, nor a dealership's name).
    names: /^(?:gm|general motors)(?: canada)?$/i,
    idSources: /^(?:gm\s*)?bac$|^general motors$/i,
  },
  refine: (draft, signals) => refineRelay(draft, signals, PROGRAM),
};

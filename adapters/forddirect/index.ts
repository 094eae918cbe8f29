// FordDirect (Ford's dealer lead program): website leads delivered through FordDirect and the third-party leads it buys, filed under the dealer's PA code.
import type { ProviderAdapter } from '../index.js';
import { refineRelay, type OemProgram } from '../oem-relay.js';

/**
 * Dealer-website leads reach FordDirect through Dealer Inspire's Lead Manifold and are delivered
 * to the CRM by FordDirect "DELIVER" (delivery.md §4). FordDirect also aggregates leads it buys from
 * third-party sites and does not say which site one came from (market.md [O2]): unless the lead
 * names a website vendor or marks itself third party, it stays FordDirect's own, second party.
 * The PA code — Ford's dealer code — is kept as a vendor id wherever the lead puts it.
 */
const PROGRAM: OemProgram = {
  name: 'forddirect',
  own: /\bford ?direct\b/i,
  dealerCode: { sources: /^(?:ford\s*)?p&?a ?code$/i, label: 'Ford PA code' },
};

export const provider: ProviderAdapter = {
  name: 'forddirect',
  title: 'FordDirect (Ford dealer lead program)',
  provider: 'FordDirect',
  party: 'second',
  formats: ['adf'],
  match: {
    names: /\bford ?direct\b/i,
    idSources: /\bford ?direct\b|^(?:ford\s*)?p&?a ?code$/i,
    senderDomains: ['forddirect.com'],
  },
  refine: (draft, signals) => refineRelay(draft, signals, PROGRAM),
};

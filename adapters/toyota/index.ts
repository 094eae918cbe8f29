// Toyota's dealer lead programs: SmartPath (Toyota's own dealer-branded shopping site) and 3PL (third-party leads Toyota buys and passes on), filed under the Toyota dealer code.
import type { ProviderAdapter } from '../index.js';
import { THIRD_PARTY_MARKER } from '../../src/pipeline/classify/catalog.js';
import { refineRelay, type OemProgram } from '../oem-relay.js';

/**
 * Non-SmartPath website leads go straight to the dealer (Urban Science only tracks them), SmartPath
 * leads come from Toyota's microsite, and Toyota's 3PL program aggregates and de-duplicates
 * third-party leads (delivery.md §4, market.md [O7]). No Toyota lead is in our corpora.
 */
const PROGRAM: OemProgram = {
  name: 'toyota',
  own: /^toyota\b/i,
  channels: [{ pattern: /\bsmart ?path\b/i, subSource: 'SmartPath' }],
  // Toyota's relays also write "3PL" (third-party lead).
  thirdParty: new RegExp(`${THIRD_PARTY_MARKER.source}|\\b3PL\\b`, 'i'),
  dealerCode: { sources: /^(?:toyota\s*)?dealer ?code$/i, label: 'Toyota dealer code' },
};

export const provider: ProviderAdapter = {
  name: 'toyota',
  title: 'Toyota dealer programs (SmartPath, 3PL)',
  provider: 'Toyota',
  party: 'second',
  formats: ['adf'],
  match: {
    // "Toyota", "Toyota SmartPath", "Toyota 3PL", "Toyota Motor Sales"; never "Toyota Financial" (captive
    // finance, the catalog's) nor a dealership ("Tustin Toyota": the brand must come first).
    names: /^toyota(?! financial)\b|\bsmart ?path\b/i,
    idSources: /^toyota\b/i,
  },
  refine: (draft, signals) => refineRelay(draft, signals, PROGRAM),
};

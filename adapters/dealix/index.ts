// Dealix / Autobytel aggregator leads (one adapter for the two brands): how to recognize them, and which of the two brands the lead names as sub-source.
import type { Signals } from '../../src/input.js';
import type { LeadDraft } from '../../src/lead.js';
import type { ProviderAdapter } from '../index.js';
import { setAttribution, subBrandOf, type SubBrand } from '../refine-kit.js';

/**
 * Both brands file under the provider "Dealix"; a lead that names Autobytel (provider name, service or url,
 * an id source, or an autobytel.com sender) keeps that brand as its sub-source so the two stay apart in reports.
 */
const AUTOBYTEL: SubBrand = { value: 'Autobytel', pattern: /\bautobytel\b/i, fields: ['name', 'service', 'url'], domain: 'autobytel.com' };

function refine(draft: LeadDraft, signals: Signals): LeadDraft {
  return setAttribution(draft, 'subSource', subBrandOf(draft, signals, AUTOBYTEL, 'dealix'));
}

export const provider: ProviderAdapter = {
  name: 'dealix',
  title: 'Dealix / Autobytel',
  provider: 'Dealix',
  party: 'third',
  formats: ['adf'],
  match: {
    names: /^(?:dealix|autobytel)\b|(?:^|[/.])(?:dealix|autobytel)\.com\b/i,
    idSources: /^(?:dealix|autobytel)\b/i,
    senderDomains: ['dealix.com', 'autobytel.com'],
  },
  refine,
};

// Edmunds marketplace leads: how to recognize them, and the Edmunds product a provider/service names as sub-source.
import type { Signals } from '../../src/input.js';
import type { LeadDraft } from '../../src/lead.js';
import type { ProviderAdapter } from '../index.js';
import { serviceSubSource, setAttribution } from '../refine-kit.js';

const BRAND = /^edmunds(?:\.com)?$/i;

/** A provider/service other than the brand names an Edmunds product; it becomes the sub-source, as CRMs file it. */
function refine(draft: LeadDraft, _signals: Signals): LeadDraft {
  return setAttribution(draft, 'subSource', serviceSubSource(draft, BRAND, 'edmunds'));
}

export const provider: ProviderAdapter = {
  name: 'edmunds',
  title: 'Edmunds',
  provider: 'Edmunds',
  party: 'third',
  formats: ['adf'],
  match: {
    names: /^edmunds\b|(?:^|[/.])edmunds\.com\b/i,
    idSources: /^edmunds\b/i,
    senderDomains: ['edmunds.com'],
  },
  refine,
};

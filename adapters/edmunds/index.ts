// Edmunds marketplace leads: how to recognize them, and the Edmunds product a provider/service names as sub-source.
import type { Signals } from '../../src/input.js';
import type { DraftAttribution, LeadDraft } from '../../src/lead.js';
import type { ProviderAdapter } from '../index.js';

const RULE = 'adapter:edmunds';
const BRAND = /^edmunds(?:\.com)?$/i;

/** A provider/service other than the brand names an Edmunds product; it becomes the sub-source, as CRMs file it. */
function subSourceOf(draft: LeadDraft): DraftAttribution['subSource'] {
  const service = draft.provider?.service?.replace(/\s+/g, ' ').trim();
  if (!service || BRAND.test(service)) return undefined;
  return { value: service, evidence: { signal: 'provider.service', value: service, rule: RULE } };
}

function refine(draft: LeadDraft, _signals: Signals): LeadDraft {
  const subSource = subSourceOf(draft);
  return subSource && !draft.attribution?.subSource ? { ...draft, attribution: { ...draft.attribution, subSource } } : draft;
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

// Dealix / Autobytel aggregator leads (one adapter for the two brands): how to recognize them, and which of the two brands the lead names as sub-source.
import type { Signals } from '../../src/input.js';
import type { DraftAttribution, LeadDraft } from '../../src/lead.js';
import type { ProviderAdapter } from '../index.js';

const RULE = 'adapter:dealix';
const AUTOBYTEL = /\bautobytel\b/i;
const AUTOBYTEL_DOMAIN = /@(?:[\w-]+\.)*autobytel\.com$/i;

/**
 * Both brands file under the provider "Dealix"; a lead that names Autobytel (provider name, service or url,
 * an id source, or an autobytel.com sender) keeps that brand as its sub-source so the two stay apart in reports.
 */
function brandOf(draft: LeadDraft, signals: Signals): DraftAttribution['subSource'] {
  const p = draft.provider;
  const field = (['name', 'service', 'url'] as const).find((k) => AUTOBYTEL.test(p?.[k] ?? ''));
  if (field) return autobytel(`provider.${field}`, p![field]!.trim());
  const idSource = draft.ids.find((id) => AUTOBYTEL.test(id.source ?? ''))?.source;
  if (idSource) return autobytel('id.source', idSource);
  const sender = signals.sender?.trim().toLowerCase();
  if (sender && AUTOBYTEL_DOMAIN.test(sender)) return autobytel('sender.domain', sender.slice(sender.lastIndexOf('@') + 1));
  return undefined;
}

function autobytel(signal: string, value: string): DraftAttribution['subSource'] {
  return { value: 'Autobytel', evidence: { signal, value, rule: RULE } };
}

function refine(draft: LeadDraft, signals: Signals): LeadDraft {
  const brand = brandOf(draft, signals);
  return brand && !draft.attribution?.subSource ? { ...draft, attribution: { ...draft.attribution, subSource: brand } } : draft;
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

// OfferUp marketplace leads: how to recognize them, and the id that holds nothing but the provider's name.
import type { Signals } from '../../src/input.js';
import type { LeadDraft, Warning } from '../../src/lead.js';
import type { ProviderAdapter } from '../index.js';

const NAME_ONLY_ID: Warning = {
  code: 'provider_id_placeholder_dropped',
  message: "An id whose value was only the provider's name (OFFERUP) was dropped.",
};

/**
 * OfferUp sends an `<id>` whose content is its own name (adf.md §9.5: `OFFERUP`): it names no lead, so it is
 * dropped rather than published as an external id. Its other quirks — last name "N/A", a vehicle with no
 * `interest`, a requestdate with a bogus offset such as -05:03 — are handled by normalize.
 */
function refine(draft: LeadDraft, _signals: Signals): LeadDraft {
  const ids = draft.ids.filter((id) => !/^\s*offerup\s*$/i.test(id.value));
  return ids.length === draft.ids.length ? draft : { ...draft, ids, warnings: [...draft.warnings, { ...NAME_ONLY_ID }] };
}

export const provider: ProviderAdapter = {
  name: 'offerup',
  title: 'OfferUp',
  provider: 'OfferUp',
  party: 'third',
  formats: ['adf'],
  match: {
    names: /^offerup\b|(?:^|[/.])offerup\.com\b/i,
    idSources: /^offerup$/i,
    // delivery.md §2.3: offerup@notify.offerup.com, "OfferUp Lead".
    senderDomains: ['offerup.com'],
    subjects: /^\s*(?:(?:re|fwd?|fw)\s*:\s*)*OfferUp Lead\b/i,
  },
  refine,
};

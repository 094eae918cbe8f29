// Costco Auto Program member referrals: how to recognize them (never a TrueCar partner lead that merely names Costco).
import type { Signals } from '../../src/input.js';
import type { LeadDraft } from '../../src/lead.js';
import type { ProviderAdapter } from '../index.js';
import { serviceSubSource, setAttribution } from '../refine-kit.js';

/** The program's own name as a service says nothing; any other service names a product of the program: the sub-source. */
const BRAND = /^costco(?: auto(?: program)?)?$/i;

/**
 * Costco's quirks (adf.md §9: `<!--ADF-->` before the PI, `type="primary"` contacts, `emailonly="N"`, a blank
 * trade-in vehicle, paint and seat trim as options, HTML-escaped member-price text in pricecomments) are all
 * handled by the generic ADF reader and normalize. The subject carries the customer's last name and an auth
 * code, so it is never used as evidence, and the code is not read: what it identifies is not documented.
 */
function refine(draft: LeadDraft, _signals: Signals): LeadDraft {
  return setAttribution(draft, 'subSource', serviceSubSource(draft, BRAND, 'costco'));
}

export const provider: ProviderAdapter = {
  name: 'costco',
  title: 'Costco Auto Program',
  provider: 'Costco Auto Program',
  party: 'third',
  formats: ['adf'],
  match: {
    // Anchored: "TrueCar/Costco"-style partner names belong to TrueCar, not here.
    names: /^costco auto(?: program)?\b|(?:^|[/.])costcoauto\.com\b/i,
    idSources: /^costco auto(?: program)?\b/i,
    senderDomains: ['costcoauto.com'],
    subjects: /^\s*(?:(?:re|fwd?|fw)\s*:\s*)*Costco Auto Program Referral\b/i,
  },
  refine,
};

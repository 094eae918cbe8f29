// Honda and Acura (American Honda's HELMS lead system via Autodata / J.D. Power): dealer-website leads forced to "Dealer Inspire - Website", program ids in provider/service, @hondatest.com test leads.
import type { Signals } from '../../src/input.js';
import type { DraftAttribution, LeadDraft } from '../../src/lead.js';
import type { ProviderAdapter } from '../index.js';
import { refineRelay, type OemProgram } from '../oem-relay.js';
import { evidence, withAttribution } from '../refine-kit.js';

const PROGRAM: OemProgram = {
  name: 'honda',
  own: /\bhonda\b|\bacura\b|\bhelms\b/i,
  dealerCode: { sources: /^(?:(?:american )?honda|acura)?\s*dealer ?(?:code|number)$/i, label: 'Honda dealer number' },
};

/**
 * Program ids the J.D. Power lead system reads from provider/service (IM `oem_adf_creation.py`,
 * delivery.md §3): Honda lead 90534, Acura lead 95079, Acura contact 95081 — a "contact" is posted
 * when there is no vehicle of interest, so it asks for nothing more specific than contact.
 */
const PROGRAM_IDS: Record<string, { brand: 'Honda' | 'Acura'; contact: boolean }> = {
  '90534': { brand: 'Honda', contact: false },
  '95079': { brand: 'Acura', contact: false },
  '95081': { brand: 'Acura', contact: true },
};

/** Honda's lead system routes any lead whose email ends in @HONDATEST.com to a test dealer (delivery.md §4). */
const TEST_EMAIL = /@hondatest\.com$/i;

function brandAndType(draft: LeadDraft): DraftAttribution {
  const facts: DraftAttribution = {};
  const service = draft.provider?.service?.trim();
  const known = service ? PROGRAM_IDS[service] : undefined;
  if (known) {
    const ev = evidence(PROGRAM.name, 'provider.service', service);
    if (known.brand === 'Acura') facts.provider = { value: 'Acura', evidence: ev };
    if (known.contact) facts.leadType = { value: 'general', evidence: ev };
    return facts;
  }
  const p = draft.provider;
  const named = ([['provider.name', p?.name], ['provider.service', p?.service], ['provider.url', p?.url]] as const).find(([, v]) => v && /\bacura\b/i.test(v));
  if (named) facts.provider = { value: 'Acura', evidence: evidence(PROGRAM.name, named[0], named[1]!) };
  return facts;
}

/**
 * A relayed website vendor ("Dealer Inspire - Website", which Honda's plugin forces on every
 * dealer-site lead) makes the lead the dealer's own; the brand (Honda or Acura) and a contact-only
 * program come from provider/service. The OEM template's placeholders ("Anonamous First", postal
 * 00000, model "Any/All") are dropped by normalize, not here.
 */
function refine(draft: LeadDraft, signals: Signals): LeadDraft {
  let out = withAttribution(refineRelay(draft, signals, PROGRAM), brandAndType(draft));
  if (out.customer.emails.some((e) => TEST_EMAIL.test(e.value.trim()))) {
    out = { ...out, warnings: [...out.warnings, { code: 'oem_test_lead', message: "The customer email is at hondatest.com, Honda's test-lead domain: this is a test lead." }] };
  }
  return out;
}

export const provider: ProviderAdapter = {
  name: 'honda',
  title: 'Honda / Acura (HELMS)',
  provider: 'Honda',
  party: 'second',
  formats: ['adf'],
  match: {
    // Exactly "Honda"/"American Honda"/"Acura", Honda's HELMS, or a J.D. Power program id in provider/service.
    // "Dealer Inspire - Website" alone is Dealer Inspire's: the program id or a Honda name decides for Honda.
    names: /^(?:american )?honda$|^acura$|\bhelms\b|^(?:90534|95079|95081)$/i,
    idSources: /^(?:american honda|honda|acura)\b|\bhelms\b/i,
  },
  refine,
};

// Hyundai's lead program (via Autodata): STAR ProcessSalesLead documents whose Marketing pairs say the lead's category, source, program and campaign.
import type { Signals } from '../../src/input.js';
import type { DraftAttribution, LeadDraft } from '../../src/lead.js';
import type { ProviderAdapter } from '../index.js';
import { leadTypeOfName, refineRelay, vendorNamed, type OemProgram } from '../oem-relay.js';
import { THIRD_PARTY_MARKER } from '../../src/pipeline/classify/catalog.js';
import { evidence, withAttribution } from '../refine-kit.js';

const PROGRAM: OemProgram = {
  name: 'hyundai',
  own: /\bhyundai\b|^HYU$/i,
};

/** `key=value; …` of the Marketing pairs present, for evidence (program and campaign names, never customer data). */
function pairs(extras: Record<string, string>, keys: ReadonlyArray<[key: string, label: string]>): string | undefined {
  const parts = keys.filter(([k]) => extras[k]?.trim()).map(([k, label]) => `${label}=${extras[k]!.trim()}`);
  return parts.length ? parts.join('; ') : undefined;
}

/**
 * The STAR reader keeps each Marketing pair in extras under a snake_case key
 * (star-hyundai-dealercom-tradein-1.xml): Lead Category "Dealer" / Lead Sub Category "Dealer
 * Website" say whose lead it is; Lead Source "Dealer.com - DRS" (plus Campaign ID) who collected
 * it; Lead Program "DRS TRADE-IN FORM LEAD" what was asked. These are the program's own statements,
 * so they win over what the provider block implies. TCPA_Consent, IsCILead, PurchaseDescription
 * and the Hyundai Program Code stay in extras; the dealer code is the ReceivingDealerParty PartyID,
 * already a vendor id.
 */
function marketing(draft: LeadDraft): DraftAttribution {
  const x = draft.extras;
  const facts: DraftAttribution = {};
  const category = [x.lead_category, x.lead_sub_category].filter(Boolean).join(' ');
  const partyEvidence = pairs(x, [['lead_category', 'Lead Category'], ['lead_sub_category', 'Lead Sub Category'], ['media_type', 'Media Type']]);
  if (partyEvidence && THIRD_PARTY_MARKER.test(category)) facts.party = { value: 'third', evidence: evidence(PROGRAM.name, 'star.marketing', partyEvidence) };
  else if (partyEvidence && /^dealer$/i.test(x.lead_category?.trim() ?? '')) facts.party = { value: 'first', evidence: evidence(PROGRAM.name, 'star.marketing', partyEvidence) };

  const source = x.lead_source?.trim();
  const sourceEvidence = pairs(x, [['lead_source', 'Lead Source'], ['campaign_id', 'Campaign ID']]);
  const vendor = source ? vendorNamed(source) : undefined;
  if (vendor && sourceEvidence) facts.subSource = { value: vendor.provider, evidence: evidence(PROGRAM.name, 'star.marketing', sourceEvidence) };
  else if (source && sourceEvidence && !draft.attribution?.subSource && !PROGRAM.own.test(source)) {
    facts.subSource = { value: source, evidence: evidence(PROGRAM.name, 'star.marketing', sourceEvidence) };
  }

  const program = x.lead_program?.trim() ?? x.hyundai_program_name?.trim();
  const type = program ? leadTypeOfName(program) : undefined;
  if (program && type) facts.leadType = { value: type, evidence: evidence(PROGRAM.name, 'star.marketing', `Lead Program=${program}`) };
  return facts;
}

function refine(draft: LeadDraft, signals: Signals): LeadDraft {
  const out = refineRelay(draft, signals, PROGRAM);
  return withAttribution(out, marketing(out));
}

export const provider: ProviderAdapter = {
  name: 'hyundai',
  title: 'Hyundai (STAR ProcessSalesLead via Autodata)',
  provider: 'Hyundai',
  party: 'second',
  formats: ['star', 'adf'],
  match: {
    // The STAR SenderNameCode "HYU" (attribute offers provider ids as "STAR SenderNameCode=HYU"), or a
    // provider named exactly "Hyundai" / "Hyundai Motor America". Never "Tustin Hyundai" (a dealership).
    names: /(?:^|=)HYU$|^hyundai(?: motor america)?$/i,
    subjects: /^Hyundai Star XML Lead\b/i,
  },
  refine,
};

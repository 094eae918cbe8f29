// Dealer.com (Cox Automotive) dealer websites and digital retailing ("Dealer.com - DRS"): seen relayed by Hyundai as STAR, also sent as ADF.
import type { Signals } from '../../src/input.js';
import type { DraftAttribution, LeadDraft } from '../../src/lead.js';
import type { ProviderAdapter } from '../index.js';
import { evidence, withAttribution } from '../refine-kit.js';

/** "Dealer.com - DRS" → "DRS" (the product after the brand). */
const NAME_PRODUCT = /^\s*dealer\.com\s*-\s*(.{1,60}?)\s*$/i;
/** Lead programs and forms that ask for a trade appraisal ("DRS TRADE-IN FORM LEAD"). */
const TRADE = /\btrade[- ]?in\b|\btrade\b/i;

/**
 * The product as sub-source and a trade-in program as the lead type. The STAR reader puts the
 * Hyundai `Lead Program` in provider/service, an ADF lead its form there: both are read the same.
 * The digital-retailing deal dump in the comments (fees, APR, KBB trade offer, `leadTypes: [DEAL,
 * TRADE]`) is never mined: the structured trade vehicle already carries what a Lead can hold.
 */
function refine(draft: LeadDraft, _signals: Signals): LeadDraft {
  const facts: DraftAttribution = {};
  const name = draft.provider?.name ?? '';
  const product = NAME_PRODUCT.exec(name)?.[1];
  if (product) facts.subSource = { value: product, evidence: evidence('dealercom', 'provider.name', name) };
  const [signal, program] = draft.provider?.service ? ['provider.service', draft.provider.service] : ['lead_program', draft.extras.lead_program];
  if (program && TRADE.test(program)) facts.leadType = { value: 'trade-appraisal', evidence: evidence('dealercom', signal, program) };
  return withAttribution(draft, facts);
}

export const provider: ProviderAdapter = {
  name: 'dealercom',
  title: 'Dealer.com websites and digital retailing',
  provider: 'Dealer.com',
  party: 'first',
  formats: ['adf', 'star'],
  match: {
    // "Dealer.com - DRS", url www.dealer.com, support@dealer.com; not "cardealer.com" or "my-dealer.com".
    names: /(?<![\w-])dealer\.com\b/i,
    idSources: /(?<![\w-])dealer\.com\b/i,
    senderDomains: ['dealer.com'],
  },
  refine,
};

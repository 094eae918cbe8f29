// Autotrader (Cox Automotive) marketplace leads, Wallet deal-builder leads included: how to recognize them and what their ADF says beyond the generic reading.
import type { Signals } from '../../src/input.js';
import type { DraftAttribution, DraftVehicle, LeadDraft, Warning } from '../../src/lead.js';
import type { ProviderAdapter } from '../index.js';
import { setAttribution } from '../refine-kit.js';

const RULE = 'adapter:autotrader';
/** The brand itself as a service name says nothing about the product. */
const BRAND = /^auto ?trader(?:\.com)?$/i;
/** "Wallet Lead: Autotrader Vehicle: Certified 2022 MAZDA CX-9 - Owner 100008806" (delivery.md §2.3). */
const SUBJECT_PRODUCT = /^\s*(?:(?:re|fwd?|fw)\s*:\s*)*([A-Za-z][A-Za-z ]{0,30}?) Lead:\s*Autotrader\b/i;

const WALLET_MINED: Warning = {
  code: 'comments_mined',
  message: 'A vehicle field the ADF left empty was read from the Autotrader Wallet details in the comments.',
};

/** "Wallet Lead" → "Wallet"; the brand or an empty service gives nothing. */
function productOf(service: string | undefined): string | undefined {
  const s = service?.replace(/\s+/g, ' ').trim();
  if (!s || BRAND.test(s)) return undefined;
  return s.replace(/\s+lead$/i, '').trim() || undefined;
}

/** The product (Wallet, …): provider/service first, else the subject's "<Product> Lead: Autotrader" prefix. */
function subSourceOf(draft: LeadDraft, signals: Signals): DraftAttribution['subSource'] {
  const service = draft.provider?.service?.trim();
  const fromService = productOf(service);
  if (fromService) return { value: fromService, evidence: { signal: 'provider.service', value: service!, rule: RULE } };
  const m = signals.subject ? SUBJECT_PRODUCT.exec(signals.subject.slice(0, 300)) : null;
  const fromSubject = productOf(m?.[1]);
  // Only the matched prefix goes into evidence: the rest of the subject names the vehicle and the dealer.
  if (fromSubject) return { value: fromSubject, evidence: { signal: 'subject', value: `${m![1]} Lead: Autotrader`, rule: RULE } };
  return undefined;
}

interface WalletDetails {
  dealType?: 'finance' | 'lease' | 'cash';
  salePrice?: string;
}

/**
 * The "My Wallet/Offer Details:" block Autotrader appends to the customer comments (autotrader-wallet-1.xml):
 * `Deal Type: finance, Sale Price: $28987, Down Payment: …`. Only the two values that have an ADF home are read.
 */
export function readWalletDetails(comments: string | undefined): WalletDetails | undefined {
  if (!comments) return undefined;
  const at = comments.search(/My Wallet\/Offer Details:/i);
  if (at < 0) return undefined;
  const block = comments.slice(at, at + 2000);
  const out: WalletDetails = {};
  const deal = /\bDeal Type:\s*(finance|lease|cash)\b/i.exec(block)?.[1]?.toLowerCase();
  if (deal === 'finance' || deal === 'lease' || deal === 'cash') out.dealType = deal;
  const price = /\bSale Price:\s*\$?\s*(\d[\d,]*(?:\.\d+)?)/i.exec(block)?.[1];
  if (price && Number(price.replace(/,/g, '')) > 0) out.salePrice = price.replace(/,/g, '');
  return out;
}

/** The vehicle the Wallet deal is about: the first one the customer wants (not a trade-in). */
function wantedIndex(vehicles: DraftVehicle[]): number {
  return vehicles.findIndex((v) => !v.interest || /^(buy|lease)$/i.test(v.interest.trim()));
}

/** Fill the wanted vehicle's empty price / finance method / interest from the Wallet block; structured values always win. */
function applyWallet(draft: LeadDraft, wallet: WalletDetails): LeadDraft {
  const i = wantedIndex(draft.vehicles);
  if (i < 0) return draft;
  const before = draft.vehicles[i]!;
  const v: DraftVehicle = { ...before };
  if (!v.price?.value?.trim() && wallet.salePrice) v.price = { value: wallet.salePrice, type: 'offer', source: 'Autotrader Wallet' };
  if (!v.finance?.method?.trim() && wallet.dealType) v.finance = { amounts: before.finance?.amounts ?? [], method: wallet.dealType };
  if (!v.interest?.trim() && wallet.dealType === 'lease') v.interest = 'lease';
  const changed = v.price !== before.price || v.finance !== before.finance || v.interest !== before.interest;
  if (!changed) return draft;
  const vehicles = draft.vehicles.slice();
  vehicles[i] = v;
  return { ...draft, vehicles, warnings: [...draft.warnings, { ...WALLET_MINED }] };
}

function refine(draft: LeadDraft, signals: Signals): LeadDraft {
  let out = draft;
  const wallet = readWalletDetails(draft.customer.comments);
  if (wallet) out = applyWallet(out, wallet);
  return setAttribution(out, 'subSource', subSourceOf(draft, signals));
}

export const provider: ProviderAdapter = {
  name: 'autotrader',
  title: 'Autotrader (incl. Wallet leads)',
  provider: 'Autotrader',
  party: 'third',
  formats: ['adf', 'text'],
  match: {
    // provider/name "AutoTrader.com", provider/url "http://www.autotrader.com/".
    names: /^auto ?trader(?:\.com)?\b|(?:^|[/.])autotrader\.com\b/i,
    // Listing ids and dealer ids: <id source="AutoTrader.com">.
    idSources: /^auto ?trader(?:\.com)?$/i,
    senderDomains: ['autotrader.com'],
    subjects: /^\s*(?:(?:re|fwd?|fw)\s*:\s*)*[A-Za-z][A-Za-z ]{0,30} Lead:\s*Autotrader\b/i,
  },
  refine,
};

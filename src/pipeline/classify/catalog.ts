// The built-in source catalog for sources that have no adapter folder: OEM middleware, captive finance, powersports tools, small marketplaces, and generic first-party channels.
import type { ProviderAdapter } from '../../../adapters/index.js';
import type { LeadType, Party } from '../../lead.js';

/**
 * The words that mark a lead as bought from a third party wherever a sender writes its source ("Kia Digital - 3rd Party
 * Lead", a STAR marketing category, a provider name): one pattern for the classifier and the OEM program adapters.
 */
export const THIRD_PARTY_MARKER = /\b(?:3rd|third)[- ]party\b/i;

/** A source leadgate recognizes without an adapter folder: the same matching fields as a ProviderAdapter, no refine. */
export interface CatalogEntry {
  /** Stable key used in evidence rules ("catalog:<key>"). */
  key: string;
  /** Canonical brand written to source.provider. */
  provider: string;
  party: Party;
  match: ProviderAdapter['match'];
  defaultLeadType?: LeadType;
  /**
   * A generic channel word ("website", "chat", "phone"): tried only after every specific source and
   * every signal failed, and only on provider/name and provider/service.
   */
  generic?: boolean;
  /** Why this party (shown in the README's classification table notes). */
  why: string;
}

/**
 * Ordered like PROVIDERS: specific before generic. The generic first-party channels at the end
 * only decide when no adapter and no named source matched.
 */
export const CATALOG: readonly CatalogEntry[] = [
  // --- OEM sites and middleware, captive finance (second party) ---
  { key: 'kia-com', provider: 'Kia.com', party: 'second', match: { names: /^kia\.com$|\bwww\.kia\.com\b/i }, why: "the manufacturer's own consumer site" },
  { key: 'mazda-com', provider: 'Mazda.com', party: 'second', match: { names: /^mazda ?usa|\bmazdausa\.com\b|^mazda\.com$/i }, why: "the manufacturer's own consumer site" },
  { key: 'mfs', provider: 'Mazda Financial Services', party: 'second', match: { names: /\bMFS\b|mazda financial/i }, why: 'captive finance (lease-end and maturity programs)' },
  {
    key: 'captive-finance',
    provider: 'Captive Finance',
    party: 'second',
    match: { names: /\b(toyota financial|lexus financial|ford credit|gm financial|honda financial|acura financial|hyundai (motor )?finance|genesis finance|kia (motors )?finance|nissan motor acceptance|infiniti financial|volkswagen credit|vw credit|bmw financial|mercedes-benz financial|subaru motors finance|harley-davidson financial|HDFS)\b/i },
    why: "the manufacturer's own finance company",
  },
  { key: 'shift-digital', provider: 'Shift Digital', party: 'second', match: { names: /shift digital/i, idSources: /^(sd - )?sdsessionid$|^sd-deal-(key|id)$/i }, why: 'OEM digital-program middleware (Kia, Genesis, Stellantis, Nissan, Mazda): leads its programs collect for the manufacturer' },
  { key: 'urban-science', provider: 'Urban Science', party: 'second', match: { names: /urban science/i }, why: 'OEM lead-management middleware' },
  { key: 'autodata', provider: 'Autodata', party: 'second', match: { names: /\bautodata\b|\bhelms\b/i }, why: 'OEM lead-management middleware (Honda HELMS, Hyundai)' },
  { key: 'hd-com', provider: 'Harley-Davidson.com', party: 'second', match: { names: /\bh-?d\.com\b|harley-davidson\.com/i, idSources: /^h-?d\.com\b/i }, why: "the manufacturer's own consumer site" },
  {
    key: 'hd-marketplace',
    provider: 'H-D Marketplace',
    party: 'second',
    match: { names: /^marketplace\b|h-?d marketplace/i, idSources: /^h-?d marketplace$/i },
    why: "Harley-Davidson's own pre-owned marketplace and Value My Trade program, run by the manufacturer for its dealers",
  },
  { key: 'genesis', provider: 'Genesis', party: 'second', match: { names: /^genesis\b|genesis motor/i }, why: 'OEM program' },
  { key: 'nissan', provider: 'Nissan', party: 'second', match: { names: /^nissan\b|nissanusa|\binfiniti\b/i }, why: 'OEM program' },
  { key: 'subaru', provider: 'Subaru', party: 'second', match: { names: /^subaru\b|subaru of america/i }, why: 'OEM program' },
  { key: 'stellantis', provider: 'Stellantis', party: 'second', match: { names: /stellantis|\bFCA\b|^(jeep|chrysler|dodge|ram)\b/i }, why: 'OEM program' },
  { key: 'volkswagen', provider: 'Volkswagen', party: 'second', match: { names: /^volkswagen\b|^vw\b|vw\.com/i }, why: 'OEM program' },

  // --- Marketplaces and aggregators without an adapter folder (third party) ---
  { key: 'carsdirect', provider: 'CarsDirect', party: 'third', match: { names: /carsdirect/i, idSources: /^carsdirect$/i }, why: 'marketplace / lead aggregator (Internet Brands)' },
  { key: 'autoweb', provider: 'Autoweb', party: 'third', match: { names: /\bautoweb\b|autousa/i, idSources: /^autoweb$/i }, why: 'lead aggregator (formerly Autobytel)' },
  { key: 'capital-one', provider: 'Capital One Auto Navigator', party: 'third', match: { names: /capital ?one/i, senderDomains: ['capitalone.com'] }, why: "a bank's car-shopping marketplace, not the manufacturer's finance arm" },
  { key: 'carvana', provider: 'Carvana', party: 'third', match: { names: /carvana/i }, why: 'marketplace' },
  { key: 'cycle-trader', provider: 'Cycle Trader', party: 'third', match: { names: /cycle ?trader/i, senderDomains: ['cycletrader.com'] }, why: 'marketplace' },
  { key: 'cazoo', provider: 'Cazoo', party: 'third', match: { names: /cazoo/i, senderDomains: ['cazoo.co.uk'] }, why: 'UK marketplace' },

  // --- Dealer-side tools and agencies without an adapter folder (first party) ---
  {
    key: 'trade-accelerator',
    provider: 'Trade Accelerator',
    party: 'first',
    match: { names: /trade accelerator|valuemytradein/i },
    defaultLeadType: 'trade-appraisal',
    why: "a trade-in valuation tool the dealer licenses and embeds on its own website (tradeaccelerator.com dealer terms)",
  },
  { key: 'room58', provider: 'Room58', party: 'first', match: { names: /room ?58/i, idSources: /^room ?58\b/i }, why: "the dealer's own website vendor (powersports)" },
  { key: 'powersports-tv', provider: 'PowerSports TV', party: 'first', match: { names: /powersports ?tv/i }, why: "the dealer's own website vendor (powersports)" },
  { key: 'mudd', provider: 'Mudd Advertising', party: 'first', match: { names: /mudd advertising|\bmudd\.com\b/i }, why: "the dealer's own advertising agency (search and display campaigns it pays for)" },
  { key: 'contactatonce', provider: 'ContactAtOnce', party: 'first', match: { names: /contact ?at ?once/i }, defaultLeadType: 'chat', why: "chat on the dealer's own website" },
  { key: 'gubagoo', provider: 'Gubagoo', party: 'first', match: { names: /gubagoo/i }, defaultLeadType: 'chat', why: "chat on the dealer's own website" },
  { key: 'callrail', provider: 'CallRail', party: 'first', match: { names: /callrail/i, senderDomains: ['callrail.com'] }, why: "the dealer's own call tracking (its phone lines)" },
  { key: 'mygoaltracking', provider: 'MyGoalTracking', party: 'first', match: { names: /mygoaltracking/i }, why: "the dealer's own campaign tracking" },

  // --- Generic first-party channels: only when nothing more specific matched ---
  { key: 'dealer-website', generic: true, provider: 'Dealer Website', party: 'first', match: { names: /\b(dealer )?web ?site\b|\bweb ?form\b|\bcontact us\b/i }, why: "the dealer's own website" },
  { key: 'chat', generic: true, provider: 'Chat', party: 'first', match: { names: /\b(live )?chat\b/i }, defaultLeadType: 'chat', why: "chat on the dealer's own website" },
  { key: 'phone', generic: true, provider: 'Phone', party: 'first', match: { names: /\b(phone|call|click[- ]to[- ]call)\b/i }, why: "the dealer's own phone lines" },
  { key: 'walk-in', generic: true, provider: 'Walk-in', party: 'first', match: { names: /walk[- ]?in|showroom/i }, why: "the dealer's own showroom" },
  { key: 'social', generic: true, provider: 'Social Ads', party: 'first', match: { names: /\b(instagram|tiktok|social)\b/i }, why: "the dealer's own social ads" },
];

// The two shapes every part of leadgate agrees on: LeadDraft (what a format/adapter read) and Lead (the public contract).

/** A repair, guess or oddity noticed while reading a lead; stable `code`, human `message`, never customer data. */
export interface Warning {
  code: string;
  message: string;
}

// ---------------------------------------------------------------------------
// LeadDraft: the output of formats and adapters. Values are the provider's strings,
// trimmed and entity-decoded but otherwise untouched; `normalize` turns them into a Lead.
// ---------------------------------------------------------------------------

export interface DraftId {
  value: string;
  source?: string;
  sequence?: string;
}

export interface DraftName {
  value: string;
  /** first | middle | last | suffix | surname | full (as sent; normalize lower-cases). */
  part?: string;
  /** individual | business */
  type?: string;
}

export interface DraftEmail {
  value: string;
  preferred?: boolean;
}

export interface DraftPhone {
  value: string;
  type?: string;
  time?: string;
  preferred?: boolean;
}

export interface DraftAddress {
  lines: string[];
  apartment?: string;
  city?: string;
  region?: string;
  postalCode?: string;
  country?: string;
  type?: string;
}

export interface DraftContact {
  names: DraftName[];
  emails: DraftEmail[];
  phones: DraftPhone[];
  address?: DraftAddress;
}

export interface DraftPrice {
  value: string;
  type?: string;
  currency?: string;
  source?: string;
}

export interface DraftVehicle {
  interest?: string;
  status?: string;
  ids: DraftId[];
  year?: string;
  make?: string;
  model?: string;
  trim?: string;
  vin?: string;
  stock?: string;
  bodyStyle?: string;
  transmission?: string;
  odometer?: { value: string; units?: string; status?: string };
  colors?: Array<{ exterior?: string; interior?: string; preference?: string }>;
  price?: DraftPrice;
  finance?: { method?: string; amounts: Array<{ value: string; type?: string; limit?: string; currency?: string }> };
  options?: string[];
  comments?: string;
}

export interface LeadDraft {
  /** Which format read it: "adf" | "star" (later: "email-text", "form", ...). */
  format: string;
  /** Index of this prospect inside its raw input (0 for single-lead inputs). */
  index: number;
  /** prospect/@status: "new" | "resend" (as sent). */
  status?: string;
  /** Prospect-level ids (provider lead ids, metadata ids). */
  ids: DraftId[];
  /** requestdate exactly as sent. */
  requestDate?: string;
  customer: DraftContact & {
    ids: DraftId[];
    comments?: string;
    timeframe?: { description?: string; earliest?: string; latest?: string };
  };
  vehicles: DraftVehicle[];
  vendor?: { ids: DraftId[]; name?: string; contactName?: string; url?: string };
  provider?: { ids: DraftId[]; name?: string; service?: string; url?: string; email?: string };
  /** Custom (non-ADF) elements worth keeping, e.g. { leadtype: "internet" }. Lower-case keys. */
  extras: Record<string, string>;
  /** What a provider adapter's refine step learned about the source, each with its evidence (classify decides). */
  attribution?: DraftAttribution;
  warnings: Warning[];
}

/** Source facts an adapter read from a provider's quirks (TrueCar partner → subSource, Kia LeadType → leadType). */
export type DraftAttribution = Partial<{
  provider: { value: string; evidence: Evidence };
  subSource: { value: string; evidence: Evidence };
  leadType: { value: LeadType; evidence: Evidence };
  party: { value: Party; evidence: Evidence };
}>;

// ---------------------------------------------------------------------------
// Lead: the public contract (architecture.md §4, schemas/lead.v1.json). Unknown fields are
// omitted, never emitted as empty strings.
// ---------------------------------------------------------------------------

export type Party = 'first' | 'second' | 'third';
export type LeadType = 'sales-new' | 'sales-used' | 'trade-appraisal' | 'sell' | 'test-drive' | 'credit-app' | 'chat' | 'general';

/**
 * Why a classification field holds its value: the signal read (e.g. "credential", "provider.name",
 * "id.source", "sender.domain", "subject", "vehicle.interest", "dealer-rule"), what it said (never
 * customer data), and the rule that turned it into the value (e.g. "catalog:cargurus").
 */
export interface Evidence {
  signal: string;
  value?: string;
  rule: string;
}

export interface Classification {
  party: Evidence;
  provider: Evidence;
  subSource?: Evidence;
  leadType: Evidence;
}
export type Interest = 'buy' | 'lease' | 'sell' | 'trade-in' | 'test-drive';
export type VehicleStatus = 'new' | 'used' | 'certified';

export interface Phone {
  e164?: string;
  raw: string;
  type?: string;
  time?: string;
}

export interface Address {
  lines: string[];
  city?: string;
  region?: string;
  postalCode?: string;
  country?: string;
}

export interface Vehicle {
  interest: Interest;
  status?: VehicleStatus;
  year?: number;
  make?: string;
  model?: string;
  trim?: string;
  vin?: string;
  stock?: string;
  odometer?: number;
  price?: { amount: number; currency: string; type?: string };
}

export interface Customer {
  /** Omitted when the lead carries no usable name. */
  name?: { first?: string; last?: string; full?: string };
  emails: string[];
  phones: Phone[];
  address?: Address;
  preferredContact?: string;
  timeframe?: string;
  comments?: string;
}

export interface ExternalId {
  source: string;
  id: string;
}

export interface Source {
  channel: string;
  adapter: string;
  /** Canonical brand ("CarGurus", "TrueCar", "Kia Digital", "Dealer Website"). */
  provider: string;
  /** Program or partner ("PNC", "Wallet", "Instant Cash Offer"). */
  subSource?: string;
  service?: string;
  externalIds: ExternalId[];
}

export interface RawRef {
  sha256: string;
  contentType: string;
  size: number;
}

/** What a lead.duplicate adds over the lead it duplicates. */
export interface DuplicateAdds {
  emails?: string[];
  phones?: string[];
  vehicles?: Vehicle[];
  comments?: string;
}

export interface Lead {
  leadId: string;
  customerId: string;
  receivedAt: string;
  requestedAt: string;
  party: Party;
  /** What the customer asked for (classify decides it on every lead). */
  leadType: LeadType;
  /** The evidence behind party, provider, subSource and leadType. */
  classification: Classification;
  dealer: { id: string; name: string };
  source: Source;
  customer: Customer;
  vehicles: Vehicle[];
  duplicateOf?: string;
  duplicateReason?: string;
  adds?: DuplicateAdds;
  warnings: Warning[];
  raw: RawRef;
}

/** A lead after normalize and before identity/dedup: ids are assigned inside the store transaction. */
export type NormalizedLead = Omit<Lead, 'leadId' | 'customerId' | 'duplicateOf' | 'duplicateReason' | 'adds' | 'dealer' | 'party' | 'leadType' | 'classification'> & {
  /** The vendor (dealer) as the lead named it, for resolve-dealer. */
  vendor?: { ids: DraftId[]; name?: string };
  /** Draft extras and provider details that later steps (classify, adapters) may read. */
  hints: { providerName?: string; providerUrl?: string; extras?: Record<string, string>; status?: string };
};

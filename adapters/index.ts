// The adapter registry: an ordered list, specific provider dialects first, the generic STAR and ADF readers last.
import { parseAdf } from '../src/formats/adf.js';
import { parseStar } from '../src/formats/star.js';
import { detectFormat } from '../src/formats/detect.js';
import { parseTextLead } from '../src/formats/text.js';
import { DEFAULT_FORM, formDraft, readFormText } from '../src/formats/form.js';
import type { XmlLimits } from '../src/formats/xml.js';
import type { Signals } from '../src/input.js';
import type { LeadDraft, LeadType, Party } from '../src/lead.js';
import { provider as facebook } from './facebook/index.js';
import { provider as autotrader } from './autotrader/index.js';
import { provider as carscom } from './carscom/index.js';
import { provider as cargurus } from './cargurus/index.js';
import { provider as truecar } from './truecar/index.js';
import { provider as dealix } from './dealix/index.js';
import { provider as edmunds } from './edmunds/index.js';
import { provider as kbb } from './kbb/index.js';
import { provider as costco } from './costco/index.js';
import { provider as offerup } from './offerup/index.js';
import { provider as carfax } from './carfax/index.js';
import { provider as gm } from './gm/index.js';
import { provider as forddirect } from './forddirect/index.js';
import { provider as toyota } from './toyota/index.js';
import { provider as honda } from './honda/index.js';
import { provider as hyundai } from './hyundai/index.js';
import { provider as kiaDigital } from './kia-digital/index.js';
import { provider as mazdaDigital } from './mazda-digital/index.js';
import { provider as dealercom } from './dealercom/index.js';
import { provider as dealeron } from './dealeron/index.js';
import { provider as dealerInspire } from './dealer-inspire/index.js';
import { provider as teamvelocity } from './teamvelocity/index.js';
import { provider as carnow } from './carnow/index.js';
import { provider as roadster } from './roadster/index.js';

export interface Adapter {
  /** URL-safe name: POST /v1/leads/{name}. */
  name: string;
  title: string;
  /** The wire format it reads; becomes part of source.channel ("http-adf", "smtp-text"). */
  format: 'adf' | 'star' | 'text' | 'form';
  /** Cheap sniff over the decoded text; only consulted when the caller did not choose an adapter. */
  detect(text: string): boolean;
  parse(text: string, limits?: XmlLimits): LeadDraft[];
}

export const adf: Adapter = {
  name: 'adf',
  title: 'ADF/XML 1.0 (any provider)',
  format: 'adf',
  // The root element decides when it can be read, as for leads inside forms and JSON (detect.ts): an ADF lead
  // is then never scanned for STAR's markers, nor a STAR lead read as ADF because a comment mentions <adf>.
  detect: (text) => detectFormat(text) === 'adf',
  parse: parseAdf,
};

export const star: Adapter = {
  name: 'star',
  title: 'STAR 5 ProcessSalesLead (any provider)',
  format: 'star',
  detect: (text) => detectFormat(text) === 'star',
  parse: parseStar,
};

/**
 * Plain-text lead notifications (`Label: value` emails, CarGurus UK, Cars.com, CARFAX). Never detected:
 * the email reader picks it when an email holds no XML, or a caller names it (POST /v1/leads/text).
 */
export const text: Adapter = {
  name: 'text',
  title: 'Plain-text lead notification (email body)',
  format: 'text',
  detect: () => false,
  parse: (body) => parseTextLead({ text: body }),
};

/**
 * Dealer website form fields (JSON object or urlencoded text) with the default field names. Never
 * detected: POST /v1/forms/{key} names it (read.ts then applies that form's config and bot checks),
 * and `leadgate parse` uses it for JSON files that hold no ADF or STAR.
 */
export const form: Adapter = {
  name: 'form',
  title: 'Dealer website form (urlencoded, multipart or JSON fields)',
  format: 'form',
  detect: () => false,
  parse: (body) => [formDraft(readFormText(body), DEFAULT_FORM)],
};

/**
 * A provider adapter: one folder per provider (adapters/<name>/index.ts exports `provider`).
 * Providers ride on a wire format (ADF, STAR, plain text, form); the format adapter reads the
 * bytes, then the pipeline's attribute step picks the provider from the signals (explicit
 * POST /v1/leads/{name} first, then credential, provider name/service/url, id sources, sender
 * domain, subject) and calls its `refine` with the drafts.
 */
export interface ProviderAdapter {
  /** URL-safe name: POST /v1/leads/{name}; also the folder name. */
  name: string;
  title: string;
  /** Canonical brand written to source.provider. */
  provider: string;
  /** Default party of its leads (a refine may decide otherwise per lead, e.g. an OEM relaying a marketplace lead). */
  party: Party;
  /** Formats its leads arrive in, in order of likelihood. */
  formats: Array<'adf' | 'star' | 'text' | 'form'>;
  /** Patterns (case-insensitive) over each signal; any match selects this provider. Specific before generic. */
  match: {
    /** ADF provider name / service / url, STAR source names. */
    names?: RegExp;
    /** prospect/id/@source and vehicle id sources. */
    idSources?: RegExp;
    /** Email From domains (exact or parent domain). */
    senderDomains?: string[];
    subjects?: RegExp;
  };
  /** Lead type when nothing more specific is known (e.g. "chat" for a chat vendor). */
  defaultLeadType?: LeadType;
  /**
   * Provider quirks on the generic draft: ids, comment mining, subSource / leadType / party in
   * `draft.attribution` with their evidence. Pure; never overrides structured fields with mined text.
   */
  refine?(draft: LeadDraft, signals: Signals): LeadDraft;
}

/** Provider adapters, one line per folder (the contract test fails when a folder is missing here). */
export const PROVIDERS: readonly ProviderAdapter[] = [
  // Attribution walks this list once per signal (delivery.md §5.2) and the first adapter whose pattern
  // matches wins, so the order is a precedence:
  // 1. OEM programs first: they relay other sources' leads and name both ("Team Velocity - Contact Dealer"
  //    with service "Kia Digital", "Kia Digital - 3rd Party Lead" with a CarsDirect id); their refine
  //    decides the relayed origin (first-party vendor, their own site, or a third party).
  gm,
  forddirect,
  toyota,
  honda,
  hyundai,
  kiaDigital,
  mazdaDigital,
  // 2. Social lead ads that a dealer's marketing vendor relays ("Facebook (Team Velocity)"): before the vendor.
  facebook,
  // 3. Marketplaces and aggregators (their patterns are anchored to their own brand: no overlap among them).
  autotrader,
  carscom,
  cargurus,
  truecar,
  dealix,
  edmunds,
  kbb,
  costco,
  offerup,
  carfax,
  // 4. The dealer's own website and chat vendors last: any program or marketplace that names them relays them.
  dealercom,
  dealeron,
  dealerInspire,
  teamvelocity,
  carnow,
  roadster,
];

export function findProvider(name: string): ProviderAdapter | undefined {
  return PROVIDERS.find((p) => p.name === name.toLowerCase());
}

/** Order matters: detection walks this list and the first adapter that recognizes the text reads it. */
export const ADAPTERS: readonly Adapter[] = [star, adf, text, form];

export function findAdapter(name: string): Adapter | undefined {
  return ADAPTERS.find((a) => a.name === name.toLowerCase());
}

export function detectAdapter(text: string): Adapter | undefined {
  return ADAPTERS.find((a) => a.detect(text));
}

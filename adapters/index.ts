// The adapter registry: an ordered list, specific provider dialects first, the generic STAR and ADF readers last.
import { parseAdf, looksLikeAdf } from '../src/formats/adf.js';
import { parseStar, looksLikeStar } from '../src/formats/star.js';
import { parseTextLead } from '../src/formats/text.js';
import type { XmlLimits } from '../src/formats/xml.js';
import type { Signals } from '../src/input.js';
import type { LeadDraft, LeadType, Party } from '../src/lead.js';

export interface Adapter {
  /** URL-safe name: POST /v1/leads/{name}. */
  name: string;
  title: string;
  /** The wire format it reads; becomes part of source.channel ("http-adf", "smtp-text"). */
  format: 'adf' | 'star' | 'text';
  /** Cheap sniff over the decoded text; only consulted when the caller did not choose an adapter. */
  detect(text: string): boolean;
  parse(text: string, limits?: XmlLimits): LeadDraft[];
}

export const adf: Adapter = {
  name: 'adf',
  title: 'ADF/XML 1.0 (any provider)',
  format: 'adf',
  detect: looksLikeAdf,
  parse: parseAdf,
};

export const star: Adapter = {
  name: 'star',
  title: 'STAR 5 ProcessSalesLead (any provider)',
  format: 'star',
  detect: looksLikeStar,
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
export const PROVIDERS: readonly ProviderAdapter[] = [];

export function findProvider(name: string): ProviderAdapter | undefined {
  return PROVIDERS.find((p) => p.name === name.toLowerCase());
}

/** Order matters: detection walks this list and the first adapter that recognizes the text reads it. */
export const ADAPTERS: readonly Adapter[] = [star, adf, text];

export function findAdapter(name: string): Adapter | undefined {
  return ADAPTERS.find((a) => a.name === name.toLowerCase());
}

export function detectAdapter(text: string): Adapter | undefined {
  return ADAPTERS.find((a) => a.detect(text));
}

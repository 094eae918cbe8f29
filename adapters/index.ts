// The adapter registry: an ordered list, specific provider dialects first, the generic STAR and ADF readers last.
import { parseAdf, looksLikeAdf } from '../src/formats/adf.js';
import { parseStar, looksLikeStar } from '../src/formats/star.js';
import { parseTextLead } from '../src/formats/text.js';
import type { XmlLimits } from '../src/formats/xml.js';
import type { LeadDraft } from '../src/lead.js';

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

/** Order matters: detection walks this list and the first adapter that recognizes the text reads it. */
export const ADAPTERS: readonly Adapter[] = [star, adf, text];

export function findAdapter(name: string): Adapter | undefined {
  return ADAPTERS.find((a) => a.name === name.toLowerCase());
}

export function detectAdapter(text: string): Adapter | undefined {
  return ADAPTERS.find((a) => a.detect(text));
}

// The adapter registry: an ordered list, specific provider dialects first, the generic STAR and ADF readers last.
import { parseAdf, looksLikeAdf } from '../src/formats/adf.js';
import { parseStar, looksLikeStar } from '../src/formats/star.js';
import type { XmlLimits } from '../src/formats/xml.js';
import type { LeadDraft } from '../src/lead.js';

export interface Adapter {
  /** URL-safe name: POST /v1/leads/{name}. */
  name: string;
  title: string;
  /** The wire format it reads; becomes part of source.channel ("http-adf"). */
  format: 'adf' | 'star';
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

/** Order matters: detection walks this list and the first adapter that recognizes the text reads it. */
export const ADAPTERS: readonly Adapter[] = [star, adf];

export function findAdapter(name: string): Adapter | undefined {
  return ADAPTERS.find((a) => a.name === name.toLowerCase());
}

export function detectAdapter(text: string): Adapter | undefined {
  return ADAPTERS.find((a) => a.detect(text));
}

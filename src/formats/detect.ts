// Decides whether decoded text is ADF or STAR, and digs the XML out of form-encoded posts.

import { looksLikeAdf } from './adf.js';
import { looksLikeStar } from './star.js';

export type XmlFormat = 'adf' | 'star';

/**
 * The root element decides when it can be read (`<adf>`, `<adf:adf>`, `<ADF>`, bare `<prospect>`
 * → adf; `<ProcessSalesLead>` → star); otherwise the cheap sniffs, STAR first because a STAR
 * document never contains `<adf>` while ADF comments can mention anything.
 */
export function detectFormat(input: string): XmlFormat | undefined {
  const root = rootName(input);
  if (root === 'adf' || root === 'prospect') return 'adf';
  if (root === 'processsaleslead') return 'star';
  if (looksLikeStar(input)) return 'star';
  if (looksLikeAdf(input)) return 'adf';
  return undefined;
}

/** Lower-cased local name of the first element, skipping the prolog (declaration, PIs, comments). */
function rootName(input: string): string | undefined {
  let i = 0;
  const n = Math.min(input.length, 65_536);
  while (i < n) {
    i = input.indexOf('<', i);
    if (i < 0 || i >= n) return undefined;
    if (input.startsWith('<?', i)) {
      const e = input.indexOf('?>', i + 2);
      if (e < 0) return undefined;
      i = e + 2;
    } else if (input.startsWith('<!--', i)) {
      const e = input.indexOf('-->', i + 4);
      if (e < 0) return undefined;
      i = e + 3;
    } else {
      const m = /^<([A-Za-z_][\w.:-]*)/.exec(input.slice(i, i + 200));
      if (!m || m[1] === undefined) return undefined;
      const name = m[1];
      return name.slice(name.lastIndexOf(':') + 1).toLowerCase();
    }
  }
  return undefined;
}

/** Field names senders use for the XML, tried first (`adf=`, `xml=`, `lead=`, `body=` ...). */
const PREFERRED_FIELDS = ['adf', 'xml', 'adfxml', 'adf_xml', 'lead', 'leadxml', 'lead_xml', 'body', 'data', 'payload', 'message'];

/**
 * For `application/x-www-form-urlencoded` posts: the value of the field that holds ADF or STAR
 * (preferred names first, then any field). A body that is raw XML mislabelled as a form is
 * returned as-is. Undefined when no field looks like a lead.
 */
export function extractXmlFromForm(body: string): string | undefined {
  const trimmed = body.trim();
  if (trimmed.startsWith('<')) return detectFormat(trimmed) ? trimmed : undefined;

  const fields: Array<[string, string]> = [];
  for (const [k, v] of new URLSearchParams(trimmed)) fields.push([k.toLowerCase(), v]);
  const rank = (name: string): number => {
    const r = PREFERRED_FIELDS.indexOf(name);
    return r < 0 ? PREFERRED_FIELDS.length : r;
  };
  const ordered = fields.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f[0]) - rank(b.f[0]) || a.i - b.i);
  for (const { f } of ordered) {
    const value = f[1].trim();
    if (value.includes('<') && detectFormat(value)) return value;
  }
  return undefined;
}

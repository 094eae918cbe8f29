// read: turn a RawInput's bytes into LeadDrafts — check the content type, decode the charset, unwrap form/JSON envelopes, pick the adapter and parse.
import { detectAdapter, findAdapter, type Adapter } from '../../adapters/index.js';
import { decodeText } from '../formats/decode.js';
import { detectFormat, extractXmlFromForm } from '../formats/detect.js';
import { LeadgateError } from '../errors.js';
import type { RawInput } from '../input.js';
import type { XmlLimits } from '../formats/xml.js';
import type { LeadDraft, Warning } from '../lead.js';

const XML_TYPES = /^(application|text)\/([\w.+-]+\+)?xml$|^application\/x-adf\+xml$/;
const PLAIN_TYPES = /^(text\/plain|application\/octet-stream)$/;

export function mediaType(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase();
}

/** ADF wrapped in JSON (eLead/Fortellis activity bodies, DealerAI): the first string value that holds a lead. */
function findXmlInJson(value: unknown, depth = 0): string | undefined {
  if (depth > 16) return undefined;
  if (typeof value === 'string') return detectFormat(value) ? value : undefined;
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) {
      const hit = findXmlInJson(v, depth + 1);
      if (hit) return hit;
    }
  }
  return undefined;
}

export interface ReadResult {
  adapter: Adapter;
  drafts: LeadDraft[];
  warnings: Warning[];
  /** An idempotency key the input itself carries (an email's Message-ID), used when the transport gave none. */
  idempotencyKey?: string;
}

export async function readInput(raw: RawInput, limits?: XmlLimits): Promise<ReadResult> {
  if (raw.bytes.length === 0) throw new LeadgateError('empty_body', 'send the lead document as the request body');
  if (raw.adapter && !findAdapter(raw.adapter)) throw new LeadgateError('unknown_adapter', 'GET /v1/adapters lists the adapter names');
  const type = mediaType(raw.contentType);
  const { text: decoded, warnings } = decodeText(raw.bytes, { charset: raw.charset });
  let text = decoded;
  if (type === 'application/x-www-form-urlencoded') {
    const xml = extractXmlFromForm(decoded);
    if (!xml) throw new LeadgateError('not_a_lead', 'no form field holds an ADF or STAR document');
    text = xml;
    warnings.push({ code: 'unwrapped_form_field', message: 'The XML was taken from a form-encoded field.' });
  } else if (type === 'application/json') {
    let json: unknown;
    try {
      json = JSON.parse(decoded);
    } catch {
      throw new LeadgateError('not_a_lead', 'the JSON body could not be parsed');
    }
    const xml = findXmlInJson(json);
    if (!xml) throw new LeadgateError('not_a_lead', 'no JSON string holds an ADF or STAR document');
    text = xml;
    warnings.push({ code: 'unwrapped_json_field', message: 'The XML was taken from a JSON string.' });
  } else if (type && !XML_TYPES.test(type) && !PLAIN_TYPES.test(type)) {
    throw new LeadgateError('unsupported_media_type', 'send application/xml, text/xml, text/plain, application/json or form-encoded bodies');
  }
  const adapter = raw.adapter ? findAdapter(raw.adapter)! : detectAdapter(text);
  if (!adapter) throw new LeadgateError('not_a_lead', 'the body is neither ADF nor STAR XML');
  return { adapter, drafts: adapter.parse(text, limits), warnings };
}

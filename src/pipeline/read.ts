// read: turn a RawInput's bytes into LeadDrafts — check the content type, decode the charset, unwrap form/JSON/email envelopes, pick the adapter and parse.
import { detectAdapter, findAdapter, text as textAdapter, type Adapter } from '../../adapters/index.js';
import { decodeText } from '../formats/decode.js';
import { detectFormat, extractXmlFromForm } from '../formats/detect.js';
import { readEmail, type EmailContent } from '../formats/email.js';
import { applySenderProvider } from '../formats/email-senders.js';
import { parseTextLead, REQUEST_DATE_FROM_EMAIL } from '../formats/text.js';
import { LeadgateError, toLeadgateError } from '../errors.js';
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
  if (type === 'message/rfc822') return readEmailInput(raw, limits);
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

/** `msgid:<id>`: the Message-ID without angle brackets, lower-cased (the same message delivered twice is one input). */
export function messageIdKey(messageId: string | undefined): string | undefined {
  const id = messageId?.trim().replace(/^<|>$/g, '').trim().toLowerCase();
  return id ? `msgid:${id}` : undefined;
}

/**
 * message/rfc822: find the ADF/STAR documents anywhere in the email and read each with its adapter; with
 * none, read the plain-text body as a lead notification. Leads without a provider get one from the sender.
 */
async function readEmailInput(raw: RawInput, limits?: XmlLimits): Promise<ReadResult> {
  const email = await readEmail(raw.bytes);
  const warnings = [...email.warnings];
  const key = messageIdKey(email.messageId);
  const result = (adapter: Adapter, drafts: LeadDraft[]): ReadResult => ({ adapter, drafts, warnings, ...(key ? { idempotencyKey: key } : {}) });
  const chosen = raw.adapter ? findAdapter(raw.adapter) : undefined;

  if (email.documents.length > 0 && chosen?.format !== 'text') {
    let first: Adapter | undefined;
    const drafts: LeadDraft[] = [];
    let failure: LeadgateError | undefined;
    for (const doc of email.documents) {
      const adapter = chosen ?? detectAdapter(doc.text);
      if (!adapter) continue;
      let parsed: LeadDraft[];
      try {
        parsed = adapter.parse(doc.text, limits);
      } catch (err) {
        const e = toLeadgateError(err);
        if (e.kind !== 'invalid') throw e;
        failure ??= e;
        continue;
      }
      first ??= adapter;
      for (const d of parsed) {
        d.index = drafts.length;
        d.warnings.unshift(...doc.warnings);
        if (!d.requestDate && doc.date) {
          d.requestDate = doc.date;
          d.warnings.push({ ...REQUEST_DATE_FROM_EMAIL });
        }
        applySenderProvider(d, doc.from, doc.subject);
        drafts.push(d);
      }
    }
    if (first && drafts.length > 0) {
      if (failure) warnings.push({ code: 'email_document_unreadable', message: 'One of the lead documents in the email could not be read; the others were.' });
      return result(first, drafts);
    }
    // Every document was unreadable: a plain-text reading may still find the customer; else report the XML error.
    const fallback = readTexts(email);
    if (fallback) {
      warnings.push({ code: 'email_xml_unreadable', message: 'The lead XML in the email could not be read; the lead was read from the email text instead.' });
      return result(textAdapter, fallback);
    }
    throw failure ?? new LeadgateError('not_a_lead', 'the email holds no readable ADF or STAR document');
  }

  const drafts = readTexts(email);
  if (!drafts) throw new LeadgateError('not_a_lead', 'the email holds no ADF or STAR document and no customer name, email or phone');
  return result(textAdapter, drafts);
}

/** The first plain-text body (the email's own, then attached forwarded ones) that reads as a lead. */
function readTexts(email: EmailContent): LeadDraft[] | undefined {
  for (const t of email.texts) {
    try {
      const drafts = parseTextLead({ text: t.text, ...(t.from ? { from: t.from } : {}), ...(t.subject ? { subject: t.subject } : {}), ...(t.date ? { date: t.date } : {}) });
      const where = t.where === 'html-body'
        ? [{ code: 'email_lead_in_html', message: 'The lead was found in the HTML part of the email.' }]
        : t.where === 'forwarded-attachment'
          ? [{ code: 'email_lead_forwarded', message: 'The lead was found in a forwarded message.' }]
          : [];
      for (const d of drafts) d.warnings.splice(1, 0, ...where);
      return drafts;
    } catch (err) {
      if (!(err instanceof LeadgateError) || err.code !== 'not_a_lead') throw err;
    }
  }
  return undefined;
}

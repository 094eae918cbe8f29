// read: turn a RawInput's bytes into LeadDrafts — check the content type, decode the charset, unwrap form/JSON/email envelopes, pick the adapter and parse.
import { detectAdapter, findAdapter, findProvider, text as textAdapter, type Adapter } from '../../adapters/index.js';
import { decodeText } from '../formats/decode.js';
import { detectFormat, extractXmlFromForm } from '../formats/detect.js';
import { readEmail, type EmailContent } from '../formats/email.js';
import { DEFAULT_FORM, parseFormInput, type FormIndex } from '../formats/form.js';
import { senderAddress } from '../formats/email-senders.js';
import { parseTextLead, REQUEST_DATE_FROM_EMAIL } from '../formats/text.js';
import { LeadgateError, toLeadgateError } from '../errors.js';
import type { RawInput, Signals } from '../input.js';
import type { XmlLimits } from '../formats/xml.js';
import type { LeadDraft, Warning } from '../lead.js';

const XML_TYPES = /^(application|text)\/([\w.+-]+\+)?xml$|^application\/x-adf\+xml$/;
const PLAIN_TYPES = /^(text\/plain|application\/octet-stream)$/;

// Senders send the same one or two content types all day: mediaType remembers its last answer (~1 µs a lead).
let lastContentType = '';
let lastMediaType = '';

export function mediaType(contentType: string): string {
  if (contentType === lastContentType) return lastMediaType;
  const type = contentType.split(';')[0].trim().toLowerCase();
  lastContentType = contentType;
  lastMediaType = type;
  return type;
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
  /** Per draft (same order): what the email says about its sender (From address, Subject), for attribution. */
  signals?: Signals[];
}

/** The sender/subject signals of one email document or text (the forwarded original's when it was forwarded). */
function emailSignals(from: string | undefined, subject: string | undefined): Signals {
  const sender = senderAddress(from);
  const subj = subject?.trim();
  return { ...(sender ? { sender } : {}), ...(subj ? { subject: subj } : {}) };
}

/** What reading needs beyond the bytes: the XML limits, and the configured website forms (by key) for form inputs. */
export interface ReadOptions extends XmlLimits {
  forms?: FormIndex;
}

export async function readInput(raw: RawInput, limits?: ReadOptions): Promise<ReadResult> {
  if (raw.bytes.length === 0) throw new LeadgateError('empty_body', 'send the lead document as the request body');
  if (raw.adapter?.toLowerCase() === 'form') return readFormInput(raw, limits?.forms);
  // A format name reads the bytes that way; a provider name (POST /v1/leads/cargurus) detects the format and names the source.
  if (raw.adapter && !findAdapter(raw.adapter) && !findProvider(raw.adapter)) throw new LeadgateError('unknown_adapter', 'GET /v1/adapters lists the adapter names');
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
  const named = raw.adapter ? findAdapter(raw.adapter) : undefined;
  const provider = raw.adapter && !named ? findProvider(raw.adapter) : undefined;
  const adapter = named ?? detectAdapter(text) ?? (provider?.formats.includes('text') ? textAdapter : undefined);
  if (!adapter) throw new LeadgateError('not_a_lead', 'the body is neither ADF nor STAR XML');
  return { adapter, drafts: atMostLeads(adapter.parse(text, limits)), warnings };
}

/** A website form post: that form's field mapping and bot checks (signals.form names it; none → the default mapping). */
async function readFormInput(raw: RawInput, forms: FormIndex | undefined): Promise<ReadResult> {
  const key = raw.signals?.form;
  const form = key === undefined ? DEFAULT_FORM : forms?.get(key);
  if (!form) throw new LeadgateError('unknown_form', 'no configured website form has that key (dealers[].forms[].key)');
  return { adapter: findAdapter('form')!, drafts: await parseFormInput(raw.bytes, raw.contentType, form, raw.receivedAt), warnings: [] };
}

/**
 * Leads one input may carry. Real senders put one prospect in a document (rarely a handful); 10,000 bare prospects
 * fit in one 1 MiB body and held the store's writer for seconds (fixtures/hostile/README.md: many-prospects).
 */
export const MAX_LEADS_PER_INPUT = 100;

function atMostLeads(drafts: LeadDraft[]): LeadDraft[] {
  if (drafts.length > MAX_LEADS_PER_INPUT) throw new LeadgateError('too_many_leads', `one input may carry at most ${MAX_LEADS_PER_INPUT} leads; send them in separate requests`);
  return drafts;
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
  const result = (adapter: Adapter, drafts: LeadDraft[], signals: Signals[]): ReadResult => ({ adapter, drafts: atMostLeads(drafts), warnings, signals, ...(key ? { idempotencyKey: key } : {}) });
  const chosen = raw.adapter ? findAdapter(raw.adapter) : undefined;

  if (email.documents.length > 0 && chosen?.format !== 'text') {
    let first: Adapter | undefined;
    const drafts: LeadDraft[] = [];
    const signals: Signals[] = [];
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
        drafts.push(d);
        signals.push(emailSignals(doc.from, doc.subject));
      }
    }
    if (first && drafts.length > 0) {
      if (failure) warnings.push({ code: 'email_document_unreadable', message: 'One of the lead documents in the email could not be read; the others were.' });
      return result(first, drafts, signals);
    }
    // Every document was unreadable: a plain-text reading may still find the customer; else report the XML error.
    const fallback = readTexts(email);
    if (fallback) {
      warnings.push({ code: 'email_xml_unreadable', message: 'The lead XML in the email could not be read; the lead was read from the email text instead.' });
      return result(textAdapter, fallback.drafts, fallback.signals);
    }
    throw failure ?? new LeadgateError('not_a_lead', 'the email holds no readable ADF or STAR document');
  }

  const texts = readTexts(email);
  if (!texts) throw new LeadgateError('not_a_lead', 'the email holds no ADF or STAR document and no customer name, email or phone');
  return result(textAdapter, texts.drafts, texts.signals);
}

/** The first plain-text body (the email's own, then attached forwarded ones) that reads as a lead. */
function readTexts(email: EmailContent): { drafts: LeadDraft[]; signals: Signals[] } | undefined {
  for (const t of email.texts) {
    try {
      const drafts = parseTextLead({ text: t.text, ...(t.from ? { from: t.from } : {}), ...(t.subject ? { subject: t.subject } : {}), ...(t.date ? { date: t.date } : {}) });
      const where = t.where === 'html-body'
        ? [{ code: 'email_lead_in_html', message: 'The lead was found in the HTML part of the email.' }]
        : t.where === 'forwarded-attachment'
          ? [{ code: 'email_lead_forwarded', message: 'The lead was found in a forwarded message.' }]
          : [];
      for (const d of drafts) d.warnings.splice(1, 0, ...where);
      return { drafts, signals: drafts.map(() => emailSignals(t.from, t.subject)) };
    } catch (err) {
      if (!(err instanceof LeadgateError) || err.code !== 'not_a_lead') throw err;
    }
  }
  return undefined;
}

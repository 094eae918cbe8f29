// Reads an email (RFC 5322 bytes) and finds the lead in it wherever senders put it (adf.md §9.8, delivery.md §2): body, HTML, attachment, forward.

import { simpleParser, type AddressObject, type Attachment, type EmailAddress, type ParsedMail, type StructuredHeader } from 'mailparser';
import { LeadgateError } from '../errors.js';
import type { Warning } from '../lead.js';
import { decodeText } from './decode.js';
import { senderAddress } from './email-senders.js';
import { findForwardHeader } from './text.js';
import { decodeEntities } from './xml.js';

export type DocumentPlacement = 'text-body' | 'html-body' | 'xml-part' | 'attachment' | 'forwarded-inline' | 'forwarded-attachment';

/** One ADF or STAR document found in an email, cut out and decoded, ready for an adapter. */
export interface EmailDocument {
  text: string;
  format: 'adf' | 'star';
  where: DocumentPlacement;
  /** Sender, subject and date of the message the document came from (the forwarded original when forwarded). */
  from?: string;
  subject?: string;
  date?: string;
  /** Where and how it was found (`email_lead_in_html`, `email_html_escaped`, ...); never customer data. */
  warnings: Warning[];
}

/** A plain-text body, for the text reader when the email holds no document. */
export interface EmailText {
  text: string;
  where: 'text-body' | 'html-body' | 'forwarded-attachment';
  from?: string;
  subject?: string;
  date?: string;
}

export interface EmailContent {
  /** Message-ID without angle brackets, as sent. */
  messageId?: string;
  /** The From address, lower-cased, without display name. */
  from?: string;
  to?: string[];
  subject?: string;
  /** The Date header as ISO 8601 with its UTC offset ("2025-10-17T19:54:00-07:00"). */
  date?: string;
  documents: EmailDocument[];
  /** The text/plain body (or the HTML body as text when there is none). */
  textBody?: string;
  /** Every plain-text body: this message's first, then those of attached forwarded messages. */
  texts: EmailText[];
  /** Message-level notes (parts capped, attachments skipped, duplicates read once, charset repairs). */
  warnings: Warning[];
}

export interface EmailLimits {
  /** Forwarded messages attached inside each other, read at most this deep (default 3). */
  maxDepth?: number;
  /** Attachments examined per message (default 50); the rest are ignored with a warning. */
  maxParts?: number;
  /** MIME parts mailparser accepts in one message before giving up (default 2000). */
  maxMimeNodes?: number;
  /** Header bytes of one MIME part (default 1 MiB). */
  maxHeaderBytes?: number;
  /** Attachments larger than this are not examined (default 8 MiB). */
  maxAttachmentBytes?: number;
  /** Text bodies longer than this (characters) are cut before lead documents are searched for (default 4 Mi: a document over the XML limit cannot be read anyway). */
  maxTextChars?: number;
  /** HTML bodies longer than this (characters) are cut before being searched (default 1 Mi: unescaping costs about a microsecond per entity). */
  maxHtmlChars?: number;
  /** Documents taken from one email (default 20). */
  maxDocuments?: number;
  /** Lines in one message (default 500,000: 25 MiB of base64 at 64 characters a line); more is refused before parsing. */
  maxLines?: number;
  /** Multipart containers (boundary parameters) declared in one message (default 256); bounds the nesting depth. */
  maxMultiparts?: number;
}

const DEFAULTS: Required<EmailLimits> = {
  maxDepth: 3,
  maxParts: 50,
  maxMimeNodes: 2000,
  maxHeaderBytes: 1 << 20,
  maxAttachmentBytes: 8 << 20,
  maxTextChars: 4 << 20,
  maxHtmlChars: 1 << 20,
  maxDocuments: 20,
  maxLines: 500_000,
  maxMultiparts: 256,
};

const w = (code: string, message: string): Warning => ({ code, message });
const W = {
  html: () => w('email_lead_in_html', 'The lead was found in the HTML part of the email.'),
  escaped: () => w('email_html_escaped', 'The lead XML was HTML-escaped inside the email; it was unescaped.'),
  attachment: () => w('email_lead_in_attachment', 'The lead was found in an attachment of the email.'),
  xmlPart: () => w('email_lead_in_xml_part', 'The lead was found in an XML part of the email.'),
  forwarded: () => w('email_lead_forwarded', 'The lead was found in a forwarded message.'),
  quoted: () => w('email_quote_prefix_removed', 'Quote markers (">") in front of the lead XML were removed.'),
  qp: () => w('email_quoted_printable_repaired', 'The lead XML was still quoted-printable encoded; it was decoded.'),
  duplicate: () => w('email_duplicate_document', 'The same lead document appeared more than once in the email; it was read once.'),
  partsCapped: (n: number) => w('email_parts_capped', `Only the first ${n} attachments of the email were examined.`),
  attachmentSkipped: () => w('email_attachment_skipped', 'An attachment too large to hold a lead was not examined.'),
  tooDeep: (n: number) => w('email_nesting_too_deep', `Forwarded messages nested deeper than ${n} levels were not examined.`),
  forwardUnreadable: () => w('email_forward_unreadable', 'An attached forwarded message could not be parsed and was skipped.'),
  notMime: () => w('email_not_mime', 'The input had no email headers; its bytes were read as the body.'),
  documentsCapped: (n: number) => w('email_documents_capped', `Only the first ${n} lead documents of the email were read.`),
};

// ---------------------------------------------------------------------------
// Finding and cutting ADF/STAR documents in text
// ---------------------------------------------------------------------------

const ROOT = /<\?adf\b|<(?:[\w.-]+:)?adf[\s>/]|<(?:[\w.-]+:)?ProcessSalesLead[\s>/]/gi;
const ADF_CLOSE = /<\/(?:[\w.-]+:)?adf\s*>/gi;
const STAR_CLOSE = /<\/(?:[\w.-]+:)?ProcessSalesLead\s*>/gi;
// A declaration or ADF PI right before the root, whitespace (and "> " quote markers) between.
const LEADING_PI = /<\?(?:xml|adf)\b[^<>]{0,300}\?>[\s>]*$/i;

export interface CutDocument {
  text: string;
  format: 'adf' | 'star';
  /** Offset of the document in the searched text. */
  start: number;
}

/** Move a document start back over the `<?xml …?>` declaration and `<?adf …?>` PI in front of its root, in either order. */
function extendBack(text: string, start: number): number {
  let s = start;
  for (let i = 0; i < 4; i++) {
    const before = text.slice(Math.max(0, s - 400), s);
    const m = LEADING_PI.exec(before);
    if (!m) break;
    s -= before.length - m.index;
  }
  return s;
}

/**
 * Every ADF or STAR document in a text: from the first `<?xml`/`<?adf`/`<adf`/`<ProcessSalesLead` to
 * the last matching close tag before the next document begins (the whole rest when it is never closed).
 */
export function cutDocuments(text: string, max = DEFAULTS.maxDocuments): CutDocument[] {
  const out: CutDocument[] = [];
  let pos = 0;
  while (out.length < max) {
    ROOT.lastIndex = pos;
    const root = ROOT.exec(text);
    if (!root) break;
    const star = /ProcessSalesLead/i.test(root[0]);
    const start = extendBack(text, root.index);
    const close = star ? STAR_CLOSE : ADF_CLOSE;
    close.lastIndex = root.index;
    const first = close.exec(text);
    if (!first) {
      out.push({ text: text.slice(start), format: star ? 'star' : 'adf', start });
      break;
    }
    ROOT.lastIndex = first.index + first[0].length;
    const next = ROOT.exec(text);
    const limit = next ? extendBack(text, next.index) : text.length;
    let end = first.index + first[0].length;
    close.lastIndex = end;
    for (let m = close.exec(text); m && m.index + m[0].length <= limit; m = close.exec(text)) end = m.index + m[0].length;
    out.push({ text: text.slice(start, end), format: star ? 'star' : 'adf', start });
    pos = Math.max(end, limit);
  }
  return out;
}

/** Strip `> ` quote markers when every line of the document after the first carries one (a quoted reply or forward). */
function unquote(doc: string): { text: string; changed: boolean } {
  const lines = doc.split(/\r?\n/);
  const rest = lines.slice(1).filter((l) => l.trim() !== '');
  if (rest.length === 0 || !rest.every((l) => /^\s*>/.test(l))) return { text: doc, changed: false };
  return { text: lines.map((l, i) => (i === 0 ? l : l.replace(/^(?:[ \t]*>)+ ?/, ''))).join('\n'), changed: true };
}

/** Quoted-printable left in a body that did not declare it (`source=3D"…"`, soft line breaks): decode it, UTF-8 first. */
function repairQuotedPrintable(doc: string): { text: string; changed: boolean } {
  // Without a lead root there is no document to repair.
  if (!/=3D["']/i.test(doc) || !LITERAL_ROOT.test(doc)) return { text: doc, changed: false };
  return { text: decodeQuotedPrintable(doc.replace(/=\r?\n/g, '')), changed: true };
}

const hexValue = (c: number): number => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1);

/**
 * Every run of `=XX` escapes decoded: ASCII runs (`=3D`, `=20`, nearly all of them) directly, others as UTF-8
 * (else Windows-1252), the rest of the text as it is. A scan, not a regex replace with a callback per run: a
 * 12 MB body of `=3D"` took 7 s that way (fixtures/hostile/README.md, mime-qp-flood).
 */
function decodeQuotedPrintable(s: string): string {
  // Pieces are joined in batches: a million tiny strings held at once cost a hundred megabytes.
  const out: string[] = [];
  let pieces: string[] = [];
  const push = (a: string, b: string): void => {
    pieces.push(a, b);
    if (pieces.length >= 4096) {
      out.push(pieces.join(''));
      pieces = [];
    }
  };
  let pos = 0;
  for (let i = s.indexOf('='); i !== -1; i = s.indexOf('=', i)) {
    const bytes: number[] = [];
    let j = i;
    for (;;) {
      if (s.charCodeAt(j) !== 0x3d) break;
      const hi = hexValue(s.charCodeAt(j + 1));
      const lo = hexValue(s.charCodeAt(j + 2));
      if (hi < 0 || lo < 0) break;
      bytes.push(hi * 16 + lo);
      j += 3;
    }
    if (bytes.length === 0) {
      i++;
      continue;
    }
    const ascii = bytes.every((b) => b < 0x80);
    push(s.slice(pos, i), ascii && bytes.length <= 1024 ? String.fromCharCode(...bytes) : decodeText(Buffer.from(bytes), { charset: 'utf-8' }).text);
    pos = i = j;
  }
  out.push(pieces.join(''), s.slice(pos));
  return out.join('');
}

/** The part of a text body or attachment searched for documents: its first maxTextChars characters. */
const searchable = (text: string, lim: Required<EmailLimits>): string => (text.length > lim.maxTextChars ? text.slice(0, lim.maxTextChars) : text);

/** Documents in one text, QP-repaired (before cutting: a soft break can split a close tag) and unquoted, each with the warnings its repairs earned. */
function documentsIn(text: string, max: number, repaired?: (text: string) => void): Array<CutDocument & { warnings: Warning[] }> {
  const qp = repairQuotedPrintable(text);
  repaired?.(qp.text);
  return cutDocuments(qp.text, max).map((d) => {
    const warnings: Warning[] = qp.changed ? [W.qp()] : [];
    const q = unquote(d.text);
    if (q.changed) warnings.push(W.quoted());
    return { ...d, text: q.text, warnings };
  });
}

// ---------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------

/** Remove everything from each `open` to the next `close` (HTML comments), without a backtracking regex. */
function removeBetween(s: string, open: string, close: string): string {
  let out = '';
  let pos = 0;
  for (;;) {
    const a = s.indexOf(open, pos);
    if (a < 0) break;
    const b = s.indexOf(close, a + open.length);
    out += s.slice(pos, a);
    if (b < 0) return out;
    pos = b + close.length;
  }
  return out + s.slice(pos);
}

/** Remove `<tag …>…</tag>` blocks (style, script, head) without backtracking regexes. */
function removeBlocks(html: string, tag: string): string {
  const lower = html.toLowerCase();
  let out = '';
  let pos = 0;
  for (;;) {
    const open = lower.indexOf(`<${tag}`, pos);
    if (open < 0) break;
    const after = lower.charCodeAt(open + tag.length + 1);
    if (!(after === 0x3e || after === 0x20 || after === 0x2f || after === 0x09 || after === 0x0a || after === 0x0d)) {
      out += html.slice(pos, open + 1);
      pos = open + 1;
      continue;
    }
    const close = lower.indexOf(`</${tag}`, open);
    out += html.slice(pos, open);
    if (close < 0) return out;
    const end = lower.indexOf('>', close);
    pos = end < 0 ? html.length : end + 1;
  }
  return out + html.slice(pos);
}

const BLOCK_TAGS = /<\/?(?:p|div|tr|li|ul|ol|h[1-6]|table|tbody|thead|blockquote|pre|section|article|header|footer|center|dt|dd|dl)\b[^<>]*>/gi;

/** Split HTML into alternating [flowing, <pre>…</pre>, flowing, …] segments, without a backtracking regex. */
function preSegments(html: string): string[] {
  const lower = html.toLowerCase();
  const out: string[] = [];
  let pos = 0;
  for (;;) {
    const open = lower.indexOf('<pre', pos);
    const close = open < 0 ? -1 : lower.indexOf('</pre', open);
    const end = close < 0 ? -1 : lower.indexOf('>', close);
    if (open < 0 || end < 0) break;
    out.push(html.slice(pos, open), html.slice(open, end + 1));
    pos = end + 1;
  }
  out.push(html.slice(pos));
  return out;
}

const tidyLines = (s: string): string => decodeEntities(s).replace(/\u00a0/g, ' ');

/** HTML → text: HTML whitespace rules (except inside <pre>), block tags and <br> as line breaks, tags dropped, entities decoded once. */
export function htmlToText(html: string): string {
  const s = removeBetween(removeBlocks(removeBlocks(removeBlocks(removeBlocks(html, 'head'), 'style'), 'script'), 'title'), '<!--', '-->');
  const text = preSegments(s)
    .map((part, i) => {
      if (i % 2 === 1) return `\n${tidyLines(part.replace(/<br\s*\/?>/gi, '\n').replace(/<[^<>]*>/g, ''))}\n`;
      const flowing = part
        .replace(/\s+/g, ' ')
        .replace(/<br\s*\/?>/gi, '\n')
        .replace(BLOCK_TAGS, '\n')
        .replace(/<\/t[dh]\s*>/gi, ' ')
        .replace(/<[^<>]*>/g, '');
      return tidyLines(flowing)
        .split('\n')
        .map((l) => l.trim())
        .join('\n');
    })
    .join('');
  return text.replace(/\n{3,}/g, '\n\n').trim();
}

/** HTML tag names that can wrap lines of a lead pasted raw (unescaped) into an HTML body; none is an ADF or STAR element. */
const HTML_TAG = /<\/?(?:a|abbr|b|big|blockquote|body|br|center|code|div|em|font|h[1-6]|hr|html|i|img|li|meta|o:p|ol|p|pre|s|small|span|strike|strong|sub|sup|table|tbody|td|th|thead|tr|tt|u|ul|wbr)\b[^<>]*>/gi;
const ESCAPED_ROOT = /&(?:lt|#0*60|#x0*3c);\s*(?:\?xml\b|\?adf\b|(?:[\w.-]+:)?adf\b|(?:[\w.-]+:)?ProcessSalesLead\b)/i;
const LITERAL_ROOT = /<\?adf\b|<(?:[\w.-]+:)?adf[\s>/]|<(?:[\w.-]+:)?ProcessSalesLead[\s>/]/i;

/** Documents in an HTML body: pasted raw (tags around it stripped) or HTML-escaped (`&lt;adf&gt;`, unescaped once). */
function documentsInHtml(html: string, max: number): Array<CutDocument & { warnings: Warning[] }> {
  if (LITERAL_ROOT.test(html)) {
    return documentsIn(html, max).map((d) => ({ ...d, text: d.text.replace(HTML_TAG, (t) => (/^<br|^<\/(?:p|div)/i.test(t) ? '\n' : '')), warnings: [W.html(), ...d.warnings] }));
  }
  if (ESCAPED_ROOT.test(html)) {
    return documentsIn(htmlToText(html), max).map((d) => ({ ...d, warnings: [W.html(), W.escaped(), ...d.warnings] }));
  }
  return [];
}

// ---------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------

const MONTHS: Record<string, string> = { jan: '01', feb: '02', mar: '03', apr: '04', may: '05', jun: '06', jul: '07', aug: '08', sep: '09', oct: '10', nov: '11', dec: '12' };
const ZONES: Record<string, string> = { UT: '+00:00', UTC: '+00:00', GMT: '+00:00', Z: '+00:00', EST: '-05:00', EDT: '-04:00', CST: '-06:00', CDT: '-05:00', MST: '-07:00', MDT: '-06:00', PST: '-08:00', PDT: '-07:00' };

/** RFC 5322 date ("Fri, 17 Oct 2025 19:54:00 -0700") → "2025-10-17T19:54:00-07:00", keeping the sender's offset. */
export function emailDateToIso(value: string | undefined): string | undefined {
  if (!value || value.length > 200) return undefined;
  const v = value.replace(/\([^)]*\)/g, ' ').replace(/\s+/g, ' ').trim();
  const m = /^(?:[A-Za-z]{3,9},?\s*)?(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*([+-]\d{4}|[A-Za-z]{1,5})?$/.exec(v);
  if (m) {
    const month = MONTHS[m[2]!.toLowerCase()];
    let year = Number(m[3]);
    if (m[3]!.length === 2) year += year < 50 ? 2000 : 1900;
    const zone = m[7] ? (/^[+-]\d{4}$/.test(m[7]) ? `${m[7].slice(0, 3)}:${m[7].slice(3)}` : ZONES[m[7].toUpperCase()]) : undefined;
    if (month && zone !== undefined) {
      const iso = `${String(year).padStart(4, '0')}-${month}-${m[1]!.padStart(2, '0')}T${m[4]!.padStart(2, '0')}:${m[5]}:${m[6] ?? '00'}${zone === '+00:00' ? 'Z' : zone}`;
      if (!Number.isNaN(Date.parse(iso))) return iso;
    }
  }
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

function rawHeader(mail: ParsedMail, key: string): string | undefined {
  const line = mail.headerLines?.find((h) => h.key === key)?.line;
  if (!line) return undefined;
  return line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  const out: string[] = [];
  const walk = (list: EmailAddress[]): void => {
    for (const a of list) {
      if (a.address) out.push(a.address.toLowerCase());
      if (a.group) walk(a.group);
    }
  };
  for (const obj of value === undefined ? [] : Array.isArray(value) ? value : [value]) walk(obj.value);
  return out;
}

// ---------------------------------------------------------------------------
// Attachments
// ---------------------------------------------------------------------------

const XML_TYPE = /^(?:application|text)\/(?:[\w.+-]+\+)?xml$|^application\/(?:x-)?adf(?:\+xml)?$/;

type AttachmentKind = 'xml' | 'text' | 'message' | 'skip';

function attachmentKind(a: Attachment): AttachmentKind {
  // mailparser gives `false` for an empty Content-Type header (fixtures/hostile/mime-empty-content-type.eml, found by fuzzing).
  const type = typeof a.contentType === 'string' ? a.contentType.toLowerCase() : '';
  const name = typeof a.filename === 'string' ? a.filename.toLowerCase() : '';
  if (type === 'message/rfc822' || name.endsWith('.eml')) return 'message';
  if (XML_TYPE.test(type) || /\.(?:xml|adf)$/.test(name)) return 'xml';
  if (type === 'text/plain' || name.endsWith('.txt')) return 'text';
  if (type === 'application/octet-stream' && !name) {
    // Unnamed binary: only worth reading when it starts like XML.
    const head = a.content.subarray(0, 512).toString('latin1').replace(/^\ufeff|^\xef\xbb\xbf/, '').trimStart();
    if (head.startsWith('<')) return 'xml';
  }
  return 'skip';
}

function charsetOf(a: Attachment): string | undefined {
  const ct = a.headers.get('content-type') as StructuredHeader | undefined;
  return ct && typeof ct === 'object' && 'params' in ct ? ct.params.charset : undefined;
}

// ---------------------------------------------------------------------------
// The reader
// ---------------------------------------------------------------------------

/** A document's identity for "read once": the markup from its root on, whitespace and PIs ignored. */
function documentKey(text: string): string {
  return text.replace(/<\?[^<>]{0,400}\?>/g, '').replace(/\s+/g, '');
}

/**
 * Parse an email and find every ADF/STAR document in it: the text/plain body (also after an inline
 * forward, with `>` quote markers), else the HTML body (raw or HTML-escaped), then XML parts and
 * attachments, then attached forwarded messages (recursively, bounded). Duplicates are read once.
 * Throws LeadgateError mime_too_complex when the message is shaped to exhaust the parser (too many lines,
 * parts, nesting levels or header bytes), not_a_lead when the bytes cannot be parsed as a message at all.
 */
export async function readEmail(bytes: Buffer, limits: EmailLimits = {}): Promise<EmailContent> {
  const lim: Required<EmailLimits> = { ...DEFAULTS, ...limits };
  return readMessage(bytes, lim, 0);
}

function tooComplex(detail: string, cause?: unknown): LeadgateError {
  return new LeadgateError('mime_too_complex', detail, cause === undefined ? undefined : { cause });
}

/**
 * A boundary parameter (also RFC 2231's `boundary*0=`), in any case: only a multipart with one opens a nesting level
 * in mailparser's splitter (embedded messages are not descended into, see ignoreEmbedded below).
 */
const BOUNDARY_PARAM = /boundary\s*(?:\*\d*\*?\s*)?=/gi;

/**
 * Refuse, before mailparser (or the text search) sees them, messages whose shape alone makes parsing slow (fixtures/hostile/mime-*):
 * its splitter costs about a microsecond per line, and on every line that starts with "--" it compares the line
 * with the boundary of every open ancestor, so many lines times deep nesting is quadratic. Each nesting level
 * needs its own boundary parameter, so counting them (anywhere: an over-estimate) bounds the depth.
 */
function checkShape(bytes: Buffer, lim: Required<EmailLimits>): void {
  let lines = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) {
    if (++lines > lim.maxLines) throw tooComplex(`the email has more than ${lim.maxLines} lines`);
  }
  const text = bytes.toString('latin1');
  let multiparts = 0;
  BOUNDARY_PARAM.lastIndex = 0;
  while (BOUNDARY_PARAM.exec(text) !== null) {
    if (++multiparts > lim.maxMultiparts) {
      BOUNDARY_PARAM.lastIndex = 0;
      throw tooComplex(`the email declares more than ${lim.maxMultiparts} multipart boundaries`);
    }
  }
}

async function parseMime(bytes: Buffer, lim: Required<EmailLimits>): Promise<ParsedMail> {
  try {
    return await simpleParser(bytes, {
      ignoreEmbedded: true, // attached messages stay attachments: we recurse into them ourselves, bounded
      skipHtmlToText: true, // `text` is then text/plain only; HTML is searched separately
      skipTextToHtml: true,
      skipImageLinks: true,
      keepCidLinks: true,
      checksumAlgo: false,
      maxChildNodes: lim.maxMimeNodes,
      maxHeadSize: lim.maxHeaderBytes,
    });
  } catch (err) {
    const msg = err instanceof Error ? err.message : '';
    if (/child nodes/i.test(msg)) throw tooComplex(`the email has more than ${lim.maxMimeNodes} MIME parts`, err);
    if (/header size/i.test(msg)) throw tooComplex('the email has a header block larger than the limit', err);
    throw new LeadgateError('not_a_lead', 'the email could not be parsed as a MIME message', { cause: err });
  }
}

async function readMessage(bytes: Buffer, lim: Required<EmailLimits>, depth: number): Promise<EmailContent> {
  checkShape(bytes, lim);
  const warnings: Warning[] = [];
  const head = bytes.subarray(0, 64).toString('latin1').replace(/^\xef\xbb\xbf/, '').trimStart();
  if (head.startsWith('<')) {
    // Not a message at all (an .eml that is really the XML): read the bytes as the body.
    const text = decodeText(bytes).text;
    warnings.push(W.notMime());
    const documents = documentsIn(searchable(text, lim), lim.maxDocuments).map((d) => ({ text: d.text, format: d.format, where: 'text-body' as const, warnings: d.warnings }));
    return { documents, textBody: text, texts: [{ text, where: 'text-body' }], warnings };
  }

  const mail = await parseMime(bytes, lim);
  const messageId = mail.messageId?.trim().replace(/^<|>$/g, '').trim();
  // The parsed address, never the display name (which can say anything: "dealer-leads@messages.cargurus.com" <x@evil>).
  const from = mail.from?.value.find((v) => v.address)?.address?.toLowerCase() ?? senderAddress(rawHeader(mail, 'from'));
  const to = addresses(mail.to);
  const subject = mail.subject?.trim() || undefined;
  const date = emailDateToIso(rawHeader(mail, 'date'));
  const origin = { ...(from ? { from } : {}), ...(subject ? { subject } : {}), ...(date ? { date } : {}) };

  // mailparser has decoded the transfer encoding and the MIME charset (libmime reads ISO-8859-1 labels as
  // Windows-1252, as browsers do); the strings are final, so no XML declaration may re-decode them.
  const text = (mail.text ?? '').replace(/\r\n?/g, '\n');
  const htmlRaw = typeof mail.html === 'string' ? mail.html : '';
  const html = htmlRaw.length > lim.maxHtmlChars ? htmlRaw.slice(0, lim.maxHtmlChars) : htmlRaw;

  const documents: EmailDocument[] = [];
  const seen = new Map<string, EmailDocument>();
  let duplicates = 0;
  let capped = false;
  const add = (doc: EmailDocument): void => {
    const key = documentKey(doc.text);
    if (seen.has(key)) {
      duplicates++;
      return;
    }
    if (documents.length >= lim.maxDocuments) {
      capped = true;
      return;
    }
    seen.set(key, doc);
    documents.push(doc);
  };

  // 1. The text/plain body, the usual place (possibly below an inline forward header).
  let body = text;
  const bodyDocs = documentsIn(searchable(text, lim), lim.maxDocuments, (t) => (body = t));
  const fwd = body ? findForwardHeader(body) : undefined;
  for (const d of bodyDocs) {
    if (fwd && d.start >= fwd.start) {
      const fwdFrom = senderAddress(fwd.from);
      add({
        text: d.text,
        format: d.format,
        where: 'forwarded-inline',
        ...origin,
        ...(fwdFrom ? { from: fwdFrom } : {}),
        ...(fwd.subject ? { subject: fwd.subject } : {}),
        warnings: [W.forwarded(), ...d.warnings],
      });
    } else {
      add({ text: d.text, format: d.format, where: 'text-body', ...origin, warnings: d.warnings });
    }
  }

  // 2. The HTML body, only when the text body held nothing (it is the same content rendered).
  if (bodyDocs.length === 0 && html) {
    for (const d of documentsInHtml(html, lim.maxDocuments)) add({ text: d.text, format: d.format, where: 'html-body', ...origin, warnings: d.warnings });
  }

  // 3. XML parts, attachments and attached forwarded messages.
  const texts: EmailText[] = [];
  const attachments = mail.attachments ?? [];
  if (attachments.length > lim.maxParts) warnings.push(W.partsCapped(lim.maxParts));
  for (const a of attachments.slice(0, lim.maxParts)) {
    const kind = attachmentKind(a);
    if (kind === 'skip') continue;
    if (a.content.length > lim.maxAttachmentBytes) {
      warnings.push(W.attachmentSkipped());
      continue;
    }
    if (kind === 'message') {
      if (depth + 1 > lim.maxDepth) {
        warnings.push(W.tooDeep(lim.maxDepth));
        continue;
      }
      let inner: EmailContent;
      try {
        inner = await readMessage(a.content, lim, depth + 1);
      } catch {
        warnings.push(W.forwardUnreadable());
        continue;
      }
      warnings.push(...inner.warnings);
      for (const d of inner.documents) {
        add({ ...d, where: 'forwarded-attachment', warnings: [W.forwarded(), ...d.warnings.filter((x) => x.code !== 'email_lead_forwarded')] });
      }
      for (const t of inner.texts) texts.push({ ...t, where: 'forwarded-attachment' });
      continue;
    }
    const decoded = decodeText(a.content, { charset: charsetOf(a) });
    const where: DocumentPlacement = kind === 'xml' && !a.filename && a.contentDisposition !== 'attachment' ? 'xml-part' : 'attachment';
    for (const d of documentsIn(searchable(decoded.text, lim), lim.maxDocuments)) {
      add({ text: d.text, format: d.format, where, ...origin, warnings: [where === 'xml-part' ? W.xmlPart() : W.attachment(), ...decoded.warnings, ...d.warnings] });
    }
  }

  if (duplicates > 0) warnings.push(W.duplicate());
  if (capped) warnings.push(W.documentsCapped(lim.maxDocuments));

  const ownText = text.trim() ? { text, where: 'text-body' as const } : html ? { text: htmlToText(html), where: 'html-body' as const } : undefined;
  if (ownText && ownText.text.trim()) texts.unshift({ ...ownText, ...origin });

  return {
    ...(messageId ? { messageId } : {}),
    ...(from ? { from } : {}),
    ...(to.length ? { to } : {}),
    ...(subject ? { subject } : {}),
    ...(date ? { date } : {}),
    documents,
    ...(ownText && ownText.text.trim() ? { textBody: ownText.text } : {}),
    texts,
    warnings,
  };
}

// Reads plain-text lead notifications (adf.md §10: `Label: value` lines, CarGurus UK, Cazoo, Cars.com, CARFAX, Facebook relays) into LeadDrafts.

import { LeadgateError } from '../errors.js';
import type { DraftEmail, DraftId, DraftPhone, DraftVehicle, LeadDraft, Warning } from '../lead.js';
import { applySenderProvider, isProviderAddress, providerFromSender, senderAddress, subjectHints } from './email-senders.js';
import { decodeEntities } from './xml.js';

export interface TextLeadInput {
  text: string;
  /** The email's From (or the forwarded original's), for provider inference. */
  from?: string;
  subject?: string;
  /** The email's Date as ISO 8601; becomes requestDate when the body has none. */
  date?: string;
}

export const TEXT_PARSED: Warning = { code: 'text_parsed', message: 'The lead was read from a plain-text email, not ADF.' };
export const REQUEST_DATE_FROM_EMAIL: Warning = { code: 'request_date_from_email', message: "The lead has no request date; the email's Date header was used." };
export const TEXT_UNLABELED: Warning = {
  code: 'text_unlabeled',
  message: "The customer's name, email or phone was read from unlabeled lines of the email.",
};

// ---------------------------------------------------------------------------
// Labels
// ---------------------------------------------------------------------------

type Field =
  | 'name' | 'first' | 'last' | 'email' | 'phone' | 'mobile' | 'vehicle' | 'year' | 'make' | 'model' | 'trim' | 'vin'
  | 'stock' | 'price' | 'mileage' | 'status' | 'comments' | 'postal' | 'street' | 'city' | 'region' | 'country'
  | 'timeframe' | 'leadid' | 'date' | 'dealer' | 'trade' | 'preferred' | 'source';

/** Label (lower-case, letters and digits only) → field. Prefixes like "customer", "prospect", "contact", "your" are also tried stripped. */
const LABELS: Record<string, Field> = {};
const define = (field: Field, ...keys: string[]): void => {
  for (const k of keys) LABELS[k] = field;
};
define('name', 'name', 'fullname', 'customer', 'customername', 'contactname', 'buyer', 'buyername', 'prospect', 'prospectname', 'leadname', 'client', 'clientname');
define('first', 'firstname', 'first', 'fname', 'givenname', 'forename');
define('last', 'lastname', 'last', 'lname', 'surname', 'familyname');
define('email', 'email', 'emailaddress', 'mail', 'emailid');
define('phone', 'phone', 'phonenumber', 'telephone', 'telephonenumber', 'tel', 'telno', 'contactnumber', 'dayphone', 'daytimephone', 'eveningphone', 'homephone', 'workphone', 'phone1', 'primaryphone', 'bestphone');
define('mobile', 'mobile', 'mobilenumber', 'mobilephone', 'mobileno', 'cell', 'cellphone', 'cellnumber', 'cellularphone');
define('vehicle', 'vehicle', 'vehicleofinterest', 'vehicleinterest', 'interestedin', 'car', 'listing', 'vehicledetails', 'vehicleinformation', 'vehicledescription', 'selectedvehicle', 'unit', 'yearmakemodel');
define('year', 'year', 'modelyear', 'vehicleyear');
define('make', 'make', 'vehiclemake', 'manufacturer');
define('model', 'model', 'vehiclemodel');
define('trim', 'trim', 'trimlevel', 'vehicletrim', 'derivative');
define('vin', 'vin', 'vinnumber', 'vehicleidentificationnumber');
define('stock', 'stock', 'stocknumber', 'stockno', 'stocknum', 'stockid', 'stk');
define('price', 'price', 'listingprice', 'listprice', 'askingprice', 'internetprice', 'saleprice', 'salesprice', 'vehicleprice', 'advertisedprice');
define('mileage', 'mileage', 'miles', 'odometer');
define('status', 'condition', 'vehiclecondition', 'newused', 'newcondition', 'inventorytype', 'vehicletype');
define('comments', 'comments', 'comment', 'message', 'messages', 'questions', 'question', 'notes', 'note', 'additionalcomments', 'additionalinformation', 'additionalinfo', 'inquiry', 'enquiry', 'request', 'customercomments', 'customermessage');
define('postal', 'zip', 'zipcode', 'postcode', 'postalcode');
define('street', 'address', 'streetaddress', 'street', 'address1', 'addressline1');
define('city', 'city', 'town');
define('region', 'state', 'province', 'region', 'county');
define('country', 'country');
define('timeframe', 'timeframe', 'purchasetimeframe', 'whenbuying', 'purchasetime', 'buyingtimeframe', 'whendoyouplantobuy');
define('leadid', 'leadid', 'leadnumber', 'leadno', 'referenceid', 'referencenumber', 'reference', 'ref', 'correlationid', 'inquiryid', 'enquiryid', 'requestid', 'leadreference', 'conversationid');
define('date', 'date', 'leaddate', 'submitted', 'submittedon', 'datesubmitted', 'received', 'receivedon', 'requestdate', 'created', 'datetime');
define('dealer', 'dealer', 'dealership', 'dealername', 'dealershipname', 'store', 'rooftop');
define('trade', 'tradein', 'tradeinvehicle', 'trade', 'yourtradein', 'tradevehicle', 'yourtrade');
define('preferred', 'preferredcontact', 'preferredcontactmethod', 'contactpreference', 'preferredmethodofcontact', 'contactmethod', 'bestwaytocontact');
define('source', 'source', 'leadsource');

const KEY_PREFIXES = ['prospect', 'customer', 'contact', 'lead', 'your', 'buyer', 'client'];

/** "*Phone number:*" → "phone"; "prospect_customer_contact_email" → "email"; unknown → undefined. */
export function fieldFor(label: string): Field | undefined {
  let key = label.toLowerCase().replace(/[^a-z0-9]/g, '');
  for (let i = 0; i < 4; i++) {
    const hit = LABELS[key];
    if (hit) return hit;
    const prefix = KEY_PREFIXES.find((p) => key.startsWith(p) && key.length > p.length);
    if (!prefix) break;
    key = key.slice(prefix.length);
  }
  // "CARFAX Price", "Internet Sale Price": any label ending in "price" is the vehicle's price.
  return LABELS[key] ?? (key.endsWith('price') ? 'price' : undefined);
}

/**
 * `Label: value` with markdown-ish emphasis (`*Name:* x`, `**Name**: x`, `- Name: x`), `##source##: x`, full-width colon.
 * Matched against a line with its leading whitespace removed; no two whitespace runs are adjacent, so long
 * runs of spaces cannot make it backtrack quadratically.
 */
const LABEL_LINE = /^(?:[-•·*][ \t]+)?(?:(?:\*{1,2}|_{1,2})[ \t]*)?(#*[A-Za-z][\w .\/#&'()-]{0,48}?#*)[ \t]*(?:(?:\*{1,2}|_{1,2})[ \t]*)?[:：](.*)$/;

function labelMatch(line: string): RegExpExecArray | null {
  return LABEL_LINE.exec(line.trimStart());
}

// Labels that appear run together on one `|` summary line (CarGurus UK: "| Reg: … Reg. date: … Vehicle: … Stock number: …").
const INLINE_LABELS = [
  'Reg\\. date', 'Registration date', 'Registration', 'Reg', 'Vehicle', 'Stock number', 'Stock #', 'Stock', 'Listing price', 'Price',
  'Mileage', 'VIN', 'Year', 'Make', 'Model', 'Trim', 'Colour', 'Color', 'Fuel type', 'Fuel', 'Transmission', 'Body type', 'Engine',
];
const INLINE_LABEL = new RegExp(`(?:^|\\s)(${INLINE_LABELS.join('|')})\\s*:`, 'gi');

interface Pair {
  label: string;
  field: Field;
  value: string;
}

// ---------------------------------------------------------------------------
// Cleaning helpers
// ---------------------------------------------------------------------------

/** CRLF → LF, NBSP/odd spaces → space, invisible characters out, `&nbsp;`-style leftovers decoded, `>` quote markers removed. */
export function cleanTextBody(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u200b-\u200d\u2060\ufeff]/g, '')
    .split('\n')
    .map((line) => line.replace(/^(?:[ \t]*>)+ ?/, '').replace(/[\u00a0\u202f\u2007]/g, ' ').trimEnd())
    .join('\n');
}

/** `s` without trailing characters from `chars` (a loop: a `[…]+$` regex backtracks quadratically on long runs). */
function trimTrailing(s: string, chars: string): string {
  let end = s.length;
  while (end > 0 && chars.includes(s[end - 1]!)) end--;
  return s.slice(0, end);
}

/** Value clean-up: entities left by HTML relays, whitespace runs, leading separators ("- x", ": x"), trailing "..." truncation marks. */
function cleanValue(value: string): string {
  let v = decodeEntities(value).replace(/[\s\u00a0\u202f]+/g, ' ');
  v = trimTrailing(v.replace(/^[\s:\-–—|,;*_]+/, ''), ' |,;*_');
  if (v.endsWith('...')) v = v.slice(0, -3);
  else if (v.endsWith('…')) v = v.slice(0, -1);
  return v.trim();
}

const EMAIL = /[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;

function emailIn(value: string): string | undefined {
  if (value.length > 500) return undefined;
  return EMAIL.exec(value.replace(/^mailto:/i, ''))?.[0];
}

/** A phone value as written, minus "tel:" markers and the empty "( tel: )" Cazoo sends; undefined without 7+ digits. */
function phoneIn(value: string): string | undefined {
  const v = value.replace(/\btel:\s*/gi, '').replace(/^\(\s*(.*?)\s*\)$/, '$1').trim();
  const digits = v.replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15) return undefined;
  return v;
}

const LOOKS_LIKE_DATE = /^\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d|$)|^\d{1,2}\/\d{1,2}\/\d{2,4}\b/;

// ---------------------------------------------------------------------------
// Vehicles from free text ("2001 Porsche Boxster 3.2 S 2dr Tiptronic S")
// ---------------------------------------------------------------------------

const MULTI_WORD_MAKES = ['Land Rover', 'Mercedes-Benz', 'Mercedes Benz', 'Alfa Romeo', 'Aston Martin', 'Rolls-Royce', 'Rolls Royce', 'Harley-Davidson', 'Harley Davidson'];
const MAKES = new Set(
  [
    'acura', 'alfa', 'audi', 'bmw', 'buick', 'cadillac', 'chevrolet', 'chevy', 'chrysler', 'citroen', 'cupra', 'dacia', 'dodge', 'ds', 'ferrari', 'fiat',
    'ford', 'genesis', 'gmc', 'honda', 'hyundai', 'infiniti', 'jaguar', 'jeep', 'kia', 'lamborghini', 'lexus', 'lincoln', 'lotus', 'lucid',
    'maserati', 'mazda', 'mclaren', 'mercedes', 'mini', 'mitsubishi', 'nissan', 'peugeot', 'polestar', 'pontiac', 'porsche', 'ram', 'renault',
    'rivian', 'saab', 'scion', 'seat', 'skoda', 'smart', 'subaru', 'suzuki', 'tesla', 'toyota', 'vauxhall', 'volkswagen', 'vw', 'volvo',
  ],
);
const MULTI_WORD_MODELS = ['Grand Cherokee', 'Grand Caravan', 'Grand Wagoneer', 'Santa Fe', 'Santa Cruz', 'Range Rover', 'Model 3', 'Model S', 'Model X', 'Model Y', 'Town & Country', 'Crown Victoria', 'Monte Carlo', 'Grand Marquis', 'Grand Prix', 'Land Cruiser', 'Rav 4'];

/** Year/make/model/trim/status/VIN out of a one-line vehicle description; undefined when it does not look like one. */
export function parseVehicleText(description: string): DraftVehicle | undefined {
  let s = cleanValue(description).replace(/\s+/g, ' ');
  if (!s) return undefined;
  const v: DraftVehicle = { ids: [] };
  const vin = /\b[A-HJ-NPR-Z0-9]{17}\b/i.exec(s);
  if (vin && /\d/.test(vin[0]) && /[a-z]/i.test(vin[0])) {
    v.vin = vin[0].toUpperCase();
    s = s.replace(vin[0], ' ').replace(/\(\s*(?:VIN:?)?\s*\)|\bVIN:?\s*(?=$|[-,)])/gi, ' ').replace(/\s+/g, ' ').trim();
  }
  const status = /^(new|used|pre-?owned|certified(?: pre-?owned)?|cpo)\b\s*/i.exec(s);
  if (status) {
    const word = status[1]!.toLowerCase();
    v.status = word.startsWith('new') ? 'new' : word.startsWith('cert') || word === 'cpo' ? 'certified' : 'used';
    s = s.slice(status[0].length);
  }
  const year = /^((?:19|20)\d{2})\b\s*/.exec(s);
  if (year) {
    v.year = year[1]!;
    s = s.slice(year[0].length);
  }
  s = s.replace(/\s*[-–|,]\s*$/, '').trim();
  const multi = MULTI_WORD_MAKES.find((m) => s.toLowerCase().startsWith(m.toLowerCase()) && /^(?:\s|$)/.test(s.slice(m.length)));
  const firstWord = /^\S+/.exec(s)?.[0] ?? '';
  if (!multi && !year && !MAKES.has(firstWord.toLowerCase())) return v.vin || v.year ? v : undefined;
  const make = multi ? s.slice(0, multi.length) : firstWord;
  if (make) v.make = make;
  let rest = s.slice(make.length).trim();
  if (rest) {
    const twoWord = MULTI_WORD_MODELS.find((m) => rest.toLowerCase().startsWith(m.toLowerCase()) && /^(?:\s|$)/.test(rest.slice(m.length)));
    const model = twoWord ? rest.slice(0, twoWord.length) : /^\S+/.exec(rest)![0];
    v.model = model;
    rest = rest.slice(model.length).trim();
    if (rest) v.trim = rest;
  }
  return v.year || v.make || v.model || v.vin ? v : undefined;
}

// ---------------------------------------------------------------------------
// Forwarded-message header blocks ("---------- Forwarded message ---------")
// ---------------------------------------------------------------------------

export interface ForwardedHeader {
  from?: string;
  subject?: string;
  /** As written ("Fri, Oct 17, 2025 at 7:54 PM"); often without a zone, so not used as a date. */
  date?: string;
  /** Offsets of the header block in the text (marker line to the blank line after it). */
  start: number;
  end: number;
}

const FORWARD_MARKER = /^(?:[ \t]*>)*[ \t]*(?:-{2,}[ \t]*(?:Forwarded message|Forwarded Message|Original Message)[ \t]*-{2,}|Begin forwarded message:|_{10,})[ \t]*$/m;

/**
 * The first forwarded-message header block (Gmail, Outlook, Apple Mail, Thunderbird): the marker
 * line followed by From/Sent/Date/To/Cc/Subject lines. Undefined when there is none.
 */
export function findForwardHeader(text: string): ForwardedHeader | undefined {
  const m = FORWARD_MARKER.exec(text);
  if (!m) return undefined;
  const start = m.index;
  let pos = start + m[0].length;
  const header: ForwardedHeader = { start, end: pos };
  let seen = 0;
  const lines = text.slice(pos).split('\n');
  let offset = pos;
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/^(?:[ \t]*>)+ ?/, '').replace(/^\*|\*(?=:)/g, '').trim();
    offset += raw.length + 1;
    if (line === '') {
      if (seen > 0 || i > 2) break;
      continue;
    }
    const h = /^(From|Sent|Date|To|Cc|Subject|Reply-To)\s*:\s*(.*)$/i.exec(line);
    if (!h) break;
    seen++;
    const key = h[1]!.toLowerCase();
    const value = h[2]!.trim();
    if (key === 'from') header.from = value;
    else if (key === 'subject') header.subject = value;
    else if (key === 'date' || key === 'sent') header.date = value;
    header.end = Math.min(offset, text.length);
  }
  return seen > 0 ? header : undefined;
}

// ---------------------------------------------------------------------------
// The reader
// ---------------------------------------------------------------------------

interface Context {
  from?: string;
  subject?: string;
  date?: string;
  sender?: string;
}

/**
 * Parse a plain-text lead email into drafts (format "text"), each with warning `text_parsed`.
 * Several `### … ###` lead blocks in one email (a CarGurus UK digest) give several drafts.
 * Throws LeadgateError not_a_lead when no block names a customer (no name, email or phone):
 * a notification without contact details, or phishing imitating one, is not a lead.
 */
export function parseTextLead(input: TextLeadInput): LeadDraft[] {
  const truncated = input.text.length > MAX_TEXT_CHARS;
  let text = cleanTextBody(truncated ? cutAtLine(input.text, MAX_TEXT_CHARS) : input.text);
  const fwd = findForwardHeader(text);
  const ctx: Context = { ...(input.from ? { from: input.from } : {}), ...(input.subject ? { subject: input.subject } : {}), ...(input.date ? { date: input.date } : {}) };
  if (fwd) {
    // The forwarded original's sender and subject say more about the lead than the dealer who forwarded it.
    if (fwd.from && (!input.from || !providerFromSender(input.from, input.subject))) ctx.from = fwd.from;
    if (fwd.subject && (!input.subject || !providerFromSender(input.from, input.subject))) ctx.subject = fwd.subject;
    // Only the forwarded original is read: the note above it is the dealer's (with the dealer's own signature).
    text = text.slice(fwd.end);
  }
  const sender = senderAddress(ctx.from);
  if (sender) ctx.sender = sender;

  const drafts: LeadDraft[] = [];
  for (const block of splitBlocks(text)) {
    const draft = readBlock(block, ctx);
    if (draft) drafts.push({ ...draft, index: drafts.length });
  }
  if (drafts.length === 0) throw new LeadgateError('not_a_lead', 'the email holds no ADF or STAR document and no customer name, email or phone');
  if (truncated) for (const d of drafts) d.warnings.push({ ...TEXT_TRUNCATED });
  return drafts;
}

/**
 * A lead notification is a few kilobytes with the customer at the top; a multi-megabyte body (fixtures/hostile/
 * text-many-lines) would cost seconds of line-by-line reading, so only this much of it is read.
 */
export const MAX_TEXT_CHARS = 64 * 1024;
const TEXT_TRUNCATED: Warning = { code: 'text_truncated', message: `The email text was longer than ${MAX_TEXT_CHARS / 1024} KiB; only its beginning was read.` };

/** The first `max` characters, ending at the last line break inside them when there is one. */
function cutAtLine(s: string, max: number): string {
  const end = s.lastIndexOf('\n', max);
  return s.slice(0, end > 0 ? end : max);
}

/** Blocks that each start with a `### … ###` lead heading; one block when there are fewer than two such headings. */
function splitBlocks(text: string): string[] {
  const lines = text.split('\n');
  const heads = lines.flatMap((l, i) => (l.length <= 300 && /^\s*#{2,}\s.*\blead\b.*#{2,}\s*$/i.test(l) ? [i] : []));
  if (heads.length < 2) return [text];
  const blocks: string[] = [];
  for (const [k, h] of heads.entries()) blocks.push(lines.slice(k === 0 ? 0 : h, heads[k + 1] ?? lines.length).join('\n'));
  return blocks;
}

function indentOf(line: string): number {
  return /^[ \t]*/.exec(line)![0].replace(/\t/g, '    ').length;
}

/** Every labelled value of a block, in order; multi-line values for comments and for Cazoo's indented layout. */
function collectPairs(lines: string[]): { pairs: Pair[]; used: Set<number>; headings: string[] } {
  const pairs: Pair[] = [];
  const used = new Set<number>();
  const headings: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (trimmed === '') continue;

    const heading = /^#{2,}\s*(.*?)\s*#{2,}$|^#{1,6}\s+(.*)$/.exec(trimmed);
    if (heading) {
      headings.push((heading[1] ?? heading[2] ?? '').trim());
      used.add(i);
      continue;
    }

    if (trimmed.startsWith('|')) {
      used.add(i);
      for (const cell of trimmed.split('|')) {
        const inline = inlinePairs(cell);
        const m = inline.length ? undefined : labelMatch(cell);
        const field = m ? fieldFor(m[1]!) : undefined;
        const value = m ? cleanValue(m[2]!) : '';
        if (m && field && value) pairs.push({ label: m[1]!.trim(), field, value });
        else pairs.push(...inline);
      }
      continue;
    }

    const m = labelMatch(line);
    const label = m ? m[1]!.replace(/^#+|#+$/g, '').trim() : trimmed;
    const field = fieldFor(label);
    if (!field) continue;
    const baseIndent = indentOf(line);
    const taken: string[] = [];
    let j = i + 1;
    let value = m ? m[2]! : '';
    if (cleanValue(value) === '') {
      // The value sits below the label: on more-indented lines (Cazoo, blank lines allowed in between),
      // or, for a `Label:` line, on the very next line when that is not a label itself.
      let k = j;
      while (k < lines.length && lines[k]!.trim() === '') k++;
      if (k < lines.length && indentOf(lines[k]!) > baseIndent) {
        while (k < lines.length && lines[k]!.trim() !== '' && indentOf(lines[k]!) > baseIndent) taken.push(lines[k++]!.trim());
        j = k;
      } else if (m && k === j && k < lines.length && lines[k]!.trim() !== '' && !isLabelLine(lines[k]!) && !/^[|#]/.test(lines[k]!.trim())) {
        taken.push(lines[k++]!.trim());
        j = k;
      }
      if (!m && taken.length === 0) continue; // a bare word that happens to be a label, with nothing under it
      value = taken.join(field === 'comments' ? '\n' : ' ');
    }
    if (field === 'comments') {
      // Comments run on until a blank line or the next label.
      while (j < lines.length && lines[j]!.trim() !== '' && !isLabelLine(lines[j]!) && !/^[|#]/.test(lines[j]!.trim())) taken.push(lines[j++]!.trim());
      if (taken.length && m && cleanValue(m[2]!) !== '') value = [value, ...taken].join('\n');
      else if (taken.length) value = taken.join('\n');
    }
    for (let k = i; k < j; k++) used.add(k);
    i = j - 1;
    const cleaned = field === 'comments' ? value.split('\n').map(cleanValue).filter(Boolean).join('\n') : cleanValue(value);
    if (cleaned) pairs.push({ label, field, value: cleaned });
  }
  return { pairs, used, headings };
}

function isLabelLine(line: string): boolean {
  const m = labelMatch(line);
  return Boolean(m && fieldFor(m[1]!));
}

/** "Reg: XX02XXX Reg. date: 01 Jul 2002 Vehicle: 2001 Porsche … Stock number: 1924223" → pairs. */
function inlinePairs(cell: string): Pair[] {
  const marks = [...cell.matchAll(INLINE_LABEL)];
  const out: Pair[] = [];
  for (const [k, mark] of marks.entries()) {
    const label = mark[1]!;
    const start = mark.index! + mark[0].length;
    const end = marks[k + 1]?.index ?? cell.length;
    const field = fieldFor(label);
    const value = cleanValue(cell.slice(start, end));
    if (field && value) out.push({ label, field, value });
  }
  return out;
}

const NAME_STOPWORDS = /\b(?:he|she|they|someone|somebody|this|that|it|who|shopper|user|buyer|lead|leads|new|customer|information|info|contact|details|dear|hello|hi|from|vehicle|click|view|reply|team|dealer|inquiry|enquiry|message|sales|thank|thanks|regards|unsubscribe|notification|cars\.com|cargurus|carfax|truecar|autotrader)\b/i;

/** A labelled name value that could be a person's name: letters, at most five words, no link, address or digits. */
function plausibleName(value: string): boolean {
  return value.length <= 60 && /\p{L}/u.test(value) && !/[@\d<>]|https?:|www\./i.test(value) && value.split(/\s+/).length <= 5;
}

/** "Firstname Lastname" on a line of its own: 2–4 words of letters, nothing else. */
function looksLikeName(line: string): boolean {
  const s = line.trim();
  if (s.length < 3 || s.length > 60 || NAME_STOPWORDS.test(s)) return false;
  return /^\p{L}[\p{L}'’.-]*(?:\s+\p{L}[\p{L}'’.-]*){1,3}$/u.test(s);
}

function readBlock(block: string, ctx: Context): LeadDraft | undefined {
  const lines = block.split('\n');
  const { pairs, used, headings } = collectPairs(lines);
  const warnings: Warning[] = [{ ...TEXT_PARSED }];
  const names: LeadDraft['customer']['names'] = [];
  const emails: DraftEmail[] = [];
  const phones: DraftPhone[] = [];
  const ids: DraftId[] = [];
  const extras: Record<string, string> = {};
  const comments: string[] = [];
  const address: { lines: string[]; city?: string; region?: string; postalCode?: string; country?: string } = { lines: [] };
  let vehicleText: string | undefined;
  let tradeText: string | undefined;
  const vehicleParts: Partial<Record<'year' | 'make' | 'model' | 'trim' | 'vin' | 'stock' | 'price' | 'mileage' | 'status', string>> = {};
  let requestDate: string | undefined;
  let dealer: string | undefined;
  let timeframe: string | undefined;
  let preferred: string | undefined;
  const provider = providerFromSender(ctx.from, ctx.subject);
  const own = (address: string): boolean => address.toLowerCase() === ctx.sender || isProviderAddress(address);

  for (const { label, field, value } of pairs) {
    switch (field) {
      case 'name':
        if (plausibleName(value) && !NAME_STOPWORDS.test(value) && !names.some((n) => n.part === 'full')) names.push({ value, part: 'full' });
        break;
      case 'first':
      case 'last':
        if (plausibleName(value) && !NAME_STOPWORDS.test(value) && !names.some((n) => n.part === field)) names.push({ value, part: field });
        break;
      case 'email': {
        const e = emailIn(value);
        if (e && !emails.some((x) => x.value.toLowerCase() === e.toLowerCase())) emails.push({ value: e });
        break;
      }
      case 'phone':
      case 'mobile': {
        const p = phoneIn(value);
        if (p && !phones.some((x) => x.value.replace(/\D/g, '') === p.replace(/\D/g, ''))) phones.push(field === 'mobile' ? { value: p, type: 'cellphone' } : { value: p });
        break;
      }
      case 'vehicle':
        vehicleText ??= value;
        break;
      case 'trade':
        tradeText ??= value;
        break;
      case 'year':
      case 'make':
      case 'model':
      case 'trim':
      case 'vin':
      case 'stock':
      case 'price':
      case 'mileage':
      case 'status':
        vehicleParts[field] ??= value;
        break;
      case 'comments':
        if (!comments.includes(value)) comments.push(value);
        break;
      case 'postal':
        address.postalCode ??= value;
        break;
      case 'street':
        if (address.lines.length === 0) address.lines.push(value);
        break;
      case 'city':
        address.city ??= value;
        break;
      case 'region':
        address.region ??= value;
        break;
      case 'country':
        address.country ??= value;
        break;
      case 'timeframe':
        timeframe ??= value;
        break;
      case 'leadid':
        if (/\d/.test(value) && value.length >= 4 && value.length <= 100) {
          ids.push({ value, source: provider ? `${provider.name} ${label}` : label });
        }
        break;
      case 'date':
        if (LOOKS_LIKE_DATE.test(value)) requestDate ??= value;
        break;
      case 'dealer':
        dealer ??= value;
        break;
      case 'preferred':
        preferred ??= value;
        extras.preferredcontact ??= value;
        break;
      case 'source':
        extras.source ??= value;
        break;
    }
  }

  // CARFAX: "NEW CUSTOMER LEAD FOR <dealer>" … "<First> <Last> is interested in <vehicle>" (short lines only).
  const short = lines.map((l) => l.trim()).filter((l) => l.length > 0 && l.length <= 500);
  const carfaxDealer = short.map((l) => /^NEW CUSTOMER LEAD FOR\s+(.+)$/.exec(l)).find(Boolean);
  if (carfaxDealer) dealer ??= cleanValue(carfaxDealer[1]!);
  let unlabeled = false;
  const interested = short.map((l) => /^(\p{L}[\p{L}'’.-]*(?:[ \t]+\p{L}[\p{L}'’.-]*){1,3})[ \t]+(?:is|was)[ \t]+interested[ \t]+in[ \t]+(?:(?:the|a|an|your)[ \t]+)?(.+)$/u.exec(l)).find(Boolean);
  if (interested && !NAME_STOPWORDS.test(interested[1]!)) {
    if (names.length === 0) {
      names.push({ value: interested[1]!, part: 'full' });
      unlabeled = true;
    }
    vehicleText ??= interested[2]!.replace(/\s+(?:that\s+)?(?:you\s+have\s+)?(?:listed|advertised)\b.*$/i, '').replace(/\s+(?:on|at)\s+CARFAX\b.*$/i, '').replace(/[.!]+$/, '');
  }

  // Cars.com-style notifications: a bare name line, then the email, then the phone, no labels.
  // Unlabeled lines worth a look: short ones (a name, an address, a number), never a paragraph.
  const free = lines.map((l, i) => ({ l: l.trim(), i })).filter((x) => x.l !== '' && x.l.length <= 320 && !used.has(x.i));
  if (emails.length === 0) {
    const hit = free.find((x) => {
      const e = /^<?(?:mailto:)?([^\s<>]+@[^\s<>]+)>?$/i.exec(x.l)?.[1];
      return e !== undefined && EMAIL.test(e) && !own(e);
    });
    if (hit) {
      emails.push({ value: emailIn(hit.l)! });
      used.add(hit.i);
      unlabeled = true;
    }
  }
  if (phones.length === 0) {
    const hit = free.find((x) => /^(?:tel:\s*)?\+?[\d(][\d\s().-]{6,}\d$/.test(x.l) && !LOOKS_LIKE_DATE.test(x.l) && /[\s().-]/.test(x.l) && phoneIn(x.l) !== undefined);
    if (hit) {
      phones.push({ value: phoneIn(hit.l)! });
      used.add(hit.i);
      unlabeled = true;
    }
  }
  if (names.length === 0 && unlabeled) {
    // The name line sits right above the first contact line.
    const firstContact = Math.min(...free.filter((x) => used.has(x.i)).map((x) => x.i));
    const above = [...free].reverse().find((x) => x.i < firstContact && !used.has(x.i));
    if (above && looksLikeName(above.l)) names.push({ value: above.l, part: 'full' });
  }
  if (names.length === 0 && emails.length === 0 && phones.length === 0) return undefined;
  if (comments.length === 0 && unlabeled) {
    // Unlabeled layouts quote the customer's message: “Is this vehicle still available?”
    const quoted = lines
      .map((l, i) => ({ l: l.trim(), i }))
      .filter((x) => !used.has(x.i) && x.l.length <= 4000 && /^["“].{3,}["”]$/.test(x.l))
      .map((x) => x.l.slice(1, -1).trim());
    if (quoted.length) comments.push(quoted.join('\n'));
  }
  if (unlabeled) warnings.push({ ...TEXT_UNLABELED });

  // "I prefer to be contacted by: Email" inside the comments (CarGurus UK).
  preferred ??= /\bprefer(?:s|red)? to be contacted by:?\s*(e-?mail|phone|text|sms|call)/i.exec(comments.join(' '))?.[1];
  if (preferred) {
    if (/mail/i.test(preferred) && emails[0]) emails[0].preferred = true;
    else if (/phone|call|text|sms|mobile/i.test(preferred) && phones[0]) phones[0].preferred = true;
  }

  // Vehicle: explicit fields win over what the description, the heading or the subject say.
  const hints = subjectHints(ctx.subject);
  const headingVehicle = headings.map((h) => /\blead for (?:your |the |a )?(.+)$/i.exec(h)?.[1]).find(Boolean);
  const described = [vehicleText, headingVehicle, hints.vehicle].map((t) => (t ? parseVehicleText(t) : undefined)).find(Boolean);
  const vehicles: DraftVehicle[] = [];
  const vehicle: DraftVehicle = { ...(described ?? { ids: [] }), interest: 'buy' };
  for (const key of ['year', 'make', 'model', 'trim', 'vin', 'stock'] as const) {
    const v = vehicleParts[key];
    if (v) vehicle[key] = key === 'vin' ? v.toUpperCase() : v;
  }
  if (vehicleParts.status) {
    const st = parseVehicleText(`${vehicleParts.status} x`)?.status;
    if (st) vehicle.status = st;
  }
  if (!vehicle.status && hints.status) vehicle.status = hints.status === 'certified' ? 'certified' : hints.status;
  if (vehicleParts.price) vehicle.price = { value: vehicleParts.price };
  if (vehicleParts.mileage) vehicle.odometer = { value: vehicleParts.mileage.replace(/\s*(?:miles?|mi\.?)$/i, '').trim(), units: /km|kilomet/i.test(vehicleParts.mileage) ? 'km' : 'mi' };
  if (vehicle.year || vehicle.make || vehicle.model || vehicle.vin || vehicle.stock) vehicles.push(vehicle);
  else if (vehicleText) comments.push(`Vehicle: ${vehicleText}`);
  if (tradeText) {
    const trade = parseVehicleText(tradeText);
    if (trade) vehicles.push({ ...trade, interest: 'trade-in' });
    else comments.push(`Trade-in: ${tradeText}`);
  }

  const draft: LeadDraft = {
    format: 'text',
    index: 0,
    ids,
    customer: {
      names,
      emails,
      phones,
      ids: [],
      ...(address.lines.length || address.city || address.region || address.postalCode || address.country ? { address } : {}),
      ...(comments.length ? { comments: comments.join('\n\n') } : {}),
      ...(timeframe ? { timeframe: { description: timeframe } } : {}),
    },
    vehicles,
    extras,
    warnings,
  };
  if (requestDate) draft.requestDate = requestDate;
  else if (ctx.date) {
    draft.requestDate = ctx.date;
    warnings.push({ ...REQUEST_DATE_FROM_EMAIL });
  }
  dealer ??= hints.dealer;
  if (dealer) draft.vendor = { ids: [], name: dealer };
  // The catalogued sender decides; a "Lead Source:" line in the body is the fallback, as sent.
  if (!applySenderProvider(draft, ctx.from, ctx.subject) && extras.source) draft.provider = { ids: [], name: extras.source };
  return draft;
}

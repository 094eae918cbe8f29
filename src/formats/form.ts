// Dealer website forms: read a posted body (urlencoded, multipart, JSON) into flat fields, apply the bot defenses, and map the fields onto a first-party LeadDraft.
import type { DealerConfig, FormConfig } from '../config.js';
import { LeadgateError } from '../errors.js';
import type { DraftAttribution, DraftPhone, DraftVehicle, Evidence, LeadDraft, LeadType, Warning } from '../lead.js';
import { parseVehicleText } from './text.js';

/** Hidden field the dealer's page fills with the time it rendered the form (epoch milliseconds; 10-digit seconds also read). */
export const FORM_TIMESTAMP_FIELD = '_lg_ts';
export const DEFAULT_HONEYPOT = 'website';
export const DEFAULT_MIN_FILL_SECONDS = 2;
export const DEFAULT_FORM_PROVIDER = 'Dealer Website';

export const LEAD_TYPES: readonly LeadType[] = ['sales-new', 'sales-used', 'trade-appraisal', 'sell', 'test-drive', 'credit-app', 'chat', 'general'];

/** Posted fields in arrival order: name as sent → value (repeated names joined with ", "). */
export type FormFields = Map<string, string>;

// ---------------------------------------------------------------------------
// Field names: ours, and the names dealer forms use for them
// ---------------------------------------------------------------------------

/**
 * Every field leadgate reads from a form, with the names forms commonly give it. Names are compared
 * "canonically" (lower-case letters and digits only), so first_name, firstName, First-Name and
 * "First Name" are one name. `fields` in a form's config replaces the names of the fields it lists.
 */
const FIELD_NAMES = {
  firstName: ['firstname', 'fname', 'first', 'givenname', 'forename', 'namefirst'],
  lastName: ['lastname', 'lname', 'last', 'surname', 'familyname', 'namelast'],
  fullName: ['name', 'fullname', 'yourname', 'customername', 'contactname'],
  email: ['email', 'emailaddress', 'mail', 'youremail', 'emailid'],
  phone: ['phone', 'phonenumber', 'tel', 'telephone', 'dayphone', 'daytimephone', 'primaryphone', 'contactnumber', 'yourphone'],
  mobile: ['mobile', 'mobilephone', 'mobilenumber', 'cell', 'cellphone', 'cellnumber'],
  homePhone: ['homephone', 'eveningphone'],
  workPhone: ['workphone', 'businessphone', 'officephone'],
  contactTime: ['besttimetocall', 'besttime', 'contacttime', 'besttimetocontact'],
  preferredContact: ['preferredcontact', 'contactpreference', 'preferredcontactmethod', 'contactmethod', 'bestwaytocontact', 'contactvia'],
  address: ['address', 'address1', 'addressline1', 'street', 'streetaddress'],
  address2: ['address2', 'addressline2', 'apt', 'apartment', 'suite'],
  city: ['city', 'town'],
  region: ['state', 'province', 'region'],
  postalCode: ['zip', 'zipcode', 'postalcode', 'postcode', 'postal'],
  country: ['country'],
  vehicle: ['vehicle', 'vehiclename', 'vehicleofinterest', 'vehicleinterest', 'interestedin', 'selectedvehicle', 'yearmakemodel', 'vehicledescription'],
  year: ['year', 'modelyear', 'vehicleyear'],
  make: ['make', 'vehiclemake'],
  model: ['model', 'vehiclemodel'],
  trim: ['trim', 'vehicletrim', 'trimlevel'],
  vin: ['vin', 'vehiclevin', 'vinnumber'],
  stock: ['stock', 'stocknumber', 'stockno', 'stocknum', 'vehiclestock', 'vehiclestocknumber', 'stk'],
  condition: ['condition', 'vehiclecondition', 'newused', 'inventorytype', 'vehiclestatus'],
  price: ['price', 'vehicleprice', 'listprice', 'internetprice'],
  interest: ['interest', 'purchasetype', 'buyorlease'],
  comments: ['comments', 'comment', 'message', 'messages', 'questions', 'question', 'notes', 'note', 'additionalcomments', 'additionalinformation', 'inquiry', 'enquiry', 'yourmessage'],
  timeframe: ['timeframe', 'purchasetimeframe', 'buyingtimeframe', 'whenbuying', 'whendoyouplantobuy'],
  leadType: ['leadtype', 'formtype', 'inquirytype', 'requesttype'],
  testDrive: ['testdrive', 'testdrivedate', 'testdrivetime', 'scheduletestdrive', 'testdriverequest'],
  trade: ['trade', 'tradein', 'tradevehicle', 'tradeinvehicle', 'yourtrade'],
  tradeYear: ['tradeyear', 'tradeinyear'],
  tradeMake: ['trademake', 'tradeinmake'],
  tradeModel: ['trademodel', 'tradeinmodel'],
  tradeTrim: ['tradetrim', 'tradeintrim'],
  tradeVin: ['tradevin', 'tradeinvin'],
  tradeMileage: ['trademileage', 'tradeinmileage', 'trademiles', 'tradeinmiles', 'tradeodometer', 'tradeinodometer'],
  /** Credit-application details: they mark the lead as credit-app but are never copied into it (they stay in the archived raw input). */
  credit: [
    'ssn', 'socialsecuritynumber', 'socialsecurity', 'sin', 'dob', 'dateofbirth', 'birthdate', 'birthday', 'income', 'monthlyincome',
    'annualincome', 'grossincome', 'grossmonthlyincome', 'employer', 'employername', 'occupation', 'jobtitle', 'employmentstatus',
    'timeatjob', 'housingpayment', 'rentmortgage', 'rentormortgage', 'monthlyrent', 'residencetype', 'housingstatus', 'timeataddress',
  ],
  utmSource: ['utmsource'],
  utmMedium: ['utmmedium'],
  utmCampaign: ['utmcampaign'],
  utmTerm: ['utmterm'],
  utmContent: ['utmcontent'],
  gclid: ['gclid'],
  fbclid: ['fbclid'],
  msclkid: ['msclkid'],
} as const satisfies Record<string, readonly string[]>;

export type FormField = keyof typeof FIELD_NAMES;
export const FORM_FIELDS = Object.keys(FIELD_NAMES) as FormField[];

/** Submit buttons, CAPTCHA answers and CSRF tokens: form plumbing, neither lead data nor worth keeping as extras. */
const PLUMBING = new Set(['submit', 'send', 'action', 'grecaptcharesponse', 'hcaptcharesponse', 'cfturnstileresponse', 'token', 'csrf', 'csrftoken', 'csrfmiddlewaretoken', 'requestverificationtoken', 'nonce', 'wpnonce']);
/** Groups whose nested names must not fall back to the bare child name (trade[year] is not the vehicle's year). */
const TRADE_GROUPS = new Set(['trade', 'tradein', 'tradevehicle', 'tradeinvehicle', 'yourtrade']);
const VEHICLE_GROUPS = new Set(['vehicle', 'car', 'vehicleofinterest', 'selectedvehicle']);

const MAX_EXTRAS = 100;
const MAX_EXTRA_KEY = 64;

/** first_name, firstName, "First Name" → "firstname". */
export function canonicalName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const DEFAULT_NAMES: ReadonlyMap<string, FormField> = (() => {
  const m = new Map<string, FormField>();
  for (const field of FORM_FIELDS) {
    for (const alias of FIELD_NAMES[field]) {
      if (m.has(alias)) throw new Error(`form field name "${alias}" is listed twice`);
      m.set(alias, field);
    }
  }
  return m;
})();
const FIELD_BY_CANONICAL = new Map(FORM_FIELDS.map((f) => [canonicalName(f), f]));

/** Our field for a key of a form's `fields` config: "firstName", "first_name" or any default name of it ("zip" → postalCode). */
export function formFieldFor(key: string): FormField | undefined {
  const c = canonicalName(key);
  return FIELD_BY_CANONICAL.get(c) ?? DEFAULT_NAMES.get(c);
}

// ---------------------------------------------------------------------------
// Compiled forms: everything a request needs, computed once at startup
// ---------------------------------------------------------------------------

export interface CompiledForm {
  /** The form key; undefined for the built-in default form (leadgate parse, POST /v1/leads/form). */
  key?: string;
  dealerId?: string;
  provider: string;
  /** True when the provider came from the form's config rather than the default. */
  providerConfigured: boolean;
  leadType?: LeadType;
  /** Canonical honeypot field name (none for the default form: a server posting to /v1/leads/form is no bot). */
  honeypot?: string;
  minFillMs: number;
  thankYouUrl?: string;
  /** Allowed browser origins, normalized (lower-case scheme and host, default port dropped). */
  origins: ReadonlySet<string>;
  /** Canonical posted name → our field. */
  names: ReadonlyMap<string, FormField>;
}

export type FormIndex = ReadonlyMap<string, CompiledForm>;

/** "HTTPS://Example.com:443" → "https://example.com"; undefined when it is not an http(s) origin. */
export function normalizeOrigin(origin: string): string | undefined {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) return undefined;
  return url.origin;
}

export function compileForm(form: FormConfig, dealerId?: string): CompiledForm {
  const names = new Map(DEFAULT_NAMES);
  for (const [ours, theirs] of Object.entries(form.fields ?? {})) {
    const field = formFieldFor(ours);
    if (!field) continue; // loadConfig reports unknown fields
    // The form's own names replace the defaults of that field (a form whose "name" is not the customer's can say so).
    for (const [alias, f] of names) if (f === field) names.delete(alias);
    for (const name of Array.isArray(theirs) ? theirs : [theirs]) names.set(canonicalName(name), field);
  }
  const leadType = LEAD_TYPES.find((t) => t === form.leadType);
  const origins = new Set<string>();
  for (const o of form.origins) {
    const n = normalizeOrigin(o);
    if (n) origins.add(n);
  }
  return {
    key: form.key,
    ...(dealerId ? { dealerId } : {}),
    provider: form.provider ?? DEFAULT_FORM_PROVIDER,
    providerConfigured: form.provider !== undefined,
    ...(leadType ? { leadType } : {}),
    honeypot: canonicalName(form.honeypot ?? DEFAULT_HONEYPOT),
    minFillMs: (form.minFillSeconds ?? DEFAULT_MIN_FILL_SECONDS) * 1000,
    ...(form.thankYouUrl ? { thankYouUrl: form.thankYouUrl } : {}),
    origins,
    names,
  };
}

/**
 * The mapping used when no form config applies (leadgate parse of a saved form, an authenticated
 * POST /v1/leads/form): default names, and no bot checks, since no browser page is involved.
 */
export const DEFAULT_FORM: CompiledForm = (() => {
  const { key: _key, honeypot: _honeypot, ...rest } = compileForm({ key: 'default', origins: [], minFillSeconds: 0 });
  return rest;
})();

/** Every configured form by key (keys are unique across dealers: loadConfig checks). */
export function indexForms(dealers: readonly DealerConfig[]): Map<string, CompiledForm> {
  const index = new Map<string, CompiledForm>();
  for (const d of dealers) for (const f of d.forms ?? []) if (!index.has(f.key)) index.set(f.key, compileForm(f, d.id));
  return index;
}

/** Config cross-checks for loadConfig: form keys unique across dealers, origins well-formed, known fields and lead types. */
export function formConfigProblems(dealers: readonly DealerConfig[]): string[] {
  const problems: string[] = [];
  const owner = new Map<string, string>();
  dealers.forEach((d, i) => {
    (d.forms ?? []).forEach((f, j) => {
      const where = `/dealers/${i}/forms/${j}`;
      const other = owner.get(f.key);
      if (other !== undefined) problems.push(`${where}/key: form key "${f.key}" is already used by dealer "${other}" (keys are unique across dealers)`);
      else owner.set(f.key, d.id);
      f.origins.forEach((o, k) => {
        if (!normalizeOrigin(o)) problems.push(`${where}/origins/${k}: "${o}" is not a browser origin (scheme://host[:port], no path, user or query)`);
      });
      for (const ours of Object.keys(f.fields ?? {})) {
        if (!formFieldFor(ours)) problems.push(`${where}/fields: "${ours}" is not a form field leadgate reads (one of ${FORM_FIELDS.join(', ')})`);
      }
      if (f.leadType !== undefined && !LEAD_TYPES.includes(f.leadType as LeadType)) problems.push(`${where}/leadType: "${f.leadType}" is not one of ${LEAD_TYPES.join(', ')}`);
      if (f.thankYouUrl !== undefined && !URL.canParse(f.thankYouUrl)) problems.push(`${where}/thankYouUrl: "${f.thankYouUrl}" is not a URL`);
      const hp = canonicalName(f.honeypot ?? DEFAULT_HONEYPOT);
      if (!hp) problems.push(`${where}/honeypot: the field name needs a letter or digit`);
    });
  });
  return problems;
}

// ---------------------------------------------------------------------------
// Reading the body into fields
// ---------------------------------------------------------------------------

function mediaTypeOf(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

function add(fields: FormFields, name: string, value: string): void {
  const prev = fields.get(name);
  fields.set(name, prev === undefined || prev === '' ? value : value === '' ? prev : `${prev}, ${value}`);
}

function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean')) return v.map(String).join(', ');
  return undefined;
}

function fromJson(text: string, warnings: Warning[]): FormFields {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new LeadgateError('form_unreadable', 'the JSON body could not be parsed');
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new LeadgateError('form_unreadable', 'post the form as one JSON object of field names and values');
  const fields: FormFields = new Map();
  let deep = false;
  for (const [name, v] of Object.entries(json)) {
    const s = scalar(v);
    if (s !== undefined) add(fields, name, s);
    else if (v && typeof v === 'object' && !Array.isArray(v)) {
      // One level of nesting ({"customer": {"email": …}, "trade": {"year": …}}) reads as "customer.email", "trade.year".
      for (const [child, cv] of Object.entries(v)) {
        const cs = scalar(cv);
        if (cs !== undefined) add(fields, `${name}.${child}`, cs);
        else if (cv !== null) deep = true;
      }
    } else if (v !== null) deep = true;
  }
  if (deep) warnings.push({ code: 'form_nesting_ignored', message: 'Form JSON nested deeper than one level was not read.' });
  return fields;
}

function fromEntries(entries: Iterable<[string, string]>): FormFields {
  const fields: FormFields = new Map();
  for (const [name, value] of entries) add(fields, name, value);
  return fields;
}

/** enctype="text/plain" posts (and sendBeacon strings): one "name=value" per line, nothing escaped. */
function fromPlainLines(text: string): FormFields {
  const pairs: Array<[string, string]> = [];
  for (const line of text.split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq > 0) pairs.push([line.slice(0, eq), line.slice(eq + 1)]);
  }
  return fromEntries(pairs);
}

async function fromMultipart(bytes: Buffer, contentType: string, warnings: Warning[]): Promise<FormFields> {
  let data: FormData;
  try {
    // The body is already bounded by the transport's size limit; file parts become Blobs of it and are skipped.
    data = await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new LeadgateError('form_unreadable', 'the multipart body could not be read (check the boundary)');
  }
  const pairs: Array<[string, string]> = [];
  let files = 0;
  for (const [name, value] of data) {
    if (typeof value === 'string') pairs.push([name, value]);
    else files++;
  }
  if (files > 0) warnings.push({ code: 'form_files_ignored', message: `${files} file upload(s) in the form were not read.` });
  return fromEntries(pairs);
}

/** A form body as flat fields; content types: urlencoded, multipart/form-data, JSON, text/plain (JSON or name=value lines). */
export async function readFormFields(bytes: Buffer, contentType: string, warnings: Warning[] = []): Promise<FormFields> {
  if (bytes.length === 0) throw new LeadgateError('empty_body', 'post the form fields as the request body');
  const type = mediaTypeOf(contentType);
  if (type === 'multipart/form-data') return fromMultipart(bytes, contentType, warnings);
  const text = bytes.toString('utf8').replace(/^\ufeff/, '');
  if (type === 'application/x-www-form-urlencoded') return fromEntries(new URLSearchParams(text));
  if (type === 'application/json' || /\+json$/.test(type)) return fromJson(text, warnings);
  if (type === 'text/plain' || type === '') return readFormText(text, warnings);
  throw new LeadgateError('unsupported_media_type', 'post forms as application/x-www-form-urlencoded, multipart/form-data or application/json');
}

/** Decoded text of unknown shape (a saved form JSON file, text/plain posts): JSON when it is an object, else urlencoded or name=value lines. */
export function readFormText(text: string, warnings: Warning[] = []): FormFields {
  const t = text.replace(/^\ufeff/, '').trim();
  if (t.startsWith('{')) return fromJson(t, warnings);
  return /\r?\n/.test(t) ? fromPlainLines(t) : fromEntries(new URLSearchParams(t));
}

// ---------------------------------------------------------------------------
// Bot defenses
// ---------------------------------------------------------------------------

/**
 * The honeypot and the minimum fill time. A bot's post throws form_honeypot / form_too_fast (the
 * transport answers it like a success; the pipeline keeps it in the rejected stream). The
 * timestamp is the browser's plain value, so a bot can forge it; it only stops bots that post the
 * moment they load the page. A timestamp in the future (the browser's clock is ahead) or a missing
 * one is not judged, and says so in a warning.
 */
export function checkBots(fields: FormFields, form: CompiledForm, receivedAt: string, warnings: Warning[]): void {
  let stamp: string | undefined;
  for (const [name, value] of fields) {
    const c = canonicalName(name);
    if (c === form.honeypot && value.trim() !== '') throw new LeadgateError('form_honeypot', 'the hidden honeypot field was filled in');
    if (name === FORM_TIMESTAMP_FIELD) stamp = value.trim();
  }
  if (form.minFillMs <= 0) return;
  const renderedAt = stamp && /^\d{9,13}$/.test(stamp) ? (stamp.length <= 10 ? Number(stamp) * 1000 : Number(stamp)) : undefined;
  if (renderedAt === undefined) {
    warnings.push({ code: 'form_fill_time_unknown', message: `The form did not send a valid ${FORM_TIMESTAMP_FIELD} timestamp, so its fill time was not checked.` });
    return;
  }
  const elapsed = Date.parse(receivedAt) - renderedAt;
  if (elapsed < 0) {
    warnings.push({ code: 'form_clock_skew', message: `The form's ${FORM_TIMESTAMP_FIELD} is later than the time it was received (the browser's clock is ahead), so its fill time was not checked.` });
    return;
  }
  if (elapsed < form.minFillMs) throw new LeadgateError('form_too_fast', `the form was submitted ${Math.round(elapsed)} ms after it rendered (minimum ${form.minFillMs} ms)`);
}

// ---------------------------------------------------------------------------
// Fields → LeadDraft
// ---------------------------------------------------------------------------

/** Our field for one posted name: its canonical form, else (for "contact[email]", "customer.email") the child name. */
function fieldOf(name: string, form: CompiledForm): FormField | undefined {
  const full = canonicalName(name);
  const hit = form.names.get(full);
  if (hit) return hit;
  const m = /^([^.[]+)(?:\[([^\]]*)\]|\.(.+))$/.exec(name);
  if (!m) return undefined;
  const parent = canonicalName(m[1]!);
  if (TRADE_GROUPS.has(parent) || VEHICLE_GROUPS.has(parent)) return undefined;
  return form.names.get(canonicalName(m[2] ?? m[3] ?? ''));
}

const YES = /^(?:yes|y|true|on|1|checked)$/i;
const NO = /^(?:no|n|false|off|0|none)$/i;

/** Lead type named by a hidden "lead_type"/"form_type" field ("Schedule Test Drive", "Value Your Trade", "Get Pre-Approved"). */
function leadTypeFromText(text: string): LeadType | undefined {
  const t = text.toLowerCase();
  if (/test.?drive/.test(t)) return 'test-drive';
  if (/credit|financ|pre.?approv|loan/.test(t)) return 'credit-app';
  if (/instant.?cash|sell/.test(t)) return 'sell';
  if (/trade|apprais|value.?(?:my|your)/.test(t)) return 'trade-appraisal';
  if (/chat/.test(t)) return 'chat';
  if (/used|pre.?owned|certified|cpo/.test(t)) return 'sales-used';
  if (/\bnew\b/.test(t)) return 'sales-new';
  if (LEAD_TYPES.includes(t as LeadType)) return t as LeadType;
  return undefined;
}

function vehicleStatusOf(text: string | undefined): 'new' | 'used' | 'certified' | undefined {
  if (!text) return undefined;
  const t = text.toLowerCase().replace(/[^a-z]/g, '');
  if (t === 'new') return 'new';
  if (/^(?:certified|cpo|certifiedpreowned|certifiedused)$/.test(t)) return 'certified';
  if (/^(?:used|preowned)$/.test(t)) return 'used';
  return undefined;
}

const evidence = (signal: string, value: string | undefined, rule: string): Evidence => ({ signal, ...(value ? { value: value.slice(0, 200) } : {}), rule });

/** utm_* and click ids → "utm: google / cpc / spring-sale" with the evidence that decided it. */
function utmAttribution(got: Partial<Record<FormField, string>>): DraftAttribution['subSource'] {
  const source = got.utmSource ?? (got.gclid ? 'google' : got.msclkid ? 'bing' : got.fbclid ? 'facebook' : undefined);
  const medium = got.utmMedium ?? (got.gclid || got.msclkid ? 'cpc' : undefined);
  const parts = [source, medium, got.utmCampaign].filter((p): p is string => Boolean(p));
  if (parts.length === 0) return undefined;
  // The evidence names the click ids it used but never their values (they identify one browser's visit).
  const said = [
    ...(['utmSource', 'utmMedium', 'utmCampaign', 'utmTerm', 'utmContent'] as const)
      .filter((k) => got[k])
      .map((k) => `utm_${k.slice(3).toLowerCase()}=${got[k]}`),
    ...(['gclid', 'fbclid', 'msclkid'] as const).filter((k) => got[k]),
  ].join('&');
  return { value: `utm: ${parts.join(' / ')}`.slice(0, 200), evidence: evidence('form', said, 'form') };
}

/** Map a form's fields onto a LeadDraft (format "form"): first party, the form's provider, a lead type with its evidence. */
export function formDraft(fields: FormFields, form: CompiledForm, warnings: Warning[] = []): LeadDraft {
  const got: Partial<Record<FormField, string>> = {};
  /** The posted name that filled each field (for evidence and extras keys). */
  const sentAs: Partial<Record<FormField, string>> = {};
  const emails: string[] = [];
  const phones: DraftPhone[] = [];
  const comments: string[] = [];
  const extras: Record<string, string> = {};
  let credit = false;
  let extraCount = 0;

  for (const [name, raw] of fields) {
    const value = raw.trim();
    const c = canonicalName(name);
    if (value === '' || c === form.honeypot || name === FORM_TIMESTAMP_FIELD || name.startsWith('_lg_') || PLUMBING.has(c)) continue;
    const field = fieldOf(name, form);
    switch (field) {
      case undefined:
        // Kept for downstream consumers, never logged; bounded so a form cannot inflate a lead.
        if (extraCount < MAX_EXTRAS) {
          const key = name.toLowerCase().slice(0, MAX_EXTRA_KEY);
          if (!(key in extras)) extraCount++;
          extras[key] = extras[key] === undefined ? value : `${extras[key]}, ${value}`;
        }
        continue;
      case 'credit':
        credit = true;
        sentAs.credit ??= name;
        continue;
      case 'email':
        emails.push(value);
        continue;
      case 'phone':
      case 'mobile':
      case 'homePhone':
      case 'workPhone':
        phones.push({ value, ...(field === 'phone' ? {} : { type: field === 'mobile' ? 'mobile' : field === 'homePhone' ? 'home' : 'work' }) });
        continue;
      case 'comments':
        comments.push(value);
        continue;
      default:
        if (got[field] === undefined) {
          got[field] = value;
          sentAs[field] = name;
        }
    }
  }

  // Customer
  const names = [
    ...(got.firstName ? [{ value: got.firstName, part: 'first' }] : []),
    ...(got.lastName ? [{ value: got.lastName, part: 'last' }] : []),
    ...(got.fullName ? [{ value: got.fullName, part: 'full' }] : []),
  ];
  // "Email" / "Phone" / "Text me": normalize turns the preferred flag into customer.preferredContact.
  const preferred = got.preferredContact?.toLowerCase() ?? '';
  const prefersEmail = /mail/.test(preferred);
  if (got.contactTime && phones[0]) phones[0].time = got.contactTime;
  if (!prefersEmail && /phone|call|text|sms|cell|mobile/.test(preferred) && phones[0]) phones[0].preferred = true;
  const draftEmails = emails.map((value, i) => ({ value, ...(i === 0 && prefersEmail ? { preferred: true } : {}) }));
  const addressLines = [got.address, got.address2].filter((l): l is string => Boolean(l));
  const hasAddress = addressLines.length > 0 || got.city || got.region || got.postalCode || got.country;

  // Lead type: the form's config, then a hidden lead-type field, then what the filled fields say.
  const tradeFilled = (['tradeYear', 'tradeMake', 'tradeModel', 'tradeTrim', 'tradeVin', 'tradeMileage'] as const).find((f) => got[f]) ?? (got.trade && !NO.test(got.trade) ? 'trade' : undefined);
  const testDrive = got.testDrive && !NO.test(got.testDrive) ? got.testDrive : undefined;
  const described = got.vehicle ? parseVehicleText(got.vehicle) : undefined;
  const status = vehicleStatusOf(got.condition) ?? described?.status as 'new' | 'used' | 'certified' | undefined;
  const typeField = got.leadType ? leadTypeFromText(got.leadType) : undefined;
  let leadType: { value: LeadType; evidence: Evidence };
  if (form.leadType) leadType = { value: form.leadType, evidence: evidence('form', form.key, 'form-config') };
  else if (typeField) leadType = { value: typeField, evidence: evidence('form.field', `${sentAs.leadType}=${got.leadType}`, 'form:lead-type-field') };
  else if (tradeFilled) leadType = { value: 'trade-appraisal', evidence: evidence('form.field', sentAs[tradeFilled], 'form:trade-fields') };
  else if (testDrive) leadType = { value: 'test-drive', evidence: evidence('form.field', sentAs.testDrive, 'form:test-drive-field') };
  else if (credit) leadType = { value: 'credit-app', evidence: evidence('form.field', sentAs.credit, 'form:credit-fields') };
  else if (status) leadType = { value: status === 'new' ? 'sales-new' : 'sales-used', evidence: evidence('vehicle.status', status, 'form:vehicle-condition') };
  else leadType = { value: 'general', evidence: evidence('form', form.key, 'form:default') };

  // Vehicle of interest: explicit fields win over the free-text description.
  const vehicles: DraftVehicle[] = [];
  const vehicle: DraftVehicle = { ...(described ?? { ids: [] }) };
  for (const k of ['year', 'make', 'model', 'trim', 'vin', 'stock'] as const) if (got[k]) vehicle[k] = got[k];
  if (got.condition) vehicle.status = got.condition;
  if (got.price) vehicle.price = { value: got.price };
  const interestText = got.interest?.toLowerCase();
  vehicle.interest = interestText && /lease/.test(interestText) ? 'lease' : leadType.value === 'test-drive' ? 'test-drive' : 'buy';
  if (vehicle.year || vehicle.make || vehicle.model || vehicle.vin || vehicle.stock) vehicles.push(vehicle);
  else if (got.vehicle) comments.push(`Vehicle: ${got.vehicle}`);

  // Trade-in: the trade_* fields, or a free-text "trade" field that is more than a yes/no checkbox.
  const tradeText = got.trade && !YES.test(got.trade) && !NO.test(got.trade) ? got.trade : undefined;
  const trade: DraftVehicle = { ...((tradeText && parseVehicleText(tradeText)) || { ids: [] }), interest: 'trade-in' };
  if (got.tradeYear) trade.year = got.tradeYear;
  if (got.tradeMake) trade.make = got.tradeMake;
  if (got.tradeModel) trade.model = got.tradeModel;
  if (got.tradeTrim) trade.trim = got.tradeTrim;
  if (got.tradeVin) trade.vin = got.tradeVin;
  if (got.tradeMileage) trade.odometer = { value: got.tradeMileage.replace(/\s*(?:miles?|mi\.?)$/i, ''), ...(/km|kilomet/i.test(got.tradeMileage) ? { units: 'km' } : {}) };
  if (trade.year || trade.make || trade.model || trade.vin) vehicles.push(trade);
  else if (tradeText) comments.push(`Trade-in: ${tradeText}`);

  if (testDrive) comments.push(YES.test(testDrive) ? 'Test drive requested.' : `Test drive requested: ${testDrive}`);
  if (credit) warnings.push({ code: 'form_credit_details_not_copied', message: 'The form held credit-application details; they stay in the archived raw input and are not copied into the lead.' });

  // Source: first party, the form's provider, utm campaign as sub-source.
  const formEvidence = evidence('form', form.key, 'form');
  const attribution: DraftAttribution = {
    party: { value: 'first', evidence: formEvidence },
    provider: { value: form.provider, evidence: form.providerConfigured ? evidence('form', form.key, 'form-config') : formEvidence },
    leadType,
  };
  const sub = utmAttribution(got);
  if (sub) attribution.subSource = sub;
  for (const k of ['utmSource', 'utmMedium', 'utmCampaign', 'utmTerm', 'utmContent', 'gclid', 'fbclid', 'msclkid'] as const) {
    if (got[k]) extras[sentAs[k]!.toLowerCase().slice(0, MAX_EXTRA_KEY)] = got[k]!;
  }
  if (got.leadType) extras[sentAs.leadType!.toLowerCase().slice(0, MAX_EXTRA_KEY)] = got.leadType;

  return {
    format: 'form',
    index: 0,
    ids: [],
    customer: {
      names,
      emails: draftEmails,
      phones,
      ids: [],
      ...(hasAddress
        ? {
            address: {
              lines: addressLines,
              ...(got.city ? { city: got.city } : {}),
              ...(got.region ? { region: got.region } : {}),
              ...(got.postalCode ? { postalCode: got.postalCode } : {}),
              ...(got.country ? { country: got.country } : {}),
            },
          }
        : {}),
      ...(comments.length ? { comments: comments.join('\n') } : {}),
      ...(got.timeframe ? { timeframe: { description: got.timeframe } } : {}),
    },
    vehicles,
    provider: { ids: [], name: form.provider },
    extras,
    attribution,
    warnings,
  };
}

/** A form input end to end: body → fields → bot defenses → one LeadDraft. */
export async function parseFormInput(bytes: Buffer, contentType: string, form: CompiledForm, receivedAt: string): Promise<LeadDraft[]> {
  const warnings: Warning[] = [];
  const fields = await readFormFields(bytes, contentType, warnings);
  checkBots(fields, form, receivedAt, warnings);
  // A form is submitted the moment it is received: that is its request date (no "request date missing" guess).
  return [{ ...formDraft(fields, form, warnings), requestDate: receivedAt }];
}

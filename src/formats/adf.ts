// Reads ADF 1.0 leads, with every real-world deviation of adf.md §9, into LeadDrafts by element name, never by position.

import { LeadgateError } from '../errors.js';
import type { DraftAddress, DraftContact, DraftEmail, DraftId, DraftName, DraftPhone, DraftVehicle, LeadDraft, Warning } from '../lead.js';
import {
  WarningLog,
  attr,
  descendants,
  isSimple,
  kid,
  kids,
  precleanAndParse,
  refuseOversized,
  richText,
  text,
  textIn,
  type XNode,
  type XmlLimits,
} from './xml.js';

/** Cheap sniff: an ADF PI, an `<adf>` element (any prefix/case), or a `<prospect>` holding ADF children. */
export function looksLikeAdf(input: string): boolean {
  const head = input.length > 65_536 ? input.slice(0, 65_536) : input;
  if (/<\?\s*adf\b/i.test(head) || /<(?:[\w.-]+:)?adf[\s/>]/i.test(head)) return true;
  return /<(?:[\w.-]+:)?prospect[\s/>]/i.test(head) && /<(?:[\w.-]+:)?(?:customer|requestdate|vehicle)[\s/>]/i.test(head);
}

// Elements each reader maps itself; everything else under these parents goes to `extras`.
const PROSPECT_KNOWN = new Set(['id', 'requestdate', 'vehicle', 'customer', 'vendor', 'provider']);
const VEHICLE_KNOWN = new Set([
  'id', 'year', 'make', 'model', 'vin', 'stock', 'trim', 'bodystyle', 'transmission', 'odometer',
  'colorcombination', 'interiorcolor', 'exteriorcolor', 'price', 'pricecomments', 'option', 'finance', 'comments',
]);
const CUSTOMER_KNOWN = new Set(['contact', 'id', 'timeframe', 'comments', 'comment']);
// Custom phone elements seen in dealer templates (adf.md §9.6): `<cellphone>`, `<international_phone>`.
const CUSTOM_PHONES = new Set(['cellphone', 'mobile', 'international_phone']);
const CONTACT_KNOWN = new Set(['name', 'email', 'phone', 'address', 'comment', 'comments', ...CUSTOM_PHONES]);
const VENDOR_KNOWN = new Set(['id', 'vendorname', 'url', 'contact']);
const PROVIDER_KNOWN = new Set(['id', 'name', 'service', 'url', 'email', 'phone', 'contact']);

/**
 * Parse decoded ADF text into one LeadDraft per prospect. Throws LeadgateError: no_prospect (an
 * `<adf>` without prospects), not_a_lead (no ADF at all), and the XML layer's codes.
 */
export function parseAdf(input: string, limits?: XmlLimits): LeadDraft[] {
  refuseOversized(input, limits);
  const log = new WarningLog();
  const { doc, precleanWarnings, adfPi } = precleanAndParse(input, limits);
  log.addAll(precleanWarnings);
  log.addAll(doc.warnings);
  if (doc.caseNormalized) log.add('tag_case_normalized', 'Element or attribute names were not lower-case; they were lower-cased.');

  const prospects = findProspects(doc.root, log);
  // Kia Digital / Mazda Digital (kia-digital-*.xml, mazda-digital-*.xml) never send the PI.
  if (!adfPi) log.add('adf_pi_missing', 'The ADF processing instruction was missing.');

  const docWarnings = log.list();
  return prospects.map((p, index) => readProspect(p, index, docWarnings));
}

function findProspects(root: XNode, log: WarningLog): XNode[] {
  if (root.name === 'adf') {
    const ps = kids(root, 'prospect');
    if (ps.length === 0) throw new LeadgateError('no_prospect', 'The <adf> element holds no <prospect>.');
    return ps;
  }
  if (root.name === 'prospect') {
    // Dealer-reported variant: a bare <prospect> root (throttleiq dealer_intake_shape_test).
    log.add('adf_root_missing', 'The document has a <prospect> root without an <adf> wrapper.');
    return [root];
  }
  const adfs = root.name === '#document' ? kids(root, 'adf') : descendants(root, 'adf');
  const loose = root.name === '#document' ? kids(root, 'prospect') : [];
  if (adfs.length === 0 && loose.length === 0) {
    const nested = descendants(root, 'prospect');
    if (nested.length === 0) throw new LeadgateError('not_a_lead', 'The document holds no ADF <adf> or <prospect> element.');
    log.add('adf_root_missing', 'Prospects were found inside a non-ADF wrapper element.');
    return nested;
  }
  if (root.name === '#document') log.add('xml_multiple_roots', 'The document had several top-level elements; each was read.');
  else log.add('adf_wrapped', 'The <adf> element was found inside a wrapper element.');
  const ps = [...adfs.flatMap((a) => kids(a, 'prospect')), ...loose];
  if (ps.length === 0) throw new LeadgateError('no_prospect', 'The <adf> element holds no <prospect>.');
  return ps;
}

// The readers below build each draft object field by field, in the order its keys are listed, and set a field only
// when it has a value: the very objects compact() made from a literal (absent values are absent keys, same key
// order) without the throwaway literal and its copy. They walk an element's children directly instead of building
// kids() arrays, and keep the order of their side effects (warnings and extras both keep first-seen order).

function readProspect(p: XNode, index: number, docWarnings: readonly Warning[]): LeadDraft {
  const log = new WarningLog();
  log.addAll(docWarnings);
  const extras: Record<string, string> = {};

  const customerEl = kid(p, 'customer');
  const vehicles: DraftVehicle[] = [];
  for (const c of p.children) if (typeof c !== 'string' && c.name === 'vehicle') vehicles.push(readVehicle(c, vehicles.length, extras, log));
  const status = attr(p, 'status');
  const ids = readIds(p);
  const requestDate = textIn(p, 'requestdate');
  const customer = readCustomer(customerEl, extras, log);
  const vendor = readVendor(kid(p, 'vendor'), extras);
  const provider = readProvider(kid(p, 'provider'), extras);

  const draft = { format: 'adf', index } as LeadDraft;
  if (status !== undefined) draft.status = status;
  draft.ids = ids;
  if (requestDate !== undefined) draft.requestDate = requestDate;
  draft.customer = customer;
  draft.vehicles = vehicles;
  if (vendor !== undefined) draft.vendor = vendor;
  if (provider !== undefined) draft.provider = provider;
  draft.extras = extras;
  draft.warnings = [];
  // Apollo / Team Velocity put a custom <leadtype> directly under <prospect>.
  collectExtras(p, PROSPECT_KNOWN, '', extras);
  draft.warnings = log.list();
  return draft;
}

// ---------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------

/** `<id source sequence>`; ids with empty content are dropped (`<id source="0:ADF XML Email"/>`, TrueCar). */
function readIds(parent: XNode | undefined): DraftId[] {
  const ids: DraftId[] = [];
  if (!parent) return ids;
  for (const el of parent.children) {
    if (typeof el === 'string' || el.name !== 'id') continue;
    const value = text(el);
    if (value === undefined) continue;
    const id: DraftId = { value };
    const source = attr(el, 'source');
    if (source !== undefined) id.source = source;
    const sequence = attr(el, 'sequence');
    if (sequence !== undefined) id.sequence = sequence;
    ids.push(id);
  }
  return ids;
}

/** Unknown simple elements → extras[prefix + name] (first value wins); nested unknowns flatten with dots. */
function collectExtras(parent: XNode | undefined, known: ReadonlySet<string>, prefix: string, extras: Record<string, string>): void {
  if (!parent) return;
  for (const el of parent.children) {
    if (typeof el === 'string' || known.has(el.name)) continue;
    addExtra(el, prefix + el.name, extras);
  }
}

function addExtra(el: XNode, key: string, extras: Record<string, string>): void {
  if (isSimple(el)) {
    const value = richText(el);
    if (value !== undefined && !(key in extras)) extras[key] = value;
    return;
  }
  for (const c of el.children) if (typeof c !== 'string') addExtra(c, `${key}.${c.name}`, extras);
}

function flag(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (/^(1|true|yes|y)$/i.test(value)) return true;
  if (/^(0|false|no|n)$/i.test(value)) return false;
  return undefined;
}

/** The contact flagged primary (`primarycontact="1"`, Costco's `type="primary"`), else the first. */
function pickPrimary(contacts: XNode[]): XNode | undefined {
  for (const c of contacts) if (attr(c, 'primarycontact') === '1' || attr(c, 'type')?.toLowerCase() === 'primary') return c;
  return contacts[0];
}

function readNames(parent: XNode | undefined): DraftName[] {
  const names: DraftName[] = [];
  if (!parent) return names;
  for (const el of parent.children) {
    if (typeof el === 'string' || el.name !== 'name') continue;
    const value = text(el);
    if (value === undefined) continue;
    const name: DraftName = { value };
    const part = attr(el, 'part');
    if (part !== undefined) name.part = part;
    const type = attr(el, 'type');
    if (type !== undefined) name.type = type;
    names.push(name);
  }
  return names;
}

/** The order name parts are joined in when no full name is given. */
const NAME_ORDER = ['first', 'middle', 'last', 'surname', 'suffix'];

/** A display name: the `full` (or part-less) name, else the parts joined in order. */
function fullName(parent: XNode | undefined): string | undefined {
  const names = readNames(parent);
  for (const n of names) if (n.part === undefined || n.part.toLowerCase() === 'full') return n.value;
  const parts: string[] = [];
  for (const part of NAME_ORDER) for (const n of names) if (n.part?.toLowerCase() === part) parts.push(n.value);
  return parts.length > 0 ? parts.join(' ') : names[0]?.value;
}

/** Whether the element has a `<name>` child with text (a contact worth naming the vendor's salesperson from). */
function hasName(c: XNode | undefined): boolean {
  if (!c) return false;
  for (const n of c.children) if (typeof n !== 'string' && n.name === 'name' && text(n) !== undefined) return true;
  return false;
}

/**
 * Addresses in one `<email>` separated by `;` (AutoTrader vendor block) or `,` (TrueCar) become
 * several entries — only when every piece looks like an address, so odd values stay whole.
 */
export function splitEmails(value: string): string[] {
  // Without a separator there is one piece, the trimmed value: the general path below then answers this.
  if (value.indexOf(';') < 0 && value.indexOf(',') < 0) {
    const t = value.trim();
    return [t !== '' && t.includes('@') ? t : value];
  }
  const pieces = value.split(/[;,]/).map((s) => s.trim()).filter((s) => s !== '');
  return pieces.length > 0 && pieces.every((s) => s.includes('@')) ? pieces : [value];
}

function readEmails(parent: XNode | undefined, log: WarningLog): DraftEmail[] {
  const emails: DraftEmail[] = [];
  if (!parent) return emails;
  for (const el of parent.children) {
    if (typeof el === 'string' || el.name !== 'email') continue;
    const value = text(el);
    if (value === undefined) continue;
    const preferred = flag(attr(el, 'preferredcontact'));
    const values = splitEmails(value);
    if (values.length > 1) log.add('email_list_split', 'An <email> element holding several addresses was split.');
    for (const v of values) emails.push(preferred === undefined ? { value: v } : { value: v, preferred });
  }
  return emails;
}

/** Phones with content; empty per-time-slot `<phone/>`s (Kia/Mazda Digital send three, mostly empty) are skipped. */
function readPhones(parent: XNode | undefined, log: WarningLog): DraftPhone[] {
  const phones: DraftPhone[] = [];
  if (!parent) return phones;
  for (const el of parent.children) {
    if (typeof el === 'string') continue;
    const custom = CUSTOM_PHONES.has(el.name);
    if (el.name !== 'phone' && !custom) continue;
    const value = text(el);
    if (value === undefined) continue;
    if (custom) log.add('adf_custom_phone_element', 'A custom phone element was read as a phone.');
    const phone: DraftPhone = { value };
    const type = custom ? el.name : attr(el, 'type');
    if (type !== undefined) phone.type = type;
    const time = attr(el, 'time');
    if (time !== undefined) phone.time = time;
    const preferred = flag(attr(el, 'preferredcontact'));
    if (preferred !== undefined) phone.preferred = preferred;
    phones.push(phone);
  }
  return phones;
}

/** Street lines ordered by `@line` (document order for ties/missing); an address with no content is absent. */
function readAddress(el: XNode | undefined): DraftAddress | undefined {
  if (!el) return undefined;
  const streets: Array<{ line: number; i: number; value: string }> = [];
  let i = 0;
  for (const s of el.children) {
    if (typeof s === 'string' || s.name !== 'street') continue;
    const value = text(s);
    if (value !== undefined) streets.push({ line: Number.parseInt(attr(s, 'line') ?? '', 10), i, value });
    i++;
  }
  if (streets.length > 1) {
    streets.sort((a, b) => (Number.isFinite(a.line) ? a.line : Infinity) - (Number.isFinite(b.line) ? b.line : Infinity) || a.i - b.i);
  }
  const lines: string[] = [];
  for (const s of streets) lines.push(s.value);
  const address: DraftAddress = { lines };
  let hasContent = lines.length > 0;
  const apartment = textIn(el, 'apartment');
  if (apartment !== undefined) (address.apartment = apartment), (hasContent = true);
  const city = textIn(el, 'city');
  if (city !== undefined) (address.city = city), (hasContent = true);
  const region = textIn(el, 'regioncode');
  if (region !== undefined) (address.region = region), (hasContent = true);
  const postalCode = textIn(el, 'postalcode');
  if (postalCode !== undefined) (address.postalCode = postalCode), (hasContent = true);
  const country = textIn(el, 'country');
  if (country !== undefined) (address.country = country), (hasContent = true);
  if (!hasContent) return undefined;
  const type = attr(el, 'type');
  if (type !== undefined) address.type = type;
  return address;
}

function readContact(el: XNode | undefined, log: WarningLog): DraftContact {
  const names = readNames(el);
  const emails = readEmails(el, log);
  const phones = readPhones(el, log);
  const address = readAddress(kid(el, 'address'));
  return address === undefined ? { names, emails, phones } : { names, emails, phones, address };
}

/**
 * Read any ADF `<contact>` (customer, vendor or provider). Exposed because LeadDraft keeps only
 * the vendor's/provider's name, url and email, while tests and adapters may want the rest
 * (e.g. AutoTrader's vendor `<email>` holding three addresses).
 */
export function readAdfContact(el: XNode | undefined): DraftContact & { warnings: Warning[] } {
  const log = new WarningLog();
  return { ...readContact(el, log), warnings: log.list() };
}

// ---------------------------------------------------------------------------
// Customer, vehicle, vendor, provider
// ---------------------------------------------------------------------------

function readCustomer(el: XNode | undefined, extras: Record<string, string>, log: WarningLog): LeadDraft['customer'] {
  const contacts = kids(el, 'contact');
  const contact = pickPrimary(contacts);
  if (contacts.length > 1) log.add('adf_extra_customer_contacts_ignored', 'The customer had several contacts; only the primary one was read.');

  const comments: string[] = [];
  const first = richText(kid(el, 'comments'));
  if (first !== undefined) comments.push(first);
  if (el) {
    for (const c of el.children) {
      if (typeof c === 'string' || c.name !== 'comment') continue;
      const v = richText(c);
      if (v !== undefined) comments.push(v);
    }
  }
  // Trade Accelerator / HD Marketplace / Room58 (throttleiq-*.xml) put the message in <contact><comment>
  // (every <comment>, then every <comments>).
  if (contact) {
    for (const name of CONTACT_COMMENTS) {
      for (const c of contact.children) {
        if (typeof c === 'string' || c.name !== name) continue;
        const v = richText(c);
        if (v === undefined) continue;
        log.add('adf_comment_in_contact', 'The customer message was inside <contact>; it was read as customer comments.');
        comments.push(v);
      }
    }
  }

  const timeframe = readTimeframe(kid(el, 'timeframe'));

  collectExtras(el, CUSTOMER_KNOWN, '', extras);
  collectExtras(contact, CONTACT_KNOWN, '', extras);

  const customer = readContact(contact, log) as LeadDraft['customer'];
  customer.ids = readIds(el);
  if (comments.length > 0) customer.comments = comments.join('\n');
  if (timeframe !== undefined) customer.timeframe = timeframe;
  return customer;
}

const CONTACT_COMMENTS = ['comment', 'comments'];

function readTimeframe(tf: XNode | undefined): NonNullable<LeadDraft['customer']['timeframe']> | undefined {
  if (!tf) return undefined;
  const timeframe: NonNullable<LeadDraft['customer']['timeframe']> = {};
  let any = false;
  // The DTD declares timeframe as text; accept a plain-text timeframe as its description.
  const description = textIn(tf, 'description') ?? (isSimple(tf) ? text(tf) : undefined);
  if (description !== undefined) (timeframe.description = description), (any = true);
  const earliest = textIn(tf, 'earliestdate');
  if (earliest !== undefined) (timeframe.earliest = earliest), (any = true);
  const latest = textIn(tf, 'latestdate');
  if (latest !== undefined) (timeframe.latest = latest), (any = true);
  return any ? timeframe : undefined;
}

type Color = NonNullable<DraftVehicle['colors']>[number];

function readVehicle(v: XNode, i: number, extras: Record<string, string>, log: WarningLog): DraftVehicle {
  const prefix = `vehicle[${i}].`;

  const odo = kid(v, 'odometer');
  const odoValue = text(odo);
  let units = attr(odo, 'units');
  if (units === undefined && attr(odo, 'unit') !== undefined) {
    // Trade Accelerator / Room58 write `unit="MILES"`.
    units = attr(odo, 'unit');
    if (odoValue !== undefined) log.add('adf_odometer_unit_attribute', 'The odometer used a "unit" attribute instead of "units".');
  }

  const colors: Color[] = [];
  for (const cc of v.children) {
    if (typeof cc === 'string' || cc.name !== 'colorcombination') continue;
    const exterior = textIn(cc, 'exteriorcolor');
    const interior = textIn(cc, 'interiorcolor');
    // Apollo sends a combination with only a preference; DealerRater sends empty CDATA colours.
    if (exterior === undefined && interior === undefined) continue;
    const color: Color = {};
    if (exterior !== undefined) color.exterior = exterior;
    if (interior !== undefined) color.interior = interior;
    const preference = textIn(cc, 'preference');
    if (preference !== undefined) color.preference = preference;
    colors.push(color);
  }
  const looseExterior = textIn(v, 'exteriorcolor');
  const looseInterior = textIn(v, 'interiorcolor');
  if (looseExterior !== undefined || looseInterior !== undefined) {
    log.add('adf_color_outside_combination', 'A colour element outside <colorcombination> was read as a colour.');
    const color: Color = {};
    if (looseExterior !== undefined) color.exterior = looseExterior;
    if (looseInterior !== undefined) color.interior = looseInterior;
    colors.push(color);
  }

  const priceEl = kid(v, 'price');
  const priceValue = text(priceEl);
  if (priceValue !== undefined) {
    const delta = attr(priceEl, 'delta');
    if (delta !== undefined) extras[`${prefix}price.delta`] = delta;
    const relativeTo = attr(priceEl, 'relativeto');
    if (relativeTo !== undefined) extras[`${prefix}price.relativeto`] = relativeTo;
  }

  const fin = kid(v, 'finance');
  const amounts: NonNullable<DraftVehicle['finance']>['amounts'] = [];
  if (fin) {
    for (const a of fin.children) {
      if (typeof a === 'string' || a.name !== 'amount') continue;
      const value = text(a);
      if (value === undefined) continue;
      const amount: (typeof amounts)[number] = { value };
      const type = attr(a, 'type');
      if (type !== undefined) amount.type = type;
      const limit = attr(a, 'limit');
      if (limit !== undefined) amount.limit = limit;
      const currency = attr(a, 'currency');
      if (currency !== undefined) amount.currency = currency;
      amounts.push(amount);
    }
  }
  const method = textIn(fin, 'method');
  const balance = textIn(fin, 'balance');
  if (balance !== undefined) extras[`${prefix}finance.balance`] = balance;

  const options: string[] = [];
  for (const o of v.children) {
    if (typeof o === 'string' || o.name !== 'option') continue;
    // Stray HTML such as `<p class="p1">` in option names (Mazda Config) is stripped by richText.
    const optionName = kid(o, 'optionname');
    const name = optionName ? richText(optionName) : isSimple(o) ? richText(o) : undefined;
    if (name !== undefined) options.push(name);
  }

  const comments = richText(kid(v, 'comments'));
  const priceComments = richText(kid(v, 'pricecomments'));

  collectExtras(v, VEHICLE_KNOWN, prefix, extras);

  const vehicle = {} as DraftVehicle;
  const interest = attr(v, 'interest');
  if (interest !== undefined) vehicle.interest = interest;
  const status = attr(v, 'status');
  if (status !== undefined) vehicle.status = status;
  vehicle.ids = readIds(v);
  setText(vehicle, 'year', v, 'year');
  setText(vehicle, 'make', v, 'make');
  setText(vehicle, 'model', v, 'model');
  setText(vehicle, 'trim', v, 'trim');
  setText(vehicle, 'vin', v, 'vin');
  setText(vehicle, 'stock', v, 'stock');
  setText(vehicle, 'bodyStyle', v, 'bodystyle');
  setText(vehicle, 'transmission', v, 'transmission');
  if (odoValue !== undefined) {
    const odometer: NonNullable<DraftVehicle['odometer']> = { value: odoValue };
    if (units !== undefined) odometer.units = units;
    const odoStatus = attr(odo, 'status');
    if (odoStatus !== undefined) odometer.status = odoStatus;
    vehicle.odometer = odometer;
  }
  if (colors.length > 0) vehicle.colors = colors;
  if (priceValue !== undefined) {
    const price: NonNullable<DraftVehicle['price']> = { value: priceValue };
    const type = attr(priceEl, 'type');
    if (type !== undefined) price.type = type;
    const currency = attr(priceEl, 'currency');
    if (currency !== undefined) price.currency = currency;
    const source = attr(priceEl, 'source');
    if (source !== undefined) price.source = source;
    vehicle.price = price;
  }
  if (method !== undefined || amounts.length > 0) vehicle.finance = method !== undefined ? { method, amounts } : { amounts };
  if (options.length > 0) vehicle.options = options;
  if (comments !== undefined || priceComments !== undefined) {
    vehicle.comments = comments !== undefined && priceComments !== undefined ? `${comments}\n${priceComments}` : (comments ?? priceComments);
  }
  return vehicle;
}

/** Set `key` on `target` to the text of `parent`'s first `<name>` child, when it has text. */
function setText<K extends 'year' | 'make' | 'model' | 'trim' | 'vin' | 'stock' | 'bodyStyle' | 'transmission'>(target: DraftVehicle, key: K, parent: XNode, name: string): void {
  const value = textIn(parent, name);
  if (value !== undefined) target[key] = value;
}

function readVendor(el: XNode | undefined, extras: Record<string, string>): LeadDraft['vendor'] {
  if (!el) return undefined;
  const contacts = kids(el, 'contact');
  // DealerRater lists the requested salesperson as primarycontact="1" before the dealership contact.
  const primary = pickPrimary(contacts);
  const named = hasName(primary) ? primary : contacts.find(hasName);
  const vendor: NonNullable<LeadDraft['vendor']> = { ids: readIds(el) };
  let any = vendor.ids.length > 0;
  const name = textIn(el, 'vendorname');
  if (name !== undefined) (vendor.name = name), (any = true);
  const contactName = fullName(named);
  if (contactName !== undefined) (vendor.contactName = contactName), (any = true);
  const url = textIn(el, 'url');
  if (url !== undefined) (vendor.url = url), (any = true);
  collectExtras(el, VENDOR_KNOWN, 'vendor.', extras);
  return any ? vendor : undefined;
}

function readProvider(el: XNode | undefined, extras: Record<string, string>): LeadDraft['provider'] {
  if (!el) return undefined;
  const contact = pickPrimary(kids(el, 'contact'));
  const email = firstText(el, 'email') ?? firstText(contact, 'email');
  const provider: NonNullable<LeadDraft['provider']> = { ids: readIds(el) };
  let any = provider.ids.length > 0;
  // AutoTrader's provider <name> has no part attribute; fullName accepts that.
  const name = fullName(el);
  if (name !== undefined) (provider.name = name), (any = true);
  const service = textIn(el, 'service');
  if (service !== undefined) (provider.service = service), (any = true);
  const url = textIn(el, 'url');
  if (url !== undefined) (provider.url = url), (any = true);
  if (email !== undefined) (provider.email = splitEmails(email)[0]), (any = true);
  // TrueCar's custom <leadtype> sits inside <provider>.
  collectExtras(el, PROVIDER_KNOWN, '', extras);
  return any ? provider : undefined;
}

/** The text of the first `<name>` child that has any (later same-named children are read when the first is empty). */
function firstText(parent: XNode | undefined, name: string): string | undefined {
  if (!parent) return undefined;
  for (const c of parent.children) {
    if (typeof c === 'string' || c.name !== name) continue;
    const t = text(c);
    if (t !== undefined) return t;
  }
  return undefined;
}

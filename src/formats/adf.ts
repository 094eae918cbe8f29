// Reads ADF 1.0 leads, with every real-world deviation of adf.md §9, into LeadDrafts by element name, never by position.

import { LeadgateError } from '../errors.js';
import type { DraftAddress, DraftContact, DraftEmail, DraftId, DraftName, DraftPhone, DraftVehicle, LeadDraft, Warning } from '../lead.js';
import {
  WarningLog,
  attr,
  compact,
  descendants,
  isSimple,
  kid,
  kids,
  parseXml,
  preclean,
  refuseOversized,
  richText,
  text,
  textAt,
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
  const pre = preclean(input);
  log.addAll(pre.warnings);
  const doc = parseXml(pre.text, limits);
  log.addAll(doc.warnings);
  if (doc.caseNormalized) log.add('tag_case_normalized', 'Element or attribute names were not lower-case; they were lower-cased.');

  const prospects = findProspects(doc.root, log);
  // Kia Digital / Mazda Digital (kia-digital-*.xml, mazda-digital-*.xml) never send the PI.
  if (!pre.adfPi) log.add('adf_pi_missing', 'The ADF processing instruction was missing.');

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

function readProspect(p: XNode, index: number, docWarnings: readonly Warning[]): LeadDraft {
  const log = new WarningLog();
  log.addAll(docWarnings);
  const extras: Record<string, string> = {};

  const customerEl = kid(p, 'customer');
  const vehicles = kids(p, 'vehicle').map((v, i) => readVehicle(v, i, extras, log));
  const draft: LeadDraft = compact({
    format: 'adf',
    index,
    status: attr(p, 'status'),
    ids: readIds(p),
    requestDate: textAt(p, 'requestdate'),
    customer: readCustomer(customerEl, extras, log),
    vehicles,
    vendor: readVendor(kid(p, 'vendor'), extras),
    provider: readProvider(kid(p, 'provider'), extras),
    extras,
    warnings: [],
  });
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
  for (const el of kids(parent, 'id')) {
    const value = text(el);
    if (value === undefined) continue;
    ids.push(compact({ value, source: attr(el, 'source'), sequence: attr(el, 'sequence') }));
  }
  return ids;
}

/** Unknown simple elements → extras[prefix + name] (first value wins); nested unknowns flatten with dots. */
function collectExtras(parent: XNode | undefined, known: ReadonlySet<string>, prefix: string, extras: Record<string, string>): void {
  for (const el of kids(parent)) {
    if (known.has(el.name)) continue;
    addExtra(el, prefix + el.name, extras);
  }
}

function addExtra(el: XNode, key: string, extras: Record<string, string>): void {
  if (isSimple(el)) {
    const value = richText(el);
    if (value !== undefined && !(key in extras)) extras[key] = value;
    return;
  }
  for (const c of kids(el)) addExtra(c, `${key}.${c.name}`, extras);
}

function flag(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (/^(1|true|yes|y)$/i.test(value)) return true;
  if (/^(0|false|no|n)$/i.test(value)) return false;
  return undefined;
}

/** The contact flagged primary (`primarycontact="1"`, Costco's `type="primary"`), else the first. */
function pickPrimary(contacts: XNode[]): XNode | undefined {
  return contacts.find((c) => attr(c, 'primarycontact') === '1' || attr(c, 'type')?.toLowerCase() === 'primary') ?? contacts[0];
}

function readNames(parent: XNode | undefined): DraftName[] {
  const names: DraftName[] = [];
  for (const el of kids(parent, 'name')) {
    const value = text(el);
    if (value !== undefined) names.push(compact({ value, part: attr(el, 'part'), type: attr(el, 'type') }));
  }
  return names;
}

/** A display name: the `full` (or part-less) name, else the parts joined in order. */
function fullName(parent: XNode | undefined): string | undefined {
  const names = readNames(parent);
  const full = names.find((n) => n.part === undefined || n.part.toLowerCase() === 'full');
  if (full) return full.value;
  const order = ['first', 'middle', 'last', 'surname', 'suffix'];
  const parts = order.flatMap((part) => names.filter((n) => n.part?.toLowerCase() === part).map((n) => n.value));
  return parts.length > 0 ? parts.join(' ') : names[0]?.value;
}

/**
 * Addresses in one `<email>` separated by `;` (AutoTrader vendor block) or `,` (TrueCar) become
 * several entries — only when every piece looks like an address, so odd values stay whole.
 */
export function splitEmails(value: string): string[] {
  const pieces = value.split(/[;,]/).map((s) => s.trim()).filter((s) => s !== '');
  return pieces.length > 0 && pieces.every((s) => s.includes('@')) ? pieces : [value];
}

function readEmails(parent: XNode | undefined, log: WarningLog): DraftEmail[] {
  const emails: DraftEmail[] = [];
  for (const el of kids(parent, 'email')) {
    const value = text(el);
    if (value === undefined) continue;
    const preferred = flag(attr(el, 'preferredcontact'));
    const values = splitEmails(value);
    if (values.length > 1) log.add('email_list_split', 'An <email> element holding several addresses was split.');
    for (const v of values) emails.push(compact({ value: v, preferred }));
  }
  return emails;
}

/** Phones with content; empty per-time-slot `<phone/>`s (Kia/Mazda Digital send three, mostly empty) are skipped. */
function readPhones(parent: XNode | undefined, log: WarningLog): DraftPhone[] {
  const phones: DraftPhone[] = [];
  for (const el of kids(parent)) {
    const custom = CUSTOM_PHONES.has(el.name);
    if (el.name !== 'phone' && !custom) continue;
    const value = text(el);
    if (value === undefined) continue;
    if (custom) log.add('adf_custom_phone_element', 'A custom phone element was read as a phone.');
    phones.push(
      compact({
        value,
        type: custom ? el.name : attr(el, 'type'),
        time: attr(el, 'time'),
        preferred: flag(attr(el, 'preferredcontact')),
      }),
    );
  }
  return phones;
}

/** Street lines ordered by `@line` (document order for ties/missing); an address with no content is absent. */
function readAddress(el: XNode | undefined): DraftAddress | undefined {
  if (!el) return undefined;
  const streets = kids(el, 'street')
    .map((s, i) => ({ line: Number.parseInt(attr(s, 'line') ?? '', 10), i, value: text(s) }))
    .filter((s): s is { line: number; i: number; value: string } => s.value !== undefined)
    .sort((a, b) => (Number.isFinite(a.line) ? a.line : Infinity) - (Number.isFinite(b.line) ? b.line : Infinity) || a.i - b.i);
  const address = compact({
    lines: streets.map((s) => s.value),
    apartment: textAt(el, 'apartment'),
    city: textAt(el, 'city'),
    region: textAt(el, 'regioncode'),
    postalCode: textAt(el, 'postalcode'),
    country: textAt(el, 'country'),
  });
  const hasContent = address.lines.length > 0 || Object.keys(address).length > 1;
  return hasContent ? { ...address, ...compact({ type: attr(el, 'type') }) } : undefined;
}

function readContact(el: XNode | undefined, log: WarningLog): DraftContact {
  return compact({
    names: readNames(el),
    emails: readEmails(el, log),
    phones: readPhones(el, log),
    address: readAddress(kid(el, 'address')),
  });
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
  const push = (v: string | undefined): void => {
    if (v !== undefined) comments.push(v);
  };
  push(richText(kid(el, 'comments')));
  for (const c of kids(el, 'comment')) push(richText(c));
  // Trade Accelerator / HD Marketplace / Room58 (throttleiq-*.xml) put the message in <contact><comment>.
  for (const c of [...kids(contact, 'comment'), ...kids(contact, 'comments')]) {
    const v = richText(c);
    if (v !== undefined) log.add('adf_comment_in_contact', 'The customer message was inside <contact>; it was read as customer comments.');
    push(v);
  }

  const tf = kid(el, 'timeframe');
  const timeframe = compact({
    // The DTD declares timeframe as text; accept a plain-text timeframe as its description.
    description: textAt(tf, 'description') ?? (tf && isSimple(tf) ? text(tf) : undefined),
    earliest: textAt(tf, 'earliestdate'),
    latest: textAt(tf, 'latestdate'),
  });

  collectExtras(el, CUSTOMER_KNOWN, '', extras);
  collectExtras(contact, CONTACT_KNOWN, '', extras);

  return compact({
    ...readContact(contact, log),
    ids: readIds(el),
    comments: comments.length > 0 ? comments.join('\n') : undefined,
    timeframe: Object.keys(timeframe).length > 0 ? timeframe : undefined,
  });
}

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

  const colors: NonNullable<DraftVehicle['colors']> = [];
  for (const cc of kids(v, 'colorcombination')) {
    const color = compact({ exterior: textAt(cc, 'exteriorcolor'), interior: textAt(cc, 'interiorcolor'), preference: textAt(cc, 'preference') });
    // Apollo sends a combination with only a preference; DealerRater sends empty CDATA colours.
    if (color.exterior !== undefined || color.interior !== undefined) colors.push(color);
  }
  const looseColor = compact({ exterior: textAt(v, 'exteriorcolor'), interior: textAt(v, 'interiorcolor') });
  if (looseColor.exterior !== undefined || looseColor.interior !== undefined) {
    log.add('adf_color_outside_combination', 'A colour element outside <colorcombination> was read as a colour.');
    colors.push(looseColor);
  }

  const priceEl = kid(v, 'price');
  const priceValue = text(priceEl);
  for (const a of ['delta', 'relativeto']) {
    const av = attr(priceEl, a);
    if (priceValue !== undefined && av !== undefined) extras[`${prefix}price.${a}`] = av;
  }

  const fin = kid(v, 'finance');
  const amounts: NonNullable<DraftVehicle['finance']>['amounts'] = [];
  for (const a of kids(fin, 'amount')) {
    const value = text(a);
    if (value !== undefined) amounts.push(compact({ value, type: attr(a, 'type'), limit: attr(a, 'limit'), currency: attr(a, 'currency') }));
  }
  const method = textAt(fin, 'method');
  const balance = textAt(fin, 'balance');
  if (balance !== undefined) extras[`${prefix}finance.balance`] = balance;

  const options: string[] = [];
  for (const o of kids(v, 'option')) {
    // Stray HTML such as `<p class="p1">` in option names (Mazda Config) is stripped by richText.
    const name = kid(o, 'optionname') ? richText(kid(o, 'optionname')) : isSimple(o) ? richText(o) : undefined;
    if (name !== undefined) options.push(name);
  }

  const comments = [richText(kid(v, 'comments')), richText(kid(v, 'pricecomments'))].filter((c): c is string => c !== undefined);

  collectExtras(v, VEHICLE_KNOWN, prefix, extras);

  return compact({
    interest: attr(v, 'interest'),
    status: attr(v, 'status'),
    ids: readIds(v),
    year: textAt(v, 'year'),
    make: textAt(v, 'make'),
    model: textAt(v, 'model'),
    trim: textAt(v, 'trim'),
    vin: textAt(v, 'vin'),
    stock: textAt(v, 'stock'),
    bodyStyle: textAt(v, 'bodystyle'),
    transmission: textAt(v, 'transmission'),
    odometer: odoValue !== undefined ? compact({ value: odoValue, units, status: attr(odo, 'status') }) : undefined,
    colors: colors.length > 0 ? colors : undefined,
    price:
      priceValue !== undefined
        ? compact({ value: priceValue, type: attr(priceEl, 'type'), currency: attr(priceEl, 'currency'), source: attr(priceEl, 'source') })
        : undefined,
    finance: method !== undefined || amounts.length > 0 ? compact({ method, amounts }) : undefined,
    options: options.length > 0 ? options : undefined,
    comments: comments.length > 0 ? comments.join('\n') : undefined,
  });
}

function readVendor(el: XNode | undefined, extras: Record<string, string>): LeadDraft['vendor'] {
  if (!el) return undefined;
  const contacts = kids(el, 'contact');
  // DealerRater lists the requested salesperson as primarycontact="1" before the dealership contact.
  const named = [pickPrimary(contacts), ...contacts].find((c) => c !== undefined && kids(c, 'name').some((n) => text(n) !== undefined));
  const vendor = compact({
    ids: readIds(el),
    name: textAt(el, 'vendorname'),
    contactName: fullName(named),
    url: textAt(el, 'url'),
  });
  collectExtras(el, VENDOR_KNOWN, 'vendor.', extras);
  return vendor.ids.length > 0 || Object.keys(vendor).length > 1 ? vendor : undefined;
}

function readProvider(el: XNode | undefined, extras: Record<string, string>): LeadDraft['provider'] {
  if (!el) return undefined;
  const contact = pickPrimary(kids(el, 'contact'));
  const email = [...kids(el, 'email'), ...kids(contact, 'email')].map(text).find((e) => e !== undefined);
  const provider = compact({
    ids: readIds(el),
    // AutoTrader's provider <name> has no part attribute; fullName accepts that.
    name: fullName(el),
    service: textAt(el, 'service'),
    url: textAt(el, 'url'),
    email: email !== undefined ? splitEmails(email)[0] : undefined,
  });
  // TrueCar's custom <leadtype> sits inside <provider>.
  collectExtras(el, PROVIDER_KNOWN, '', extras);
  return provider.ids.length > 0 || Object.keys(provider).length > 1 ? provider : undefined;
}

// Reads STAR 5 ProcessSalesLead documents (Hyundai's OEM/website leads, adf.md §9.8) into LeadDrafts.

import { LeadgateError } from '../errors.js';
import type { DraftAddress, DraftEmail, DraftId, DraftName, DraftPhone, DraftVehicle, LeadDraft } from '../lead.js';
import { splitEmails } from './adf.js';
import { WarningLog, at, attr, compact, descendants, kid, kids, precleanAndParse, refuseOversized, richText, text, textAt, textIn, type XNode, type XmlLimits } from './xml.js';

/** Cheap sniff: a ProcessSalesLead element (any prefix), or the STAR namespace plus a SalesLead. */
export function looksLikeStar(input: string): boolean {
  const head = input.length > 65_536 ? input.slice(0, 65_536) : input;
  if (/<(?:[\w.-]+:)?ProcessSalesLead[\s/>]/i.test(head)) return true;
  return /starstandard\.org\/STAR/i.test(head) && /<(?:[\w.-]+:)?SalesLead[\s/>]/i.test(head);
}

/** LeadInterestCode values; only B is seen in real traffic (star-hyundai-*.xml), the rest are STAR's. */
const INTEREST_CODES: Record<string, string> = { b: 'buy', l: 'lease', s: 'sell', t: 'test-drive' };
/** UseCode words that are really a time of day (the ADF `phone@time` meaning). */
const TIME_WORDS = new Set(['day', 'evening', 'morning', 'afternoon', 'night', 'anytime', 'nopreference']);

/**
 * Parse decoded STAR text into one LeadDraft per SalesLead. Throws LeadgateError not_a_lead when
 * the document holds no SalesLead, and the XML layer's codes.
 */
export function parseStar(input: string, limits?: XmlLimits): LeadDraft[] {
  refuseOversized(input, limits);
  const log = new WarningLog();
  const { doc, precleanWarnings } = precleanAndParse(input, limits);
  log.addAll(precleanWarnings);
  log.addAll(doc.warnings);
  // STAR names are PascalCase by design: lower-casing them is not a repair, so no tag_case warning.

  const root = doc.root.name === 'processsaleslead' ? doc.root : (descendants(doc.root, 'processsaleslead')[0] ?? doc.root);
  const leads = descendants(root, 'saleslead');
  if (leads.length === 0) throw new LeadgateError('not_a_lead', 'The STAR document holds no SalesLead.');
  const warnings = log.list();
  return leads.map((lead, index) => readSalesLead(root, lead, index, warnings));
}

function marketingKey(description: string): string {
  return description.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

function readSalesLead(root: XNode, lead: XNode, index: number, warnings: LeadDraft['warnings']): LeadDraft {
  const app = kid(root, 'applicationarea');
  const header = kid(lead, 'salesleadheader') ?? lead;
  const extras: Record<string, string> = {};
  const setExtra = (key: string, value: string | undefined): void => {
    if (value !== undefined && key !== '' && !(key in extras)) extras[key] = value;
  };

  // Marketing name/value pairs: Lead Source, Lead Program, Campaign ID, TCPA_Consent, IsCILead,
  // PurchaseDescription ... all kept in extras under a snake_case key.
  const marketing = new Map<string, string>();
  for (const m of kids(header, 'marketing')) {
    const name = textIn(m, 'programiddescription');
    const value = richText(kid(m, 'marketingcomment'));
    if (name === undefined || value === undefined) continue;
    const key = marketingKey(name);
    if (!marketing.has(key)) marketing.set(key, value);
    setExtra(key, value);
  }
  setExtra('leadsourcecode', textIn(header, 'leadsourcecode'));
  setExtra('leadstatus', textAt(lead, 'salesleaddetail', 'leadstatus'));
  setExtra('sendernamecode', textAt(app, 'sender', 'sendernamecode'));
  setExtra('creatornamecode', textAt(app, 'sender', 'creatornamecode'));

  const ids: DraftId[] = [];
  for (const d of descendants(kid(header, 'documentidentificationgroup') ?? header, 'documentid')) {
    const value = text(d);
    if (value !== undefined) ids.push({ value, source: 'STAR DocumentID' });
  }

  const interestCode = textIn(header, 'leadinterestcode');
  const interest = interestCode !== undefined ? (INTEREST_CODES[interestCode.toLowerCase()] ?? interestCode) : undefined;
  const headerClass = textIn(header, 'saleclasscode');
  const vehicles = descendants(kid(lead, 'salesleaddetail') ?? lead, 'salesleadvehiclelineitem').map((li, i) =>
    readVehicle(li, i, interest, headerClass, extras),
  );

  const timeframe = marketing.get('purchasedescription') ?? marketing.get('purchase_timeframe');

  return {
    format: 'star',
    index,
    ids,
    ...compact({
      requestDate: textIn(header, 'leadcreationdatetime') ?? textIn(header, 'documentdatetime') ?? textIn(app, 'creationdatetime'),
      vendor: readVendor(kid(header, 'receivingdealerparty'), app),
      provider: readProvider(kid(header, 'providerparty'), app, marketing),
    }),
    customer: readCustomer(kid(header, 'customerprospect'), header, timeframe, setExtra),
    vehicles,
    extras,
    warnings: [...warnings],
  };
}

function readPersonNames(person: XNode | undefined): DraftName[] {
  const names: DraftName[] = [];
  const add = (value: string | undefined, part: string): void => {
    if (value !== undefined) names.push({ value, part });
  };
  add(textIn(person, 'givenname'), 'first');
  add(textIn(person, 'middlename'), 'middle');
  add(textIn(person, 'familyname'), 'last');
  return names;
}

/** TelephoneCommunication: ChannelCode as the type unless UseCode names a kind of line; UseCode time words → time. */
function readPhones(parent: XNode | undefined): DraftPhone[] {
  const phones: DraftPhone[] = [];
  for (const t of kids(parent, 'telephonecommunication')) {
    const value =
      textIn(t, 'completenumber') ??
      ([textIn(t, 'countrydialingcode'), textIn(t, 'areanumbercode'), textIn(t, 'subscribernumber')].filter((p) => p !== undefined).join(' ') ||
        undefined);
    if (value === undefined) continue;
    const use = textIn(t, 'usecode');
    const isTime = use !== undefined && TIME_WORDS.has(use.toLowerCase());
    // Built field by field in compact()'s key order, only with the fields that have a value.
    const phone: DraftPhone = { value };
    const type = (!isTime ? use : undefined) ?? textIn(t, 'channelcode');
    if (type !== undefined) phone.type = type;
    if (isTime) phone.time = use;
    phones.push(phone);
  }
  return phones;
}

function readUris(parent: XNode | undefined): { emails: DraftEmail[]; url?: string } {
  const emails: DraftEmail[] = [];
  let url: string | undefined;
  for (const u of kids(parent, 'uricommunication')) {
    const value = textIn(u, 'uriid');
    if (value === undefined) continue;
    const channel = textIn(u, 'channelcode')?.toLowerCase();
    if (channel === 'email' || (channel === undefined && value.includes('@'))) {
      for (const v of splitEmails(value)) emails.push({ value: v });
    } else if (url === undefined && (channel === 'url' || channel === 'website' || channel === undefined)) {
      url = value;
    }
  }
  return url === undefined ? { emails } : { emails, url };
}

const ADDRESS_LINES = ['lineone', 'linetwo', 'linethree', 'linefour', 'linefive'];

function readAddress(el: XNode | undefined): DraftAddress | undefined {
  if (!el) return undefined;
  const lines: string[] = [];
  for (const name of ADDRESS_LINES) {
    const line = textIn(el, name);
    if (line !== undefined) lines.push(line);
  }
  const address = compact({
    lines,
    city: textIn(el, 'cityname'),
    region: textIn(el, 'stateorprovincecountrysub-divisionid') ?? textIn(el, 'countrysubdivisionid'),
    postalCode: textIn(el, 'postcode'),
    country: textIn(el, 'countryid'),
  });
  return lines.length > 0 || Object.keys(address).length > 1 ? address : undefined;
}

function readCustomer(
  prospect: XNode | undefined,
  header: XNode,
  timeframe: string | undefined,
  setExtra: (key: string, value: string | undefined) => void,
): LeadDraft['customer'] {
  const party = kid(prospect, 'prospectparty') ?? prospect;
  const person = kid(party, 'specifiedperson');
  const org = kid(party, 'specifiedorganization');
  const contactEl = person ?? org;
  const names = readPersonNames(person);
  const company = textIn(org, 'companyname');
  if (company !== undefined) names.push({ value: company, part: 'full', type: 'business' });
  setExtra('contactmethodtypecode', textIn(contactEl, 'contactmethodtypecode'));

  const ids: DraftId[] = [];
  const partyId = textIn(party, 'partyid');
  if (partyId !== undefined) ids.push({ value: partyId, source: 'STAR PartyID' });

  // Built field by field in compact()'s key order, only with the fields that have a value.
  const customer = { names, emails: readUris(contactEl).emails, phones: readPhones(contactEl) } as LeadDraft['customer'];
  const address = readAddress(kid(contactEl, 'postaladdress'));
  if (address !== undefined) customer.address = address;
  customer.ids = ids;
  // A Dealer.com deal dump (fees, APR, KBB trade value) arrives here as CDATA with `&amp;` inside.
  const comments = richText(kid(header, 'customercomments'));
  if (comments !== undefined) customer.comments = comments;
  if (timeframe !== undefined) customer.timeframe = { description: timeframe };
  return customer;
}

function personName(el: XNode | undefined): string | undefined {
  const parts = [textIn(el, 'givenname'), textIn(el, 'familyname')].filter((p): p is string => p !== undefined);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

function readVendor(party: XNode | undefined, app: XNode | undefined): LeadDraft['vendor'] {
  const ids: DraftId[] = [];
  const partyId = textIn(party, 'partyid');
  if (partyId !== undefined) ids.push({ value: partyId, source: 'OEM dealer code' });
  const destination = textAt(app, 'destination', 'dealernumberid');
  if (destination !== undefined && destination !== partyId) ids.push({ value: destination, source: 'STAR DealerNumberID' });
  const org = kid(party, 'specifiedorganization');
  const contact = kid(org, 'primarycontact');
  const vendor = compact({
    ids,
    name: textIn(org, 'companyname'),
    contactName: personName(at(contact, 'personname') ?? contact),
    url: readUris(contact).url ?? readUris(org).url,
  });
  return vendor.ids.length > 0 || Object.keys(vendor).length > 1 ? vendor : undefined;
}

function readProvider(party: XNode | undefined, app: XNode | undefined, marketing: ReadonlyMap<string, string>): LeadDraft['provider'] {
  const org = kid(party, 'specifiedorganization');
  const contact = kid(org, 'primarycontact');
  const uris = readUris(contact);
  const orgUris = readUris(org);
  const ids: DraftId[] = [];
  const partyId = textIn(party, 'partyid');
  if (partyId !== undefined) ids.push({ value: partyId, source: 'STAR PartyID' });
  const sender = textAt(app, 'sender', 'sendernamecode');
  if (sender !== undefined) ids.push({ value: sender, source: 'STAR SenderNameCode' });
  const provider = compact({
    ids,
    name: textIn(org, 'companyname') ?? marketing.get('lead_source') ?? sender,
    service: marketing.get('lead_program'),
    url: uris.url ?? orgUris.url,
    email: uris.emails[0]?.value ?? orgUris.emails[0]?.value,
  });
  return provider.ids.length > 0 || Object.keys(provider).length > 1 ? provider : undefined;
}

function readVehicle(
  li: XNode,
  i: number,
  headerInterest: string | undefined,
  headerClass: string | undefined,
  extras: Record<string, string>,
): DraftVehicle {
  const veh = kid(li, 'salesleadvehicle') ?? li;
  const saleClass = textIn(veh, 'saleclasscode') ?? textIn(li, 'saleclasscode');
  // The trade-in line item says SaleClassCode "Trade In" (star-hyundai-dealercom-tradein-1.xml).
  const isTrade = saleClass !== undefined && /^trade[\s_-]*in$/i.test(saleClass);

  const distance = kid(li, 'currentdistancemeasure') ?? kid(veh, 'currentdistancemeasure');
  const distanceValue = text(distance);

  const pricing = kid(li, 'pricingabie') ?? kid(veh, 'pricingabie');
  const charge = descendants(pricing, 'chargeamount')[0];
  const priceValue = text(charge);

  const colors: NonNullable<DraftVehicle['colors']> = [];
  for (const g of kids(veh, 'colorgroup')) {
    const name = textIn(g, 'colorname');
    if (name === undefined) continue;
    const which = textIn(g, 'coloritemcode')?.toLowerCase();
    colors.push(which === 'interior' ? { interior: name } : { exterior: name });
  }

  const doors = textIn(veh, 'doorsquantitynumeric');
  if (doors !== undefined) extras[`vehicle[${i}].doors`] = doors;

  const vin = textIn(veh, 'vehicleid') ?? textIn(veh, 'vin');
  // Built field by field in compact()'s key order, only with the fields that have a value.
  const vehicle = {} as DraftVehicle;
  const interest = isTrade ? 'trade-in' : headerInterest;
  if (interest !== undefined) vehicle.interest = interest;
  const status = isTrade ? undefined : (saleClass ?? headerClass);
  if (status !== undefined) vehicle.status = status;
  vehicle.ids = [];
  const year = textIn(veh, 'modelyear');
  if (year !== undefined) vehicle.year = year;
  const make = textIn(veh, 'makestring') ?? textIn(veh, 'make');
  if (make !== undefined) vehicle.make = make;
  const model = textIn(veh, 'model');
  if (model !== undefined) vehicle.model = model;
  const trim = textIn(veh, 'trimcode') ?? textIn(veh, 'trimstring');
  if (trim !== undefined) vehicle.trim = trim;
  if (vin !== undefined) vehicle.vin = vin;
  const stock = textIn(li, 'salesstocknumberstring') ?? textIn(veh, 'salesstocknumberstring');
  if (stock !== undefined) vehicle.stock = stock;
  const bodyStyle = textIn(veh, 'bodystyle');
  if (bodyStyle !== undefined) vehicle.bodyStyle = bodyStyle;
  if (distanceValue !== undefined) {
    const units = attr(distance, 'unitcode');
    vehicle.odometer = units === undefined ? { value: distanceValue } : { value: distanceValue, units };
  }
  if (colors.length > 0) vehicle.colors = colors;
  if (priceValue !== undefined) {
    const price: NonNullable<DraftVehicle['price']> = { value: priceValue };
    const currency = attr(charge, 'currencyid');
    if (currency !== undefined) price.currency = currency;
    const type = textIn(pricing, 'pricesourcecode');
    if (type !== undefined) price.type = type;
    vehicle.price = price;
  }
  const comments = richText(kid(veh, 'vehiclenote'));
  if (comments !== undefined) vehicle.comments = comments;
  return vehicle;
}

// Reads STAR 5 ProcessSalesLead documents (Hyundai's OEM/website leads, adf.md §9.8) into LeadDrafts.

import { LeadgateError } from '../errors.js';
import type { DraftAddress, DraftEmail, DraftId, DraftName, DraftPhone, DraftVehicle, LeadDraft } from '../lead.js';
import { splitEmails } from './adf.js';
import { WarningLog, at, attr, compact, descendants, kid, kids, parseXml, preclean, refuseOversized, richText, text, textAt, type XNode, type XmlLimits } from './xml.js';

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
  const pre = preclean(input);
  log.addAll(pre.warnings);
  const doc = parseXml(pre.text, limits);
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
    const name = textAt(m, 'programiddescription');
    const value = richText(kid(m, 'marketingcomment'));
    if (name === undefined || value === undefined) continue;
    const key = marketingKey(name);
    if (!marketing.has(key)) marketing.set(key, value);
    setExtra(key, value);
  }
  setExtra('leadsourcecode', textAt(header, 'leadsourcecode'));
  setExtra('leadstatus', textAt(lead, 'salesleaddetail', 'leadstatus'));
  setExtra('sendernamecode', textAt(app, 'sender', 'sendernamecode'));
  setExtra('creatornamecode', textAt(app, 'sender', 'creatornamecode'));

  const ids: DraftId[] = [];
  for (const d of descendants(kid(header, 'documentidentificationgroup') ?? header, 'documentid')) {
    const value = text(d);
    if (value !== undefined) ids.push({ value, source: 'STAR DocumentID' });
  }

  const interestCode = textAt(header, 'leadinterestcode');
  const interest = interestCode !== undefined ? (INTEREST_CODES[interestCode.toLowerCase()] ?? interestCode) : undefined;
  const headerClass = textAt(header, 'saleclasscode');
  const vehicles = descendants(kid(lead, 'salesleaddetail') ?? lead, 'salesleadvehiclelineitem').map((li, i) =>
    readVehicle(li, i, interest, headerClass, extras),
  );

  const timeframe = marketing.get('purchasedescription') ?? marketing.get('purchase_timeframe');

  return {
    format: 'star',
    index,
    ids,
    ...compact({
      requestDate: textAt(header, 'leadcreationdatetime') ?? textAt(header, 'documentdatetime') ?? textAt(app, 'creationdatetime'),
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
  add(textAt(person, 'givenname'), 'first');
  add(textAt(person, 'middlename'), 'middle');
  add(textAt(person, 'familyname'), 'last');
  return names;
}

/** TelephoneCommunication: ChannelCode as the type unless UseCode names a kind of line; UseCode time words → time. */
function readPhones(parent: XNode | undefined): DraftPhone[] {
  const phones: DraftPhone[] = [];
  for (const t of kids(parent, 'telephonecommunication')) {
    const value =
      textAt(t, 'completenumber') ??
      ([textAt(t, 'countrydialingcode'), textAt(t, 'areanumbercode'), textAt(t, 'subscribernumber')].filter((p) => p !== undefined).join(' ') ||
        undefined);
    if (value === undefined) continue;
    const use = textAt(t, 'usecode');
    const isTime = use !== undefined && TIME_WORDS.has(use.toLowerCase());
    phones.push(compact({ value, type: (!isTime ? use : undefined) ?? textAt(t, 'channelcode'), time: isTime ? use : undefined }));
  }
  return phones;
}

function readUris(parent: XNode | undefined): { emails: DraftEmail[]; url?: string } {
  const emails: DraftEmail[] = [];
  let url: string | undefined;
  for (const u of kids(parent, 'uricommunication')) {
    const value = textAt(u, 'uriid');
    if (value === undefined) continue;
    const channel = textAt(u, 'channelcode')?.toLowerCase();
    if (channel === 'email' || (channel === undefined && value.includes('@'))) {
      for (const v of splitEmails(value)) emails.push({ value: v });
    } else if (url === undefined && (channel === 'url' || channel === 'website' || channel === undefined)) {
      url = value;
    }
  }
  return compact({ emails, url });
}

function readAddress(el: XNode | undefined): DraftAddress | undefined {
  if (!el) return undefined;
  const lines = ['lineone', 'linetwo', 'linethree', 'linefour', 'linefive'].map((n) => textAt(el, n)).filter((l): l is string => l !== undefined);
  const address = compact({
    lines,
    city: textAt(el, 'cityname'),
    region: textAt(el, 'stateorprovincecountrysub-divisionid') ?? textAt(el, 'countrysubdivisionid'),
    postalCode: textAt(el, 'postcode'),
    country: textAt(el, 'countryid'),
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
  const company = textAt(org, 'companyname');
  if (company !== undefined) names.push({ value: company, part: 'full', type: 'business' });
  setExtra('contactmethodtypecode', textAt(contactEl, 'contactmethodtypecode'));

  const ids: DraftId[] = [];
  const partyId = textAt(party, 'partyid');
  if (partyId !== undefined) ids.push({ value: partyId, source: 'STAR PartyID' });

  return compact({
    names,
    emails: readUris(contactEl).emails,
    phones: readPhones(contactEl),
    address: readAddress(kid(contactEl, 'postaladdress')),
    ids,
    // A Dealer.com deal dump (fees, APR, KBB trade value) arrives here as CDATA with `&amp;` inside.
    comments: richText(kid(header, 'customercomments')),
    timeframe: timeframe !== undefined ? { description: timeframe } : undefined,
  });
}

function personName(el: XNode | undefined): string | undefined {
  const parts = [textAt(el, 'givenname'), textAt(el, 'familyname')].filter((p): p is string => p !== undefined);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

function readVendor(party: XNode | undefined, app: XNode | undefined): LeadDraft['vendor'] {
  const ids: DraftId[] = [];
  const partyId = textAt(party, 'partyid');
  if (partyId !== undefined) ids.push({ value: partyId, source: 'OEM dealer code' });
  const destination = textAt(app, 'destination', 'dealernumberid');
  if (destination !== undefined && destination !== partyId) ids.push({ value: destination, source: 'STAR DealerNumberID' });
  const org = kid(party, 'specifiedorganization');
  const contact = kid(org, 'primarycontact');
  const vendor = compact({
    ids,
    name: textAt(org, 'companyname'),
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
  const partyId = textAt(party, 'partyid');
  if (partyId !== undefined) ids.push({ value: partyId, source: 'STAR PartyID' });
  const sender = textAt(app, 'sender', 'sendernamecode');
  if (sender !== undefined) ids.push({ value: sender, source: 'STAR SenderNameCode' });
  const provider = compact({
    ids,
    name: textAt(org, 'companyname') ?? marketing.get('lead_source') ?? sender,
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
  const saleClass = textAt(veh, 'saleclasscode') ?? textAt(li, 'saleclasscode');
  // The trade-in line item says SaleClassCode "Trade In" (star-hyundai-dealercom-tradein-1.xml).
  const isTrade = saleClass !== undefined && /^trade[\s_-]*in$/i.test(saleClass);

  const distance = kid(li, 'currentdistancemeasure') ?? kid(veh, 'currentdistancemeasure');
  const distanceValue = text(distance);

  const pricing = kid(li, 'pricingabie') ?? kid(veh, 'pricingabie');
  const charge = descendants(pricing, 'chargeamount')[0];
  const priceValue = text(charge);

  const colors: NonNullable<DraftVehicle['colors']> = [];
  for (const g of kids(veh, 'colorgroup')) {
    const name = textAt(g, 'colorname');
    if (name === undefined) continue;
    const which = textAt(g, 'coloritemcode')?.toLowerCase();
    colors.push(which === 'interior' ? { interior: name } : { exterior: name });
  }

  const doors = textAt(veh, 'doorsquantitynumeric');
  if (doors !== undefined) extras[`vehicle[${i}].doors`] = doors;

  const vin = textAt(veh, 'vehicleid') ?? textAt(veh, 'vin');
  return compact({
    interest: isTrade ? 'trade-in' : headerInterest,
    status: isTrade ? undefined : (saleClass ?? headerClass),
    ids: [],
    year: textAt(veh, 'modelyear'),
    make: textAt(veh, 'makestring') ?? textAt(veh, 'make'),
    model: textAt(veh, 'model'),
    trim: textAt(veh, 'trimcode') ?? textAt(veh, 'trimstring'),
    vin,
    stock: textAt(li, 'salesstocknumberstring') ?? textAt(veh, 'salesstocknumberstring'),
    bodyStyle: textAt(veh, 'bodystyle'),
    odometer: distanceValue !== undefined ? compact({ value: distanceValue, units: attr(distance, 'unitcode') }) : undefined,
    colors: colors.length > 0 ? colors : undefined,
    price:
      priceValue !== undefined
        ? compact({ value: priceValue, currency: attr(charge, 'currencyid'), type: textAt(pricing, 'pricesourcecode') })
        : undefined,
    comments: richText(kid(veh, 'vehiclenote')),
  });
}

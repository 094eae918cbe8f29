// normalize: turns a LeadDraft (provider strings as sent) into a NormalizedLead (the contract's shapes), recording every repair or guess as a warning.

import type { Customer, DraftId, ExternalId, LeadDraft, NormalizedLead, RawRef, Source, Warning } from '../lead.js';
import { normalizeAddress } from './normalize/address.js';
import { boundDraft } from './normalize/bounds.js';
import { parseRequestDate } from './normalize/dates.js';
import { normalizeEmails } from './normalize/emails.js';
import { normalizeName } from './normalize/names.js';
import { normalizePhones } from './normalize/phones.js';
import { cleanField, normalizeComments, tidy, warn, type WarningSink } from './normalize/text.js';
import { normalizeVehicles } from './normalize/vehicles.js';

export { normalizeAddress, normalizeCountry, normalizePostalCode } from './normalize/address.js';
export { parseLeadDate, parseRequestDate, type DateNote, type ParsedDate } from './normalize/dates.js';
export { isValidEmail, normalizeEmail, normalizeEmails } from './normalize/emails.js';
export { normalizeName, splitFullName, type NormalizedName } from './normalize/names.js';
export { normalizePhone, normalizePhones, normalizePhoneTime, normalizePhoneType, phoneCountry } from './normalize/phones.js';
export { defaultCurrency, parseAmount, parsePrice, type Price } from './normalize/price.js';
export { cleanField, isPlaceholder, normalizeComments, tidy, warn, type WarningSink } from './normalize/text.js';
export {
  isEmptyVehicle,
  normalizeInterest,
  normalizeModel,
  normalizeStatus,
  normalizeVehicle,
  normalizeVehicles,
  normalizeVin,
  normalizeYear,
  parseOdometer,
  type VehicleOptions,
} from './normalize/vehicles.js';
export { cleanVin, validateVin, vinCheckDigit, vinProblem } from './normalize/vin.js';

export interface NormalizeContext {
  /** When leadgate received the input (ISO UTC); also the requestedAt fallback. */
  receivedAt: string;
  channel: string;
  adapter: string;
  raw: RawRef;
  /** Dealer country (ISO 3166 alpha-2) for phone numbers, slash-date order and currency; default US. */
  country?: string;
}

/** Ids with content, tidied; ids with empty content (`<id source="0:ADF XML Email"/>`, TrueCar) carry nothing. */
function cleanIds(ids: readonly DraftId[]): DraftId[] {
  const out: DraftId[] = [];
  for (const id of ids) {
    const value = tidy(id.value);
    if (value === undefined) continue;
    const clean: DraftId = { value };
    const source = tidy(id.source);
    if (source) clean.source = source;
    const sequence = tidy(id.sequence);
    if (sequence) clean.sequence = sequence;
    out.push(clean);
  }
  return out;
}

/** source block: provider as sent (name, else service, else "unknown"); prospect ids as unique { source, id } pairs. */
export function normalizeSource(draft: LeadDraft, ctx: Pick<NormalizeContext, 'channel' | 'adapter'>): Source {
  const name = tidy(draft.provider?.name);
  const service = tidy(draft.provider?.service);
  const provider = name ?? service ?? 'unknown';
  const externalIds: ExternalId[] = [];
  // Only a second id can repeat one: no set for the common single id.
  const seen = draft.ids.length > 1 ? new Set<string>() : undefined;
  for (const id of cleanIds(draft.ids)) {
    // Apollo sends source="" and CarGurus' vehicle ids have none: attribute them to the provider.
    const source = id.source ?? provider;
    if (seen) {
      const k = `${source}\u0000${id.value}`;
      if (seen.has(k)) continue;
      seen.add(k);
    }
    externalIds.push({ source, id: id.value });
  }
  return service
    ? { channel: ctx.channel, adapter: ctx.adapter, provider, service, externalIds }
    : { channel: ctx.channel, adapter: ctx.adapter, provider, externalIds };
}

/** timeframe text: the description, else "earliest–latest" as sent ("from …" / "by …" when one end is missing). */
export function normalizeTimeframe(tf: LeadDraft['customer']['timeframe'], sink: WarningSink = []): string | undefined {
  if (!tf) return undefined;
  const description = cleanField(tf.description, 'timeframe', sink);
  if (description) return description;
  const earliest = tidy(tf.earliest);
  const latest = tidy(tf.latest);
  if (earliest && latest) return `${earliest}–${latest}`;
  if (earliest) return `from ${earliest}`;
  if (latest) return `by ${latest}`;
  return undefined;
}

/** "email" or "phone" from preferredcontact=1 on a kept address/number; both flagged is ambiguous and omitted. */
function preferredContact(email: boolean, phone: boolean, sink: WarningSink): string | undefined {
  if (email && phone) {
    warn(sink, 'preferred_contact_ambiguous', 'Both an email and a phone were flagged as preferred; no preference was recorded');
    return undefined;
  }
  return email ? 'email' : phone ? 'phone' : undefined;
}

/** The year the lead arrived: upper bound (+2) for plausible model years, so normalize stays a pure function of its inputs. */
function referenceYear(receivedAt: string): number {
  const y = Number(receivedAt.slice(0, 4));
  return Number.isInteger(y) && y > 1900 ? y : new Date().getUTCFullYear();
}

/** LeadDraft → NormalizedLead. Pure: the same draft and context always give the same lead and warnings. */
export function normalize(sent: LeadDraft, ctx: NormalizeContext): NormalizedLead {
  // Bounded first: every step below may then spend time in proportion to a field's length.
  const draft = boundDraft(sent);
  const country = (tidy(ctx.country) ?? 'US').toUpperCase();
  // Draft warnings first (what the format reader repaired), then ours in field order.
  const warnings: Warning[] = [...draft.warnings];

  const requestedAt = parseRequestDate(draft.requestDate, { fallback: ctx.receivedAt, country }, warnings);

  const c = draft.customer;
  const name = normalizeName(c.names, warnings);
  const emails = normalizeEmails(c.emails, warnings);
  const phones = normalizePhones(c.phones, country, warnings);
  // Built directly rather than by spreading a conditional object: same keys in the same order, no object copy per lead.
  const customer: Customer = name && Object.keys(name).length ? { name, emails: emails.emails, phones: phones.phones } : { emails: emails.emails, phones: phones.phones };
  const address = normalizeAddress(c.address, warnings);
  if (address) customer.address = address;
  const preferred = preferredContact(emails.preferred, phones.preferred, warnings);
  if (preferred) customer.preferredContact = preferred;
  const timeframe = normalizeTimeframe(c.timeframe, warnings);
  if (timeframe) customer.timeframe = timeframe;
  const comments = normalizeComments(c.comments);
  if (comments) customer.comments = comments;

  const vehicles = normalizeVehicles(draft.vehicles, { country, referenceYear: referenceYear(ctx.receivedAt) }, warnings);

  const lead: NormalizedLead = {
    receivedAt: ctx.receivedAt,
    requestedAt,
    source: normalizeSource(draft, ctx),
    customer,
    vehicles,
    warnings,
    raw: ctx.raw,
    hints: {},
  };

  if (draft.vendor) {
    const ids = cleanIds(draft.vendor.ids);
    const vendorName = tidy(draft.vendor.name);
    if (ids.length > 0 || vendorName) lead.vendor = vendorName ? { ids, name: vendorName } : { ids };
  }

  const providerName = tidy(draft.provider?.name);
  if (providerName) lead.hints.providerName = providerName;
  const providerUrl = tidy(draft.provider?.url);
  if (providerUrl) lead.hints.providerUrl = providerUrl;
  // Most drafts have no extras: no entry arrays and no empty object then.
  const extraKeys = Object.keys(draft.extras);
  if (extraKeys.length > 0) {
    const extras: Record<string, string> = {};
    for (const k of extraKeys) {
      const value = tidy(draft.extras[k]);
      if (value !== undefined && tidy(k) !== undefined) extras[k] = value;
    }
    if (Object.keys(extras).length) lead.hints.extras = extras;
  }
  const status = tidy(draft.status)?.toLowerCase();
  if (status) lead.hints.status = status;

  return lead;
}

// dedupe: decide whether a lead repeats an earlier one (same bytes, provider lead id, idempotency key, or same customer + vehicle within the window) and what it adds.
import type { DuplicateAdds, ExternalId, Lead, Vehicle } from '../lead.js';
import type { LeadRecord, LeadSummary, StoreTx } from '../store.js';

export type DuplicateReason = 'same_bytes' | 'same_provider_lead_id' | 'same_idempotency_key' | 'same_customer_vehicle' | 'same_customer';

export interface DedupeDecision {
  duplicateOf: string;
  reason: DuplicateReason;
  adds?: DuplicateAdds;
}

/**
 * Ids that name a lead rather than describe it. Kia/Mazda Digital put metadata in <id> elements
 * (`LeadType`=TestDrive, `IsCILead`=True, `name:full`=kia.com) and session ids repeat across a
 * shopper's forms, so only ids with a digit, some length and a non-metadata source count.
 */
const METADATA_SOURCE = /session|leadtype|iscilead|name:|mediatype|leadsubprogram|leadprogram|vendor id|dealerid|promotion|campaign|additionalemails/i;

export function providerLeadKeys(ids: ExternalId[]): string[] {
  return ids
    .filter((x) => x.id.length >= 4 && /\d/.test(x.id) && !METADATA_SOURCE.test(x.source))
    .map((x) => `ext:${x.source.trim().toLowerCase()}|${x.id.trim()}`);
}

export function dedupKeys(lead: Pick<Lead, 'raw' | 'source'>, index: number, idempotencyKey?: string): string[] {
  const keys = [`sha:${lead.raw.sha256}#${index}`];
  if (idempotencyKey) keys.push(`idem:${idempotencyKey}#${index}`);
  keys.push(...providerLeadKeys(lead.source.externalIds));
  return keys;
}

const REASON_BY_PREFIX: Record<string, DuplicateReason> = {
  sha: 'same_bytes',
  idem: 'same_idempotency_key',
  ext: 'same_provider_lead_id',
};

const INTEREST = new Set(['buy', 'lease', 'test-drive']);

/** The vehicles a lead is about: what the customer wants; for sell/trade-only leads, the customer's own vehicle. */
function vehiclesOf(vehicles: Vehicle[]): Vehicle[] {
  const wanted = vehicles.filter((v) => INTEREST.has(v.interest));
  return wanted.length ? wanted : vehicles;
}

function ymm(v: Vehicle): string | undefined {
  if (!v.make || !v.model) return undefined;
  return `${v.year ?? ''}|${v.make.toLowerCase()}|${v.model.toLowerCase()}`;
}

/** VIN when both have one; otherwise year + make + model, case-insensitive. */
export function sameVehicle(a: Vehicle, b: Vehicle): boolean {
  if (a.vin && b.vin) return a.vin === b.vin;
  const ka = ymm(a);
  return ka !== undefined && ka === ymm(b);
}

export function matchLeads(next: Vehicle[], earlier: Vehicle[]): DuplicateReason | undefined {
  const n = vehiclesOf(next);
  const e = vehiclesOf(earlier);
  if (n.length === 0 && e.length === 0) return 'same_customer';
  return n.some((x) => e.some((y) => sameVehicle(x, y))) ? 'same_customer_vehicle' : undefined;
}

export function summarize(lead: Pick<Lead, 'customer' | 'vehicles'>): LeadSummary {
  return {
    emails: lead.customer.emails,
    phones: lead.customer.phones.map((p) => p.e164 ?? p.raw),
    vehicles: lead.vehicles,
    ...(lead.customer.comments ? { comments: lead.customer.comments } : {}),
  };
}

export function whatItAdds(next: LeadSummary, first: LeadSummary): DuplicateAdds | undefined {
  const adds: DuplicateAdds = {};
  const emails = next.emails.filter((e) => !first.emails.includes(e));
  if (emails.length) adds.emails = emails;
  const phones = next.phones.filter((p) => !first.phones.includes(p));
  if (phones.length) adds.phones = phones;
  const vehicles = next.vehicles.filter((v) => !first.vehicles.some((w) => v.interest === w.interest && sameVehicle(v, w)));
  if (vehicles.length) adds.vehicles = vehicles;
  if (next.comments && next.comments !== first.comments) adds.comments = next.comments;
  return Object.keys(adds).length ? adds : undefined;
}

function decision(first: LeadRecord, reason: DuplicateReason, summary: LeadSummary): DedupeDecision {
  const adds = whatItAdds(summary, first.summary);
  return { duplicateOf: first.duplicateOf ?? first.leadId, reason, ...(adds ? { adds } : {}) };
}

/** Runs inside the intake transaction, so the decision and the lead it records commit together. */
export async function dedupe(
  tx: StoreTx,
  args: { scope: string; customerId: string; knownCustomer: boolean; keys: string[]; summary: LeadSummary; receivedAt: string; windowDays: number },
): Promise<DedupeDecision | undefined> {
  const byKey = await tx.findLeadByKeys(args.scope, args.keys);
  if (byKey) return decision(byKey.lead, REASON_BY_PREFIX[byKey.key.split(':')[0]], args.summary);
  if (!args.knownCustomer || args.windowDays <= 0) return undefined;
  const since = new Date(Date.parse(args.receivedAt) - args.windowDays * 86_400_000).toISOString();
  for (const earlier of await tx.recentLeadsOfCustomer(args.scope, args.customerId, since)) {
    const reason = matchLeads(args.summary.vehicles, earlier.summary.vehicles);
    if (reason) return decision(earlier, reason, args.summary);
  }
  return undefined;
}

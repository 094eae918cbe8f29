// identify: recognize the customer behind a lead — any matching email or E.164 phone within the dealer's scope is the same customer; names never decide.
import { newId } from '../ids.js';
import type { Customer } from '../lead.js';
import type { StoreTx } from '../store.js';

/** Identity keys of a customer: normalized emails and valid E.164 phones (invalid numbers are too ambiguous to merge on). */
export function identityKeys(customer: Customer): string[] {
  const keys = customer.emails.map((e) => `email:${e}`);
  for (const p of customer.phones) if (p.e164 && p.type !== 'fax') keys.push(`phone:${p.e164}`);
  return [...new Set(keys)];
}

/**
 * Returns the customer id for these keys, creating one when nobody holds them, and links every
 * key to it. When a lead bridges two known customers (email of one, phone of the other) the
 * oldest customer wins; the other keeps its own keys, so no history is rewritten.
 */
export async function identify(tx: StoreTx, scope: string, keys: string[], at: string): Promise<{ customerId: string; known: boolean }> {
  const existing = keys.length ? await tx.findCustomers(scope, keys) : [];
  const customerId = existing[0] ?? newId();
  if (keys.length) await tx.linkCustomerKeys(scope, customerId, keys, at);
  return { customerId, known: existing.length > 0 };
}

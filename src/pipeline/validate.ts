// validate: the one hard rule for a prospect to count as a lead — someone to call back (a name, an email or a phone).
import type { Customer } from '../lead.js';

export function hasContact(customer: Customer): boolean {
  const n = customer.name;
  return customer.emails.length > 0 || customer.phones.length > 0 || Boolean(n?.first || n?.last || n?.full);
}

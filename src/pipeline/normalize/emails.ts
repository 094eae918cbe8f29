// Customer email addresses: strip mailto:, split lists, lower-case, validate pragmatically, de-duplicate.

import type { DraftEmail } from '../../lead.js';
import { tidy, warn, type WarningSink } from './text.js';

// Pragmatic RFC 5322 subset: dot-atom local part, a domain of LDH labels with a letter TLD (or an IDNA xn-- one).
const LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/**
 * A domain: two or more LABELs joined by dots, the last one also a TLD (letters only, 2-63, or an IDNA "xn--" one:
 * `xn--[a-z0-9-]{1,59}`). One test instead of a split and a test per label; being a LABEL too, an "xn--" TLD
 * cannot end in a hyphen. Labels hold no dot, so the labels it sees are the split's (pinned in emails.test.ts).
 */
const DOMAIN = new RegExp(`^(?:${LABEL.source.slice(1, -1)}\\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{0,58}[a-z0-9])$`);

/** What sends an email value through the general path of normalizeEmail. */
const NOT_ONE_PLAIN = /[;,<]|^mailto:/i;

/** True when `address` (already lower-case, no spaces) looks deliverable: local@domain.tld. */
export function isValidEmail(address: string): boolean {
  if (address.length > 254) return false;
  const at = address.lastIndexOf('@');
  if (at < 1) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > 64 || !LOCAL.test(local)) return false;
  return DOMAIN.test(domain);
}

/**
 * One raw email value to zero or more addresses. Handles the EverLogic template's `mailto:` prefix,
 * `Name <addr>` forms, and several addresses in one element separated by `;` or `,` (AutoTrader, TrueCar).
 * Invalid addresses are dropped with `email_invalid`.
 */
export function normalizeEmail(value: string | undefined, sink: WarningSink = []): string[] {
  const text = tidy(value);
  if (text === undefined) return [];
  // One plain address, most values: no list separator, no angle brackets, no mailto: prefix. Then the loop below
  // would see exactly one piece (tidy left nothing to trim) and only lower-case and validate it.
  if (!NOT_ONE_PLAIN.test(text)) {
    const address = text.toLowerCase();
    if (isValidEmail(address)) return [address];
    warn(sink, 'email_invalid', 'An email address was not valid and was dropped');
    return [];
  }
  return readAddresses(text, sink);
}

/**
 * normalizeEmail's general path for a tidied value: every piece of a list unwrapped, stripped of mailto:, lower-cased
 * and validated. Exported for the test that pins normalizeEmail's one-plain-address shortcut to it.
 */
export function readAddresses(text: string, sink: WarningSink): string[] {
  const pieces = text.split(/[;,]/).map((p) => p.trim()).filter((p) => p !== '');
  if (pieces.length > 1) warn(sink, 'email_split', 'Several email addresses were sent in one field and were split');
  const out: string[] = [];
  for (let piece of pieces) {
    const angle = /<([^<>]*)>/.exec(piece);
    if (angle) piece = angle[1]!.trim();
    const mailto = /^mailto:/i.test(piece);
    // A mailto: URL may carry ?subject=… after the address.
    if (mailto) piece = piece.slice('mailto:'.length).split('?')[0]!.trim();
    piece = piece.toLowerCase();
    if (piece === '') continue;
    if (mailto) warn(sink, 'email_mailto_stripped', 'A mailto: prefix was removed from an email address');
    if (!isValidEmail(piece)) {
      warn(sink, 'email_invalid', 'An email address was not valid and was dropped');
      continue;
    }
    out.push(piece);
  }
  return out;
}

/** All customer emails: normalized, unique, in the order sent; `preferred` is true when a kept address was flagged preferredcontact=1. */
export function normalizeEmails(emails: readonly DraftEmail[], sink: WarningSink = []): { emails: string[]; preferred: boolean } {
  const seen = new Set<string>();
  const out: string[] = [];
  let preferred = false;
  for (const e of emails) {
    const addresses = normalizeEmail(e.value, sink);
    if (addresses.length > 0 && e.preferred) preferred = true;
    for (const a of addresses) {
      if (seen.has(a)) continue;
      seen.add(a);
      out.push(a);
    }
  }
  return { emails: out, preferred };
}

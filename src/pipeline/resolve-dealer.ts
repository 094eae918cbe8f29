// resolve-dealer: decide which dealer (rooftop) a lead is for — transport first, then configured vendor ids/names, then the ADF vendor itself — and which identity/dedup scope that dealer shares.
import type { Config, DealerConfig, GroupConfig } from '../config.js';
import type { DraftId, Warning } from '../lead.js';

export interface ResolvedDealer {
  id: string;
  name: string;
  country?: string;
  configured: boolean;
  warnings: Warning[];
}

/** "Mission Viejo Kia [Attn: Staff Name]" → "Mission Viejo Kia" (DealerRater appends the requested salesperson). */
export function cleanVendorName(name: string): string {
  if (isCleanName(name)) return name;
  return name.replace(/\s*\[[^\]]*\]\s*$/, '').replace(/\s+/g, ' ').trim();
}

/**
 * The common vendor name ("Huntington Beach Mazda"): printable ASCII without '[' (so no bracket suffix), words
 * joined by single spaces, no space at either end. cleanVendorName's replaces and trim would return it unchanged
 * (none of its characters is \s but the single inner spaces), so they are skipped.
 */
function isCleanName(name: string): boolean {
  const last = name.length - 1;
  for (let i = 0; i <= last; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x20) {
      if (i === 0 || i === last || name.charCodeAt(i - 1) === 0x20) return false;
    } else if (c < 0x21 || c > 0x7e || c === 0x5b) {
      return false;
    }
  }
  return true;
}

export function slugify(name: string): string {
  return asciiSlug(name) ?? fullSlug(name);
}

/**
 * slugify for an ASCII name, in one pass: NFKD and the diacritic strip change no ASCII text, lower-casing ASCII
 * only maps A-Z, and writing one '-' before a word that follows a run of other characters (none before the first
 * word, none after the last) is what the replace-and-trim gives. Undefined for any other character: fullSlug.
 */
function asciiSlug(name: string): string | undefined {
  let out = '';
  let gap = false;
  for (let i = 0; i < name.length; i++) {
    let c = name.charCodeAt(i);
    if (c >= 0x80) return undefined;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) {
      if (gap && out) out += '-';
      gap = false;
      out += String.fromCharCode(c);
    } else {
      gap = true;
    }
  }
  return out.slice(0, 64);
}

/** slugify's full path (any Unicode name); exported for the test that pins the one-pass ASCII slug to it. */
export function fullSlug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}

/** The scope of a group whose rooftops share customers. Dealer ids cannot hold ':', so it never equals a dealer's own scope. */
export function groupScope(groupId: string): string {
  return `group:${groupId}`;
}

/** Dealer id → scope, for the dealers whose group says identityScope "group"; everyone else is their own scope. */
function sharedScopes(dealers: DealerConfig[], groups: GroupConfig[]): Map<string, string> {
  const sharing = new Set(groups.filter((g) => g.identityScope === 'group').map((g) => g.id));
  const scopes = new Map<string, string>();
  for (const d of dealers) if (d.group && sharing.has(d.group)) scopes.set(d.id, groupScope(d.group));
  return scopes;
}

/**
 * The identity and dedup scope of a dealer: where customer ids are shared and duplicates are
 * looked for. Per dealer (its id) by default; `group:<groupId>` when the dealer's group has
 * identityScope "group" (a shopper who writes to two rooftops of the group is one customer, and
 * the same lead sent to both is a duplicate). Unconfigured dealers are their own scope. For
 * callers without a resolver (CLI commands naming a dealer); the pipeline uses DealerResolver.scopeOf.
 */
export function scopeOf(dealerId: string, config: Pick<Config, 'dealers' | 'groups'>): string {
  return sharedScopes(config.dealers, config.groups).get(dealerId) ?? dealerId;
}

function hit(d: DealerConfig): ResolvedDealer {
  return { id: d.id, name: d.name, country: d.country, configured: true, warnings: [] };
}

export class DealerResolver {
  private readonly byId = new Map<string, DealerConfig>();
  private readonly byVendorId = new Map<string, DealerConfig>();
  private readonly byVendorName = new Map<string, DealerConfig>();
  private readonly scopes: Map<string, string>;

  constructor(dealers: DealerConfig[], groups: GroupConfig[] = []) {
    this.scopes = sharedScopes(dealers, groups);
    for (const d of dealers) {
      this.byId.set(d.id, d);
      for (const v of d.vendorIds ?? []) this.byVendorId.set(v.trim().toLowerCase(), d);
      for (const n of [d.name, ...(d.vendorNames ?? [])]) this.byVendorName.set(cleanVendorName(n).toLowerCase(), d);
    }
  }

  /** See scopeOf(): computed once at startup, a map lookup per lead. */
  scopeOf(dealerId: string): string {
    return this.scopes.get(dealerId) ?? dealerId;
  }

  resolve(vendor: { ids: DraftId[]; name?: string } | undefined, transportDealerId?: string): ResolvedDealer {
    if (transportDealerId) {
      const d = this.byId.get(transportDealerId);
      if (d) return hit(d);
      return {
        id: transportDealerId,
        name: transportDealerId,
        configured: false,
        warnings: [{ code: 'dealer_not_configured', message: 'The dealer named by the transport is not in the configuration.' }],
      };
    }
    // Without configured vendor ids / names the lookups cannot hit: skip their trim and lower-casing.
    if (this.byVendorId.size) {
      for (const id of vendor?.ids ?? []) {
        const d = this.byVendorId.get(id.value.trim().toLowerCase());
        if (d) return hit(d);
      }
    }
    const name = vendor?.name ? cleanVendorName(vendor.name) : '';
    if (name) {
      const d = this.byVendorName.size ? this.byVendorName.get(name.toLowerCase()) : undefined;
      if (d) return hit(d);
      const slug = slugify(name);
      if (slug) {
        return {
          id: slug,
          name,
          configured: false,
          warnings: this.byId.size
            ? [{ code: 'dealer_not_configured', message: 'The lead names a dealer that is not in the configuration; its vendor name was used.' }]
            : [],
        };
      }
    }
    return {
      id: 'unknown',
      name: 'Unknown dealer',
      configured: false,
      warnings: [{ code: 'dealer_unresolved', message: 'The lead names no dealer and none is configured for its source; it was filed under "unknown".' }],
    };
  }
}

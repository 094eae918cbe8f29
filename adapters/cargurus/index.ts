// CarGurus marketplace leads (US ADF and UK plain-text notifications): how to recognize them, the vAuto-issued lead id and the IMV / deal-rating suffix.
import type { Signals } from '../../src/input.js';
import type { LeadDraft, Warning } from '../../src/lead.js';
import type { ProviderAdapter } from '../index.js';
import { labelVehicleIds, serviceSubSource, setAttribution } from '../refine-kit.js';

const BRAND = /^cargurus$/i;

/**
 * CarGurus leads that reach the dealer through Cox's vAuto carry `vAuto-<epoch milliseconds>` as the
 * CarGurus lead id (cargurus-1.xml: vAuto-1760340718386 = 2025-10-13T07:31:58.386Z, the lead's requestdate).
 */
const VAUTO_ID = /^vAuto-(\d{12,14})$/i;

/**
 * The suffix CarGurus appends to the customer's message: "(CarGurus IMV: $26,819 / Deal Rating: Fair Deal /
 * Is From Shippable Listing: No)" (US ADF) or "(CarGurus deal rating: N/A / Is from deliverable listing: No)" (UK text).
 */
const SUFFIX = /\(CarGurus (?:IMV:\s*(N\/A|[^/()]{1,40}?)\s*\/\s*)?Deal Rating:\s*(N\/A|[^/()]{1,40}?)\s*(?:\/[^()]{0,120})?\)\s*$/i;

const DATE_FROM_ID: Warning = {
  code: 'request_date_from_provider_id',
  message: "The lead had no request date; it was read from the time in CarGurus' vAuto lead id.",
};

/** The lead's creation time from a vAuto id, when the number is a plausible epoch (2000–2100). */
export function vAutoTime(id: string): string | undefined {
  const ms = Number(VAUTO_ID.exec(id.trim())?.[1]);
  if (!Number.isFinite(ms) || ms < 946_684_800_000 || ms > 4_102_444_800_000) return undefined;
  return new Date(ms).toISOString();
}

/** IMV (CarGurus' instant market value) and deal rating from the comment suffix; "N/A" means none. */
export function readDealSuffix(comments: string | undefined): { imv?: string; dealRating?: string } | undefined {
  if (!comments) return undefined;
  const m = SUFFIX.exec(comments.length > 4000 ? comments.slice(-4000) : comments);
  if (!m) return undefined;
  const out: { imv?: string; dealRating?: string } = {};
  const imv = m[1]?.trim();
  if (imv && /\d/.test(imv)) out.imv = imv;
  const rating = m[2]?.trim();
  if (rating && !/^n\/?a$/i.test(rating)) out.dealRating = rating;
  return out;
}

function refine(draft: LeadDraft, _signals: Signals): LeadDraft {
  // Vehicle ids CarGurus sends without a source (`<id>63742-M781761B</id>`: listing = dealer id + stock) are CarGurus' own.
  let out = labelVehicleIds(draft, 'CarGurus');

  if (!out.requestDate?.trim()) {
    const time = out.ids.map((id) => vAutoTime(id.value)).find((t) => t !== undefined);
    if (time) out = { ...out, requestDate: time, warnings: [...out.warnings, { ...DATE_FROM_ID }] };
  }

  // The market value and deal rating are CarGurus' words, not the customer's: kept for later steps in extras;
  // the comments stay as sent (the dealer sees them in the CRM), and the vehicle's own price is never touched.
  const deal = readDealSuffix(out.customer.comments);
  if (deal && (deal.imv || deal.dealRating)) {
    const extras = { ...out.extras };
    if (deal.imv) extras['cargurus.imv'] ??= deal.imv;
    if (deal.dealRating) extras['cargurus.dealrating'] ??= deal.dealRating;
    out = { ...out, extras };
  }

  // A provider/service other than "CarGurus" names a CarGurus product: the sub-source.
  return setAttribution(out, 'subSource', serviceSubSource(out, BRAND, 'cargurus'));
}

export const provider: ProviderAdapter = {
  name: 'cargurus',
  title: 'CarGurus',
  provider: 'CarGurus',
  party: 'third',
  formats: ['adf', 'text'],
  match: {
    // provider/name "CarGurus"; provider/url cargurus.com or the cargur.us short links.
    names: /^cargurus\b|(?:^|[/.])cargurus\.(?:com|ca|co\.uk)\b|(?:^|\/\/)cargur\.us\b/i,
    // Never "vAuto": the id prefix names Cox's inventory tool, the source attribute names CarGurus.
    idSources: /^cargurus$/i,
    senderDomains: ['cargurus.com', 'cargurus.ca', 'cargurus.co.uk'],
    subjects: /\bLead Submission from CarGurus\b/i,
  },
  refine,
};

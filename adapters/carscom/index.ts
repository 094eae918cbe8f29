// Cars.com marketplace leads and DealerRater (a Cars Commerce brand) connections: how to recognize them, DealerRater as sub-source, and Cars.com's vehicle-level ids.
import type { Signals } from '../../src/input.js';
import type { DraftAttribution, DraftId, LeadDraft } from '../../src/lead.js';
import type { ProviderAdapter } from '../index.js';

const RULE = 'adapter:carscom';
const DEALERRATER = /dealerrater/i;
const DEALERRATER_DOMAIN = /@(?:[\w-]+\.)*dealerrater\.com$/i;
const DEALERRATER_SUBJECT = /^\s*(?:(?:re|fwd?|fw)\s*:\s*)*DealerRater:/i;

/**
 * DealerRater leads come with provider/name "Cars.com" and service "DealerRater website" (carscom-dealerrater-1.xml,
 * filed by eLead as Cars.com / DealerRater website); the sub-source says which of the two sites the shopper used.
 */
function subSourceOf(draft: LeadDraft, signals: Signals): DraftAttribution['subSource'] {
  const p = draft.provider;
  const field = (['service', 'name', 'url'] as const).find((k) => DEALERRATER.test(p?.[k] ?? ''));
  if (field) return dealerRater(`provider.${field}`, p![field]!.trim());
  const idSource = draft.ids.find((id) => DEALERRATER.test(id.source ?? ''))?.source;
  if (idSource) return dealerRater('id.source', idSource);
  const sender = signals.sender?.trim().toLowerCase();
  if (sender && DEALERRATER_DOMAIN.test(sender)) return dealerRater('sender.domain', sender.slice(sender.lastIndexOf('@') + 1));
  if (signals.subject && DEALERRATER_SUBJECT.test(signals.subject)) return dealerRater('subject', 'DealerRater:');
  return undefined;
}

function dealerRater(signal: string, value: string): DraftAttribution['subSource'] {
  return { value: 'DealerRater', evidence: { signal, value, rule: RULE } };
}

/**
 * Cars.com sends its listing id on the vehicle (a vehicle-level `<id>`), apart from the prospect's lead id. It
 * names the car, not the lead — two shoppers asking about one car share it — so it stays a vehicle id (never
 * a prospect id, which would make the second shopper a duplicate of the first); one without a source is labelled.
 */
function labelVehicleIds(draft: LeadDraft): LeadDraft {
  if (!draft.vehicles.some((v) => v.ids.some((id) => !id.source?.trim()))) return draft;
  const label = (id: DraftId): DraftId => (id.source?.trim() ? id : { ...id, source: 'Cars.com' });
  return { ...draft, vehicles: draft.vehicles.map((v) => ({ ...v, ids: v.ids.map(label) })) };
}

function refine(draft: LeadDraft, signals: Signals): LeadDraft {
  let out = labelVehicleIds(draft);
  const subSource = subSourceOf(draft, signals);
  if (subSource && !out.attribution?.subSource) out = { ...out, attribution: { ...out.attribution, subSource } };
  return out;
}

export const provider: ProviderAdapter = {
  name: 'carscom',
  title: 'Cars.com and DealerRater',
  provider: 'Cars.com',
  party: 'third',
  formats: ['adf', 'text'],
  match: {
    // provider/name "Cars.com" or "DealerRater", service "DealerRater website", url www.dealerrater.com / cars.com.
    names: /^cars\.com\b|^dealerrater\b|(?:^|[/.])(?:cars|dealerrater)\.com\b/i,
    idSources: /^(?:cars\.com|dealerrater)\b/i,
    senderDomains: ['cars.com', 'dealerrater.com'],
    // "Cars.com Used Car Lead for <Dealer> - <Vehicle>", "DealerRater: New connection for <Dealer>".
    subjects: /^\s*(?:(?:re|fwd?|fw)\s*:\s*)*(?:Cars\.com (?:New |Used |Certified )?Car Lead\b|DealerRater: New connection\b)/i,
  },
  refine,
};

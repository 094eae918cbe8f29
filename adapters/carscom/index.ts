// Cars.com marketplace leads and DealerRater (a Cars Commerce brand) connections: how to recognize them, DealerRater as sub-source, and Cars.com's vehicle-level ids.
import type { Signals } from '../../src/input.js';
import type { DraftAttribution, LeadDraft } from '../../src/lead.js';
import type { ProviderAdapter } from '../index.js';
import { labelVehicleIds, setAttribution, subBrandOf, type SubBrand } from '../refine-kit.js';

/**
 * DealerRater leads come with provider/name "Cars.com" and service "DealerRater website" (carscom-dealerrater-1.xml,
 * filed by eLead as Cars.com / DealerRater website); the sub-source says which of the two sites the shopper used.
 */
const DEALERRATER: SubBrand = { value: 'DealerRater', pattern: /dealerrater/i, fields: ['service', 'name', 'url'], domain: 'dealerrater.com' };
const DEALERRATER_SUBJECT = /^\s*(?:(?:re|fwd?|fw)\s*:\s*)*DealerRater:/i;

/** DealerRater named in the lead or its sender, else in the subject of a forwarded "DealerRater: New connection" email. */
function subSourceOf(draft: LeadDraft, signals: Signals): DraftAttribution['subSource'] {
  const named = subBrandOf(draft, signals, DEALERRATER, 'carscom');
  if (named) return named;
  if (signals.subject && DEALERRATER_SUBJECT.test(signals.subject)) return { value: 'DealerRater', evidence: { signal: 'subject', value: 'DealerRater:', rule: 'adapter:carscom' } };
  return undefined;
}

/**
 * Cars.com sends its listing id on the vehicle (a vehicle-level `<id>`), apart from the prospect's lead id. It
 * names the car, not the lead — two shoppers asking about one car share it — so it stays a vehicle id (never
 * a prospect id, which would make the second shopper a duplicate of the first); one without a source is labelled.
 */
function refine(draft: LeadDraft, signals: Signals): LeadDraft {
  return setAttribution(labelVehicleIds(draft, 'Cars.com'), 'subSource', subSourceOf(draft, signals));
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

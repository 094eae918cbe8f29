// Kia Digital (Kia's Shift Digital program): relays Kia.com leads, the dealer's own website vendor's leads and third-party leads, with the lead type as an id.
import type { Signals } from '../../src/input.js';
import type { LeadDraft } from '../../src/lead.js';
import type { ProviderAdapter } from '../index.js';
import { leadTypeOfName, refineRelay, type OemProgram } from '../oem-relay.js';
import { evidence, withAttribution } from '../refine-kit.js';

const PROGRAM: OemProgram = {
  name: 'kia-digital',
  own: /\bkia digital\b/i,
  // provider/name "Kia.com" and `<id source="name:full">kia.com</id>` (kia-digital-kiacom-testdrive-1.xml).
  channels: [{ pattern: /^(?:www\.)?kia\.com$/i, subSource: 'Kia.com' }],
};

/**
 * Kia's metadata ids: `<id sequence="4" source="LeadType">TestDrive</id>` is the form the customer
 * used, the most specific lead-type signal the lead has, so it wins over a relayed form name.
 * `IsCILead`, `sessionId` and `name:full` stay external ids (dedupe ignores them as metadata).
 * The dealer code is the vendor id (`<vendor><id source="Kia Digital">CA328</id>`): already where
 * resolve-dealer looks.
 */
function refine(draft: LeadDraft, signals: Signals): LeadDraft {
  const out = refineRelay(draft, signals, PROGRAM);
  const id = out.ids.find((i) => i.source && /^lead ?type$/i.test(i.source.trim()));
  const type = id ? leadTypeOfName(id.value) : undefined;
  return type ? withAttribution(out, { leadType: { value: type, evidence: evidence(PROGRAM.name, 'id.source', `LeadType=${id!.value.trim()}`) } }) : out;
}

export const provider: ProviderAdapter = {
  name: 'kia-digital',
  title: 'Kia Digital (Kia OEM program)',
  provider: 'Kia Digital',
  party: 'second',
  formats: ['adf'],
  match: {
    // provider/service "Kia Digital" on every relayed lead; provider/name "Kia Digital - 3rd Party Lead".
    // Not "Kia.com" alone (the catalog's) and never a dealership named "… Kia".
    names: /\bkia digital\b/i,
    idSources: /^kia digital$/i,
    // eLead's relay (starlead@eleadcrm.com) names no provider; its subject does.
    subjects: /^Kia ADF XML Lead\b/i,
  },
  refine,
};

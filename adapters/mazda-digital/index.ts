// Mazda Digital (Mazda's Shift Digital program): relays the dealer's website and chat vendors' leads (Team Velocity, Roadster, CarNow) and Mazda Financial Services' lease-end app.
import type { Signals } from '../../src/input.js';
import type { LeadDraft } from '../../src/lead.js';
import type { ProviderAdapter } from '../index.js';
import { refineRelay, type OemProgram } from '../oem-relay.js';
import { evidence, withAttribution } from '../refine-kit.js';

const MFS = /\bMFS Lease End\b/i;

const PROGRAM: OemProgram = {
  name: 'mazda-digital',
  own: /\bmazda digital\b/i,
  // provider/name "MFS Lease End App": Mazda's captive finance (mazda-digital-mfs-leaseend-1.xml).
  channels: [{ pattern: MFS, subSource: 'MFS Lease End' }],
  // The dealer code is the vendor id (`<vendor><id source="Mazda Digital">42066</id>`); the MFS app
  // repeats it as `<id source="vendor id">` (dedupe treats that as metadata), so nothing moves.
};

/** Vehicle comments "Maturity Date: 10-28-2025, Customer Intent: PURCHASE_CONFIRMED". */
const INTENT = /\bCustomer Intent:\s*([A-Z_]{3,40})\b/;

/**
 * A lease-end lead whose customer confirmed buying the leased car is a used-vehicle sale (the
 * lease buy-out), whatever `status="new"` the app writes on the vehicle; other intents say
 * nothing we can map, and the vehicle decides. The comments' key/value block (OwnershipType,
 * ServicingDealerCode, empty VIN …, sent twice) holds nothing the structured fields lack.
 */
function leaseEnd(draft: LeadDraft): LeadDraft {
  if (!MFS.test(draft.provider?.name ?? '')) return draft;
  for (const v of draft.vehicles) {
    const intent = INTENT.exec(v.comments ?? '')?.[1];
    if (intent === 'PURCHASE_CONFIRMED') {
      return withAttribution(draft, { leadType: { value: 'sales-used', evidence: evidence(PROGRAM.name, 'vehicle.comments', `Customer Intent=${intent}`) } });
    }
  }
  return draft;
}

function refine(draft: LeadDraft, signals: Signals): LeadDraft {
  return leaseEnd(refineRelay(draft, signals, PROGRAM));
}

export const provider: ProviderAdapter = {
  name: 'mazda-digital',
  title: 'Mazda Digital (Mazda OEM program)',
  provider: 'Mazda Digital',
  party: 'second',
  formats: ['adf'],
  match: {
    // provider/service "Mazda Digital" and `<id source="Mazda Digital">` on every relayed lead.
    names: /\bmazda digital\b/i,
    idSources: /^mazda digital$/i,
    subjects: /^Mazda ADF XML Lead\b/i,
  },
  refine,
};

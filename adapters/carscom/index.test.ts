// Tests for the Cars.com / DealerRater adapter: detection, DealerRater as sub-source from each signal, vehicle-level ids, and its fixtures through the whole pipeline.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Lead, LeadDraft } from '../../src/lead.js';
import { readInput } from '../../src/pipeline/read.js';
import { describeDetection, describeFixtures, draft, leadsOf, REPO } from '../test-kit.js';
import { provider } from './index.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const refine = (d: LeadDraft, signals = {}): LeadDraft => provider.refine!(d, signals);

// Every signal delivery.md §2.3 lists; never CarsDirect nor Dealer Inspire.
describeDetection(
  provider,
  {
    names: ['Cars.com', 'DealerRater', 'DealerRater website', 'www.dealerrater.com', 'https://www.cars.com'],
    idSources: ['Cars.com', 'DealerRater'],
    senders: ['salesleads@cars.com', 'noreply@dealerrater.com'],
    subjects: ['Cars.com Used Car Lead for Mission Viejo Kia - 2021 Kia Telluride EX', 'Cars.com New Car Lead for Tustin Mazda', 'DealerRater: New connection for Mission Viejo Kia'],
  },
  { notMine: { names: ['CarsDirect', 'carsdirect.com', 'Dealer Inspire - Website', 'usedcars.com', 'Kia Digital - 3rd Party Lead'], senders: ['leads@carsdirect.com'] } },
);

describe('carscom: DealerRater → subSource', () => {
  const evidence = (signal: string, value: string) => ({ value: 'DealerRater', evidence: { signal, value, rule: 'adapter:carscom' } });

  it('reads it from the provider block first (carscom-dealerrater-1.xml: name "Cars.com", service "DealerRater website")', () => {
    const out = refine(draft({ provider: { ids: [], name: 'Cars.com', service: 'DealerRater website', url: 'www.dealerrater.com' } }));
    expect(out.attribution?.subSource).toEqual(evidence('provider.service', 'DealerRater website'));
  });

  it('then from an id source, the sender domain, or the subject', () => {
    expect(refine(draft({ ids: [{ value: '123456', source: 'DealerRater' }] })).attribution?.subSource).toEqual(evidence('id.source', 'DealerRater'));
    expect(refine(draft(), { sender: 'noreply@dealerrater.com' }).attribution?.subSource).toEqual(evidence('sender.domain', 'dealerrater.com'));
    expect(refine(draft(), { subject: 'Fwd: DealerRater: New connection for Mission Viejo Kia' }).attribution?.subSource).toEqual(evidence('subject', 'DealerRater:'));
  });

  it('gives plain Cars.com leads no sub-source', () => {
    expect(refine(draft({ provider: { ids: [], name: 'Cars.com' } }), { sender: 'salesleads@cars.com' }).attribution).toBeUndefined();
  });
});

describe('carscom: vehicle-level ids', () => {
  it('labels a source-less vehicle id as Cars.com and never promotes it to a lead id', () => {
    const d = draft({ ids: [{ value: 'lead-guid', source: 'Cars.com' }], vehicles: [{ ids: [{ value: '1100000162' }] }] });
    const out = refine(d);
    expect(out.vehicles[0]!.ids).toEqual([{ value: '1100000162', source: 'Cars.com' }]);
    expect(out.ids).toEqual(d.ids);
  });

  it('keeps the listing id out of the external ids (two shoppers of one car are not one lead)', async () => {
    const { drafts } = await readInput({ bytes: readFileSync(new URL('carscom-synthetic-1.xml', FIXTURES)), contentType: 'application/xml', transport: 'http', receivedAt: '2026-01-15T17:00:00.000Z' });
    expect(drafts[0]!.vehicles[0]!.ids).toEqual([{ value: '1100000162', source: 'Cars.com', sequence: '1' }]);
    const [lead] = await leadsOf(new URL('carscom-synthetic-1.xml', FIXTURES));
    expect(lead!.source.externalIds).toEqual([{ source: 'Cars.com', id: '3f2b9c6e-0d41-4a7b-9e15-6c2d8a4f0162' }]);
  });
});

// One fixture for each brand.
const brandIs =
  (subSource: string | undefined) =>
  ([lead]: Lead[]): void =>
    expect([lead!.source.provider, lead!.source.subSource, lead!.party]).toEqual(['Cars.com', subSource, 'third']);
describeFixtures(provider, FIXTURES, {
  'carscom-dealerrater-1.xml': brandIs('DealerRater'),
  'carscom-synthetic-1.xml': brandIs(undefined),
});

describe('carscom: the shared corpus', () => {
  it.each([
    ['fixtures/emails/text-carscom-unlabeled.eml', undefined],
    ['fixtures/emails/attachment-xml-dealerrater.eml', 'DealerRater'],
  ])('%s is Cars.com / %s, third party', async (path, subSource) => {
    brandIs(subSource)(await leadsOf(new URL(path, REPO)));
  });
});

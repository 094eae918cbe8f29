// Tests for the Autotrader adapter: detection, the product (Wallet) as sub-source, the Wallet details block, and its fixture through the whole pipeline.
import { describe, expect, it } from 'vitest';
import type { DraftVehicle, LeadDraft } from '../../src/lead.js';
import { describeDetection, describeFixtures, draft, EMAILS, leadsOf } from '../test-kit.js';
import { provider, readWalletDetails } from './index.js';

const refine = (d: LeadDraft, signals = {}): LeadDraft => provider.refine!(d, signals);

const WALLET = [
  'Is your Certified 2022 MAZDA CX-9 Grand Touring listed for $28,987 still available?',
  '--------',
  'My Wallet/Offer Details:',
  'Deal Type: lease,',
  'Sale Price: $28987,',
  'Down Payment: $9701.0,',
  'Trade-In Value: $40000.0',
  ';',
  'TCPAOptIn: false;',
].join('\n');

// Every signal delivery.md §2.3 lists.
describeDetection(
  provider,
  {
    names: ['AutoTrader.com', 'Autotrader', 'http://www.autotrader.com/'],
    idSources: ['AutoTrader.com'],
    senders: ['dealerleads@autotrader.com'],
    subjects: ['Wallet Lead: Autotrader Vehicle: Certified 2022 MAZDA CX-9 - Owner 100008806'],
  },
  { notMine: { names: ['Cycle Trader', 'Kelley Blue Book', 'CarGurus', 'Kia Digital - 3rd Party Lead'], subjects: ['Lead Submission from CarGurus'] } },
);

describe('autotrader: product → subSource', () => {
  it('turns provider/service "Wallet Lead" into "Wallet", with the service as evidence', () => {
    const out = refine(draft({ provider: { ids: [], name: 'AutoTrader.com', service: 'Wallet Lead' } }));
    expect(out.attribution?.subSource).toEqual({ value: 'Wallet', evidence: { signal: 'provider.service', value: 'Wallet Lead', rule: 'adapter:autotrader' } });
  });

  it('reads the product from the subject when the ADF has no service, keeping the vehicle and dealer out of the evidence', () => {
    const out = refine(draft(), { subject: 'Fwd: Wallet Lead: Autotrader Vehicle: Certified 2022 MAZDA CX-9 - Owner 100008806' });
    expect(out.attribution?.subSource).toEqual({ value: 'Wallet', evidence: { signal: 'subject', value: 'Wallet Lead: Autotrader', rule: 'adapter:autotrader' } });
  });

  it('gives no sub-source when the service is only the brand', () => {
    expect(refine(draft({ provider: { ids: [], name: 'AutoTrader.com', service: 'AutoTrader.com' } })).attribution).toBeUndefined();
  });
});

describe('autotrader: Wallet details in the comments', () => {
  it('reads the deal type and sale price', () => {
    expect(readWalletDetails(WALLET)).toEqual({ dealType: 'lease', salePrice: '28987' });
    expect(readWalletDetails('Is it still available?')).toBeUndefined();
  });

  it('fills only what the ADF left empty, with a warning', () => {
    const out = refine(draft({ vehicles: [{ ids: [], year: '2022', make: 'MAZDA', model: 'CX-9' }] }, WALLET));
    expect(out.vehicles[0]).toMatchObject({ interest: 'lease', price: { value: '28987', type: 'offer' }, finance: { method: 'lease', amounts: [] } });
    expect(out.warnings.map((w) => w.code)).toEqual(['comments_mined']);
  });

  it('never overrides a structured price, finance method or interest', () => {
    const vehicle: DraftVehicle = { ids: [], interest: 'buy', price: { value: '27000', type: 'quote' }, finance: { method: 'finance', amounts: [] } };
    const d = draft({ vehicles: [vehicle] }, WALLET);
    const out = refine(d);
    expect(out.vehicles[0]).toBe(vehicle);
    expect(out.warnings).toEqual([]);
  });

  it('leaves a trade-in-only lead alone', () => {
    const d = draft({ vehicles: [{ ids: [], interest: 'trade-in' }] }, WALLET);
    expect(refine(d).vehicles).toBe(d.vehicles);
  });
});

describeFixtures(provider, new URL('./fixtures/', import.meta.url), {
  'autotrader-wallet-1.xml': ([lead]) => {
    expect([lead!.source.provider, lead!.source.subSource, lead!.party, lead!.leadType]).toEqual(['Autotrader', 'Wallet', 'third', 'sales-used']);
    // The real lead's vehicle already has its price and finance method: nothing was mined over them.
    expect(lead!.warnings.map((w) => w.code)).not.toContain('comments_mined');
  },
});

describe('autotrader: the shared corpus', () => {
  it('the HTML-escaped email copy is Autotrader / Wallet too', async () => {
    const [lead] = await leadsOf(new URL('html-escaped-autotrader-wallet.eml', EMAILS));
    expect([lead!.source.provider, lead!.source.subSource, lead!.party]).toEqual(['Autotrader', 'Wallet', 'third']);
  });
});

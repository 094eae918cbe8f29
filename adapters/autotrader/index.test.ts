// Tests for the Autotrader adapter: detection, the product (Wallet) as sub-source, the Wallet details block, and its fixture through the whole pipeline.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { DraftVehicle, Lead, LeadDraft } from '../../src/lead.js';
import { silentLogger } from '../../src/log.js';
import { offlineLead, Pipeline } from '../../src/pipeline/index.js';
import { expectGolden, leadsOrRejection } from '../../test/support/golden.js';
import { PROVIDERS } from '../index.js';
import { provider, readWalletDetails } from './index.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const REPO = new URL('../../', import.meta.url);
const pipeline = new Pipeline(loadConfig({ env: {} }), undefined, silentLogger);

async function leadsOf(file: URL): Promise<Lead[]> {
  const email = !file.pathname.endsWith('.xml');
  const raw = { bytes: readFileSync(file), contentType: email ? 'message/rfc822' : 'application/xml', transport: email ? 'smtp' : 'http', receivedAt: '2026-01-15T17:00:00.000Z' };
  return (await pipeline.prepare(raw)).map(offlineLead);
}

const draft = (over: Partial<LeadDraft> = {}, comments?: string): LeadDraft => ({
  format: 'adf', index: 0, ids: [], customer: { names: [], emails: [], phones: [], ids: [], ...(comments ? { comments } : {}) }, vehicles: [], extras: {}, warnings: [], ...over,
});
const refine = (d: LeadDraft, signals = {}): LeadDraft => provider.refine!(d, signals);
const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1);
const claimsSender = (p: typeof provider, address: string): boolean =>
  (p.match.senderDomains ?? []).some((d) => domainOf(address) === d || domainOf(address).endsWith(`.${d}`));

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

describe('autotrader: detection', () => {
  const names = ['AutoTrader.com', 'Autotrader', 'http://www.autotrader.com/'];
  const idSources = ['AutoTrader.com'];
  const senders = ['dealerleads@autotrader.com'];
  const subjects = ['Wallet Lead: Autotrader Vehicle: Certified 2022 MAZDA CX-9 - Owner 100008806'];

  it('recognizes every signal delivery.md §2.3 lists', () => {
    for (const n of names) expect(provider.match.names!.test(n), n).toBe(true);
    for (const s of idSources) expect(provider.match.idSources!.test(s), s).toBe(true);
    for (const s of senders) expect(claimsSender(provider, s), s).toBe(true);
    for (const s of subjects) expect(provider.match.subjects!.test(s), s).toBe(true);
  });

  it("claims no other provider's lead, and no other adapter claims an Autotrader one", () => {
    for (const n of ['Cycle Trader', 'Kelley Blue Book', 'CarGurus', 'Kia Digital - 3rd Party Lead']) expect(provider.match.names!.test(n), n).toBe(false);
    expect(provider.match.subjects!.test('Lead Submission from CarGurus')).toBe(false);
    for (const other of PROVIDERS.filter((p) => p.name !== provider.name)) {
      for (const n of names) expect(other.match.names?.test(n) ?? false, `${other.name} ~ ${n}`).toBe(false);
      for (const s of idSources) expect(other.match.idSources?.test(s) ?? false, `${other.name} ~ ${s}`).toBe(false);
      for (const s of senders) expect(claimsSender(other, s), `${other.name} ~ ${s}`).toBe(false);
      for (const s of subjects) expect(other.match.subjects?.test(s) ?? false, `${other.name} ~ ${s}`).toBe(false);
    }
  });

  it('is registered', () => {
    expect(PROVIDERS).toContain(provider);
  });
});

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

describe('autotrader: fixtures through the pipeline', () => {
  const files = readdirSync(FIXTURES).filter((f) => /\.(xml|eml)$/.test(f)).sort();

  it('has its fixture', () => {
    expect(files).toEqual(['autotrader-wallet-1.xml']);
  });

  it.each(files)('%s matches its expected output', async (file) => {
    const result = await leadsOrRejection(() => leadsOf(new URL(file, FIXTURES)));
    expectGolden(new URL(file.replace(/\.\w+$/, '.expected.json'), FIXTURES), result, 'adapters/autotrader/index.test.ts');
    const [lead] = result as Lead[];
    expect([lead!.source.provider, lead!.source.subSource, lead!.party, lead!.leadType]).toEqual(['Autotrader', 'Wallet', 'third', 'sales-used']);
    // The real lead's vehicle already has its price and finance method: nothing was mined over them.
    expect(lead!.warnings.map((w) => w.code)).not.toContain('comments_mined');
  });

  it('the HTML-escaped email copy in the shared corpus is Autotrader / Wallet too', async () => {
    const [lead] = await leadsOf(new URL('fixtures/emails/html-escaped-autotrader-wallet.eml', REPO));
    expect([lead!.source.provider, lead!.source.subSource, lead!.party]).toEqual(['Autotrader', 'Wallet', 'third']);
  });
});

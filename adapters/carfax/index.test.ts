// Tests for the CARFAX adapter: detection by sender and brand only, and its plain-text fixture through the whole pipeline.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Lead } from '../../src/lead.js';
import { silentLogger } from '../../src/log.js';
import { offlineLead, Pipeline } from '../../src/pipeline/index.js';
import { expectGolden, leadsOrRejection } from '../../test/support/golden.js';
import { PROVIDERS } from '../index.js';
import { provider } from './index.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const pipeline = new Pipeline(loadConfig({ env: {} }), undefined, silentLogger);

async function leadsOf(file: URL, contentType = 'message/rfc822'): Promise<Lead[]> {
  const raw = { bytes: readFileSync(file), contentType, transport: 'smtp', receivedAt: '2026-01-15T17:00:00.000Z' };
  return (await pipeline.prepare(raw)).map(offlineLead);
}

const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1);
const claimsSender = (p: typeof provider, address: string): boolean =>
  (p.match.senderDomains ?? []).some((d) => domainOf(address) === d || domainOf(address).endsWith(`.${d}`));

describe('carfax: detection', () => {
  const names = ['CARFAX', 'Carfax', 'https://www.carfax.com'];
  const senders = ['NoReplyLead@carfax.com'.toLowerCase()];

  it('recognizes the sender delivery.md §2.3 lists and the brand', () => {
    for (const n of names) expect(provider.match.names!.test(n), n).toBe(true);
    for (const s of senders) expect(claimsSender(provider, s), s).toBe(true);
  });

  it("claims no other provider's lead, and no other adapter claims a CARFAX one", () => {
    // A CARFAX report link in another provider's lead is not a CARFAX lead: names are anchored.
    for (const n of ['Cars.com', 'Dealer.com - Free CARFAX report', 'carfaxdealer.example']) expect(provider.match.names!.test(n), n).toBe(false);
    for (const other of PROVIDERS.filter((p) => p.name !== provider.name)) {
      for (const n of names) expect(other.match.names?.test(n) ?? false, `${other.name} ~ ${n}`).toBe(false);
      for (const s of senders) expect(claimsSender(other, s), `${other.name} ~ ${s}`).toBe(false);
    }
  });

  it('is registered, with no refine (nothing CARFAX-specific to decide)', () => {
    expect(PROVIDERS).toContain(provider);
    expect(provider.refine).toBeUndefined();
  });
});

describe('carfax: fixtures through the pipeline', () => {
  const files = readdirSync(FIXTURES).filter((f) => /\.(xml|eml)$/.test(f)).sort();

  it('has its fixture', () => {
    expect(files).toEqual(['text-carfax.eml']);
  });

  it.each(files)('%s matches its expected output', async (file) => {
    const result = await leadsOrRejection(() => leadsOf(new URL(file, FIXTURES)));
    expectGolden(new URL(file.replace(/\.\w+$/, '.expected.json'), FIXTURES), result, 'adapters/carfax/index.test.ts');
    const [lead] = result as Lead[];
    expect([lead!.source.provider, lead!.source.adapter, lead!.party]).toEqual(['CARFAX', 'carfax', 'third']);
    expect(lead!.classification.provider.rule).toBe('adapter:carfax');
  });
});

// Tests for the OfferUp adapter: detection, the id that holds only "OFFERUP", and its synthetic fixture through the whole pipeline.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Lead, LeadDraft } from '../../src/lead.js';
import { silentLogger } from '../../src/log.js';
import { offlineLead, Pipeline } from '../../src/pipeline/index.js';
import { expectGolden, leadsOrRejection } from '../../test/support/golden.js';
import { PROVIDERS } from '../index.js';
import { provider } from './index.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const pipeline = new Pipeline(loadConfig({ env: {} }), undefined, silentLogger);

async function leadsOf(file: URL): Promise<Lead[]> {
  const email = !file.pathname.endsWith('.xml');
  const raw = { bytes: readFileSync(file), contentType: email ? 'message/rfc822' : 'application/xml', transport: email ? 'smtp' : 'http', receivedAt: '2026-01-15T17:00:00.000Z' };
  return (await pipeline.prepare(raw)).map(offlineLead);
}

const draft = (over: Partial<LeadDraft> = {}): LeadDraft => ({
  format: 'adf', index: 0, ids: [], customer: { names: [], emails: [], phones: [], ids: [] }, vehicles: [], extras: {}, warnings: [], ...over,
});
const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1);
const claimsSender = (p: typeof provider, address: string): boolean =>
  (p.match.senderDomains ?? []).some((d) => domainOf(address) === d || domainOf(address).endsWith(`.${d}`));

describe('offerup: detection', () => {
  const names = ['OfferUp', 'https://offerup.com'];
  const idSources = ['OFFERUP'];
  const senders = ['offerup@notify.offerup.com'];
  const subjects = ['OfferUp Lead'];

  it('recognizes every signal delivery.md §2.3 lists', () => {
    for (const n of names) expect(provider.match.names!.test(n), n).toBe(true);
    for (const s of idSources) expect(provider.match.idSources!.test(s), s).toBe(true);
    for (const s of senders) expect(claimsSender(provider, s), s).toBe(true);
    for (const s of subjects) expect(provider.match.subjects!.test(s), s).toBe(true);
  });

  it("claims no other provider's lead, and no other adapter claims an OfferUp one", () => {
    for (const n of ['Facebook', 'Cars.com', 'CarGurus']) expect(provider.match.names!.test(n), n).toBe(false);
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

describe('offerup: refine', () => {
  it('drops the id that holds only the provider name, with a warning, and keeps real ids', () => {
    const d = draft({ ids: [{ value: 'OFFERUP', source: 'OFFERUP', sequence: '1' }, { value: '9876543', source: 'OfferUp Lead ID' }] });
    const out = provider.refine!(d, {});
    expect(out.ids).toEqual([{ value: '9876543', source: 'OfferUp Lead ID' }]);
    expect(out.warnings.map((w) => w.code)).toEqual(['provider_id_placeholder_dropped']);
    expect(d.ids).toHaveLength(2);
  });

  it('returns a lead without such an id unchanged', () => {
    const d = draft({ ids: [{ value: '9876543', source: 'OFFERUP' }] });
    expect(provider.refine!(d, {})).toBe(d);
  });
});

describe('offerup: fixtures through the pipeline (synthetic: no real sample is shared)', () => {
  const files = readdirSync(FIXTURES).filter((f) => /\.(xml|eml)$/.test(f)).sort();

  it('has its fixture', () => {
    expect(files).toEqual(['offerup-synthetic-1.eml']);
  });

  it.each(files)('%s matches its expected output', async (file) => {
    const result = await leadsOrRejection(() => leadsOf(new URL(file, FIXTURES)));
    expectGolden(new URL(file.replace(/\.\w+$/, '.expected.json'), FIXTURES), result, 'adapters/offerup/index.test.ts');
    const [lead] = result as Lead[];
    expect([lead!.source.provider, lead!.party, lead!.leadType]).toEqual(['OfferUp', 'third', 'sales-used']);
    // The documented OfferUp quirks, each handled: the name-only id, the "N/A" last name, the missing interest, the bogus offset.
    expect(lead!.source.externalIds).toEqual([]);
    expect(lead!.customer.name).toEqual({ first: 'Firstname' });
    expect(lead!.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['provider_id_placeholder_dropped', 'placeholder_dropped', 'interest_defaulted', 'requestdate_bad_offset']));
  });
});

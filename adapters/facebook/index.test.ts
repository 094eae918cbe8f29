// Tests for the Facebook lead-ads adapter: detection, first party, the relaying marketing vendor as sub-source, and its fixture through the whole pipeline.
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
  format: 'text', index: 0, ids: [], customer: { names: [], emails: [], phones: [], ids: [] }, vehicles: [], extras: {}, warnings: [], ...over,
});
const refine = (d: LeadDraft, signals = {}): LeadDraft => provider.refine!(d, signals);
const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1);
const claimsSender = (p: typeof provider, address: string): boolean =>
  (p.match.senderDomains ?? []).some((d) => domainOf(address) === d || domainOf(address).endsWith(`.${d}`));

describe('facebook: detection', () => {
  // "Facebook" is what the email reader names a tvmnotify.com lead; "facebook" comes from `##source##: facebook`.
  const names = ['Facebook', 'facebook', 'Facebook Lead Ads'];
  const idSources = ['Facebook', 'Apollo Ads'];
  const senders = ['noreply@tvmnotify.com'];
  const subjects = ['Facebook Lead'];

  it('recognizes every signal delivery.md §2.3 and adf.md §10 describe', () => {
    for (const n of names) expect(provider.match.names!.test(n), n).toBe(true);
    for (const s of idSources) expect(provider.match.idSources!.test(s), s).toBe(true);
    for (const s of senders) expect(claimsSender(provider, s), s).toBe(true);
    for (const s of subjects) expect(provider.match.subjects!.test(s), s).toBe(true);
  });

  it("does not claim Team Velocity's website leads, nor another provider's", () => {
    for (const n of ['Apollo Websites - Contact Dealer', 'Team Velocity - Value Your Trade', 'OfferUp']) expect(provider.match.names!.test(n), n).toBe(false);
    expect(provider.match.idSources!.test('Apollo Websites')).toBe(false);
    expect(claimsSender(provider, 'leads@velocityoffersites.com')).toBe(false);
  });

  it('is claimed by no other adapter', () => {
    for (const other of PROVIDERS.filter((p) => p.name !== provider.name)) {
      for (const n of names) expect(other.match.names?.test(n) ?? false, `${other.name} ~ ${n}`).toBe(false);
      for (const s of idSources) expect(other.match.idSources?.test(s) ?? false, `${other.name} ~ ${s}`).toBe(false);
      for (const s of senders) expect(claimsSender(other, s), `${other.name} ~ ${s}`).toBe(false);
      for (const s of subjects) expect(other.match.subjects?.test(s) ?? false, `${other.name} ~ ${s}`).toBe(false);
    }
  });

  it('is registered, as first party (the dealer\'s own social ads)', () => {
    expect(PROVIDERS).toContain(provider);
    expect(provider.party).toBe('first');
  });
});

describe('facebook: the relaying vendor → subSource', () => {
  const teamVelocity = (signal: string, value: string) => ({ value: 'Team Velocity', evidence: { signal, value, rule: 'adapter:facebook' } });

  it('reads the vendor from the sender domain or the Apollo Ads id source', () => {
    expect(refine(draft(), { sender: 'noreply@tvmnotify.com' }).attribution?.subSource).toEqual(teamVelocity('sender.domain', 'tvmnotify.com'));
    expect(refine(draft({ ids: [{ value: '12345', source: 'Apollo Ads' }] })).attribution?.subSource).toEqual(teamVelocity('id.source', 'Apollo Ads'));
  });

  it('names no vendor when nothing says which one relayed it (a dealer forwarding a bare "facebook" lead)', () => {
    expect(refine(draft({ provider: { ids: [], name: 'facebook' } }), { sender: 'manager@dealergroup.example' }).attribution).toBeUndefined();
  });
});

describe('facebook: fixtures through the pipeline', () => {
  const files = readdirSync(FIXTURES).filter((f) => /\.(xml|eml)$/.test(f)).sort();

  it('has its fixture', () => {
    expect(files).toEqual(['text-facebook-tvmnotify.eml']);
  });

  it.each(files)('%s matches its expected output', async (file) => {
    const result = await leadsOrRejection(() => leadsOf(new URL(file, FIXTURES)));
    expectGolden(new URL(file.replace(/\.\w+$/, '.expected.json'), FIXTURES), result, 'adapters/facebook/index.test.ts');
    const [lead] = result as Lead[];
    expect([lead!.source.provider, lead!.source.subSource, lead!.party]).toEqual(['Facebook', 'Team Velocity', 'first']);
    expect(lead!.classification.subSource).toEqual({ signal: 'sender.domain', value: 'tvmnotify.com', rule: 'adapter:facebook' });
  });
});

// The shared contract over every provider adapter: each folder is registered and complete, and every adapter survives every fixture in the repo (a lead or a typed error, never a crash).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ADAPTERS, PROVIDERS, type ProviderAdapter } from '../adapters/index.js';
import { corpusFiles, rawInputOf } from '../scripts/classification-table.js';
import { loadConfig } from '../src/config.js';
import { LeadgateError } from '../src/errors.js';
import type { Lead } from '../src/lead.js';
import { silentLogger } from '../src/log.js';
import { offlineLead, Pipeline } from '../src/pipeline/index.js';
import { readInput } from '../src/pipeline/read.js';
import { expectValidLead } from './support/schemas.js';

const ROOT = new URL('../', import.meta.url);
const ADAPTERS_DIR = new URL('../adapters/', import.meta.url);
const folders = readdirSync(ADAPTERS_DIR)
  .filter((n) => statSync(new URL(n, ADAPTERS_DIR)).isDirectory())
  .sort();
const registered = new Map(PROVIDERS.map((p) => [p.name, p]));
const pipeline = new Pipeline(loadConfig({ env: {} }), undefined, silentLogger);
const files = corpusFiles();
const fixtureOf = rawInputOf;
const LEAD_FILE = /\.(xml|eml|txt|json)$/;

/** Evidence names signals and rules, never the customer: no email, phone or name of the lead may appear in it. */
function expectNoCustomerData(lead: Lead, where: string): void {
  const evidence = JSON.stringify(lead.classification).toLowerCase();
  const c = lead.customer;
  const pii = [...c.emails, ...c.phones.map((p) => p.raw), c.name?.first, c.name?.last, c.name?.full].filter((x): x is string => !!x && x.length >= 3);
  for (const value of pii) expect(evidence.includes(value.toLowerCase()), `${where}: classification evidence holds customer data`).toBe(false);
}

describe('the provider registry', () => {
  it('has a folder under adapters/', () => {
    expect(folders.length).toBeGreaterThan(0);
  });

  it.each(folders)('adapters/%s is registered in PROVIDERS (adapters/index.ts)', (folder) => {
    // Adding a provider is one folder and one registry line: a folder nobody registered is dead code.
    expect(registered.has(folder), `adapters/${folder}/ is not in PROVIDERS: add \`${folder}\` to the list in adapters/index.ts`).toBe(true);
  });

  it('registers each provider once, under its folder name, with no clash with a format name', () => {
    const names = PROVIDERS.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const p of PROVIDERS) expect(folders, `PROVIDERS has ${p.name} but adapters/${p.name}/ does not exist`).toContain(p.name);
    for (const a of ADAPTERS) expect(names).not.toContain(a.name);
  });
});

describe.each(PROVIDERS.map((p) => [p.name, p] as const))('adapter %s', (name, p: ProviderAdapter) => {
  const dir = new URL(`${name}/`, ADAPTERS_DIR);

  it('describes itself (name, title, brand, party, formats, at least one detection signal)', () => {
    expect(p.name).toMatch(/^[a-z0-9][a-z0-9-]{0,63}$/);
    expect(p.title.trim()).not.toBe('');
    expect(p.provider.trim()).not.toBe('');
    expect(['first', 'second', 'third']).toContain(p.party);
    expect(p.formats.length).toBeGreaterThan(0);
    for (const f of p.formats) expect(['adf', 'star', 'text', 'form']).toContain(f);
    const m = p.match;
    expect(!!(m.names || m.idSources || m.subjects || m.senderDomains?.length), 'match needs at least one signal').toBe(true);
    // A global or sticky flag makes RegExp.test stateful: the same lead would match every other time.
    for (const re of [m.names, m.idSources, m.subjects]) if (re) expect(re.flags).not.toMatch(/[gy]/);
    for (const d of m.senderDomains ?? []) expect(d).toMatch(/^[a-z0-9.-]+\.[a-z]{2,}$/);
  });

  it('has index.ts, index.test.ts, README.md and fixtures with their expected output', () => {
    for (const f of ['index.ts', 'index.test.ts', 'README.md']) expect(existsSync(new URL(f, dir)), `adapters/${name}/${f} is missing`).toBe(true);
    const fixtures = existsSync(new URL('fixtures/', dir)) ? readdirSync(new URL('fixtures/', dir)).filter((f) => LEAD_FILE.test(f) && !f.endsWith('.expected.json')) : [];
    expect(fixtures.length, `adapters/${name}/fixtures/ holds no fixture`).toBeGreaterThan(0);
    for (const f of fixtures) {
      const expected = new URL(`fixtures/${f.replace(/\.[a-z]+$/, '.expected.json')}`, dir);
      expect(existsSync(expected), `adapters/${name}/fixtures/${f} has no .expected.json beside it`).toBe(true);
      expect(() => JSON.parse(readFileSync(expected, 'utf8'))).not.toThrow();
    }
  });

  it('reads every fixture in the repo when chosen explicitly: schema-valid leads or a typed error, never a crash', async () => {
    let leads = 0;
    for (const file of files) {
      try {
        const prepared = await pipeline.prepare({ ...fixtureOf(file), adapter: name });
        for (const pl of prepared) {
          const lead = offlineLead(pl);
          expectValidLead(lead);
          // Explicit selection names the source, whatever the lead says.
          expect(lead.source.adapter, file).toBe(name);
          expectNoCustomerData(lead, `${name} on ${file}`);
          leads++;
        }
      } catch (err) {
        if (!(err instanceof LeadgateError)) throw new Error(`${name} on ${file}: ${err instanceof Error ? err.stack : String(err)}`);
      }
    }
    expect(leads).toBeGreaterThan(0);
  });

  it('refine is pure: it never changes the draft it was given', async () => {
    if (!p.refine) return;
    for (const file of files) {
      let drafts;
      try {
        drafts = (await readInput(fixtureOf(file))).drafts;
      } catch (err) {
        if (err instanceof LeadgateError) continue;
        throw err;
      }
      for (const d of drafts) {
        const before = structuredClone(d);
        p.refine(d, {});
        expect(d, `${name}.refine changed its input draft (${file})`).toEqual(before);
      }
    }
  });

  it('recognizes its own fixtures without being named', async () => {
    const own = files.filter((f) => f.startsWith(`adapters/${name}/fixtures/`));
    for (const file of own) {
      let prepared;
      try {
        prepared = await pipeline.prepare(fixtureOf(file));
      } catch (err) {
        if (err instanceof LeadgateError) continue; // a fixture that holds no lead (its expected output records the rejection)
        throw err;
      }
      for (const lead of prepared) expect(lead.source.adapter, `${file} was not attributed to ${name}`).toBe(name);
    }
  });
});

describe('HTTP: choosing and listing adapters', () => {
  it('POST /v1/leads/{provider} attributes the lead to that provider; an unknown name is 404 unknown_adapter; GET /v1/adapters lists formats and providers', async () => {
    const { startTestGateway } = await import('./support/gateway.js');
    const gw = await startTestGateway();
    try {
      const body = readFileSync(new URL('fixtures/real-leads/cargurus-1.xml', ROOT));
      const first = PROVIDERS[0];
      if (first) {
        const res = await gw.post(body, { path: `/v1/leads/${first.name}` });
        expect(res.status).toBe(200);
        await gw.drained();
        const event = (await gw.events(undefined, 1)).find((e) => e.data?.leadId === res.json.leads[0].leadId);
        expect(event?.data.source.adapter).toBe(first.name);
        expect(event?.data.classification.provider).toEqual({ signal: 'adapter', value: first.name, rule: `adapter:${first.name}` });
      }
      const unknown = await gw.post(body, { path: '/v1/leads/no-such-provider' });
      expect(unknown.status).toBe(404);
      expect(unknown.json.code).toBe('unknown_adapter');
      const list = (await (await fetch(`${gw.url}/v1/adapters`)).json()) as { adapters: Array<Record<string, unknown>> };
      expect(list.adapters.filter((a) => a.kind === 'format').map((a) => a.name)).toEqual(ADAPTERS.map((a) => a.name));
      expect(list.adapters.filter((a) => a.kind === 'provider')).toEqual(PROVIDERS.map((p) => ({ name: p.name, title: p.title, kind: 'provider', provider: p.provider, party: p.party, formats: p.formats })));
    } finally {
      await gw.cleanup();
    }
  });
});

// The pieces every provider adapter's own test repeats: a fixture through the pipeline, a bare draft, sender matching, and the detection and golden-fixture tests.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rawInputOf } from '../scripts/classification-table.js';
import { loadConfig, type Config } from '../src/config.js';
import type { Lead, LeadDraft } from '../src/lead.js';
import { silentLogger } from '../src/log.js';
import { offlineLead, Pipeline } from '../src/pipeline/index.js';
import { expectGolden, leadsOrRejection } from '../test/support/golden.js';
import { PROVIDERS, type ProviderAdapter } from './index.js';

/** The repo's shared corpora, for checking how an adapter treats leads outside its own folder. */
export const REPO = new URL('../', import.meta.url);
export const REAL_LEADS = new URL('fixtures/real-leads/', REPO);
export const EMAILS = new URL('fixtures/emails/', REPO);

/** The receive time of every fixture (the expected outputs were written with it). */
const RECEIVED_AT = '2026-01-15T17:00:00.000Z';
/** Lead files in an adapter's fixtures folder (as the contract test in test/adapters.test.ts counts them). */
const LEAD_FILE = /\.(xml|eml|txt|json)$/;

let defaultPipeline: Pipeline | undefined;

function pipelineFor(config: Config | undefined): Pipeline {
  if (config) return new Pipeline(config, undefined, silentLogger);
  // Prepare is pure: one pipeline with the default config serves a whole test file.
  return (defaultPipeline ??= new Pipeline(loadConfig({ env: {} }), undefined, silentLogger));
}

/**
 * The leads an input gives through Pipeline.prepare + offlineLead. A file (URL) arrives as the
 * classification table and the contract test send it (scripts/classification-table.ts rawInputOf:
 * .eml/.txt by SMTP, .xml by HTTP); text or bytes arrive as XML by HTTP, or as an email by SMTP with
 * `email`. `config` runs it against that configuration (dealers with vendor ids) instead of the default.
 */
export async function leadsOf(input: URL | string | Buffer, opts: { email?: boolean; config?: Config } = {}): Promise<Lead[]> {
  const raw =
    input instanceof URL && opts.email === undefined
      ? rawInputOf(input.href)
      : {
          bytes: input instanceof URL ? readFileSync(input) : typeof input === 'string' ? Buffer.from(input) : input,
          contentType: opts.email ? 'message/rfc822' : 'application/xml',
          transport: opts.email ? 'smtp' : 'http',
          receivedAt: RECEIVED_AT,
        };
  return (await pipelineFor(opts.config).prepare(raw)).map(offlineLead);
}

/** A draft as a reader gives it with nothing read (ADF), `over` on top, and optional customer comments. */
export function draft(over: Partial<LeadDraft> = {}, comments?: string): LeadDraft {
  return {
    format: 'adf',
    index: 0,
    ids: [],
    customer: { names: [], emails: [], phones: [], ids: [], ...(comments ? { comments } : {}) },
    vehicles: [],
    extras: {},
    warnings: [],
    ...over,
  };
}

/** Whether an adapter's senderDomains claim this From address: the domain itself or a subdomain, never a look-alike (cars.com.evil.example). */
export function claimsSender(p: ProviderAdapter, address: string): boolean {
  const domain = address.slice(address.lastIndexOf('@') + 1);
  return (p.match.senderDomains ?? []).some((d) => domain === d || domain.endsWith(`.${d}`));
}

/** Sample values of each detection signal: provider names/urls, id sources, From addresses, subjects. */
export interface Samples {
  names?: string[];
  idSources?: string[];
  senders?: string[];
  subjects?: string[];
}

const SIGNALS = ['names', 'idSources', 'senders', 'subjects'] as const;

function claims(p: ProviderAdapter, signal: (typeof SIGNALS)[number], sample: string): boolean {
  if (signal === 'senders') return claimsSender(p, sample);
  return p.match[signal]?.test(sample) ?? false;
}

function expectClaims(p: ProviderAdapter, samples: Samples, want: boolean): void {
  for (const signal of SIGNALS) {
    for (const s of samples[signal] ?? []) expect(claims(p, signal, s), `${p.name} ${signal}: ${s}`).toBe(want);
  }
}

/**
 * The detection tests every adapter has: it recognizes each of `mine` by its signal, claims none of
 * `notMine` (look-alikes, other sources, a dealership that carries the brand), no other registered
 * adapter claims any of `mine` (PROVIDERS order must never be what separates two brands), and it is registered.
 */
export function describeDetection(provider: ProviderAdapter, mine: Samples, opts: { notMine?: Samples } = {}): void {
  describe(`${provider.name}: detection`, () => {
    it('recognizes each of its samples by the signal it arrives in', () => {
      expectClaims(provider, mine, true);
    });

    const notMine = opts.notMine;
    if (notMine) {
      it('claims none of the look-alikes and other sources', () => {
        expectClaims(provider, notMine, false);
      });
    }

    it('is claimed by no other adapter', () => {
      for (const other of PROVIDERS.filter((p) => p.name !== provider.name)) expectClaims(other, mine, false);
    });

    it('is registered in PROVIDERS', () => {
      expect(PROVIDERS).toContain(provider);
    });
  });
}

/**
 * Each lead file in `fixtures` through the whole pipeline, compared with the `<case>.expected.json`
 * beside it (test/support/golden.ts; UPDATE_EXPECTED=1 rewrites them). With `checks`, the folder must
 * hold exactly those files, and each check runs on its file's leads (what the golden pins, said plainly).
 */
export function describeFixtures(provider: ProviderAdapter, fixtures: URL, checks?: Record<string, (leads: Lead[]) => void>): void {
  const files = readdirSync(fixtures).filter((f) => LEAD_FILE.test(f) && !f.endsWith('.expected.json')).sort();
  describe(`${provider.name}: fixtures through the pipeline`, () => {
    if (checks) {
      it('has exactly the fixtures it checks', () => {
        expect(files).toEqual(Object.keys(checks).sort());
      });
    }

    it.each(files)('%s matches its expected output', async (file) => {
      const result = await leadsOrRejection(() => leadsOf(new URL(file, fixtures)));
      expectGolden(new URL(file.replace(/\.\w+$/, '.expected.json'), fixtures), result, `adapters/${provider.name}/index.test.ts`);
      const check = checks?.[file];
      if (!check) return;
      expect(Array.isArray(result), `${file} was rejected`).toBe(true);
      check(result as Lead[]);
    });
  });
}

// Mutation fuzzing of every reader: tens of thousands of damaged ADF, STAR and MIME inputs (seeded from the fixture corpora) through Pipeline.prepare, and a slice through ingest with a real SQLite store; each ends as schema-valid leads or a typed rejection.
//
// Reproduce a failure with the seed it prints: FUZZ_SEED=<seed> npx vitest run test/fuzz.test.ts
// (FUZZ_ONLY=<kind>:<index> runs just that input; FUZZ_RUNS=<n> sets how many inputs in all, default 24,000).
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ERROR_CODES, LeadgateError } from '../src/errors.js';
import { silentLogger } from '../src/log.js';
import { offlineLead, Pipeline } from '../src/pipeline/index.js';
import { SqliteStore } from '../src/stores/sqlite.js';
import { CORPUS, makeInput, type FuzzInput, type Kind } from './support/fuzz-inputs.js';
import { tempDir } from './support/gateway.js';
import { expectValidLead } from './support/schemas.js';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
const RUNS = Number(process.env.FUZZ_RUNS ?? 24_000);
const ONLY = process.env.FUZZ_ONLY;
/** Half ADF (the format nearly every provider sends), a quarter each STAR and MIME. */
const PLAN = { adf: Math.round(RUNS / 2), star: Math.round(RUNS / 4), mime: Math.round(RUNS / 4) };
/** Inputs also run through ingest with a real store (each is a transaction on disk, so far fewer). */
const INGEST_RUNS = Math.min(300, Math.ceil(RUNS / 40));
/** The heap after a full collection may not grow more than this over the whole run (a cache or leak of inputs would). */
const MAX_HEAP_GROWTH = 64 * 1024 * 1024;

console.log(`fuzz: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} (adf ${PLAN.adf}, star ${PLAN.star}, mime ${PLAN.mime}, ingest ${INGEST_RUNS})`);

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Keep the failing input on disk and say how to rerun exactly it. */
function explain(input: FuzzInput, problem: string): string {
  const file = join(tmpdir(), `leadgate-fuzz-${SEED}-${input.kind}-${input.index}.bin`);
  writeFileSync(file, input.raw.bytes);
  return `${problem}\n  input ${input.kind}:${input.index} (${input.mutations.join(' → ')}, ${input.raw.contentType}${input.raw.adapter ? `, adapter ${input.raw.adapter}` : ''}), bytes in ${file}\n  rerun: FUZZ_SEED=${SEED} FUZZ_ONLY=${input.kind}:${input.index} npx vitest run test/fuzz.test.ts`;
}

/** What an input is allowed to end as: a typed rejection of kind invalid with a known code (anything else fails with the reproduction). */
function checkRejection(input: FuzzInput, err: unknown): string {
  if (!(err instanceof LeadgateError)) throw new Error(explain(input, `threw a raw ${err instanceof Error ? `${err.name}: ${err.message}\n${err.stack}` : String(err)}`));
  if (!(err.code in ERROR_CODES) || err.kind !== 'invalid') {
    const cause = err.cause instanceof Error ? `${err.cause.name}: ${err.cause.message}\n${err.cause.stack}` : String(err.cause);
    throw new Error(explain(input, `ended as ${err.kind} ${err.code} (cause: ${cause})`));
  }
  return err.code;
}

/**
 * A hang detector, not a speed check: an input still unresolved after two minutes fails with its reproduction
 * (the test's own timeout would only say that something, somewhere, never finished).
 */
async function withWatchdog<T>(input: FuzzInput, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(explain(input, 'never finished (still running after 120 s)'))), 120_000);
  });
  try {
    return await Promise.race([work, hang]);
  } finally {
    clearTimeout(timer);
  }
}

function* inputs(): Generator<FuzzInput> {
  if (ONLY) {
    const [kind, index] = ONLY.split(':');
    yield makeInput(SEED, kind as Kind, Number(index));
    return;
  }
  for (const kind of Object.keys(PLAN) as Kind[]) for (let i = 0; i < PLAN[kind]; i++) yield makeInput(SEED, kind, i);
}

describe(`fuzzing the readers (FUZZ_SEED=${SEED})`, () => {
  const config = loadConfig({ env: {} });
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown): void => void rejections.push(reason);
  process.on('unhandledRejection', onRejection);
  afterAll(() => void process.off('unhandledRejection', onRejection));

  it('every mutated input ends as schema-valid leads or an invalid-kind rejection with a known code; no unhandled rejection; heap bounded', { timeout: 600_000 }, async () => {
    const pipeline = new Pipeline(config, undefined, silentLogger);
    // Warm up (module caches, libphonenumber metadata) before the heap baseline.
    for (const kind of Object.keys(CORPUS) as Kind[]) for (const doc of CORPUS[kind]) await pipeline.prepare({ bytes: Buffer.from(doc, 'latin1'), contentType: kind === 'mime' ? 'message/rfc822' : 'application/xml', transport: 'fuzz', receivedAt: '2025-10-18T12:00:00.000Z' }).catch(() => undefined);
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const tally = new Map<string, number>();
    const count = (key: string): void => void tally.set(key, (tally.get(key) ?? 0) + 1);
    let slowest = { ms: 0, id: '' };
    let n = 0;
    const started = performance.now();
    for (const input of inputs()) {
      const t = performance.now();
      let outcome: string;
      try {
        const prepared = await withWatchdog(input, pipeline.prepare(input.raw));
        if (prepared.length === 0) throw new Error(explain(input, 'prepare returned no lead and threw nothing'));
        for (const p of prepared) {
          try {
            expectValidLead(offlineLead(p));
          } catch (err) {
            throw new Error(explain(input, `produced a lead that breaks schemas/lead.v1.json: ${(err as Error).message}`));
          }
        }
        outcome = 'lead';
      } catch (err) {
        if (err instanceof Error && err.message.includes('rerun: FUZZ_SEED')) throw err;
        outcome = checkRejection(input, err);
      }
      const ms = performance.now() - t;
      if (ms > slowest.ms) slowest = { ms, id: `${input.kind}:${input.index}` };
      count(`${input.kind} ${outcome}`);
      n++;
    }
    // Let anything left dangling (a stream error after a parse gave up) surface before looking.
    await new Promise((r) => setTimeout(r, 50));
    gc();
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    const secs = (performance.now() - started) / 1000;
    console.log(`fuzz: ${n} inputs in ${secs.toFixed(1)} s on Node ${process.version} (${(n / secs).toFixed(0)}/s); slowest ${slowest.id} ${slowest.ms.toFixed(0)} ms; heap growth ${(heapGrowth / 1048576).toFixed(1)} MB`);
    console.log(`fuzz: outcomes ${[...tally].sort().map(([k, v]) => `${k} ${v}`).join(', ')}`);
    expect(rejections.map(String)).toEqual([]);
    expect(heapGrowth).toBeLessThan(MAX_HEAP_GROWTH);
    if (!ONLY) {
      // The mutations must still let real leads through, or the run tests only the cheapest refusals.
      for (const kind of Object.keys(PLAN) as Kind[]) expect(tally.get(`${kind} lead`) ?? 0, `${kind} inputs that still gave a lead`).toBeGreaterThan(PLAN[kind] / 20);
    }
  });

  it('through ingest with a real SQLite store, every input is either accepted or archived as rejected', { timeout: 300_000 }, async () => {
    const dataDir = tempDir('leadgate-fuzz-');
    const store = new SqliteStore(join(dataDir, 'leadgate.db'));
    try {
      const pipeline = new Pipeline(loadConfig({ env: {}, overrides: { dataDir } }), store, silentLogger);
      let sent = 0;
      let accepted = 0;
      const kinds: Kind[] = ['adf', 'star', 'mime'];
      for (let i = 0; i < INGEST_RUNS; i++) {
        // Indexes past the prepare run's, so these are new inputs.
        const input = makeInput(SEED, kinds[i % 3]!, 1_000_000 + i);
        sent++;
        try {
          await pipeline.ingest(input.raw);
          accepted++;
        } catch (err) {
          checkRejection(input, err);
        }
      }
      const all = await store.listInputs({ limit: INGEST_RUNS * 2 });
      const rejected = all.filter((a) => a.outcome === 'rejected');
      console.log(`fuzz: ingest ${sent} inputs: ${accepted} accepted, ${rejected.length} archived as rejected`);
      expect(all).toHaveLength(sent);
      expect(all.length - rejected.length).toBe(accepted);
      for (const r of rejected) expect(r.errorCode && r.errorCode in ERROR_CODES, r.errorCode).toBe(true);
    } finally {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

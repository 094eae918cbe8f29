// Parse throughput on one core, run as a pinned child: `floorB` (fast-xml-parser alone, defaults + attributes) or `leadgate` (Pipeline.prepare: decode, repair, parse, adapt, normalize, classify) over the real-leads corpus.
// Usage: node --import tsx bench/parse-worker.ts SECONDS → one JSON line { floorB: {docs_per_s, p50_us, p99_us, docs}, leadgate: {…} }
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import { Pipeline } from '../src/pipeline/index.js';
import { ROOT } from './setup.js';
import { percentile } from './stats.js';

export const CORPUS_DIR = join(ROOT, 'fixtures/real-leads');

/** Every XML document of the corpus (ADF and STAR), as bytes. */
export function corpus(): Buffer[] {
  return readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((f) => readFileSync(join(CORPUS_DIR, f)));
}

type Step = (i: number) => Promise<void> | void;

function floorB(docs: Buffer[]): Step {
  const texts = docs.map((d) => d.toString('utf8'));
  const parser = new XMLParser({ ignoreAttributes: false });
  return (i) => {
    parser.parse(texts[i % texts.length]);
  };
}

function leadgate(docs: Buffer[]): Step {
  const pipeline = new Pipeline(loadConfig({ env: {}, overrides: {} }), undefined, silentLogger);
  const receivedAt = new Date().toISOString();
  return async (i) => {
    try {
      await pipeline.prepare({ bytes: docs[i % docs.length], contentType: 'application/xml', transport: 'http', receivedAt });
    } catch {
      // published-everlogic-template-1 holds no customer contact: still a full parse + normalize.
    }
  };
}

async function measure(step: Step, seconds: number): Promise<{ docs_per_s: number; p50_us: number; p99_us: number; docs: number }> {
  // Warm up (JIT) for a quarter of the time, then time every document.
  const warmEnd = performance.now() + seconds * 250;
  let i = 0;
  while (performance.now() < warmEnd) await step(i++);
  const times: number[] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  let now = start;
  while (now < end) {
    const t0 = now;
    await step(i++);
    now = performance.now();
    times.push(now - t0);
  }
  const elapsed = (now - start) / 1000;
  return { docs_per_s: times.length / elapsed, p50_us: percentile(times, 50) * 1000, p99_us: percentile(times, 99) * 1000, docs: times.length };
}

// Both in one process, one after the other: the pair shares the machine's weather and one start-up.
const seconds = Number(process.argv[2] ?? 3);
const docs = corpus();
const floor = await measure(floorB(docs), seconds);
const ours = await measure(leadgate(docs), seconds);
process.stdout.write(JSON.stringify({ floorB: floor, leadgate: ours }) + '\n');

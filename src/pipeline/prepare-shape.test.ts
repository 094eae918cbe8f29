// prepare builds each lead as one literal in normalize()'s key order: pin that it carries every key normalize() gives (but vendor and hints), in that order, then the pipeline's own.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { silentLogger } from '../log.js';
import { Attributor } from './attribute.js';
import { Pipeline, rawRef } from './index.js';
import { normalize } from './normalize.js';
import { readInput } from './read.js';

const dir = new URL('../../fixtures/real-leads/', import.meta.url);

describe('the leads prepare builds', () => {
  it("list normalize()'s keys in its order (source and warnings replaced), then party, leadType, classification, dealer, index", async () => {
    const pipeline = new Pipeline(loadConfig({ env: {}, overrides: {} }), undefined, silentLogger);
    const attributor = new Attributor();
    let checked = 0;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.xml'))) {
      const raw = { bytes: readFileSync(new URL(f, dir)), contentType: 'application/xml', transport: 'http', receivedAt: '2026-01-15T17:00:00.000Z', idempotencyKey: 'k-1' };
      const prepared = await pipeline.prepare(raw).catch(() => []);
      const { drafts } = await readInput(raw);
      for (const p of prepared) {
        const d = attributor.attribute(drafts[p.index]!, {}).draft;
        const n = normalize(d, { receivedAt: raw.receivedAt, channel: 'http-adf', adapter: 'adf', raw: rawRef(raw), country: 'US' });
        const own = Object.keys(n).filter((k) => k !== 'vendor' && k !== 'hints');
        expect(Object.keys(p), f).toEqual([...own, 'party', 'leadType', 'classification', 'dealer', 'index', 'idempotencyKey']);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});

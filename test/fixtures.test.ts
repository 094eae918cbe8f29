// Every real lead has its expected normalized output checked in beside it; this compares them (UPDATE_EXPECTED=1 rewrites them after a deliberate change — review the diff).
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import { offlineLead, Pipeline } from '../src/pipeline/index.js';
import { expectGolden, leadsOrRejection } from './support/golden.js';

const DIR = new URL('../fixtures/real-leads/', import.meta.url);
const files = readdirSync(DIR).filter((f) => f.endsWith('.xml')).sort();
const pipeline = new Pipeline(loadConfig({ env: {} }), undefined, silentLogger);
const RECEIVED_AT = '2026-01-15T17:00:00.000Z';

describe('real-leads fixtures', () => {
  it('covers every lead file', () => {
    expect(files.length).toBeGreaterThanOrEqual(23);
  });

  it.each(files)('%s matches its expected normalized output', async (file) => {
    const bytes = readFileSync(new URL(file, DIR));
    // A fixture that holds no lead (the blank EverLogic template) records its rejection instead.
    const result = await leadsOrRejection(async () =>
      (await pipeline.prepare({ bytes, contentType: 'application/xml', transport: 'http', receivedAt: RECEIVED_AT })).map(offlineLead),
    );
    expectGolden(new URL(file.replace(/\.xml$/, '.expected.json'), DIR), result, 'test/fixtures.test.ts');
  });
});

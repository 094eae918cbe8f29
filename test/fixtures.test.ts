// Every real lead has its expected normalized output checked in beside it; this compares them (UPDATE_EXPECTED=1 rewrites them after a deliberate change — review the diff).
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { LeadgateError } from '../src/errors.js';
import { silentLogger } from '../src/log.js';
import { offlineLead, Pipeline } from '../src/pipeline/index.js';
import { expectValidLead } from './support/schemas.js';

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
    let result: unknown;
    try {
      const leads = (await pipeline.prepare({ bytes, contentType: 'application/xml', transport: 'http', receivedAt: RECEIVED_AT })).map(offlineLead);
      for (const lead of leads) expectValidLead(lead);
      result = leads;
    } catch (err) {
      // A fixture that holds no lead (the blank EverLogic template) records its rejection instead.
      if (!(err instanceof LeadgateError) || err.kind !== 'invalid') throw err;
      result = { rejected: err.code };
    }
    const expectedFile = new URL(file.replace(/\.xml$/, '.expected.json'), DIR);
    const actual = JSON.stringify(result, null, 2) + '\n';
    if (process.env.UPDATE_EXPECTED === '1' || !existsSync(expectedFile)) {
      if (process.env.CI) throw new Error(`${file}: expected output missing; run UPDATE_EXPECTED=1 npx vitest run test/fixtures.test.ts and review it`);
      writeFileSync(expectedFile, actual);
    }
    expect(JSON.parse(actual)).toEqual(JSON.parse(readFileSync(expectedFile, 'utf8')));
  });
});

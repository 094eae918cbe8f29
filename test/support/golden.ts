// Golden files: a fixture's leads (or its rejection) compared with the reviewed expected output checked in beside it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { LeadgateError } from '../../src/errors.js';
import type { Lead } from '../../src/lead.js';
import { expectValidLead } from './schemas.js';

/** The schema-valid leads a fixture gives, or `{ rejected: code }` when it holds no lead. */
export async function leadsOrRejection(read: () => Promise<Lead[]>): Promise<Lead[] | { rejected: string }> {
  try {
    const leads = await read();
    for (const lead of leads) expectValidLead(lead);
    return leads;
  } catch (err) {
    if (!(err instanceof LeadgateError) || err.kind !== 'invalid') throw err;
    return { rejected: err.code };
  }
}

/**
 * Compares with `expectedFile`. UPDATE_EXPECTED=1 (or a missing file) writes it — review the diff —
 * except under CI, where a missing expectation is an error, never silently created.
 */
export function expectGolden(expectedFile: URL, result: unknown, testFile: string): void {
  const actual = JSON.stringify(result, null, 2) + '\n';
  if (process.env.UPDATE_EXPECTED === '1' || !existsSync(expectedFile)) {
    if (process.env.CI) throw new Error(`${expectedFile.pathname}: expected output missing; run UPDATE_EXPECTED=1 npx vitest run ${testFile} and review it`);
    writeFileSync(expectedFile, actual);
  }
  expect(JSON.parse(actual)).toEqual(JSON.parse(readFileSync(expectedFile, 'utf8')));
}

// Test helpers: run a function (or await a promise) that must fail with a LeadgateError, and hand the error back for assertions on its code.
import { expect } from 'vitest';
import { LeadgateError } from '../../src/errors.js';

/** The LeadgateError fn throws (fails the test if it throws nothing or something else). */
export function thrown(fn: () => unknown): LeadgateError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LeadgateError);
    return err as LeadgateError;
  }
  throw new Error('expected a LeadgateError');
}

/** The LeadgateError the promise rejects with (fails the test if it resolves or rejects with something else). */
export async function rejection(p: Promise<unknown>): Promise<LeadgateError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(LeadgateError);
    return err as LeadgateError;
  }
  throw new Error('expected a LeadgateError');
}

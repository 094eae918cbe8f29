// Test helper: run a function that must throw a LeadgateError, and hand the error back for assertions on its code.
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

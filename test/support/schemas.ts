// Validates events and leads against the published JSON Schemas (schemas/), so every test that sees an event checks the contract.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const load = (name: string): object => JSON.parse(readFileSync(new URL(`../../schemas/${name}`, import.meta.url), 'utf8'));

const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
addFormats(ajv);
ajv.addSchema(load('lead.v1.json'));
ajv.addSchema(load('lead-event.v1.json'));

const leadValidator = ajv.getSchema('https://leadgate.dev/schemas/lead.v1.json')!;
const eventValidator = ajv.getSchema('https://leadgate.dev/schemas/lead-event.v1.json')!;

/** Asserts (with a readable list of violations) that a Lead matches schemas/lead.v1.json and has no empty strings. */
export function expectValidLead(lead: unknown): void {
  const ok = leadValidator(lead);
  expect(ok ? [] : leadValidator.errors!.map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
}

/** Asserts that a CloudEvent matches schemas/lead-event.v1.json (and its data the Lead schema). */
export function expectValidEvent(event: unknown): void {
  const ok = eventValidator(event);
  expect(ok ? [] : eventValidator.errors!.map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
}

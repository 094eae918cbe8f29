// CloudEvents 1.0 (structured JSON) for lead.received / lead.duplicate / lead.rejected, with the ce_* Kafka headers the contract promises.
import { newId } from './ids.js';
import type { Lead, RawRef } from './lead.js';
import type { NewEvent } from './store.js';

export const EVENT_TYPES = {
  received: 'com.leadgate.lead.received',
  duplicate: 'com.leadgate.lead.duplicate',
  rejected: 'com.leadgate.lead.rejected',
  /** Replay re-read a lead differently (after a parser fix): the full corrected Lead, same leadId and customerId. */
  corrected: 'com.leadgate.lead.corrected',
  /** A customer's data was erased: downstream consumers should erase theirs. */
  customerErased: 'com.leadgate.customer.erased',
} as const;

export const LEAD_SCHEMA_URI = 'https://leadgate.dev/schemas/lead.v1.json';
export const EVENT_SCHEMA_URI = 'https://leadgate.dev/schemas/lead-event.v1.json';

export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject?: string;
  time: string;
  datacontenttype: 'application/json';
  dataschema: string;
  partitionkey?: string;
  /** On lead.corrected: the leadId this event corrects (consumers upsert on it). */
  corrects?: string;
  /** On lead.corrected: the archived input that was re-read. */
  replayof?: string;
  data: T;
}

export interface Rejection {
  inputId: string;
  code: string;
  message: string;
  receivedAt: string;
  transport: string;
  dealerId?: string;
  raw: RawRef & { base64?: string };
}

/** Raw bytes ride along in the rejected event only up to this size; larger ones stay in the archive. */
export const REJECTED_INLINE_MAX = 256 * 1024;

function headersOf(ce: CloudEvent): Record<string, string> {
  const h: Record<string, string> = { 'content-type': 'application/cloudevents+json; charset=utf-8' };
  for (const [k, v] of Object.entries(ce)) if (k !== 'data' && v !== undefined) h[`ce_${k}`] = String(v);
  return h;
}

function toNewEvent(ce: CloudEvent, topic: string, key: string): NewEvent {
  return { id: ce.id, topic, key, value: JSON.stringify(ce), headers: headersOf(ce) };
}

export function leadEvent(lead: Lead, topic: string): NewEvent {
  const ce: CloudEvent<Lead> = {
    specversion: '1.0',
    id: newId(),
    source: `/leadgate/dealers/${encodeURIComponent(lead.dealer.id)}`,
    type: lead.duplicateOf ? EVENT_TYPES.duplicate : EVENT_TYPES.received,
    subject: lead.leadId,
    time: lead.receivedAt,
    datacontenttype: 'application/json',
    dataschema: LEAD_SCHEMA_URI,
    partitionkey: lead.customerId,
    data: lead,
  };
  return toNewEvent(ce, topic, lead.customerId);
}

export function rejectedEvent(rejection: Rejection, topic: string): NewEvent {
  const ce: CloudEvent<Rejection> = {
    specversion: '1.0',
    id: newId(),
    source: '/leadgate/rejected',
    type: EVENT_TYPES.rejected,
    subject: rejection.inputId,
    time: rejection.receivedAt,
    datacontenttype: 'application/json',
    dataschema: EVENT_SCHEMA_URI,
    data: rejection,
  };
  return toNewEvent(ce, topic, rejection.raw.sha256);
}

/** A correction from replay: the full Lead as the current pipeline reads it, under the original leadId and customerId. */
export function correctedEvent(lead: Lead, inputId: string, topic: string): NewEvent {
  const ce: CloudEvent<Lead> = {
    specversion: '1.0',
    id: newId(),
    source: `/leadgate/dealers/${encodeURIComponent(lead.dealer.id)}`,
    type: EVENT_TYPES.corrected,
    subject: lead.leadId,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    dataschema: LEAD_SCHEMA_URI,
    partitionkey: lead.customerId,
    corrects: lead.leadId,
    replayof: inputId,
    data: lead,
  };
  return toNewEvent(ce, topic, lead.customerId);
}

export interface CustomerErasure {
  customerId: string;
  /** The identity scope the customer lived in: a dealer id (or a group id where a group shares customers). */
  dealerId: string;
  erasedAt: string;
}

/** The tombstone of an erased customer, keyed by customerId so it follows their earlier events on the same partition. */
export function customerErasedEvent(erasure: CustomerErasure, topic: string): NewEvent {
  const ce: CloudEvent<CustomerErasure> = {
    specversion: '1.0',
    id: newId(),
    source: `/leadgate/dealers/${encodeURIComponent(erasure.dealerId)}`,
    type: EVENT_TYPES.customerErased,
    subject: erasure.customerId,
    time: erasure.erasedAt,
    datacontenttype: 'application/json',
    dataschema: EVENT_SCHEMA_URI,
    partitionkey: erasure.customerId,
    data: erasure,
  };
  return toNewEvent(ce, topic, erasure.customerId);
}

// The OpenAPI 3.1 description served at GET /openapi.json; Lead schemas are referenced from schemas/.
import { ERROR_CODES } from '../errors.js';

const problem = { $ref: '#/components/schemas/Problem' };
const xmlBody = {
  required: true,
  content: {
    'application/xml': { schema: { type: 'string' } },
    'text/xml': { schema: { type: 'string' } },
    'text/plain': { schema: { type: 'string' } },
    'application/json': { schema: { type: 'object', description: 'Any JSON whose string values include the ADF/STAR document.' } },
    'application/x-www-form-urlencoded': { schema: { type: 'object', description: 'A field (adf, xml, lead, body, …) holding the document.' } },
  },
};
const errorResponses = Object.fromEntries(
  [...new Set(Object.values(ERROR_CODES).map((e) => e.status))].map((status) => [
    String(status),
    {
      description: Object.entries(ERROR_CODES)
        .filter(([, e]) => e.status === status)
        .map(([code]) => code)
        .join(', '),
      content: { 'application/problem+json': { schema: problem } },
    },
  ]),
);
const accepted = {
  '200': {
    description: 'Every lead in the body is durably committed; events will be published.',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/IntakeReply' } } },
  },
  ...errorResponses,
};

export const OPENAPI = {
  openapi: '3.1.0',
  info: { title: 'leadgate', version: '1', description: 'Lead-ingestion gateway: ADF/XML and STAR leads in, normalized customer events out.' },
  paths: {
    '/v1/leads': {
      post: {
        summary: 'Submit a lead document; the format is detected (ADF or STAR)',
        parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' }, description: 'Repeat it on retries: the same key is reported as a duplicate.' }],
        requestBody: xmlBody,
        responses: accepted,
      },
    },
    '/v1/leads/{adapter}': {
      post: {
        summary: 'Submit a lead document read by the named adapter',
        parameters: [{ name: 'adapter', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: xmlBody,
        responses: accepted,
      },
    },
    '/v1/email': {
      post: {
        summary: 'Submit a whole email (raw MIME, message/rfc822); the lead is found wherever it is in the message',
        requestBody: { required: true, content: { 'message/rfc822': { schema: { type: 'string' } } } },
        responses: accepted,
      },
    },
    '/v1/email/{service}': {
      post: {
        summary: 'Inbound-email webhook of an email service: sendgrid (Inbound Parse, raw mode), mailgun (body-mime), postmark (inbound JSON)',
        description: 'A message that holds no lead is still answered 200 (with "rejected") so the service does not retry or bounce it; it is kept in the rejected stream.',
        parameters: [{ name: 'service', in: 'path', required: true, schema: { enum: ['sendgrid', 'mailgun', 'postmark'] } }],
        requestBody: {
          required: true,
          content: { 'multipart/form-data': { schema: { type: 'object' } }, 'application/json': { schema: { type: 'object' } } },
        },
        responses: accepted,
      },
    },
    '/v1/adapters': { get: { summary: 'The adapters, in detection order', responses: { '200': { description: 'List of adapters' } } } },
    '/healthz': { get: { summary: 'The process is alive', responses: { '200': { description: 'ok' } } } },
    '/readyz': { get: { summary: 'The store and sink can take leads', responses: { '200': { description: 'ready' }, '503': { description: 'not ready' } } } },
    '/metrics': { get: { summary: 'Prometheus metrics', responses: { '200': { description: 'text exposition format' } } } },
  },
  components: {
    schemas: {
      IntakeReply: {
        type: 'object',
        required: ['leads'],
        properties: {
          leads: {
            type: 'array',
            items: {
              type: 'object',
              required: ['leadId', 'customerId', 'outcome'],
              properties: {
                leadId: { type: 'string' },
                customerId: { type: 'string' },
                outcome: { enum: ['received', 'duplicate'] },
                duplicateOf: { type: 'string' },
              },
            },
          },
        },
      },
      Problem: {
        type: 'object',
        description: 'RFC 9457 problem details; `code` is stable and machine-readable.',
        required: ['type', 'title', 'status', 'code'],
        properties: {
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'integer' },
          code: { enum: Object.keys(ERROR_CODES) },
          detail: { type: 'string' },
          inputId: { type: 'string' },
        },
      },
      Lead: { $ref: 'https://leadgate.dev/schemas/lead.v1.json' },
    },
  },
} as const;

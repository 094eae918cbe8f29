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
/** Any one intake credential (README "Authentication and limits"); loopback callers need none while no credential is configured. */
const intakeSecurity = [{ apiKey: [] }, { bearer: [] }, { basic: [] }, { hmac: [] }];
const adminSecurity = intakeSecurity;
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
        security: intakeSecurity,
      },
    },
    '/v1/leads/{adapter}': {
      post: {
        summary: 'Submit a lead document read by the named adapter',
        description: 'A format name (adf, star, text) reads the body that way; a provider name (cargurus, truecar, kia-digital…) detects the format and attributes the lead to that provider. GET /v1/adapters lists both; any other name is 404 unknown_adapter.',
        parameters: [{ name: 'adapter', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: xmlBody,
        responses: accepted,
        security: intakeSecurity,
      },
    },
    '/v1/email': {
      post: {
        summary: 'Submit a whole email (raw MIME, message/rfc822); the lead is found wherever it is in the message',
        requestBody: { required: true, content: { 'message/rfc822': { schema: { type: 'string' } } } },
        responses: accepted,
        security: intakeSecurity,
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
        security: intakeSecurity,
      },
    },
    '/v1/forms/{key}': {
      post: {
        summary: "A dealer website form post (README \"Website forms\"): first-party lead of the form's dealer",
        description:
          "No credential (browsers cannot keep one): CORS limited to the form's configured origins (403 form_origin_forbidden otherwise), rate limited per client address. A filled honeypot or a post faster than minFillSeconds after the page rendered (_lg_ts) is answered like a success with no leads and kept in the rejected stream. Browsers that accept text/html get 303 to the form's thankYouUrl when it is configured.",
        parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: {
          required: true,
          content: {
            'application/x-www-form-urlencoded': { schema: { type: 'object' } },
            'multipart/form-data': { schema: { type: 'object' } },
            'application/json': { schema: { type: 'object', description: 'Field names and values; one level of nesting is read.' } },
          },
        },
        responses: { ...accepted, '303': { description: "Redirect to the form's thank-you page (browser form posts)" } },
        security: [],
      },
      options: { summary: "CORS preflight: 204 for the form's origins, 403 otherwise", parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }], responses: { '204': { description: 'Allowed' }, '403': errorResponses['403'] ?? { description: 'Forbidden' }, '404': errorResponses['404'] ?? { description: 'Unknown form' } }, security: [] },
    },
    '/v1/adapters': {
      get: {
        summary: 'The adapters: formats (kind "format") in detection order, then provider adapters (kind "provider") in attribution order',
        responses: {
          '200': {
            description: 'List of adapters',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['adapters'],
                  properties: {
                    adapters: {
                      type: 'array',
                      items: {
                        type: 'object',
                        required: ['name', 'title', 'kind'],
                        properties: {
                          name: { type: 'string' },
                          title: { type: 'string' },
                          kind: { enum: ['format', 'provider'] },
                          format: { type: 'string', description: 'kind format: the wire format it reads' },
                          provider: { type: 'string', description: 'kind provider: the canonical brand written to source.provider' },
                          party: { enum: ['first', 'second', 'third'], description: 'kind provider: the default party of its leads' },
                          formats: { type: 'array', items: { type: 'string' }, description: 'kind provider: the formats its leads arrive in' },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    '/healthz': { get: { summary: 'The process is alive', responses: { '200': { description: 'ok' } } } },
    '/readyz': { get: { summary: 'The store and sink can take leads', responses: { '200': { description: 'ready' }, '503': { description: 'not ready' } } } },
    '/metrics': { get: { summary: 'Prometheus metrics (admin credentials; loopback callers need none while none are configured)', responses: { '200': { description: 'text exposition format' } }, security: adminSecurity } },
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
    securitySchemes: {
      apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'An API key (leadgate hash-secret --generate); a credential may name another header.' },
      bearer: { type: 'http', scheme: 'bearer', description: 'The same API key as Authorization: Bearer <key>.' },
      basic: { type: 'http', scheme: 'basic', description: 'User name and password of a basic credential (what many ADF senders and email services support).' },
      hmac: {
        type: 'apiKey',
        in: 'header',
        name: 'x-leadgate-signature',
        description:
          'sha256=<hex of HMAC-SHA256(shared secret, x-leadgate-timestamp + "." + raw body)>, with x-leadgate-timestamp (Unix seconds, within auth.hmacToleranceSeconds) and optionally x-leadgate-key-id (the credential id). Each signature is accepted once.',
      },
    },
  },
} as const;

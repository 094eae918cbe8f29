// Every failure leadgate reports has a stable snake_case code and a kind that decides what happens next.

/** invalid: the input holds no usable lead (4xx, rejected stream). transient: try again later (503/4xx SMTP/unseen). bug: our fault (500). */
export type ErrorKind = 'invalid' | 'transient' | 'bug';

export const ERROR_CODES = {
  empty_body: { kind: 'invalid', status: 400, title: 'The request body is empty' },
  body_too_large: { kind: 'invalid', status: 413, title: 'The request body is too large' },
  unsupported_media_type: { kind: 'invalid', status: 415, title: 'The content type is not supported' },
  unknown_adapter: { kind: 'invalid', status: 404, title: 'No adapter has that name' },
  not_a_lead: { kind: 'invalid', status: 422, title: 'The input holds no ADF or STAR lead' },
  xml_malformed: { kind: 'invalid', status: 422, title: 'The XML could not be read, even after repairs' },
  xml_doctype_forbidden: { kind: 'invalid', status: 422, title: 'DOCTYPE declarations are not accepted' },
  xml_too_deep: { kind: 'invalid', status: 422, title: 'The XML is nested too deeply' },
  xml_too_large: { kind: 'invalid', status: 413, title: 'The XML has too many elements' },
  no_prospect: { kind: 'invalid', status: 422, title: 'The ADF document holds no prospect' },
  no_customer_contact: { kind: 'invalid', status: 422, title: 'The lead has no customer name, email or phone' },
  mime_too_complex: { kind: 'invalid', status: 422, title: 'The email has too many MIME parts, nesting levels, lines or header bytes to be a lead' },
  too_many_leads: { kind: 'invalid', status: 413, title: 'The input holds more leads than one request may carry; send them separately' },
  unknown_form: { kind: 'invalid', status: 404, title: 'No website form has that key' },
  form_origin_forbidden: { kind: 'invalid', status: 403, title: 'This website may not post to that form' },
  form_unreadable: { kind: 'invalid', status: 422, title: 'The form body could not be read' },
  form_honeypot: { kind: 'invalid', status: 422, title: 'The form was filled in by a bot (honeypot)' },
  form_too_fast: { kind: 'invalid', status: 422, title: 'The form was submitted too fast to be a person' },
  unauthorized: { kind: 'invalid', status: 401, title: 'A valid credential is required' },
  forbidden: { kind: 'invalid', status: 403, title: 'This client may not use this endpoint' },
  rate_limited: { kind: 'transient', status: 429, title: 'Too many requests; retry after the Retry-After seconds' },
  overloaded: { kind: 'transient', status: 503, title: 'Too many leads in progress; retry after the Retry-After seconds' },
  store_unavailable: { kind: 'transient', status: 503, title: 'The lead store is unavailable; retry later' },
  internal_error: { kind: 'bug', status: 500, title: 'Internal error' },
} as const satisfies Record<string, { kind: ErrorKind; status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class LeadgateError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly status: number;
  /** Safe, customer-data-free explanation of what to do next. */
  readonly detail?: string;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail ? `${code}: ${detail}` : code, options);
    this.name = 'LeadgateError';
    this.code = code;
    this.kind = ERROR_CODES[code].kind;
    this.status = ERROR_CODES[code].status;
    this.detail = detail;
  }
}

/** Wrap anything thrown into a LeadgateError (unknown errors are bugs). */
export function toLeadgateError(err: unknown): LeadgateError {
  if (err instanceof LeadgateError) return err;
  return new LeadgateError('internal_error', undefined, { cause: err });
}

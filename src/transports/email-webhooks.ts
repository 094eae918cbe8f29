// Inbound-email webhooks: email services (SendGrid, Mailgun, Postmark) or a script POST a message; each format is unwrapped to the raw MIME the email reader understands.
import type { Context } from 'hono';
import { randomUUID } from 'node:crypto';
import { LeadgateError } from '../errors.js';
import { mediaType } from '../pipeline/read.js';

export const EMAIL_WEBHOOKS = ['rfc822', 'sendgrid', 'mailgun', 'postmark'] as const;
export type EmailWebhook = (typeof EMAIL_WEBHOOKS)[number];

/** A multipart field as hono parses it: a string, or a File for uploads. */
async function fieldBytes(value: unknown): Promise<Buffer | undefined> {
  if (typeof value === 'string') return value.length ? Buffer.from(value, 'utf8') : undefined;
  if (value && typeof value === 'object' && 'arrayBuffer' in value) {
    const buf = Buffer.from(await (value as Blob).arrayBuffer());
    return buf.length ? buf : undefined;
  }
  return undefined;
}

interface PostmarkPayload {
  RawEmail?: string;
  MessageID?: string;
  From?: string;
  To?: string;
  Subject?: string;
  Date?: string;
  TextBody?: string;
  HtmlBody?: string;
  Headers?: Array<{ Name: string; Value: string }>;
  Attachments?: Array<{ Name?: string; Content?: string; ContentType?: string }>;
}

/** Header values must stay on one line; anything else could inject headers. */
const oneLine = (s: string): string => s.replace(/[\r\n]+/g, ' ').trim();

function base64Lines(data: string): string {
  return (data.replace(/\s+/g, '').match(/.{1,76}/g) ?? []).join('\r\n');
}

/**
 * Postmark posts parsed JSON; with "include raw email" enabled it carries RawEmail, which we
 * prefer. Otherwise the message is rebuilt as MIME from its parts (text, HTML, attachments, and
 * the original Message-ID, so a redelivery is still recognized as a duplicate).
 */
export function postmarkToMime(p: PostmarkPayload): Buffer {
  if (p.RawEmail) return Buffer.from(p.RawEmail, 'utf8');
  const boundary = `leadgate-${randomUUID()}`;
  const headerValue = (name: string) => p.Headers?.find((h) => h.Name.toLowerCase() === name)?.Value;
  const messageId = headerValue('message-id') ?? (p.MessageID ? `<${p.MessageID}@postmark>` : undefined);
  const head = [
    p.From && `From: ${oneLine(p.From)}`,
    p.To && `To: ${oneLine(p.To)}`,
    p.Subject && `Subject: ${oneLine(p.Subject)}`,
    (headerValue('date') ?? p.Date) && `Date: ${oneLine(headerValue('date') ?? p.Date!)}`,
    messageId && `Message-ID: ${oneLine(messageId)}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
  ].filter(Boolean);
  const parts: string[] = [];
  const textPart = (type: string, body: string) =>
    `Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(Buffer.from(body, 'utf8').toString('base64'))}`;
  if (p.TextBody) parts.push(textPart('text/plain', p.TextBody));
  if (p.HtmlBody) parts.push(textPart('text/html', p.HtmlBody));
  for (const a of p.Attachments ?? []) {
    if (!a.Content) continue;
    const name = oneLine(a.Name ?? 'attachment').replace(/["\\]/g, '_');
    parts.push(
      `Content-Type: ${oneLine(a.ContentType ?? 'application/octet-stream')}; name="${name}"\r\nContent-Disposition: attachment; filename="${name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(a.Content)}`,
    );
  }
  const body = parts.map((part) => `--${boundary}\r\n${part}\r\n`).join('') + `--${boundary}--\r\n`;
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`, 'utf8');
}

/** The raw MIME message inside a webhook request, or a LeadgateError saying what was missing. */
export async function mimeFromWebhook(kind: EmailWebhook, c: Context): Promise<Buffer> {
  const type = mediaType(c.req.header('content-type') ?? '');
  switch (kind) {
    case 'rfc822': {
      if (type && type !== 'message/rfc822' && type !== 'text/plain' && type !== 'application/octet-stream') {
        throw new LeadgateError('unsupported_media_type', 'post the raw message as message/rfc822');
      }
      const bytes = Buffer.from(await c.req.arrayBuffer());
      if (!bytes.length) throw new LeadgateError('empty_body', 'post the raw message as the body');
      return bytes;
    }
    case 'sendgrid':
    case 'mailgun': {
      // SendGrid Inbound Parse in raw mode sends the whole message in "email"; Mailgun's MIME route in "body-mime".
      const field = kind === 'sendgrid' ? 'email' : 'body-mime';
      if (type !== 'multipart/form-data' && type !== 'application/x-www-form-urlencoded') {
        throw new LeadgateError('unsupported_media_type', `expected a form post with the "${field}" field`);
      }
      const form = await c.req.parseBody();
      const bytes = await fieldBytes(form[field]);
      if (!bytes) throw new LeadgateError('not_a_lead', `the "${field}" field with the raw message is missing (SendGrid: enable "POST the raw, full MIME message")`);
      return bytes;
    }
    case 'postmark': {
      if (type !== 'application/json') throw new LeadgateError('unsupported_media_type', 'expected Postmark inbound JSON');
      let payload: PostmarkPayload;
      try {
        payload = (await c.req.json()) as PostmarkPayload;
      } catch {
        throw new LeadgateError('not_a_lead', 'the body is not valid JSON');
      }
      if (!payload || typeof payload !== 'object' || (!payload.RawEmail && !payload.TextBody && !payload.HtmlBody && !payload.Attachments?.length)) {
        throw new LeadgateError('not_a_lead', 'the Postmark payload has no message content');
      }
      return postmarkToMime(payload);
    }
  }
}

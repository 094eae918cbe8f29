// Tests for the email reader: every place a lead hides in a message (adf.md §9.8, delivery.md §2.4), charsets, and the bounds on hostile mail.

import { describe, expect, it } from 'vitest';
import { LeadgateError } from '../errors.js';
import { cutDocuments, emailDateToIso, htmlToText, readEmail, type EmailContent } from './email.js';
import { parseTextLead } from './text.js';

const C = '\r\n';
const ADF = `<?xml version="1.0" encoding="UTF-8"?>${C}<?adf version="1.0"?>${C}<adf><prospect><requestdate>2025-10-17T19:54:00-07:00</requestdate>${C}<customer><contact><name part="full">Pat Doe</name><email>pat@example.com</email></contact><comments>Tom &amp; Jerry</comments></customer>${C}<vendor><vendorname>Tustin Mazda</vendorname></vendor></prospect></adf>`;
const ADF2 = ADF.replace('Pat Doe', 'Sam Roe').replace('pat@example.com', 'sam@example.com');
const STAR = `<?xml version="1.0"?><ProcessSalesLead xmlns="http://www.starstandard.org/STAR/5" releaseID="5.2.4"><DataArea><SalesLead/></DataArea></ProcessSalesLead>`;

interface Part {
  type: string;
  body: string;
  headers?: string[];
}

/** A minimal message: top headers, then either one body or multipart parts. */
function eml(opts: { headers?: string[]; type?: string; body?: string; parts?: Part[]; subtype?: string }): Buffer {
  const top = ['From: TrueCar <pnc@leads.truecarmail.com>', 'To: sales@dealer.example, "B" <b@dealer.example>', 'Subject: TrueCar / PNC: New Customer Inquiry', 'Date: Fri, 17 Oct 2025 19:54:05 -0700', 'Message-ID: <Test-1@Example.COM>', 'MIME-Version: 1.0', ...(opts.headers ?? [])];
  if (opts.parts) {
    const b = 'BOUNDARY';
    const parts = opts.parts.map((p) => `--${b}${C}Content-Type: ${p.type}${C}${(p.headers ?? []).map((h) => h + C).join('')}${C}${p.body}${C}`).join('');
    return Buffer.from(`${top.join(C)}${C}Content-Type: multipart/${opts.subtype ?? 'mixed'}; boundary="${b}"${C}${C}${parts}--${b}--${C}`, 'latin1');
  }
  return Buffer.from(`${top.join(C)}${C}Content-Type: ${opts.type ?? 'text/plain; charset=utf-8'}${C}${C}${opts.body ?? ''}${C}`, 'latin1');
}

/** mailparser hands text bodies over with LF line ends. */
const LF = (s: string): string => s.replace(/\r\n/g, '\n');
const where = (e: EmailContent): string[] => e.documents.map((d) => d.where);
const docCodes = (e: EmailContent, i = 0): string[] => e.documents[i]!.warnings.map((w) => w.code);
const qp = (s: string): string => Buffer.from(s, 'utf8').toString('latin1').replace(/[=\x80-\xff]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`).replace(/(.{70})/g, `$1=${C}`);

describe('readEmail: headers', () => {
  it('reads Message-ID, From, To, Subject and Date (with the sender offset kept)', async () => {
    const e = await readEmail(eml({ body: ADF }));
    expect(e.messageId).toBe('Test-1@Example.COM');
    expect(e.from).toBe('pnc@leads.truecarmail.com');
    expect(e.to).toEqual(['sales@dealer.example', 'b@dealer.example']);
    expect(e.subject).toBe('TrueCar / PNC: New Customer Inquiry');
    expect(e.date).toBe('2025-10-17T19:54:05-07:00');
  });

  it('the From address is the parsed address, never an address-like display name', async () => {
    const e = await readEmail(Buffer.from(`From: "dealer-leads@messages.cargurus.com" <phish@evil.example>${C}Subject: x${C}${C}hi${C}`));
    expect(e.from).toBe('phish@evil.example');
  });

  it('emailDateToIso: RFC 5322 forms, zones, comments; garbage is undefined', () => {
    expect(emailDateToIso('Fri, 17 Oct 2025 19:54:05 -0700')).toBe('2025-10-17T19:54:05-07:00');
    expect(emailDateToIso('17 Oct 2025 19:54 +0000 (UTC)')).toBe('2025-10-17T19:54:00Z');
    expect(emailDateToIso('Fri, 17 Oct 2025 19:54:05 PDT')).toBe('2025-10-17T19:54:05-07:00');
    expect(emailDateToIso('not a date')).toBeUndefined();
    expect(emailDateToIso(undefined)).toBeUndefined();
  });
});

describe('readEmail: where the lead is', () => {
  it('ADF as the whole text/plain body', async () => {
    const e = await readEmail(eml({ body: ADF }));
    expect(where(e)).toEqual(['text-body']);
    expect(e.documents[0]).toMatchObject({ format: 'adf', from: 'pnc@leads.truecarmail.com', subject: 'TrueCar / PNC: New Customer Inquiry', date: '2025-10-17T19:54:05-07:00' });
    expect(e.documents[0]!.text).toBe(LF(ADF));
    expect(e.warnings).toEqual([]);
  });

  it('cuts the document out of text around it (from <?xml to the last </adf>)', async () => {
    const e = await readEmail(eml({ body: `New lead below.${C}${C}${ADF}${C}${C}-- ${C}Sent by LeadMailer` }));
    expect(e.documents[0]!.text).toBe(LF(ADF));
  });

  it('STAR as the body', async () => {
    const e = await readEmail(eml({ body: STAR }));
    expect(e.documents.map((d) => d.format)).toEqual(['star']);
  });

  it('HTML-escaped ADF in an HTML-only body: unescaped once (&amp;amp; → &amp;), tags dropped', async () => {
    const escaped = ADF.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').split(C).join('<br>\r\n');
    const e = await readEmail(eml({ type: 'text/html; charset=utf-8', body: `<html><head><style>p{color:red}</style></head><body><p>${escaped}</p></body></html>` }));
    expect(where(e)).toEqual(['html-body']);
    expect(docCodes(e)).toEqual(['email_lead_in_html', 'email_html_escaped']);
    expect(e.documents[0]!.text).toContain('<comments>Tom &amp; Jerry</comments>');
    expect(e.documents[0]!.text.startsWith('<?xml')).toBe(true);
  });

  it('raw (unescaped) ADF pasted into HTML: the HTML tags around the lines are removed', async () => {
    const e = await readEmail(eml({ type: 'text/html', body: `<html><body><div>${ADF.split(C).join('</div>\r\n<div>')}</div></body></html>` }));
    expect(where(e)).toEqual(['html-body']);
    expect(e.documents[0]!.text).not.toMatch(/<\/?div/);
  });

  it('the HTML alternative is not read when the text part holds the lead', async () => {
    const e = await readEmail(eml({ subtype: 'alternative', parts: [{ type: 'text/plain', body: ADF }, { type: 'text/html', body: `<pre>${ADF.replace(/</g, '&lt;')}</pre>` }] }));
    expect(where(e)).toEqual(['text-body']);
    expect(e.warnings).toEqual([]);
  });

  it('quoted-printable and base64 transfer encodings', async () => {
    const q = await readEmail(eml({ headers: ['Content-Transfer-Encoding: quoted-printable'], body: qp(ADF) }));
    expect(q.documents[0]!.text).toBe(LF(ADF));
    const b = await readEmail(eml({ headers: ['Content-Transfer-Encoding: base64'], body: Buffer.from(ADF).toString('base64').replace(/.{76}/g, `$&${C}`) }));
    expect(b.documents[0]!.text).toBe(LF(ADF));
  });

  it('quoted-printable that was never declared (=3D, soft breaks) is decoded with a warning', async () => {
    const e = await readEmail(eml({ body: qp(ADF) }));
    expect(e.documents[0]!.text).toBe(LF(ADF));
    expect(docCodes(e)).toEqual(['email_quoted_printable_repaired']);
  });

  it('an .xml attachment next to a text part', async () => {
    const e = await readEmail(
      eml({
        parts: [
          { type: 'text/plain', body: 'Lead attached.' },
          { type: 'application/octet-stream; name="lead.xml"', headers: ['Content-Disposition: attachment; filename="lead.xml"', 'Content-Transfer-Encoding: base64'], body: Buffer.from(ADF).toString('base64') },
          { type: 'image/png; name="logo.png"', headers: ['Content-Disposition: inline; filename="logo.png"', 'Content-Transfer-Encoding: base64'], body: 'iVBORw0KGgo=' },
        ],
      }),
    );
    expect(where(e)).toEqual(['attachment']);
    expect(docCodes(e)).toEqual(['email_lead_in_attachment']);
    expect(e.textBody).toBe('Lead attached.');
  });

  it('an application/xml part (the ADF spec transfer format)', async () => {
    const e = await readEmail(eml({ parts: [{ type: 'text/plain', body: 'Human-readable summary' }, { type: 'application/xml; charset=utf-8', body: ADF }] }));
    expect(where(e)).toEqual(['xml-part']);
    expect(docCodes(e)).toEqual(['email_lead_in_xml_part']);
  });

  it('the same ADF in the body and attached (LeadSync) is read once', async () => {
    const e = await readEmail(
      eml({ parts: [{ type: 'text/plain', body: ADF }, { type: 'text/xml; name=lead.xml', headers: ['Content-Disposition: attachment; filename=lead.xml'], body: `${ADF}${C}${C}` }] }),
    );
    expect(where(e)).toEqual(['text-body']);
    expect(e.warnings.map((w) => w.code)).toEqual(['email_duplicate_document']);
  });

  it('two different documents are both read', async () => {
    const e = await readEmail(eml({ body: `${ADF}${C}${C}${ADF2}` }));
    expect(e.documents.map((d) => d.text)).toEqual([LF(ADF), LF(ADF2)]);
  });

  it('Gmail inline forward: the original sender and subject travel with the document', async () => {
    const body = `FYI${C}${C}---------- Forwarded message ---------${C}From: CarGurus <dealer-leads@messages.cargurus.com>${C}Date: Mon, Oct 13, 2025 at 3:32 AM${C}Subject: Lead Submission from CarGurus${C}To: <sales@dealer.example>${C}${C}${C}${ADF}`;
    const e = await readEmail(eml({ headers: [], body }));
    expect(where(e)).toEqual(['forwarded-inline']);
    expect(e.documents[0]).toMatchObject({ from: 'dealer-leads@messages.cargurus.com', subject: 'Lead Submission from CarGurus' });
    expect(docCodes(e)).toEqual(['email_lead_forwarded']);
  });

  it('"> " quote markers in front of every line are removed', async () => {
    const quoted = ADF.split(C).map((l) => `> ${l}`).join(C);
    const e = await readEmail(eml({ body: `On Tue, someone wrote:${C}${quoted}` }));
    expect(e.documents[0]!.text).toBe(LF(ADF));
    expect(docCodes(e)).toEqual(['email_quote_prefix_removed']);
  });

  it('Outlook forward as an attached message/rfc822: read from the inner message, with its sender', async () => {
    const inner = `From: dealer-leads@messages.cargurus.com${C}Subject: Lead Submission from CarGurus${C}Date: Mon, 13 Oct 2025 03:32:03 -0400${C}Message-ID: <inner@cargurus>${C}Content-Type: text/plain${C}${C}${ADF}`;
    const e = await readEmail(eml({ parts: [{ type: 'text/plain', body: 'Can you enter this one?' }, { type: 'message/rfc822', headers: ['Content-Disposition: attachment'], body: inner }] }));
    expect(where(e)).toEqual(['forwarded-attachment']);
    expect(e.documents[0]).toMatchObject({ from: 'dealer-leads@messages.cargurus.com', subject: 'Lead Submission from CarGurus', date: '2025-10-13T03:32:03-04:00' });
    expect(docCodes(e)).toEqual(['email_lead_forwarded']);
    expect(e.messageId).toBe('Test-1@Example.COM');
    expect(e.texts.map((t) => t.where)).toEqual(['text-body', 'forwarded-attachment']);
  });
});

describe('readEmail: charsets', () => {
  const latin = (s: string): string => Buffer.from(s, 'latin1').toString('latin1');

  it('an ISO-8859-1 body: the MIME charset decodes it, the XML declaration (UTF-8) does not re-decode it', async () => {
    const xml = ADF.replace('Tom &amp; Jerry', 'Café Crème');
    const e = await readEmail(eml({ type: 'text/plain; charset=iso-8859-1', body: latin(xml) }));
    expect(e.documents[0]!.text).toContain('<comments>Café Crème</comments>');
    expect(e.warnings).toEqual([]);
  });

  it('Windows-1252 bytes labelled ISO-8859-1 (0x92 curly apostrophe) come out right', async () => {
    const xml = ADF.replace('Tom &amp; Jerry', 'I\x92m in the market');
    const e = await readEmail(eml({ type: 'text/plain; charset="iso-8859-1"', body: xml }));
    expect(e.documents[0]!.text).toContain('I’m in the market');
  });

  it('windows-1252 and UTF-8 labels', async () => {
    const w1252 = await readEmail(eml({ type: 'text/plain; charset=windows-1252', body: ADF.replace('Tom &amp; Jerry', 'Caf\xe9 \x93quoted\x94') }));
    expect(w1252.documents[0]!.text).toContain('Café “quoted”');
    const utf8 = await readEmail(eml({ type: 'text/plain; charset=utf-8', body: Buffer.from(ADF.replace('Tom &amp; Jerry', 'Café'), 'utf8').toString('latin1') }));
    expect(utf8.documents[0]!.text).toContain('Café');
  });

  it('an attachment without a MIME charset is decoded by its own XML declaration', async () => {
    const xml = ADF.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace('Tom &amp; Jerry', 'Café');
    const e = await readEmail(eml({ parts: [{ type: 'text/plain', body: 'see attached' }, { type: 'application/xml; name=lead.xml', headers: ['Content-Disposition: attachment; filename=lead.xml'], body: latin(xml) }] }));
    expect(e.documents[0]!.text).toContain('<comments>Café</comments>');
  });
});

describe('readEmail: text bodies and odd input', () => {
  it('textBody is the text part, else the HTML as text', async () => {
    expect((await readEmail(eml({ body: 'Name: Pat' }))).textBody?.trim()).toBe('Name: Pat');
    const h = await readEmail(eml({ type: 'text/html', body: '<html><head><title>x</title><style>.a{}</style></head><body><p>Name: Pat</p><p>Email:&nbsp;pat@example.com</p></body></html>' }));
    expect(h.textBody).toBe('Name: Pat\n\nEmail: pat@example.com');
    expect(h.texts[0]!.where).toBe('html-body');
    expect(h.documents).toEqual([]);
  });

  it('bytes that are not a message at all (an .eml that is really the XML) are read as the body', async () => {
    const e = await readEmail(Buffer.from(ADF));
    expect(where(e)).toEqual(['text-body']);
    expect(e.warnings.map((w) => w.code)).toEqual(['email_not_mime']);
  });

  it('htmlToText keeps <pre> whitespace and collapses the rest', () => {
    expect(htmlToText('<div>a\n   b</div><pre>x\n  y</pre><table><tr><td>k</td><td>v</td></tr></table>')).toBe('a b\n\nx\n  y\n\nk v');
  });
});

describe('readEmail: bounds', () => {
  const manyParts = (n: number): Buffer =>
    eml({
      parts: [
        { type: 'text/plain', body: ADF },
        ...Array.from({ length: n }, (_, i) => ({ type: `application/octet-stream; name="f${i}.bin"`, headers: [`Content-Disposition: attachment; filename="f${i}.bin"`], body: `x${i}` })),
      ],
    });

  it('a 1000-part message: the lead is still found, only the first attachments are examined', async () => {
    const e = await readEmail(manyParts(1000));
    expect(where(e)).toEqual(['text-body']);
    expect(e.warnings.map((w) => w.code)).toEqual(['email_parts_capped']);
  });

  it('more MIME parts than the parser allows: a clear mime_too_complex', async () => {
    const err = await readEmail(manyParts(120), { maxMimeNodes: 100 }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(LeadgateError);
    expect((err as LeadgateError).code).toBe('mime_too_complex');
    expect((err as LeadgateError).detail).toBe('the email has more than 100 MIME parts');
  });

  it('forwarded messages nested 50 deep: read to depth 3, then a warning', async () => {
    const wrap = (inner: string, i: number): string =>
      `From: fw${i}@dealer.example${C}Message-ID: <n${i}@x>${C}MIME-Version: 1.0${C}Content-Type: multipart/mixed; boundary="n${i}"${C}${C}--n${i}${C}Content-Type: text/plain${C}${C}fyi${C}--n${i}${C}Content-Type: message/rfc822${C}Content-Disposition: attachment${C}${C}${inner}${C}--n${i}--${C}`;
    const leaf = `From: pnc@leads.truecarmail.com${C}Content-Type: text/plain${C}${C}${ADF}${C}`;
    let three = leaf;
    for (let i = 0; i < 3; i++) three = wrap(three, i);
    expect(where(await readEmail(Buffer.from(three)))).toEqual(['forwarded-attachment']);
    let fifty = leaf;
    for (let i = 0; i < 50; i++) fifty = wrap(fifty, i);
    const e = await readEmail(Buffer.from(fifty));
    expect(e.documents).toEqual([]);
    expect(e.warnings.map((w) => w.code)).toEqual(['email_nesting_too_deep']);
  });

  it('a huge header: a clear mime_too_complex; a large one within the limit is fine', async () => {
    const huge = Buffer.from(`From: a@example.com${C}Subject: ${'x'.repeat(2_000_000)}${C}${C}${ADF}`);
    const err = await readEmail(huge).catch((x: unknown) => x);
    expect((err as LeadgateError).code).toBe('mime_too_complex');
    expect((err as LeadgateError).detail).toBe('the email has a header block larger than the limit');
    const large = Buffer.from(`From: a@example.com${C}X-Junk: ${'y'.repeat(300_000)}${C}${C}${ADF}`);
    expect(where(await readEmail(large))).toEqual(['text-body']);
  });

  it('refuses, before parsing, messages with more lines or nesting declarations than the limits (parser cost grows with both)', async () => {
    const nested = (depth: number): string => {
      let body = `Content-Type: text/plain${C}${C}${ADF}${C}`;
      for (let i = 0; i < depth; i++) body = `Content-Type: multipart/mixed; boundary="b${i}"${C}${C}--b${i}${C}${body}${C}--b${i}--${C}`;
      return `From: a@example.com${C}MIME-Version: 1.0${C}${body}`;
    };
    const code = async (bytes: Buffer, limits = {}) => ((await readEmail(bytes, limits).catch((x: unknown) => x)) as LeadgateError).code;
    expect(where(await readEmail(Buffer.from(nested(10)), { maxMultiparts: 10 }))).toEqual(['text-body']);
    expect(await code(Buffer.from(nested(11)), { maxMultiparts: 10 })).toBe('mime_too_complex');
    expect(await code(Buffer.from(nested(300)))).toBe('mime_too_complex');
    expect(await code(Buffer.from(nested(3).replace(/boundary/g, 'BoUnDaRy')), { maxMultiparts: 2 })).toBe('mime_too_complex');
    expect(where(await readEmail(Buffer.from(`From: a@example.com${C}${C}${ADF}`), { maxLines: 100 }))).toEqual(['text-body']);
    expect(await code(Buffer.from(`From: a@example.com${C}${C}${ADF}${'x\n'.repeat(101)}`), { maxLines: 100 })).toBe('mime_too_complex');
  });

  it('attachments over the size limit are not examined', async () => {
    const e = await readEmail(eml({ parts: [{ type: 'text/plain', body: 'see attached' }, { type: 'application/xml; name=lead.xml', headers: ['Content-Disposition: attachment; filename=lead.xml'], body: ADF }] }), { maxAttachmentBytes: 100 });
    expect(e.documents).toEqual([]);
    expect(e.warnings.map((w) => w.code)).toEqual(['email_attachment_skipped']);
  });

  it('garbage never throws anything but a LeadgateError', async () => {
    for (const bytes of [Buffer.from('\x00\x01\x02'), Buffer.from('Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n--x--'), Buffer.alloc(10_000, 0xff)]) {
      const result = await readEmail(bytes).catch((x: unknown) => x);
      if (result instanceof Error) expect(result).toBeInstanceOf(LeadgateError);
    }
  });
});

describe('cutDocuments', () => {
  it('includes a misplaced ADF PI before the XML declaration', () => {
    const doc = `<?adf version="1.0"?>\n<?xml version="1.0"?>\n<adf><prospect/></adf>`;
    expect(cutDocuments(`junk ${doc} trailer`)).toEqual([{ text: doc, format: 'adf', start: 5 }]);
  });

  it('an unterminated document runs to the end; prose without a root finds nothing', () => {
    expect(cutDocuments('x <adf><prospect>')[0]!.text).toBe('<adf><prospect>');
    expect(cutDocuments('We accept adf leads by email.')).toEqual([]);
  });

  it('namespaced STAR roots', () => {
    expect(cutDocuments('<star:ProcessSalesLead xmlns:star="x"><star:DataArea/></star:ProcessSalesLead> tail')[0]).toMatchObject({ format: 'star', text: '<star:ProcessSalesLead xmlns:star="x"><star:DataArea/></star:ProcessSalesLead>' });
  });
});

describe('hostile text stays fast', () => {
  it('long whitespace runs and unclosed markup make no regular expression backtrack', async () => {
    const spaces = ' '.repeat(200_000);
    const html = `<html><body>${'<!--<p<pre'.repeat(50_000)}&lt;adf${spaces}x</body></html>`;
    const body = `Name: Pat${spaces}x${spaces}|\nPat Doe is interested in ${spaces}x\n## ${'lead '.repeat(40_000)}\nEmail: ${'a'.repeat(200_000)}\n"${'q'.repeat(100)}${spaces}"\n`;
    const started = Date.now();
    await readEmail(eml({ type: 'text/html', body: html }));
    const e = await readEmail(eml({ body }));
    try {
      parseTextLead({ text: e.textBody ?? '', subject: `Cars.com Used Car Lead for ${' - '.repeat(100_000)}`, from: `${'x'.repeat(100_000)}@` });
    } catch (err) {
      expect(err).toBeInstanceOf(LeadgateError);
    }
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

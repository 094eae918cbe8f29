// Tests for format detection and for finding the XML inside form-encoded posts.

import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectFormat, extractXmlFromForm } from './detect.js';
import { detectAdapter } from '../../adapters/index.js';

const REAL = new URL('../../fixtures/real-leads/', import.meta.url);
const QUIRKS = new URL('./fixtures/', import.meta.url);

describe('detectFormat', () => {
  it('recognises every real lead', () => {
    for (const f of readdirSync(REAL).filter((n) => n.endsWith('.xml'))) {
      expect(detectFormat(readFileSync(new URL(f, REAL), 'utf8')), f).toBe(f.startsWith('star-') ? 'star' : 'adf');
    }
  });

  it('recognises the quirk fixtures as ADF (prefix, case, bare prospect, PI first)', () => {
    for (const f of ['namespaced-root.xml', 'upper-case-tags.xml', 'bare-prospect-root.xml', 'pi-before-xml-declaration.xml', 'adf-pi-without-equals.xml']) {
      expect(detectFormat(readFileSync(new URL(f, QUIRKS), 'utf8')), f).toBe('adf');
    }
  });

  it('falls back to sniffing when the root is a wrapper', () => {
    expect(detectFormat('<soap:Envelope><soap:Body><ProcessSalesLead/></soap:Body></soap:Envelope>')).toBe('star');
    expect(detectFormat('<lead><adf><prospect/></adf></lead>')).toBe('adf');
  });

  it('lets the root decide over markers in the text, and the adapters detect the same way', () => {
    const adf = '<?xml version="1.0"?><adf><prospect><customer><comments>Re: our &lt;ProcessSalesLead&gt; feed, <![CDATA[<ProcessSalesLead>]]></comments></customer></prospect></adf>';
    const star = '<ProcessSalesLead><!-- converted from <adf> --><ProcessSalesLeadDataArea><SalesLead/></ProcessSalesLeadDataArea></ProcessSalesLead>';
    expect(detectFormat(adf)).toBe('adf');
    expect(detectFormat(star)).toBe('star');
    expect(detectAdapter(adf)?.name).toBe('adf');
    expect(detectAdapter(star)?.name).toBe('star');
    expect(detectAdapter('<soap:Envelope><soap:Body><ProcessSalesLead/></soap:Body></soap:Envelope>')?.name).toBe('star');
    expect(detectAdapter('Name: Jane\nPhone: 555-0100')).toBeUndefined();
  });

  it('says undefined for anything else', () => {
    expect(detectFormat('')).toBeUndefined();
    expect(detectFormat('Name: Jane\nPhone: 555-0100')).toBeUndefined();
    expect(detectFormat('<html><body><p>Hello</p></body></html>')).toBeUndefined();
    expect(detectFormat('<?xml version="1.0"?><rss/>')).toBeUndefined();
  });
});

describe('extractXmlFromForm', () => {
  const adf = '<?xml version="1.0"?><?adf version="1.0"?><adf><prospect><customer><comments>A & B + C</comments></customer></prospect></adf>';
  const star = '<ProcessSalesLead><ProcessSalesLeadDataArea><SalesLead/></ProcessSalesLeadDataArea></ProcessSalesLead>';
  const enc = encodeURIComponent;

  it('finds the XML in the usual field names', () => {
    for (const field of ['adf', 'xml', 'lead', 'body']) {
      expect(extractXmlFromForm(`dealer=42&${field}=${enc(adf)}&x=1`)).toBe(adf);
    }
  });

  it('finds it in any field, and decodes "+" as a space', () => {
    expect(extractXmlFromForm(`foo=bar&payload_v2=${enc(star)}`)).toBe(star);
    expect(extractXmlFromForm('data=%3Cadf%3E%3Cprospect%3E%3Cid%3EA+1%3C%2Fid%3E%3C%2Fprospect%3E%3C%2Fadf%3E')).toBe('<adf><prospect><id>A 1</id></prospect></adf>');
  });

  it('prefers the well-known names over other fields', () => {
    const other = '<adf><prospect><id>other</id></prospect></adf>';
    expect(extractXmlFromForm(`zzz=${enc(other)}&xml=${enc(adf)}`)).toBe(adf);
  });

  it('returns a raw XML body labelled as a form unchanged', () => {
    expect(extractXmlFromForm(`\n${adf}\n`)).toBe(adf);
  });

  it('returns undefined when no field is a lead', () => {
    expect(extractXmlFromForm('name=Jane&phone=555-0100')).toBeUndefined();
    expect(extractXmlFromForm(`xml=${enc('<rss/>')}`)).toBeUndefined();
    expect(extractXmlFromForm('')).toBeUndefined();
    expect(extractXmlFromForm('bad=%E0%A4%A')).toBeUndefined();
  });
});

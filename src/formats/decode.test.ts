// Tests for byte → text decoding: BOMs, transport charset, XML declaration, UTF-8 and the Windows-1252 fallback.

import { describe, expect, it } from 'vitest';
import { declaredEncoding, decodeText } from './decode.js';

const codes = (r: { warnings: { code: string }[] }): string[] => r.warnings.map((w) => w.code);
const latin = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('decodeText', () => {
  it('reads plain UTF-8 without warnings', () => {
    const r = decodeText(Buffer.from('<adf><c>Café ’ ®</c></adf>', 'utf8'), {});
    expect(r).toEqual({ text: '<adf><c>Café ’ ®</c></adf>', charset: 'utf-8', warnings: [] });
  });

  it('strips a UTF-8 BOM', () => {
    const r = decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<adf/>')]), {});
    expect(r.text).toBe('<adf/>');
    expect(r.charset).toBe('utf-8');
  });

  it('decodes UTF-16LE and UTF-16BE with a BOM, whatever the declaration says', () => {
    const doc = '<?xml version="1.0" encoding="utf-8"?><adf><c>é’</c></adf>';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(doc, 'utf16le')]);
    expect(decodeText(le, {})).toMatchObject({ text: doc, charset: 'utf-16le' });
    const be = Buffer.from(le);
    be.swap16();
    expect(decodeText(be, {})).toMatchObject({ text: doc, charset: 'utf-16be' });
  });

  it('warns when a BOM contradicts the transport charset and uses the BOM', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<adf/>', 'utf16le')]);
    const r = decodeText(le, { charset: 'iso-8859-1' });
    expect(r.text).toBe('<adf/>');
    expect(codes(r)).toEqual(['charset_bom_overrides_label']);
  });

  it('recognises UTF-16 without a BOM from its byte pattern', () => {
    const r = decodeText(Buffer.from('<adf><c>ü</c></adf>', 'utf16le'), {});
    expect(r.text).toBe('<adf><c>ü</c></adf>');
    expect(codes(r)).toEqual(['charset_utf16_without_bom']);
  });

  it('falls back to Windows-1252 for 0x92 (curly apostrophe) and 0xAE (®) with no declaration', () => {
    const bytes = Buffer.concat([latin('<adf><c>I'), Buffer.from([0x92]), latin('m in. Kia'), Buffer.from([0xae]), latin('</c></adf>')]);
    const r = decodeText(bytes, {});
    expect(r.text).toBe('<adf><c>I’m in. Kia®</c></adf>');
    expect(r.charset).toBe('windows-1252');
    expect(codes(r)).toEqual(['charset_fallback_windows1252']);
  });

  it('treats a UTF-8 declaration over Windows-1252 bytes as a lie', () => {
    const bytes = Buffer.concat([latin('<?xml version="1.0" encoding="UTF-8"?><adf><c>'), Buffer.from([0x93, 0x48, 0x69, 0x94]), latin('</c></adf>')]);
    const r = decodeText(bytes, {});
    expect(r.text).toContain('<c>“Hi”</c>');
    expect(codes(r)).toEqual(['charset_fallback_windows1252']);
    expect(r.warnings[0]?.message).toContain('XML declaration');
  });

  it('treats a UTF-8 transport charset over Windows-1252 bytes the same way', () => {
    const r = decodeText(Buffer.concat([latin('<adf>'), Buffer.from([0x92]), latin('</adf>')]), { charset: 'utf-8' });
    expect(r.text).toBe('<adf>’</adf>');
    expect(codes(r)).toEqual(['charset_fallback_windows1252']);
  });

  it('honours an ISO-8859-1 declaration', () => {
    const bytes = Buffer.concat([latin("<?xml version='1.0' encoding='ISO-8859-1'?><adf><c>Jos"), Buffer.from([0xe9]), latin('</c></adf>')]);
    const r = decodeText(bytes, {});
    expect(r.text).toContain('<c>José</c>');
    expect(r.warnings).toEqual([]);
    // WHATWG decodes the iso-8859-1 label as windows-1252 (a superset), which is what senders mean.
    expect(r.charset).toBe('windows-1252');
  });

  it('prefers the transport charset over the declaration', () => {
    const bytes = Buffer.from('<?xml version="1.0" encoding="iso-8859-1"?><adf><c>José</c></adf>', 'utf8');
    expect(decodeText(bytes, { charset: '"UTF-8"' }).text).toContain('<c>José</c>');
    // Without the transport hint the (wrong) declaration wins and produces mojibake: the order matters.
    expect(decodeText(bytes, {}).text).toContain('<c>JosÃ©</c>');
  });

  it('ignores an unknown label with a warning and keeps going', () => {
    const r = decodeText(Buffer.from('<adf><c>é</c></adf>', 'utf8'), { charset: 'x-no-such-charset' });
    expect(r.text).toBe('<adf><c>é</c></adf>');
    expect(codes(r)).toEqual(['charset_unknown_label']);
    const d = decodeText(Buffer.from('<?xml version="1.0" encoding="klingon-8"?><adf/>'), {});
    expect(d.charset).toBe('utf-8');
    expect(codes(d)).toEqual(['charset_unknown_label']);
  });

  it('ignores a UTF-16 declaration on ASCII-compatible bytes', () => {
    const r = decodeText(Buffer.from('<?xml version="1.0" encoding="UTF-16"?><adf/>'), {});
    expect(r.text).toBe('<?xml version="1.0" encoding="UTF-16"?><adf/>');
    expect(codes(r)).toEqual(['charset_declaration_ignored']);
  });
});

describe('declaredEncoding', () => {
  it('reads the usual and the sloppy forms', () => {
    expect(declaredEncoding('<?xml version="1.0" encoding="utf-8" ?>')).toBe('utf-8');
    expect(declaredEncoding("<?xml version='1.0' encoding='Windows-1252'?>")).toBe('windows-1252');
    expect(declaredEncoding('<?XML VERSION "1.0" ENCODING "ISO-8859-1"?>')).toBe('iso-8859-1');
    // The spec's example: ADF PI first.
    expect(declaredEncoding('<?ADF VERSION="1.0"?>\n<?xml version="1.0" encoding="utf-8"?>')).toBe('utf-8');
    expect(declaredEncoding('<?xml version="1.0"?>')).toBeUndefined();
    expect(declaredEncoding('<adf/>')).toBeUndefined();
  });
});

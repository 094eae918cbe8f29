// Turns raw lead bytes into text: BOM first, then transport charset, XML declaration, valid UTF-8, else Windows-1252.

import { TextDecoder } from 'node:util';
import type { Warning } from '../lead.js';

export interface DecodedText {
  text: string;
  /** WHATWG name of the encoding actually used ("utf-8", "windows-1252", "utf-16le", ...). */
  charset: string;
  warnings: Warning[];
}

/** How far into the bytes we look for an XML declaration (a misplaced ADF PI may precede it). */
const DECL_SNIFF_BYTES = 1024;

/** Normalise a charset label as it appears in headers/declarations: quotes, case, whitespace. */
function cleanLabel(label: string | undefined): string | undefined {
  if (label === undefined) return undefined;
  const l = label.trim().replace(/^["']|["']$/g, '').trim().toLowerCase();
  return l === '' ? undefined : l;
}

/** The TextDecoder for a label, or undefined when Node's ICU does not know it. */
function decoderFor(label: string): TextDecoder | undefined {
  try {
    return new TextDecoder(label, { ignoreBOM: true });
  } catch {
    return undefined;
  }
}

function isUtf8Label(encoding: string): boolean {
  return encoding === 'utf-8';
}

function isUtf16(encoding: string): boolean {
  return encoding === 'utf-16le' || encoding === 'utf-16be';
}

/** One decoder for every call: a non-streaming decode() starts afresh, and constructing one per call cost more than decoding short runs. */
const UTF8_FATAL = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decode as UTF-8 if the bytes are valid UTF-8; undefined otherwise. */
function tryUtf8(bytes: Uint8Array): string | undefined {
  try {
    return UTF8_FATAL.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Windows-1252 code points for bytes 0x80–0x9F (WHATWG table; the five unassigned bytes map to themselves). */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

/**
 * Windows-1252 by hand: Node 20's TextDecoder('windows-1252') (also used for the iso-8859-1 and
 * us-ascii labels) decodes as Latin-1, turning 0x92 into U+0092 instead of a curly apostrophe.
 */
function windows1252(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('latin1')
    .replace(/[\x80-\x9f]/g, (c) => String.fromCharCode(CP1252_HIGH[c.charCodeAt(0) - 0x80] ?? c.charCodeAt(0)));
}

/** Decode with a label's decoder, routing every windows-1252 alias through our own table. */
function decodeAs(dec: TextDecoder, bytes: Uint8Array): { text: string; charset: string } {
  return { text: dec.encoding === 'windows-1252' ? windows1252(bytes) : dec.decode(bytes), charset: dec.encoding };
}

/**
 * Read `encoding="..."` from an XML declaration near the start. Also accepts the forms real
 * generators write: `<?XML VERSION "1.0" ENCODING "utf-8"?>` (no `=`), single quotes, any case.
 */
export function declaredEncoding(head: string): string | undefined {
  const decl = /<\?xml\b([^?>]*)\?>/i.exec(head);
  if (!decl) return undefined;
  const m = /\bencoding\s*=?\s*["']([^"']*)["']/i.exec(decl[1] ?? '');
  return cleanLabel(m?.[1]);
}

/** UTF-16 without a BOM: an ASCII `<` or `<?` interleaved with NUL bytes. */
function sniffUtf16(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  if (bytes.length < 4) return undefined;
  if (bytes[0] === 0x3c && bytes[1] === 0x00 && bytes[2] !== 0x00 && bytes[3] === 0x00) return 'utf-16le';
  if (bytes[0] === 0x00 && bytes[1] === 0x3c && bytes[2] === 0x00 && bytes[3] !== 0x00) return 'utf-16be';
  return undefined;
}

/**
 * Decode lead bytes. Priority: BOM (authoritative), transport charset (MIME/HTTP), the XML
 * declaration's encoding, UTF-8 when the bytes are valid UTF-8, else Windows-1252 with a warning.
 * A label that claims UTF-8 over bytes that are not UTF-8 is treated as a lie (common with
 * Windows-1252 curly quotes from Kia/Cars.com-style generators) and also falls back to Windows-1252.
 */
export function decodeText(bytes: Buffer, hints: { charset?: string } = {}): DecodedText {
  const warnings: Warning[] = [];
  const transport = cleanLabel(hints.charset);

  // 1. Byte-order marks decide the encoding outright.
  let bom: string | undefined;
  let offset = 0;
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    bom = 'utf-8';
    offset = 3;
  } else if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    bom = 'utf-16le';
    offset = 2;
  } else if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    bom = 'utf-16be';
    offset = 2;
  }
  const body = bytes.subarray(offset);

  if (bom !== undefined) {
    const transportEncoding = transport ? decoderFor(transport)?.encoding : undefined;
    if (transportEncoding !== undefined && transportEncoding !== bom) {
      warnings.push({ code: 'charset_bom_overrides_label', message: 'The byte-order mark contradicts the transport charset; the byte-order mark was used.' });
    }
    if (bom === 'utf-8') return finish(decodeUtf8OrFallback(body, warnings, 'byte-order mark'), warnings);
    return finish({ text: new TextDecoder(bom, { ignoreBOM: true }).decode(body), charset: bom }, warnings);
  }

  // 2. Transport charset.
  if (transport !== undefined) {
    const dec = decoderFor(transport);
    if (dec === undefined) {
      warnings.push({ code: 'charset_unknown_label', message: 'The transport charset label is not a known encoding; it was ignored.' });
    } else if (isUtf8Label(dec.encoding)) {
      return finish(decodeUtf8OrFallback(body, warnings, 'transport charset'), warnings);
    } else {
      return finish(decodeAs(dec, body), warnings);
    }
  }

  // UTF-16 without BOM (only meaningful when nothing else decided).
  const sniffed = sniffUtf16(body);
  if (sniffed !== undefined) {
    warnings.push({ code: 'charset_utf16_without_bom', message: 'UTF-16 text without a byte-order mark was detected from its byte pattern.' });
    return finish({ text: new TextDecoder(sniffed, { ignoreBOM: true }).decode(body), charset: sniffed }, warnings);
  }

  // 3. XML declaration (read as Latin-1: the declaration itself is ASCII in every ASCII-compatible charset).
  // A view of the first bytes, not a copy of them.
  const head = Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, DECL_SNIFF_BYTES)).toString('latin1');
  const declared = declaredEncoding(head);
  if (declared !== undefined) {
    const dec = decoderFor(declared);
    if (dec === undefined) {
      warnings.push({ code: 'charset_unknown_label', message: 'The XML declaration names an unknown encoding; it was ignored.' });
    } else if (isUtf16(dec.encoding)) {
      // We could read the declaration as ASCII, so the document cannot be UTF-16.
      warnings.push({ code: 'charset_declaration_ignored', message: 'The XML declaration claims UTF-16 but the bytes are ASCII-compatible; it was ignored.' });
    } else if (isUtf8Label(dec.encoding)) {
      return finish(decodeUtf8OrFallback(body, warnings, 'XML declaration'), warnings);
    } else {
      return finish(decodeAs(dec, body), warnings);
    }
  }

  // 4. No usable label: UTF-8 if valid, else Windows-1252.
  return finish(decodeUtf8OrFallback(body, warnings, undefined), warnings);
}

function decodeUtf8OrFallback(body: Uint8Array, warnings: Warning[], labelledBy: string | undefined): { text: string; charset: string } {
  const utf8 = tryUtf8(body);
  if (utf8 !== undefined) return { text: utf8, charset: 'utf-8' };
  warnings.push({
    code: 'charset_fallback_windows1252',
    message: labelledBy
      ? `The ${labelledBy} says UTF-8 but the bytes are not valid UTF-8; decoded as Windows-1252.`
      : 'No charset was given and the bytes are not valid UTF-8; decoded as Windows-1252.',
  });
  return { text: windows1252(body), charset: 'windows-1252' };
}

function finish(r: { text: string; charset: string }, warnings: Warning[]): DecodedText {
  // A second BOM (or one the chosen decoder kept) is never content.
  const text = r.text.charCodeAt(0) === 0xfeff ? r.text.slice(1) : r.text;
  return { text, charset: r.charset, warnings };
}

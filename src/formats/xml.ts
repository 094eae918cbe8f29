// The safe, tolerant XML layer shared by ADF and STAR: pre-clean repairs, bounded parsing, and a name-based tree walker.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { LeadgateError } from '../errors.js';
import type { Warning } from '../lead.js';
import { isSpace, scanXml } from './xml-scan.js';

// ---------------------------------------------------------------------------
// Warnings: one entry per code per document, with a count (never customer data).
// ---------------------------------------------------------------------------

/** Collects repairs by code; `list()` gives one Warning per code, noting how often it happened. */
export class WarningLog {
  private readonly seen = new Map<string, { message: string; count: number }>();

  add(code: string, message: string): void {
    const e = this.seen.get(code);
    if (e) e.count++;
    else this.seen.set(code, { message, count: 1 });
  }

  addAll(warnings: readonly Warning[]): void {
    for (const w of warnings) if (!this.seen.has(w.code)) this.seen.set(w.code, { message: w.message, count: 1 });
  }

  has(code: string): boolean {
    return this.seen.has(code);
  }

  get empty(): boolean {
    return this.seen.size === 0;
  }

  list(): Warning[] {
    const out: Warning[] = [];
    for (const [code, { message, count }] of this.seen) out.push({ code, message: count > 1 ? `${message} (${count} times)` : message });
    return out;
  }
}

// ---------------------------------------------------------------------------
// Entities
// ---------------------------------------------------------------------------

/**
 * The HTML 4 Latin-1 entities are, in order, exactly U+00A0..U+00FF; listing the names is
 * enough to build the table.
 */
const LATIN1_NAMES =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr ' +
  'deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest ' +
  'Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ' +
  'ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig ' +
  'agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml ' +
  'eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml';

/** Other entities seen in copy pasted from word processors and web forms (punctuation, symbols, arrows). */
const OTHER: Record<string, number> = {
  OElig: 0x152, oelig: 0x153, Scaron: 0x160, scaron: 0x161, Yuml: 0x178, fnof: 0x192,
  circ: 0x2c6, tilde: 0x2dc,
  ensp: 0x2002, emsp: 0x2003, thinsp: 0x2009, zwnj: 0x200c, zwj: 0x200d, lrm: 0x200e, rlm: 0x200f,
  ndash: 0x2013, mdash: 0x2014, horbar: 0x2015,
  lsquo: 0x2018, rsquo: 0x2019, sbquo: 0x201a, ldquo: 0x201c, rdquo: 0x201d, bdquo: 0x201e,
  dagger: 0x2020, Dagger: 0x2021, bull: 0x2022, bullet: 0x2022, hellip: 0x2026, mldr: 0x2026,
  permil: 0x2030, prime: 0x2032, Prime: 0x2033, lsaquo: 0x2039, rsaquo: 0x203a, oline: 0x203e,
  frasl: 0x2044, euro: 0x20ac, trade: 0x2122, TRADE: 0x2122, copysr: 0x2117, numero: 0x2116,
  larr: 0x2190, uarr: 0x2191, rarr: 0x2192, darr: 0x2193, harr: 0x2194,
  minus: 0x2212, le: 0x2264, ge: 0x2265, ne: 0x2260, asymp: 0x2248, infin: 0x221e,
  check: 0x2713, cross: 0x2717, star: 0x2606, starf: 0x2605, hearts: 0x2665, phone: 0x260e,
  frac13: 0x2153, frac23: 0x2154, frac18: 0x215b,
  dollar: 0x24, percnt: 0x25, ast: 0x2a, plus: 0x2b, comma: 0x2c, period: 0x2e, sol: 0x2f,
  colon: 0x3a, semi: 0x3b, equals: 0x3d, quest: 0x3f, commat: 0x40, lsqb: 0x5b, rsqb: 0x5d,
  lowbar: 0x5f, grave: 0x60, lcub: 0x7b, verbar: 0x7c, rcub: 0x7d, excl: 0x21, num: 0x23,
  lpar: 0x28, rpar: 0x29, Tab: 0x09, NewLine: 0x0a, NonBreakingSpace: 0xa0,
};

function buildTable(): ReadonlyMap<string, string> {
  const table = new Map<string, string>();
  LATIN1_NAMES.split(' ').forEach((name, i) => table.set(name, String.fromCodePoint(0xa0 + i)));
  for (const [name, cp] of Object.entries(OTHER)) table.set(name, String.fromCodePoint(cp));
  return table;
}

/** HTML entity name → character. Never contains the five XML entities (those stay XML's job). */
export const HTML_ENTITIES: ReadonlyMap<string, string> = buildTable();

/** The five entities XML itself defines. */
export const XML_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
]);

/** Look a name up the way sloppy senders write it: exact, then lower-cased (`&NBSP;`, `&REG;`). */
export function lookupHtmlEntity(name: string): string | undefined {
  return HTML_ENTITIES.get(name) ?? HTML_ENTITIES.get(name.toLowerCase());
}

/** A code point XML 1.0 allows in content (no C0 controls other than tab/LF/CR, no surrogates). */
export function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 || cp === 0xa || cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/**
 * Decode XML, HTML and numeric character references in already-parsed text (used on comment-ish
 * fields, where CDATA carries `&amp;` literally — STAR CustomerComments). Unknown names stay as written.
 */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const cp = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return isXmlChar(cp) ? String.fromCodePoint(cp) : whole;
    }
    return XML_ENTITIES.get(ref) ?? lookupHtmlEntity(ref) ?? XML_ENTITIES.get(ref.toLowerCase()) ?? whole;
  });
}

// ---------------------------------------------------------------------------
// preclean: textual repairs before any XML parser sees the document.
// ---------------------------------------------------------------------------

export interface PrecleanResult {
  text: string;
  warnings: Warning[];
  /** An ADF processing instruction was present (well-formed or not, anywhere). */
  adfPi: boolean;
}

/** Markup declarations that only exist inside DTDs: their mere presence is refused (XXE, billion laughs). */
const DTD_DECL = /^<!\s*(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i;

function doctypeForbidden(): LeadgateError {
  return new LeadgateError('xml_doctype_forbidden', 'The document contains a DTD declaration; DTDs and custom entities are never processed.');
}

function isNameStartCode(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a || c >= 0xc0;
}

/**
 * The next index of one character at or after a position, for positions that only move forward (one preclean pass):
 * each indexOf scans past the answer at most once, so answering every tag costs one native scan of the text.
 */
class NextIndex {
  private at = -1;
  constructor(
    private readonly text: string,
    private readonly ch: string,
  ) {}

  /** The index of the next `ch` at or after `from`, or the text's length when there is none. */
  from(from: number): number {
    if (this.at < from) {
      this.at = this.text.indexOf(this.ch, from);
      if (this.at < 0) this.at = this.text.length;
    }
    return this.at;
  }
}

/** The positions findTagEnd's shortcut needs, for the text preclean is reading. */
export interface TagScan {
  gt: NextIndex;
  lt: NextIndex;
  dquote: NextIndex;
  squote: NextIndex;
  amp: NextIndex;
  eq: NextIndex;
}

/** Fresh forward-only indexes over `text` (one per preclean call; exported for the test that pins findTagEnd). */
export function tagScanOf(text: string): TagScan {
  return {
    gt: new NextIndex(text, '>'),
    lt: new NextIndex(text, '<'),
    dquote: new NextIndex(text, '"'),
    squote: new NextIndex(text, "'"),
    amp: new NextIndex(text, '&'),
    eq: new NextIndex(text, '='),
  };
}

/**
 * Index of the `>` closing a start tag that begins at `from` (on the `<`), or -1 if a `<` or the end comes first;
 * sets tagMayNeedRepair. Calls for one text must come in increasing `from` order (the TagScan only moves forward).
 */
export function findTagEnd(text: string, from: number, ahead: TagScan): number {
  // Most tags hold no quote (no attribute): then the first `>` ends the tag unless a `<` comes first, and the tag
  // needs repair only if it holds an `&` or `=` — what the loop below finds, answered from forward-only indexes.
  const gt = ahead.gt.from(from + 1);
  if (gt === text.length) return -1;
  if (ahead.dquote.from(from + 1) > gt && ahead.squote.from(from + 1) > gt) {
    if (ahead.lt.from(from + 1) < gt) return -1;
    tagMayNeedRepair = ahead.amp.from(from + 1) < gt || ahead.eq.from(from + 1) < gt;
    return gt;
  }
  return scanTagEnd(text, from);
}

/** findTagEnd character by character (its full path; exported for the test that pins the shortcut to it). */
export function scanTagEnd(text: string, from: number): number {
  let quote = 0;
  tagMayNeedRepair = false;
  for (let i = from + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3c) return -1; // '<' is never legal inside a tag, quoted or not
    if (c === 0x26 || c === 0x3d) tagMayNeedRepair = true; // '&' or '=': see repairStartTag
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) {
      quote = c;
    } else if (c === 0x3e) {
      return i;
    }
  }
  return -1;
}

/**
 * Set by findTagEnd: the tag holds an `&` or `=`. Without either, repairStartTag has nothing to repair
 * (no entity, no attribute value), so the common attribute-less tag skips its copy and regex tests.
 */
let tagMayNeedRepair = false;

/** What the last findTagEnd/scanTagEnd call set tagMayNeedRepair to (for the tests). */
export function lastTagMayNeedRepair(): boolean {
  return tagMayNeedRepair;
}

/**
 * Repair `&` in text or attribute values: keep the five XML entities and numeric references,
 * map HTML named entities (`&nbsp;`, `&reg;`) to characters, escape unknown names and stray `&`
 * ("Bob & Sons").
 */
function repairAmpersands(s: string, log: WarningLog): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(?:(#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]{0,31});)?/g, (whole, ref: string | undefined) => {
    if (ref === undefined) {
      log.add('stray_ampersand_escaped', 'An unescaped "&" was escaped.');
      return '&amp;';
    }
    if (ref.startsWith('#') || XML_ENTITIES.has(ref)) return whole;
    const ch = lookupHtmlEntity(ref);
    if (ch !== undefined) {
      log.add('html_entity_repaired', 'An HTML named entity (not defined in XML) was replaced by its character.');
      return ch;
    }
    const lower = ref.toLowerCase();
    if (XML_ENTITIES.has(lower)) {
      log.add('html_entity_repaired', 'An HTML named entity (not defined in XML) was replaced by its character.');
      return `&${lower};`;
    }
    log.add('unknown_entity_escaped', 'An unknown named entity was kept as literal text.');
    return `&amp;${ref};`;
  });
}

const UNQUOTED_VALUE = /=\s*[^\s"'<>=]/;

/** Repairs inside a start tag: ampersands in attribute values, unquoted values (`sequence=1`, the spec's own example). */
function repairStartTag(tag: string, log: WarningLog): string {
  let t = repairAmpersands(tag, log);
  // The regex below needs `=`, optional spaces, then a character that does not open a quoted value.
  if (UNQUOTED_VALUE.test(t)) {
    t = t.replace(/(\s[A-Za-z_:][\w:.-]*\s*)=\s*([^\s"'<>=]+?)(?=\s|\/?>$)/g, (_m, name: string, value: string) => {
      log.add('attribute_value_quoted', 'An unquoted attribute value was quoted.');
      return `${name}="${value}"`;
    });
  }
  return t;
}

/**
 * Cheap pre-check before the exact name test: a tag name that lower-cases to `br` starts with b/B at `at`
 * (end tags may put whitespace first, `</ br>`, so those always take the exact test).
 */
function mayBeBr(text: string, at: number): boolean {
  const c = text.charCodeAt(at) | 0x20;
  // Only an ASCII letter other than b, or a digit, rules `br` out; anything else (spaces of any kind) gets the exact test.
  return c === 0x62 || !((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39));
}

/**
 * Textual repairs so a strict XML parser accepts what lead senders actually send (adf.md §9.1–9.2):
 * BOM and text before the first tag removed; DOCTYPE/DTD declarations refused; the XML
 * declaration, the ADF PI (misplaced before `<?xml`, or malformed like `<?ADF VERSION "1.0"?>`),
 * other PIs and prolog/epilog comments dropped; HTML named entities mapped; stray `&` and `<`
 * escaped; unclosed `<br>` closed. CDATA sections are copied untouched.
 */
export function preclean(input: string): PrecleanResult {
  const log = new WarningLog();
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const n = text.length;
  const first = text.indexOf('<');
  if (first < 0) return { text: '', warnings: [], adfPi: false };
  if (first > 0 && text.slice(0, first).trim() !== '') {
    log.add('leading_content_removed', 'Text before the first tag was removed.');
  }

  // The output is the input with a few spans dropped or replaced: keep the untouched run since `from` as a slice
  // and only copy when a repair cuts it (a clean lead is one slice of its input, not hundreds of pieces joined).
  let out = '';
  let from = first;
  const replace = (start: number, end: number, by: string): void => {
    out += text.slice(from, start) + by;
    from = end;
  };

  let depth = 0;
  let seenElement = false;
  const pis: PiState = { seenElement: false, seenXmlDecl: false, adfPi: false };
  let i = first;

  const outside = (what: string): void => {
    log.add(seenElement ? 'trailing_content_removed' : 'leading_content_removed', `${what} outside the root element was removed.`);
  };

  const ahead = tagScanOf(text);

  while (i < n) {
    if (text.charCodeAt(i) !== 0x3c) {
      let j = text.indexOf('<', i);
      if (j < 0) j = n;
      if (depth > 0) {
        // Only text holding an `&` can need repairAmpersands: most text runs (whitespace between tags, plain
        // values) are passed over without slicing them out.
        if (ahead.amp.from(i) < j) {
          const seg = text.slice(i, j);
          const repaired = repairAmpersands(seg, log);
          if (repaired !== seg) replace(i, j, repaired);
        }
      } else {
        const seg = text.slice(i, j);
        if (seg.trim() !== '') outside('Text');
        replace(i, j, '');
      }
      i = j;
      continue;
    }

    const c1 = text.charCodeAt(i + 1);
    if (c1 === 0x21) {
      if (text.startsWith('<![CDATA[', i)) {
        const end = text.indexOf(']]>', i + 9);
        if (end < 0) break; // unclosed: kept as it is, the validator reports it
        if (depth === 0) {
          outside('A CDATA section');
          replace(i, end + 3, '');
        }
        i = end + 3;
        continue;
      }

      if (text.startsWith('<!--', i)) {
        const end = text.indexOf('-->', i + 4);
        if (end < 0) break;
        // Prolog comments (Costco Auto Program's `<!--ADF-->`) are dropped; body comments are harmless.
        if (depth === 0) replace(i, end + 3, '');
        i = end + 3;
        continue;
      }

      if (DTD_DECL.test(text.slice(i, i + 16))) {
        throw doctypeForbidden();
      }
      if (depth > 0) {
        replace(i, i + 1, '&lt;');
        log.add('stray_lt_escaped', 'A "<" that starts no markup was escaped.');
      } else {
        outside('Text');
        replace(i, i + 1, '');
      }
      i += 1;
      continue;
    }

    if (c1 === 0x3f) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) break;
      pis.seenElement = seenElement;
      notePi(text.slice(i, end + 2), pis, log);
      // Every PI is dropped: the parser needs none of them and the declaration's encoding was used already.
      replace(i, end + 2, '');
      i = end + 2;
      continue;
    }

    if (c1 === 0x2f) {
      const end = text.indexOf('>', i + 2);
      if (end < 0) break;
      if (mayBeBr(text, i + 2) && (/^<\/\s*([^\s>]*)/.exec(text.slice(i, end + 1))?.[1] ?? '').toLowerCase() === 'br') {
        // A lone `</br>` (HTML habit) closes nothing.
        replace(i, end + 1, '<br/>');
        log.add('unclosed_br_repaired', 'An unclosed <br> line break was closed.');
      } else if (depth > 0) depth--;
      i = end + 1;
      continue;
    }

    if (isNameStartCode(c1)) {
      const end = findTagEnd(text, i, ahead);
      if (end >= 0) {
        const selfClosing = text.charCodeAt(end - 1) === 0x2f;
        seenElement = true;
        if (!selfClosing && mayBeBr(text, i + 1) && (/^<([^\s/>]+)/.exec(text.slice(i, end + 1))?.[1] ?? '').toLowerCase() === 'br') {
          // `Line one<br>Line two` outside CDATA (comments typed into forms); `<br></br>` is already fine.
          const closing = /^\s*<\/br\s*>/i.exec(text.slice(end + 1, end + 64));
          const next = closing ? end + 1 + closing[0].length : end + 1;
          if (!closing) log.add('unclosed_br_repaired', 'An unclosed <br> line break was closed.');
          replace(i, next, '<br/>');
          i = next;
          continue;
        }
        if (tagMayNeedRepair) {
          const tag = text.slice(i, end + 1);
          const repaired = repairStartTag(tag, log);
          if (repaired !== tag) replace(i, end + 1, repaired);
        }
        if (!selfClosing) depth++;
        i = end + 1;
        continue;
      }
    }

    // A "<" that starts no markup ("price < 30k", "<3").
    if (depth > 0) {
      replace(i, i + 1, '&lt;');
      log.add('stray_lt_escaped', 'A "<" that starts no markup was escaped.');
    } else {
      outside('Text');
      replace(i, i + 1, '');
    }
    i += 1;
  }

  return { text: out + text.slice(from), warnings: log.list(), adfPi: pis.adfPi };
}

/** What preclean has seen when it meets a processing instruction. */
interface PiState {
  seenElement: boolean;
  seenXmlDecl: boolean;
  adfPi: boolean;
}

/** Judge one processing instruction (`<?` through `?>`) the way preclean does: note its warnings, update `state`. */
function notePi(pi: string, state: PiState, log: WarningLog): void {
  const m = /^<\?\s*([^\s?]*)([\s\S]*)\?>$/.exec(pi);
  const target = m?.[1] ?? '';
  const rest = m?.[2] ?? '';
  const lower = target.toLowerCase();
  if (lower === 'xml') {
    if (state.seenXmlDecl || state.seenElement) {
      log.add('xml_declaration_misplaced', 'An XML declaration that was not at the start was removed.');
    } else if (state.adfPi) {
      // The spec's own example, older adf_builder releases and Impel's template put the ADF PI first.
      log.add('adf_pi_misplaced', 'The ADF processing instruction came before the XML declaration.');
    }
    if (target !== 'xml' || !/\bversion\s*=/.test(rest)) {
      log.add('xml_declaration_malformed', 'The XML declaration was malformed (case or missing "=").');
    }
    state.seenXmlDecl = true;
  } else if (lower === 'adf') {
    if (state.seenElement) log.add('adf_pi_misplaced', 'The ADF processing instruction appeared inside the document.');
    // `<?ADF VERSION="1.0"?>` (case) is fine; `<?ADF VERSION "1.0"?>` (no "=") is what some generators write.
    if (!state.adfPi && !/^\s+version\s*=\s*(["'])[^"']*\1\s*$/i.test(rest)) {
      log.add('adf_pi_malformed', 'The ADF processing instruction was malformed.');
    }
    state.adfPi = true;
  }
}

/** A document read by precleanAndParse: the tree, preclean's warnings, and whether an ADF PI was present. */
export interface CleanDocument {
  doc: XmlDocument;
  precleanWarnings: Warning[];
  adfPi: boolean;
}

/**
 * preclean, then parseXml. Most leads need no repair at all: preclean only drops their prolog (the XML declaration,
 * the ADF PI, whitespace and comments before the root) and the parser then reads the rest unchanged. For those, one
 * pass does both: the prolog is judged here as preclean would, and scanXml starts at the root in its strict mode,
 * declining everything preclean would touch inside or after it. Anything else (a warning in the prolog, a repair, a
 * limit, an error) takes preclean and parseXml as before. xml.test.ts pins both paths to each other.
 */
export function precleanAndParse(input: string, limits: XmlLimits = {}): CleanDocument {
  const fast = parseCleanDocument(input, limits);
  if (fast !== undefined) return fast;
  const pre = preclean(input);
  return { doc: parseXml(pre.text, limits), precleanWarnings: pre.warnings, adfPi: pre.adfPi };
}

/** precleanAndParse's one-pass path; undefined when preclean could change or warn about anything. */
export function parseCleanDocument(input: string, limits: XmlLimits): CleanDocument | undefined {
  const all = limitsOf(limits);
  // parseXml's byte limit applies to preclean's output: leave anything near it to the full path.
  if (input.length * 3 > all.maxBytes) return undefined;
  const pis: PiState = { seenElement: false, seenXmlDecl: false, adfPi: false };
  const log = new WarningLog();
  let i = 0;
  // The prolog: whitespace, comments and processing instructions up to the root's `<` (preclean drops them all).
  for (;;) {
    // XML's whitespace, a subset of what preclean's trim() drops: anything else before the root is preclean's to judge.
    while (isSpace(input.charCodeAt(i))) i++;
    if (input.charCodeAt(i) !== 0x3c) return undefined; // text (a BOM included) or no root: preclean's to judge
    const c1 = input.charCodeAt(i + 1);
    if (c1 === 0x3f) {
      const end = input.indexOf('?>', i + 2);
      if (end < 0) return undefined;
      notePi(input.slice(i, end + 2), pis, log);
      if (!log.empty) return undefined;
      i = end + 2;
    } else if (c1 === 0x21) {
      if (!input.startsWith('<!--', i)) return undefined; // DTDs, CDATA: preclean's to judge
      const end = input.indexOf('-->', i + 4);
      if (end < 0) return undefined;
      i = end + 3;
    } else {
      break;
    }
  }
  const scanned = scanXml(input, all, i);
  if (scanned === undefined) return undefined;
  return { doc: { root: scanned.root, caseNormalized: scanned.caseNormalized, warnings: [] }, precleanWarnings: [], adfPi: pis.adfPi };
}

// ---------------------------------------------------------------------------
// parseXml: bounded, DTD-free parsing into a small ordered tree.
// ---------------------------------------------------------------------------

export interface XmlLimits {
  maxDepth?: number;
  maxElements?: number;
  maxBytes?: number;
  /** Attributes on one element (real ADF and STAR elements carry at most a few, STAR roots about 16 namespace declarations). */
  maxAttributes?: number;
}

export const DEFAULT_XML_LIMITS: Readonly<Required<XmlLimits>> = {
  maxDepth: 64,
  maxElements: 50_000,
  maxBytes: 5 * 1024 * 1024,
  maxAttributes: 256,
};

/** Start tags shorter than this cannot hold more than maxAttributes attributes worth counting (each needs `a=""` and a space). */
const SHORT_TAG = 1024;

/**
 * Refuse a document over the byte limit before any repair or scan runs (a 6 MB lead cut from an email body,
 * fixtures/hostile/email-quote-flood): a string's length in UTF-16 units never exceeds its UTF-8 byte count.
 */
export function refuseOversized(text: string, limits: XmlLimits = {}): void {
  const maxBytes = limits.maxBytes ?? DEFAULT_XML_LIMITS.maxBytes;
  if (text.length > maxBytes) throw new LeadgateError('xml_too_large', `The document exceeds ${maxBytes} bytes.`);
}

/** An element: lower-cased local name, attributes (lower-cased local names), children in document order. */
export interface XNode {
  name: string;
  attrs: Readonly<Record<string, string>>;
  children: XChild[];
}

/** A child is an element or a run of text (CDATA already merged in, entities decoded). */
export type XChild = XNode | string;

export interface XmlDocument {
  /** The root element; `#document` holding all top-level elements when there were several. */
  root: XNode;
  /** Some tag or attribute name was not lower-case (`<ADF><Prospect>`); names were lower-cased. */
  caseNormalized: boolean;
  /** Repairs made while parsing (second-chance repairs). */
  warnings: Warning[];
}

/** Names the parser refuses as object keys (prototype pollution); we rename rather than fail. */
const CRITICAL_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * HTML element names that never occur in ADF or STAR. They show up as stray markup in
 * comments/option names (Mazda Config's `<p class="p1">`, Costco's escaped price HTML).
 */
const HTML_TAGS =
  'a|abbr|b|big|blockquote|br|center|cite|code|dd|del|div|dl|dt|em|font|h[1-6]|hr|i|img|ins|li|mark|nobr|o:p|ol|p|pre|q|s|small|span|strike|strong|sub|sup|table|tbody|td|tfoot|th|thead|tr|tt|u|ul|wbr';
const HTML_TAG_RE = new RegExp(`<\\/?(?:${HTML_TAGS})(?=[\\s/>])[^<>]*>`, 'gi');
const BLOCK_TAG_RE = /<\/?(?:p|div|li|ul|ol|tr|table|blockquote|pre|h[1-6]|center|dl|dt|dd)(?=[\s/>])[^<>]*>/gi;

function malformed(detail: string): LeadgateError {
  return new LeadgateError('xml_malformed', detail);
}

/**
 * Count elements and nesting depth with a cheap scan before any parser runs, so a 10k-deep or
 * 100k-element document is refused in one linear pass. Also refuses DTD declarations, so
 * parseXml stays safe even when called without preclean. Returns where the first element starts
 * and whether another element starts after the first root closed (several roots).
 */
function checkStructure(text: string, maxDepth: number, maxElements: number, maxAttributes: number): { firstElement: number; multipleRoots: boolean } {
  let depth = 0;
  let count = 0;
  let firstElement = -1;
  let multipleRoots = false;
  let i = 0;
  // An unclosed CDATA/comment/PI makes the document malformed, but a DTD hidden after it is still refused.
  const unclosed = (at: number): { firstElement: number; multipleRoots: boolean } => {
    if (/<!\s*(?:DOCTYPE|ENTITY)/i.test(text.slice(at))) {
      throw doctypeForbidden();
    }
    return { firstElement, multipleRoots };
  };
  const open = (at: number): void => {
    if (firstElement < 0) firstElement = at;
    else if (depth === 0) multipleRoots = true;
    if (++count > maxElements) throw new LeadgateError('xml_too_large', `The document has more than ${maxElements} elements.`);
    if (depth + 1 > maxDepth) throw new LeadgateError('xml_too_deep', `The document nests elements deeper than ${maxDepth} levels.`);
  };
  while ((i = text.indexOf('<', i)) !== -1) {
    const c = text.charCodeAt(i + 1);
    if (c === 0x21) {
      if (text.startsWith('<![CDATA[', i)) {
        const e = text.indexOf(']]>', i + 9);
        if (e < 0) return unclosed(i);
        i = e + 3;
      } else if (text.startsWith('<!--', i)) {
        const e = text.indexOf('-->', i + 4);
        if (e < 0) return unclosed(i);
        i = e + 3;
      } else {
        if (DTD_DECL.test(text.slice(i, i + 16))) {
          throw doctypeForbidden();
        }
        i += 2;
      }
      continue;
    }
    if (c === 0x3f) {
      const e = text.indexOf('?>', i + 2);
      if (e < 0) return unclosed(i);
      i = e + 2;
      continue;
    }
    if (c === 0x2f) {
      if (depth > 0) depth--;
      i += 2;
      continue;
    }
    const e = text.indexOf('>', i + 1);
    if (e < 0) break;
    open(i);
    // fast-xml-parser spends about 10 µs per attribute (60,000 on one element took seconds: fixtures/hostile attribute-flood).
    if (e - i > SHORT_TAG && countOf(text, '=', i, e) > maxAttributes) {
      throw new LeadgateError('xml_too_large', `An element has more than ${maxAttributes} attributes.`);
    }
    if (text.charCodeAt(e - 1) !== 0x2f) depth++;
    i = e + 1;
  }
  return { firstElement, multipleRoots };
}

/** How often `ch` occurs in text[from, to). */
function countOf(text: string, ch: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf(ch, from); i !== -1 && i < to; i = text.indexOf(ch, i + 1)) n++;
  return n;
}

/** Wrapper for documents with several top-level elements (two bare <prospect>s); reported as `#document`. */
const WRAPPER = 'leadgate-document';

/** Apply `fn` to the parts of `text` outside CDATA sections. */
function outsideCdata(text: string, fn: (part: string) => string): string {
  return text
    .split(/(<!\[CDATA\[[\s\S]*?\]\]>)/)
    .map((part, idx) => (idx % 2 === 1 ? part : fn(part)))
    .join('');
}

/**
 * Second chance after a validation failure: lower-case every tag name (`<Prospect>…</prospect>`
 * mismatches) and remove HTML-only tags outside CDATA (an unclosed `<p class="p1">` in an option name).
 */
function secondChance(text: string, log: WarningLog): string {
  return outsideCdata(text, (part) => {
    let p = part.replace(HTML_TAG_RE, () => {
      log.add('html_tags_removed', 'Stray HTML tags outside CDATA were removed.');
      return '';
    });
    p = p.replace(/<(\/?)([A-Za-z_][\w.:-]*)/g, (_m, slash: string, name: string) => `<${slash}${name.toLowerCase()}`);
    return p;
  });
}

function convert(nodes: unknown): XChild[] {
  const out: XChild[] = [];
  if (!Array.isArray(nodes)) return out;
  for (const node of nodes as Array<Record<string, unknown>>) {
    if (node === null || typeof node !== 'object') continue;
    if ('#text' in node) {
      const t = node['#text'];
      if (t !== undefined && t !== null && t !== '') out.push(String(t));
      continue;
    }
    let name: string | undefined;
    for (const k of Object.keys(node)) {
      if (k !== ':@') {
        name = k;
        break;
      }
    }
    if (name === undefined) continue;
    const rawAttrs = node[':@'];
    const attrs: Record<string, string> = {};
    if (rawAttrs && typeof rawAttrs === 'object') {
      const a = rawAttrs as Record<string, unknown>;
      for (const k of Object.keys(a)) {
        const v = a[k];
        if (v !== undefined && v !== null) attrs[k] = String(v);
      }
    }
    out.push({ name, attrs, children: convert(node[name]) });
  }
  return out;
}

/**
 * Parse a (pre-cleaned) document: no DTDs, only the five XML entities and numeric references
 * decoded, strings never converted to numbers, CDATA merged into text, names lower-cased and
 * namespace prefixes removed. Throws LeadgateError xml_too_large, xml_too_deep,
 * xml_doctype_forbidden or xml_malformed (detail: position only, never content).
 *
 * Well-formed documents (every real lead after preclean) take one pass of our own scanner
 * (xml-scan.ts); anything it declines — malformed, over a limit, a DTD, an unusual entity —
 * takes the reference path below, which decides the error or the second-chance repair.
 */
export function parseXml(text: string, limits: XmlLimits = {}): XmlDocument {
  const all = limitsOf(limits);
  // UTF-8 never needs more than 3 bytes per UTF-16 unit: only count bytes when that could matter.
  if (text.length * 3 > all.maxBytes && Buffer.byteLength(text, 'utf8') > all.maxBytes) {
    throw new LeadgateError('xml_too_large', `The document exceeds ${all.maxBytes} bytes.`);
  }
  const fast = scanXml(text, all);
  if (fast !== undefined) return { root: fast.root, caseNormalized: fast.caseNormalized, warnings: [] };
  return parseXmlReference(text, all);
}

/**
 * Every limit, the caller's or the default. Field by field rather than `{ ...DEFAULT_XML_LIMITS, ...limits }`: the
 * caller's object carries other options too (read.ts passes its forms), and that spread cost ~3 µs a lead. A limit
 * given as undefined takes the default here (the spread would have copied the undefined, i.e. no limit).
 */
function limitsOf(limits: XmlLimits): Required<XmlLimits> {
  return {
    maxDepth: limits.maxDepth ?? DEFAULT_XML_LIMITS.maxDepth,
    maxElements: limits.maxElements ?? DEFAULT_XML_LIMITS.maxElements,
    maxBytes: limits.maxBytes ?? DEFAULT_XML_LIMITS.maxBytes,
    maxAttributes: limits.maxAttributes ?? DEFAULT_XML_LIMITS.maxAttributes,
  };
}

/**
 * The reference path: a structure pre-scan, fast-xml-parser's validator (the parser itself does
 * not check that end tags match), a second chance for tag-case mismatches and stray HTML, then
 * fast-xml-parser in preserveOrder mode and a conversion to XNodes. Exported for the parity tests.
 */
export function parseXmlReference(text: string, limits: XmlLimits = {}): XmlDocument {
  const { maxDepth, maxElements, maxBytes, maxAttributes } = { ...DEFAULT_XML_LIMITS, ...limits };
  if (Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new LeadgateError('xml_too_large', `The document exceeds ${maxBytes} bytes.`);
  }
  const shape = checkStructure(text, maxDepth, maxElements, maxAttributes);

  const log = new WarningLog();
  let src = text;
  if (shape.multipleRoots) {
    // XML allows one root; wrap them all (after any prolog) so each can be read.
    src = `${text.slice(0, shape.firstElement)}<${WRAPPER}>${text.slice(shape.firstElement)}</${WRAPPER}>`;
  }
  const verdict = XMLValidator.validate(src);
  if (verdict !== true) {
    const retryLog = new WarningLog();
    const repaired = secondChance(src, retryLog);
    if (repaired === src || XMLValidator.validate(repaired) !== true) {
      const { code, line, col } = verdict.err;
      // Only the validator's error code and position: its `msg` may quote names from the document.
      throw malformed(`${code} at line ${line}${col ? `, column ${col}` : ''}`);
    }
    src = repaired;
    log.addAll(retryLog.list());
  }

  const parser = parserFor(maxDepth);
  parseCaseNormalized = false;
  let parsed: unknown;
  try {
    parsed = parser.parse(src);
  } catch (err) {
    // Parser messages can quote document content; keep only what kind of failure it was.
    if (err instanceof Error && /nested tags/i.test(err.message)) {
      throw new LeadgateError('xml_too_deep', `The document nests elements deeper than ${maxDepth} levels.`);
    }
    throw malformed('The XML parser rejected the document after validation passed.');
  }
  const caseNormalized = parseCaseNormalized;

  const top = convert(parsed).filter(isNode);
  const only = top[0];
  if (only === undefined) throw malformed('The document has no root element.');
  const root: XNode = only.name === WRAPPER && shape.multipleRoots ? { ...only, name: '#document' } : only;
  return { root, caseNormalized, warnings: log.list() };
}

/**
 * Set by lowerName while the (synchronous) parse runs; parseXml resets it before and reads it right after,
 * so one parser instance per depth limit can be reused instead of rebuilding its options for every document.
 */
let parseCaseNormalized = false;

function lowerName(raw: string): string {
  const lower = raw.toLowerCase();
  if (lower !== raw) parseCaseNormalized = true;
  return CRITICAL_NAMES.has(lower) ? `${lower}_` : lower;
}

const parsers = new Map<number, XMLParser>();

function parserFor(maxDepth: number): XMLParser {
  let parser = parsers.get(maxDepth);
  if (parser) return parser;
  parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    // Trimming happens in text(): trimming every text run would glue words around inline markup.
    trimValues: false,
    processEntities: true,
    // An empty name map: only the XML five are named, numeric references are decoded (team measurement).
    htmlEntities: {} as unknown as boolean,
    removeNSPrefix: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    jPath: false,
    maxNestedTags: maxDepth + 2,
    transformTagName: lowerName,
    transformAttributeName: lowerName,
  });
  // A handful of distinct limits at most (config values); never let it grow without bound.
  if (parsers.size >= 8) parsers.clear();
  parsers.set(maxDepth, parser);
  return parser;
}

// ---------------------------------------------------------------------------
// Tree helpers: "parse by element name, never by position".
// ---------------------------------------------------------------------------

export function isNode(c: XChild | undefined): c is XNode {
  return typeof c === 'object' && c !== null;
}

/** Child elements, optionally only those called `name`. */
export function kids(node: XNode | undefined, name?: string): XNode[] {
  if (!node) return [];
  const out: XNode[] = [];
  for (const c of node.children) if (isNode(c) && (name === undefined || c.name === name)) out.push(c);
  return out;
}

/** The first child element called `name`. */
export function kid(node: XNode | undefined, name: string): XNode | undefined {
  if (!node) return undefined;
  for (const c of node.children) if (isNode(c) && c.name === name) return c;
  return undefined;
}

/** Every element reached by following `path` (any of the same-named siblings at each step). */
export function allAt(node: XNode | undefined, ...path: string[]): XNode[] {
  let level: XNode[] = node ? [node] : [];
  for (const name of path) level = level.flatMap((n) => kids(n, name));
  return level;
}

/** The first element reached by following `path`. */
export function at(node: XNode | undefined, ...path: string[]): XNode | undefined {
  // Depth-first, first match wins: the same element as allAt(node, ...path)[0] without building every level.
  return node ? firstAt(node, path, 0) : undefined;
}

function firstAt(node: XNode, path: readonly string[], step: number): XNode | undefined {
  if (step === path.length) return node;
  const name = path[step];
  for (const c of node.children) {
    if (isNode(c) && c.name === name) {
      const found = firstAt(c, path, step + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/** All descendants called `name`, in document order (not descending into matches). Depth is bounded by parseXml. */
export function descendants(node: XNode | undefined, name: string): XNode[] {
  const out: XNode[] = [];
  const walk = (n: XNode): void => {
    for (const c of kids(n)) {
      if (c.name === name) out.push(c);
      else walk(c);
    }
  };
  if (node) walk(node);
  return out;
}

/** An attribute's trimmed value; absent or empty → undefined. */
export function attr(node: XNode | undefined, name: string): string | undefined {
  const v = node?.attrs[name]?.trim();
  return v ? v : undefined;
}

// Private-use markers for line breaks that come from markup rather than from the sender's own newlines.
const BLOCK = '\uE000';
const BR = '\uE001';
const BLOCK_NAMES = new Set(['p', 'div', 'li', 'ul', 'ol', 'tr', 'table', 'blockquote', 'pre', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'center', 'dl', 'dt', 'dd']);

/** Text of an element and its descendants in order; `<br>` elements become newlines, block HTML elements line breaks. */
export function rawText(node: XNode | undefined): string {
  if (!node) return '';
  let s = '';
  for (const c of node.children) {
    if (!isNode(c)) s += c;
    else if (c.name === 'br') s += BR;
    else if (BLOCK_NAMES.has(c.name)) s += BLOCK + rawText(c) + BLOCK;
    else s += rawText(c);
  }
  return s;
}

/** Trimmed text of a simple element; empty → undefined ("empty elements become absent fields"). */
export function text(node: XNode | undefined): string | undefined {
  if (!node) return undefined;
  // Most fields hold one run of text: no walk, and no regex pass unless a line-break marker is there.
  const c = node.children;
  const raw = c.length === 1 && typeof c[0] === 'string' ? c[0] : rawText(node);
  const t = (raw.includes(BLOCK) || raw.includes(BR) ? raw.replace(/[\uE000\uE001]/g, '\n') : raw).trim();
  return t === '' ? undefined : t;
}

/** text() of the first child element called `name`: textAt(node, name) without the path array. */
export function textIn(node: XNode | undefined, name: string): string | undefined {
  return text(kid(node, name));
}

/** text() of the first element at `path`. */
export function textAt(node: XNode | undefined, ...path: string[]): string | undefined {
  return text(at(node, ...path));
}

/** Comment-ish text (customer/vehicle comments, pricecomments, option names): see cleanRichText. */
export function richText(node: XNode | undefined): string | undefined {
  return node ? cleanRichText(rawText(node)) : undefined;
}

/** True when the element holds only text (no child elements other than line breaks). */
export function isSimple(node: XNode): boolean {
  return node.children.every((c) => !isNode(c) || c.name === 'br');
}

const STYLE_OR_SCRIPT = /<(style|script)\b[^<>]*>/gi;
const STYLE_CLOSE = /<\/style\s*>/gi;
const SCRIPT_CLOSE = /<\/script\s*>/gi;
const COMMENT_OPEN = /<!--/g;
const COMMENT_CLOSE = /-->/g;

/**
 * Remove every block from an `open` match to the first `close` after it, as the lazy regex `open[\s\S]*?close`
 * would, in linear time: that regex rescans the rest of the text for every unclosed opener (20,000 `<style>`
 * in a comment took 2 s). Once a close is not found, no later opener of that kind can find one either.
 */
function removeBlocks(s: string, open: RegExp, closeFor: (m: RegExpExecArray) => RegExp): string {
  let out = '';
  let pos = 0;
  const unclosed = new Set<RegExp>();
  open.lastIndex = 0;
  for (let m = open.exec(s); m !== null; m = open.exec(s)) {
    const close = closeFor(m);
    if (unclosed.has(close)) continue;
    close.lastIndex = open.lastIndex;
    const c = close.exec(s);
    if (c === null) {
      unclosed.add(close);
      continue;
    }
    out += s.slice(pos, m.index);
    pos = c.index + c[0].length;
    open.lastIndex = pos;
  }
  return pos === 0 ? s : out + s.slice(pos);
}

const isBlank = (c: number): boolean => c === 0x20 || c === 0x09;

/**
 * Block boundaries (BLOCK markers) become one line break, merging with an adjacent one the sender already wrote:
 * each run of markers, with the blanks around them and at most one line break on each side, becomes one "\n".
 * A scan, because the regex saying so (`[ \t]*\n?[ \t]*(?:\uE000[ \t]*\n?[ \t]*)+`) backtracks cubically over a
 * long run of spaces (2,000 spaces before a `<br />` took 4 s: found by test/fuzz.test.ts).
 */
function collapseBlocks(t: string): string {
  let i = t.indexOf(BLOCK);
  if (i < 0) return t;
  const n = t.length;
  let out = '';
  let pos = 0;
  while (i >= 0) {
    let start = i;
    while (start > pos && isBlank(t.charCodeAt(start - 1))) start--;
    if (start > pos && t.charCodeAt(start - 1) === 0x0a) {
      start--;
      while (start > pos && isBlank(t.charCodeAt(start - 1))) start--;
    }
    let end = i + 1;
    for (;;) {
      while (end < n && isBlank(t.charCodeAt(end))) end++;
      if (end < n && t.charCodeAt(end) === 0x0a) end++;
      while (end < n && isBlank(t.charCodeAt(end))) end++;
      if (end < n && t[end] === BLOCK) end++;
      else break;
    }
    out += `${t.slice(pos, start)}\n`;
    pos = end;
    i = t.indexOf(BLOCK, pos);
  }
  return out + t.slice(pos);
}

/**
 * Clean free text that senders fill with HTML: `<br>`, `<br/>`, `<br />` → newline; block tags
 * (`<p>`, `<li>`, Costco's escaped price-sheet HTML) → line breaks; other HTML tags stripped;
 * entities decoded (STAR CDATA carries `&amp;`); runs of spaces collapsed and every line trimmed.
 * Only known HTML tag names are stripped, so `<customer@example.com>` survives.
 */
export function cleanRichText(input: string): string | undefined {
  if (input === '') return undefined;
  // Most values are plain text: no markup, entity, CR or marker, so every pass below would return it unchanged.
  if (!PLAIN_NEEDS_WORK.test(input)) return tidyLines(input);
  let t = input.replace(/\r\n?/g, '\n');
  const strip = (s: string): string =>
    removeBlocks(removeBlocks(s, STYLE_OR_SCRIPT, (m) => (m[1]!.toLowerCase() === 'style' ? STYLE_CLOSE : SCRIPT_CLOSE)), COMMENT_OPEN, () => COMMENT_CLOSE)
      .replace(/<\/?br\s*\/?>/gi, BR)
      .replace(BLOCK_TAG_RE, BLOCK)
      .replace(HTML_TAG_RE, '');
  t = strip(t);
  if (t.includes('&')) {
    t = decodeEntities(t);
    if (t.includes('<')) t = strip(t); // double-escaped HTML (`&lt;b&gt;` inside CDATA)
  }
  // `<br />` followed by the sender's own newline (Trade Accelerator's CDATA) is one line break, not two.
  t = t.replace(/\uE001[ \t]*\n?/g, '\n');
  t = collapseBlocks(t);
  return tidyLines(t);
}

/** What makes cleanRichText do more than tidy lines: markup, an entity, a carriage return, or one of its own markers. */
const PLAIN_NEEDS_WORK = /[<&\r\uE000\uE001]/;
/**
 * What tidyLines would change: whitespace other than a single space or a line break (every character trim()
 * removes), two spaces in a row, or a space or line break at either end or beside a line break.
 */
const UNTIDY = /[\t\v\f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]| {2}|^[ \n]|[ \n]$|\n | \n/;

/** Runs of blanks collapsed to one space, every line trimmed, undefined when nothing is left. */
export function tidyLines(t: string): string | undefined {
  if (!UNTIDY.test(t)) return t;
  // Most untidy values are only untidy at their ends (CDATA indented inside its element). When the trimmed value
  // is tidy, the per-line pass gives exactly it: every line before and after it is all whitespace and becomes
  // empty, the lines holding its ends lose only that outer whitespace, its inner lines have nothing to change,
  // and the final trim() drops the empty lines' line breaks. (No "\r" gets here: cleanRichText turns it into "\n".)
  const trimmed = t.trim();
  if (!UNTIDY.test(trimmed)) return trimmed === '' ? undefined : trimmed;
  return tidyEachLine(t);
}

/** Whitespace String.prototype.trim() removes (ECMAScript WhiteSpace and LineTerminator). */
function isTrimmed(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** The blanks a run of which becomes one space (tidyLinesReference's `[ \t\f\v\u00a0]+`). */
function isBlankRun(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0b || c === 0x0c || c === 0xa0;
}

/**
 * tidyLinesReference in one pass, without the split/map/join and a regex per line (multi-line comments, the long
 * values, take this path): each line is trimmed by skipping whitespace at its ends, runs of blanks inside it become
 * one space, and empty lines before the first and after the last non-empty line are dropped — what the final trim()
 * does, since every non-empty trimmed line starts and ends with a non-whitespace character.
 */
function tidyEachLine(t: string): string | undefined {
  let out = '';
  let started = false;
  let emptyLines = 0; // empty lines since the last non-empty one
  const n = t.length;
  let lineStart = 0;
  while (lineStart <= n) {
    let lineEnd = t.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = n;
    let a = lineStart;
    let b = lineEnd;
    while (a < b && isTrimmed(t.charCodeAt(a))) a++;
    while (b > a && isTrimmed(t.charCodeAt(b - 1))) b--;
    if (a === b) {
      if (started) emptyLines++;
    } else {
      if (started) out += emptyLines === 0 ? '\n' : '\n'.repeat(emptyLines + 1);
      started = true;
      emptyLines = 0;
      // Copy the line, replacing each run of blanks other than a single space by one space.
      let from = a;
      for (let k = a + 1; k < b; k++) {
        const c = t.charCodeAt(k);
        if (!isBlankRun(c)) continue;
        let r = k + 1;
        while (r < b && isBlankRun(t.charCodeAt(r))) r++;
        if (r - k > 1 || c !== 0x20) {
          out += `${t.slice(from, k)} `;
          from = r;
        }
        k = r - 1;
      }
      out += t.slice(from, b);
    }
    lineStart = lineEnd + 1;
  }
  return out === '' ? undefined : out;
}

/** The plain statement of tidyLines' full path, kept for the tests that pin tidyLines (both of its paths) to it. */
export function tidyLinesReference(t: string): string | undefined {
  if (!UNTIDY.test(t)) return t;
  const lines = t.split('\n').map((line) => line.replace(/[ \t\f\v\u00a0]+/g, ' ').trim());
  const out = lines.join('\n').trim();
  return out === '' ? undefined : out;
}

// ---------------------------------------------------------------------------
// Draft building
// ---------------------------------------------------------------------------

type Compact<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

/** Drop undefined properties so absent values are absent keys, never `undefined` or "". */
export function compact<T extends object>(o: T): Compact<T> {
  const out: Record<string, unknown> = {};
  const src = o as Record<string, unknown>;
  for (const k of Object.keys(src)) {
    const v = src[k];
    if (v !== undefined) out[k] = v;
  }
  return out as Compact<T>;
}

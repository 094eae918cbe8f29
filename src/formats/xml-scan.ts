// One-pass strict XML scanner that builds the XNode tree directly for well-formed (pre-cleaned) documents, or declines.
//
// parseXml's reference path (checkStructure + fast-xml-parser's validator + its preserveOrder parse + conversion) costs
// four passes and two intermediate trees per lead. This scanner does the same job in one pass for the documents that
// pass through all of those unchanged, and returns undefined for anything else (malformed or unusual input, a limit
// reached, a PI, a DTD, an entity it does not know): the caller then runs the reference path, so every error code,
// message and second-chance repair stays exactly what it was. Everything accepted here must produce the very tree the
// reference produces; test/xml-scan parity tests in xml.test.ts compare the two on the corpora and on mutations.

import type { XChild, XNode } from './xml.js';

export interface ScanLimits {
  maxDepth: number;
  maxElements: number;
  maxAttributes: number;
}

export interface ScanResult {
  root: XNode;
  caseNormalized: boolean;
}

/** Names the reference parser renames (prototype pollution): `constructor` → `constructor_`. */
const CRITICAL_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/** The attributes of every element that has none: one shared, frozen object instead of one per element. */
const NO_ATTRS: Readonly<Record<string, string>> = Object.freeze({});

/** Start tags longer than this are checked for the attribute limit the way checkStructure counts (`=` signs). */
const SHORT_TAG = 1024;

const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;
const SLASH = 0x2f;
const BANG = 0x21;
const COLON = 0x3a;
const EQ = 0x3d;

// Character classes for names, as one lookup table over ASCII: 1 = may start a name, 2 = may continue one.
const NAME_START = 1;
const NAME_CHAR = 2;
const UPPER = 4;
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const upper = c >= 0x41 && c <= 0x5a;
  const lower = c >= 0x61 && c <= 0x7a;
  const digit = c >= 0x30 && c <= 0x39;
  if (upper || lower || c === 0x5f) CLASS[c] = NAME_START | NAME_CHAR;
  else if (digit || c === 0x2d || c === 0x2e || c === COLON) CLASS[c] = NAME_CHAR;
  if (upper) CLASS[c]! |= UPPER;
}

/** The whitespace XML (and the reference validator) allows between attributes and around the root. */
export function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

function isAllSpace(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isSpace(s.charCodeAt(i))) return false;
  return true;
}

/** A numeric reference the reference decoder turns into its character (not NUL, a surrogate or a restricted C0 control). */
function decodableCodePoint(cp: number): boolean {
  if (cp <= 0x1f) return cp === 0x09 || cp === 0x0a || cp === 0x0d;
  return cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
}

/**
 * Decode the five XML entities and numeric references (`&#65;`, `&#x41;`); undefined for any other `&` (unknown name,
 * no `;`, `&#X41;`, out-of-range code point), which the reference path then judges.
 */
function decode(s: string): string | undefined {
  let amp = s.indexOf('&');
  if (amp < 0) return s;
  let out = '';
  let last = 0;
  const n = s.length;
  while (amp >= 0) {
    const c = s.charCodeAt(amp + 1);
    let ch: string;
    let end: number;
    if (c === 0x23) {
      // '#': decimal, or hex with a lower-case x (the reference validator refuses `&#X`).
      const hex = s.charCodeAt(amp + 2) === 0x78;
      let j = hex ? amp + 3 : amp + 2;
      const start = j;
      let cp = 0;
      for (; j < n; j++) {
        const d = s.charCodeAt(j);
        if (d >= 0x30 && d <= 0x39) cp = cp * (hex ? 16 : 10) + (d - 0x30);
        else if (hex && (d | 0x20) >= 0x61 && (d | 0x20) <= 0x66) cp = cp * 16 + ((d | 0x20) - 0x57);
        else break;
      }
      if (j === start || j - start > (hex ? 6 : 7) || s.charCodeAt(j) !== 0x3b || !decodableCodePoint(cp)) return undefined;
      ch = String.fromCodePoint(cp);
      end = j + 1;
    } else if (s.startsWith('amp;', amp + 1)) {
      ch = '&';
      end = amp + 5;
    } else if (s.startsWith('lt;', amp + 1)) {
      ch = '<';
      end = amp + 4;
    } else if (s.startsWith('gt;', amp + 1)) {
      ch = '>';
      end = amp + 4;
    } else if (s.startsWith('quot;', amp + 1)) {
      ch = '"';
      end = amp + 6;
    } else if (s.startsWith('apos;', amp + 1)) {
      ch = "'";
      end = amp + 6;
    } else {
      return undefined;
    }
    out += s.slice(last, amp) + ch;
    last = end;
    amp = s.indexOf('&', end);
  }
  return out + s.slice(last);
}

/** Scanner state shared by the small reading steps below (one instance per document). */
class Scan {
  readonly s: string;
  readonly n: number;
  /** More attributes than this on one element: decline (the reference path refuses it as xml_too_large). */
  readonly maxAttributes: number;
  i = 0;
  caseNormalized = false;

  /**
   * The index of the next carriage return at or after the last slice's start (the length when none is left). Line ends
   * are normalized (CRLF and CR → LF) in the text the tree keeps — text runs, CDATA, attribute values — one piece at a
   * time, as a copy of the whole document cost ~3.6 µs a lead; tag and end-tag whitespace may keep its CRs. No piece
   * ends between a CR and an LF (each ends at markup), so piece by piece gives what the whole document replaced gives.
   */
  cr = 0;

  /** s[from, to) with its line ends normalized. */
  slice(from: number, to: number): string {
    const s = this.s;
    if (this.cr < from) {
      this.cr = s.indexOf('\r', from);
      if (this.cr < 0) this.cr = this.n;
    }
    const cr = this.cr;
    if (cr >= to) return s.slice(from, to);
    // The common piece in a CRLF document: the line end and indentation between two tags, i.e. one CRLF up front.
    if (cr === from && from + 1 < to && s.charCodeAt(from + 1) === 0x0a) {
      this.cr = s.indexOf('\r', from + 2);
      if (this.cr < 0) this.cr = this.n;
      if (this.cr >= to) return s.slice(from + 1, to);
    }
    return s.slice(from, to).replace(/\r\n?/g, '\n');
  }

  /** The index of the next `&` at or after the last ampBefore call's start (the length when none is left). */
  private amp = -1;

  /** Whether s[from, to) holds an `&`; calls come in increasing `from` order, so all of them scan the text once. */
  ampBefore(from: number, to: number): boolean {
    if (this.amp < from) {
      this.amp = this.s.indexOf('&', from);
      if (this.amp < 0) this.amp = this.n;
    }
    return this.amp < to;
  }

  /** Strict mode (scanXml's `root`): decline what preclean would repair. */
  readonly strict: boolean;

  constructor(s: string, maxAttributes: number, strict: boolean) {
    this.s = s;
    this.n = s.length;
    this.maxAttributes = maxAttributes;
    this.strict = strict;
  }

  /**
   * Read a name starting at `i`; returns its end, or -1 when it is not a plain ASCII name with at most one inner colon
   * (those go to the reference path). Sets `upper` / `colon` for the caller.
   */
  upper = false;
  colon = -1;
  readName(i: number): number {
    const s = this.s;
    const c0 = s.charCodeAt(i);
    if (c0 >= 128 || (CLASS[c0]! & NAME_START) === 0) return -1;
    let upper = (CLASS[c0]! & UPPER) !== 0;
    let colon = -1;
    let j = i + 1;
    for (; j < this.n; j++) {
      const c = s.charCodeAt(j);
      if (c >= 128) return -1;
      const k = CLASS[c]!;
      if ((k & NAME_CHAR) === 0) break;
      if (c === COLON) {
        if (colon >= 0) return -1;
        colon = j;
      } else if ((k & UPPER) !== 0) upper = true;
    }
    if (colon === j - 1) return -1;
    this.upper = upper;
    this.colon = colon;
    return j;
  }

  /** The attributes readAttributes found (undefined: none). */
  attrs: Record<string, string> | undefined;
  /** The raw names of the current start tag's attributes, for the duplicate check (reused from tag to tag). */
  readonly seen: string[] = [];

  /** The reference's name transform: lower-cased (noted), prototype-sensitive names suffixed with `_`. */
  finalName(raw: string): string {
    let name = raw;
    if (this.upper) {
      name = raw.toLowerCase();
      this.caseNormalized = true;
    }
    // Only 9- and 11-letter names can be one of them: skip the set lookup for every other name.
    return (name.length === 9 || name.length === 11) && CRITICAL_NAMES.has(name) ? `${name}_` : name;
  }
}

/**
 * Read the attributes of a start tag into `attrs`, from `j` (just after its name); returns the index of the `/` of `/>`
 * or of the `>` that ends the tag, or -1 when the tag is not one this scanner accepts.
 */
function readAttributes(sc: Scan, j: number): number {
  sc.attrs = undefined;
  const s = sc.s;
  const n = sc.n;
  const seen = sc.seen;
  let seenCount = 0; // entries of `seen` that belong to this tag (setting an array's length is a slow runtime call)
  for (;;) {
    if (j >= n) return -1;
    let c = s.charCodeAt(j);
    if (c === GT) return j;
    if (c === SLASH) return s.charCodeAt(j + 1) === GT ? j : -1;
    if (!isSpace(c)) return -1; // attributes must be separated by whitespace
    do c = s.charCodeAt(++j);
    while (isSpace(c));
    if (c === GT) return j;
    if (c === SLASH) return s.charCodeAt(j + 1) === GT ? j : -1;
    const nameStart = j;
    const nameEnd = sc.readName(j);
    if (nameEnd < 0) return -1;
    const upper = sc.upper;
    const colon = sc.colon;
    j = nameEnd;
    while (isSpace(s.charCodeAt(j))) j++;
    if (s.charCodeAt(j) !== EQ) return -1; // no boolean attributes
    j++;
    while (isSpace(s.charCodeAt(j))) j++;
    const q = s.charCodeAt(j);
    if (q !== 0x22 && q !== 0x27) return -1;
    // One pass to the closing quote (values are short: cheaper than four indexOf calls), refusing `<` and `>`: the
    // reference's structure pre-scan reads tags without quotes, so leave those to it.
    let close = j + 1;
    let amp = false;
    for (;; close++) {
      if (close >= n) return -1;
      const c = s.charCodeAt(close);
      if (c === q) break;
      if (c === LT || c === GT) return -1;
      if (c === AMP) amp = true;
      else if (c === EQ && sc.strict) return -1;
    }
    let value = sc.slice(j + 1, close);
    if (amp) {
      const decoded = decode(value);
      if (decoded === undefined) return -1;
      value = decoded;
    }
    j = close + 1;

    const raw = s.slice(nameStart, nameEnd);
    // Repeated names are the validator's to refuse. The duplicate check is linear per attribute, so
    // stop at the limit before an attribute flood makes it quadratic (60k attributes took 90 s).
    if (seenCount >= sc.maxAttributes) return -1;
    for (let k = 0; k < seenCount; k++) if (seen[k] === raw) return -1;
    seen[seenCount++] = raw;

    // Namespace declarations are dropped and prefixes removed (`xmlns`, `xmlns:adf`, `adf:status` → `status`).
    if (colon < 0 ? raw === 'xmlns' : raw.startsWith('xmlns:')) continue;
    const local = colon < 0 ? raw : s.slice(colon + 1, nameEnd);
    sc.upper = upper && (colon < 0 || /[A-Z]/.test(local));
    (sc.attrs ??= {})[sc.finalName(local)] = value;
  }
}

/**
 * Scan `input` into a tree; undefined when the document falls outside what this scanner decides alone (then the
 * reference path runs). Limits are checked with the reference pre-scan's own counting; reaching one also declines,
 * so the reference raises the error.
 *
 * With `root` (the index of the root's `<` in a document that was not pre-cleaned; precleanAndParse), the scan is
 * strict: it also declines everything preclean would repair or warn about from there on, so the tree is the one
 * scanXml(preclean(input).text) gives — CDATA outside the root, a second root, a non-self-closing `<br>` (preclean
 * closes it and drops its attributes), and an `=` inside an attribute value (preclean's unquoted-value repair reads
 * tags without quotes). What the plain scan declines (entities preclean rewrites, stray `<`, PIs) stays declined.
 */
export function scanXml(input: string, limits: ScanLimits, root?: number): ScanResult | undefined {
  // Strict mode (see the doc comment): scan from the root, as preclean's output would start there. The input itself is
  // read from there, not a slice of it: every charCodeAt below would go through the slice (~3 µs a lead).
  const strict = root !== undefined;
  const start = root ?? 0;
  const s = input;
  const { maxDepth, maxElements, maxAttributes } = limits;
  const sc = new Scan(s, maxAttributes, strict);
  sc.cr = s.indexOf('\r', start);
  if (sc.cr < 0) sc.cr = s.length;
  const n = s.length;

  const stack: XNode[] = [];
  // Where each open element's raw name starts and how long it is, to match its end tag without copying the name.
  const nameAt: number[] = [];
  const nameLen: number[] = [];
  let cur: XNode | undefined; // undefined: at top level
  let first: XNode | undefined; // the first root
  const after: XChild[] = []; // top-level content after the first root (the #document's, if another root follows)
  let multiple = false;
  let pend = ''; // raw text since the last flush (comments do not flush: `a<!--x-->b` is one text run)
  let pendAmp = false; // whether pend holds an `&` (known from a forward-only cursor: no search per text run)
  let count = 0;
  let i = start;

  while (i < n) {
    const lt = s.indexOf('<', i);
    const end = lt < 0 ? n : lt;
    if (end > i) {
      const seg = sc.slice(i, end);
      if (cur !== undefined || first !== undefined) {
        pend += seg;
        if (sc.ampBefore(i, end)) pendAmp = true;
      } else if (!isAllSpace(seg)) return undefined; // text before the root
      if (lt < 0) break;
    }
    const c1 = s.charCodeAt(lt + 1);

    if (c1 === SLASH) {
      if (cur === undefined) return undefined;
      const at = nameAt[nameAt.length - 1]!;
      const len = nameLen[nameLen.length - 1]!;
      let j = lt + 2;
      for (let k = 0; k < len; k++) if (s.charCodeAt(j + k) !== s.charCodeAt(at + k)) return undefined;
      j += len;
      while (isSpace(s.charCodeAt(j))) j++;
      if (s.charCodeAt(j) !== GT) return undefined;
      if (!pushText(cur.children, pend, pendAmp)) return undefined;
      pend = '';
      pendAmp = false;
      cur = stack.pop();
      nameAt.pop();
      nameLen.pop();
      i = j + 1;
      continue;
    }

    if (c1 === BANG) {
      if (s.startsWith('<!--', lt)) {
        const e = s.indexOf('-->', lt + 4);
        if (e < 0) return undefined;
        i = e + 3;
        continue;
      }
      if (s.startsWith('<![CDATA[', lt)) {
        const e = s.indexOf(']]>', lt + 9);
        if (e < 0) return undefined;
        const into = cur !== undefined ? cur.children : first !== undefined && !strict ? after : undefined;
        if (into === undefined || !pushText(into, pend, pendAmp)) return undefined;
        pend = '';
        pendAmp = false;
        if (e > lt + 9) into.push(sc.slice(lt + 9, e));
        i = e + 3;
        continue;
      }
      return undefined; // DTD declarations and other `<!`: the reference refuses or judges them
    }

    // A start tag (anything else after `<`, a PI included, is left to the reference).
    const nameEnd = sc.readName(lt + 1);
    if (nameEnd < 0) return undefined;
    const colon = sc.colon;
    const upper = sc.upper;
    const close = readAttributes(sc, nameEnd);
    if (close < 0) return undefined;
    const selfClosing = s.charCodeAt(close) === SLASH;
    const next = selfClosing ? close + 2 : close + 1;
    if (strict && ((cur === undefined && first !== undefined) || (!selfClosing && isBr(s, lt + 1, nameEnd)))) return undefined;

    if (++count > maxElements || stack.length + (cur === undefined ? 0 : 1) + 1 > maxDepth) return undefined;
    // Measured on the raw tag, as the reference pre-scan does (line ends are only normalized in the pieces kept).
    if (next - 1 - lt > SHORT_TAG && countOf(s, lt, next - 1) > maxAttributes) return undefined;

    const local = colon < 0 ? s.slice(lt + 1, nameEnd) : s.slice(colon + 1, nameEnd);
    sc.upper = upper && (colon < 0 || /[A-Z]/.test(local));
    const node: XNode = { name: sc.finalName(local), attrs: sc.attrs ?? NO_ATTRS, children: [] };

    if (cur !== undefined) {
      if (!pushText(cur.children, pend, pendAmp)) return undefined;
      pend = '';
      pendAmp = false;
      cur.children.push(node);
    } else if (first === undefined) {
      pend = '';
      pendAmp = false;
      first = node;
    } else {
      if (!pushText(after, pend, pendAmp)) return undefined;
      pend = '';
      pendAmp = false;
      after.push(node);
      multiple = true;
    }
    if (!selfClosing) {
      if (cur !== undefined) stack.push(cur);
      nameAt.push(lt + 1);
      nameLen.push(nameEnd - lt - 1);
      cur = node;
    }
    i = next;
  }

  if (cur !== undefined || first === undefined) return undefined;
  if (multiple) {
    // The reference wraps every top-level element (and what lies between and after them) in one element.
    if (!pushText(after, pend, pendAmp)) return undefined;
    return { root: { name: '#document', attrs: {}, children: [first, ...after] }, caseNormalized: sc.caseNormalized };
  }
  // One root: only whitespace (and comments) may follow it.
  if (!isAllSpace(pend)) return undefined;
  for (const c of after) if (typeof c !== 'string' || !isAllSpace(c)) return undefined;
  return { root: first, caseNormalized: sc.caseNormalized };
}

/** The raw name s[from, to) is `br` in any case (preclean's test for a line break to close). */
function isBr(s: string, from: number, to: number): boolean {
  return to - from === 2 && (s.charCodeAt(from) | 0x20) === 0x62 && (s.charCodeAt(from + 1) | 0x20) === 0x72;
}

/** Decode raw text `t` (when not empty; `amp`: it holds an `&`) onto `into`; false when it holds an `&` the reference must judge. */
function pushText(into: XChild[], t: string, amp: boolean): boolean {
  if (t === '') return true;
  if (!amp) {
    into.push(t);
    return true;
  }
  const decoded = decode(t);
  if (decoded === undefined) return false;
  into.push(decoded);
  return true;
}

/** How many `=` signs lie in s[from, to): the reference pre-scan's measure of a long tag's attribute count. */
function countOf(s: string, from: number, to: number): number {
  let k = 0;
  for (let i = s.indexOf('=', from); i !== -1 && i < to; i = s.indexOf('=', i + 1)) k++;
  return k;
}

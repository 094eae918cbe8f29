// Tests for the XML layer: pre-clean repairs, safe bounded parsing, tree helpers and rich-text cleaning.

import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HTML_ENTITIES,
  allAt,
  at,
  attr,
  cleanRichText,
  decodeEntities,
  descendants,
  findTagEnd,
  kid,
  kids,
  parseCleanDocument,
  parseXml,
  parseXmlReference,
  preclean,
  precleanAndParse,
  refuseOversized,
  lastTagMayNeedRepair,
  richText,
  scanTagEnd,
  tagScanOf,
  text,
  textAt,
  textIn,
  tidyLines,
  tidyLinesReference,
  type XNode,
  type XmlLimits,
} from './xml.js';
import { thrown } from '../../test/support/errors.js';
import { CORPUS, makeInput } from '../../test/support/fuzz-inputs.js';
import { scanXml } from './xml-scan.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const codes = (r: { warnings: { code: string }[] }): string[] => r.warnings.map((w) => w.code);


const parse = (xml: string, limits?: XmlLimits) => parseXml(preclean(xml).text, limits);

describe('preclean', () => {
  it('drops text before the first tag, the XML declaration, PIs and prolog comments', () => {
    const r = preclean('\uFEFFjunk\r\n<?xml version="1.0"?>\n<!--ADF-->\n<?adf version="1.0"?><adf><a>x</a></adf>\n');
    expect(r.text).toBe('<adf><a>x</a></adf>');
    expect(r.adfPi).toBe(true);
    expect(codes(r)).toEqual(['leading_content_removed']);
  });

  it('flags an ADF PI placed before the XML declaration (the spec example, Impel)', () => {
    const r = preclean('<?ADF VERSION="1.0"?>\n<?xml version="1.0"?>\n<adf/>');
    expect(r.text).toBe('<adf/>');
    expect(codes(r)).toEqual(['adf_pi_misplaced']);
  });

  it('flags a malformed ADF PI and a malformed XML declaration, but not upper-case ADF', () => {
    expect(codes(preclean('<?xml version="1.0"?><?ADF VERSION "1.0"?><adf/>'))).toEqual(['adf_pi_malformed']);
    expect(codes(preclean('<?XML VERSION "1.0"?><adf/>'))).toEqual(['xml_declaration_malformed']);
    expect(preclean('<?xml version="1.0"?><?ADF version="1.0"?><adf/>').warnings).toEqual([]);
    expect(preclean('<?xml version="1.0" encoding="utf-8" ?><?adf version="1.0" ?><adf/>').warnings).toEqual([]);
    expect(preclean('<adf/>').adfPi).toBe(false);
  });

  it('refuses DOCTYPE and every DTD declaration', () => {
    expect(thrown(() => preclean(fixture('xxe-external-entity.xml'))).code).toBe('xml_doctype_forbidden');
    expect(thrown(() => preclean(fixture('billion-laughs.xml'))).code).toBe('xml_doctype_forbidden');
    expect(thrown(() => preclean('<adf><!ENTITY x "y"></adf>')).code).toBe('xml_doctype_forbidden');
    expect(thrown(() => preclean('<!doctype adf><adf/>')).code).toBe('xml_doctype_forbidden');
  });

  it('leaves CDATA contents alone', () => {
    const cdata = '<![CDATA[a & b &nbsp; <br> <!DOCTYPE x> <?adf?> ]]>';
    const r = preclean(`<adf><c>${cdata}</c></adf>`);
    expect(r.text).toBe(`<adf><c>${cdata}</c></adf>`);
    expect(r.warnings).toEqual([]);
  });

  it('maps HTML entities, keeps XML and numeric ones, escapes unknown names and stray ampersands', () => {
    const r = preclean('<a t="x &amp; y &reg;">&nbsp;&reg;&NBSP;&AMP;&amp;&lt;&#8217;&#x2019;&bogus; Bob & Sons &</a>');
    expect(r.text).toBe('<a t="x &amp; y ®">\u00a0®\u00a0&amp;&amp;&lt;&#8217;&#x2019;&amp;bogus; Bob &amp; Sons &amp;</a>');
    expect(codes(r).sort()).toEqual(['html_entity_repaired', 'stray_ampersand_escaped', 'unknown_entity_escaped']);
  });

  it('closes unclosed <br> (any case), leaves <br/> and <br></br> alone, fixes a lone </br>', () => {
    expect(preclean('<c>one<br>two<BR >three<br/>four<br></br>five</br>six</c>').text).toBe(
      '<c>one<br/>two<br/>three<br/>four<br/>five<br/>six</c>',
    );
    expect(codes(preclean('<c>one<br>two</c>'))).toEqual(['unclosed_br_repaired']);
    expect(preclean('<c>a<br></br>b</c>').warnings).toEqual([]);
  });

  it('escapes a "<" that starts no markup and quotes unquoted attribute values', () => {
    const r = preclean('<c a=1 b="2">price < 30k <3</c>');
    expect(r.text).toBe('<c a="1" b="2">price &lt; 30k &lt;3</c>');
    expect(codes(r).sort()).toEqual(['attribute_value_quoted', 'stray_lt_escaped']);
  });

  it('removes text after the root element', () => {
    const r = preclean('<adf/>\n-- \nSent from my phone <3 <x');
    expect(r.text).toBe('<adf/>');
    expect(codes(r)).toEqual(['trailing_content_removed']);
  });

  it('returns empty text when there is no tag at all', () => {
    expect(preclean('just words').text).toBe('');
  });
});

describe('parseXml', () => {
  it('keeps every value a string (ZIP 02115, 007, 1e5, 0x1A, 27588.0, true)', () => {
    const { root } = parse('<a z="02115" n="1e5"><zip>02115</zip><s>007</s><e>1e5</e><h>0x1A</h><p>27588.0</p><b>true</b></a>');
    expect(textAt(root, 'zip')).toBe('02115');
    expect(textAt(root, 's')).toBe('007');
    expect(textAt(root, 'e')).toBe('1e5');
    expect(textAt(root, 'h')).toBe('0x1A');
    expect(textAt(root, 'p')).toBe('27588.0');
    expect(textAt(root, 'b')).toBe('true');
    expect(root.attrs).toEqual({ z: '02115', n: '1e5' });
  });

  it('decodes the five XML entities and numeric references only', () => {
    const { root } = parseXml('<a>&amp;&lt;&gt;&quot;&apos;&#8217;&#x41;|&nbsp;</a>');
    expect(text(root)).toBe(`&<>"'’A|&nbsp;`);
  });

  it('joins back-to-back CDATA sections (DealerRater) and does not decode inside CDATA', () => {
    const { root } = parse('<c><![CDATA[one, ]]><![CDATA[two &amp; <b>]]><![CDATA[]]></c>');
    expect(text(root)).toBe('one, two &amp; <b>');
  });

  it('lower-cases names, reports it, and strips namespace prefixes', () => {
    const up = parse('<ADF><Prospect STATUS="new"><RequestDate>x</RequestDate></Prospect></ADF>');
    expect(up.caseNormalized).toBe(true);
    expect(up.root.name).toBe('adf');
    expect(attr(kid(up.root, 'prospect'), 'status')).toBe('new');
    expect(textAt(up.root, 'prospect', 'requestdate')).toBe('x');

    const ns = parse('<adf:adf xmlns:adf="urn:x" xmlns="urn:y"><adf:prospect adf:status="new"/></adf:adf>');
    expect(ns.caseNormalized).toBe(false);
    expect(ns.root.name).toBe('adf');
    expect(kid(ns.root, 'prospect')?.attrs).toEqual({ status: 'new' });
  });

  it('normalises CRLF and bare CR', () => {
    expect(text(parse('<c>a\r\nb\rc\nd</c>').root)).toBe('a\nb\nc\nd');
  });

  it('wraps several top-level elements in a #document node', () => {
    const { root } = parse('<prospect><id>1</id></prospect><prospect><id>2</id></prospect>');
    expect(root.name).toBe('#document');
    expect(kids(root, 'prospect').map((p) => textAt(p, 'id'))).toEqual(['1', '2']);
  });

  it('second chance: removes stray HTML tags and fixes tag-case mismatches', () => {
    const html = parse('<adf><option><optionname><p class="p1">Sunroof</optionname></option></adf>');
    expect(textAt(html.root, 'option', 'optionname')).toBe('Sunroof');
    expect(codes(html)).toEqual(['html_tags_removed']);

    const mismatch = parse('<adf><Prospect><id>1</id></prospect></adf>');
    expect(textAt(mismatch.root, 'prospect', 'id')).toBe('1');
  });

  it('renames prototype-sensitive names instead of failing or polluting', () => {
    const { root } = parse('<a __proto__="x" constructor="y"><constructor>c</constructor><__proto__>p</__proto__><prototype/></a>');
    expect(kids(root).map((k) => k.name)).toEqual(['constructor_', '__proto___', 'prototype_']);
    expect(root.attrs).toEqual({ __proto___: 'x', constructor_: 'y' });
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  describe('hostile input', () => {
    it('refuses XXE and billion laughs without expanding anything, even when called without preclean', () => {
      for (const name of ['xxe-external-entity.xml', 'billion-laughs.xml']) {
        const err = thrown(() => parseXml(fixture(name)));
        expect(err.code).toBe('xml_doctype_forbidden');
        expect(err.message).not.toContain('lol');
        expect(err.message).not.toContain('passwd');
      }
    });

    it('refuses a DTD hidden behind an unclosed construct', () => {
      for (const doc of ['<?xml version="1.0" <!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', '<x><!-- <!DOCTYPE y></x>', '<x><![CDATA[ <!ENTITY z "q"></x>']) {
        expect(thrown(() => parseXml(doc)).code).toBe('xml_doctype_forbidden');
      }
    });

    it('refuses 10k-deep nesting with xml_too_deep', () => {
      const deep = '<a>'.repeat(10_000) + 'x' + '</a>'.repeat(10_000);
      expect(thrown(() => parse(deep)).code).toBe('xml_too_deep');
      // The limit is exact: 64 levels pass, 65 do not.
      expect(() => parse('<a>'.repeat(64) + '</a>'.repeat(64))).not.toThrow();
      expect(thrown(() => parse('<a>'.repeat(65) + '</a>'.repeat(65))).code).toBe('xml_too_deep');
    });

    it('refuses 100k elements with xml_too_large', () => {
      const many = '<adf>' + '<id>1</id>'.repeat(100_000) + '</adf>';
      expect(thrown(() => parse(many)).code).toBe('xml_too_large');
    });

    it('refuses documents over the byte limit', () => {
      const err = thrown(() => parse(`<c>${'é'.repeat(600)}</c>`, { maxBytes: 1000 }));
      expect(err.code).toBe('xml_too_large');
      expect(() => parse(`<c>${'e'.repeat(900)}</c>`, { maxBytes: 1000 })).not.toThrow();
    });

    it('refuses an element with more than 256 attributes (the parser spent seconds on 60,000)', () => {
      const attrs = (n: number): string => Array.from({ length: n }, (_, i) => `a${i}="1"`).join(' ');
      expect(() => parse(`<adf><prospect ${attrs(256)}/></adf>`)).not.toThrow();
      const err = thrown(() => parse(`<adf><prospect ${attrs(257)}/></adf>`));
      expect(err.code).toBe('xml_too_large');
      expect(err.detail).toBe('An element has more than 256 attributes.');
      expect(thrown(() => parse(`<a ${attrs(10)} long="${'x'.repeat(1100)}"/>`, { maxAttributes: 10 })).code).toBe('xml_too_large');
      expect(() => parse(`<a ${attrs(9)} long="${'x'.repeat(1100)}"/>`, { maxAttributes: 10 })).not.toThrow();
    });

    it('refuseOversized refuses text over the byte limit before any repair, by its length alone', () => {
      expect(thrown(() => refuseOversized('x'.repeat(1001), { maxBytes: 1000 })).code).toBe('xml_too_large');
      expect(() => refuseOversized('é'.repeat(1000), { maxBytes: 1000 })).not.toThrow(); // parseXml still counts its 2,000 bytes
    });

    it('honours custom limits', () => {
      expect(thrown(() => parse('<a><b><c/></b></a>', { maxDepth: 2 })).code).toBe('xml_too_deep');
      expect(thrown(() => parse('<a><b/><b/><b/></a>', { maxElements: 3 })).code).toBe('xml_too_large');
      expect(() => parse('<a><b/><b/></a>', { maxElements: 3, maxDepth: 2 })).not.toThrow();
    });

    it('reports malformed XML with a position and never the content', () => {
      const secret = 'SECRET-CUSTOMER 555-0199 jane@example.com';
      for (const bad of [
        `<adf><name>${secret}</nam></adf>`,
        `<adf><name a="${secret}>x</name></adf>`,
        `<adf><${secret}></adf>`,
        `<adf><name>${secret}</name>`,
        `<adf><![CDATA[${secret}</adf>`,
        `<adf><x>${secret}</y></adf>`,
      ]) {
        const err = thrown(() => parse(bad));
        expect(err.code).toBe('xml_malformed');
        expect(err.message).not.toMatch(/SECRET|555|jane|name/);
        expect(err.cause).toBeUndefined();
      }
      expect(thrown(() => parse('<adf><bx></adf>')).detail).toMatch(/^InvalidTag at line 1, column \d+$/);
      expect(thrown(() => parseXml('')).code).toBe('xml_malformed');
      expect(thrown(() => parseXml('<?xml version="1.0"?>')).code).toBe('xml_malformed');
    });
  });
});

describe('tree helpers', () => {
  const { root } = parse(
    '<adf><prospect><id source="A"> 1 </id><id source=" ">2</id><customer><contact><name part="first">Jo</name></contact></customer>' +
      '<x><prospect><id>nested</id></prospect></x></prospect><prospect><id/></prospect></adf>',
  );

  it('walks by name regardless of position or multiplicity', () => {
    expect(kids(root, 'prospect')).toHaveLength(2);
    expect(kid(root, 'nope')).toBeUndefined();
    expect(textAt(root, 'prospect', 'customer', 'contact', 'name')).toBe('Jo');
    expect(allAt(root, 'prospect', 'id').map(text)).toEqual(['1', '2', undefined]);
    expect(at(root, 'prospect', 'missing', 'id')).toBeUndefined();
    expect(descendants(root, 'prospect').length).toBe(2);
    expect(descendants(kid(root, 'prospect'), 'id').map(text)).toEqual(['1', '2', 'nested']);
  });

  it('textIn(node, name) is textAt(node, name) for every element and child name of the fixtures', () => {
    let checked = 0;
    for (const f of readdirSync(new URL('./fixtures/', import.meta.url)).filter((n) => n.endsWith('.xml'))) {
      let doc;
      try {
        doc = parse(fixture(f));
      } catch {
        continue; // the hostile fixtures are refused
      }
      const walk = (n: XNode): void => {
        for (const c of n.children) {
          if (typeof c === 'string') continue;
          expect(textIn(n, c.name)).toBe(textAt(n, c.name));
          checked++;
          walk(c);
        }
        expect(textIn(n, 'no-such-child')).toBeUndefined();
      };
      walk(doc.root);
    }
    expect(textIn(undefined, 'x')).toBeUndefined();
    expect(checked).toBeGreaterThan(100);
  });

  it('treats empty text and empty attributes as absent', () => {
    const ids = allAt(root, 'prospect', 'id');
    expect(attr(ids[0], 'source')).toBe('A');
    expect(attr(ids[1], 'source')).toBeUndefined();
    expect(attr(ids[0], 'missing')).toBeUndefined();
    expect(attr(undefined, 'x')).toBeUndefined();
    expect(text(ids[2])).toBeUndefined();
    expect(text(undefined)).toBeUndefined();
  });

  it('richText keeps line breaks from <br> elements and block elements', () => {
    const doc = parse('<c>Line one<br>Line two<br/>\n<p>Para</p>tail <b>bold</b> end</c>');
    expect(richText(doc.root)).toBe('Line one\nLine two\nPara\ntail bold end');
  });
});

describe('cleanRichText', () => {
  it('turns every <br> spelling into one newline (a following real newline is not doubled)', () => {
    expect(cleanRichText('a<br>b<br/>c<br />d<BR>e</br>f')).toBe('a\nb\nc\nd\ne\nf');
    expect(cleanRichText('Rough: $7,925 <br />\nClean: $9,295 <br />\n<br />\nEvent')).toBe('Rough: $7,925\nClean: $9,295\n\nEvent');
  });

  it('strips HTML tags, making blocks into lines (Costco price sheet)', () => {
    const costco =
      '<p style="margin-bottom: 8x;"><FONT FACE="Arial"><b><u>Costco member value proposition</u></b></FONT></p><ul><li>Price = $1750 under Invoice</li><li><b>Plus</b>, rebates</li></ul>';
    expect(cleanRichText(costco)).toBe('Costco member value proposition\nPrice = $1750 under Invoice\nPlus, rebates');
  });

  it('decodes entities (CDATA carries them literally) and strips double-escaped HTML', () => {
    expect(cleanRichText('a&amp;b &reg; &#8217; &lt;b&gt;bold&lt;/b&gt; &unknown;')).toBe('a&b ® ’ bold &unknown;');
  });

  it('reads long space runs and unclosed style, script and comment openers as the lazy regexes would (linear scans now)', () => {
    expect(cleanRichText(`<p>Lead</p>Year: 2008${' '.repeat(3000)}<br />\nMileage: 1`)).toBe('Lead\nYear: 2008\nMileage: 1');
    expect(cleanRichText('a<style>x</style>b<STYLE a>y</Style >c<script>z</script>d<!-- q -->e')).toBe('abcde');
    // Unclosed openers are no blocks: kept as written, as before.
    const unclosed = `${'<style>'.repeat(20_000)}text${'<!--'.repeat(20_000)}`;
    expect(cleanRichText(unclosed) === unclosed).toBe(true);
    expect(cleanRichText('one<p> \n <div> \n two')).toBe('one\ntwo');
  });

  it('answers plain text (no markup, entity or CR) from its shortcut exactly as the full line tidying would', () => {
    // The full path's last step, as it was before the shortcut: every line's blanks collapsed and trimmed, then the whole trimmed.
    const tidied = (s: string) => s.split('\n').map((l) => l.replace(/[ \t\f\v\u00a0]+/g, ' ').trim()).join('\n').trim() || undefined;
    const pieces = ['a', 'Bb', '9', ' ', '  ', '\n', '\n\n', '\t', '\u00a0', '\u2003', '\ufeff', '\u2028', '\u3000', '\v', 'é', '>'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 12 }), (parts) => {
        const s = parts.join('');
        expect(cleanRichText(s)).toBe(tidied(s));
      }),
      { numRuns: 3000 },
    );
  });

  it('tidies lines (trimmed-value shortcut and one-pass path) exactly as the split/map/join statement does', () => {
    // Every character String.prototype.trim() removes, the blanks that collapse, and ones that do neither.
    const pieces = ['a', 'Bb', '9', ' ', '  ', '\n', '\n\n', '\t', '\v', '\f', '\u00a0', '\u1680', '\u2000', '\u2003', '\u200a', '\u200b',
      '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff', '\u180e', '\u0085', 'é', ' x ', '\n y\n'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 16 }), (parts) => {
        const s = parts.join('');
        expect(tidyLines(s)).toBe(tidyLinesReference(s));
      }),
      { numRuns: 5000 },
    );
    expect(tidyLines('\n   Motivated buyer. \n*** PORTAL *** \nhttps://x.example/?a=1\n      ')).toBe('Motivated buyer.\n*** PORTAL ***\nhttps://x.example/?a=1');
  });

  it('collapses spaces per line, trims lines, keeps blank lines and non-HTML angle brackets', () => {
    expect(cleanRichText('  one   two\u00a0\u00a0three \n\n\t four  ')).toBe('one two three\n\nfour');
    expect(cleanRichText('Mail <jane@example.com> if price <3k or x < y')).toBe('Mail <jane@example.com> if price <3k or x < y');
    expect(cleanRichText(' \n <br/> ')).toBeUndefined();
  });
});

describe('preclean tag ends', () => {
  it('finds a start tag\'s end (and whether it may need repair) from its shortcut as the character scan does', () => {
    const pieces = ['<a', '<b', ' c="1"', " d='x>y'", ' e=f', '"', "'", '&', '&amp;', '=', '>', '/>', '<', 'text', '</a>', ' ', '\n'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 14 }), (parts) => {
        const s = parts.join('');
        const ahead = tagScanOf(s);
        // Every `<` in increasing order, as preclean asks (it skips some; the forward-only indexes allow that).
        for (let i = s.indexOf('<'); i >= 0; i = s.indexOf('<', i + 1)) {
          const fast = findTagEnd(s, i, ahead);
          const fastRepair = lastTagMayNeedRepair();
          expect(fast).toBe(scanTagEnd(s, i));
          if (fast >= 0) expect(fastRepair).toBe(lastTagMayNeedRepair());
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('entity helpers', () => {
  it('has the Latin-1 block in order and no XML entity', () => {
    expect(HTML_ENTITIES.get('nbsp')).toBe('\u00a0');
    expect(HTML_ENTITIES.get('yuml')).toBe('ÿ');
    expect(HTML_ENTITIES.get('frac12')).toBe('½');
    expect(HTML_ENTITIES.get('trade')).toBe('™');
    for (const x of ['amp', 'lt', 'gt', 'quot', 'apos']) expect(HTML_ENTITIES.has(x)).toBe(false);
    for (const ch of HTML_ENTITIES.values()) expect(ch === '<' || ch === '&').toBe(false);
  });

  it('decodeEntities leaves invalid numeric references alone', () => {
    expect(decodeEntities('&#0;&#xD800;&#65;')).toBe('&#0;&#xD800;A');
  });
});

describe('fast paths agree with the exact rules', () => {
  it('at() is the first element allAt() lists, at every depth', () => {
    const root = parse(
      '<r><a><x/></a><a><b><c id="1"/></b><b><c id="2"/></b></a><a><b><c id="3"/></b></a></r>',
    ).root;
    for (const path of [['a'], ['a', 'b'], ['a', 'b', 'c'], ['a', 'x'], ['a', 'c'], ['b'], []]) {
      expect(at(root, ...path)).toBe(allAt(root, ...path)[0]);
    }
    expect(attr(at(root, 'a', 'b', 'c'), 'id')).toBe('1');
    expect(at(undefined, 'a')).toBeUndefined();
  });

  it('only br (any case, spaces in end tags) is treated as a line break; br-like names are not', () => {
    expect(preclean('<c>a<bR>b</ BR>c<br\t>d</c>').text).toBe('<c>a<br/>b<br/>c<br/>d</c>');
    expect(preclean('<c><brx>a</brx><b>b</b><bar/></c>').text).toBe('<c><brx>a</brx><b>b</b><bar/></c>');
    expect(preclean('<c><x a=1 b="2" c = y>t</x></c>').text).toBe('<c><x a="1" b="2" c ="y">t</x></c>');
    expect(preclean('<c><x a="p=q" b=\'r\'>t</x></c>').text).toBe('<c><x a="p=q" b=\'r\'>t</x></c>');
  });
});

/** A result as one comparable string: the value (key order included) or the error code and detail (the parity tests compare these). */
function outcome(f: () => unknown): string {
  try {
    return `ok ${JSON.stringify(f())}`;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return `error ${e.code} ${e.message}`;
  }
}

describe('the one-pass scanner agrees with the reference path (fast-xml-parser + validator)', () => {
  const LIMITS = { maxDepth: 64, maxElements: 50_000, maxAttributes: 256 };
  const agree = (text: string, limits?: XmlLimits): void => {
    expect(outcome(() => parseXml(text, limits)), text.slice(0, 200)).toBe(outcome(() => parseXmlReference(text, limits)));
  };
  const precleaned = (s: string): string | undefined => {
    try {
      return preclean(s).text;
    } catch {
      return undefined;
    }
  };
  const corpus = [...CORPUS.adf, ...CORPUS.star].map((d) => Buffer.from(d, 'latin1').toString('utf8'));

  it('takes the one-pass path for every pre-cleaned well-formed corpus document, with the same tree', () => {
    let fast = 0;
    for (const doc of corpus) {
      const text = precleaned(doc);
      if (text === undefined) continue; // DTDs: refused before parsing
      agree(text);
      agree(doc);
      let ok = true;
      try {
        parseXmlReference(text);
      } catch {
        ok = false;
      }
      // Every document the reference accepts without a second-chance repair must not need the reference.
      if (ok && parseXmlReference(text).warnings.length === 0) {
        expect(scanXml(text, LIMITS), doc.slice(0, 120)).toBeDefined();
        fast++;
      }
    }
    expect(fast).toBeGreaterThan(40);
  });

  it('declines an element with more attributes than the limit before checking them for repeats (an attribute flood was quadratic)', () => {
    const attrs = (k: number) => Array.from({ length: k }, (_, i) => `a${i}="1"`).join(' ');
    expect(scanXml(`<adf><prospect ${attrs(4)}/></adf>`, { ...LIMITS, maxAttributes: 4 })).toBeDefined();
    expect(scanXml(`<adf><prospect ${attrs(5)}/></adf>`, { ...LIMITS, maxAttributes: 4 })).toBeUndefined();
    // The flood itself ends as the reference path's typed refusal.
    expect(thrown(() => parseXml(`<adf><prospect ${attrs(60_000)}/></adf>`)).code).toBe('xml_too_large');
  });

  it('builds the same tree for the constructs the reference treats specially', () => {
    for (const doc of [
      '<a>x<!--c-->y<![CDATA[z]]><![CDATA[]]>w<b/>v</a>', // comments do not split text; CDATA does
      '<a>&amp;&lt;&gt;&quot;&apos;&#65;&#x1F600;&#0065;&#9;&#13;</a>',
      '<a t="&amp;&#65;" u=\'"q"\' v = "sp ace" w="tab\there"/>',
      '<A:Adf xmlns:A="urn:a" xmlns="urn:b" A:Status="x" B="1" b="2"><A:prospect/></A:Adf>', // prefixes, xmlns, case, duplicate after lower-casing
      '<a z="x" b="y" a="z"/>',
      '<a 1="x"/>',
      '<p><id>1</id></p>\n<!--x-->\n<p><id>2</id></p>\n', // several roots, text between them
      '<p/>text<p/>tail',
      '<a/>\n<!-- after -->\n',
      ' \n<a>x</a>',
      '<a>\r\nb\rc<x y="1\r\n2"/><![CDATA[\r\n]]></a>',
      '<constructor __proto__="1"><prototype/></constructor>',
      '<a xmlns:b="u"><b:c b:d="1">t</b:c></a>',
      '<a >x</a >',
      '<a><b>x</a></b>', // mismatch: the reference decides
      '<Prospect><id>1</id></prospect>', // second chance
      '<a>&#X41;</a>',
      '<a>&nbsp;</a>',
      '<a>&#0;</a>',
      '<a>&#xD800;</a>',
      '<a>&#1114112;</a>',
      '<a>&</a>',
      '<a>&amp</a>',
      '<a x="&nbsp;"/>',
      '<a x="1>2"/>',
      '<a x="1"y="2"/>',
      '<a x/>',
      '<a x="1" x="2"/>',
      '<a:b:c/>',
      '<a/>junk',
      '<a/><![CDATA[x]]>',
      '<![CDATA[x]]><a/>',
      '<a><?pi x?></a>',
      '<?xml version="1.0"?><a/>',
      '<a><!DOCTYPE x></a>',
      '<a></a><b>',
      '<a>',
      '',
      'text',
      '<é/>',
      '<a b="é"/>',
      '<a>\u00a0<b\u00a0/></a>',
    ]) {
      agree(doc);
    }
    // The well-formed ones above really are the scanner's (the rest may go either way, as long as they agree).
    expect(scanXml('<a>x<!--c-->y<![CDATA[z]]><![CDATA[]]>w<b/>v</a>', LIMITS)?.root.children).toEqual(['xy', 'z', 'w', { name: 'b', attrs: {}, children: [] }, 'v']);
    expect(scanXml('<p/>text<p/>tail', LIMITS)?.root.children).toEqual([{ name: 'p', attrs: {}, children: [] }, 'text', { name: 'p', attrs: {}, children: [] }, 'tail']);
    expect(scanXml('<A:Adf xmlns:A="u" A:Status="x" B="1" b="2"/>', LIMITS)).toEqual({ root: { name: 'adf', attrs: { status: 'x', b: '2' }, children: [] }, caseNormalized: true });
  });

  it('declines at the same limits (depth, elements, attributes), so the reference raises the error', () => {
    agree('<a>'.repeat(64) + '</a>'.repeat(64));
    agree('<a>'.repeat(65) + '</a>'.repeat(65));
    agree('<a>'.repeat(3) + '<b/>' + '</a>'.repeat(3), { maxDepth: 3 });
    agree('<a>'.repeat(3) + '<b/>' + '</a>'.repeat(3), { maxDepth: 4 });
    agree('<r>' + '<b/>'.repeat(9) + '</r>', { maxElements: 10 });
    agree('<r>' + '<b/>'.repeat(10) + '</r>', { maxElements: 10 });
    const attrs = (n: number): string => Array.from({ length: n }, (_, i) => `a${i}="1"`).join(' ');
    agree(`<r ${attrs(256)}/>`);
    agree(`<r ${attrs(257)}/>`);
    agree(`<r ${attrs(3)} x="${'='.repeat(1100)}"/>`, { maxAttributes: 10 });
    agree(`<r\r\n${attrs(3)}\r\n x="${'='.repeat(600)}"/>`, { maxAttributes: 10 });
    agree(`<r>${'é'.repeat(600)}</r>`, { maxBytes: 1000 });
    agree(`<r>${'e'.repeat(990)}</r>`, { maxBytes: 1000 });
  });

  it('normalizes line ends piece by piece exactly as the reference does for the whole document', () => {
    const piece = fc.constantFrom('\r', '\n', '\r\n', '\r\r\n', ' ', 'x', '<b>', '</b>', '<c/>', '<c x="\r\ny\r" z=\'\r\'/>', '<![CDATA[\r\n]]>', '<![CDATA[\r]]>', '<!--\r-->', '&#13;', '&amp;');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 16 }), (pieces) => {
        const body = pieces.join('');
        agree(`<a>${body}</a>`);
        agree(`<a\r\n k="v">\r\n${body}\r</a>\r\n`);
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees on thousands of mutated ADF and STAR documents, raw and pre-cleaned', () => {
    for (let i = 0; i < 600; i++) {
      for (const kind of ['adf', 'star'] as const) {
        const bytes = makeInput(20261122, kind, i).raw.bytes;
        for (const doc of [bytes.toString('utf8'), bytes.toString('latin1')]) {
          agree(doc);
          const text = precleaned(doc);
          if (text !== undefined) agree(text);
        }
      }
    }
  }, 120_000);
});

describe('precleanAndParse: the one-pass path gives what preclean + parseXml give', () => {
  /** preclean then parseXml, as adf.ts and star.ts did before the one-pass path. */
  const slow = (doc: string, limits?: XmlLimits): string =>
    outcome(() => {
      const pre = preclean(doc);
      return { doc: parseXml(pre.text, limits), precleanWarnings: pre.warnings, adfPi: pre.adfPi };
    });
  /** Whether the one-pass path took `doc` (it never throws); either way precleanAndParse must give the slow path's outcome. */
  const agree = (doc: string, limits: XmlLimits = {}): boolean => {
    const fast = parseCleanDocument(doc, limits);
    expect(outcome(() => precleanAndParse(doc, limits)), doc.slice(0, 200)).toBe(slow(doc, limits));
    if (fast !== undefined) expect(`ok ${JSON.stringify(fast)}`).toBe(slow(doc, limits));
    return fast !== undefined;
  };
  const corpus = [...CORPUS.adf, ...CORPUS.star].map((d) => Buffer.from(d, 'latin1').toString('utf8'));

  it('takes the one-pass path for the real leads, with the same tree, warnings and ADF PI', () => {
    const dir = new URL('../../fixtures/real-leads/', import.meta.url);
    const real = readdirSync(dir).filter((f) => f.endsWith('.xml'));
    for (const f of real) expect(agree(readFileSync(new URL(f, dir), 'utf8')), f).toBe(true);
    let fast = 0;
    for (const doc of corpus) if (agree(doc)) fast++;
    expect(fast).toBeGreaterThan(40);
  });

  it('leaves every prolog preclean warns about, and everything it repairs after the root, to the slow path', () => {
    const body = '<adf><prospect status="new"><id sequence="1">7</id></prospect></adf>';
    const cases: Array<[string, boolean]> = [
      [`<?xml version="1.0" encoding="UTF-8"?>\r\n<?adf version="1.0"?>\r\n${body}\r\n`, true],
      [`<?xml version="1.0"?><!--ADF--><?ADF VERSION="1.0"?>${body}<!-- end -->\n`, true],
      [`  <?xml version="1.0"?><?foo bar?>${body}`, true],
      [body, true],
      [`<?adf version="1.0"?><?xml version="1.0"?>${body}`, false], // ADF PI first
      [`<?XML version="1.0"?>${body}`, false], // malformed declaration
      [`<?xml version="1.0"?><?xml version="1.0"?>${body}`, false],
      [`<?adf version "1.0"?>${body}`, false], // malformed ADF PI
      [`\ufeff${body}`, false], // BOM (dropped silently, but by preclean)
      [`junk${body}`, false],
      [`\u00a0${body}`, false],
      [`<![CDATA[x]]>${body}`, false],
      [`<!DOCTYPE adf>${body}`, false],
      [`${body}<![CDATA[ ]]>`, false],
      [`${body}<![CDATA[]]>`, false],
      [`${body}junk`, false],
      [`${body}${body}`, false],
      [`${body}<?adf version="1.0"?>`, false],
      ['<adf><prospect><comments>a<br>b</comments></prospect></adf>', false],
      ['<adf><prospect><comments>a<BR class="x"></BR>b</comments></prospect></adf>', false],
      ['<adf><prospect><comments>a<br/>b<Br />c</comments></prospect></adf>', true],
      ['<adf><prospect><comments>a</br>b</comments></prospect></adf>', false],
      ['<adf><prospect><id source="a b=c d">1</id></prospect></adf>', false], // preclean's unquoted-value repair
      ['<adf><prospect><id source=x>1</id></prospect></adf>', false],
      ['<adf><prospect><id source="A &amp; B &#65;">1</id></prospect></adf>', true],
      ['<adf><prospect><id source="A &nbsp; B">1</id></prospect></adf>', false],
      ['<adf><prospect><name>Bob &amp; Sons &#x41;</name></prospect></adf>', true],
      ['<adf><prospect><name>Bob & Sons</name></prospect></adf>', false],
      ['<adf><prospect><name>Bob &reg;</name></prospect></adf>', false],
      ['<adf><prospect><name>a < b</name></prospect></adf>', false],
      ['<adf><prospect><?pi x?></prospect></adf>', false],
      ['<ADF><Prospect><ID>1</ID></Prospect></ADF>', true],
      ['<adf><prospect><comments><![CDATA[a<br>b &nbsp; & <p>]]></comments></prospect></adf>', true],
    ];
    for (const [doc, fast] of cases) expect(agree(doc), doc).toBe(fast);
    // Near the byte limit, preclean's output (not the input) is what parseXml measures: the slow path decides.
    expect(agree(`<?xml version="1.0"?>${'<a>x</a>'}`, { maxBytes: 60 })).toBe(false);
  });

  it('agrees on random documents built from the pieces preclean treats specially', () => {
    const piece = fc.constantFrom(
      '<?xml version="1.0"?>', '<?ADF VERSION="1.0"?>', '<?adf version "1.0"?>', '<!--c-->', '<![CDATA[x]]>', '<![CDATA[]]>',
      '\r\n', '\n  ', ' ', 'text', '&amp;', '&nbsp;', '&', '&#65;', '<br>', '<br/>', '</br>', '<BR></BR>', '<p class="p1">',
      '<a x="1">', '<a x="p=q">', '<a x=1>', '</a>', '<b/>', '<prospect>', '</prospect>', '<adf>', '</adf>', '<', '\ufeff',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 14 }), (pieces) => {
        agree(pieces.join(''));
        agree(`<adf>${pieces.join('')}</adf>`);
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees on mutated ADF and STAR documents', () => {
    for (let i = 0; i < 300; i++) {
      for (const kind of ['adf', 'star'] as const) {
        agree(makeInput(20261123, kind, i).raw.bytes.toString('utf8'));
      }
    }
  }, 120_000);
});

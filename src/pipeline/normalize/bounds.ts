// Bounds and cleans a LeadDraft before it is normalized: no field or list a hostile sender inflates may cost seconds of work or make an event too large to publish, and no control character reaches a lead.

import type { LeadDraft, Warning } from '../../lead.js';

/**
 * Free text (customer and vehicle comments) keeps up to 16 KiB; every other field up to 256 characters.
 * Real leads stay far below both (longest comments in the corpora: 3.2 KB, longest other field: 64 characters),
 * while a 900 KB name or phone would cost seconds in name splitting and libphonenumber's text search and
 * produce an event over Kafka's default 1 MB message limit (fixtures/hostile/README.md).
 */
export const MAX_TEXT_FIELD = 16 * 1024;
export const MAX_FIELD = 256;
const TEXT_FIELDS = new Set(['comments']);

/** Most values kept per list; a list not named here keeps DEFAULT_MAX_ITEMS. */
const MAX_ITEMS: Record<string, number> = { names: 10, emails: 10, phones: 10, ids: 20, vehicles: 20, lines: 5, colors: 10, options: 50, amounts: 10 };
const DEFAULT_MAX_ITEMS = 50;
/** Custom elements kept per draft (they only feed hints and attribution). */
const MAX_EXTRAS = 64;

const TRUNCATED: Warning = {
  code: 'field_truncated',
  message: `A field longer than a lead can hold was cut (comments at ${MAX_TEXT_FIELD / 1024} KiB, other fields at ${MAX_FIELD} characters).`,
};
const CAPPED: Warning = { code: 'values_capped', message: 'A list held more values than a lead can hold (e.g. over 10 phones); only the first were kept.' };
const CLEANED: Warning = { code: 'control_characters_removed', message: 'Control characters (NUL and the like), which no lead field may hold, were removed.' };

/**
 * Characters XML 1.0 forbids or discourages and no consumer wants in a name or phone: C0 controls but tab, LF and CR,
 * DEL, C1 controls, U+FFFE/U+FFFF, and lone surrogates (from `\ud800` in a JSON wrapper; PostgreSQL refuses them in
 * JSON). fast-xml-parser and the text and form readers let them through (fixtures/hostile/nul-in-fields.xml).
 */
const UNWANTED = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A cheap superset of UNWANTED (every surrogate counts): strings without any of these are left as they are, so the
 * lookaround pattern only runs on the rare string holding a control character or a non-BMP character.
 */
// eslint-disable-next-line no-control-regex
const MAYBE_UNWANTED = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ud800-\udfff\ufffe\uffff]/;

interface Notes {
  truncated: boolean;
  capped: boolean;
  cleaned: boolean;
}

/** `s` cut to `max` UTF-16 units, never between the two halves of a surrogate pair. */
function cut(s: string, max: number): string {
  const code = s.charCodeAt(max - 1);
  return s.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

function bound(value: unknown, key: string, notes: Notes): unknown {
  if (typeof value === 'string') {
    const max = TEXT_FIELDS.has(key) ? MAX_TEXT_FIELD : MAX_FIELD;
    let s = value;
    if (s.length > max) {
      notes.truncated = true;
      s = cut(s, max);
    }
    UNWANTED.lastIndex = 0;
    if (UNWANTED.test(s)) {
      notes.cleaned = true;
      s = s.replace(UNWANTED, '');
    }
    return s;
  }
  if (Array.isArray(value)) {
    const max = MAX_ITEMS[key] ?? DEFAULT_MAX_ITEMS;
    if (value.length > max) notes.capped = true;
    return value.slice(0, max).map((v) => bound(v, key, notes));
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    let n = 0;
    for (const [k, v] of Object.entries(value)) {
      if (key === 'extras' && ++n > MAX_EXTRAS) {
        notes.capped = true;
        break;
      }
      out[k] = bound(v, key === 'extras' ? 'extra' : k, notes);
    }
    return out;
  }
  return value;
}

/**
 * Whether a string needs `bound`: longer than its field's limit, or holding a MAYBE_UNWANTED character. Most strings
 * are short, so the length test comes first and skips the field-name lookup (only "comments" may exceed MAX_FIELD).
 */
function stringNeedsBound(value: string, key: string): boolean {
  const n = value.length;
  if (n > MAX_FIELD && (n > MAX_TEXT_FIELD || !TEXT_FIELDS.has(key))) return true;
  return MAYBE_UNWANTED.test(value);
}

/**
 * Whether `bound` would change anything: a read-only walk with the same keys and limits, so the common draft
 * (nothing too long, too many or unwanted) costs no copy.
 */
function needsBound(value: unknown, key: string): boolean {
  if (typeof value === 'string') return stringNeedsBound(value, key);
  if (Array.isArray(value)) {
    if (value.length > (MAX_ITEMS[key] ?? DEFAULT_MAX_ITEMS)) return true;
    for (let i = 0; i < value.length; i++) if (needsBound(value[i], key)) return true;
    return false;
  }
  if (value !== null && typeof value === 'object') {
    if (key === 'extras') {
      const keys = Object.keys(value);
      if (keys.length > MAX_EXTRAS) return true;
      for (let i = 0; i < keys.length; i++) if (needsBound((value as Record<string, unknown>)[keys[i]!], 'extra')) return true;
      return false;
    }
    // for-in rather than Object.keys: no key array per object, and V8 loads `value[k]` through its enum cache. It
    // visits every key `bound` does (own enumerable string keys) and at most inherited ones too, and a needless
    // `bound` run changes nothing (boundDraft returns the draft itself when no note was taken).
    for (const k in value) if (needsBound((value as Record<string, unknown>)[k], k)) return true;
  }
  return false;
}

function draftNeedsBound(draft: LeadDraft): boolean {
  const keys = Object.keys(draft);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (k !== 'warnings' && needsBound((draft as unknown as Record<string, unknown>)[k], k)) return true;
  }
  return false;
}

/** The draft with every string and list within the bounds above and free of UNWANTED characters, plus a warning for each kind of change; the same draft when nothing changed. */
export function boundDraft(draft: LeadDraft): LeadDraft {
  if (!draftNeedsBound(draft)) return draft;
  const { warnings, ...rest } = draft;
  const notes: Notes = { truncated: false, capped: false, cleaned: false };
  const bounded = bound(rest, '', notes) as Omit<LeadDraft, 'warnings'>;
  if (!notes.truncated && !notes.capped && !notes.cleaned) return draft;
  const added = [...(notes.truncated ? [TRUNCATED] : []), ...(notes.capped ? [CAPPED] : []), ...(notes.cleaned ? [CLEANED] : [])];
  return { ...bounded, warnings: [...warnings, ...added.map((w) => ({ ...w }))] };
}

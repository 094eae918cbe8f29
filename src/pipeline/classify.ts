// classify: party, canonical provider, sub-source, lead type and channel of every lead, each with the evidence that decided it (config overrides, then the adapter, then content).
import type { Config, SourceRule } from '../config.js';
import type { Signals } from '../input.js';
import type { Classification, Evidence, LeadDraft, LeadType, NormalizedLead, Party, Warning } from '../lead.js';
import type { Attribution } from './attribute.js';
import { THIRD_PARTY_MARKER } from './classify/catalog.js';

export const LEAD_TYPES: readonly LeadType[] = ['sales-new', 'sales-used', 'trade-appraisal', 'sell', 'test-drive', 'credit-app', 'chat', 'general'];

export interface ClassifyInput {
  dealerId: string;
  lead: NormalizedLead;
  attribution: Attribution;
  /** The adapter the caller named (POST /v1/leads/{adapter}), format or provider. */
  explicitAdapter?: string;
}

export interface ClassifyResult {
  party: Party;
  leadType: LeadType;
  provider: string;
  subSource?: string;
  channel?: string;
  classification: Classification;
  warnings: Warning[];
}

type Decided<T> = { value: T; evidence: Evidence };

// ---------------------------------------------------------------------------
// Configured overrides (SourceRule), compiled once per dealer: the dealer's, then its group's, then top-level.
// ---------------------------------------------------------------------------

type RuleField = keyof SourceRule['match'];

interface CompiledRule {
  where: string;
  tests: Array<[RuleField, RegExp]>;
  set: SourceRule['set'] & { leadType?: LeadType };
}

/** `owner` is "" for the top-level rules, "dealers/<id>" or "groups/<id>" otherwise: the path named in evidence and errors. */
function compileRules(rules: readonly SourceRule[] | undefined, owner: string): CompiledRule[] {
  return (rules ?? []).map((r, i) => {
    const where = `${owner ? `${owner}/` : ''}sources[${i}]`;
    const leadType = r.set.leadType;
    if (leadType !== undefined && !LEAD_TYPES.includes(leadType as LeadType)) {
      throw new Error(`${where}.set.leadType must be one of ${LEAD_TYPES.join(', ')} (got "${leadType}")`);
    }
    let tests: Array<[RuleField, RegExp]>;
    try {
      tests = (Object.entries(r.match) as Array<[RuleField, string]>).map(([k, v]) => [k, new RegExp(v, 'i')]);
    } catch (err) {
      throw new Error(`${where}.match holds an invalid regular expression: ${(err as Error).message}`);
    }
    return { where, tests, set: r.set as CompiledRule['set'] };
  });
}

/** The strings each SourceRule.match field is tested against (any one matching is enough for that field). */
function ruleSubjects(input: ClassifyInput, canonical: string | undefined): Record<RuleField, string[]> {
  const { draft, signals, source } = input.attribution;
  const p = draft.provider;
  const ids = [...draft.ids, ...draft.customer.ids, ...draft.vehicles.flatMap((v) => v.ids), ...(p?.ids ?? [])];
  const s = (...xs: Array<string | undefined>) => xs.filter((x): x is string => !!x && x.trim() !== '');
  return {
    provider: s(p?.name, canonical),
    service: s(p?.service),
    url: s(p?.url),
    idSource: s(...ids.map((i) => i.source)),
    sender: s(signals.sender),
    subject: s(signals.subject?.slice(0, 500)),
    credential: s(signals.credential?.id, signals.credential?.provider),
    form: s(signals.form),
    adapter: s(input.explicitAdapter, source?.adapter?.name, input.lead.source.adapter),
  };
}

// ---------------------------------------------------------------------------
// Lead type from content (delivery.md §5.2 items 5 and 6).
// ---------------------------------------------------------------------------

/** Metadata lead types (`<id source="LeadType">TestDrive</id>`, `<leadtype>`): only values that say something. */
function leadTypeWord(value: string): LeadType | undefined {
  const v = value.toLowerCase().replace(/[\s_-]+/g, '');
  if (/testdrive|testride/.test(v)) return 'test-drive';
  if (/credit|prequal|financeapp/.test(v)) return 'credit-app';
  if (/chat/.test(v)) return 'chat';
  if (/instantcashoffer|^sell|sellmy|sellyour/.test(v)) return 'sell';
  if (/trade|appraisal/.test(v)) return 'trade-appraisal';
  return undefined;
}

/** Keywords in names of forms and programs (provider name/service, STAR lead program, subject), most specific first. */
const NAME_KEYWORDS: Array<[RegExp, LeadType]> = [
  [/instant cash offer|\bsell (?:my|your|us your) (?:car|vehicle|bike)\b|\bwe buy\b/i, 'sell'],
  [/test[- ]?(?:drive|ride)/i, 'test-drive'],
  [/credit app|credit application|pre-?qual|finance app|get approved/i, 'credit-app'],
  [/\bchat\b/i, 'chat'],
  [/value (?:your|my) trade|\btrade[- ]?ins?\b|\btrade\b|appraisal/i, 'trade-appraisal'],
];

/** Comment keywords: the weakest content signal (a customer may mention a test drive in a sales inquiry). */
const COMMENT_KEYWORDS: Array<[RegExp, LeadType]> = [
  [/chat transcript|\bchat (?:session|started)\b/i, 'chat'],
  [/credit application|credit app\b/i, 'credit-app'],
  [/\btest[- ]?(?:drive|ride)\b/i, 'test-drive'],
  [/value (?:your|my) trade|trade[- ]in value/i, 'trade-appraisal'],
];

function keyword(text: string, table: Array<[RegExp, LeadType]>): { type: LeadType; word: string } | undefined {
  for (const [re, type] of table) {
    const m = re.exec(text);
    if (m) return { type, word: m[0].toLowerCase() };
  }
  return undefined;
}

function metadataLeadType(draft: LeadDraft): Decided<LeadType> | undefined {
  for (const id of draft.ids) {
    if (id.source && /^lead ?type$/i.test(id.source.trim()) && id.value) {
      const t = leadTypeWord(id.value);
      if (t) return { value: t, evidence: { signal: 'id.source', value: `LeadType=${id.value.slice(0, 40)}`, rule: 'lead-type-id' } };
    }
  }
  const tag = draft.extras.leadtype;
  const t = tag ? leadTypeWord(tag) : undefined;
  if (t) return { value: t, evidence: { signal: 'leadtype', value: tag!.slice(0, 40), rule: 'leadtype-tag' } };
  return undefined;
}

function contentLeadType(lead: NormalizedLead, draft: LeadDraft, signals: Signals): Decided<LeadType> | undefined {
  // The interests as sent count too: an HD Marketplace "sell" vehicle with every field empty is dropped by normalize, yet states the intent.
  const interests = interestsOf(lead, draft);
  if (interests & TEST_DRIVE) return { value: 'test-drive', evidence: { signal: 'vehicle.interest', value: 'test-drive', rule: 'interest' } };
  const wanted = (interests & WANTED) !== 0;
  if (!wanted && interests & SELL) return { value: 'sell', evidence: { signal: 'vehicle.interest', value: 'sell', rule: 'only-own-vehicle' } };
  if (!wanted && interests & TRADE_IN) return { value: 'trade-appraisal', evidence: { signal: 'vehicle.interest', value: 'trade-in', rule: 'only-own-vehicle' } };
  // The form or program the customer used, as its name says ("Value Your Trade", "DRS TRADE-IN FORM LEAD", "Test Drive").
  return (
    nameKeyword('provider.name', draft.provider?.name) ??
    nameKeyword('provider.service', draft.provider?.service) ??
    nameKeyword('lead_program', draft.extras.lead_program) ??
    nameKeyword('subject', signals.subject?.slice(0, 500))
  );
}

function nameKeyword(signal: string, text: string | undefined): Decided<LeadType> | undefined {
  const k = text ? keyword(text, NAME_KEYWORDS) : undefined;
  return k ? { value: k.type, evidence: { signal, value: k.word, rule: 'name-keyword' } } : undefined;
}

/** The interests contentLeadType asks about, as bits (no Set per lead: only these five words are ever looked up). */
const TEST_DRIVE = 1;
const WANTED = 2;
const SELL = 4;
const TRADE_IN = 8;

function interestBit(interest: string | undefined): number {
  switch (interest) {
    case 'test-drive':
      return TEST_DRIVE;
    case 'buy':
    case 'lease':
      return WANTED;
    case 'sell':
      return SELL;
    case 'trade-in':
      return TRADE_IN;
    default:
      return 0;
  }
}

/** The normalized interests, and the draft's as sent (trimmed, lower-cased), that are among the five words. */
function interestsOf(lead: NormalizedLead, draft: LeadDraft): number {
  let bits = 0;
  for (const v of lead.vehicles) bits |= interestBit(v.interest);
  for (const v of draft.vehicles) if (v.interest) bits |= interestBit(v.interest.trim().toLowerCase());
  return bits;
}

function statusLeadType(lead: NormalizedLead): Decided<LeadType> | undefined {
  const v = lead.vehicles.find((x) => (x.interest === 'buy' || x.interest === 'lease') && x.status);
  if (!v?.status) return undefined;
  return { value: v.status === 'new' ? 'sales-new' : 'sales-used', evidence: { signal: 'vehicle.status', value: v.status, rule: 'status' } };
}

function commentLeadType(lead: NormalizedLead): Decided<LeadType> | undefined {
  const text = lead.customer.comments?.slice(0, 20_000);
  const k = text ? keyword(text, COMMENT_KEYWORDS) : undefined;
  return k ? { value: k.type, evidence: { signal: 'comments', value: k.word, rule: 'comment-keyword' } } : undefined;
}

// ---------------------------------------------------------------------------
// The classifier.
// ---------------------------------------------------------------------------

function thirdPartyMarker(text: string | undefined): string | undefined {
  return text && THIRD_PARTY_MARKER.test(text) ? text : undefined;
}

const PARTY_GUESSED: Warning = {
  code: 'party_guessed',
  message: 'The provider is not in the catalog and no configured rule names it; the lead was classified as third party.',
};

export class Classifier {
  private readonly rulesByDealer = new Map<string, CompiledRule[]>();
  private readonly topLevel: CompiledRule[];

  /** Compiles every configured source rule once; throws (at startup) on an invalid pattern or lead type. */
  constructor(config: Pick<Config, 'dealers' | 'groups' | 'sources'>) {
    this.topLevel = compileRules(config.sources, '');
    const groups = new Map(config.groups.map((g) => [g.id, compileRules(g.sources, `groups/${g.id}`)]));
    for (const d of config.dealers) {
      const own = compileRules(d.sources, `dealers/${d.id}`);
      const group = d.group ? (groups.get(d.group) ?? []) : [];
      this.rulesByDealer.set(d.id, [...own, ...group, ...this.topLevel]);
    }
  }

  classify(input: ClassifyInput): ClassifyResult {
    const { lead } = input;
    const { draft, signals, source, evidence: chosenBy, origin } = input.attribution;
    const attr = draft.attribution ?? {};
    const warnings: Warning[] = [];
    const sentName = draft.provider?.name?.trim() || draft.provider?.service?.trim();
    const isForm = draft.format === 'form' || !!signals.form;

    // The first configured rule whose every pattern matches decides what it sets.
    const canonicalGuess = attr.provider?.value ?? source?.provider;
    const rule = this.matchRule(input, canonicalGuess);
    const ruleEvidence = rule ? { signal: 'rule', rule: rule.where } : undefined;

    // Provider: rule, adapter refine, chosen source, the form, the name as sent.
    const provider: Decided<string> = rule?.set.provider
      ? { value: rule.set.provider, evidence: ruleEvidence! }
      : attr.provider
        ? attr.provider
        : source && chosenBy
          ? { value: source.provider, evidence: chosenBy }
          : isForm
            ? { value: sentName ?? 'Dealer Website', evidence: { signal: 'form', ...(signals.form ? { value: signals.form } : {}), rule: 'form' } }
            : sentName
              ? { value: sentName, evidence: { signal: draft.provider?.name?.trim() ? 'provider.name' : 'provider.service', value: sentName.slice(0, 120), rule: 'as-sent' } }
              : { value: 'unknown', evidence: { signal: 'none', rule: 'unknown' } };

    // Sub-source: rule, adapter refine, the origin an OEM program relays. One that repeats the provider
    // (TrueCar's own site: "TrueCar/TrueCar") says nothing and is left out.
    const proposed: Decided<string> | undefined = rule?.set.subSource
      ? { value: rule.set.subSource, evidence: ruleEvidence! }
      : attr.subSource
        ? attr.subSource
        : origin
          ? { value: origin.source.provider, evidence: origin.evidence }
          : undefined;
    const subSource = proposed && proposed.value.trim().toLowerCase() !== provider.value.trim().toLowerCase() ? proposed : undefined;

    // Party: rule, web form, adapter refine, an explicit third-party marker, the relayed origin, the source's own party.
    const marker = thirdPartyMarker(draft.provider?.name) ?? thirdPartyMarker(draft.provider?.service);
    let party: Decided<Party>;
    if (rule?.set.party) party = { value: rule.set.party, evidence: ruleEvidence! };
    else if (isForm) party = { value: 'first', evidence: { signal: 'form', ...(signals.form ? { value: signals.form } : {}), rule: 'dealer-web-form' } };
    else if (attr.party) party = attr.party;
    else if (marker) party = { value: 'third', evidence: { signal: 'provider.name', value: marker.slice(0, 120), rule: 'third-party-marker' } };
    else if (origin) party = { value: origin.source.party, evidence: origin.evidence };
    else if (source && chosenBy) party = { value: source.party, evidence: chosenBy };
    else {
      party = { value: 'third', evidence: { signal: 'none', rule: 'party-guessed' } };
      warnings.push({ ...PARTY_GUESSED });
    }

    // Lead type: rule, adapter refine, metadata ids, content, the source's default, vehicle status, comments, general.
    const defaultType = origin?.source.defaultLeadType ?? source?.defaultLeadType;
    const leadType: Decided<LeadType> =
      (rule?.set.leadType ? { value: rule.set.leadType, evidence: ruleEvidence! } : undefined) ??
      attr.leadType ??
      metadataLeadType(draft) ??
      contentLeadType(lead, draft, signals) ??
      (defaultType ? { value: defaultType, evidence: { signal: 'source', value: (origin?.source.defaultLeadType ? origin.source : source)!.provider, rule: 'source-default' } } : undefined) ??
      statusLeadType(lead) ??
      commentLeadType(lead) ??
      { value: 'general', evidence: { signal: 'none', rule: 'general' } };

    // Built key by key (no spreads), in the published order: party, provider, subSource, leadType.
    const classification = { party: party.evidence, provider: provider.evidence } as Classification;
    if (subSource) classification.subSource = subSource.evidence;
    classification.leadType = leadType.evidence;
    const out = { party: party.value, leadType: leadType.value, provider: provider.value } as ClassifyResult;
    if (subSource) out.subSource = subSource.value;
    if (rule?.set.channel) out.channel = rule.set.channel;
    out.classification = classification;
    out.warnings = warnings;
    return out;
  }

  private matchRule(input: ClassifyInput, canonical: string | undefined): CompiledRule | undefined {
    const rules = this.rulesByDealer.get(input.dealerId) ?? this.topLevel;
    if (rules.length === 0) return undefined;
    const subjects = ruleSubjects(input, canonical);
    return rules.find((r) => r.tests.every(([field, re]) => subjects[field].some((s) => re.test(s))));
  }
}

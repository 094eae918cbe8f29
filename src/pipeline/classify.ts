// classify: first / second / third party from who originated the lead (a small built-in catalog; the provider adapters refine it).
import type { Party, Warning } from '../lead.js';

interface Rule {
  party: Party;
  pattern: RegExp;
}

/**
 * Ordered: the first match wins. "Kia Digital - 3rd Party Lead" (an OEM program relaying a
 * CarsDirect lead) must be third party, so explicit third-party markers come before OEM names.
 */
const RULES: Rule[] = [
  { party: 'third', pattern: /3rd party|third party/i },
  {
    party: 'third',
    pattern: /autotrader|cars\.com|dealerrater|cargurus|truecar|edmunds|kbb|kelley blue book|costco|offerup|carfax|dealix|autobytel|carsdirect|trade accelerator|hd marketplace|autoweb|capital one|carvana|craigslist/i,
  },
  {
    party: 'second',
    pattern: /kia digital|kia\.com|mazda digital|mazda\.com|hyundai|genesis|toyota|lexus|ford ?direct|ford\.com|\bgm\b|chevrolet|cadillac|buick|gmc|honda|acura|nissan|infiniti|subaru|stellantis|jeep|\bram\b|volkswagen|\bvw\b|volvo|mercedes|bmw|audi|hd\.com|harley|\bmfs\b|lease end|shift digital|autodata|urban science|helms/i,
  },
  {
    party: 'first',
    pattern: /website|web site|dealer\.com|dealeron|dealer inspire|team velocity|apollo|carnow|roadster|room58|traffic log pro|chat|walk-?in|phone|facebook|instagram|showroom|drs trade/i,
  },
];

export function classifyParty(signals: Array<string | undefined>): { party: Party; warnings: Warning[] } {
  const text = signals.filter(Boolean).join(' | ');
  for (const rule of RULES) {
    if (rule.pattern.test(text)) return { party: rule.party, warnings: [] };
  }
  return {
    party: 'third',
    warnings: [{ code: 'party_guessed', message: 'The provider is not in the catalog; the lead was classified as third party.' }],
  };
}

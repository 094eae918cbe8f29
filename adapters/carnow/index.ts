// CarNow chat on the dealer's website: leads sent directly (adf-no-reply@carnow.com) or relayed by Mazda Digital, whose comments hold the chat transcript.
import type { Signals } from '../../src/input.js';
import type { LeadDraft } from '../../src/lead.js';
import type { ProviderAdapter } from '../index.js';
import { withAttribution } from '../refine-kit.js';

const RULE = 'adapter:carnow';

/** "Transcript: http://app.carnow.com/da/…" closes the comments of a chat lead (mazda-digital-carnow-chat-1.xml). */
const TRANSCRIPT_LINK = /\bTranscript:\s*https?:\/\/(?:[\w-]+\.)*carnow\.com\//i;
/** "[05:16pm] Tustin Mazda: Welcome …": timestamped chat turns. */
const CHAT_TURN = /\[\d{1,2}:\d{2}\s*[ap]m\]/gi;

/** True when the comments are a chat transcript: CarNow's transcript link, or at least two timestamped turns. */
export function hasTranscript(comments: string | undefined): boolean {
  if (!comments) return false;
  if (TRANSCRIPT_LINK.test(comments)) return true;
  const head = comments.slice(0, 4000);
  return (head.match(CHAT_TURN)?.length ?? 0) >= 2;
}

/**
 * A transcript makes the lead a chat whatever a form name might suggest; without one the
 * adapter's default (chat) still applies unless the lead says something more specific.
 * The phone number the customer typed into the chat is already in the structured phone: never mined.
 */
function refine(draft: LeadDraft, _signals: Signals): LeadDraft {
  if (!hasTranscript(draft.customer.comments)) return draft;
  return withAttribution(draft, { leadType: { value: 'chat', evidence: { signal: 'customer.comments', value: 'chat transcript', rule: RULE } } });
}

export const provider: ProviderAdapter = {
  name: 'carnow',
  title: 'CarNow (website chat)',
  provider: 'CarNow',
  party: 'first',
  formats: ['adf'],
  match: {
    // provider/name "CarNow - Sales"; url/transcript host app.carnow.com.
    names: /\bcarnow\b/i,
    // <id sequence="2" source="CarNow">C117679731</id>
    idSources: /^carnow$/i,
    senderDomains: ['carnow.com'],
  },
  defaultLeadType: 'chat',
  refine,
};

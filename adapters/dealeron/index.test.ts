// Tests for the DealerOn adapter: detection and its (synthetic) fixture through the pipeline.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeDetection, describeFixtures, leadsOf } from '../test-kit.js';
import { provider } from './index.js';

const HERE = new URL('./fixtures/', import.meta.url);

// By name, host and sender domain; not a dealership "on" a street.
describeDetection(
  provider,
  { names: ['DealerOn', 'https://www.dealeron.com'], senders: ['leads@dealeron.com'] },
  { notMine: { names: ['Dealer on Main', 'Dealer Online Sales'] } },
);

describe('dealeron through the pipeline', () => {
  it('a DealerOn lead: DealerOn, first party, the vehicle decides the lead type', async () => {
    const [lead] = await leadsOf(new URL('dealeron-contact-synthetic.xml', HERE));
    expect({ provider: lead!.source.provider, party: lead!.party, leadType: lead!.leadType, adapter: lead!.source.adapter }).toEqual({ provider: 'DealerOn', party: 'first', leadType: 'sales-used', adapter: 'dealeron' });
  });

  it('an email from dealeron.com that names no provider is DealerOn\'s', async () => {
    const body = readFileSync(new URL('dealeron-contact-synthetic.xml', HERE), 'utf8').replace(/\s*<provider>[\s\S]*?<\/provider>/, '');
    const eml = `From: Example Motors Website <leads@dealeron.com>\r\nTo: sales@examplemotors.example\r\nMessage-ID: <do.1@dealeron.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}`;
    const [lead] = await leadsOf(eml, { email: true });
    expect({ provider: lead!.source.provider, party: lead!.party }).toEqual({ provider: 'DealerOn', party: 'first' });
    expect(lead!.classification.provider).toEqual({ signal: 'sender.domain', value: 'dealeron.com', rule: 'adapter:dealeron' });
  });
});

describeFixtures(provider, HERE);

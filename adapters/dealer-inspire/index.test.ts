// Tests for the Dealer Inspire adapter: detection, the Honda-forced "Dealer Inspire - Website" name (Honda wins only with a Honda signal), and its (synthetic) fixture through the pipeline.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeDetection, describeFixtures, leadsOf } from '../test-kit.js';
import { provider } from './index.js';

const HERE = new URL('./fixtures/', import.meta.url);
const XML = readFileSync(new URL('dealer-inspire-website-synthetic.xml', HERE), 'utf8');

// Dealer Inspire names and dealerinspire.com.
describeDetection(
  provider,
  { names: ['Dealer Inspire - Website', 'DealerInspire', 'https://www.dealerinspire.com'], senders: ['leads@dealerinspire.com'] },
  { notMine: { names: ['Dealer Website', 'Inspire Motors'] } },
);

describe('dealer-inspire through the pipeline', () => {
  it('a Dealer Inspire website lead: Dealer Inspire, first party (the comment\'s "test drive" is only a comment)', async () => {
    const [lead] = await leadsOf(XML);
    expect({ provider: lead!.source.provider, party: lead!.party, adapter: lead!.source.adapter }).toEqual({ provider: 'Dealer Inspire', party: 'first', adapter: 'dealer-inspire' });
    expect(lead!.leadType).toBe('sales-new');
  });

  it('the same forced name with a Honda program id is Honda\'s, Dealer Inspire its sub-source', async () => {
    const [lead] = await leadsOf(XML.replace('<name part="full">Dealer Inspire - Website</name>', '<name part="full">Dealer Inspire - Website</name><service>90534</service>'));
    expect({ provider: lead!.source.provider, subSource: lead!.source.subSource, party: lead!.party }).toEqual({ provider: 'Honda', subSource: 'Dealer Inspire', party: 'first' });
  });
});

describeFixtures(provider, HERE);

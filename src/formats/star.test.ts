// Tests for the STAR ProcessSalesLead reader against the real Hyundai lead and small variants.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LeadgateError } from '../errors.js';
import type { LeadDraft } from '../lead.js';
import { decodeText } from './decode.js';
import { looksLikeStar, parseStar } from './star.js';

const hyundaiText = decodeText(readFileSync(new URL('../../fixtures/real-leads/star-hyundai-dealercom-tradein-1.xml', import.meta.url)), {}).text;

describe('star-hyundai-dealercom-tradein-1.xml', () => {
  const drafts = parseStar(hyundaiText);
  const d = drafts[0] as LeadDraft;

  it('gives one draft with the document id and request date', () => {
    expect(drafts).toHaveLength(1);
    expect(d.format).toBe('star');
    expect(d.index).toBe(0);
    expect(d.ids).toEqual([{ value: 'DWC0000104147182', source: 'STAR DocumentID' }]);
    expect(d.requestDate).toBe('2025-10-18T11:23:37-05:00');
    expect(d.warnings).toEqual([]);
  });

  it('reads the customer: names, phone (3-7 split kept), email, address, timeframe', () => {
    expect(d.customer.names).toEqual([
      { value: 'FIRSTNAME', part: 'first' },
      { value: 'LASTNAME', part: 'last' },
    ]);
    expect(d.customer.phones).toEqual([{ value: '555-0100124', type: 'Telephone' }]);
    expect(d.customer.emails).toEqual([{ value: 'customer24@example.com' }]);
    expect(d.customer.address).toEqual({ lines: ['1 Not Available'], city: 'Anytown', region: 'CA', postalCode: '90000', country: 'US' });
    expect(d.customer.timeframe).toEqual({ description: '0-3 months' });
  });

  it('reads CustomerComments from CDATA, decoding the &amp; it carries', () => {
    const c = d.customer.comments ?? '';
    expect(c).toMatch(/^Options: --- Lease or Rental Return: --- Odometer Accurate:/);
    expect(c).toContain('---------- APR: 6.49%\n');
    expect(c).toContain('route=shopper-platform-certificate&theme=hyundai.css&dealXgId=REDACTED-DEAL-ID');
    expect(c).toContain('\nTrade In:\nSource: KBB Trade-in\nYear: 2017\n');
    expect(c).toMatch(/vehicleReferenceType: OTHER$/);
  });

  it('reads two vehicles: the new one of interest and the "Trade In" line item', () => {
    expect(d.vehicles).toEqual([
      {
        interest: 'buy',
        status: 'New',
        ids: [],
        year: '2025',
        make: 'Hyundai',
        model: 'IONIQ 5',
        trim: 'Limited',
        vin: '7YAKR4DA2SY034382',
        stock: 'HH034382',
        odometer: { value: '23', units: 'mile' },
        colors: [{ exterior: 'white' }],
        price: { value: '0.0', currency: 'USD', type: 'QUOTE' },
      },
      {
        interest: 'trade-in',
        ids: [],
        year: '2017',
        make: 'Subaru',
        model: 'Outback',
        trim: '3.6R Touring Wagon 4D',
        vin: '1HGCM82633A004352',
        odometer: { value: '0', units: 'mile' },
        colors: [{ exterior: 'white' }],
      },
    ]);
  });

  it('maps the dealer, the provider and the marketing pairs', () => {
    expect(d.vendor).toEqual({ ids: [{ value: 'CA325', source: 'OEM dealer code' }], name: 'Tustin Hyundai' });
    expect(d.provider).toEqual({
      ids: [{ value: 'HYU', source: 'STAR SenderNameCode' }],
      name: 'Dealer.com - DRS',
      service: 'DRS TRADE-IN FORM LEAD',
      url: 'www.dealer.com',
      email: 'support@dealer.com',
    });
    expect(d.extras).toMatchObject({
      lead_source: 'Dealer.com - DRS',
      lead_program: 'DRS TRADE-IN FORM LEAD',
      campaign_id: 'Accelerate DR - Dealer.com - Deal Events',
      purchasedescription: '0-3 months',
      tcpa_consent: 'No',
      iscilead: 'true',
      hyundai_program_code: '78766',
      leadsourcecode: 'Dealer Website - Accelerate DR - Dealer.com - Deal Events',
      sendernamecode: 'HYU',
      contactmethodtypecode: 'Home Email',
      'vehicle[0].doors': '4',
    });
  });
});

describe('STAR variants', () => {
  it('handles namespace prefixes, several SalesLeads, a business prospect and split phone parts', () => {
    const xml = `<?xml version="1.0"?>
<star:ProcessSalesLead xmlns:star="http://www.starstandard.org/STAR/5">
  <star:ApplicationArea><star:Sender><star:SenderNameCode>GM</star:SenderNameCode></star:Sender><star:CreationDateTime>2025-01-02T03:04:05Z</star:CreationDateTime></star:ApplicationArea>
  <star:ProcessSalesLeadDataArea>
    <star:SalesLead><star:SalesLeadHeader>
      <star:DocumentIdentificationGroup><star:DocumentIdentification><star:DocumentID>L-1</star:DocumentID></star:DocumentIdentification></star:DocumentIdentificationGroup>
      <star:LeadInterestCode>L</star:LeadInterestCode>
      <star:CustomerProspect><star:ProspectParty><star:PartyID>P-9</star:PartyID><star:SpecifiedOrganization><star:CompanyName>Acme &amp; Sons</star:CompanyName>
        <star:TelephoneCommunication><star:ChannelCode>Telephone</star:ChannelCode><star:AreaNumberCode>555</star:AreaNumberCode><star:SubscriberNumber>0100123</star:SubscriberNumber><star:UseCode>evening</star:UseCode></star:TelephoneCommunication>
        <star:URICommunication><star:URIID>a@acme.example; b@acme.example</star:URIID></star:URICommunication>
      </star:SpecifiedOrganization></star:ProspectParty></star:CustomerProspect>
    </star:SalesLeadHeader>
    <star:SalesLeadDetail><star:SalesLeadLineItem><star:SalesLeadVehicleLineItem><star:SalesLeadVehicle><star:ModelYear>2026</star:ModelYear><star:MakeString>GMC</star:MakeString><star:Model>Sierra</star:Model><star:SaleClassCode>Used</star:SaleClassCode></star:SalesLeadVehicle></star:SalesLeadVehicleLineItem></star:SalesLeadLineItem></star:SalesLeadDetail>
    </star:SalesLead>
    <star:SalesLead><star:SalesLeadHeader><star:DocumentDateTime>2025-01-02T09:00:00Z</star:DocumentDateTime>
      <star:CustomerProspect><star:ProspectParty><star:SpecifiedPerson><star:GivenName>Bo</star:GivenName></star:SpecifiedPerson></star:ProspectParty></star:CustomerProspect>
    </star:SalesLeadHeader></star:SalesLead>
  </star:ProcessSalesLeadDataArea>
</star:ProcessSalesLead>`;
    const [a, b] = parseStar(xml);
    expect(a?.ids).toEqual([{ value: 'L-1', source: 'STAR DocumentID' }]);
    expect(a?.requestDate).toBe('2025-01-02T03:04:05Z');
    expect(a?.customer).toEqual({
      names: [{ value: 'Acme & Sons', part: 'full', type: 'business' }],
      emails: [{ value: 'a@acme.example' }, { value: 'b@acme.example' }],
      phones: [{ value: '555 0100123', type: 'Telephone', time: 'evening' }],
      ids: [{ value: 'P-9', source: 'STAR PartyID' }],
    });
    expect(a?.vehicles).toEqual([{ interest: 'lease', status: 'Used', ids: [], year: '2026', make: 'GMC', model: 'Sierra' }]);
    expect(a?.provider).toEqual({ ids: [{ value: 'GM', source: 'STAR SenderNameCode' }], name: 'GM' });
    expect(b?.index).toBe(1);
    expect(b?.requestDate).toBe('2025-01-02T09:00:00Z');
    expect(b?.customer.names).toEqual([{ value: 'Bo', part: 'first' }]);
  });

  it('not_a_lead when there is no SalesLead; DTDs refused as everywhere', () => {
    const err = (() => {
      try {
        parseStar('<ProcessSalesLead><ApplicationArea/></ProcessSalesLead>');
      } catch (e) {
        return e as LeadgateError;
      }
      return undefined;
    })();
    expect(err?.code).toBe('not_a_lead');
    expect(() => parseStar('<!DOCTYPE x [<!ENTITY a "b">]><ProcessSalesLead/>')).toThrow(/xml_doctype_forbidden/);
  });

  it('looksLikeStar', () => {
    expect(looksLikeStar(hyundaiText)).toBe(true);
    expect(looksLikeStar('<star:ProcessSalesLead xmlns:star="x">')).toBe(true);
    expect(looksLikeStar('<x xmlns="http://www.starstandard.org/STAR/5"><SalesLead>')).toBe(true);
    expect(looksLikeStar('<adf><prospect>')).toBe(false);
  });
});

// Tests for the plain-text lead reader: one test per layout of adf.md §10, the real CarGurus UK notification, and what is not a lead.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LeadgateError } from '../errors.js';
import type { LeadDraft } from '../lead.js';
import { fieldFor, findForwardHeader, parseTextLead, parseVehicleText, type TextLeadInput } from './text.js';

const one = (input: TextLeadInput): LeadDraft => {
  const drafts = parseTextLead(input);
  expect(drafts).toHaveLength(1);
  return drafts[0]!;
};
const codes = (d: LeadDraft): string[] => d.warnings.map((w) => w.code);

function notALead(input: TextLeadInput): LeadgateError {
  try {
    parseTextLead(input);
  } catch (err) {
    expect(err).toBeInstanceOf(LeadgateError);
    expect((err as LeadgateError).code).toBe('not_a_lead');
    return err as LeadgateError;
  }
  throw new Error('expected not_a_lead');
}

describe('the real CarGurus UK notification', () => {
  const raw = readFileSync(new URL('../../fixtures/real-leads/cargurus-uk-plaintext-email-1.txt', import.meta.url), 'utf8');
  const body = raw.slice(raw.indexOf('\n\n') + 2);
  const d = one({ text: body, from: 'dealer-leads@messages.cargurus.com', subject: 'Lead submission from CarGurus', date: '2025-08-19T14:07:31+01:00' });

  it('reads the customer: name, email, raw phone, postcode, comments, preference', () => {
    expect(d.format).toBe('text');
    expect(d.customer.names).toEqual([{ value: 'firstname lastname', part: 'full' }]);
    expect(d.customer.emails).toEqual([{ value: 'customer26@example.com', preferred: true }]);
    expect(d.customer.phones).toEqual([{ value: '07700 900126' }]);
    expect(d.customer.address).toEqual({ lines: [], postalCode: 'N0 0AA' });
    expect(d.customer.comments).toMatch(/^I'm interested in this 2001 Porsche Boxster .* \(CarGurus deal rating: N\/A \/ Is from deliverable listing: No\)$/);
  });

  it('reads the vehicle from the | summary line (run-together labels) and the price in pounds', () => {
    expect(d.vehicles).toEqual([{ ids: [], interest: 'buy', year: '2001', make: 'Porsche', model: 'Boxster', trim: '3.2 S 2dr Tiptronic S', stock: '1924223', price: { value: '£10,995' } }]);
  });

  it('takes provider and request date from the email, with warnings', () => {
    expect(d.provider).toEqual({ ids: [], name: 'CarGurus' });
    expect(d.requestDate).toBe('2025-08-19T14:07:31+01:00');
    expect(codes(d)).toEqual(['text_parsed', 'request_date_from_email', 'provider_from_sender']);
  });
});

describe('layouts', () => {
  it('Label: value lines with markdown bold, bullets and a ### heading', () => {
    const d = one({
      text: [
        '### New lead for your 2022 Mazda CX-5 Touring ###',
        '**First Name:** Pat',
        '* **Last Name:** Doe',
        '- Email: pat.doe@example.com',
        '*Mobile:* (555) 010-0150',
        'Telephone: 555.010.0151',
        'Zip Code: 92691',
        'Stock #: M1234',
        'VIN: JM3KFBDM1N0000000',
        'Comments: Is it available?',
        'Can I come Saturday?',
        '',
        'Unsubscribe: https://example.com/u',
      ].join('\n'),
    });
    expect(d.customer.names).toEqual([{ value: 'Pat', part: 'first' }, { value: 'Doe', part: 'last' }]);
    expect(d.customer.emails).toEqual([{ value: 'pat.doe@example.com' }]);
    expect(d.customer.phones).toEqual([{ value: '(555) 010-0150', type: 'cellphone' }, { value: '555.010.0151' }]);
    expect(d.customer.address?.postalCode).toBe('92691');
    expect(d.customer.comments).toBe('Is it available?\nCan I come Saturday?');
    expect(d.vehicles).toEqual([{ ids: [], interest: 'buy', year: '2022', make: 'Mazda', model: 'CX-5', trim: 'Touring', stock: 'M1234', vin: 'JM3KFBDM1N0000000' }]);
    expect(codes(d)).toEqual(['text_parsed']);
  });

  it('Cazoo: labels on one line, values indented below; "( tel: )" is empty; CorrelationID becomes an id', () => {
    const d = one({
      text: 'Customer name\n    Jo Bloggs\nEmail address\n    jo@example.com\nTelephone\n    ( tel: )\nMobile\n    07700 900150\nVehicle\n    2019 Ford Fiesta 1.0T Zetec\n\nCorrelationID: 3f1c2a9e-0d4b-4e8a-9a51-6c2f0e7b1d22\n',
    });
    expect(d.customer.names).toEqual([{ value: 'Jo Bloggs', part: 'full' }]);
    expect(d.customer.emails).toEqual([{ value: 'jo@example.com' }]);
    expect(d.customer.phones).toEqual([{ value: '07700 900150', type: 'cellphone' }]);
    expect(d.vehicles[0]).toMatchObject({ year: '2019', make: 'Ford', model: 'Fiesta', trim: '1.0T Zetec' });
    expect(d.ids).toEqual([{ value: '3f1c2a9e-0d4b-4e8a-9a51-6c2f0e7b1d22', source: 'CorrelationID' }]);
  });

  it('"Label:" with the value on the next line', () => {
    const d = one({ text: 'Name:\nPat Doe\nEmail:\npat@example.com\n' });
    expect(d.customer.names).toEqual([{ value: 'Pat Doe', part: 'full' }]);
    expect(d.customer.emails).toEqual([{ value: 'pat@example.com' }]);
  });

  it('Facebook relay keys, ##source##, NBSP and leading separators', () => {
    const d = one({
      text: '##source##: facebook\nprospect_customer_contact_name:\u00a0- Pat Doe\nprospect_customer_contact_email:&nbsp;pat@example.com\nprospect_customer_contact_phone: +15550100150\n',
    });
    expect(d.customer.names).toEqual([{ value: 'Pat Doe', part: 'full' }]);
    expect(d.customer.emails).toEqual([{ value: 'pat@example.com' }]);
    expect(d.customer.phones).toEqual([{ value: '+15550100150' }]);
    // No catalogued sender: the body's source line names the provider, as sent.
    expect(d.provider).toEqual({ ids: [], name: 'facebook' });
    expect(d.extras.source).toBe('facebook');
  });

  it('Cars.com: a bare name line, then the email, then the phone; quoted message; vehicle and dealer from the subject', () => {
    const d = one({
      text: 'You have a new used car lead from Cars.com\n\nPat Doe\npat@example.com\n(555) 010-0150\n\n"Still available?"\n\nQuestions? support@cars.com\n',
      from: 'salesleads@cars.com',
      subject: 'Cars.com Used Car Lead for Mission Viejo Kia - 2021 Kia Telluride EX',
    });
    expect(d.customer.names).toEqual([{ value: 'Pat Doe', part: 'full' }]);
    expect(d.customer.emails).toEqual([{ value: 'pat@example.com' }]);
    expect(d.customer.phones).toEqual([{ value: '(555) 010-0150' }]);
    expect(d.customer.comments).toBe('Still available?');
    expect(d.vehicles).toEqual([{ ids: [], interest: 'buy', status: 'used', year: '2021', make: 'Kia', model: 'Telluride', trim: 'EX' }]);
    expect(d.vendor).toEqual({ ids: [], name: 'Mission Viejo Kia' });
    expect(d.provider?.name).toBe('Cars.com');
    expect(codes(d)).toEqual(['text_parsed', 'text_unlabeled', 'provider_from_sender']);
  });

  it('CARFAX: dealer from "NEW CUSTOMER LEAD FOR", name and vehicle from "… is interested in …"', () => {
    const d = one({
      text: 'NEW CUSTOMER LEAD FOR Mission Viejo Kia\n\nPat Doe is interested in the 2019 Kia Sorento LX you have listed on CARFAX.\n\nPhone: 555-010-0150\nCARFAX Price: $18,995\n',
      from: 'NoReplyLead@carfax.com',
    });
    expect(d.vendor?.name).toBe('Mission Viejo Kia');
    expect(d.customer.names).toEqual([{ value: 'Pat Doe', part: 'full' }]);
    expect(d.customer.phones).toEqual([{ value: '555-010-0150' }]);
    expect(d.vehicles).toEqual([{ ids: [], interest: 'buy', year: '2019', make: 'Kia', model: 'Sorento', trim: 'LX', price: { value: '$18,995' } }]);
    expect(d.provider?.name).toBe('CARFAX');
  });

  it('a trade-in line becomes a trade-in vehicle; an unreadable vehicle stays in the comments', () => {
    const d = one({ text: 'Name: Pat Doe\nVehicle: something sporty\nTrade-in: 2016 Honda Civic EX\n' });
    expect(d.vehicles).toEqual([{ ids: [], interest: 'trade-in', year: '2016', make: 'Honda', model: 'Civic', trim: 'EX' }]);
    expect(d.customer.comments).toBe('Vehicle: something sporty');
  });

  it('several "### … lead … ###" blocks in one email are several leads', () => {
    const drafts = parseTextLead({
      text: '### You have a new customer lead for your 2001 Porsche Boxster ###\n*Name:* A One\n*Email:* a@example.com\n\n### You have a new customer lead for your 2015 BMW 320d ###\n*Name:* B Two\n*Phone number:* 07700 900151\n',
    });
    expect(drafts.map((d) => [d.index, d.customer.names[0]?.value, d.vehicles[0]?.make])).toEqual([
      [0, 'A One', 'Porsche'],
      [1, 'B Two', 'BMW'],
    ]);
  });

  it('a forwarded notification is read below the forward header, with the original sender', () => {
    const d = one({
      text: 'Please call this one.\nStaff Name\nPhone: 555-010-0199\n\n---------- Forwarded message ---------\nFrom: CarGurus <dealer-leads@messages.cargurus.com>\nDate: Tue, Aug 19, 2025 at 2:07 PM\nSubject: Lead submission from CarGurus\nTo: <sales@dealer.example>\n\n*Name:* Pat Doe\n*Email:* pat@example.com\n',
      from: 'staff@dealergroup.example',
      subject: 'Fwd: Lead submission from CarGurus',
    });
    expect(d.customer.phones).toEqual([]);
    expect(d.customer.emails).toEqual([{ value: 'pat@example.com' }]);
    expect(d.provider?.name).toBe('CarGurus');
  });

  it('"> " quote markers are ignored', () => {
    const d = one({ text: '> Name: Pat Doe\n> Email: pat@example.com\n' });
    expect(d.customer.emails).toEqual([{ value: 'pat@example.com' }]);
  });

  it('a request date in the body wins over the email date', () => {
    expect(one({ text: 'Name: Pat Doe\nDate: 2025-10-14 10:19\n', date: '2025-10-15T00:00:00Z' }).requestDate).toBe('2025-10-14 10:19');
    expect(one({ text: 'Name: Pat Doe\nDate: yesterday\n', date: '2025-10-15T00:00:00Z' }).requestDate).toBe('2025-10-15T00:00:00Z');
  });

  it("never takes the sender's or a provider's own address for the customer's", () => {
    notALead({ text: 'New lead!\n\nalerts@dealer-portal.example\n', from: 'Alerts <alerts@dealer-portal.example>' });
    notALead({ text: 'New lead!\n\nsalesleads@cars.com\n' });
  });
});

describe('what is not a lead', () => {
  it('phishing imitating a notification: no name, email or phone', () => {
    const e = notALead({
      text: 'You have a new customer lead!\nCustomer: View details in your dealer portal\nVehicle: your listing\nClick here to sign in: http://cargurus-login.example/verify\n',
      from: 'alerts@cargurus-dealerleads.example',
    });
    expect(e.detail).not.toMatch(/cargurus-login/);
  });

  it('an empty or prose-only body', () => {
    notALead({ text: '' });
    notALead({ text: 'Thanks for your business. Call us at our store.' });
  });

  it('names that are words, links or numbers are not names', () => {
    notALead({ text: 'Name: Customer\nName: https://example.com\n' });
    notALead({ text: 'First Name: 12345\n' });
  });
});

describe('bounds', () => {
  it('reads only the first 64 KiB of a huge body, and says so', () => {
    const [d] = parseTextLead({ text: `Name: Pat Doe\nEmail: pat@example.com\n${'Note: filler\n'.repeat(200_000)}Phone: 212-555-0123\n` });
    expect(d!.customer.emails.map((e) => e.value)).toEqual(['pat@example.com']);
    expect(d!.customer.phones).toEqual([]);
    expect(d!.warnings.map((w) => w.code)).toContain('text_truncated');
    expect(parseTextLead({ text: 'Name: Pat Doe\nEmail: pat@example.com\n' })[0]!.warnings.map((w) => w.code)).not.toContain('text_truncated');
  });
});

describe('helpers', () => {
  it('fieldFor maps label spellings', () => {
    expect(fieldFor('*Phone number:*'.replace(/[*:]/g, ''))).toBe('phone');
    expect(fieldFor('prospect_customer_contact_email')).toBe('email');
    expect(fieldFor('Your Message')).toBe('comments');
    expect(fieldFor('CARFAX Price')).toBe('price');
    expect(fieldFor('Reg. date')).toBeUndefined();
    expect(fieldFor('Customer Number')).toBeUndefined();
  });

  it('parseVehicleText', () => {
    expect(parseVehicleText('Certified 2022 Jeep Grand Cherokee Limited 4x4')).toEqual({ ids: [], status: 'certified', year: '2022', make: 'Jeep', model: 'Grand Cherokee', trim: 'Limited 4x4' });
    expect(parseVehicleText('2020 Land Rover Range Rover Sport HSE')).toMatchObject({ make: 'Land Rover', model: 'Range Rover', trim: 'Sport HSE' });
    expect(parseVehicleText('Porsche Boxster')).toEqual({ ids: [], make: 'Porsche', model: 'Boxster' });
    expect(parseVehicleText('2021 Kia Telluride EX (VIN: 5XYP5DHC0MG123456)')).toMatchObject({ vin: '5XYP5DHC0MG123456', model: 'Telluride', trim: 'EX' });
    expect(parseVehicleText('something sporty')).toBeUndefined();
  });

  it('findForwardHeader: Gmail, Outlook and quoted markers', () => {
    expect(findForwardHeader('x\n---------- Forwarded message ---------\nFrom: A <a@example.com>\nSubject: S\n\nbody')).toMatchObject({ from: 'A <a@example.com>', subject: 'S' });
    expect(findForwardHeader('x\n________________________________\nFrom: A <a@example.com>\nSent: Monday, October 13, 2025 2:20 PM\nTo: b@example.com\nSubject: FW: S\n\nbody')).toMatchObject({ from: 'A <a@example.com>', subject: 'FW: S', date: 'Monday, October 13, 2025 2:20 PM' });
    expect(findForwardHeader('no forward here')).toBeUndefined();
  });
});

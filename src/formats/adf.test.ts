// Tests for the ADF reader: every real lead in fixtures/real-leads, one test per adf.md §9 deviation, and hostile input.

import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LeadDraft } from '../lead.js';
import { looksLikeAdf, parseAdf, readAdfContact, splitEmails } from './adf.js';
import { decodeText } from './decode.js';
import { parseStar } from './star.js';
import { at, parseXml, preclean } from './xml.js';
import { thrown } from '../../test/support/errors.js';

const REAL = new URL('../../fixtures/real-leads/', import.meta.url);
const realFiles = readdirSync(REAL).filter((f) => f.endsWith('.xml'));
const realText = (name: string): string => decodeText(readFileSync(new URL(name, REAL)), {}).text;
const real = (name: string): LeadDraft => {
  const drafts = parseAdf(realText(name));
  expect(drafts).toHaveLength(1);
  return drafts[0] as LeadDraft;
};
const quirk = (name: string): LeadDraft[] => parseAdf(decodeText(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)), {}).text);
const one = (xml: string): LeadDraft => {
  const drafts = parseAdf(xml);
  expect(drafts).toHaveLength(1);
  return drafts[0] as LeadDraft;
};
const codes = (d: LeadDraft): string[] => d.warnings.map((w) => w.code);


/** Drafts never carry "" or undefined values, and every string is trimmed. */
function expectClean(value: unknown, path = 'draft'): void {
  if (typeof value === 'string') {
    expect(value, path).not.toBe('');
    expect(value, path).toBe(value.trim());
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => expectClean(v, `${path}[${i}]`));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      expect(v, `${path}.${k}`).not.toBeUndefined();
      expectClean(v, `${path}.${k}`);
    }
  }
}

/** Warning messages never contain the customer's data. */
function expectNoCustomerDataInWarnings(d: LeadDraft): void {
  const secrets = [
    ...d.customer.names.map((n) => n.value),
    ...d.customer.emails.map((e) => e.value),
    ...d.customer.phones.map((p) => p.value),
    ...(d.customer.address?.lines ?? []),
  ];
  for (const w of d.warnings) {
    expect(w.code).toMatch(/^[a-z0-9]+(_[a-z0-9]+)*$/);
    for (const s of secrets) expect(w.message).not.toContain(s);
    expect(w.message).not.toContain('@');
  }
}

describe('every real lead in fixtures/real-leads', () => {
  it('has the files SOURCES.md lists', () => {
    expect(realFiles.length).toBe(23);
  });

  for (const file of realFiles) {
    it(`reads ${file}`, () => {
      const text = realText(file);
      const drafts = file.startsWith('star-') ? parseStar(text) : parseAdf(text);
      expect(drafts.length).toBeGreaterThan(0);
      drafts.forEach((d, i) => {
        expect(d.format).toBe(file.startsWith('star-') ? 'star' : 'adf');
        expect(d.index).toBe(i);
        expectClean(d);
        expectNoCustomerDataInWarnings(d);
        // Every real lead except the EverLogic empty template names a way to reach the customer.
        if (file !== 'published-everlogic-template-1.xml') {
          expect(d.customer.emails.length + d.customer.phones.length).toBeGreaterThan(0);
        }
      });
    });
  }
});

describe('real-lead spot checks', () => {
  it('cargurus-1: one-line document, offset without colon, strings stay strings', () => {
    const d = real('cargurus-1.xml');
    expect(d.status).toBe('new');
    expect(d.requestDate).toBe('2025-10-13T03:31:58-0400');
    expect(d.ids).toEqual([{ value: 'vAuto-1760340718386', source: 'CarGurus', sequence: '1' }]);
    expect(d.customer.address).toEqual({ lines: [], city: 'Anytown', region: 'CA', postalCode: '90000', country: 'US' });
    expect(d.customer.emails).toEqual([{ value: 'customer05@example.com', preferred: true }]);
    expect(d.customer.phones).toEqual([{ value: '5550100105', type: 'voice', time: 'nopreference', preferred: false }]);
    expect(d.customer.timeframe).toEqual({ description: '2 weeks' });
    expect(d.customer.comments).toMatch(/^I’m interested in this 2020 Dodge Charger and I’d like/);
    const v = d.vehicles[0];
    expect(v).toMatchObject({ interest: 'buy', status: 'used', ids: [{ value: '63742-M781761B' }], year: '2020', vin: '2C3CDXCT6LH229383' });
    expect(v?.price).toEqual({ value: '27588.0', type: 'quote', currency: 'USD' });
    expect(v?.odometer).toEqual({ value: '61949', units: 'mi' });
    expect(v?.finance).toEqual({ method: 'Financing', amounts: [] });
    expect(d.vendor).toEqual({ ids: [{ value: 'sp63742', source: 'CarGurus' }], name: 'Huntington Beach Mazda' });
    expect(d.provider).toMatchObject({ name: 'CarGurus', service: 'CarGurus', email: 'dealers@cargurus.com', ids: [{ value: '1' }] });
    expect(d.warnings).toEqual([]);
  });

  it('cargurus-no-phone-2: an empty <phone> is no phone', () => {
    const d = real('cargurus-no-phone-2.xml');
    expect(d.customer.phones).toEqual([]);
    expect(d.customer.names.map((n) => n.value)).toEqual(['Firstname', 'L']);
  });

  it('autotrader-wallet-1: <br/> comments, finance amounts, vendor email split into 3', () => {
    const d = real('autotrader-wallet-1.xml');
    expect(d.customer.names).toEqual([
      { value: 'Firstname', part: 'first', type: 'individual' },
      { value: 'Lastname', part: 'last', type: 'individual' },
      { value: 'Firstname Lastname', part: 'full', type: 'individual' },
    ]);
    expect(d.customer.phones).toEqual([{ value: '555-010-0101', type: 'voice', time: 'evening', preferred: true }]);
    expect(d.customer.comments).toContain('open.\n--------\nMy Wallet/Offer Details:\nDeal Type: finance,\nSale Price: $28987,');
    const v = d.vehicles[0];
    expect(v?.odometer).toEqual({ value: '24456', units: 'mi', status: 'unknown' });
    expect(v?.price).toEqual({ value: '28987', type: 'offer', currency: 'USD', source: 'AutoTrader.com' });
    expect(v?.finance?.amounts).toEqual([
      { value: '9701.0', type: 'downpayment', currency: 'USD' },
      { value: '0.0', type: 'total', currency: 'USD' },
      { value: '1053', type: 'monthly', currency: 'USD' },
    ]);
    expect(v?.colors).toEqual([{ interior: 'Black', exterior: 'White', preference: '1' }]);
    expect(d.vendor).toEqual({ ids: [{ value: '100008806', source: 'AutoTrader.com' }], name: 'Huntington Beach Mazda', contactName: 'Sales Department' });
    // Provider <name> without part.
    expect(d.provider).toEqual({ ids: [], name: 'AutoTrader.com', service: 'Wallet Lead', url: 'http://www.autotrader.com/', email: 'dealerinfo@autotrader.com' });

    // LeadDraft.vendor keeps no emails; the contact reader shows the split.
    const root = parseXml(preclean(realText('autotrader-wallet-1.xml')).text).root;
    const vendorContact = readAdfContact(at(root, 'prospect', 'vendor', 'contact'));
    expect(vendorContact.emails).toHaveLength(3);
    expect(vendorContact.emails.every((e) => e.value === 'staff@dealergroup.example')).toBe(true);
    expect(vendorContact.warnings.map((w) => w.code)).toEqual(['email_list_split']);
    expect(vendorContact.phones.map((p) => p.type)).toEqual(['voice', 'fax']);
  });

  it('carscom-dealerrater-1: two CDATA sections joined, empty vehicle, primary vendor contact', () => {
    const d = real('carscom-dealerrater-1.xml');
    expect(d.requestDate).toBe('10/12/2025 03:18:05 -04:00');
    expect(d.customer.comments).toBe(
      'Customer requested to speak with Staff Name. Hi, I am looking for a best out the door price for a new Kia Carnival hybrid EX.\nThank You for your time,\nFirstname',
    );
    expect(d.vehicles).toEqual([{ ids: [] }]);
    expect(d.vendor).toEqual({ ids: [], name: 'Mission Viejo Kia [Attn: Staff Name]', contactName: 'Staff Name' });
    expect(d.provider).toMatchObject({ name: 'Cars.com', service: 'DealerRater website', url: 'www.dealerrater.com' });
  });

  it('truecar-pnc-1: <leadtype> inside <provider>, empty ids dropped, finance amount without type', () => {
    const d = real('truecar-pnc-1.xml');
    expect(d.extras.leadtype).toBe('internet');
    expect(d.ids).toEqual([{ value: '1142904505', source: 'TrueCar Lead ID' }]);
    expect(d.vendor?.ids).toEqual([
      { value: 'staff@dealergroup.example', source: 'AdditionalEmails' },
      { value: '384578', source: 'DealerId' },
    ]);
    expect(d.vehicles[0]?.ids).toEqual([{ value: 'CK15906', source: 'model code' }]);
    expect(d.vehicles[0]?.finance).toEqual({ method: 'finance', amounts: [{ value: '1.0' }] });
    expect(d.vehicles[0]?.comments).toBeUndefined(); // empty CDATA pricecomments
    expect(d.customer.address).toEqual({ lines: ['100 Example Ave'], city: 'Anytown', region: 'CA', postalCode: '90000' });
    expect(d.customer.comments).toBe(
      '*** DEALER PORTAL ***\nhttps://dealerportal.truecar.com/dfe/prospects/REDACTED?_xt=1&utm_source=crm&utm_medium=deeplink&utm_campaign=384578',
    );
    expect(d.provider).toEqual({ ids: [], name: 'TrueCar/PNC', service: 'New TrueCar/PNC Auto Buying Customer Inquiry' });
  });

  it('truecar-truecar-used-2: HTML payment breakdown in pricecomments becomes lines', () => {
    const d = real('truecar-truecar-used-2.xml');
    expect(d.extras.leadtype).toBe('internet');
    expect(d.vehicles[0]?.comments).toBe(
      "Consumer's Latest Saved Payment:\nDeal Type = loan\nVIN = JM3KFBALXS0711419\nMonthly = $502.64\nDown = $2748.80\nCredit Score Used = 760\nBank =",
    );
    expect(d.vendor?.contactName).toBeUndefined(); // <name part="full" type="individual"/>
  });

  it('apollo-teamvelocity-website-1: <leadtype> directly under <prospect>, empty elements absent', () => {
    const d = real('apollo-teamvelocity-website-1.xml');
    expect(d.extras).toEqual({ leadtype: 'Sales' });
    expect(d.vehicles[0]).toEqual({
      interest: 'buy',
      status: 'new',
      ids: [],
      year: '2023',
      make: 'Mazda',
      model: 'CX-50',
      price: { value: '0', type: 'call', currency: 'USD' },
    });
    expect(d.customer.phones).toEqual([]);
    expect(d.customer.address).toEqual({ lines: [], postalCode: '90000' });
    expect(d.vendor).toEqual({ ids: [], name: 'Huntington Beach Mazda' });
    expect(d.provider?.ids).toEqual([]);
  });

  it('throttleiq-trade-accelerator-1: <comment> in <contact> becomes customer comments', () => {
    const d = real('throttleiq-trade-accelerator-1.xml');
    expect(d.customer.comments).toMatch(/^Pre-Inspection Trade-In Value Estimate\nRough Trade In Wholesale: \$7,925\nClean Trade In/);
    expect(d.customer.comments).toContain('Clean Trade In Wholesale: $9,295\n\nEvent Name: PowerSports TV Trade In');
    expect(codes(d)).toContain('adf_comment_in_contact');
    expect(d.ids).toEqual([{ value: '11310', source: 'Traffic Log Pro', sequence: '1' }]);
    expect(d.vehicles.map((v) => [v.interest, v.status])).toEqual([['buy', 'USED'], ['trade-in', undefined]]);
    expect(d.vehicles[0]?.price).toEqual({ value: '0.00', currency: 'USD' });
    // The trade-in's `<odometer unit="MILES"></odometer>` is empty, so there is no odometer at all.
    expect(d.vehicles[1]?.odometer).toBeUndefined();
    expect(d.vendor).toBeUndefined();
    expect(d.provider).toEqual({ ids: [], name: 'Trade Accelerator - Trade In' });
  });

  it('throttleiq HD Marketplace / HD.com / Room58: the message is in <contact><comment>', () => {
    expect(real('throttleiq-hd-marketplace-sell-2.xml').customer.comments).toMatch(/^Lead Captured Date:2026-05-28\nEvent Name: Value My Trade\nVIN:\nModel: XL883C/);
    expect(real('throttleiq-hdcom-quote-4.xml').customer.comments).toMatch(/^Customer Comments: PreferredMethodOfContact - text\(sms\)/);
    const room58 = real('throttleiq-room58-mirrored-trade-5.xml');
    expect(room58.customer.comments).toMatch(/^I sold my sportster/);
    expect(room58.vehicles[1]).toEqual({ interest: 'trade-in', ids: [], make: 'HARLEY-DAVIDSON', model: 'Super Glide' });
  });

  it('kia-digital-kiacom-testdrive-1: metadata ids, no PI, &amp; in colour, empty address absent', () => {
    const d = real('kia-digital-kiacom-testdrive-1.xml');
    expect(d.ids).toContainEqual({ value: 'TestDrive', source: 'LeadType', sequence: '4' });
    expect(d.ids).toContainEqual({ value: 'True', source: 'IsCILead' });
    expect(d.ids).toContainEqual({ value: 'kia.com', source: 'name:full', sequence: '3' });
    expect(d.requestDate).toBe('2025-10-03T20:56:58');
    expect(codes(d)).toEqual(['adf_pi_missing']);
    expect(d.vehicles[0]?.colors).toEqual([
      { exterior: 'Aurora Black Pearl', interior: 'Off-black & Taupe Two-tone Syntex Seat Trim', preference: '1' },
    ]);
    expect(d.vehicles[0]?.options).toEqual(['Carpeted Floor Mats (8-Passenger)', 'Auto-Dimming Mirror w/HomeLink', 'Roadside Assistance Kit', 'Std. Package']);
    expect(d.customer.address).toBeUndefined();
    expect(d.customer.comments).toBeUndefined();
    expect(d.customer.timeframe).toBeUndefined();
    expect(d.customer.phones).toEqual([{ value: '5550100113', type: 'voice', time: 'day' }]);
    expect(d.vendor).toEqual({ ids: [{ value: 'CA328', source: 'Kia Digital' }], name: 'Mission Viejo Kia', contactName: 'Mission Viejo Kia' });
  });

  it('kia-digital-teamvelocity-fullline-1: curly quotes, &apos; and bare LF inside CRLF', () => {
    const d = real('kia-digital-teamvelocity-fullline-1.xml');
    expect(d.customer.comments).toContain('I’m in the market');
    expect(d.customer.comments).toContain("Exterior colors I DON'T WANT: RED of any shade\n");
    expect(d.customer.comments).not.toContain('\r');
    expect(d.vehicles[0]?.model).toBe('Full Line');
  });

  it('mazda-digital files: cpo status, trade-in with odometer status, options in CDATA', () => {
    expect(real('mazda-digital-teamvelocity-cpo-1.xml').vehicles[0]?.status).toBe('cpo');
    const trade = real('mazda-digital-teamvelocity-trade-junk-2.xml').vehicles[1];
    expect(trade).toMatchObject({ interest: 'trade-in', status: 'used', odometer: { value: '40257', units: 'mi', status: 'replaced' } });
    const roadster = real('mazda-digital-roadster-1.xml');
    expect(roadster.vehicles[0]?.options).toEqual(['Appearance Package', 'Weather Package']);
    expect(roadster.vehicles[0]?.odometer).toEqual({ value: '2' });
    expect(roadster.customer.comments).toMatch(/^\/\/\/ URL \/\/\/\nhttps:\/\/dealers\.roadster\.com/);
    expect(real('mazda-digital-carnow-chat-1.xml').customer.comments).toContain("I'm intrested in a mazda cx90");
  });

  it('costco-auto-options-2: prolog comment, escaped HTML pricecomments, empty trade-in, primary provider contact', () => {
    const d = real('costco-auto-options-2.xml');
    expect(d.warnings).toEqual([]);
    expect(d.requestDate).toBe('2025-10-18T18:02:00.477Z');
    expect(d.vehicles[0]?.comments).toBe(
      'Costco member value proposition\nCostco Member Price = $1750 under Invoice\nAccessories discount: Minimum 15% off all accessories\nDealer Pre-installed accessories: See Personalized Price Sheet.\nPlus, all available dealer cash, finance incentives and all applicable customer rebates',
    );
    expect(d.vehicles[1]).toEqual({ interest: 'trade-in', ids: [] });
    expect(d.provider?.email).toBe('leads@costcoauto.com');
    expect(d.customer.names).toEqual([{ value: 'Firstname M Lastname', part: 'full' }]);
  });

  it('published examples: upper-case PI, one-digit hour, odd phone types, mailto: template', () => {
    const goal = real('published-mygoaltracking-1.xml');
    expect(goal.requestDate).toBe('2008-06-25T8:47:50');
    expect(goal.ids).toEqual([]);
    expect(goal.customer.phones.map((p) => p.type)).toEqual(['home', 'work', 'mobile']);
    expect(goal.vendor).toEqual({ ids: [], contactName: 'Name of lead provider or web-site' });
    expect(real('published-everlogic-template-1.xml').customer.emails).toEqual([{ value: 'mailto:' }]);
    expect(real('published-mudd-elead-1.xml').provider).toEqual({ ids: [], name: 'Mudd Advertising', service: 'SEM', url: 'https://mudd.com' });
  });
});

describe('adf.md §9 deviations', () => {
  it('PI before the XML declaration (the spec example)', () => {
    const [d] = quirk('pi-before-xml-declaration.xml');
    expect(codes(d as LeadDraft)).toEqual(['adf_pi_misplaced']);
    expect(d?.vehicles[0]).toMatchObject({ year: '1999', make: 'Chevrolet', model: 'Blazer' });
  });

  it('<?ADF VERSION "1.0"?> without "=", prolog comment, version attribute on <adf>, status resend', () => {
    const [d] = quirk('adf-pi-without-equals.xml');
    expect(codes(d as LeadDraft)).toEqual(['adf_pi_malformed']);
    expect(d?.status).toBe('resend');
    expect(d?.customer.emails).toEqual([{ value: 'pat@example.com' }]);
  });

  it('no PI at all', () => {
    const d = one('<adf><prospect><customer><contact><email>a@example.com</email></contact></customer></prospect></adf>');
    expect(codes(d)).toEqual(['adf_pi_missing']);
  });

  it('upper/Pascal-case tags and attributes', () => {
    const [d] = quirk('upper-case-tags.xml');
    expect(codes(d as LeadDraft)).toEqual(['tag_case_normalized']);
    expect(d?.status).toBe('new');
    expect(d?.vehicles[0]).toEqual({ interest: 'buy', status: 'used', ids: [], year: '2020', make: 'Honda', model: 'Civic' });
    expect(d?.customer.phones).toEqual([{ value: '555-0100', type: 'cellphone' }]);
  });

  it('namespace-prefixed root <adf:adf xmlns:adf=...>', () => {
    const [d] = quirk('namespaced-root.xml');
    expect(d?.customer.names).toEqual([{ value: 'Sam Roe', part: 'full' }]);
    expect(d?.requestDate).toBe('2025-10-18T10:19:48-04:00');
  });

  it('bare <prospect> root without <adf>', () => {
    const [d] = quirk('bare-prospect-root.xml');
    expect(codes(d as LeadDraft)).toEqual(['adf_root_missing', 'adf_pi_missing']);
    expect(d?.customer.emails).toEqual([{ value: 'kim@example.com' }]);
  });

  it('two bare <prospect> roots are both read', () => {
    const drafts = parseAdf('<prospect><id>1</id></prospect>\n<prospect><id>2</id></prospect>');
    expect(drafts.map((d) => [d.index, d.ids[0]?.value])).toEqual([[0, '1'], [1, '2']]);
    expect(codes(drafts[0] as LeadDraft)).toContain('xml_multiple_roots');
  });

  it('<adf> inside a wrapper element', () => {
    const d = one('<envelope><body><adf><prospect><id>w</id></prospect></adf></body></envelope>');
    expect(d.ids).toEqual([{ value: 'w' }]);
    expect(codes(d)).toContain('adf_wrapped');
  });

  it('CDATA everywhere: names, phones, options with HTML, URLs, empty CDATA', () => {
    const [d] = quirk('cdata-everywhere.xml');
    expect(d?.requestDate).toBe('2025-10-18T10:19:48-04:00');
    expect(d?.customer.names).toEqual([
      { value: 'Jo', part: 'first' },
      { value: "O'Neil & Co <Sales>", part: 'last' },
    ]);
    expect(d?.customer.phones).toEqual([{ value: '(555) 010-0199' }]);
    expect(d?.customer.emails).toEqual([]);
    expect(d?.customer.comments).toBe('First part, second part');
    expect(d?.vehicles[0]?.options).toEqual(['Premium & Tech Package']);
    expect(d?.vehicles[0]?.comments).toBe('Monthly = $502.64\nDown = $2748.80');
    expect(d?.provider).toEqual({ ids: [], name: 'Impel', url: 'https://example.com/?a=1&b=2' });
    expect(d?.warnings).toEqual([]);
  });

  it('&nbsp; and &reg;, "Bob & Sons", unclosed <br>, stray "<"', () => {
    const [d] = quirk('html-entities-stray-amp-br.xml');
    expect(d?.vehicles[0]?.model).toBe('Telluride® SX\u00a0Prestige');
    expect(d?.customer.names).toEqual([{ value: 'Bob & Sons Café', part: 'full' }]);
    expect(d?.customer.comments).toBe('Line one\nLine two\nLine three — AT&T © ½ price < $30k & ’ok’ &bogus; 3 < 4');
    expect(codes(d as LeadDraft).sort()).toEqual([
      'html_entity_repaired',
      'stray_ampersand_escaped',
      'stray_lt_escaped',
      'unclosed_br_repaired',
      'unknown_entity_escaped',
    ]);
  });

  it('inline "Line one<br>Line two" in a plain element', () => {
    const d = one('<?adf version="1.0"?><adf><prospect><customer><comments>Line one<br>Line two</comments></customer></prospect></adf>');
    expect(d.customer.comments).toBe('Line one\nLine two');
    expect(codes(d)).toEqual(['unclosed_br_repaired']);
  });

  it('two prospects: iterated, index = position', () => {
    const drafts = quirk('two-prospects.xml');
    expect(drafts.map((d) => d.index)).toEqual([0, 1]);
    expect(drafts.map((d) => d.ids[0]?.value)).toEqual(['A-1', 'A-2']);
    expect(drafts[1]?.customer.phones).toEqual([{ value: '555-0102' }]);
  });

  it('custom elements → extras; empty elements → absent; street lines by @line', () => {
    const [d] = quirk('custom-and-empty-elements.xml');
    expect(d?.ids).toEqual([{ value: 'ID-7' }]);
    expect(d?.requestDate).toBeUndefined();
    expect(d?.extras).toEqual({
      'vehicle[0].fuel': 'Gas',
      contactpreference: 'text',
      'callrail.recording': 'https://example.com/r/1',
      'callrail.duration': '42',
      leadtype: 'Sales',
    });
    expect(d?.vehicles[0]).toEqual({ interest: 'buy', ids: [], make: 'Ford', model: 'F-150', colors: [{ exterior: 'Red' }] });
    expect(d?.customer).toEqual({
      names: [{ value: 'Vega', part: 'last' }],
      emails: [],
      phones: [
        { value: '555-0133', type: 'voice', time: 'day' },
        { value: '555-0144', type: 'cellphone' },
      ],
      address: { lines: ['12 Main St', 'Apt 4'], postalCode: '02115', type: 'home' },
      ids: [],
    });
    expect(d?.vendor).toBeUndefined();
    expect(d?.provider).toBeUndefined();
    expect(codes(d as LeadDraft).sort()).toEqual(['adf_color_outside_combination', 'adf_custom_phone_element']);
  });

  it('CRLF and LF mixed', () => {
    const [d] = quirk('mixed-line-endings.xml');
    expect(d?.customer.comments).toBe('First line\nsecond line\nthird line\n\nfifth line');
  });

  it('odometer unit="MILES" (wrong attribute name) is kept as units', () => {
    const d = one('<?adf version="1.0"?><adf><prospect><vehicle interest="trade-in"><odometer unit="MILES">13200</odometer></vehicle></prospect></adf>');
    expect(d.vehicles[0]?.odometer).toEqual({ value: '13200', units: 'MILES' });
    expect(codes(d)).toEqual(['adf_odometer_unit_attribute']);
  });

  it('name parts, timeframe dates, price and finance attributes, several ids, vendor url, provider contact email', () => {
    const d = one(`<?adf version="1.0"?><adf><prospect status="new">
      <id sequence="2" source="B">b-2</id><id sequence="1" source="A">a-1</id>
      <vehicle interest="lease" status="new">
        <price type="msrp" currency="USD" delta="relative" relativeto="invoice" source="KBB">2</price>
        <finance><method>lease</method><amount type="monthly" limit="maximum" currency="USD">399</amount><balance type="residual">12000</balance></finance>
        <colorcombination><interiorcolor>Tan</interiorcolor><exteriorcolor>Blue</exteriorcolor><preference>2</preference></colorcombination>
        <doors>4</doors><condition>good</condition>
      </vehicle>
      <customer><contact><name part="first">Ana</name><name part="middle">B</name><name part="last">Cruz</name><name part="suffix">Jr</name><name part="surname">Cruz</name>
        <email preferredcontact="1">ana@example.com, ana.work@example.com</email><email>"Cruz, Ana" ana@example.com</email>
        <phone type="cellphone" time="morning" preferredcontact="1">+1 555 0100</phone></contact>
        <timeframe><description>Within 1 month</description><earliestdate>2025-11-01</earliestdate><latestdate>2025-12-01</latestdate></timeframe>
      </customer>
      <vendor><id source="OEM">D1</id><vendorname>Dealer</vendorname><url>https://dealer.example</url>
        <contact><name part="first">Sal</name><name part="last">Rep</name></contact></vendor>
      <provider><name part="first">Lead</name><name part="last">Co</name><contact primarycontact="1"><email>help@lead.example; ops@lead.example</email></contact></provider>
    </prospect></adf>`);
    expect(d.ids).toEqual([
      { value: 'b-2', source: 'B', sequence: '2' },
      { value: 'a-1', source: 'A', sequence: '1' },
    ]);
    expect(d.customer.names.map((n) => `${n.part}:${n.value}`)).toEqual(['first:Ana', 'middle:B', 'last:Cruz', 'suffix:Jr', 'surname:Cruz']);
    expect(d.customer.emails).toEqual([
      { value: 'ana@example.com', preferred: true },
      { value: 'ana.work@example.com', preferred: true },
      { value: '"Cruz, Ana" ana@example.com' },
    ]);
    expect(d.customer.phones).toEqual([{ value: '+1 555 0100', type: 'cellphone', time: 'morning', preferred: true }]);
    expect(d.customer.timeframe).toEqual({ description: 'Within 1 month', earliest: '2025-11-01', latest: '2025-12-01' });
    const v = d.vehicles[0];
    expect(v?.price).toEqual({ value: '2', type: 'msrp', currency: 'USD', source: 'KBB' });
    expect(v?.finance).toEqual({ method: 'lease', amounts: [{ value: '399', type: 'monthly', limit: 'maximum', currency: 'USD' }] });
    expect(v?.colors).toEqual([{ interior: 'Tan', exterior: 'Blue', preference: '2' }]);
    expect(d.extras).toMatchObject({
      'vehicle[0].price.delta': 'relative',
      'vehicle[0].price.relativeto': 'invoice',
      'vehicle[0].finance.balance': '12000',
      'vehicle[0].doors': '4',
      'vehicle[0].condition': 'good',
    });
    expect(d.vendor).toEqual({ ids: [{ value: 'D1', source: 'OEM' }], name: 'Dealer', contactName: 'Sal Rep', url: 'https://dealer.example' });
    expect(d.provider).toEqual({ ids: [], name: 'Lead Co', email: 'help@lead.example' });
    expect(codes(d)).toEqual(['email_list_split']);
  });

  it('stray HTML in an option name (Mazda Config <p class="p1">), closed or not', () => {
    const closed = one('<adf><prospect><vehicle><option><optionname><p class="p1">Premium Package</p></optionname></option></vehicle></prospect></adf>');
    expect(closed.vehicles[0]?.options).toEqual(['Premium Package']);
    const open = one('<adf><prospect><vehicle><option><optionname><p class="p1">Premium Package</optionname></option></vehicle></prospect></adf>');
    expect(open.vehicles[0]?.options).toEqual(['Premium Package']);
    expect(codes(open)).toContain('html_tags_removed');
  });

  it('Windows-1252 bytes (0x92, 0xAE) with no declaration', () => {
    const bytes = Buffer.concat([
      Buffer.from('<adf><prospect><vehicle><model>Sorento', 'latin1'),
      Buffer.from([0xae]),
      Buffer.from('</model></vehicle><customer><comments>I', 'latin1'),
      Buffer.from([0x92]),
      Buffer.from('m in</comments></customer></prospect></adf>', 'latin1'),
    ]);
    const decoded = decodeText(bytes, {});
    const d = one(decoded.text);
    expect(d.vehicles[0]?.model).toBe('Sorento®');
    expect(d.customer.comments).toBe('I’m in');
    expect(decoded.warnings.map((w) => w.code)).toEqual(['charset_fallback_windows1252']);
  });

  it('Windows-1252 bytes under an incorrect UTF-8 declaration', () => {
    const bytes = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="UTF-8"?><?adf version="1.0"?><adf><prospect><customer><comments>Caf', 'latin1'),
      Buffer.from([0xe9, 0x20, 0x96, 0x20, 0x80, 0x35]),
      Buffer.from('</comments></customer></prospect></adf>', 'latin1'),
    ]);
    expect(one(decodeText(bytes, {}).text).customer.comments).toBe('Café – €5');
  });

  it('ISO-8859-1 declared', () => {
    const bytes = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><adf><prospect><customer><contact><name part="full">Jos', 'latin1'),
      Buffer.from([0xe9, 0x20, 0x4e, 0xfa, 0xf1, 0x65, 0x7a]),
      Buffer.from('</name></contact></customer></prospect></adf>', 'latin1'),
    ]);
    expect(one(decodeText(bytes, {}).text).customer.names).toEqual([{ value: 'José Núñez', part: 'full' }]);
  });

  it('UTF-16 with BOM', () => {
    const xml = '<?xml version="1.0" encoding="UTF-16"?><?adf version="1.0"?><adf><prospect><customer><comments>Ünïcödé ’ ✓</comments></customer></prospect></adf>';
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
    expect(one(decodeText(bytes, {}).text).customer.comments).toBe('Ünïcödé ’ ✓');
  });
});

describe('refusals', () => {
  it('no_prospect for an <adf> without prospects', () => {
    expect(thrown(() => parseAdf('<?adf version="1.0"?><adf></adf>')).code).toBe('no_prospect');
    expect(thrown(() => parseAdf('<adf><customer/></adf>')).code).toBe('no_prospect');
  });

  it('not_a_lead for XML that is not ADF', () => {
    expect(thrown(() => parseAdf('<html><body>Hello</body></html>')).code).toBe('not_a_lead');
  });

  it('hostile documents get the right codes', () => {
    expect(thrown(() => quirk('xxe-external-entity.xml')).code).toBe('xml_doctype_forbidden');
    expect(thrown(() => quirk('billion-laughs.xml')).code).toBe('xml_doctype_forbidden');
    expect(thrown(() => parseAdf(`<adf>${'<prospect>'.repeat(10_000)}${'</prospect>'.repeat(10_000)}</adf>`)).code).toBe('xml_too_deep');
    expect(thrown(() => parseAdf(`<adf><prospect>${'<id>1</id>'.repeat(100_000)}</prospect></adf>`)).code).toBe('xml_too_large');
    expect(thrown(() => parseAdf('<adf><prospect><name>Jane Secret</nme></prospect></adf>')).message).not.toContain('Jane');
  });
});

describe('helpers', () => {
  it('looksLikeAdf', () => {
    expect(looksLikeAdf('<?xml version="1.0"?><?ADF version="1.0"?><adf>')).toBe(true);
    expect(looksLikeAdf('<ADF><PROSPECT>')).toBe(true);
    expect(looksLikeAdf('<adf:adf xmlns:adf="x">')).toBe(true);
    expect(looksLikeAdf('<prospect><requestdate>')).toBe(true);
    expect(looksLikeAdf('<prospectus>')).toBe(false);
    expect(looksLikeAdf('<ProcessSalesLead>')).toBe(false);
    expect(looksLikeAdf('Dear dealer, please call me.')).toBe(false);
  });

  it('splitEmails splits only address lists', () => {
    expect(splitEmails('a@x.com;b@y.com; c@z.com')).toEqual(['a@x.com', 'b@y.com', 'c@z.com']);
    expect(splitEmails('a@x.com, b@y.com')).toEqual(['a@x.com', 'b@y.com']);
    expect(splitEmails('Doe, Jane <jane@x.com>')).toEqual(['Doe, Jane <jane@x.com>']);
    expect(splitEmails('a@x.com;')).toEqual(['a@x.com']);
    expect(splitEmails('mailto:')).toEqual(['mailto:']);
  });

  it('splitEmails answers a value without a separator from its shortcut as the split does', () => {
    // The general rule, as it reads without the shortcut.
    const split = (value: string): string[] => {
      const pieces = value.split(/[;,]/).map((s) => s.trim()).filter((s) => s !== '');
      return pieces.length > 0 && pieces.every((s) => s.includes('@')) ? pieces : [value];
    };
    const pieces = ['a', '@', 'x.com', ' ', '\t', '\u00a0', '\n', ';', ',', '<', '>'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 10 }), (parts) => {
        const s = parts.join('');
        expect(splitEmails(s)).toEqual(split(s));
      }),
      { numRuns: 3000 },
    );
  });
});

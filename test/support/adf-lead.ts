// Builds small ADF leads with chosen customer values, for tests that need customers of their own (erasure, retention, replay).

export interface TestCustomer {
  first: string;
  last: string;
  email?: string;
  phone?: string;
  street?: string;
  comments?: string;
}

/** One ADF prospect for `vendor` about a vehicle; `leadId` becomes a provider lead id (so two leads differ by it). */
export function adfLead(c: TestCustomer, opts: { vendor?: string; leadId?: string; make?: string; model?: string; year?: number } = {}): Buffer {
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><?adf version="1.0"?>
<adf><prospect status="new">
  <id sequence="1" source="TestSource Lead ID">${esc(opts.leadId ?? 'LID-0001')}</id>
  <requestdate>2026-01-10T10:00:00-0500</requestdate>
  <vehicle interest="buy" status="new"><year>${opts.year ?? 2025}</year><make>${esc(opts.make ?? 'Mazda')}</make><model>${esc(opts.model ?? 'CX-5')}</model></vehicle>
  <customer><contact>
    <name part="first">${esc(c.first)}</name><name part="last">${esc(c.last)}</name>
    ${c.email ? `<email>${esc(c.email)}</email>` : ''}
    ${c.phone ? `<phone type="voice">${esc(c.phone)}</phone>` : ''}
    ${c.street ? `<address><street line="1">${esc(c.street)}</street><city>Irvine</city><regioncode>CA</regioncode><postalcode>92618</postalcode></address>` : ''}
  </contact>${c.comments ? `<comments>${esc(c.comments)}</comments>` : ''}</customer>
  <vendor><vendorname>${esc(opts.vendor ?? 'Tustin Mazda')}</vendorname></vendor>
  <provider><name part="full">TestSource</name></provider>
</prospect></adf>
`);
}

// The identity and de-duplication policy, one test per rule, run through the real pipeline and a real SQLite store.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { silentLogger } from '../log.js';
import { SqliteStore } from '../stores/sqlite.js';
import { tempDir } from '../../test/support/gateway.js';
import { Pipeline } from './index.js';

interface LeadSpec {
  email?: string;
  phone?: string;
  first?: string;
  last?: string;
  vehicle?: { year?: string; make?: string; model?: string; vin?: string; interest?: string } | null;
  providerId?: { source: string; id: string };
  provider?: string;
  dealer?: string;
  comments?: string;
}

/** A small, valid ADF document built from the parts a rule cares about. */
function adf(s: LeadSpec): string {
  const v = s.vehicle === null ? '' : (() => {
    const x = s.vehicle ?? { year: '2022', make: 'Mazda', model: 'CX-5' };
    return `<vehicle interest="${x.interest ?? 'buy'}" status="used">${x.year ? `<year>${x.year}</year>` : ''}${x.make ? `<make>${x.make}</make>` : ''}${x.model ? `<model>${x.model}</model>` : ''}${x.vin ? `<vin>${x.vin}</vin>` : ''}</vehicle>`;
  })();
  return `<?xml version="1.0"?><?adf version="1.0"?><adf><prospect>
${s.providerId ? `<id source="${s.providerId.source}">${s.providerId.id}</id>` : ''}
<requestdate>2025-10-18T10:19:48-04:00</requestdate>${v}
<customer><contact><name part="first">${s.first ?? 'Pat'}</name><name part="last">${s.last ?? 'Doe'}</name>
${s.email ? `<email>${s.email}</email>` : ''}${s.phone ? `<phone>${s.phone}</phone>` : ''}</contact>
${s.comments ? `<comments>${s.comments}</comments>` : ''}</customer>
<vendor><vendorname>${s.dealer ?? 'Tustin Mazda'}</vendorname><contact><name part="full">Sales</name></contact></vendor>
<provider><name part="full">${s.provider ?? 'CarGurus'}</name></provider></prospect></adf>`;
}

describe('identity and dedup policy', () => {
  let dir: string;
  let store: SqliteStore;
  let pipeline: Pipeline;
  const now = Date.parse('2025-10-20T12:00:00Z');
  let clock = 0;

  beforeEach(() => {
    dir = tempDir();
    store = new SqliteStore(join(dir, 'leadgate.db'));
    pipeline = new Pipeline(loadConfig({ env: {}, overrides: { dataDir: dir } }), store, silentLogger);
    clock = 0;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Ingest a lead `daysLater` days after the start of the test (each call one second apart). */
  async function post(spec: LeadSpec | string, opts: { daysLater?: number; idempotencyKey?: string } = {}) {
    const at = new Date(now + (opts.daysLater ?? 0) * 86_400_000 + clock++ * 1000).toISOString();
    const body = typeof spec === 'string' ? spec : adf(spec);
    const result = await pipeline.ingest({
      bytes: Buffer.from(body),
      contentType: 'application/xml',
      transport: 'test',
      receivedAt: at,
      ...(opts.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : {}),
    });
    return result.published[0];
  }

  it('identical bytes are always a duplicate, even outside the window', async () => {
    const body = adf({ email: 'a@example.com' });
    const first = await post(body);
    const again = await post(body, { daysLater: 400 });
    expect(again.duplicateOf).toBe(first.leadId);
    expect(again.duplicateReason).toBe('same_bytes');
  });

  it('a repeated provider lead id is a duplicate, whatever else changed', async () => {
    const first = await post({ email: 'a@example.com', providerId: { source: 'TrueCar Lead ID', id: '1142904505' } });
    const again = await post({ email: 'other@example.com', phone: '714-848-7739', providerId: { source: 'TrueCar Lead ID', id: '1142904505' }, vehicle: { year: '2020', make: 'Kia', model: 'Soul' } }, { daysLater: 90 });
    expect(again.duplicateOf).toBe(first.leadId);
    expect(again.duplicateReason).toBe('same_provider_lead_id');
    // It adds the email, the phone and the vehicle the first lead did not have.
    expect(again.adds?.emails).toEqual(['other@example.com']);
    expect(again.adds?.phones).toEqual(['+17148487739']);
    expect(again.adds?.vehicles?.[0]).toMatchObject({ make: 'Kia', model: 'Soul' });
  });

  it('metadata ids (LeadType, sessions) do not make leads duplicates', async () => {
    await post({ email: 'a@example.com', providerId: { source: 'LeadType', id: 'TestDrive' } });
    const other = await post({ email: 'b@example.com', providerId: { source: 'LeadType', id: 'TestDrive' } });
    expect(other.duplicateOf).toBeUndefined();
  });

  it('a repeated idempotency key is a duplicate', async () => {
    const first = await post({ email: 'a@example.com' }, { idempotencyKey: 'msg-1@mail.example' });
    const again = await post({ email: 'z@example.com', vehicle: { make: 'Kia', model: 'EV9' } }, { idempotencyKey: 'msg-1@mail.example' });
    expect(again.duplicateOf).toBe(first.leadId);
    expect(again.duplicateReason).toBe('same_idempotency_key');
  });

  it('same email + same VIN within 30 days is a duplicate across providers', async () => {
    const first = await post({ email: 'Pat@Example.com', provider: 'CarGurus', vehicle: { year: '2020', make: 'Dodge', model: 'Charger', vin: '2C3CDXCT6LH229383' } });
    const again = await post({ email: 'pat@example.com', provider: 'AutoTrader.com', vehicle: { year: '2020', make: 'Dodge', model: 'Charger R/T', vin: '2C3CDXCT6LH229383' } }, { daysLater: 29 });
    expect(again.customerId).toBe(first.customerId);
    expect(again.duplicateOf).toBe(first.leadId);
    expect(again.duplicateReason).toBe('same_customer_vehicle');
  });

  it('same phone + same year/make/model (any case) is a duplicate when a VIN is missing', async () => {
    const first = await post({ phone: '(714) 848-7739', vehicle: { year: '2022', make: 'MAZDA', model: 'CX-9', vin: 'JM3TCBDY3N0627242' } });
    const again = await post({ phone: '7148487739', vehicle: { year: '2022', make: 'Mazda', model: 'cx-9' } }, { daysLater: 3 });
    expect(again.customerId).toBe(first.customerId);
    expect(again.duplicateReason).toBe('same_customer_vehicle');
  });

  it('two different VINs are different vehicles even with the same year/make/model', async () => {
    await post({ email: 'a@example.com', vehicle: { year: '2020', make: 'Dodge', model: 'Charger', vin: '2C3CDXCT6LH229383' } });
    const other = await post({ email: 'a@example.com', vehicle: { year: '2020', make: 'Dodge', model: 'Charger', vin: '1HGCM82633A004352' } });
    expect(other.duplicateOf).toBeUndefined();
  });

  it('the same customer asking about another vehicle is a new lead for the same customer', async () => {
    const first = await post({ email: 'a@example.com', vehicle: { year: '2022', make: 'Mazda', model: 'CX-5' } });
    const next = await post({ email: 'a@example.com', vehicle: { year: '2025', make: 'Mazda', model: 'CX-70' } });
    expect(next.duplicateOf).toBeUndefined();
    expect(next.customerId).toBe(first.customerId);
  });

  it('when neither lead names a vehicle, the customer alone decides', async () => {
    const first = await post({ email: 'a@example.com', vehicle: null });
    const again = await post({ email: 'a@example.com', vehicle: null, comments: 'Please call me after 5pm' });
    expect(again.duplicateOf).toBe(first.leadId);
    expect(again.duplicateReason).toBe('same_customer');
    expect(again.adds?.comments).toBe('Please call me after 5pm');
  });

  it('when only one of the two names a vehicle, it is a new lead', async () => {
    await post({ email: 'a@example.com', vehicle: null });
    const next = await post({ email: 'a@example.com' });
    expect(next.duplicateOf).toBeUndefined();
  });

  it('after the window the same customer and vehicle is a new lead', async () => {
    const first = await post({ email: 'a@example.com' });
    const later = await post({ email: 'a@example.com', comments: 'back again' }, { daysLater: 31 });
    expect(later.duplicateOf).toBeUndefined();
    expect(later.customerId).toBe(first.customerId);
  });

  it('names never decide: same name, different email and phone is another customer', async () => {
    const first = await post({ email: 'a@example.com', first: 'Pat', last: 'Doe' });
    const other = await post({ email: 'b@example.com', first: 'Pat', last: 'Doe' });
    expect(other.customerId).not.toBe(first.customerId);
    expect(other.duplicateOf).toBeUndefined();
  });

  it('identity is scoped per dealer', async () => {
    const first = await post({ email: 'a@example.com', dealer: 'Tustin Mazda' });
    const other = await post({ email: 'a@example.com', dealer: 'Huntington Beach Mazda' });
    expect(other.customerId).not.toBe(first.customerId);
    expect(other.duplicateOf).toBeUndefined();
  });

  it('a customer known by email who now also gives a phone is recognized by that phone later', async () => {
    const first = await post({ email: 'a@example.com', vehicle: { year: '2022', make: 'Mazda', model: 'CX-5' } });
    await post({ email: 'a@example.com', phone: '714-848-7739', vehicle: { year: '2023', make: 'Mazda', model: 'CX-30' } });
    const byPhone = await post({ phone: '+1 714 848 7739', vehicle: { year: '2024', make: 'Mazda', model: 'MX-5' } });
    expect(byPhone.customerId).toBe(first.customerId);
  });

  it('a duplicate of a duplicate points at the first lead', async () => {
    const first = await post({ email: 'a@example.com' });
    const second = await post({ email: 'a@example.com', comments: 'one' });
    const third = await post({ email: 'a@example.com', comments: 'two' });
    expect(second.duplicateOf).toBe(first.leadId);
    expect(third.duplicateOf).toBe(first.leadId);
  });

  it('the decision commits with the events: every lead has exactly one outbox event of the right type', async () => {
    await post({ email: 'a@example.com' });
    await post({ email: 'a@example.com' });
    const events = (await store.pendingEvents(10)).map((e) => JSON.parse(e.value));
    expect(events.map((e) => e.type)).toEqual(['com.leadgate.lead.received', 'com.leadgate.lead.duplicate']);
    expect(events[1].data.duplicateOf).toBe(events[0].data.leadId);
  });
});

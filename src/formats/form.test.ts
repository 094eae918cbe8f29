// Tests for the website form reader: body shapes, default and configured field names, lead type and utm attribution, bot defenses and the config cross-checks.
import { describe, expect, it } from 'vitest';
import { findAdapter } from '../../adapters/index.js';
import { ConfigError, loadConfig, type DealerConfig, type FormConfig } from '../config.js';
import type { LeadDraft, Warning } from '../lead.js';
import { silentLogger } from '../log.js';
import { Pipeline } from '../pipeline/index.js';
import {
  canonicalName,
  checkBots,
  compileForm,
  DEFAULT_FORM,
  formConfigProblems,
  formDraft,
  indexForms,
  normalizeOrigin,
  parseFormInput,
  readFormFields,
  type FormFields,
} from './form.js';
import { rejection, thrown } from '../../test/support/errors.js';

const RECEIVED = '2026-03-01T15:00:00.000Z';
const RECEIVED_MS = Date.parse(RECEIVED);
const fields = (o: Record<string, string>): FormFields => new Map(Object.entries(o));
const draftOf = (o: Record<string, string>, form = DEFAULT_FORM): LeadDraft => formDraft(fields(o), form);
const form = (f: Partial<FormConfig> = {}) => compileForm({ key: 'contact', origins: ['https://www.example-kia.com'], ...f }, 'example-kia');

describe('reading a form body', () => {
  it('reads urlencoded fields, decoding + and %xx, joining repeated names', async () => {
    const f = await readFormFields(Buffer.from('first_name=Ren%C3%A9e&comments=Call+me+after+5&interest=SUV&interest=Truck'), 'application/x-www-form-urlencoded; charset=UTF-8');
    expect([...f]).toEqual([
      ['first_name', 'Renée'],
      ['comments', 'Call me after 5'],
      ['interest', 'SUV, Truck'],
    ]);
  });

  it('reads multipart/form-data text parts and skips file uploads with a warning', async () => {
    const fd = new FormData();
    fd.append('email', 'shopper@example.com');
    fd.append('license', new Blob([Buffer.alloc(2048, 1)], { type: 'image/png' }), 'license.png');
    fd.append('phone', '714-555-0100');
    const req = new Request('http://x/', { method: 'POST', body: fd });
    const warnings: Warning[] = [];
    const f = await readFormFields(Buffer.from(await req.arrayBuffer()), req.headers.get('content-type')!, warnings);
    expect([...f]).toEqual([
      ['email', 'shopper@example.com'],
      ['phone', '714-555-0100'],
    ]);
    expect(warnings.map((w) => w.code)).toEqual(['form_files_ignored']);
  });

  it('reads a JSON object, one level of nesting as parent.child; deeper nesting is skipped with a warning', async () => {
    const warnings: Warning[] = [];
    const body = { email: 'a@example.com', optIn: true, year: 2024, customer: { first_name: 'Ana', tags: ['a', 'b'] }, deep: { x: { y: 1 } } };
    const f = await readFormFields(Buffer.from(JSON.stringify(body)), 'application/json', warnings);
    expect(Object.fromEntries(f)).toEqual({ email: 'a@example.com', optIn: 'true', year: '2024', 'customer.first_name': 'Ana', 'customer.tags': 'a, b' });
    expect(warnings.map((w) => w.code)).toEqual(['form_nesting_ignored']);
  });

  it('reads enctype="text/plain" posts as name=value lines', async () => {
    const f = await readFormFields(Buffer.from('name=Ana Lima\r\nemail=ana@example.com\r\n'), 'text/plain');
    expect(Object.fromEntries(f)).toEqual({ name: 'Ana Lima', email: 'ana@example.com' });
  });

  it('refuses what is not a form with stable codes', async () => {
    expect((await rejection(readFormFields(Buffer.from('{"a":'), 'application/json'))).code).toBe('form_unreadable');
    expect((await rejection(readFormFields(Buffer.from('[1,2]'), 'application/json'))).code).toBe('form_unreadable');
    expect((await rejection(readFormFields(Buffer.from('--x\r\nnope'), 'multipart/form-data; boundary=zzz'))).code).toBe('form_unreadable');
    expect((await rejection(readFormFields(Buffer.from('<adf/>'), 'application/xml'))).code).toBe('unsupported_media_type');
    expect((await rejection(readFormFields(Buffer.alloc(0), 'application/json'))).code).toBe('empty_body');
  });
});

describe('default field names', () => {
  it('finds the customer under the names forms use, whatever the case or separators', () => {
    for (const [first, last] of [['first_name', 'last_name'], ['firstName', 'lastName'], ['fname', 'lname'], ['First Name', 'Last-Name'], ['contact[first_name]', 'contact[last_name]']]) {
      const d = draftOf({ [first!]: 'Ana', [last!]: 'Lima', email: 'ana@example.com' });
      expect(d.customer.names, first).toEqual([
        { value: 'Ana', part: 'first' },
        { value: 'Lima', part: 'last' },
      ]);
    }
    expect(draftOf({ full_name: 'Ana Lima' }).customer.names).toEqual([{ value: 'Ana Lima', part: 'full' }]);
  });

  it('reads emails, phones with their types, the address, comments, timeframe and contact preference', () => {
    const d = draftOf({
      email: 'ana@example.com',
      tel: '(714) 555-0100',
      mobile: '714 555 0101',
      work_phone: '714-555-0102',
      preferred_contact: 'Phone',
      best_time_to_call: 'Evening',
      street_address: '1 Main St',
      city: 'Tustin',
      state: 'CA',
      zip: '92780',
      message: 'Is it still available?',
      questions: 'Do you take trades?',
      purchase_timeframe: 'Within a week',
    });
    expect(d.customer.emails).toEqual([{ value: 'ana@example.com' }]);
    expect(d.customer.phones).toEqual([
      { value: '(714) 555-0100', preferred: true, time: 'Evening' },
      { value: '714 555 0101', type: 'mobile' },
      { value: '714-555-0102', type: 'work' },
    ]);
    expect(d.customer.address).toEqual({ lines: ['1 Main St'], city: 'Tustin', region: 'CA', postalCode: '92780' });
    expect(d.customer.comments).toBe('Is it still available?\nDo you take trades?');
    expect(d.customer.timeframe).toEqual({ description: 'Within a week' });
    expect(draftOf({ email: 'a@example.com', phone: '7145550100', contact_method: 'E-mail' }).customer.emails[0]).toEqual({ value: 'a@example.com', preferred: true });
  });

  it('reads the vehicle from a description, with explicit fields winning, and the condition as its status', () => {
    const d = draftOf({ email: 'a@example.com', vehicle: '2024 Kia Telluride SX', trim: 'SX Prestige', stock_number: 'K1234', vin: '5XYP5DGC1RG000001', condition: 'New' });
    expect(d.vehicles).toEqual([{ ids: [], year: '2024', make: 'Kia', model: 'Telluride', trim: 'SX Prestige', stock: 'K1234', vin: '5XYP5DGC1RG000001', status: 'New', interest: 'buy' }]);
    // A description that names no vehicle is kept for the salesperson, not lost.
    const vague = draftOf({ email: 'a@example.com', vehicle: 'something sporty' });
    expect(vague.vehicles).toEqual([]);
    expect(vague.customer.comments).toBe('Vehicle: something sporty');
    expect(draftOf({ email: 'a@example.com', make: 'Kia', model: 'EV9', purchase_type: 'Lease' }).vehicles[0]!.interest).toBe('lease');
  });

  it('reads trade_* fields (flat or nested) into a trade-in vehicle, never into the vehicle of interest', () => {
    const flat = draftOf({ email: 'a@example.com', year: '2025', make: 'Kia', model: 'Sorento', trade_year: '2018', trade_make: 'Honda', trade_model: 'Civic', trade_mileage: '45,000 miles' });
    expect(flat.vehicles).toEqual([
      { ids: [], year: '2025', make: 'Kia', model: 'Sorento', interest: 'buy' },
      { ids: [], interest: 'trade-in', year: '2018', make: 'Honda', model: 'Civic', odometer: { value: '45,000' } },
    ]);
    const nested = draftOf({ email: 'a@example.com', 'trade[year]': '2018', 'trade[make]': 'Honda', 'tradeIn.model': 'Civic' });
    expect(nested.vehicles).toEqual([{ ids: [], interest: 'trade-in', year: '2018', make: 'Honda', model: 'Civic' }]);
    const described = draftOf({ email: 'a@example.com', trade_in: '2016 Toyota Camry LE' });
    expect(described.vehicles).toEqual([{ ids: [], year: '2016', make: 'Toyota', model: 'Camry', trim: 'LE', interest: 'trade-in' }]);
    expect(draftOf({ email: 'a@example.com', trade_in: 'no' }).vehicles).toEqual([]);
  });

  it('keeps unknown fields as extras but drops plumbing, the honeypot and the timestamp', () => {
    const d = draftOf({ email: 'a@example.com', Newsletter: 'yes', 'g-recaptcha-response': 'tok', submit: 'Send', website: '', _lg_ts: '1', csrf_token: 'x', page_url: 'https://www.example-kia.com/x' });
    expect(d.extras).toEqual({ newsletter: 'yes', page_url: 'https://www.example-kia.com/x' });
  });

  it('never copies credit-application details into the lead, and says so', () => {
    const d = draftOf({ email: 'a@example.com', first_name: 'Ana', ssn: '123-45-6789', date_of_birth: '1990-01-02', monthly_income: '5000', employer: 'Acme' });
    const json = JSON.stringify(d);
    for (const secret of ['123-45-6789', '1990-01-02', '5000', 'Acme']) expect(json).not.toContain(secret);
    expect(d.attribution?.leadType).toEqual({ value: 'credit-app', evidence: { signal: 'form.field', value: 'ssn', rule: 'form:credit-fields' } });
    expect(d.warnings.map((w) => w.code)).toContain('form_credit_details_not_copied');
  });
});

describe('configured field names', () => {
  it('replaces the default names of each field it lists; "zip"-style keys name our field too', () => {
    const f = form({ fields: { firstName: 'fn', email: ['email_1', 'email_2'], zip: 'Post Code', fullName: 'contact_person' } });
    const d = formDraft(fields({ fn: 'Ana', first_name: 'Not-a-name', email_1: 'a@example.com', email_2: 'b@example.com', email: 'c@example.com', 'Post Code': '92780', name: 'Nope' }), f);
    expect(d.customer.names).toEqual([{ value: 'Ana', part: 'first' }]);
    expect(d.customer.emails.map((e) => e.value)).toEqual(['a@example.com', 'b@example.com']);
    expect(d.customer.address?.postalCode).toBe('92780');
    // The replaced defaults are just unknown fields now.
    expect(d.extras).toEqual({ first_name: 'Not-a-name', email: 'c@example.com', name: 'Nope' });
  });
});

describe('source attribution and lead type', () => {
  it('is first party from the form, with the default or configured provider', () => {
    const d = formDraft(fields({ email: 'a@example.com' }), form());
    expect(d.format).toBe('form');
    expect(d.attribution?.party).toEqual({ value: 'first', evidence: { signal: 'form', value: 'contact', rule: 'form' } });
    expect(d.attribution?.provider).toEqual({ value: 'Dealer Website', evidence: { signal: 'form', value: 'contact', rule: 'form' } });
    expect(d.provider).toEqual({ ids: [], name: 'Dealer Website' });
    const micro = formDraft(fields({ email: 'a@example.com' }), form({ provider: 'Example Kia EV Microsite' }));
    expect(micro.attribution?.provider).toEqual({ value: 'Example Kia EV Microsite', evidence: { signal: 'form', value: 'contact', rule: 'form-config' } });
  });

  it('turns utm_* and click ids into the sub-source, naming click ids in the evidence without their values', () => {
    const d = draftOf({ email: 'a@example.com', utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'spring-sale', utm_term: 'kia ev9', gclid: 'Cj0KCQ-secret' });
    expect(d.attribution?.subSource).toEqual({
      value: 'utm: google / cpc / spring-sale',
      evidence: { signal: 'form', value: 'utm_source=google&utm_medium=cpc&utm_campaign=spring-sale&utm_term=kia ev9&gclid', rule: 'form' },
    });
    expect(d.extras).toMatchObject({ utm_source: 'google', gclid: 'Cj0KCQ-secret' });
    expect(draftOf({ email: 'a@example.com', gclid: 'x' }).attribution?.subSource?.value).toBe('utm: google / cpc');
    expect(draftOf({ email: 'a@example.com', fbclid: 'x' }).attribution?.subSource?.value).toBe('utm: facebook');
    expect(draftOf({ email: 'a@example.com' }).attribution?.subSource).toBeUndefined();
  });

  it('decides the lead type: config, then a hidden lead-type field, then trade, test drive, credit, condition, else general', () => {
    const type = (o: Record<string, string>, f = DEFAULT_FORM) => formDraft(fields({ email: 'a@example.com', ...o }), f).attribution?.leadType;
    expect(type({ trade_year: '2018' }, form({ leadType: 'sell' }))).toEqual({ value: 'sell', evidence: { signal: 'form', value: 'contact', rule: 'form-config' } });
    expect(type({ form_type: 'Schedule Test Drive', trade_year: '2018' })).toEqual({ value: 'test-drive', evidence: { signal: 'form.field', value: 'form_type=Schedule Test Drive', rule: 'form:lead-type-field' } });
    expect(type({ trade_year: '2018', condition: 'new' })?.value).toBe('trade-appraisal');
    expect(type({ test_drive_date: '2026-03-04 10:00', condition: 'used' })).toEqual({ value: 'test-drive', evidence: { signal: 'form.field', value: 'test_drive_date', rule: 'form:test-drive-field' } });
    expect(type({ income: '5000', condition: 'new' })?.value).toBe('credit-app');
    expect(type({ condition: 'New' })).toEqual({ value: 'sales-new', evidence: { signal: 'vehicle.status', value: 'new', rule: 'form:vehicle-condition' } });
    expect(type({ vehicle: 'Certified 2021 Kia Soul' })?.value).toBe('sales-used');
    expect(type({ condition: 'Pre-Owned' })?.value).toBe('sales-used');
    expect(type({})).toEqual({ value: 'general', evidence: { signal: 'form', rule: 'form:default' } });
  });

  it('a test drive request marks the vehicle and tells the salesperson when', () => {
    const d = draftOf({ email: 'a@example.com', vehicle: '2025 Kia EV9', test_drive_date: 'Sat 10am' });
    expect(d.vehicles[0]!.interest).toBe('test-drive');
    expect(d.customer.comments).toBe('Test drive requested: Sat 10am');
  });
});

describe('bot defenses', () => {
  const check = (o: Record<string, string>, f = form()) => {
    const warnings: Warning[] = [];
    checkBots(fields(o), f, RECEIVED, warnings);
    return warnings.map((w) => w.code);
  };
  const ts = (msBefore: number) => String(RECEIVED_MS - msBefore);

  it('a filled honeypot (default "website", or the configured name) is a bot; blank is a person', () => {
    expect(thrown(() => check({ website: 'http://spam.example', _lg_ts: ts(10_000) })).code).toBe('form_honeypot');
    expect(check({ website: '  ', _lg_ts: ts(10_000) })).toEqual([]);
    const custom = form({ honeypot: 'fax_number' });
    expect(thrown(() => check({ fax_number: '1', _lg_ts: ts(10_000) }, custom)).code).toBe('form_honeypot');
    expect(check({ website: 'https://my-site.example', _lg_ts: ts(10_000) }, custom)).toEqual([]);
  });

  it('a post sooner than minFillSeconds after the page rendered is a bot', () => {
    expect(thrown(() => check({ _lg_ts: ts(500) })).code).toBe('form_too_fast');
    expect(check({ _lg_ts: ts(2000) })).toEqual([]);
    // 10-digit values are seconds (a server-rendered PHP time()).
    expect(thrown(() => check({ _lg_ts: String(Math.floor(RECEIVED_MS / 1000)) })).code).toBe('form_too_fast');
    expect(check({ _lg_ts: String(Math.floor(RECEIVED_MS / 1000) - 60) })).toEqual([]);
    expect(check({ _lg_ts: ts(500) }, form({ minFillSeconds: 0 }))).toEqual([]);
  });

  it('a missing timestamp or one from a browser clock that runs ahead is not judged, and says so', () => {
    expect(check({})).toEqual(['form_fill_time_unknown']);
    expect(check({ _lg_ts: 'soon' })).toEqual(['form_fill_time_unknown']);
    expect(check({ _lg_ts: ts(-30_000) })).toEqual(['form_clock_skew']);
    expect(check({}, form({ minFillSeconds: 0 }))).toEqual([]);
  });

  it('parseFormInput runs the checks before mapping, and dates the request when it was received', async () => {
    const ok = await parseFormInput(Buffer.from(`email=a%40example.com&_lg_ts=${ts(5000)}`), 'application/x-www-form-urlencoded', form(), RECEIVED);
    expect(ok).toHaveLength(1);
    expect(ok[0]!.requestDate).toBe(RECEIVED);
    expect(ok[0]!.warnings).toEqual([]);
    const bot = await rejection(parseFormInput(Buffer.from(`email=a%40example.com&website=x&_lg_ts=${ts(5000)}`), 'application/x-www-form-urlencoded', form(), RECEIVED));
    expect(bot.code).toBe('form_honeypot');
  });
});

describe('the default form (no config: leadgate parse, POST /v1/leads/form)', () => {
  it('has no bot checks, since no browser page is involved: a "website" field is just data', async () => {
    const [d] = await parseFormInput(Buffer.from('{"email":"a@example.com","website":"https://fleet.example"}'), 'application/json', DEFAULT_FORM, RECEIVED);
    expect(d!.warnings).toEqual([]);
    expect(d!.extras).toEqual({ website: 'https://fleet.example' });
    expect(d!.attribution?.party?.evidence).toEqual({ signal: 'form', rule: 'form' });
  });
});

describe('compiled forms and config checks', () => {
  const dealers = (forms: Record<string, FormConfig[]>): DealerConfig[] => Object.entries(forms).map(([id, f]) => ({ id, name: id, forms: f }));

  it('normalizes origins the way browsers send them', () => {
    expect(normalizeOrigin('HTTPS://WWW.Example-Kia.com:443')).toBe('https://www.example-kia.com');
    expect(normalizeOrigin('http://127.0.0.1:8081')).toBe('http://127.0.0.1:8081');
    expect(normalizeOrigin('https://user@example.com')).toBeUndefined();
    expect(normalizeOrigin('https://example.com/contact')).toBeUndefined();
    expect(normalizeOrigin('null')).toBeUndefined();
    expect(form({ origins: ['https://Example.com:443'] }).origins).toEqual(new Set(['https://example.com']));
  });

  it('indexes forms by key with their dealer', () => {
    const index = indexForms(dealers({ a: [{ key: 'a-contact', origins: [] }], b: [{ key: 'b-trade', origins: [], leadType: 'trade-appraisal' }] }));
    expect([...index.keys()]).toEqual(['a-contact', 'b-trade']);
    expect(index.get('b-trade')).toMatchObject({ dealerId: 'b', leadType: 'trade-appraisal', honeypot: 'website', minFillMs: 2000 });
  });

  it('reports duplicate keys across dealers, bad origins, unknown fields and lead types', () => {
    const problems = formConfigProblems(
      dealers({
        a: [{ key: 'contact', origins: ['https://ok.example', 'https://user:pw@bad.example'] }],
        b: [{ key: 'contact', origins: [], fields: { favouriteColour: 'c', first_name: 'fn' }, leadType: 'urgent' }],
      }),
    );
    expect(problems).toEqual([
      '/dealers/0/forms/0/origins/1: "https://user:pw@bad.example" is not a browser origin (scheme://host[:port], no path, user or query)',
      '/dealers/1/forms/0/key: form key "contact" is already used by dealer "a" (keys are unique across dealers)',
      expect.stringMatching(/^\/dealers\/1\/forms\/0\/fields: "favouriteColour" is not a form field leadgate reads/),
      expect.stringMatching(/^\/dealers\/1\/forms\/0\/leadType: "urgent" is not one of sales-new/),
    ]);
  });

  it('loadConfig runs the checks; zero config still loads', () => {
    expect(loadConfig({ env: {} }).dealers).toEqual([]);
    const bad = { dealers: [{ id: 'a', name: 'A', forms: [{ key: 'x', origins: [] }] }, { id: 'b', name: 'B', forms: [{ key: 'x', origins: [] }] }] };
    try {
      loadConfig({ env: {}, overrides: bad });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toEqual(['/dealers/1/forms/0/key: form key "x" is already used by dealer "a" (keys are unique across dealers)']);
    }
  });

  it('canonical names ignore case and separators', () => {
    expect(['first_name', 'firstName', 'First Name', 'first-name'].map(canonicalName)).toEqual(Array(4).fill('firstname'));
  });
});

describe('through the adapter registry and the pipeline', () => {
  it('the "form" adapter reads JSON or urlencoded text with the default names and is never auto-detected', () => {
    const adapter = findAdapter('form')!;
    expect(adapter.format).toBe('form');
    expect(adapter.detect('{"email":"a@example.com"}')).toBe(false);
    expect(adapter.parse('{"email":"a@example.com","fname":"Ana"}')[0]!.customer.names).toEqual([{ value: 'Ana', part: 'first' }]);
    expect(adapter.parse('email=a%40example.com&phone=7145550100')[0]!.customer.phones).toEqual([{ value: '7145550100' }]);
  });

  it('a form post becomes a first-party lead of the form\'s dealer; no contact → no_customer_contact', async () => {
    const config = loadConfig({
      env: {},
      overrides: { dealers: [{ id: 'example-kia', name: 'Example Kia', forms: [{ key: 'contact', origins: ['https://www.example-kia.com'], minFillSeconds: 0 }] }] },
    });
    const pipeline = new Pipeline(config, undefined, silentLogger);
    const raw = (body: string, key = 'contact') => ({
      bytes: Buffer.from(body),
      contentType: 'application/x-www-form-urlencoded',
      transport: 'http',
      receivedAt: RECEIVED,
      adapter: 'form',
      dealerId: 'example-kia',
      signals: { form: key },
    });
    const [lead] = await pipeline.prepare(raw('first_name=Ana&last_name=Lima&email=ANA%40Example.com&phone=714-555-0100&condition=used&utm_source=facebook'));
    expect(lead).toMatchObject({
      party: 'first',
      dealer: { id: 'example-kia', name: 'Example Kia' },
      source: { channel: 'http-form', adapter: 'form', provider: 'Dealer Website', subSource: 'utm: facebook' },
      customer: { name: { first: 'Ana', last: 'Lima' }, emails: ['ana@example.com'], phones: [{ e164: '+17145550100' }] },
      requestedAt: RECEIVED,
    });
    expect((await rejection(pipeline.prepare(raw('comments=hello')))).code).toBe('no_customer_contact');
    expect((await rejection(pipeline.prepare(raw('email=a%40example.com', 'nope')))).code).toBe('unknown_form');
  });
});

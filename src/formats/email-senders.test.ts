// Tests for the email sender directory (built from the provider adapters and the catalog): every sender of delivery.md §2.3, subjects as the fallback, relays and look-alikes.

import { describe, expect, it } from 'vitest';
import type { LeadDraft } from '../lead.js';
import { applySenderProvider, cleanSubject, isProviderAddress, isRelaySender, providerFromSender, senderAddress, senderDomain, subjectHints } from './email-senders.js';

const draft = (provider?: LeadDraft['provider']): LeadDraft => ({
  format: 'text',
  index: 0,
  ids: [],
  customer: { names: [], emails: [], phones: [], ids: [] },
  vehicles: [],
  extras: {},
  warnings: [],
  ...(provider ? { provider } : {}),
});

describe('providerFromSender', () => {
  // Programs and partners (Wallet, PNC, the Apollo form) are no longer the sender directory's: the adapters read them from the signals.
  it.each([
    ['dealerleads@autotrader.com', 'Wallet Lead: Autotrader Vehicle: Certified 2022 MAZDA CX-9 - Owner 100008806', { name: 'Autotrader' }],
    ['dealer-leads@messages.cargurus.com', 'Lead Submission from CarGurus', { name: 'CarGurus' }],
    ['salesleads@cars.com', 'Cars.com Used Car Lead for Mission Viejo Kia - 2021 Kia Telluride EX', { name: 'Cars.com' }],
    ['noreply@dealerrater.com', 'DealerRater: New connection for Mission Viejo Kia', { name: 'Cars.com' }],
    ['pnc@leads.truecarmail.com', 'TrueCar / PNC: New Customer Inquiry', { name: 'TrueCar' }],
    ['truecar@secureleads.truecarmail.com', 'TrueCar / TrueCar: New Customer Inquiry', { name: 'TrueCar' }],
    ['samsclub@leads.truecarmail.com', undefined, { name: 'TrueCar' }],
    ['offerup@notify.offerup.com', 'OfferUp Lead', { name: 'OfferUp' }],
    ['leads@costcoauto.com', 'Costco Auto Program Referral - Lastname auth#: X', { name: 'Costco Auto Program' }],
    ['leads@velocityoffersites.com', 'Apollo Website Lead-Pre-Qual VDP', { name: 'Team Velocity' }],
    ['noreply@tvmnotify.com', 'Facebook Lead', { name: 'Facebook' }],
    ['NoReplyLead@carfax.com', undefined, { name: 'CARFAX' }],
    ['adf-no-reply@carnow.com', undefined, { name: 'CarNow' }],
  ])('%s → %j', (from, subject, expected) => {
    expect(providerFromSender(from, subject)).toEqual(expected);
  });

  it('reads the address out of a display-name From, any case', () => {
    expect(providerFromSender('"CarGurus" <Dealer-Leads@Messages.CarGurus.com>', undefined)).toEqual({ name: 'CarGurus' });
    expect(senderAddress('TrueCar <pnc@leads.truecarmail.com>')).toBe('pnc@leads.truecarmail.com');
    expect(senderAddress('no address here')).toBeUndefined();
  });

  it('says nothing for the eLead relay, whatever the subject: the XML names the provider', () => {
    expect(providerFromSender('starlead@eleadcrm.com', 'Kia ADF XML Lead')).toBeUndefined();
    expect(providerFromSender('starlead@eleadcrm.com', 'Lead Submission from CarGurus')).toBeUndefined();
  });

  it('falls back to the subject when a dealer forwards the mail', () => {
    expect(providerFromSender('staff@dealergroup.example', 'FW: Lead Submission from CarGurus')).toEqual({ name: 'CarGurus' });
    expect(providerFromSender('staff@dealergroup.example', 'Fwd: TrueCar / U.S. News: New Customer Inquiry')).toEqual({ name: 'TrueCar' });
    expect(providerFromSender(undefined, 'Apollo Website Lead-Trade - Value Your Trade')).toEqual({ name: 'Team Velocity' });
  });

  it('does not match look-alike domains or unknown senders', () => {
    expect(providerFromSender('alerts@cargurus-dealerleads.example', 'Action required')).toBeUndefined();
    expect(providerFromSender('leads@cars.com.evil.example', undefined)).toBeUndefined();
    expect(providerFromSender('leads@mycars.com', undefined)).toBeUndefined();
    expect(providerFromSender(undefined, undefined)).toBeUndefined();
  });

  it('knows provider addresses (so they are never taken for the customer)', () => {
    expect(isProviderAddress('salesleads@cars.com')).toBe(true);
    expect(isProviderAddress('StarLead@eleadcrm.com')).toBe(true);
    expect(isProviderAddress('customer@example.com')).toBe(false);
  });

  it('tells relays, domains and subjects apart for attribution', () => {
    expect(isRelaySender('"eLead" <starlead@eleadcrm.com>')).toBe(true);
    expect(isRelaySender('dealerleads@autotrader.com')).toBe(false);
    expect(senderDomain('TrueCar <PNC@Leads.TrueCarMail.com>')).toBe('leads.truecarmail.com');
    expect(senderDomain('nobody')).toBeUndefined();
    expect(cleanSubject('RE: Fwd: FW:  Lead Submission from CarGurus ')).toBe('Lead Submission from CarGurus');
  });
});

describe('subjectHints', () => {
  it('reads dealer, vehicle and condition from Cars.com and DealerRater subjects', () => {
    expect(subjectHints('Cars.com Used Car Lead for Mission Viejo Kia - 2021 Kia Telluride EX')).toEqual({ dealer: 'Mission Viejo Kia', vehicle: '2021 Kia Telluride EX', status: 'used' });
    expect(subjectHints('DealerRater: New connection for Mission Viejo Kia')).toEqual({ dealer: 'Mission Viejo Kia' });
    expect(subjectHints('Lead Submission from CarGurus')).toEqual({});
  });
});

describe('applySenderProvider', () => {
  it('fills a missing provider and says so', () => {
    const d = draft();
    expect(applySenderProvider(d, 'pnc@leads.truecarmail.com', 'TrueCar / PNC: New Customer Inquiry')).toBe(true);
    expect(d.provider).toEqual({ ids: [], name: 'TrueCar' });
    expect(d.warnings.map((w) => w.code)).toEqual(['provider_from_sender']);
  });

  it('never overrides a provider the lead names, and keeps a service it has', () => {
    const named = draft({ ids: [], name: 'TrueCar/PNC' });
    expect(applySenderProvider(named, 'dealer-leads@messages.cargurus.com', undefined)).toBe(false);
    expect(named.provider?.name).toBe('TrueCar/PNC');
    const serviceOnly = draft({ ids: [], service: 'Website chat' });
    applySenderProvider(serviceOnly, 'adf-no-reply@carnow.com', undefined);
    expect(serviceOnly.provider).toEqual({ ids: [], name: 'CarNow', service: 'Website chat' });
  });

  it('leaves the draft alone for unknown senders', () => {
    const d = draft();
    expect(applySenderProvider(d, 'someone@example.com', 'hello')).toBe(false);
    expect(d.provider).toBeUndefined();
    expect(d.warnings).toEqual([]);
  });
});

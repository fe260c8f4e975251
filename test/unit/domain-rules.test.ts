import { describe, expect, it } from 'vitest';
import { shortfallToleranceFor, toleranceFor, withinTolerance } from '../../shared/domain/matching.ts';
import { planEligible, planIneligibility, reminderOffersPlan } from '../../shared/domain/plans.ts';
import { preferencesChange, type PreferencesForm } from '../../shared/domain/preferences.ts';

describe('plan eligibility: one rule for the page, plan creation and the reminders', () => {
  const open = { balanceDue: 10_000 };
  it('an invoice with something owed, no dispute, not escalated and in no plan can join a plan', () => {
    expect(planIneligibility(open)).toBeUndefined();
    expect(planEligible(open)).toBe(true);
  });
  it('names the first reason it cannot: paid, disputed, escalated, in a plan (in that order)', () => {
    expect(planIneligibility({ balanceDue: 0 })).toBe('paid');
    expect(planIneligibility({ balanceDue: -5 })).toBe('paid');
    expect(planIneligibility({ ...open, dispute: { id: 'd' } })).toBe('disputed');
    expect(planIneligibility({ ...open, escalatedAt: '2027-04-01T00:00:00Z' })).toBe('escalated');
    expect(planIneligibility({ ...open, planId: 'plan_1' })).toBe('in_plan');
    expect(planIneligibility({ balanceDue: 0, dispute: {}, escalatedAt: 'x', planId: 'p' })).toBe('paid');
    expect(planIneligibility({ ...open, escalatedAt: 'x', planId: 'p' })).toBe('escalated');
    expect([{ ...open, planId: 'p' }, open, { ...open, dispute: {} }].filter(planEligible)).toEqual([open]);
  });
  it('a reminder offers a plan unless it is the legal handover, and only when one of its invoices could join', () => {
    expect(reminderOffersPlan('reminder', [open])).toBe(true);
    expect(reminderOffersPlan('final_notice', [{ ...open, planId: 'p' }, open])).toBe(true);
    expect(reminderOffersPlan('legal_handover', [open])).toBe(false);
    expect(reminderOffersPlan('reminder', [{ ...open, escalatedAt: 'x' }])).toBe(false);
    expect(reminderOffersPlan('heads_up', [])).toBe(false);
  });
});

describe('the shortfall rule for bank payments', () => {
  const tolerances = { EUR: 1000, USD: 500 };
  it('bank payments and bank transfers get the per-currency tolerance; card and wallet payments none', () => {
    expect(shortfallToleranceFor({ source: 'bank', method: 'sepa_credit' }, tolerances)).toEqual(tolerances);
    expect(shortfallToleranceFor({ source: 'stripe', method: 'bank_transfer' }, tolerances)).toEqual(tolerances);
    expect(shortfallToleranceFor({ source: 'manual', method: 'bank_transfer' }, tolerances)).toEqual(tolerances);
    expect(shortfallToleranceFor({ source: 'stripe', method: 'card' }, tolerances)).toEqual({});
    expect(shortfallToleranceFor({ source: 'manual', method: 'cash' }, tolerances)).toEqual({});
  });
  it('the tolerance in the payment currency, 0 for a currency without one', () => {
    expect(toleranceFor({ source: 'bank', method: 'x', currency: 'EUR' }, tolerances)).toBe(1000);
    expect(toleranceFor({ source: 'bank', method: 'x', currency: 'JPY' }, tolerances)).toBe(0);
    expect(toleranceFor({ source: 'stripe', method: 'card', currency: 'EUR' }, tolerances)).toBe(0);
  });
  it('a shortfall is written off only when 1..tolerance and at most 5% of the balance', () => {
    expect(withinTolerance(1000, 20_000, 1000)).toBe(true);
    expect(withinTolerance(1001, 20_000, 1000)).toBe(false);
    expect(withinTolerance(1000, 19_999, 1000)).toBe(false);
    expect(withinTolerance(0, 20_000, 1000)).toBe(false);
  });
  it('returns a copy: the caller cannot change the configured tolerances through it', () => {
    const t = { EUR: 1000 };
    shortfallToleranceFor({ source: 'bank', method: 'x' }, t).EUR = 5;
    expect(t.EUR).toBe(1000);
  });
});

describe('the preferences form', () => {
  const empty: PreferencesForm = { locale: null, tone: null, cadence: null, preferredPaymentMethod: null, quietStart: null, quietEnd: null, letters: null };
  const customer = { dunning: { tone: 'firm' as const, excluded: false } };
  const refused = (form: Partial<PreferencesForm>, c: Parameters<typeof preferencesChange>[1] = customer) => {
    const d = preferencesChange({ ...empty, ...form }, c);
    return d.ok ? undefined : `${d.field}: ${d.message}`;
  };

  it('an empty form changes nothing but keeps the dunning settings', () => {
    expect(preferencesChange(empty, customer)).toEqual({ ok: true, change: { dunning: { tone: 'firm', excluded: false } } });
  });
  it('sets language, tone, frequency, payment method and quiet hours', () => {
    const d = preferencesChange({ ...empty, locale: 'de-DE', tone: 'formal', cadence: 'minimal', preferredPaymentMethod: 'card', quietStart: '20', quietEnd: '8' }, customer);
    expect(d).toEqual({
      ok: true,
      change: { locale: 'de-DE', preferredPaymentMethod: 'card', dunning: { tone: 'formal', cadence: 'minimal', excluded: false, quietHours: { startHour: 20, endHour: 8 } } },
    });
  });
  it('an empty tone removes the override; an empty payment method removes it (null)', () => {
    const d = preferencesChange({ ...empty, tone: '', preferredPaymentMethod: '' }, customer);
    expect(d).toEqual({ ok: true, change: { preferredPaymentMethod: null, dunning: { excluded: false } } });
  });
  it('letters: only with an address on file (checkbox present = yes, absent = no)', () => {
    const withAddress = { ...customer, postalAddress: ['Acme', 'Street 1'] };
    expect(preferencesChange({ ...empty, letters: 'yes' }, withAddress)).toMatchObject({ ok: true, change: { dunning: { letters: true } } });
    expect(preferencesChange(empty, withAddress)).toMatchObject({ ok: true, change: { dunning: { letters: false } } });
    const noAddress = preferencesChange({ ...empty, letters: 'yes' }, customer);
    expect(noAddress.ok && 'letters' in noAddress.change.dunning).toBe(false);
  });
  it('refuses, naming the field, the first rule broken', () => {
    expect(refused({ locale: 'fr-FR' })).toBe('locale: choose one of de-DE, en-GB, en-US');
    expect(refused({ tone: 'firm' })).toBe('tone: choose friendly, neutral or formal');
    expect(refused({ cadence: 'daily' })).toBe('cadence: choose standard or minimal');
    expect(refused({ preferredPaymentMethod: 'cash' })).toBe('preferredPaymentMethod: card or bank_transfer');
    expect(refused({ quietStart: '24', quietEnd: '8' })).toBe('quietStart: an hour from 0 to 23');
    expect(refused({ quietStart: '1.5', quietEnd: '8' })).toBe('quietStart: an hour from 0 to 23');
    expect(refused({ quietStart: '20', quietEnd: '25' })).toBe('quietEnd: an hour from 0 to 24');
    expect(refused({ quietStart: '20' })).toBe('quietStart: give both hours or neither');
    expect(refused({ quietEnd: '8' })).toBe('quietStart: give both hours or neither');
    expect(refused({ quietStart: '8', quietEnd: '18' })).toBe('quietStart: quiet hours must leave at least one hour between 09 and 17');
    expect(refused({ locale: 'xx', tone: 'bad' })).toBe('locale: choose one of de-DE, en-GB, en-US');
    expect(refused({ quietStart: '17', quietEnd: '9' })).toBeUndefined();
  });
});

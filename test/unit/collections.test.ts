import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  actionShard,
  escalationDecision,
  interestRun,
  planDunning,
  type CollectionsCustomer,
} from '../../shared/domain/collections.ts';
import { renderNotice } from '../../shared/domain/notice-mail.ts';
import { DEFAULT_TERMS, type PaymentTerms } from '../../shared/domain/terms.ts';
import { collectionsInvoice } from '../support/domain-fixtures.ts';

const berlin: CollectionsCustomer = { id: 'cus_1', timeZone: 'Europe/Berlin' };
const interestTerms: PaymentTerms = { ...DEFAULT_TERMS, lateInterest: { mode: 'simple', annualRateBasisPoints: 3650, startDaysPastDue: 0 } };

const inv = collectionsInvoice;

/** Tuesday 13 April 2027, 10:00 in Berlin. */
const tuesday10 = new Date('2027-04-13T08:00:00Z');

describe('planDunning', () => {
  it('groups every due invoice into one mail at the most advanced step', () => {
    const plan = planDunning(berlin, [inv({ id: 'a', dueDate: '2027-04-09' }), inv({ id: 'b', dueDate: '2027-03-20' })], tuesday10);
    expect(plan.mail?.step.id).toBe('firm'); // b: due + 24 → firm (+14); a: due + 4 → gentle
    expect(plan.mail?.items.map((i) => [i.invoice.id, i.step.id])).toEqual([
      ['a', 'gentle'],
      ['b', 'firm'],
    ]);
    expect(plan.updates.map((u) => u.sentStep)).toEqual(['gentle', 'firm']);
  });

  it('re-anchors to the oldest unpaid amount: once the oldest invoice is paid, the tone follows the next one', () => {
    const younger = inv({ id: 'young', dueDate: '2027-04-09' });
    const both = planDunning(berlin, [younger, inv({ id: 'old', dueDate: '2027-03-20' })], tuesday10);
    expect(both.mail?.step.id).toBe('firm');
    const afterPayment = planDunning(berlin, [younger], tuesday10);
    expect(afterPayment.mail?.step.id).toBe('gentle');
    expect(afterPayment.mail?.step.tone).toBe('neutral');
  });

  it('sends nothing for disputed, held, escalated, excluded or paid invoices, and parks a held one until the hold expires', () => {
    const due = { dueDate: '2027-04-09' };
    expect(planDunning(berlin, [inv({ ...due, dispute: { id: 'd', status: 'open', source: 'customer', reason: 'x', openedAt: '2027-04-01T00:00:00Z' } })], tuesday10).mail).toBeUndefined();
    // Escalated: only the handover notice, once, in business hours.
    const escalated = inv({ ...due, escalatedAt: '2027-04-01T00:00:00Z', lastStepSent: 'final-notice' });
    expect(planDunning(berlin, [escalated], tuesday10).mail?.step.id).toBe('legal-handover');
    expect(planDunning(berlin, [{ ...escalated, lastStepSent: 'legal-handover' }], tuesday10).updates[0]?.nextActionAt).toBeNull();
    expect(planDunning(berlin, [escalated], new Date('2027-04-13T20:00:00Z')).updates[0]?.nextActionAt).toBe('2027-04-14T07:00:00.000Z');
    expect(planDunning({ ...berlin, dunning: { excluded: true } }, [inv(due)], tuesday10).mail).toBeUndefined();
    expect(planDunning(berlin, [inv({ ...due, balanceDue: 0 })], tuesday10).mail).toBeUndefined();
    const held = planDunning(
      { ...berlin, holds: [{ id: 'h', reason: 'talks', createdAt: '2027-04-01T00:00:00Z', expiresAt: '2027-05-01T00:00:00Z' }] },
      [inv(due)],
      tuesday10,
    );
    expect(held.mail).toBeUndefined();
    expect(held.updates[0]?.nextActionAt).toBe('2027-05-01T00:00:00Z');
  });

  it('after a final notice schedules the escalation for due + 45 (local)', () => {
    const plan = planDunning(berlin, [inv({ dueDate: '2027-03-10', lastStepSent: 'firm' })], tuesday10);
    expect(plan.mail?.step.id).toBe('final-notice');
    expect(plan.mail?.legalDate).toBe('2027-04-24');
    expect(plan.updates[0]?.escalateOn).toBe('2027-04-24');
    expect(plan.updates[0]?.nextActionAt).toBeNull(); // the handover is the escalation run's
  });

  it('follows an extension: the new due date anchors the ladder', () => {
    const plan = planDunning(berlin, [inv({ dueDate: '2027-03-10', extension: { dueDate: '2027-05-31', reason: 'hardship', grantedAt: '2027-04-01T00:00:00Z' } })], tuesday10);
    expect(plan.mail).toBeUndefined();
    // Next: the heads-up on 24 May, 09:00 Berlin.
    expect(plan.updates[0]?.nextActionAt).toBe('2027-05-24T07:00:00.000Z');
  });

  it('never sends outside business hours', () => {
    const saturday = new Date('2027-04-17T10:00:00Z');
    const plan = planDunning(berlin, [inv({ dueDate: '2027-04-09' })], saturday);
    expect(plan.mail).toBeUndefined();
    expect(plan.updates[0]?.nextActionAt).toBe('2027-04-19T07:00:00.000Z'); // Monday 09:00 Berlin
  });
});

describe('interestRun', () => {
  // 3650 bp a year: 100,000 minor units accrue exactly 100 a day.
  it('accrues day by day and books once per month, on the principal only', () => {
    let invoice = inv({ dueDate: '2027-03-31', terms: interestTerms });
    let booked = 0;
    for (let d = Date.parse('2027-04-01T12:00:00Z'); d <= Date.parse('2027-05-03T12:00:00Z'); d += 86_400_000) {
      const run = interestRun(invoice, berlin, new Date(d));
      const added = run.postings.reduce((s, p) => s + p.amount, 0);
      booked += added;
      invoice = { ...invoice, ...(run.accrual ? { accrual: run.accrual } : {}), balanceDue: invoice.balanceDue + added, charges: (invoice.charges ?? 0) + added };
      // Re-running the same day adds nothing.
      expect(interestRun(invoice, berlin, new Date(d)).postings).toEqual([]);
    }
    // April: 30 days × 100 = 3,000, booked on 1 May; May's days accrue but are not booked yet.
    expect(booked).toBe(3_000);
    expect(invoice.accrual).toMatchObject({ through: '2027-05-03', days: 2, period: '2027-05' });
    expect(BigInt(invoice.accrual?.numerator ?? '0')).toBe(2n * 100_000n * 3650n); // principal, not principal + 3,000
  });

  it('accrues nothing while disputed or held, and books what a paid invoice accrued', () => {
    const disputed = inv({ terms: interestTerms, dispute: { id: 'd', status: 'open', source: 'customer', reason: 'x', openedAt: '2027-03-01T00:00:00Z' } });
    const run = interestRun(disputed, berlin, new Date('2027-04-20T12:00:00Z'));
    expect(run.postings).toEqual([]);
    expect(run.accrual).toMatchObject({ days: 0, numerator: '0', through: '2027-04-20' });
    const held = interestRun(inv({ terms: interestTerms }), { ...berlin, holds: [{ id: 'h', reason: 'r', createdAt: '2027-01-01T00:00:00Z' }] }, new Date('2027-04-20T12:00:00Z'));
    expect(held.accrual?.days).toBe(0);
    const paid = interestRun(
      inv({ terms: interestTerms, balanceDue: 0, accrual: { through: '2027-04-10', numerator: String(9n * 100_000n * 3650n), days: 9, period: '2027-04' } }),
      berlin,
      new Date('2027-04-12T12:00:00Z'),
    );
    expect(paid.postings).toEqual([{ kind: 'interest', amount: 900, key: 'interest#inv_1#2027-04', period: '2027-04', days: 9 }]);
    expect(paid.nextOn).toBeNull();
  });

  it('charges the fixed late fee once after the grace days, and never below the minimum', () => {
    const terms: PaymentTerms = { ...DEFAULT_TERMS, fixedLateFee: { EUR: 4_000 }, graceDays: 5, minimumAmounts: { EUR: 1_000 } };
    expect(interestRun(inv({ terms }), berlin, new Date('2027-04-05T12:00:00Z')).postings).toEqual([]);
    expect(interestRun(inv({ terms }), berlin, new Date('2027-04-05T12:00:00Z')).nextOn).toBe('2027-04-06');
    expect(interestRun(inv({ terms }), berlin, new Date('2027-04-06T12:00:00Z')).postings).toEqual([{ kind: 'late_fee', amount: 4_000, key: 'late-fee#inv_1' }]);
    expect(interestRun(inv({ terms, lateFeeCharged: true }), berlin, new Date('2027-04-07T12:00:00Z')).postings).toEqual([]);
    expect(interestRun(inv({ terms, balanceDue: 999 }), berlin, new Date('2027-04-07T12:00:00Z')).postings).toEqual([]);
  });

  it('books the same total whatever days the runs happen on (missed runs catch up)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 20 }), (offsets) => {
        const days = [...offsets.sort((a, b) => a - b), 61];
        let invoice = inv({ terms: interestTerms });
        let total = 0;
        for (const k of days) {
          const run = interestRun(invoice, berlin, new Date(Date.parse('2027-04-01T12:00:00Z') + k * 86_400_000));
          total += run.postings.reduce((s, p) => s + p.amount, 0);
          invoice = { ...invoice, ...(run.accrual ? { accrual: run.accrual } : {}) };
        }
        // 1 April → 31 May: April 30 days + May 31 days at 100 a day (June's first day not yet booked).
        return total === 6_100;
      }),
    );
  });
});

describe('escalationDecision', () => {
  const finalSent = inv({ dueDate: '2027-03-10', lastStepSent: 'final-notice' });
  it('escalates on due + 45 local, not before, not when paused or paid', () => {
    expect(escalationDecision(finalSent, berlin, new Date('2027-04-23T21:00:00Z'))).toMatchObject({ escalate: false, retryOn: '2027-04-24' });
    expect(escalationDecision(finalSent, berlin, new Date('2027-04-23T22:30:00Z'))).toEqual({ escalate: true }); // 00:30 Berlin on the 24th
    expect(escalationDecision({ ...finalSent, balanceDue: 0 }, berlin, new Date('2027-05-01T00:00:00Z')).escalate).toBe(false);
    expect(escalationDecision({ ...finalSent, lastStepSent: 'firm' }, berlin, new Date('2027-05-01T00:00:00Z')).escalate).toBe(false);
    expect(escalationDecision({ ...finalSent, escalatedAt: '2027-04-24T00:00:00Z' }, berlin, new Date('2027-05-01T00:00:00Z')).escalate).toBe(false);
  });
});

describe('actionShard', () => {
  it('spreads customers over the shards and is stable', () => {
    const counts = new Array(8).fill(0);
    for (let i = 0; i < 8000; i++) counts[actionShard(`cus_${i}`, 8)] += 1;
    for (const c of counts) expect(c).toBeGreaterThan(800);
    expect(actionShard('cus_x', 8)).toBe(actionShard('cus_x', 8));
  });
});

describe('notices', () => {
  it('renders the dispute outcome in the customer language with Intl amounts', () => {
    const de = renderNotice({ customerName: 'Frau Weber', locale: 'de-DE', timeZone: 'Europe/Berlin', notice: { kind: 'dispute_rejected', invoiceNumber: 'INV-9', explanation: 'Lieferschein unterschrieben.', balanceDue: 123_456, currency: 'EUR', dueDate: '2027-04-30' } });
    expect(de.subject).toBe('Ergebnis Ihres Einwands zu Rechnung INV-9');
    expect(de.text).toMatch(/1\.234,56\s€/);
    expect(de.text).toContain('30. April 2027');
    const en = renderNotice({ customerName: 'Ms <Weber>', locale: 'en-GB', timeZone: 'Europe/London', notice: { kind: 'extension_confirmed', invoiceNumber: 'INV-9', newDueDate: '2027-06-30', balanceDue: 5_000, currency: 'GBP' } });
    expect(en.text).toContain('£50.00');
    expect(en.text).toContain('30 June 2027');
    expect(en.html).toContain('Ms &lt;Weber&gt;');
  });
});

describe('review fixes', () => {
  const finalSent = inv({ dueDate: '2027-03-10', lastStepSent: 'final-notice' });
  const after45 = new Date('2027-04-26T10:00:00Z');
  it('never escalates an invoice in a payment plan, disputed, or with only charges left; keeps looking tomorrow', () => {
    expect(escalationDecision({ ...finalSent, planId: 'plan_1' }, berlin, after45)).toMatchObject({ escalate: false, retryOn: '2027-04-27' });
    expect(escalationDecision({ ...finalSent, dispute: { id: 'd', status: 'open', source: 'customer', reason: 'x', openedAt: '2027-04-01T00:00:00Z' } }, berlin, after45)).toMatchObject({ escalate: false, retryOn: '2027-04-27' });
    expect(escalationDecision({ ...finalSent, balanceDue: 222, charges: 222 }, berlin, after45).escalate).toBe(false);
    expect(planDunning(berlin, [{ ...finalSent, lastStepSent: 'firm', balanceDue: 222, charges: 222 }], after45).mail).toBeUndefined();
  });

  it('books no interest and no fee while in a plan, and waives what accrued before it', () => {
    const terms: PaymentTerms = { ...interestTerms, fixedLateFee: { EUR: 4_000 } };
    const run = interestRun(
      inv({ terms, planId: 'plan_1', accrual: { through: '2027-04-20', numerator: String(19n * 100_000n * 3650n), days: 19, period: '2027-04' } }),
      berlin,
      new Date('2027-05-02T12:00:00Z'),
    );
    expect(run.postings).toEqual([]);
    expect(run.accrual).toMatchObject({ numerator: '0', days: 0, through: '2027-05-02' });
  });

  it('ignores a stale replay of an earlier day', () => {
    const run = interestRun(inv({ terms: interestTerms, accrual: { through: '2027-04-20', numerator: '5', days: 1, period: '2027-04' } }), berlin, new Date('2027-04-10T12:00:00Z'));
    expect(run).toMatchObject({ postings: [], nextOn: '2027-04-20' });
  });

  it('quiet hours that would leave no business hour are ignored, never blocking collection', () => {
    const plan = planDunning({ ...berlin, dunning: { quietHours: { startHour: 0, endHour: 24 } } }, [inv({ dueDate: '2027-04-09' })], tuesday10);
    expect(plan.mail?.step.id).toBe('gentle');
  });

  it('after a refund reopens a paid invoice, interest resumes from the reopening, not for the days it was paid', () => {
    // Paid on 10 April (the run then left the accrual at 11 April); a refund reopened it on 20 April.
    const run = interestRun(
      inv({ terms: interestTerms, accrual: { through: '2027-04-11', numerator: '0', days: 0, period: '2027-04' }, accrualFrom: '2027-04-20' }),
      berlin,
      new Date('2027-04-25T12:00:00Z'),
    );
    expect(run.accrual).toMatchObject({ through: '2027-04-25', days: 5 }); // 20–24 April, not 11–24
  });
});

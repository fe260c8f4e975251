/**
 * The collections area's event builders (shared/domain/events/collections-events.ts): every envelope validates against
 * its catalog schema, ids are keyed on the change (the same change → the same id, another change → another id), and
 * the payloads carry ids, steps, amounts and dates only.
 */
import { describe, expect, it } from 'vitest';
import { planDunning, type InterestPosting } from '../../shared/domain/collections.ts';
import { eventCatalog } from '../../shared/domain/events/catalog.ts';
import {
  escalatedEvent,
  interestChargedEvents,
  mailSuppressedEvent,
  promiseBrokenEvent,
  promiseKeptEvent,
  reminderSentEvent,
} from '../../shared/domain/events/collections-events.ts';
import { promiseFields } from '../../shared/domain/events/fields.ts';
import type { EventEnvelope } from '../../shared/domain/events/envelope.ts';
import { newPromise, settlePromise } from '../../shared/domain/promises.ts';
import { DEFAULT_TERMS } from '../../shared/domain/terms.ts';
import { collectionsInvoice } from '../support/domain-fixtures.ts';

const now = new Date('2027-04-05T08:00:00Z');

function valid(event: EventEnvelope): EventEnvelope {
  expect(event.id).toMatch(/^evt_[\w-]{22}$/);
  expect(event.version).toBe(1);
  expect(eventCatalog[event.type]?.data.parse(event.data)).toEqual(event.data);
  return event;
}

describe('collections events', () => {
  it('reminder.sent: the reminder the run decided, its invoices and step; the same reminder → the same id', () => {
    const customer = { id: 'cus_1', timeZone: 'Europe/Berlin', locale: 'de-DE' };
    const invoices = [collectionsInvoice({ id: 'inv_a', number: 'INV-A' }), collectionsInvoice({ id: 'inv_b', number: 'INV-B', balanceDue: 40_000 })];
    // Monday 5 April 2027, 10:00 in Berlin: due + 5, the gentle reminder for both.
    const mail = planDunning(customer, invoices, now).mail;
    if (!mail) throw new Error('no reminder planned');
    const event = valid(reminderSentEvent({ customer, mailKey: 'reminder#k1', mail, cadence: undefined, letter: false, now }));
    expect(event).toMatchObject({ type: 'reminder.sent', customerId: 'cus_1', occurredAt: now.toISOString() });
    expect(event.data).toEqual({
      mailKey: 'reminder#k1',
      step: 'gentle',
      kind: 'reminder',
      tone: 'neutral',
      channel: 'email',
      letter: false,
      locale: 'de-DE',
      adaptive: false,
      cadencePolicy: 'standard',
      planOfferFirst: false,
      invoices: [
        { invoiceId: 'inv_a', number: 'INV-A', step: 'gentle', currency: 'EUR', balanceDue: 100_000, dueDate: '2027-03-31' },
        { invoiceId: 'inv_b', number: 'INV-B', step: 'gentle', currency: 'EUR', balanceDue: 40_000, dueDate: '2027-03-31' },
      ],
    });
    // A later run deciding the same reminder (same key) carries the same id; another reminder another id.
    const later = new Date(now.getTime() + 3_600_000);
    expect(reminderSentEvent({ customer, mailKey: 'reminder#k1', mail, cadence: undefined, letter: false, now: later }).id).toBe(event.id);
    expect(reminderSentEvent({ customer, mailKey: 'reminder#k2', mail, cadence: undefined, letter: false, now }).id).not.toBe(event.id);
  });

  it('interest.charged: one per posting, each with the balance after it; keyed on the posting', () => {
    const invoice = collectionsInvoice({
      terms: { ...DEFAULT_TERMS, lateInterest: { mode: 'statutory', referenceRateBasisPoints: 250, marginBasisPoints: 900, startDaysPastDue: 0 } },
    });
    const postings: InterestPosting[] = [
      { kind: 'interest', amount: 950, key: 'interest#inv_1#2027-04', period: '2027-04', days: 30 },
      { kind: 'late_fee', amount: 4_000, key: 'fee#inv_1' },
    ];
    const [interest, fee] = interestChargedEvents(invoice, postings, now).map(valid);
    expect(interest?.data).toEqual({
      invoiceId: 'inv_1',
      kind: 'interest',
      amount: 950,
      currency: 'EUR',
      balanceDue: 100_950,
      ledgerEntryId: 'interest#inv_1#2027-04',
      period: { month: '2027-04', days: 30 },
      rate: { mode: 'statutory', annualRateBasisPoints: 1150, dayCount: 'ACT/365' },
    });
    expect(fee?.data).toEqual({ invoiceId: 'inv_1', kind: 'late_fee', amount: 4_000, currency: 'EUR', balanceDue: 104_950, ledgerEntryId: 'fee#inv_1' });
    expect(interest?.id).not.toBe(fee?.id);
    expect(interestChargedEvents(invoice, postings.slice(0, 1), new Date(now.getTime() + 60_000))[0]?.id).toBe(interest?.id);
  });

  it('collections.escalated: the invoices and totals per currency; the same invoices in any order → the same id', () => {
    const a = collectionsInvoice({ id: 'inv_a', number: 'INV-A', balanceDue: 70_000 });
    const b = collectionsInvoice({ id: 'inv_b', number: 'INV-B', currency: 'USD', balanceDue: 30_000, extension: { dueDate: '2027-04-15', reason: 'hardship', grantedAt: '2027-03-30T10:00:00.000Z' } });
    const event = valid(escalatedEvent('cus_1', [a, b], '2027-05-15', now));
    expect(event.data).toEqual({
      customerId: 'cus_1',
      escalatedOn: '2027-05-15',
      invoices: [
        { invoiceId: 'inv_a', number: 'INV-A', currency: 'EUR', balanceDue: 70_000, dueDate: '2027-03-31' },
        { invoiceId: 'inv_b', number: 'INV-B', currency: 'USD', balanceDue: 30_000, dueDate: '2027-04-15' },
      ],
      totals: [
        { currency: 'EUR', amount: 70_000 },
        { currency: 'USD', amount: 30_000 },
      ],
    });
    expect(escalatedEvent('cus_1', [b, a], '2027-05-15', now).id).toBe(event.id);
    expect(escalatedEvent('cus_1', [a], '2027-05-15', now).id).not.toBe(event.id);
  });

  it('promise.broken: the promise fields of promise.made/kept, when it broke; keyed on the promise', () => {
    const invoice = collectionsInvoice({ balanceDue: 60_000 });
    const made = newPromise({ balanceDue: 60_000, status: 'open' }, { id: 'prm_1', date: '2027-03-25', amount: 20_000, source: 'portal' }, new Date('2027-03-20T09:00:00Z'), 'Europe/Berlin');
    const broken = settlePromise(made, 'broken', now);
    const event = valid(promiseBrokenEvent(invoice, broken, now));
    expect(event).toMatchObject({ type: 'promise.broken', customerId: 'cus_1', occurredAt: now.toISOString() });
    expect(event.data).toEqual({
      promiseId: 'prm_1',
      invoiceId: 'inv_1',
      date: '2027-03-25',
      amount: 20_000,
      currency: 'EUR',
      madeBy: 'customer',
      madeAt: '2027-03-20T09:00:00.000Z',
      until: made.until,
      brokenAt: now.toISOString(),
      balanceDue: 60_000,
    });
    const whole = settlePromise({ ...made, id: 'prm_2', amount: undefined, source: 'staff' }, 'broken', now);
    expect(valid(promiseBrokenEvent(invoice, whole, now)).data).not.toHaveProperty('amount');
    expect(promiseBrokenEvent(invoice, whole, now).data.madeBy).toBe('staff');
  });

  it('promise.kept without a payment (a credit note kept it, the reminder run found it): the same promise fields, no paymentId', () => {
    const invoice = collectionsInvoice({ balanceDue: 30_000 });
    const made = newPromise({ balanceDue: 60_000, status: 'open' }, { id: 'prm_1', date: '2027-03-25', amount: 20_000, source: 'portal' }, new Date('2027-03-20T09:00:00Z'), 'Europe/Berlin');
    const kept = settlePromise(made, 'kept', now);
    const event = valid(promiseKeptEvent(invoice, kept, { keptAt: now.toISOString() }));
    expect(event).toMatchObject({ type: 'promise.kept', customerId: 'cus_1', occurredAt: now.toISOString() });
    // The promise as promise.broken would have said it, and when it was kept.
    const { brokenAt: _at, balanceDue: _balance, ...promise } = promiseBrokenEvent(invoice, settlePromise(made, 'broken', now), now).data;
    expect(promise).toMatchObject({ promiseId: 'prm_1', amount: 20_000, until: made.until });
    expect(event.data).toEqual({ ...promise, keptAt: now.toISOString() });
    // The same promise kept by a payment: the same id (a promise is settled once), the payment named.
    const byPayment = valid(promiseKeptEvent(invoice, kept, { keptAt: now.toISOString(), paymentId: 'pay_1' }));
    expect(byPayment.id).toBe(event.id);
    expect(byPayment.data.paymentId).toBe('pay_1');
  });

  it('promise.made, promise.kept and promise.broken describe the promise with the same fields, in the same words', () => {
    const shape = (type: 'promise.made' | 'promise.kept' | 'promise.broken') => {
      const schema = eventCatalog[type]?.data.toJSONSchema() as { properties: Record<string, unknown> };
      return Object.fromEntries(Object.keys(promiseFields).map((k) => [k, schema.properties[k]]));
    };
    expect(shape('promise.kept')).toEqual(shape('promise.made'));
    expect(shape('promise.broken')).toEqual(shape('promise.made'));
  });

  it('customer.mail_suppressed: reason and when; each flagging its own id', () => {
    const flag = { reason: 'bounce' as const, at: '2027-04-01T10:00:00.000Z' };
    const event = valid(mailSuppressedEvent('cus_1', flag, 'ses_notification', now));
    expect(event).toMatchObject({ type: 'customer.mail_suppressed', customerId: 'cus_1', occurredAt: now.toISOString() });
    expect(event.data).toEqual({ reason: 'bounce', at: flag.at, detectedBy: 'ses_notification' });
    // The flag is set once; after a new address it can be set again: another flagging, another id.
    expect(mailSuppressedEvent('cus_1', flag, 'send_attempt', new Date(now.getTime() + 86_400_000)).id).not.toBe(event.id);
  });

  it('no personal data: no field of the schemas is a name, an address or a text', () => {
    const fields = (schema: unknown): string[] => {
      if (!schema || typeof schema !== 'object') return [];
      const s = schema as { properties?: Record<string, unknown>; items?: unknown; additionalProperties?: unknown };
      return [
        ...Object.entries(s.properties ?? {}).flatMap(([k, v]) => [k, ...fields(v)]),
        ...fields(s.items),
        ...fields(s.additionalProperties),
      ];
    };
    for (const type of ['reminder.sent', 'interest.charged', 'collections.escalated', 'promise.broken', 'customer.mail_suppressed'] as const) {
      const names = fields(eventCatalog[type]?.data.toJSONSchema());
      expect(names.length, type).toBeGreaterThan(2);
      for (const name of names) expect(name, type).not.toMatch(/name|e?mail$|^to$|subject|text|html|address|iban|comment/i);
    }
  });
});

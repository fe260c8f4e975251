/**
 * The envelopes of the collections area's events (specs: collections.ts), built from what the runs decided. Pure.
 *
 * Each id comes from a natural key of the change it reports, so a redelivered job, a catch-up run or a retry after a
 * conflict that commits the same change carries the same id — and, since the change's own guards let it commit only
 * once, there is never a second event for it:
 * - reminder.sent: the customer and the reminder's mail key (its invoices, steps and due dates in force);
 * - interest.charged: the ledger posting's key (`interest#<invoice>#<YYYY-MM>`, or the invoice's late-fee key);
 * - collections.escalated: the customer and the invoices it escalated;
 * - promise.broken, promise.kept: the promise (a promise is settled once, as one or the other);
 * - customer.mail_suppressed: the customer and the instant of the flagging (the flag is set once; a new address can
 *   be flagged again later, which is a new flagging).
 */
import type { CadenceDecision } from '../adaptive-cadence.ts';
import { effectiveDueDate, type CollectionsInvoice, type DunningPlan, type InterestPosting } from '../collections.ts';
import type { InvoicePromise } from '../invoice-collections.ts';
import { effectiveAnnualRateBasisPoints, type LateInterest } from '../terms.ts';
import { newEvent } from './catalog.ts';
import type { EventEnvelope } from './envelope.ts';
import { promiseData } from './fields.ts';

type ReminderPlan = NonNullable<DunningPlan['mail']>;

export function reminderSentEvent(input: {
  customer: { id: string; locale: string };
  mailKey: string;
  mail: ReminderPlan;
  /** The customer's cadence decision at this run (absent: the standard ladder). */
  cadence: CadenceDecision | undefined;
  letter: boolean;
  now: Date;
}): EventEnvelope {
  const { customer, mail } = input;
  return newEvent(
    'reminder.sent',
    `${customer.id}:${input.mailKey}`,
    {
      mailKey: input.mailKey,
      step: mail.step.id,
      kind: mail.step.kind,
      tone: mail.step.tone,
      channel: mail.step.channel,
      letter: input.letter,
      locale: customer.locale,
      adaptive: mail.cadence !== undefined,
      cadencePolicy: input.cadence?.policy ?? 'standard',
      planOfferFirst: mail.planOfferFirst === true,
      ...(mail.legalDate ? { legalDate: mail.legalDate } : {}),
      invoices: mail.items.map((i) => ({
        invoiceId: i.invoice.id,
        number: i.invoice.number,
        step: i.step.id,
        currency: i.invoice.currency,
        balanceDue: i.invoice.balanceDue,
        dueDate: effectiveDueDate(i.invoice),
      })),
    },
    { occurredAt: input.now.toISOString(), customerId: customer.id },
  );
}

/** One interest.charged per posting, in posting order; each states the balance after it. */
export function interestChargedEvents(
  invoice: Pick<CollectionsInvoice, 'id' | 'customerId' | 'currency' | 'balanceDue' | 'terms'>,
  postings: readonly InterestPosting[],
  now: Date,
): EventEnvelope[] {
  let balance = invoice.balanceDue;
  return postings.map((p) => {
    balance += p.amount;
    const rate = p.kind === 'interest' ? rateBasis(invoice.terms?.lateInterest) : undefined;
    return newEvent(
      'interest.charged',
      p.key,
      {
        invoiceId: invoice.id,
        kind: p.kind,
        amount: p.amount,
        currency: invoice.currency,
        balanceDue: balance,
        ledgerEntryId: p.key,
        ...(p.kind === 'interest' && p.period ? { period: { month: p.period, days: p.days ?? 0 } } : {}),
        ...(rate ? { rate } : {}),
      },
      { occurredAt: now.toISOString(), customerId: invoice.customerId },
    );
  });
}

function rateBasis(interest: LateInterest | undefined) {
  if (!interest || interest.mode === 'none') return undefined;
  // The rate the interest run applies (domain/collections.ts interestRun): ACT/365, simple, rounded once.
  return { mode: interest.mode, annualRateBasisPoints: effectiveAnnualRateBasisPoints(interest), dayCount: 'ACT/365' as const };
}

/** The escalation of a group of a customer's invoices (the existing `collections.escalated` detail, as `data`). */
export function escalatedEvent(
  customerId: string,
  group: readonly Pick<CollectionsInvoice, 'id' | 'number' | 'currency' | 'balanceDue' | 'dueDate' | 'extension'>[],
  today: string,
  now: Date,
): EventEnvelope {
  const basis = group.map((i) => i.id).sort().join(',');
  const currencies = [...new Set(group.map((i) => i.currency))];
  return newEvent(
    'collections.escalated',
    `${customerId}:${basis}`,
    {
      customerId,
      escalatedOn: today,
      invoices: group.map((i) => ({ invoiceId: i.id, number: i.number, currency: i.currency, balanceDue: i.balanceDue, dueDate: effectiveDueDate(i) })),
      totals: currencies.map((c) => ({ currency: c, amount: group.filter((i) => i.currency === c).reduce((s, i) => s + i.balanceDue, 0) })),
    },
    { occurredAt: now.toISOString(), customerId },
  );
}

/** A promise the reminder run settled as broken (`promise.status === 'broken'`, `settledAt` set). */
export function promiseBrokenEvent(
  invoice: Pick<CollectionsInvoice, 'id' | 'customerId' | 'currency' | 'balanceDue'>,
  promise: InvoicePromise,
  now: Date,
): EventEnvelope {
  const brokenAt = promise.settledAt ?? now.toISOString();
  return newEvent(
    'promise.broken',
    `${promise.id}:broken`,
    { ...promiseData(promise, invoice), brokenAt, balanceDue: invoice.balanceDue },
    { occurredAt: brokenAt, customerId: invoice.customerId },
  );
}

/**
 * A promise settled as kept at `keptAt`: by a payment, in the payment's own change (`paymentId`), or by the reminder
 * run when a credit note brought the balance down (no payment). A promise is settled once: one id.
 */
export function promiseKeptEvent(
  invoice: { id: string; customerId: string; currency: string },
  promise: InvoicePromise,
  how: { keptAt: string; paymentId?: string },
): EventEnvelope {
  return newEvent(
    'promise.kept',
    `${promise.id}:kept`,
    { ...promiseData(promise, invoice), ...(how.paymentId ? { paymentId: how.paymentId } : {}), keptAt: how.keptAt },
    { occurredAt: how.keptAt, customerId: invoice.customerId },
  );
}

export function mailSuppressedEvent(
  customerId: string,
  flag: { reason: 'bounce' | 'complaint'; at: string },
  detectedBy: 'ses_notification' | 'send_attempt',
  now: Date,
): EventEnvelope {
  const flaggedAt = now.toISOString();
  return newEvent(
    'customer.mail_suppressed',
    `${customerId}:${flaggedAt}`,
    { reason: flag.reason, at: flag.at, detectedBy },
    { occurredAt: flaggedAt, customerId },
  );
}

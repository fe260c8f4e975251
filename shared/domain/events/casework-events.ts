/**
 * The casework area's events (specs in casework.ts), built from the change they report. Pure: each takes the state
 * the writer is about to commit; the writer puts the envelope in that same transaction (outboxPut).
 *
 * Natural keys (the event id is derived from type + key, so a retried change gives the same id):
 * - invoice.issued: the invoice id (an invoice is issued once; an idempotent replay writes nothing).
 * - dispute.opened / dispute.resolved: the dispute id — a dispute opened again later is a new dispute with its own id,
 *   and a dispute is resolved once.
 * - promise.made: the promise id (a promise on another date, amount or invoice version is another promise).
 * - plan.created / completed / defaulted: `<planId>:<what>` — each happens at most once per plan.
 */
import type { Invoice } from '../invoice.ts';
import type { InvoiceDispute, InvoicePromise } from '../invoice-collections.ts';
import type { Instalment, PaymentPlan } from '../plans.ts';
import { newEvent } from './catalog.ts';
import type { EventEnvelope } from './envelope.ts';
import { promiseData } from './fields.ts';

export function invoiceIssuedEvent(invoice: Invoice): EventEnvelope {
  const discount = invoice.earlyPaymentDiscount;
  return newEvent(
    'invoice.issued',
    invoice.id,
    {
      invoiceId: invoice.id,
      number: invoice.number,
      currency: invoice.currency,
      amount: invoice.total,
      balanceDue: invoice.balanceDue,
      issueDate: invoice.issueDate,
      dueDate: invoice.dueDate,
      paymentReference: invoice.paymentReference,
      ...(discount ? { earlyPaymentDiscount: { amount: discount.amount, until: discount.until } } : {}),
    },
    { occurredAt: invoice.createdAt, customerId: invoice.customerId },
  );
}

type DisputeInvoice = Pick<Invoice, 'id' | 'customerId' | 'currency' | 'balanceDue'>;

export function disputeOpenedEvent(dispute: InvoiceDispute, invoice: DisputeInvoice, openedBy: 'customer' | 'staff'): EventEnvelope {
  return newEvent(
    'dispute.opened',
    dispute.id,
    {
      disputeId: dispute.id,
      invoiceId: invoice.id,
      reasonCode: dispute.reasonCode ?? 'other',
      openedBy,
      currency: invoice.currency,
      ...(dispute.amount !== undefined ? { amount: dispute.amount } : {}),
      balanceDue: invoice.balanceDue,
      openedAt: dispute.openedAt,
    },
    { occurredAt: dispute.openedAt, customerId: invoice.customerId },
  );
}

export function disputeResolvedEvent(
  dispute: InvoiceDispute & { resolution: { outcome: 'upheld' | 'rejected'; amount?: number; resolvedAt: string } },
  invoiceAfter: Pick<Invoice, 'id' | 'customerId' | 'currency' | 'balanceDue' | 'status'>,
): EventEnvelope {
  const { resolution } = dispute;
  return newEvent(
    'dispute.resolved',
    dispute.id,
    {
      disputeId: dispute.id,
      invoiceId: invoiceAfter.id,
      source: dispute.source,
      outcome: resolution.outcome,
      currency: invoiceAfter.currency,
      creditAmount: resolution.amount ?? 0,
      balanceDue: invoiceAfter.balanceDue,
      invoiceStatus: invoiceAfter.status,
      openedAt: dispute.openedAt,
      resolvedAt: resolution.resolvedAt,
    },
    { occurredAt: resolution.resolvedAt, customerId: invoiceAfter.customerId },
  );
}

export function promiseMadeEvent(
  promise: InvoicePromise & { invoiceId: string; customerId: string; currency: string; balanceAtPromise: number },
): EventEnvelope {
  return newEvent(
    'promise.made',
    promise.id,
    { ...promiseData(promise, { id: promise.invoiceId, currency: promise.currency }), balanceDue: promise.balanceAtPromise },
    { occurredAt: promise.madeAt, customerId: promise.customerId },
  );
}

/** `plan` is active (in force); `invoices` are the covered invoices as they were when it came into force. */
export function planCreatedEvent(plan: PaymentPlan, invoices: readonly Pick<Invoice, 'id' | 'balanceDue'>[]): EventEnvelope {
  const at = plan.activatedAt ?? plan.createdAt;
  const regular = plan.instalments.filter((i) => i.seq > 0);
  return newEvent(
    'plan.created',
    `${plan.id}:created`,
    {
      planId: plan.id,
      invoices: invoices.map((i) => ({ invoiceId: i.id, balanceDue: i.balanceDue })),
      currency: plan.currency,
      amount: plan.total,
      frequency: plan.frequency,
      instalmentCount: plan.instalments.length,
      downPayment: plan.instalments.find((i) => i.seq === 0)?.amount ?? 0,
      firstDueDate: (regular[0] ?? plan.instalments[0])?.dueDate,
      lastDueDate: plan.instalments.at(-1)?.dueDate,
      instalments: plan.instalments.map((i) => ({ seq: i.seq, dueDate: i.dueDate, amount: i.amount })),
      graceDays: plan.graceDays,
      paymentReference: plan.paymentReference,
      requestedBy: plan.requestedBy,
      approvedBy: plan.approval.by,
      activatedAt: at,
    },
    { occurredAt: at, customerId: plan.customerId },
  );
}

/** `completed` carries `completedAt`. */
export function planCompletedEvent(completed: PaymentPlan & { completedAt: string }): EventEnvelope {
  return newEvent(
    'plan.completed',
    `${completed.id}:completed`,
    {
      planId: completed.id,
      invoiceIds: completed.invoiceIds,
      currency: completed.currency,
      amount: completed.total,
      instalmentCount: completed.instalments.length,
      completedAt: completed.completedAt,
    },
    { occurredAt: completed.completedAt, customerId: completed.customerId },
  );
}

/**
 * `defaulted` carries `defaultedAt`; `coveredBalance` is what is still owed on its invoices, `returned` the invoices
 * going back to the ladder.
 */
export function planDefaultedEvent(
  defaulted: PaymentPlan & { defaultedAt: string },
  missed: Instalment,
  coveredBalance: number,
  returned: readonly string[],
): EventEnvelope {
  return newEvent(
    'plan.defaulted',
    `${defaulted.id}:defaulted`,
    {
      planId: defaulted.id,
      invoiceIds: defaulted.invoiceIds,
      returnedInvoiceIds: [...returned],
      currency: defaulted.currency,
      amount: defaulted.total,
      paidAmount: Math.max(0, defaulted.total - coveredBalance),
      balanceDue: coveredBalance,
      missedInstalment: { seq: missed.seq, dueDate: missed.dueDate, amount: missed.amount },
      defaultedAt: defaulted.defaultedAt,
    },
    { occurredAt: defaulted.defaultedAt, customerId: defaulted.customerId },
  );
}

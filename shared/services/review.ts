/**
 * Staff use cases on payments: record a check or other offline payment, apply waiting money by hand, and take an
 * allocation back. Every change is one conditional transaction (see store/payments.ts).
 */
import { z } from 'zod';
import type { IncomingPayment } from '../domain/application.ts';
import { isCalendarDate } from '../domain/dates.ts';
import type { Invoice } from '../domain/invoice.ts';
import { SUSPENSE } from '../domain/ledger.ts';
import { isCurrency } from '../domain/money.ts';
import { reverseAllocation } from '../domain/payment-state.ts';
import { Conflict, Invalid, NotFound } from './errors.ts';
import { getCustomer } from '../store/customers.ts';
import { getInvoice } from '../store/invoices.ts';
import { commitPaymentChange, getPayment, type StoredPayment } from '../store/payments.ts';
import { replayed, requestHash } from './idempotency.ts';
import { allocateUnapplied, applyIncomingPayment, paymentIdFor } from './payments.ts';

const positiveMinor = z.number().int().positive().refine(Number.isSafeInteger, 'must be a safe integer (minor units)');
const allocationsSchema = z
  .array(z.object({ invoiceId: z.string().min(1).max(100), amount: positiveMinor }).strict())
  .min(1)
  .max(20)
  .refine((a) => new Set(a.map((x) => x.invoiceId)).size === a.length, 'each invoice at most once');

export const manualPaymentSchema = z
  .object({
    customerId: z.string().min(1).max(100),
    method: z.enum(['check', 'bank_transfer', 'cash', 'other']),
    reference: z.string().trim().min(1).max(140),
    amount: positiveMinor,
    currency: z.string().refine(isCurrency, 'must be an ISO 4217 currency code such as "EUR"'),
    receivedDate: z.string().refine(isCalendarDate, 'must be a calendar date YYYY-MM-DD'),
    note: z.string().max(500).optional(),
    allocations: allocationsSchema.optional(),
  })
  .strict();

export const staffAllocationSchema = z.object({ allocations: allocationsSchema }).strict();

async function loadTargets(customerId: string, currency: string, allocations: { invoiceId: string; amount: number }[]) {
  const invoices: Invoice[] = [];
  for (const [i, a] of allocations.entries()) {
    const invoice = await getInvoice(a.invoiceId);
    const field = `allocations.${i}.invoiceId`;
    if (!invoice) throw new Invalid(field, 'no such invoice');
    if (invoice.customerId !== customerId) throw new Invalid(field, 'invoice belongs to another customer');
    if (invoice.currency !== currency) throw new Invalid(field, `invoice is in ${invoice.currency}`);
    if (a.amount > invoice.balanceDue) {
      throw new Invalid(`allocations.${i}.amount`, `exceeds the invoice balance ${invoice.balanceDue}`);
    }
    invoices.push(invoice);
  }
  return invoices;
}

/**
 * Records an offline payment once. Its id is derived, so an identical resend finds the first result (200):
 * - with an Idempotency-Key, from the customer and the key (a key is scoped per customer);
 * - without, from the natural key: customer + method + reference + amount + currency + received date (two cash
 *   payments under the same reference are two payments; the same check sent twice is one).
 * The request's hash is stored with the payment: the same key, or the same natural key, with another body is a 409
 * and changes nothing. With allocations, staff decide; without, the matching rules do, with the customer known.
 */
export async function recordManualPayment(input: z.infer<typeof manualPaymentSchema>, idempotencyKey: string | undefined, now: Date) {
  const customer = await getCustomer(input.customerId);
  if (!customer) throw new Invalid('customerId', 'no such customer');
  const naturalKey = [input.customerId, input.method, input.reference, input.amount, input.currency, input.receivedDate];
  const externalId = idempotencyKey ? JSON.stringify([input.customerId, 'key', idempotencyKey]) : JSON.stringify(naturalKey);
  const hash = requestHash(input);
  const payment: IncomingPayment = {
    id: paymentIdFor('manual', externalId),
    source: 'manual',
    externalId,
    method: input.method,
    amount: input.amount,
    currency: input.currency,
    receivedAt: `${input.receivedDate}T00:00:00.000Z`,
    payerCustomerId: customer.id,
    remittanceText: [input.reference, input.note].filter(Boolean).join(' '),
    requestHash: hash,
  };
  const refusal = idempotencyKey
    ? undefined
    : {
        code: 'payment_exists',
        message: `a payment with this customer, method, reference, amount, currency and receivedDate exists (${payment.id}) with another note or allocations; send an Idempotency-Key to record a second one`,
      };
  const existing = await getPayment(payment.id);
  if (existing) return { payment: await replay(existing, hash, refusal, input.allocations, payment, now), created: false };
  if (input.allocations) {
    const sum = input.allocations.reduce((s, a) => s + a.amount, 0);
    if (sum > input.amount) throw new Invalid('allocations', 'sum exceeds the payment amount');
    await loadTargets(customer.id, input.currency, input.allocations);
    // Record it unapplied (no rule may choose for staff), then apply exactly what staff said.
    const outcome = await applyIncomingPayment({ ...payment, payerCustomerId: undefined, remittanceText: '', references: [] }, undefined, now, { heldFor: customer.id });
    const stored = (await getPayment(payment.id)) as StoredPayment;
    // A concurrent request with the same id won the race: answer as its retry (or refuse another body).
    if (outcome === 'duplicate') return { payment: await replay(stored, hash, refusal, input.allocations, payment, now), created: false };
    if (stored.status === 'unapplied' && stored.customerId === SUSPENSE) {
      // Booked when the money arrived (the check's date), not when it was keyed in: statements and KPIs date it right.
      await applyByStaff(stored, input.allocations, receivedOn(payment, now));
    }
  } else {
    const outcome = await applyIncomingPayment(payment, undefined, now);
    if (outcome === 'duplicate') {
      return { payment: await replay((await getPayment(payment.id)) as StoredPayment, hash, refusal, undefined, payment, now), created: false };
    }
  }
  return { payment: shown((await getPayment(payment.id)) as StoredPayment), created: true };
}

/** The first result of an earlier identical request, or a 409 when the stored request differs. */
async function replay(
  existing: StoredPayment,
  hash: string,
  refusal: { code: string; message: string } | undefined,
  allocations: { invoiceId: string; amount: number }[] | undefined,
  payment: IncomingPayment,
  now: Date,
): Promise<Omit<StoredPayment, 'requestHash'>> {
  // A staff-recorded payment carries its request hash as a field (IncomingPayment.requestHash), not only in the store.
  const first = replayed({ entity: shown(existing), requestHash: existing.requestHash }, hash, refusal);
  // A retry after a crash between recording the check and applying staff's allocations finishes the job.
  if (allocations && existing.status === 'unapplied' && existing.customerId === SUSPENSE && existing.allocations.every((a) => a.amount === 0)) {
    await applyByStaff(existing, allocations, receivedOn(payment, now));
    return shown((await getPayment(payment.id)) as StoredPayment);
  }
  return first;
}

/** A payment as the API shows it: without the stored request hash. */
export function shown(payment: StoredPayment): Omit<StoredPayment, 'requestHash'> {
  const { requestHash: _h, ...rest } = payment;
  return rest;
}

/** The booking time of a payment staff record with its allocations: its received date, unless that is in the future. */
function receivedOn(payment: IncomingPayment, now: Date): Date {
  const received = new Date(payment.receivedAt);
  return received.getTime() <= now.getTime() ? received : now;
}

async function applyByStaff(payment: StoredPayment, allocations: { invoiceId: string; amount: number }[], now: Date) {
  const first = await getInvoice(allocations[0]?.invoiceId ?? '');
  const customerId = payment.customerId === SUSPENSE ? first?.customerId : payment.customerId;
  if (!customerId) throw new Invalid('allocations.0.invoiceId', 'no such invoice');
  const targets = await loadTargets(customerId, payment.currency, allocations);
  const sum = allocations.reduce((s, a) => s + a.amount, 0);
  if (sum > payment.unapplied) {
    throw new Invalid('allocations', `sum ${sum} exceeds the unapplied amount ${payment.unapplied}`);
  }
  await allocateUnapplied(
    payment,
    targets,
    { outcome: 'applied', rule: 'staff_allocation', evidence: { invoices: allocations.map((a) => a.invoiceId).join(','), amount: sum } },
    now,
    'staff',
    new Map(allocations.map((a) => [a.invoiceId, a.amount])),
  );
}

/** POST /payments/{id}/allocations: apply money waiting in review, by hand. */
export async function allocateByStaff(paymentId: string, allocations: { invoiceId: string; amount: number }[], now: Date) {
  const payment = await getPayment(paymentId);
  if (!payment) throw new NotFound(`payment ${paymentId} not found`);
  if (payment.unapplied === 0) throw new Conflict('nothing_unapplied', 'payment has no unapplied amount');
  await applyByStaff(payment, allocations, now);
  return (await getPayment(paymentId)) as StoredPayment;
}

/** POST /payments/{id}/allocations/{invoiceId}/reverse: the invoice reopens; the money waits in review. */
export async function reverseByStaff(paymentId: string, invoiceId: string, now: Date) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const payment = await getPayment(paymentId);
    if (!payment) throw new NotFound(`payment ${paymentId} not found`);
    const allocation = payment.allocations.find((a) => a.invoiceId === invoiceId && a.amount > 0);
    const invoice = await getInvoice(invoiceId);
    if (!allocation || !invoice) throw new NotFound(`payment ${paymentId} has nothing applied to invoice ${invoiceId}`);
    const change = reverseAllocation(payment, payment, invoice, now.toISOString());
    const ok = await commitPaymentChange(
      payment,
      {
        ...change,
        decision: {
          outcome: 'unapplied',
          rule: 'staff_reversal',
          evidence: { invoiceId, amount: allocation.amount },
          reason: 'allocation reversed by staff',
          at: now.toISOString(),
          by: 'staff',
        },
        // Reported as a negative allocation (payment.applied), invoice.reopened when it had been paid, and the money
        // waiting again (payment.needs_review).
        report: { kind: 'applied', rule: 'staff_reversal', by: 'staff' },
        review: { rule: 'staff_reversal', cause: 'reversed_by_staff', suggestionCount: payment.suggestions?.length ?? 0 },
      },
      now.toISOString(),
    );
    if (ok) return (await getPayment(paymentId)) as StoredPayment;
  }
  throw new Error(`payment ${paymentId}: changed concurrently while reversing`);
}

/**
 * Staff use cases on payments: record a check or other offline payment, apply waiting money by hand, and take an
 * allocation back. Every change is one conditional transaction (see store/payments.ts).
 */
import { z } from 'zod';
import { actedBy } from '../context.ts';
import type { IncomingPayment } from '../domain/application.ts';
import { isCalendarDate } from '../domain/dates.ts';
import type { Invoice } from '../domain/invoice.ts';
import { SUSPENSE } from '../domain/ledger.ts';
import { isCurrency } from '../domain/money.ts';
import { reverseAllocation } from '../domain/payment-state.ts';
import { Conflict, Invalid, NotFound } from './errors.ts';
import type { Customer } from '../domain/customer.ts';
import { customersByEmail, getCustomer } from '../store/customers.ts';
import { unpaidInvoices } from '../store/due-index.ts';
import { getInvoice, getInvoiceIdByNumber } from '../store/invoices.ts';
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

export const staffAllocationSchema = z
  .object({
    allocations: allocationsSchema,
    revision: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe("the payment's revision you read (GET /payments/{id}): applied only at it, so a retried request applies once — a payment changed since answers 409 payment_changed, unless that change was this same allocation (then its result). Without it, a retry applies again while money is unapplied"),
  })
  .strict();

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

async function applyByStaff(payment: StoredPayment, allocations: { invoiceId: string; amount: number }[], now: Date, onlyAtRevision?: number): Promise<boolean> {
  const first = await getInvoice(allocations[0]?.invoiceId ?? '');
  const customerId = payment.customerId === SUSPENSE ? first?.customerId : payment.customerId;
  if (!customerId) throw new Invalid('allocations.0.invoiceId', 'no such invoice');
  const targets = await loadTargets(customerId, payment.currency, allocations);
  const sum = allocations.reduce((s, a) => s + a.amount, 0);
  if (sum > payment.unapplied) {
    throw new Invalid('allocations', `sum ${sum} exceeds the unapplied amount ${payment.unapplied}`);
  }
  return allocateUnapplied(
    payment,
    targets,
    { outcome: 'applied', rule: 'staff_allocation', evidence: allocationEvidence(allocations) },
    now,
    'staff',
    new Map(allocations.map((a) => [a.invoiceId, a.amount])),
    [],
    onlyAtRevision,
  );
}

/**
 * A person decided on the payment as they saw it (a console form carries its `revision`): a payment that moved on
 * since — a colleague's change, another form — is a 409 naming what changed, and nothing is done. The one exception is
 * their own form arriving again (a double click, a resend after a timeout): see sameFormDone.
 */
function staleForm(payment: StoredPayment, revision: number): Conflict {
  const last = payment.decisions.at(-1);
  const what = last ? `: ${last.rule} by ${last.by} at ${last.at}` : '';
  return new Conflict(
    'payment_changed',
    `revision: the payment changed since this form was loaded (revision ${revision}, now ${payment.revision}${what}); nothing was done — reload the payment and decide again`,
    'revision',
  );
}

/**
 * Whether the change right after the form's revision is exactly what this request asks, made by the same actor (the
 * same console member; through the admin API, the API): the same form or request sent again, answered as the first
 * was (the payment as it is) instead of a 409 — nothing is done twice. A decision applied in parts moves the revision
 * more than once and is not recognised (a 409: read the payment).
 */
function sameFormDone(payment: StoredPayment, revision: number, rule: string, evidence: Record<string, string | number>): boolean {
  const staffId = actedBy().staffId;
  const last = payment.decisions.at(-1);
  return (
    payment.revision === revision + 1 &&
    last?.rule === rule &&
    last.staffId === staffId &&
    Object.entries(evidence).every(([k, v]) => last.evidence[k] === v)
  );
}

/** What staff decided, as the decision's evidence: the invoices, the total, and each invoice's amount. */
function allocationEvidence(allocations: { invoiceId: string; amount: number }[]): Record<string, string | number> {
  return {
    invoices: allocations.map((a) => a.invoiceId).join(','),
    amount: allocations.reduce((s, a) => s + a.amount, 0),
    amounts: allocations.map((a) => `${a.invoiceId}:${a.amount}`).join(','),
  };
}

/**
 * POST /payments/{id}/allocations: apply money waiting in review, by hand. With `expected.revision` (the console's
 * form) only at that revision of the payment, so a form sent twice applies once (see staleForm, sameFormDone).
 */
export async function allocateByStaff(paymentId: string, allocations: { invoiceId: string; amount: number }[], now: Date, expected?: { revision: number }) {
  const payment = await getPayment(paymentId);
  if (!payment) throw new NotFound(`payment ${paymentId} not found`);
  if (expected && payment.revision !== expected.revision) {
    if (sameFormDone(payment, expected.revision, 'staff_allocation', allocationEvidence(allocations))) return payment;
    throw staleForm(payment, expected.revision);
  }
  if (payment.unapplied === 0) throw new Conflict('nothing_unapplied', 'payment has no unapplied amount');
  const applied = await applyByStaff(payment, allocations, now, expected?.revision);
  const after = (await getPayment(paymentId)) as StoredPayment;
  // Lost the race to a concurrent change: the same form sent twice at once (the other copy applied it), or another.
  if (!applied && expected && !sameFormDone(after, expected.revision, 'staff_allocation', allocationEvidence(allocations))) throw staleForm(after, expected.revision);
  return after;
}

/**
 * POST /payments/{id}/allocations/{invoiceId}/reverse: the invoice reopens; the money waits in review. With
 * `expected.revision` (the console's form) only at that revision of the payment (see staleForm).
 */
export async function reverseByStaff(paymentId: string, invoiceId: string, now: Date, expected?: { revision: number }) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const payment = await getPayment(paymentId);
    if (!payment) throw new NotFound(`payment ${paymentId} not found`);
    if (expected && payment.revision !== expected.revision) {
      if (sameFormDone(payment, expected.revision, 'staff_reversal', { invoiceId })) return payment;
      throw staleForm(payment, expected.revision);
    }
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
          ...actedBy(),
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

/** The most unpaid invoices the console's allocation form lists (a payment takes at most 20 at once). */
const FORM_INVOICES = 50;
/** The most customers a search by address lists to choose from. */
const FOUND_CUSTOMERS = 10;

export interface AllocationChoices {
  /** The customer whose invoices the form lists: the payment's own, or (money in suspense) the one staff picked. */
  customer?: Customer;
  /** That customer's unpaid invoices in the payment's currency, oldest due first (at most FORM_INVOICES). */
  invoices: Invoice[];
  /** Money in suspense, searched by address or invoice number: the customers found (several → staff pick one). */
  found?: Customer[];
  /** The matcher's suggestions (best first) with their invoices as they are now (paid ones left out). */
  suggested: { invoice: Invoice; reason: string; score: number }[];
  /** The numbers of the invoices the payment is applied to (id → number). */
  allocatedNumbers: Record<string, string>;
}

/**
 * What staff may apply a payment in review to (the console's allocation form), by the same rule allocateByStaff
 * enforces: the payment's own customer's invoices; money in suspense (no customer known) goes to any one customer's
 * invoices — staff pick the customer (`customerId`, e.g. from a suggestion) or find them by address or invoice number
 * (`find`). Reads only.
 */
export async function allocationChoices(paymentId: string, pick: { customerId?: string; find?: string }): Promise<AllocationChoices> {
  const payment = await getPayment(paymentId);
  if (!payment) throw new NotFound(`payment ${paymentId} not found`);
  // Keyed reads in parallel: at most 5 suggestions of a few invoices each, and the payment's own allocations.
  const candidates = (payment.suggestions ?? []).slice(0, 5).flatMap((s) => s.invoiceIds.map((id) => ({ id, s })));
  const read = new Map((await Promise.all([...new Set([...candidates.map((c) => c.id), ...payment.allocations.map((a) => a.invoiceId)])].map(getInvoice))).flatMap((i) => (i ? [[i.id, i] as const] : [])));
  const suggested: AllocationChoices['suggested'] = [];
  for (const { id, s } of candidates) {
    const invoice = read.get(id);
    if (invoice && invoice.balanceDue > 0 && !suggested.some((x) => x.invoice.id === id)) suggested.push({ invoice, reason: s.reason, score: s.score });
  }
  let found: Customer[] | undefined;
  let customer: Customer | undefined;
  if (payment.customerId !== SUSPENSE) {
    customer = await getCustomer(payment.customerId);
  } else if (pick.customerId) {
    customer = await getCustomer(pick.customerId);
    if (!customer) throw new Invalid('customer', 'no such customer');
  } else if (pick.find?.trim()) {
    found = await customersFoundBy(pick.find.trim());
    if (found.length === 1) customer = found[0];
  }
  const invoices = customer ? (await unpaidInvoices(customer.id)).filter((i) => i.currency === payment.currency).slice(0, FORM_INVOICES) : [];
  const allocatedNumbers = Object.fromEntries(payment.allocations.flatMap((a) => { const i = read.get(a.invoiceId); return i ? [[i.id, i.number]] : []; }));
  return { ...(customer ? { customer } : {}), invoices, ...(found ? { found } : {}), suggested, allocatedNumbers };
}

/** Customers by address (an `@` in it) or by one of their invoices' number (or id). */
async function customersFoundBy(text: string): Promise<Customer[]> {
  if (text.length > 320) throw new Invalid('find', 'too long: an e-mail address or an invoice number');
  if (text.includes('@')) return customersByEmail(text, FOUND_CUSTOMERS);
  const invoice = await getInvoice((await getInvoiceIdByNumber(text)) ?? text);
  const customer = invoice ? await getCustomer(invoice.customerId) : undefined;
  return customer ? [customer] : [];
}

/**
 * What a signed-in customer reads and does in the portal, always scoped to that customer: another customer's invoice
 * or payment is NotFound, exactly like an unknown id. Reuses the queries the staff API uses.
 */
import { createHash } from 'node:crypto';
import Stripe from 'stripe';
import type { Customer } from '../domain/customer.ts';
import type { Invoice } from '../domain/invoice.ts';
import type { PaymentPlan } from '../domain/plans.ts';
import type { LedgerEntry } from '../domain/ledger.ts';
import { createCheckoutSession } from '../adapters/stripe-checkout.ts';
import { getSecret } from '../adapters/secrets.ts';
import { logger } from '../logger.ts';
import { getAppliedPayments, getInvoice, listInvoices } from '../store/invoices.ts';
import { ledgerEntries } from '../store/ledger.ts';
import { mailHistory, type MailMessage } from '../store/mail.ts';
import { paymentsOfCustomer, type StoredPayment } from '../store/payments.ts';
import { plansOfCustomer } from '../store/plans.ts';
import { allPages } from '../store/table.ts';
import { cardPaymentProblem } from './card-payment.ts';
import { Invalid, NotFound } from './errors.ts';
import { customerView, unpaidInvoicesOf } from './queries.ts';

export interface AccountOverview {
  unpaid: Invoice[];
  /** Per currency: owed (receivable) and credit (what we owe them), minor units. */
  balances: { currency: string; owed: number; credit: number }[];
  activePlans: PaymentPlan[];
}

export async function accountOverview(customer: Customer): Promise<AccountOverview> {
  const [unpaid, view, plans] = await Promise.all([unpaidInvoicesOf(customer.id), customerView(customer.id), plansOfCustomer(customer.id)]);
  const receivable = view.balances.receivable ?? {};
  const credit = view.balances.customer_credit ?? {};
  const currencies = [...new Set([...Object.keys(receivable), ...Object.keys(credit), ...unpaid.map((i) => i.currency)])].sort();
  return {
    unpaid,
    balances: currencies.map((currency) => ({ currency, owed: Math.max(0, receivable[currency] ?? 0), credit: Math.max(0, credit[currency] ?? 0) })),
    activePlans: plans.filter((p) => p.status === 'active' || p.status === 'pending_approval'),
  };
}

export type InvoiceFilter = 'open' | 'paid' | 'all';

export function invoiceFilter(raw: string | undefined): InvoiceFilter {
  if (raw === undefined || raw === '') return 'open';
  if (raw === 'open' || raw === 'paid' || raw === 'all') return raw;
  throw new Invalid('status', 'must be open, paid or all');
}

/** The customer's invoices (newest due date first), filtered: open = anything with a balance. */
export async function customerInvoices(customer: Customer, filter: InvoiceFilter): Promise<Invoice[]> {
  const all = await allPages((cursor) => listInvoices({ customerId: customer.id }, 250, cursor), 2000);
  const chosen = all.filter((i) => filter === 'all' || (filter === 'paid' ? i.status === 'paid' : i.status !== 'paid'));
  return chosen.sort((a, b) => (a.dueDate === b.dueDate ? b.number.localeCompare(a.number) : b.dueDate.localeCompare(a.dueDate)));
}

/** An invoice of this customer, or NotFound (also for another customer's). */
export async function customerInvoice(customer: Customer, id: string): Promise<Invoice> {
  const invoice = id.length <= 100 ? await getInvoice(id) : undefined;
  if (!invoice || invoice.customerId !== customer.id) throw new NotFound(`invoice ${id} not found`);
  return invoice;
}

export interface InvoiceDetail {
  invoice: Invoice;
  payments: { paymentId: string; amount: number; appliedAt: string }[];
  reminders: Pick<MailMessage, 'key' | 'kind' | 'subject' | 'createdAt' | 'step'>[];
  charges: Pick<LedgerEntry, 'type' | 'amount' | 'currency' | 'bookedAt'>[];
}

export async function invoiceDetail(customer: Customer, id: string): Promise<InvoiceDetail> {
  const invoice = await customerInvoice(customer, id);
  const [payments, mails, entries] = await Promise.all([getAppliedPayments(invoice.id), mailHistory(customer.id), ledgerEntries(customer.id)]);
  return {
    invoice,
    payments,
    reminders: mails
      .filter((m) => m.invoiceIds?.includes(invoice.id) && (m.kind.startsWith('reminder') || m.step !== undefined))
      .map((m) => ({ key: m.key, kind: m.kind, subject: m.subject, createdAt: m.createdAt, ...(m.step ? { step: m.step } : {}) })),
    charges: entries
      .filter((e) => e.invoiceId === invoice.id && (e.type === 'interest_charged' || e.type === 'late_fee_charged'))
      .map((e) => ({ type: e.type, amount: e.amount, currency: e.currency, bookedAt: e.bookedAt })),
  };
}

/** The customer's payments, newest first. */
export async function customerPayments(customer: Customer): Promise<StoredPayment[]> {
  return (await paymentsOfCustomer(customer.id)).sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
}

export type PortalPayment =
  | { kind: 'checkout'; url: string }
  | { kind: 'card_unavailable'; reason: string; invoices: Invoice[] }
  | { kind: 'nothing_due' };

/**
 * `POST /portal/pay`: one Stripe Checkout Session for the balances of the chosen invoices (one line item each, in one
 * currency; metadata `invoice_ids`, which cash application applies in this order). Idempotent per selection and
 * balances (the key hashes the sorted ids and amounts). When Stripe cannot charge a balance exactly, or refuses the
 * session, the answer is `card_unavailable` (the page shows bank transfer instead).
 */
export async function payInvoices(customer: Customer, invoiceIds: readonly string[], returnUrl: string): Promise<PortalPayment> {
  const ids = [...new Set(invoiceIds)];
  if (ids.length === 0) throw new Invalid('invoiceIds', 'choose at least one invoice to pay');
  if (ids.length > 20) throw new Invalid('invoiceIds', 'choose at most 20 invoices at once');
  const invoices = await Promise.all(ids.map((id) => customerInvoice(customer, id)));
  const due = invoices.filter((i) => i.balanceDue > 0);
  if (due.length === 0) return { kind: 'nothing_due' };
  const currencies = new Set(due.map((i) => i.currency));
  if (currencies.size > 1) throw new Invalid('invoiceIds', 'choose invoices in one currency (pay each currency separately)');
  const problem = due.map((i) => cardPaymentProblem(i)).find((p) => p !== undefined);
  if (problem) return { kind: 'card_unavailable', reason: problem, invoices: due };
  const sorted = [...due].sort((a, b) => a.id.localeCompare(b.id));
  const key = createHash('sha256').update(JSON.stringify(sorted.map((i) => [i.id, i.balanceDue, i.currency]))).digest('hex').slice(0, 40);
  try {
    const url = await createCheckoutSession(await getSecret('STRIPE_API_KEY'), {
      invoices: due.map((i) => ({ id: i.id, number: i.number, amount: i.balanceDue })),
      currency: due[0]!.currency,
      returnUrl,
      customerEmail: customer.email,
      idempotencyKey: `portal-checkout:${key}`,
    });
    return { kind: 'checkout', url };
  } catch (error) {
    if (error instanceof Stripe.errors.StripeInvalidRequestError) {
      logger.error('Stripe refused the portal checkout session; card payment not offered', { code: error.code, param: error.param, stripeMessage: error.message });
      return { kind: 'card_unavailable', reason: `Stripe: ${error.message}`, invoices: due };
    }
    throw error;
  }
}

/** The numbers of this customer's invoices among `ids` (another customer's are left out). */
export async function invoiceNumbersOf(customer: Customer, ids: Iterable<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const id of new Set(ids)) {
    const invoice = await getInvoice(id);
    if (invoice && invoice.customerId === customer.id) out.set(id, invoice.number);
  }
  return out;
}

/** NotFound unless every id is one of this customer's invoices (the same answer as for an unknown id). */
export async function assertOwnInvoices(customer: Customer, ids: readonly string[]): Promise<void> {
  for (const id of ids) await customerInvoice(customer, id);
}

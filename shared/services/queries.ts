/**
 * What the API reads, as use cases: an invoice, a customer, a payment or a plan as the API shows it (without the
 * stored request hash), the paginated listings (their cursors signed and bound to the listing, see cursor.ts), the
 * unpaid invoices a customer may put in a plan and the day's letters. Handlers call these and never the store.
 */
import { balances as ledgerBalances } from '../domain/ledger.ts';
import type { Invoice, InvoiceStatus } from '../domain/invoice.ts';
import { unpaidInvoices } from '../store/due-index.ts';
import { lettersOf, type Letter } from '../store/letters.ts';
import { getCustomer } from '../store/customers.ts';
import { getAppliedPayments, getInvoice, listInvoices } from '../store/invoices.ts';
import { ledgerEntries } from '../store/ledger.ts';
import { countPayments, getFacts, getPayment, listPayments, type PaymentStatus } from '../store/payments.ts';
import { countPlansByStatus, getPlan } from '../store/plans.ts';
import { countOpenSupportRequests } from '../store/support-requests.ts';
import { cursorScope, decodeCursor, encodeCursor } from './cursor.ts';
import { NotFound } from './errors.ts';
import { shown } from './review.ts';

/** An invoice as the API shows it, with the payments applied to it. */
async function invoiceBody(invoice: Invoice) {
  return { ...invoice, appliedPayments: await getAppliedPayments(invoice.id) };
}

/** GET /invoices/{id}. */
export async function invoiceView(id: string) {
  const invoice = await getInvoice(id);
  if (!invoice) throw new NotFound(`invoice ${id} not found`);
  return invoiceBody(invoice);
}

/** A just issued invoice as the API shows it; read again when something (customer credit) changed it since. */
export async function issuedInvoiceView(invoice: Invoice, changedSince: boolean) {
  return invoiceBody(changedSince ? ((await getInvoice(invoice.id)) ?? invoice) : invoice);
}

/** GET /invoices: by customer, by status or both; a status alone lists across customers. */
export async function invoicePage(q: { customerId?: string; status?: InvoiceStatus; limit: number; cursor?: string }) {
  // The cursor is bound to the filter that issued it: another customer's or another status's is refused.
  const scope = cursorScope('GET /invoices', { customerId: q.customerId, status: q.status });
  const page = await listInvoices({ customerId: q.customerId, status: q.status }, q.limit, await decodeCursor(scope, q.cursor));
  const items = q.customerId && q.status ? page.items : page.items.filter((i) => !q.status || i.status === q.status);
  return { items, nextCursor: await encodeCursor(scope, page.lastKey) };
}

/**
 * GET /customers/{id}: the profile with balances derived from the append-only ledger, per account and currency:
 * what they owe (receivable), what we owe them (customer_credit), and money of theirs still waiting in review
 * (unapplied).
 */
export async function customerView(id: string) {
  const customer = await getCustomer(id);
  if (!customer) throw new NotFound(`customer ${id} not found`);
  const balances: Record<string, Record<string, number>> = {};
  for (const [key, amount] of ledgerBalances(await ledgerEntries(id))) {
    const [account, currency] = key.split('/') as [string, string];
    (balances[account] ??= {})[currency] = amount;
  }
  return { ...customer, balances };
}

/** GET /payments: one status, oldest first. */
export async function paymentPage(q: { status: PaymentStatus; limit: number; cursor?: string }) {
  const scope = cursorScope('GET /payments', { status: q.status });
  const page = await listPayments(q.status, q.limit, await decodeCursor(scope, q.cursor));
  return { items: page.items.map(shown), nextCursor: await encodeCursor(scope, page.lastKey) };
}

/** GET /payments/{id}: the payment with the facts its decisions were made on. */
/** How many payments wait in review (money not yet applied: status `unapplied`), for the operators' gauge. */
export async function reviewQueueLength(): Promise<number> {
  return countPayments('unapplied');
}

/** How many payment plans wait for staff's approval (status `pending_approval`): counted on their index, not read. */
export async function plansAwaitingApproval(): Promise<number> {
  return countPlansByStatus('pending_approval');
}

/** Customers' questions waiting for staff (the console's counter). */
export async function questionsAwaitingAnswer(): Promise<number> {
  return countOpenSupportRequests();
}

export async function paymentView(id: string) {
  const payment = await getPayment(id);
  if (!payment) throw new NotFound(`payment ${id} not found`);
  return { ...shown(payment), facts: (await getFacts(id)).facts };
}

/** GET /payment-plans/{id}. */
export async function planView(id: string) {
  const plan = await getPlan(id);
  if (!plan) throw new NotFound(`plan ${id} not found`);
  return plan;
}

/** A customer's unpaid invoices, oldest due date first. */
export async function unpaidInvoicesOf(customerId: string): Promise<Invoice[]> {
  return unpaidInvoices(customerId);
}

/** The letters written on a day (the print run), in customer order. */
export async function lettersWrittenOn(date: string): Promise<Letter[]> {
  return lettersOf(date);
}

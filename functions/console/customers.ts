/**
 * The console's customers: find a customer (GET /console/customers?q=), the collector's page on a customer, the page
 * on an invoice, and the actions taken there — resolve a dispute, grant an extension, place and release a hold —
 * through the same casework services and request schemas as the admin API (shared/services/casework.ts). Thin: the
 * services decide (console-customers.ts reads), shared/domain/console/customers.ts renders, the console's edge
 * (shared/http/console.ts) checks the session, CSRF and role, runs each action as the member (recorded by the
 * services through `actedBy`) and maps problems to pages naming the field. Every POST answers 303 back with a notice.
 */
import { createHash } from 'node:crypto';
import { localDate } from '../../shared/domain/dates.ts';
import {
  customerMeta,
  customerNotice,
  customerPageBody,
  customerSearchBody,
  invoiceMeta,
  invoicePageBody,
  type CustomerNotice,
} from '../../shared/domain/console/customers.ts';
import { mayChange } from '../../shared/domain/console/staff.ts';
import { parse } from '../../shared/http/api.ts';
import { consoleCustomerQuery, consoleCustomersQuery, consoleInvoiceQuery } from '../../shared/http/contract/requests.ts';
import { consolePage, redirect, type ConsoleContext, type ConsoleRoute } from '../../shared/http/console.ts';
import { extensionSchema, grantExtension, holdSchema, placeHold, releaseHold, resolveDispute, resolveDisputeSchema } from '../../shared/services/casework.ts';
import { customerFile, findCustomers, formAmountFor, holdEndFromForm, invoiceFile, MAX_SEARCH_CHARS } from '../../shared/services/console-customers.ts';
import { Invalid } from '../../shared/services/errors.ts';

const param = (ctx: ConsoleContext, name: string) => ctx.event.pathParameters?.[name] ?? '';
const field = (ctx: ConsoleContext, name: string) => (ctx.form.get(name) ?? '').trim();
const customerPath = (id: string, notice?: CustomerNotice) => `/console/customers/${encodeURIComponent(id)}${notice ? `?notice=${notice}` : ''}`;
const invoicePath = (id: string, notice?: CustomerNotice) => `/console/invoices/${encodeURIComponent(id)}${notice ? `?notice=${notice}` : ''}`;

/** The record version a form was shown with (a hidden field): a whole number, else the form is not one of ours. */
function formVersion(ctx: ConsoleContext): number {
  const raw = field(ctx, 'version');
  if (!/^\d{1,15}$/.test(raw)) throw new Invalid('version', 'missing or not a number: reload the page and send the form again');
  return Number(raw);
}

export const customerRoutes: Record<string, ConsoleRoute> = {
  'GET /console/customers': async (ctx) => {
    const q = parse(consoleCustomersQuery, ctx.query).q ?? '';
    const matches = await findCustomers(q);
    return consolePage(ctx, { title: 'Customers', current: 'customers', body: customerSearchBody({ q, matches, maxChars: MAX_SEARCH_CHARS }) });
  },

  'GET /console/customers/{id}': async (ctx) => {
    const query = parse(consoleCustomerQuery, ctx.query);
    const file = await customerFile(param(ctx, 'id'), query.history || undefined);
    const history = file.history ? { ...file.history, first: query.history === 'all' } : undefined;
    const c = file.customer;
    const body = customerPageBody({
      customer: c,
      balances: file.balances,
      openInvoices: file.openInvoices,
      payments: file.payments,
      invoiceNumbers: file.invoiceNumbers,
      paymentCount: file.paymentCount,
      plans: file.plans,
      recent: file.recent,
      history,
      staffNames: file.staffNames,
      today: localDate(ctx.now, c.timeZone),
      now: ctx.now,
      csrf: ctx.session.csrf,
      canChange: mayChange(ctx.staff.role),
      notice: customerNotice(query.notice),
    });
    return consolePage(ctx, { title: c.name, current: 'customers', body, meta: customerMeta(c) });
  },

  'GET /console/invoices/{id}': async (ctx) => {
    const query = parse(consoleInvoiceQuery, ctx.query);
    const file = await invoiceFile(param(ctx, 'id'));
    const { invoice, customer } = file;
    const body = invoicePageBody({
      invoice,
      customer,
      payments: file.detail.payments,
      reminders: file.detail.reminders,
      charges: file.detail.charges,
      disputes: file.disputes,
      decisions: file.decisions,
      plan: file.plan,
      staffNames: file.staffNames,
      today: localDate(ctx.now, customer.timeZone),
      csrf: ctx.session.csrf,
      canChange: mayChange(ctx.staff.role),
      notice: customerNotice(query.notice),
    });
    return consolePage(ctx, { title: `Invoice ${invoice.number}`, current: 'customers', body, meta: invoiceMeta(invoice, customer) });
  },

  'POST /console/disputes/{id}/resolve': async (ctx) => {
    // The invoice the form was shown on: a chargeback's dispute lives on the invoice only (the API's `?invoiceId=`).
    const invoiceId = field(ctx, 'invoiceId');
    if (!invoiceId) throw new Invalid('invoiceId', 'missing: reload the invoice page and send the form again');
    const typed = field(ctx, 'amount');
    const amount = typed ? await formAmountFor(invoiceId, typed, 'amount') : undefined;
    const input = parse(resolveDisputeSchema, { outcome: field(ctx, 'outcome'), explanation: field(ctx, 'explanation'), ...(amount !== undefined ? { amount } : {}) });
    const { invoice } = await resolveDispute(param(ctx, 'id'), input, invoiceId, ctx.now);
    return redirect(invoicePath(invoice.id, input.outcome === 'upheld' ? 'dispute_upheld' : 'dispute_rejected'));
  },

  'POST /console/invoices/{id}/extensions': async (ctx) => {
    const id = param(ctx, 'id');
    const version = formVersion(ctx);
    const input = parse(extensionSchema, { newDueDate: field(ctx, 'newDueDate'), reason: field(ctx, 'reason') });
    // Conditional on the invoice being as the form showed it (a stale form: 409 naming what changed); a resend of the
    // same date is the same extension.
    await grantExtension(id, input, ctx.now, version);
    return redirect(invoicePath(id, 'extension_granted'));
  },

  'POST /console/customers/{id}/holds': async (ctx) => {
    const id = param(ctx, 'id');
    const version = formVersion(ctx);
    const expiresAt = await holdEndFromForm(id, field(ctx, 'expiresAt'));
    const input = parse(holdSchema, { reason: field(ctx, 'reason'), ...(expiresAt ? { expiresAt } : {}) });
    // A double submit of the same form is one hold: the key is the customer's version the form was shown with and
    // what it says (another hold from the same page, with other words, is another hold).
    const key = `console:${version}:${createHash('sha256').update(`${input.reason}\n${input.expiresAt ?? ''}`).digest('hex').slice(0, 32)}`;
    await placeHold(id, input, key, ctx.now);
    return redirect(customerPath(id, 'hold_placed'));
  },

  'POST /console/customers/{id}/holds/{holdId}/release': async (ctx) => {
    const id = param(ctx, 'id');
    // Releasing a released hold changes nothing (the same answer).
    await releaseHold(id, param(ctx, 'holdId'), ctx.now);
    return redirect(customerPath(id, 'hold_released'));
  },
};

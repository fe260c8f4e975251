import { HttpError, parse } from '../../shared/http/api.ts';
import { consolePage, redirect, type ConsoleContext, type ConsoleRoute } from '../../shared/http/console.ts';
import { consolePaymentQuery, consoleReviewQuery, paymentListQuery } from '../../shared/http/contract/requests.ts';
import { SUSPENSE } from '../../shared/domain/ledger.ts';
import { mayChange } from '../../shared/domain/console/staff.ts';
import {
  parseTypedAmount,
  paymentBody,
  paymentHref,
  paymentNotice,
  paymentTitle,
  reviewQueueBody,
  reviewQueueMeta,
  type PaymentPageInvoice,
} from '../../shared/domain/console/payments.ts';
import { recordMetric } from '../../shared/metrics.ts';
import { staffNames } from '../../shared/services/console-casework.ts';
import { Invalid, UseCaseError } from '../../shared/services/errors.ts';
import { paymentPage, paymentView, reviewQueueLength } from '../../shared/services/queries.ts';
import { allocateByStaff, allocationChoices, reverseByStaff, staffAllocationSchema } from '../../shared/services/review.ts';

/** Rows of the review queue per page. */
const QUEUE_PAGE = 25;
/** The highest row index a form may name (the form lists at most 50 invoices). */
const MAX_ROW = 199;

const pathId = (ctx: ConsoleContext, name: string) => ctx.event.pathParameters?.[name] ?? '';
const invoiceRow = (i: PaymentPageInvoice): PaymentPageInvoice => ({
  id: i.id,
  number: i.number,
  customerId: i.customerId,
  currency: i.currency,
  dueDate: i.dueDate,
  balanceDue: i.balanceDue,
  status: i.status,
});
const person = (c: { id: string; name: string; email: string }) => ({ id: c.id, name: c.name, email: c.email });

/** The payment's revision the form was rendered at (every payment form carries it: the services act only on it). */
function formRevision(form: URLSearchParams): number {
  const text = form.get('revision') ?? '';
  if (!/^\d{1,9}$/.test(text)) throw new Invalid('revision', 'missing or not a number: reload the payment and try again');
  return Number(text);
}

/**
 * The allocation form's rows (`allocations.<k>.invoiceId`, `allocations.<k>.amount`, k the row on the page) with an
 * amount typed, the amounts parsed in the payment's currency. Errors name the form's own field (the row k).
 */
function typedAllocations(form: URLSearchParams, currency: string): { rows: number[]; allocations: { invoiceId: string; amount: number }[] } {
  const rows: number[] = [];
  const allocations: { invoiceId: string; amount: number }[] = [];
  const indexes = new Set<number>();
  for (const key of form.keys()) {
    const k = /^allocations\.(\d{1,3})\.amount$/.exec(key)?.[1];
    if (k !== undefined && Number(k) <= MAX_ROW) indexes.add(Number(k));
  }
  for (const k of [...indexes].sort((a, b) => a - b)) {
    const text = (form.get(`allocations.${k}.amount`) ?? '').trim();
    if (text === '') continue;
    const invoiceId = form.get(`allocations.${k}.invoiceId`) ?? '';
    if (!invoiceId) throw new Invalid(`allocations.${k}.invoiceId`, 'missing: reload the payment and try again');
    const typed = parseTypedAmount(text, currency);
    if (!typed.ok) throw new Invalid(`allocations.${k}.amount`, typed.detail);
    rows.push(k);
    allocations.push({ invoiceId, amount: typed.amount });
  }
  if (allocations.length === 0) throw new Invalid('allocations', 'type an amount for at least one invoice');
  return { rows, allocations };
}

/**
 * A problem the schema or the service names by the position in the list it was given (`allocations.<i>.…`), named
 * instead by the form's row (`allocations.<k>.…`): the field the person sees.
 */
function inFormRows<T>(rows: number[], work: () => Promise<T>): Promise<T> {
  const rename = (field: string | undefined) => {
    const match = field ? /^allocations\.(\d+)(\..+)?$/.exec(field) : null;
    const row = match ? rows[Number(match[1])] : undefined;
    return match && row !== undefined ? `allocations.${row}${match[2] ?? ''}` : undefined;
  };
  return work().catch((error: unknown) => {
    const invalid = (error instanceof UseCaseError && error.kind === 'invalid') || (error instanceof HttpError && error.statusCode === 400);
    const field = invalid ? (error as { field?: string }).field : undefined;
    const renamed = rename(field);
    if (!renamed || !field) throw error;
    const message = (error as Error).message;
    throw new Invalid(renamed, message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message);
  });
}

/** Console routes: the payments to review, one payment, and allocating or reversing by hand. */
export const paymentRoutes: Record<string, ConsoleRoute> = {
  'GET /console/review': async (ctx) => {
    const query = parse(consoleReviewQuery, ctx.query);
    const q = parse(paymentListQuery, { status: 'unapplied', limit: String(QUEUE_PAGE), ...(query.cursor ? { cursor: query.cursor } : {}) });
    const [page, waiting] = await Promise.all([paymentPage(q), reviewQueueLength()]);
    const notice = paymentNotice(query.notice);
    return consolePage(ctx, {
      title: 'Payments to review',
      current: 'review',
      meta: reviewQueueMeta(waiting),
      body: reviewQueueBody({
        rows: page.items.map((p) => ({
          id: p.id,
          amount: p.amount,
          currency: p.currency,
          receivedAt: p.receivedAt,
          source: p.source,
          method: p.method,
          unapplied: p.unapplied,
          ...(p.payerName ? { payerName: p.payerName } : {}),
          ...(p.remittanceText ? { remittanceText: p.remittanceText } : {}),
          ...(p.references?.length ? { references: p.references } : {}),
          ...(p.decision.reason ? { reason: p.decision.reason } : {}),
          rule: p.decision.rule,
          suggestions: (p.suggestions ?? []).map((s) => ({ invoiceIds: s.invoiceIds, reason: s.reason })),
        })),
        waiting,
        ...(page.nextCursor ? { nextHref: `/console/review?cursor=${encodeURIComponent(page.nextCursor)}` } : {}),
        paged: Boolean(query.cursor),
        ...(notice ? { notice } : {}),
      }),
    });
  },

  'GET /console/payments/{id}': async (ctx) => {
    const id = pathId(ctx, 'id');
    const query = parse(consolePaymentQuery, ctx.query);
    const payment = await paymentView(id);
    const find = query.find?.trim() || undefined;
    const [choices, names] = await Promise.all([
      allocationChoices(id, { ...(query.customer ? { customerId: query.customer } : {}), ...(find ? { find } : {}) }),
      // Who acted: members by name from the directory (a removed member shows as their id).
      staffNames(payment.decisions.map((d) => d.staffId)),
    ]);
    const notice = paymentNotice(query.notice);
    return consolePage(ctx, {
      title: paymentTitle(payment),
      current: 'review',
      body: paymentBody({
        // The stored payment as it is (the page reads what it shows); `applying` only as a flag.
        payment: { ...payment, applying: payment.applying !== undefined },
        invoiceNumbers: choices.allocatedNumbers,
        ...(choices.customer ? { customer: person(choices.customer) } : {}),
        suspense: payment.customerId === SUSPENSE,
        invoices: choices.invoices.map(invoiceRow),
        ...(choices.found ? { found: choices.found.map(person) } : {}),
        ...(find ? { find } : {}),
        suggested: choices.suggested.map((s) => ({ invoice: invoiceRow(s.invoice), reason: s.reason, score: s.score })),
        staffNames: Object.fromEntries(names),
        mayChange: mayChange(ctx.staff.role),
        csrf: ctx.session.csrf,
        ...(notice ? { notice } : {}),
      }),
    });
  },

  'POST /console/payments/{id}/allocations': async (ctx) => {
    const id = pathId(ctx, 'id');
    const revision = formRevision(ctx.form);
    const payment = await paymentView(id);
    const { rows, allocations } = typedAllocations(ctx.form, payment.currency);
    await inFormRows(rows, async () => {
      // The admin API's body rules (POST /payments/{id}/allocations), then the same service, at the form's revision.
      const input = parse(staffAllocationSchema, { allocations });
      await allocateByStaff(id, input.allocations, ctx.now, { revision });
    });
    recordMetric('PaymentsAllocatedByStaff');
    return redirect(`${paymentHref(id)}?notice=allocated`);
  },

  'POST /console/payments/{id}/allocations/{invoiceId}/reverse': async (ctx) => {
    const id = pathId(ctx, 'id');
    const revision = formRevision(ctx.form);
    await reverseByStaff(id, pathId(ctx, 'invoiceId'), ctx.now, { revision });
    recordMetric('PaymentsReversedByStaff');
    return redirect(`${paymentHref(id)}?notice=reversed`);
  },
};

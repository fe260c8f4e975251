/**
 * Promises to pay (rules: shared/domain/promises.ts). A customer promises in the portal; reminders and escalation for
 * that invoice pause until the promised date plus the grace days; the payment path settles a promise as kept the
 * moment the balance keeps it (shared/store/payments.ts), the reminder run settles the rest when the invoice's next
 * action comes due (kept, or broken: the ladder resumes with the step now due and the mail says so kindly). Staff list
 * them with GET /promises.
 */
import { z } from 'zod';
import { actionShard } from '../domain/collections.ts';
import type { Customer } from '../domain/customer.ts';
import { addDays, isCalendarDate, localDate } from '../domain/dates.ts';
import { minorUnitsFromDecimal, newPromise, PROMISE_MAX_DAYS, promiseGraceDays, promiseRefusal, type InvoicePromise } from '../domain/promises.ts';
import { renderNotice } from '../domain/notice-mail.ts';
import { promiseMadeEvent } from '../domain/events/casework-events.ts';
import { Conflict, Invalid, NotFound } from './errors.ts';
import { cursorScope, decodeCursor, encodeCursor, MAX_CURSOR_CHARS } from './cursor.ts';
import { linkSigner } from './links.ts';
import { mailFrame } from './mail-frame.ts';
import { deliverSoon } from './outbox.ts';
import { stableId } from './ids.ts';
import { getInvoice } from '../store/invoices.ts';
import { newMail } from '../store/mail.ts';
import { commitNewPromise, getPromise, promisesPage, type StoredPromise } from '../store/promises.ts';
import { ACTION_SHARDS } from '../topology.ts';

export const promiseInputSchema = z
  .object({
    date: z.string().refine(isCalendarDate, 'must be a calendar date YYYY-MM-DD'),
    amount: z.number().int('must be an integer in minor units').positive('must be positive').refine(Number.isSafeInteger, 'too large').optional(),
  })
  .strict();

function refusal(r: NonNullable<ReturnType<typeof promiseRefusal>>): never {
  if (r.kind === 'invalid') throw new Invalid(r.field, r.message);
  throw new Conflict(r.code, r.message);
}

/**
 * The customer promises to pay `invoiceId` by `input.date` (their calendar), optionally only `input.amount`. Another
 * customer's invoice is NotFound, like an unknown one. The same promise submitted twice (a double click) is one
 * promise: the second answers the first (`created: false`).
 */
export async function makePromise(
  customer: Customer,
  invoiceId: string,
  input: z.infer<typeof promiseInputSchema>,
  now: Date,
  source: InvoicePromise['source'],
): Promise<{ promise: StoredPromise; created: boolean }> {
  const invoice = await getInvoice(invoiceId);
  if (!invoice || invoice.customerId !== customer.id) throw new NotFound(`invoice ${invoiceId} not found`);
  // Idempotent against a double submit: the same date and amount on the same invoice version is the same promise.
  const id = stableId('prm', `promise:${invoiceId}:${invoice.version}:${input.date}:${input.amount ?? 'all'}`);
  const current = invoice.promise;
  // (An amount of the whole balance or more is a promise of the whole balance: stored without an amount.)
  const part = input.amount !== undefined && input.amount < invoice.balanceDue ? input.amount : undefined;
  if (current?.status === 'open' && current.date === input.date && current.amount === part) {
    const existing = await getPromise(current.id);
    if (existing) return { promise: existing, created: false };
  }
  const refused = promiseRefusal(invoice, input, now, customer.timeZone);
  if (refused) refusal(refused);
  const promise = newPromise(invoice, { id, date: input.date, ...(input.amount !== undefined ? { amount: input.amount } : {}), source }, now, customer.timeZone);
  const stored: StoredPromise = { ...promise, invoiceId, customerId: customer.id, invoiceNumber: invoice.number, currency: invoice.currency, balanceAtPromise: invoice.balanceDue };
  const resumeOn = addDays(input.date, promiseGraceDays(invoice) + 1);
  const mail = customer.mailSuppressed
    ? undefined
    : newMail(
        customer,
        `promise#${id}#made`,
        'promise_made',
        renderNotice({
          customerName: customer.name,
          locale: customer.locale,
          timeZone: customer.timeZone,
          notice: { kind: 'promise_made', invoiceNumber: invoice.number, amount: input.amount ?? invoice.balanceDue, currency: invoice.currency, date: input.date, resumeOn },
          preferencesLink: (await linkSigner(now)).preferences(customer),
          ...mailFrame(await linkSigner(now), customer),
        }),
        now,
        { invoiceIds: [invoiceId] },
      );
  const outcome = await commitNewPromise(
    stored,
    invoice,
    { shard: actionShard(customer.id, ACTION_SHARDS) },
    mail,
    {
      customerId: customer.id,
      invoiceId,
      kind: 'promise_made',
      subjectId: id,
      by: source,
      at: now.toISOString(),
      reason: `promised to pay by ${input.date}: reminders and escalation paused until ${promise.until}`,
      detail: { date: input.date, until: promise.until, ...(promise.amount !== undefined ? { amount: promise.amount } : {}) },
    },
    [promiseMadeEvent(stored)],
  );
  if (outcome === 'duplicate') {
    const again = await getPromise(id);
    if (again) return { promise: again, created: false };
  }
  if (outcome !== 'created') throw new Conflict('conflict', `invoice ${invoiceId} changed meanwhile (paid, disputed or promised); read it and retry`);
  await deliverSoon(mail, now);
  return { promise: stored, created: true };
}

/**
 * The portal's promise form: `date` (YYYY-MM-DD) and an optional `amount` typed in the invoice currency's major
 * units. Another customer's invoice is NotFound; a bad field is Invalid naming it.
 */
export async function promiseFromForm(
  customer: Customer,
  invoiceId: string,
  form: { date: string; amount?: string | undefined },
  now: Date,
): Promise<{ promise: StoredPromise; created: boolean }> {
  const invoice = await getInvoice(invoiceId);
  if (!invoice || invoice.customerId !== customer.id) throw new NotFound(`invoice ${invoiceId} not found`);
  if (!isCalendarDate(form.date)) throw new Invalid('date', 'must be a calendar date YYYY-MM-DD');
  const typed = form.amount?.trim();
  let amount: number | undefined;
  if (typed) {
    amount = minorUnitsFromDecimal(typed, invoice.currency);
    if (amount === undefined || amount <= 0) throw new Invalid('amount', `must be a positive amount in ${invoice.currency}, such as 120.50`);
  }
  return makePromise(customer, invoiceId, { date: form.date, ...(amount !== undefined ? { amount } : {}) }, now, 'portal');
}

export const promisesQuery = z
  .object({
    status: z.enum(['open', 'kept', 'broken'], { error: 'must be open, kept or broken' }).default('open'),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().max(MAX_CURSOR_CHARS).optional(),
  })
  .strict();

/** GET /promises?status=open|kept|broken: newest first (open by when made, kept/broken by when settled), paginated. */
export async function listPromises(query: z.infer<typeof promisesQuery>) {
  const scope = cursorScope('GET /promises', { status: query.status });
  const page = await promisesPage(query.status, query.limit, await decodeCursor(scope, query.cursor));
  return { items: page.items, nextCursor: await encodeCursor(scope, page.lastKey) };
}

/** The customer's local date today (for forms: the earliest and latest date a promise may take). */
export function promiseWindow(customer: Pick<Customer, 'timeZone'>, now: Date): { from: string; to: string } {
  const today = localDate(now, customer.timeZone);
  return { from: today, to: addDays(today, PROMISE_MAX_DAYS) };
}

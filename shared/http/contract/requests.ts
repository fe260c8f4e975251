/**
 * Request schemas that belong to no service: the admin list queries (used by their handlers from here) and the
 * fields of the HTML forms (customer links, pay page, portal), which the pages read one by one from the
 * urlencoded body; these describe them for the API contract (shared/http/openapi.ts).
 */
import { z } from 'zod';
import { isCalendarDate } from '../../domain/dates.ts';
import { MAX_CURSOR_CHARS } from '../../services/cursor.ts';

/** GET /invoices. */
export const invoiceListQuery = z
  .object({
    customerId: z.string().min(1).max(100).optional(),
    status: z.enum(['open', 'partially_paid', 'paid']).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().max(MAX_CURSOR_CHARS).optional(),
  })
  .refine((q) => q.customerId !== undefined || q.status !== undefined, {
    message: 'give customerId, status, or both',
    path: ['customerId'],
  });

/** GET /payments. */
export const paymentListQuery = z.object({
  status: z.enum(['unapplied', 'applied', 'pending']).default('unapplied'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(MAX_CURSOR_CHARS).optional(),
});

/** GET /letters. */
export const lettersQuery = z
  .object({ date: z.string().refine(isCalendarDate, 'must be a calendar date YYYY-MM-DD'), format: z.enum(['html', 'json']).default('html') })
  .strict();

// --- HTML form fields (application/x-www-form-urlencoded), as the pages read them -------------------------------

const text = (description: string) => z.string().describe(description);

/** The CSRF token every portal form carries (checked against the session). */
export const csrfField = { csrf: text('the CSRF token of the session (a hidden field of every portal form)') };

/** GET /console (the console's home): the worklist's filter and page, and a notice code after a redirect. */
export const consoleHomeQuery = z.object({
  currency: text('ISO 4217 code: the worklist in one currency (empty or absent: every currency)').optional(),
  cursor: text('the worklist page to show (from the page\'s "More customers" link)').optional(),
  notice: text('a notice code after a redirect (e.g. signed_in); unknown codes show nothing').optional(),
});

/** GET /console/customers: find a customer by an exact key. */
export const consoleCustomersQuery = z.object({
  q: z.string().max(254).describe('an e-mail address, a customer id (ours or Stripe\'s cus_…), an invoice number or id, or an RF payment reference; exact, not a name').optional(),
});

/** GET /console/customers/{id}: the customer's page. */
export const consoleCustomerQuery = z.object({
  history: z.string().max(MAX_CURSOR_CHARS).describe('the whole communication history: `all` from its start, or a later page (from the page\'s "Later entries" link); absent: the latest mails and decisions only').optional(),
  notice: text('a notice code after a redirect (hold_placed, hold_released); unknown codes show nothing').optional(),
});

/** GET /console/invoices/{id}: the invoice's page. */
export const consoleInvoiceQuery = z.object({
  notice: text('a notice code after a redirect (dispute_upheld, dispute_rejected, extension_granted); unknown codes show nothing').optional(),
});

/** GET /console/review: the review queue's page. */
export const consoleReviewQuery = z.object({
  cursor: z.string().max(MAX_CURSOR_CHARS).describe('the page to show (from the page\'s "Next page" link)').optional(),
  notice: text('a notice code after a redirect; unknown codes show nothing').optional(),
});

/** GET /console/payments/{id}: one payment; for money in suspense, the customer whose invoices the form lists. */
export const consolePaymentQuery = z.object({
  customer: z.string().max(100).describe('money in suspense: list this customer\'s unpaid invoices (e.g. from a suggestion)').optional(),
  find: z.string().max(320).describe('money in suspense: find the customer by e-mail address or invoice number').optional(),
  notice: text('a notice code after a redirect (allocated, reversed); unknown codes show nothing').optional(),
});

/** The payment's revision a console payment form was rendered at (the services act only on it: 409 otherwise). */
const paymentRevision = text('the payment\'s revision the page showed (a payment changed since refuses the form: 409; so the same form sent twice applies once)');

export const forms = {
  feedback: z.object({ rating: text('1–5').optional(), comment: text('free text, optional').optional() }),
  preferences: z.object({
    locale: text('BCP 47 locale of mails and pages').optional(),
    tone: text('reminder tone').optional(),
    cadence: text('reminder cadence').optional(),
    quietStart: text('HH:MM, quiet hours start').optional(),
    quietEnd: text('HH:MM, quiet hours end').optional(),
    letters: text('"on" to receive formal notices by post').optional(),
    preferredPaymentMethod: z.enum(['card', 'bank_transfer']).optional(),
  }),
  planRequest: z.object({
    frequency: text('weekly, biweekly or monthly').optional(),
    instalments: text('number of instalments').optional(),
    invoiceId: z.union([z.string(), z.array(z.string())]).describe('the invoices the plan covers (repeated field)').optional(),
  }),
  freshLink: z.object({
    p: text('the link purpose (pay, feedback, preferences, plan-request, portal)'),
    id: text('the link target id').optional(),
    c: text('the customer id').optional(),
    t: text('the expired or revoked token'),
  }),
  portalLogin: z.object({ email: text('the address the sign-in link is mailed to') }),
  portalSession: z.object({ c: text('the customer id from the mailed link'), t: text('the one-time sign-in token from the mailed link') }),
  consoleLogin: z.object({ email: text('the staff member\'s address the sign-in link is mailed to') }),
  consoleSession: z.object({ s: text('the staff member id from the mailed link'), t: text('the one-time sign-in token from the mailed link') }),
  csrfOnly: z.object({ ...csrfField }),
  consoleResolveDispute: z.object({
    ...csrfField,
    invoiceId: text('the invoice the dispute is on (the page\'s hidden field)'),
    outcome: z.enum(['upheld', 'rejected']).describe('upheld: a credit note; rejected: collection resumes'),
    amount: text('upheld only: the credit note in the invoice currency\'s major units ("120.50"); empty: the disputed amount, else the balance').optional(),
    explanation: text('why (mailed to the customer), at most 2000 characters'),
  }),
  consoleExtension: z.object({
    ...csrfField,
    version: text('the invoice version the page showed (a changed invoice refuses the form: 409)'),
    newDueDate: text('YYYY-MM-DD, after the due date in force, at most a year after it'),
    reason: text('why, at most 1000 characters'),
  }),
  consoleHold: z.object({
    ...csrfField,
    version: text('the customer version the page showed (with the reason: the same form sent twice places one hold)'),
    reason: text('why, at most 1000 characters'),
    expiresAt: text('YYYY-MM-DD: the last day of the hold in the customer\'s calendar; empty: until released').optional(),
  }),
  portalPay: z.object({ ...csrfField, invoiceIds: z.union([z.string(), z.array(z.string())]).describe('the invoices to pay (repeated field)') }),
  portalDispute: z.object({ ...csrfField, reason: text('dispute reason code'), message: text('what is wrong').optional(), amount: text('disputed amount, in major units').optional() }),
  portalPromise: z.object({ ...csrfField, date: text('YYYY-MM-DD: the date the customer promises to pay by'), amount: text('amount, in major units').optional() }),
  portalMessage: z.object({ ...csrfField, subject: text('subject'), message: text('the question'), invoiceId: text('an invoice the question is about').optional() }),
  consoleReply: z.object({
    ...csrfField,
    body: text('the answer (at most 4000 characters), mailed to the customer in their language'),
    close: text('"on" to close the question with this answer').optional(),
    version: text('the version of the question the page showed (a changed question refuses the form: 409)'),
  }),
  consoleClose: z.object({ ...csrfField, version: text('the version of the question the page showed (a changed question refuses the form: 409)') }),
  consoleAllocation: z.looseObject({
    ...csrfField,
    revision: paymentRevision,
    'allocations.0.invoiceId': text('row 0 (then 1, 2, …): an invoice of the customer (the rows the page lists)').optional(),
    'allocations.0.amount': text('row 0 (then 1, 2, …): the amount to apply, in the currency\'s major units as en-GB writes them ("1,234.50", "1234.5"); empty: not this invoice').optional(),
  }),
  consoleReverse: z.object({ ...csrfField, revision: paymentRevision }),
};

/** POST /webhooks/stripe: a Stripe event as Stripe sends it (verified over the raw bytes with `Stripe-Signature`). */
export const stripeEvent = z.looseObject({
  id: z.string().describe('evt_…'),
  type: z.string().describe('payment_intent.succeeded, charge.refunded, charge.dispute.created, checkout.session.completed, …'),
  data: z.looseObject({ object: z.looseObject({}) }),
});

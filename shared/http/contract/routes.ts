/**
 * The contract of every HTTP route of the topology (`METHOD /path`, as shared/topology.ts names it): its request
 * (query, body), its answers by status, and which client errors it can give. Request schemas are the ones the
 * handlers validate with (imported from where they live); response schemas are in ./responses.ts. The OpenAPI
 * document (shared/http/openapi.ts) is built from this table and the topology (auth, throttling); a unit test fails
 * when a topology route has no entry here.
 */
import type { z } from 'zod';
import { customerPatchSchema, newCustomerSchema } from '../../domain/customer.ts';
import { importRowSchema } from '../../domain/invoice-import.ts';
import { newInvoiceSchema } from '../../domain/invoice.ts';
import { newPlanSchema } from '../../domain/plans.ts';
import { newSubscriptionSchema } from '../../domain/webhooks.ts';
import { bankNotificationSchema } from '../../adapters/bank/json.ts';
import { extensionSchema, holdSchema, newDisputeSchema, resolveDisputeSchema } from '../../services/casework.ts';
import { communicationsQuery, ledgerQuery } from '../../services/history.ts';
import { forecastQuerySchema, worklistQuerySchema } from '../../services/insights-reports.ts';
import { promisesQuery } from '../../services/promises.ts';
import { agingQuerySchema, feedbackQuerySchema, kpiQuerySchema } from '../../services/reports.ts';
import { manualPaymentSchema, staffAllocationSchema } from '../../services/review.ts';
import { statementQuerySchema } from '../../services/statements.ts';
import { newStaffMemberSchema, staffListQuery } from '../../services/console-auth.ts';
import { consolePlansQuery, consolePromisesQuery, consoleQuestionsQuery } from '../../services/console-casework.ts';
import { closeRequestSchema, replySchema, supportRequestsQuery } from '../../services/support.ts';
import { deliveryListQuery, subscriptionListQuery } from '../../services/webhooks.ts';
import { consoleHomeQuery, consolePaymentQuery, consoleReviewQuery, forms, invoiceListQuery, lettersQuery, paymentListQuery, stripeEvent } from './requests.ts';
import { consoleCustomerQuery, consoleCustomersQuery, consoleInvoiceQuery } from './requests.ts';
import * as r from './responses.ts';

export interface ResponseSpec {
  description: string;
  /** A JSON body of this schema. */
  json?: z.ZodType;
  /** An HTML page (text/html). */
  html?: true;
  /** A CSV file (text/csv). */
  csv?: true;
  /** A 303 See Other (Location header), no body. */
  redirect?: true;
}

export interface RouteContract {
  summary: string;
  tag: string;
  /** Query parameters (a zod object, as the handler validates them). */
  query?: z.ZodType;
  /** The body by media type. */
  body?: { json?: z.ZodType; form?: z.ZodType; csv?: true; xml?: true; text?: true; required?: boolean };
  /** Request headers beyond auth (Idempotency-Key, signature headers are added from the auth). */
  idempotent?: true;
  responses: Record<number, ResponseSpec>;
  /** Error statuses this route answers with a body: JSON `{ error }` for the API, an HTML page for pages. */
  errors: number[];
}

const ok = (json: z.ZodType, description = 'OK'): Record<number, ResponseSpec> => ({ 200: { description, json } });
const created = (json: z.ZodType, what: string): Record<number, ResponseSpec> => ({
  201: { description: `${what} created`, json },
  200: { description: 'the earlier result of a request with the same Idempotency-Key (replay)', json },
});
const page = (description: string): Record<number, ResponseSpec> => ({ 200: { description, html: true } });
const seeOther = (description: string): Record<number, ResponseSpec> => ({ 303: { description, redirect: true } });

/** Client errors of every admin route: bad input, no or wrong key, body too large, throttled. */
const ADMIN = [400, 401, 413, 429];
const ADMIN_ONE = [...ADMIN, 404];
const ADMIN_CHANGE = [...ADMIN, 404, 409];
/** Link pages: bad form (400), revoked or not valid (403), unknown (404), expired (410), throttled. */
const LINK = [400, 403, 404, 410, 429];
/** Portal pages: bad form, no session (401, POST), CSRF (403), not this customer's (404), throttled. */
const PORTAL = [400, 401, 403, 404, 429];
/** Console pages: bad form, no session (401, POST), CSRF or a viewer changing something (403), unknown (404), stale (409), throttled. */
export const CONSOLE = [400, 401, 403, 404, 409, 429];

export const routeContracts: Record<string, RouteContract> = {
  'GET /health': { summary: 'Liveness probe', tag: 'Operations', responses: ok(r.health), errors: [429] },
  'GET /openapi.json': {
    summary: 'This API contract (OpenAPI 3.1)',
    tag: 'Operations',
    responses: { 200: { description: 'the OpenAPI document', json: r.openApiDocument } },
    errors: [429],
  },
  'GET /docs': { summary: 'The API reference as a page (rendered from the OpenAPI document)', tag: 'Operations', responses: page('the reference page'), errors: [429] },

  // --- Customers
  'POST /customers': { summary: 'Create a customer', tag: 'Customers', body: { json: newCustomerSchema }, idempotent: true, responses: created(r.customer, 'customer'), errors: [...ADMIN, 409] },
  'GET /customers/{id}': { summary: 'A customer with ledger balances', tag: 'Customers', responses: ok(r.customerWithBalances), errors: ADMIN_ONE },
  'PATCH /customers/{id}': { summary: 'Change a customer\'s profile (terms, cadence, tone, language, quiet hours…)', tag: 'Customers', body: { json: customerPatchSchema }, responses: ok(r.customer), errors: ADMIN_CHANGE },
  'POST /customers/{id}/links/revoke': { summary: 'Revoke every signed link issued to the customer so far', tag: 'Customers', responses: ok(r.linkRevocation), errors: ADMIN_CHANGE },
  'POST /customers/{id}/holds': { summary: 'Place a collection hold', tag: 'Casework', body: { json: holdSchema }, idempotent: true, responses: created(r.hold, 'hold'), errors: ADMIN_CHANGE },
  'POST /customers/{id}/holds/{holdId}/release': { summary: 'Release a hold', tag: 'Casework', responses: ok(r.hold), errors: ADMIN_CHANGE },
  'GET /customers/{id}/communications': { summary: 'Communication history: mails, events, feedback, decisions (paged)', tag: 'Customers', query: communicationsQuery, responses: ok(r.communications), errors: ADMIN_ONE },
  'GET /customers/{id}/ledger': { summary: 'The customer\'s ledger entries (paged)', tag: 'Customers', query: ledgerQuery, responses: ok(r.ledger), errors: ADMIN_ONE },
  'GET /customers/{id}/statement': {
    summary: 'Statement of account for a period (JSON, CSV or printable HTML)',
    tag: 'Customers',
    query: statementQuerySchema,
    responses: { 200: { description: 'the statement (`format=json`; `csv` → text/csv, `html` → text/html)', json: r.statement, csv: true, html: true } },
    errors: ADMIN_ONE,
  },

  // --- Invoices
  'POST /invoices': { summary: 'Issue an invoice', tag: 'Invoices', body: { json: newInvoiceSchema }, idempotent: true, responses: created(r.invoiceWithPayments, 'invoice'), errors: ADMIN_CHANGE },
  'GET /invoices/{id}': { summary: 'An invoice with the payments applied to it', tag: 'Invoices', responses: ok(r.invoiceWithPayments), errors: ADMIN_ONE },
  'GET /invoices': { summary: 'Invoices by customer and/or status (paged)', tag: 'Invoices', query: invoiceListQuery, responses: ok(r.invoicePage), errors: ADMIN },
  'POST /imports/invoices': {
    summary: 'Import invoice history from another system (CSV with a header row, or JSON rows)',
    tag: 'Invoices',
    body: { json: importRowSchema.array(), csv: true, required: true },
    responses: ok(r.importResult, 'per-row outcome (created, unchanged, error)'),
    errors: ADMIN,
  },
  'POST /invoices/{id}/disputes': { summary: 'Open a dispute on an invoice', tag: 'Casework', body: { json: newDisputeSchema }, idempotent: true, responses: created(r.dispute, 'dispute'), errors: ADMIN_CHANGE },
  'POST /disputes/{id}/resolve': { summary: 'Resolve a dispute', tag: 'Casework', body: { json: resolveDisputeSchema }, responses: ok(r.disputeResolution), errors: ADMIN_CHANGE },
  'POST /invoices/{id}/extensions': { summary: 'Grant a hardship extension (new due date)', tag: 'Casework', body: { json: extensionSchema }, responses: created(r.extension, 'extension'), errors: ADMIN_CHANGE },

  // --- Payments
  'POST /payments': { summary: 'Record a payment received outside the providers (check, cash)', tag: 'Payments', body: { json: manualPaymentSchema }, idempotent: true, responses: created(r.payment, 'payment'), errors: ADMIN_CHANGE },
  'GET /payments': { summary: 'Payments by status (the review queue: unapplied), oldest first (paged)', tag: 'Payments', query: paymentListQuery, responses: ok(r.paymentPage), errors: ADMIN },
  'GET /payments/{id}': { summary: 'A payment with the facts its decisions were made on', tag: 'Payments', responses: ok(r.paymentWithFacts), errors: ADMIN_ONE },
  'POST /payments/{id}/allocations': { summary: 'Apply money waiting in review, by hand', tag: 'Payments', body: { json: staffAllocationSchema }, responses: ok(r.payment), errors: ADMIN_CHANGE },
  'POST /payments/{id}/allocations/{invoiceId}/reverse': { summary: 'Reverse an allocation (the invoice reopens; the money waits in review)', tag: 'Payments', responses: ok(r.payment), errors: ADMIN_CHANGE },

  // --- Plans
  'POST /payment-plans': { summary: 'Create a payment plan', tag: 'Plans', body: { json: newPlanSchema }, idempotent: true, responses: created(r.plan, 'plan'), errors: ADMIN_CHANGE },
  'GET /payment-plans/{id}': { summary: 'A payment plan', tag: 'Plans', responses: ok(r.plan), errors: ADMIN_ONE },
  'POST /payment-plans/{id}/approve': { summary: 'Approve a plan waiting for staff', tag: 'Plans', responses: ok(r.plan), errors: ADMIN_CHANGE },

  // --- Casework lists
  'GET /letters': {
    summary: 'The day\'s formal notices by post (printable HTML, or JSON)',
    tag: 'Casework',
    query: lettersQuery,
    responses: { 200: { description: 'the letters (`format=json`; the default `html` → a printable page)', json: r.letters, html: true } },
    errors: ADMIN,
  },
  'GET /promises': { summary: 'Promises to pay (paged)', tag: 'Casework', query: promisesQuery, responses: ok(r.promisePage), errors: ADMIN },
  'GET /support-requests': { summary: 'Questions customers asked in the portal (paged)', tag: 'Casework', query: supportRequestsQuery, responses: ok(r.supportRequestPage), errors: ADMIN },
  'GET /support-requests/{customerId}/{id}': { summary: 'A question with its replies', tag: 'Casework', responses: ok(r.supportRequest), errors: ADMIN_ONE },
  'POST /support-requests/{customerId}/{id}/replies': {
    summary: "Answer a customer's question: the reply is kept, the status moves (answered, or closed with `close`), the customer gets the answer by mail",
    tag: 'Casework',
    body: { json: replySchema, required: true },
    idempotent: true,
    responses: {
      201: { description: 'reply stored, mail to the customer written', json: r.supportReplyResult },
      200: { description: 'the earlier result of the same reply (the same Idempotency-Key, or without one the same reply again): nothing sent', json: r.supportReplyResult },
    },
    errors: ADMIN_CHANGE,
  },
  'POST /support-requests/{customerId}/{id}/close': {
    summary: 'Close a question without a mail (closing a closed one changes nothing)',
    tag: 'Casework',
    body: { json: closeRequestSchema },
    responses: ok(r.supportRequest),
    errors: ADMIN_CHANGE,
  },

  // --- Reports
  'GET /reports/aging': { summary: 'Aging by currency and customer', tag: 'Reports', query: agingQuerySchema, responses: ok(r.agingReport), errors: ADMIN },
  'GET /reports/kpis': { summary: 'DSO, collection effectiveness, plan- and promise-kept rates, disputes by reason', tag: 'Reports', query: kpiQuerySchema, responses: ok(r.kpiReport), errors: ADMIN },
  'GET /reports/feedback': { summary: 'Customer feedback ratings by step, tone, channel and kind', tag: 'Reports', query: feedbackQuerySchema, responses: ok(r.feedbackReport), errors: ADMIN },
  'GET /reports/forecast': { summary: 'Cash forecast from the payment predictions (with a Monte Carlo band)', tag: 'Reports', query: forecastQuerySchema, responses: ok(r.forecastReport), errors: ADMIN },
  'GET /worklist': { summary: 'Customers ranked by expected loss, with the next suggested action (paged)', tag: 'Reports', query: worklistQuerySchema, responses: ok(r.worklist), errors: ADMIN },

  // --- Webhooks
  'POST /webhooks/stripe': {
    summary: 'Stripe events (payment_intent.*, charge.refunded, charge.dispute.*, checkout.session.*): verified, stored, queued',
    tag: 'Webhooks',
    body: { json: stripeEvent, required: true },
    responses: ok(r.stripeReceipt, 'stored (or a duplicate delivery)'),
    errors: [400, 413, 429],
  },
  'POST /webhooks/bank': {
    summary: 'Bank credit notifications (camt.053/054 XML, BAI2 or JSON): verified, stored, queued',
    tag: 'Webhooks',
    body: { json: bankNotificationSchema, xml: true, text: true, required: true },
    responses: ok(r.bankReceipt, 'stored (or a duplicate delivery)'),
    errors: [400, 413, 429],
  },

  // --- Webhook subscriptions (events out, signed: Standard Webhooks)
  'POST /subscriptions': {
    summary: 'Subscribe a URL to events: signed webhooks (Standard Webhooks); the answer carries the signing secret, once',
    tag: 'Subscriptions',
    body: { json: newSubscriptionSchema },
    idempotent: true,
    responses: created(r.subscriptionCreated, 'subscription'),
    errors: [...ADMIN, 409],
  },
  'GET /subscriptions': { summary: 'Webhook subscriptions by status (paged)', tag: 'Subscriptions', query: subscriptionListQuery, responses: ok(r.subscriptionPage), errors: ADMIN },
  'GET /subscriptions/{id}': { summary: 'A webhook subscription (without its secret)', tag: 'Subscriptions', responses: ok(r.subscription), errors: ADMIN_ONE },
  'GET /subscriptions/{id}/deliveries': {
    summary: "A subscription's deliveries with every attempt; status=failed lists the dead letters (paged)",
    tag: 'Subscriptions',
    query: deliveryListQuery,
    responses: ok(r.webhookDeliveryPage),
    errors: ADMIN_ONE,
  },
  'POST /subscriptions/{id}/deliveries/{eventId}/retry': {
    summary: 'Redeliver one event: a dead letter (or a delivered event) starts a new round of attempts at once',
    tag: 'Subscriptions',
    responses: { 202: { description: 'queued (a delivery already pending is left as it is)', json: r.webhookDelivery } },
    errors: ADMIN_CHANGE,
  },
  'DELETE /subscriptions/{id}': { summary: 'Delete a subscription: nothing more is delivered to it', tag: 'Subscriptions', responses: ok(r.subscription, 'deleted (or deleted before)'), errors: ADMIN_ONE },

  // --- Pages from signed links (mails)
  'GET /pay/{invoiceId}': { summary: 'The pay page of an invoice (card via Stripe Checkout, bank transfer details)', tag: 'Customer links', responses: page('the pay page'), errors: LINK },
  'POST /pay/{invoiceId}/checkout': {
    summary: 'Start a card payment: a Stripe Checkout Session',
    tag: 'Customer links',
    responses: { ...seeOther('to Stripe Checkout (or back to the pay page when nothing is due)'), 200: { description: 'the pay page offering bank transfer when card cannot take the amount', html: true } },
    errors: LINK,
  },
  'GET /feedback/{customerId}': { summary: 'Rate us (from a mail)', tag: 'Customer links', responses: page('the rating form'), errors: LINK },
  'POST /feedback/{customerId}': { summary: 'Send a rating', tag: 'Customer links', body: { form: forms.feedback }, responses: page('thank-you page'), errors: LINK },
  'GET /preferences/{customerId}': { summary: 'Communication preferences', tag: 'Customer links', responses: page('the preferences form'), errors: LINK },
  'POST /preferences/{customerId}': { summary: 'Change communication preferences', tag: 'Customer links', body: { form: forms.preferences }, responses: page('the saved preferences'), errors: LINK },
  'GET /plan-request/{customerId}': { summary: 'Ask for a payment plan', tag: 'Customer links', responses: page('the plan request form'), errors: LINK },
  'POST /plan-request/{customerId}': { summary: 'Request a payment plan', tag: 'Customer links', body: { form: forms.planRequest }, responses: page('the plan (or why not)'), errors: LINK },
  'POST /links/fresh': { summary: 'Mail a fresh link for an expired or revoked one', tag: 'Customer links', body: { form: forms.freshLink }, responses: page('sent (or why not)'), errors: LINK },

  // --- Customer portal
  'GET /portal/login': { summary: 'Portal sign-in form', tag: 'Portal', responses: page('the sign-in form'), errors: [429] },
  'POST /portal/login': { summary: 'Mail a one-time sign-in link', tag: 'Portal', body: { form: forms.portalLogin }, responses: page('check your mail'), errors: [400, 429] },
  'GET /portal/session': { summary: 'The mailed sign-in link: a one-button page (spends nothing)', tag: 'Portal', responses: page('the sign-in button'), errors: LINK },
  'POST /portal/session': { summary: 'Spend the sign-in token; sets the session cookie', tag: 'Portal', body: { form: forms.portalSession }, responses: seeOther('to the portal, with Set-Cookie'), errors: LINK },
  'POST /portal/logout': { summary: 'Sign out', tag: 'Portal', body: { form: forms.csrfOnly }, responses: seeOther('to the sign-in page, the cookie cleared'), errors: PORTAL },
  'GET /portal': { summary: 'Account overview', tag: 'Portal', responses: { ...page('the overview'), ...seeOther('to the sign-in page (no session)') }, errors: PORTAL },
  'GET /portal/invoices': { summary: 'Invoices (open, paid, all)', tag: 'Portal', responses: { ...page('the invoice list'), ...seeOther('to the sign-in page (no session)') }, errors: PORTAL },
  'GET /portal/invoices/{id}': { summary: 'An invoice with its terms, payments and forms', tag: 'Portal', responses: { ...page('the invoice'), ...seeOther('to the sign-in page (no session)') }, errors: PORTAL },
  'POST /portal/pay': { summary: 'Pay several invoices at once (one Checkout Session)', tag: 'Portal', body: { form: forms.portalPay }, responses: { ...seeOther('to Stripe Checkout'), ...page('bank transfer details when card cannot take it') }, errors: PORTAL },
  'GET /portal/payments': { summary: 'Payments and what each was applied to', tag: 'Portal', responses: { ...page('the payments'), ...seeOther('to the sign-in page (no session)') }, errors: PORTAL },
  'GET /portal/statement': {
    summary: 'Statement: the period form, printable HTML or CSV',
    tag: 'Portal',
    query: statementQuerySchema,
    responses: { 200: { description: 'the form (no format), the statement (`format=html`) or the CSV (`format=csv`)', html: true, csv: true }, ...seeOther('to the sign-in page (no session)') },
    errors: PORTAL,
  },
  'POST /portal/invoices/{id}/disputes': { summary: 'Dispute an invoice', tag: 'Portal', body: { form: forms.portalDispute }, responses: seeOther('back to the invoice with a notice'), errors: PORTAL },
  'POST /portal/invoices/{id}/promise': { summary: 'Promise to pay by a date', tag: 'Portal', body: { form: forms.portalPromise }, responses: seeOther('back to the invoice with a notice'), errors: PORTAL },
  'GET /portal/plan-request': { summary: 'Ask for a payment plan', tag: 'Portal', responses: { ...page('the plan request form'), ...seeOther('to the sign-in page (no session)') }, errors: PORTAL },
  'POST /portal/plan-request': { summary: 'Request a payment plan', tag: 'Portal', body: { form: forms.planRequest.extend(forms.csrfOnly.shape) }, responses: { ...page('the plan (or why not)'), ...seeOther('to the plan') }, errors: PORTAL },
  'GET /portal/preferences': { summary: 'Communication preferences', tag: 'Portal', responses: { ...page('the preferences form'), ...seeOther('to the sign-in page (no session)') }, errors: PORTAL },
  'POST /portal/preferences': { summary: 'Change communication preferences', tag: 'Portal', body: { form: forms.preferences.extend(forms.csrfOnly.shape) }, responses: { ...page('the saved preferences'), ...seeOther('back to the form with a notice') }, errors: PORTAL },
  'GET /portal/feedback': { summary: 'Rate us', tag: 'Portal', responses: { ...page('the rating form'), ...seeOther('to the sign-in page (no session)') }, errors: PORTAL },
  'POST /portal/feedback': { summary: 'Send a rating', tag: 'Portal', body: { form: forms.feedback.extend(forms.csrfOnly.shape) }, responses: { ...page('thank-you page'), ...seeOther('back with a notice') }, errors: PORTAL },
  'GET /portal/messages': { summary: 'Questions asked and their form', tag: 'Portal', responses: { ...page('the questions'), ...seeOther('to the sign-in page (no session)') }, errors: PORTAL },
  'POST /portal/messages': { summary: 'Ask a question', tag: 'Portal', body: { form: forms.portalMessage }, responses: { ...seeOther('back to the questions with a notice'), ...page('the form with the problem') }, errors: PORTAL },

  // --- Staff directory (who may sign in to the console)
  'POST /staff': {
    summary: 'Add a member of staff (idempotent by address: the same body again answers the member, 200)',
    tag: 'Console',
    body: { json: newStaffMemberSchema },
    responses: { 201: { description: 'member added', json: r.staffMember }, 200: { description: 'already a member with this name and role', json: r.staffMember } },
    errors: [...ADMIN, 409],
  },
  'GET /staff': { summary: 'The staff directory (paged, oldest first)', tag: 'Console', query: staffListQuery, responses: ok(r.staffPage), errors: ADMIN },
  'DELETE /staff/{id}': { summary: 'Remove a member of staff: their sessions end at once', tag: 'Console', responses: { 204: { description: 'removed' } }, errors: ADMIN_ONE },
  // --- Console sign-in (no session yet)
  'GET /console/login': { summary: 'Console sign-in form', tag: 'Console', responses: { ...page('the sign-in form'), ...seeOther('to the console (already signed in)') }, errors: [429] },
  'POST /console/login': { summary: 'Mail a one-time sign-in link to a member of staff (the same page for any address)', tag: 'Console', body: { form: forms.consoleLogin }, responses: page('check your mail'), errors: [400, 429] },
  'GET /console/session': { summary: 'The mailed sign-in link: a one-button page (spends nothing)', tag: 'Console', responses: page('the sign-in button'), errors: [403, 410, 429] },
  'POST /console/session': { summary: 'Spend the sign-in token; sets the console session cookie', tag: 'Console', body: { form: forms.consoleSession }, responses: seeOther('to the console, with Set-Cookie'), errors: [403, 410, 429] },
  'POST /console/logout': { summary: 'Sign out of the console', tag: 'Console', body: { form: forms.csrfOnly }, responses: seeOther('to the sign-in form, the cookie cleared'), errors: CONSOLE },
  // --- Console (staff, signed in)
  'GET /console': {
    summary: 'The console\'s home: counters (payments to review, plans to approve, overdue per currency) and the worklist, paged',
    tag: 'Console',
    query: consoleHomeQuery,
    responses: { ...page('the counters and the worklist'), ...seeOther('to the sign-in page (no session)') },
    errors: CONSOLE,
  },
  'GET /console/customers': {
    summary: 'Find a customer by an exact key: e-mail address, customer id (ours or Stripe\'s), invoice number or id, RF payment reference (keyed reads, no scan)',
    tag: 'Console',
    query: consoleCustomersQuery,
    responses: { ...page('the search form and the customers found'), ...seeOther('to the sign-in page (no session)') },
    errors: CONSOLE,
  },
  'GET /console/customers/{id}': {
    summary: 'A customer: balances, open invoices (badges, days overdue, predicted risk and payment date), payment behaviour, holds with their forms, contact, plans, recent payments, the communication history (paged)',
    tag: 'Console',
    query: consoleCustomerQuery,
    responses: { ...page('the customer'), ...seeOther('to the sign-in page (no session)') },
    errors: CONSOLE,
  },
  'GET /console/invoices/{id}': {
    summary: 'An invoice: lines, terms, balance, payments applied, the prediction and its factors, reminders, dispute (resolve form), promise, plan, extension (grant form), who acted',
    tag: 'Console',
    query: consoleInvoiceQuery,
    responses: { ...page('the invoice'), ...seeOther('to the sign-in page (no session)') },
    errors: CONSOLE,
  },
  'POST /console/disputes/{id}/resolve': {
    summary: 'Resolve a dispute (as POST /disputes/{id}/resolve; the credit note typed in the currency), recorded with the member',
    tag: 'Console',
    body: { form: forms.consoleResolveDispute },
    responses: seeOther('back to the invoice with a notice'),
    errors: CONSOLE,
  },
  'POST /console/invoices/{id}/extensions': {
    summary: 'Grant an extension (as POST /invoices/{id}/extensions), only at the invoice version the page showed, recorded with the member',
    tag: 'Console',
    body: { form: forms.consoleExtension },
    responses: seeOther('back to the invoice with a notice'),
    errors: CONSOLE,
  },
  'POST /console/customers/{id}/holds': {
    summary: 'Place a hold (as POST /customers/{id}/holds; the last day in the customer\'s calendar), recorded with the member',
    tag: 'Console',
    body: { form: forms.consoleHold },
    responses: seeOther('back to the customer with a notice'),
    errors: CONSOLE,
  },
  'POST /console/customers/{id}/holds/{holdId}/release': {
    summary: 'Release a hold (as POST /customers/{id}/holds/{holdId}/release), recorded with the member',
    tag: 'Console',
    body: { form: forms.csrfOnly },
    responses: seeOther('back to the customer with a notice'),
    errors: CONSOLE,
  },
  'GET /console/review': {
    summary: 'Payments to review: money waiting for a person (as GET /payments?status=unapplied), oldest first, with why it waits and the suggestions; paged',
    tag: 'Console',
    query: consoleReviewQuery,
    responses: { ...page('the review queue'), ...seeOther('to the sign-in page (no session)') },
    errors: CONSOLE,
  },
  'GET /console/payments/{id}': {
    summary: 'A payment: received, applied and unapplied, the decision trail (who acted), its allocations with a reverse form each, the allocation form (the customer\'s unpaid invoices; money in suspense: find the customer)',
    tag: 'Console',
    query: consolePaymentQuery,
    responses: { ...page('the payment'), ...seeOther('to the sign-in page (no session)') },
    errors: CONSOLE,
  },
  'POST /console/payments/{id}/allocations': {
    summary: 'Apply waiting money by hand (as POST /payments/{id}/allocations, amounts typed in the currency), only at the revision the page showed',
    tag: 'Console',
    body: { form: forms.consoleAllocation },
    responses: seeOther('back to the payment with a notice'),
    errors: CONSOLE,
  },
  'POST /console/payments/{id}/allocations/{invoiceId}/reverse': {
    summary: 'Take an allocation back (as POST /payments/{id}/allocations/{invoiceId}/reverse): the invoice reopens, the money waits in review',
    tag: 'Console',
    body: { form: forms.consoleReverse },
    responses: seeOther('back to the payment with a notice'),
    errors: CONSOLE,
  },
  'GET /console/questions': {
    summary: 'Customers\' questions: open ones oldest first (or answered, closed, all: newest first), paged',
    tag: 'Console',
    query: consoleQuestionsQuery,
    responses: { ...page('the questions'), ...seeOther('to the sign-in page (no session)') },
    errors: CONSOLE,
  },
  'GET /console/questions/{customerId}/{id}': {
    summary: 'A question: the customer and their language, the invoice it is about, the answers (by whom), the answer and close forms',
    tag: 'Console',
    responses: { ...page('the question'), ...seeOther('to the sign-in page (no session)') },
    errors: CONSOLE,
  },
  'POST /console/questions/{customerId}/{id}/replies': {
    summary: 'Answer a question (as POST /support-requests/{customerId}/{id}/replies): the answer is mailed in the customer\'s language; a question changed since the page was loaded is a 409',
    tag: 'Console',
    body: { form: forms.consoleReply },
    responses: seeOther('back to the question with a notice'),
    errors: CONSOLE,
  },
  'POST /console/questions/{customerId}/{id}/close': {
    summary: 'Close a question without a mail (as POST /support-requests/{customerId}/{id}/close); a question changed since the page was loaded is a 409',
    tag: 'Console',
    body: { form: forms.consoleClose },
    responses: seeOther('back to the question with a notice'),
    errors: CONSOLE,
  },
  'GET /console/plans': {
    summary: 'Payment plans: waiting for approval first, then active ones with their next instalment (or one status, paged)',
    tag: 'Console',
    query: consolePlansQuery,
    responses: { ...page('the plans'), ...seeOther('to the sign-in page (no session)') },
    errors: CONSOLE,
  },
  'GET /console/plans/{id}': {
    summary: 'A payment plan: its customer, invoices, instalments (paid or not), status and approval, the approve form',
    tag: 'Console',
    responses: { ...page('the plan'), ...seeOther('to the sign-in page (no session)') },
    errors: CONSOLE,
  },
  'POST /console/plans/{id}/approve': {
    summary: 'Approve a plan waiting for staff (as POST /payment-plans/{id}/approve)',
    tag: 'Console',
    body: { form: forms.csrfOnly },
    responses: seeOther('back to the plan with a notice'),
    errors: CONSOLE,
  },
  'GET /console/promises': {
    summary: 'Promises to pay by status (open, kept, broken; newest first), paged — the listing of GET /promises',
    tag: 'Console',
    query: consolePromisesQuery,
    responses: { ...page('the promises'), ...seeOther('to the sign-in page (no session)') },
    errors: CONSOLE,
  },
};

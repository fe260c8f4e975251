/**
 * Response schemas of the JSON API, for the contract (shared/http/openapi.ts) and the integration tests, which check
 * every JSON response of a documented route against them (test/support/stack.ts).
 *
 * Each names the fields a client can rely on, typed as the domain types declare them (shared/domain/*,
 * shared/store/*); entity objects are open (`looseObject`: further fields may appear — optional facts, additions in
 * later versions), so a client must ignore fields it does not know. Money is always an integer in minor units of the
 * object's `currency` (ISO 4217 exponent); dates are `YYYY-MM-DD`, instants ISO 8601 UTC.
 */
import { z } from 'zod';

const minor = z.number().int().describe('integer, minor units of the currency');
const date = z.string().describe('calendar date YYYY-MM-DD');
const instant = z.string().describe('ISO 8601 instant (UTC)');
const currency = z.string().describe('ISO 4217 code');
const nextCursor = z.string().nullable().describe('opaque cursor of the next page; null on the last page');

/** `{ error: { code, message, field? } }`: every 4xx and 5xx JSON answer. */
export const errorResponse = z
  .object({
    error: z.object({
      code: z.string().describe('machine-readable, e.g. invalid_request, not_found, unauthorized, conflict codes'),
      message: z.string(),
      field: z.string().optional().describe('the request field (path, query, body or header) at fault'),
    }),
  });

export const health = z.object({ status: z.literal('ok') });

/** Who acted in the staff console (shared/context.ts `actedBy`): a staff member's id; the admin API's key names nobody. */
const consoleMember = (did: string) => z.string().optional().describe(`the console member who ${did}; absent through the admin API`);

export const hold = z.looseObject({
  id: z.string(),
  reason: z.string(),
  createdAt: instant,
  expiresAt: instant.optional(),
  releasedAt: instant.optional(),
  staffId: consoleMember('placed the hold'),
  releasedBy: consoleMember('released the hold'),
});

export const customer = z.looseObject({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  locale: z.string(),
  timeZone: z.string(),
  currency,
  bankAccounts: z.array(z.string()),
  holds: z.array(hold).optional(),
  linkVersion: z.number().int().optional(),
  createdAt: instant,
  version: z.number().int(),
});

/** GET /customers/{id}: the profile with ledger balances by account (receivable, customer_credit, unapplied) and currency. */
export const customerWithBalances = customer.extend({
  balances: z.record(z.string(), z.record(z.string(), minor)).describe('account → currency → minor units'),
});

export const linkRevocation = z.object({ customerId: z.string(), linkVersion: z.number().int() });

const appliedPayment = z.looseObject({});

const extensionRecord = z.looseObject({
  dueDate: date.describe('the new due date'),
  reason: z.string(),
  grantedAt: instant,
  staffId: consoleMember('granted the extension'),
});

export const invoice = z.looseObject({
  id: z.string(),
  customerId: z.string(),
  number: z.string(),
  currency,
  total: minor,
  balanceDue: minor,
  status: z.enum(['open', 'partially_paid', 'paid']),
  issueDate: date,
  dueDate: date,
  paymentReference: z.string().describe('ISO 11649 RF creditor reference'),
  lines: z.array(z.looseObject({ description: z.string() })),
  settledAt: date.optional(),
  extension: extensionRecord.optional().describe('a hardship extension in force (its due date replaces dueDate)'),
  createdAt: instant,
  version: z.number().int(),
});
export const invoiceWithPayments = invoice.extend({ appliedPayments: z.array(appliedPayment) });
export const invoicePage = z.object({ items: z.array(invoice), nextCursor });

export const payment = z.looseObject({
  id: z.string(),
  source: z.enum(['stripe', 'bank', 'manual']),
  externalId: z.string(),
  method: z.string(),
  amount: minor,
  currency,
  receivedAt: instant,
  status: z.enum(['unapplied', 'applied', 'pending']),
  unapplied: minor,
  allocations: z.array(z.looseObject({ invoiceId: z.string(), amount: minor })),
  refundedTotal: minor,
  disputeStatus: z.enum(['none', 'disputed', 'won', 'lost']),
  revision: z.number().int().describe('moves with every change of the payment; send it with POST /payments/{id}/allocations to apply only at it'),
  decisions: z
    .array(
      z.looseObject({
        outcome: z.enum(['applied', 'unapplied']),
        rule: z.string(),
        at: instant,
        by: z.enum(['rules', 'staff']),
        staffId: consoleMember('took the decision (an allocation, a reversal)'),
      }),
    )
    .describe('every decision on the payment, oldest first'),
});
export const paymentWithFacts = payment.extend({ facts: z.unknown().describe('the facts its decisions were made on') });
export const paymentPage = z.object({ items: z.array(payment), nextCursor });

export const plan = z.looseObject({
  id: z.string(),
  customerId: z.string(),
  currency,
  invoiceIds: z.array(z.string()),
  paymentReference: z.string(),
  total: minor,
  frequency: z.string(),
  instalments: z.array(z.looseObject({})),
  graceDays: z.number().int(),
  status: z.string(),
  requestedBy: z.enum(['staff', 'customer']),
  approval: z
    .looseObject({
      by: z.enum(['policy', 'staff']),
      reasons: z.array(z.string()).describe('why it waits for staff (outside the policy); empty when the policy approved it'),
      at: instant.optional(),
      staffId: consoleMember('approved the plan'),
    })
    .describe('who approved it'),
  createdAt: instant,
  version: z.number().int(),
});

export const dispute = z.looseObject({
  id: z.string(),
  invoiceId: z.string(),
  status: z.string(),
  reason: z.string(),
  resolution: z
    .looseObject({
      outcome: z.enum(['upheld', 'rejected']),
      amount: minor.optional().describe('the credit note (upheld)'),
      explanation: z.string(),
      resolvedAt: instant,
      staffId: consoleMember('resolved the dispute'),
    })
    .optional(),
});
export const disputeResolution = z.object({
  dispute,
  invoice: z.object({ id: z.string(), balanceDue: minor, status: z.enum(['open', 'partially_paid', 'paid']) }),
});
export const extension = z.object({ invoiceId: z.string(), extension: extensionRecord.optional() });

export const communications = z.object({
  mails: z.array(z.looseObject({})),
  events: z.array(z.looseObject({})),
  feedback: z.array(z.looseObject({})),
  decisions: z.array(z.looseObject({})),
  nextCursor,
});
export const ledger = z.object({ entries: z.array(z.looseObject({})), nextCursor });

export const letters = z.object({
  date,
  letters: z.array(
    z.looseObject({ date, customerId: z.string(), mailKey: z.string(), address: z.array(z.string()), subject: z.string(), text: z.string(), createdAt: instant }),
  ),
});

export const promisePage = z.object({
  items: z.array(
    z.looseObject({
      id: z.string(),
      invoiceId: z.string(),
      customerId: z.string(),
      invoiceNumber: z.string(),
      currency,
      date,
      amount: minor.optional(),
      status: z.enum(['open', 'kept', 'broken']),
      madeAt: instant,
      source: z.enum(['portal', 'staff']),
    }),
  ),
  nextCursor,
});

export const supportReply = z.looseObject({
  id: z.string(),
  body: z.string().describe("staff's answer, as the customer reads it"),
  by: z.string().describe('who answered (staff only; `staff` when not given)'),
  at: instant,
  staffId: consoleMember('answered'),
});

export const supportRequest = z.looseObject({
  id: z.string(),
  customerId: z.string(),
  subject: z.string(),
  message: z.string(),
  invoiceId: z.string().optional(),
  invoiceNumber: z.string().optional(),
  status: z.enum(['open', 'answered', 'closed']).describe('open → answered (a reply) → closed (a reply that closes, or closing)'),
  createdAt: instant,
  source: z.literal('portal'),
  replies: z.array(supportReply).optional().describe('staff replies, oldest first'),
  updatedAt: instant.optional(),
  closedAt: instant.optional(),
  closedBy: z.string().optional(),
  closedByStaffId: consoleMember('closed it'),
  version: z.number().int().optional(),
});

export const supportRequestPage = z.object({
  items: z.array(
    supportRequest.omit({ replies: true }).extend({
      replyCount: z.number().int().describe('how many replies (the replies: GET /support-requests/{customerId}/{id})'),
      lastReplyAt: instant.optional(),
    }),
  ),
  nextCursor,
});

export const supportReplyResult = z.object({ reply: supportReply, request: supportRequest });

export const importResult = z.object({
  summary: z.object({ rows: z.number().int(), created: z.number().int(), unchanged: z.number().int(), errors: z.number().int() }),
  rows: z.array(
    z.object({
      row: z.number().int(),
      number: z.string().optional(),
      status: z.enum(['created', 'unchanged', 'error']),
      invoiceId: z.string().optional(),
      errors: z.array(z.looseObject({})).optional(),
    }),
  ),
});

export const agingReport = z.looseObject({ asOf: date, buckets: z.array(z.string()), totals: z.array(z.looseObject({})), customers: z.array(z.looseObject({ customerId: z.string() })) });
export const kpiReport = z.looseObject({
  from: date,
  to: date,
  asOf: date,
  currencies: z.array(z.looseObject({})),
  planKeptRate: z.looseObject({}),
  promiseKeptRate: z.looseObject({}),
  disputesByReason: z.record(z.string(), z.number().int()),
});
export const feedbackReport = z.looseObject({
  from: date.optional(),
  to: date,
  overall: z.looseObject({}),
  byStep: z.record(z.string(), z.looseObject({})),
  byTone: z.record(z.string(), z.looseObject({})),
  byChannel: z.record(z.string(), z.looseObject({})),
  byKind: z.record(z.string(), z.looseObject({})),
});
export const forecastReport = z.looseObject({
  from: date,
  to: date,
  interval: z.enum(['week', 'month']),
  asOf: date,
  method: z.object({ band: z.literal('monte-carlo'), trials: z.number().int(), seed: z.number().int(), percentiles: z.array(z.number()) }),
  currencies: z.array(z.looseObject({ currency })),
  complete: z.boolean(),
});
export const worklist = z.looseObject({
  asOf: date,
  items: z.array(
    z.looseObject({
      rank: z.number().int(),
      customerId: z.string(),
      customerName: z.string().optional(),
      next: z.looseObject({}),
      invoices: z.array(z.looseObject({ id: z.string(), number: z.string(), balanceDue: minor, dueDate: date, daysPastDue: z.number().int() })),
    }),
  ),
  nextCursor,
  complete: z.boolean(),
});

export const statement = z.looseObject({
  customerId: z.string(),
  customerName: z.string(),
  locale: z.string(),
  timeZone: z.string(),
  from: date,
  to: date,
  currencies: z.array(z.looseObject({ currency })),
});

export const stripeReceipt = z.object({ received: z.literal(true), duplicate: z.boolean() });
export const bankReceipt = z.object({
  received: z.literal(true),
  duplicate: z.boolean(),
  format: z.string().describe('camt, bai2 or json'),
  lines: z.number().int().describe('credit lines found in the notification'),
});

// --- Webhook subscriptions (signed webhooks out, Standard Webhooks)

/** A subscription as every read shows it: never its signing secret. */
export const subscription = z.looseObject({
  id: z.string(),
  url: z.string().describe('where events are POSTed'),
  types: z.array(z.string()).describe('event types delivered, or ["*"] for all'),
  description: z.string().optional(),
  status: z.enum(['active', 'deleted']),
  createdAt: instant,
  deletedAt: instant.optional(),
});
/** POST /subscriptions: the subscription with its signing secret, in this answer (and a replay of the request) only. */
export const subscriptionCreated = subscription.extend({
  secret: z.string().describe('whsec_<base64 of 32 random bytes>: the Standard Webhooks signing secret; shown in this answer only, keep it'),
});
export const subscriptionPage = z.object({ items: z.array(subscription), nextCursor });

const webhookAttempt = z.looseObject({
  round: z.number().int().describe('1, then one more per staff retry'),
  attempt: z.number().int().describe('the attempt within its round (1…)'),
  at: instant,
  durationMs: z.number().int(),
  statusCode: z.number().int().optional().describe("the subscriber's HTTP status (2xx delivers; redirects are not followed)"),
  error: z.string().optional().describe('http_status, timeout, connection_refused, connection_reset, dns, tls, blocked_address, network'),
  responseSnippet: z.string().optional().describe("the start of the subscriber's answer (at most 200 characters)"),
  retryAt: instant.optional().describe('when the next attempt was due (a failed attempt that was not the last of its round)'),
});
export const webhookDelivery = z.looseObject({
  subscriptionId: z.string(),
  eventId: z.string().describe('the event id: the `webhook-id` header of every attempt'),
  eventType: z.string(),
  status: z.enum(['pending', 'delivered', 'failed', 'cancelled']).describe('failed: every attempt of the schedule failed (a dead letter)'),
  round: z.number().int(),
  attempts: z.number().int().describe('attempts made in this round'),
  createdAt: instant,
  nextAttemptAt: instant.optional(),
  deliveredAt: instant.optional(),
  failedAt: instant.optional(),
  cancelledAt: instant.optional(),
  attemptLog: z.array(webhookAttempt).describe('the attempts, oldest first (the last 40)'),
});
export const webhookDeliveryPage = z.object({ items: z.array(webhookDelivery), nextCursor });

/** GET /openapi.json (the document itself is validated as OpenAPI 3.1 by the contract test). */
export const openApiDocument = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.looseObject({})),
});

/** A member of the staff directory (who may sign in to the console). */
export const staffMember = z.looseObject({
  id: z.string().describe('stf_…, derived from the normalised address'),
  email: z.string().describe('normalised (trimmed, lower case): the sign-in address'),
  name: z.string(),
  role: z.enum(['viewer', 'collector']),
  sessionVersion: z.number().int(),
  createdAt: instant,
  version: z.number().int(),
});
export const staffPage = z.object({ items: z.array(staffMember), nextCursor });

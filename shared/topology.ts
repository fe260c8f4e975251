/**
 * The one definition of the system's topology.
 *
 * The CDK stack (infra/) and the local runtime (local/) are both built from this file: every function, its entry,
 * its triggers (HTTP routes, queue, schedule), what it may touch (least privilege), the table's keys and indexes and
 * the queues' settings. Nothing about topology is written anywhere else.
 */

/** Single DynamoDB table: generic keys, five GSIs (GSI2 is the sparse "needs action at time T" index, GSI4 the sparse amount index, GSI5 the customer name index), TTL. */
export const table = {
  logicalName: 'Collections',
  partitionKey: 'PK',
  sortKey: 'SK',
  ttlAttribute: 'expiresAt',
  /**
   * The table's stream (new images): the outbox relay's trigger (`{type: 'stream'}` below). Locally DynamoDB Local's
   * own stream, read by local/streams.ts.
   */
  stream: 'NEW_IMAGE',
  indexes: [
    /** Per-customer listings: customer → invoices. */
    { name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
    /** Sparse work index: only items with something to do carry GSI2PK (e.g. INBOX#PENDING, MAIL#PENDING). */
    { name: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK' },
    /** Listings across customers: invoices by status, payments by status (the review queue). */
    { name: 'GSI3', partitionKey: 'GSI3PK', sortKey: 'GSI3SK' },
    /** Sparse amount index: open invoices by currency and balance (review suggestions for payers we do not know). */
    { name: 'GSI4', partitionKey: 'GSI4PK', sortKey: 'GSI4SK' },
    /** Sparse name index: customers by the normal form of their name (review suggestions for payers known by name only). */
    { name: 'GSI5', partitionKey: 'GSI5PK', sortKey: 'GSI5SK' },
  ],
} as const;

export interface QueueSpec {
  /** Logical id; the env var `<ID>_QUEUE_URL` (upper-cased) carries its URL to functions that use it. */
  id: string;
  visibilityTimeoutSeconds: number;
  retentionSeconds: number;
  /** Receives before a message moves to the dead-letter queue. */
  maxReceiveCount: number;
}

export const queues = {
  payments: {
    id: 'payments',
    // ≥ 6 × the reconcile worker's timeout (30 s) + its batching window, as AWS recommends for Lambda event sources.
    visibilityTimeoutSeconds: 190,
    retentionSeconds: 14 * 24 * 3600,
    maxReceiveCount: 5,
  },
  /**
   * Collections work fanned out by the scheduled sweeps: one message per index shard (a page of the sparse "next
   * action" index, continued by a follow-up message with the cursor) and one per customer or invoice with work due.
   */
  collections: {
    id: 'collections',
    // ≥ 6 × the collections worker's timeout (60 s) + its batching window.
    visibilityTimeoutSeconds: 365,
    retentionSeconds: 4 * 24 * 3600,
    maxReceiveCount: 5,
  },
  /**
   * Webhook deliveries to subscribers: one message per attempt (the first at once; retries up to 15 min ahead as
   * delayed messages, later ones queued by the retry sweep). A message is only a pointer: the delivery record in the
   * table is the truth, claimed with a lease, so a duplicate or stale message does nothing.
   */
  webhooks: {
    id: 'webhooks',
    // ≥ 6 × the webhook-deliveries worker's timeout (60 s) + its batching window.
    visibilityTimeoutSeconds: 365,
    retentionSeconds: 4 * 24 * 3600,
    maxReceiveCount: 5,
  },
} as const satisfies Record<string, QueueSpec>;

export type QueueId = keyof typeof queues;

/** SNS topics. `ses-events`: the SES configuration set's bounce and complaint notifications. */
export const topics = {
  'ses-events': { id: 'ses-events', description: 'SES bounces and complaints (configuration set event destination)' },
} as const;
export type TopicId = keyof typeof topics;

/** Shards of the sparse next-action index: a sweep reads each shard's due slice in parallel. */
export const ACTION_SHARDS = 8;

export function queueUrlEnvVar(id: QueueId): string {
  return `${id.toUpperCase()}_QUEUE_URL`;
}
export function dlqName(id: QueueId): string {
  return `${id}-dlq`;
}

/** Secret names; locally the env var of the same name holds the value, in AWS `<NAME>_SECRET_ARN` points at it. */
export const secrets = ['ADMIN_API_KEY', 'STRIPE_API_KEY', 'STRIPE_WEBHOOK_SECRET', 'BANK_WEBHOOK_SECRET', 'LINK_SIGNING_SECRET'] as const;
export type SecretName = (typeof secrets)[number];

/** Env var carrying a secret's ARN to the functions allowed to read it (in AWS). */
export function secretArnEnvVar(name: SecretName): string {
  return `${name}_SECRET_ARN`;
}

/** EventBridge Scheduler cron fields (UTC unless `timeZone`), the same shape CDK's `ScheduleExpression.cron` takes. */
export interface CronSpec {
  minute: string;
  hour: string;
  day?: string;
  month?: string;
  weekDay?: string;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Per-route throttling classes (API Gateway HTTP API route settings; `npm start -- --throttle` applies the same token
 * buckets locally). Each route has its own bucket of its class's size — `rateLimit` requests per second steady,
 * `burstLimit` at once — so a flood of one route (say, link pages) is refused on that route only (429) and never takes
 * the payment webhooks' capacity. The public classes are capped well below the account's API Gateway and Lambda
 * limits, which all routes share.
 */
export const throttleClasses = {
  /** Payment provider and bank webhooks: generous; a refused delivery only delays cash application (they retry). */
  webhook: { rateLimit: 500, burstLimit: 1000 },
  /** The admin API (staff, integrations). */
  admin: { rateLimit: 50, burstLimit: 100 },
  /** Pages anyone holding a link can open (pay page, customer links), portal sign-in and the liveness probe: tight. */
  public: { rateLimit: 20, burstLimit: 40 },
  /** The customer portal's signed-in pages (a session cookie): every customer of the business shares these. */
  portal: { rateLimit: 100, burstLimit: 200 },
  /** The staff console's signed-in pages (a staff session cookie): the AR team, a few people. */
  console: { rateLimit: 50, burstLimit: 100 },
} as const satisfies Record<string, { rateLimit: number; burstLimit: number }>;
export type ThrottleClass = keyof typeof throttleClasses;
/** The stage's default route throttling, for any route without settings of its own: the tightest class. */
export const defaultThrottleClass: ThrottleClass = 'public';

/**
 * Who may call a route: `admin` — the admin API key (bearer); `signature` — a signed request or link checked by the
 * function (webhook HMAC, signed customer link); `session` — a customer portal session cookie (and a CSRF token on
 * every POST), checked by the portal's HTTP edge (shared/http/portal.ts); `staff` — a staff console session cookie (a
 * CSRF token on every POST, the staff member's role), checked by the console's HTTP edge (shared/http/console.ts);
 * `none` — anyone.
 */
export type HttpAuth = 'none' | 'admin' | 'signature' | 'session' | 'staff';

export type Trigger =
  | { type: 'http'; method: HttpMethod; path: string; auth: HttpAuth; throttle: ThrottleClass }
  | { type: 'queue'; queue: QueueId; batchSize: number; maxBatchingWindowSeconds: number }
  | { type: 'schedule'; cron: CronSpec; description: string }
  | { type: 'sns'; topic: TopicId }
  | StreamTrigger;

/**
 * The table's stream as an event source (Lambda's DynamoDB event source mapping; locally local/streams.ts): only the
 * records matching one of `filterPatterns` (Lambda's filter-criteria JSON, exact values only) reach the function. A
 * batch answers `batchItemFailures` with the first record that failed (its checkpoint); Lambda retries from there
 * `retryAttempts` times or until the record is `maxRecordAgeSeconds` old, then sends the batch's description to the
 * on-failure queue `<function>-stream-dlq`.
 */
export interface StreamTrigger {
  type: 'stream';
  filterPatterns: Record<string, unknown>[];
  batchSize: number;
  maxBatchingWindowSeconds: number;
  retryAttempts: number;
  maxRecordAgeSeconds: number;
}

/** The on-failure destination of a function's stream trigger (an SQS queue of that name in CDK). */
export function streamDlqName(functionName: string): string {
  return `${functionName}-stream-dlq`;
}

export interface FunctionSpec {
  /** Function id: folder name under functions/ and the Lambda's logical id. */
  name: string;
  entry: string;
  description: string;
  timeoutSeconds: number;
  memoryMb: number;
  triggers: Trigger[];
  /** Least privilege: exactly what the function touches. */
  access: {
    table?: 'read' | 'readwrite';
    sendTo?: QueueId[];
    secrets?: SecretName[];
    sendMail?: boolean;
    /** PutEvents on the default EventBridge bus (downstream `collections.*` events). */
    putEvents?: boolean;
  };
}

/** An HTTP route; its throttle class defaults to `admin` for admin routes and `public` for everything else. */
const http = (
  method: HttpMethod,
  path: string,
  auth: HttpAuth = 'admin',
  throttle: ThrottleClass = auth === 'admin' ? 'admin' : 'public',
): Trigger => ({
  type: 'http',
  method,
  path,
  auth,
  throttle,
});

export const functions: FunctionSpec[] = [
  {
    name: 'health',
    entry: 'functions/health/handler.ts',
    description: 'Liveness probe',
    timeoutSeconds: 5,
    memoryMb: 256,
    triggers: [http('GET', '/health', 'none')],
    access: {},
  },
  {
    name: 'docs',
    entry: 'functions/docs/handler.ts',
    description: 'The API contract: GET /openapi.json (OpenAPI 3.1, generated from the zod schemas and this topology) and GET /docs (the reference page)',
    timeoutSeconds: 10,
    memoryMb: 512,
    triggers: [http('GET', '/openapi.json', 'none'), http('GET', '/docs', 'none')],
    access: {},
  },
  {
    name: 'customers',
    entry: 'functions/customers/handler.ts',
    description: 'Admin API: customers and their collections profile (terms, cadence, tone, language, quiet hours), signed-link revocation',
    timeoutSeconds: 10,
    memoryMb: 512,
    triggers: [http('POST', '/customers'), http('GET', '/customers/{id}'), http('PATCH', '/customers/{id}'), http('POST', '/customers/{id}/links/revoke')],
    access: { table: 'readwrite', secrets: ['ADMIN_API_KEY'] },
  },
  {
    name: 'invoices',
    entry: 'functions/invoices/handler.ts',
    description: 'Admin API: invoices',
    timeoutSeconds: 10,
    memoryMb: 512,
    triggers: [http('POST', '/invoices'), http('GET', '/invoices/{id}'), http('GET', '/invoices')],
    // LINK_SIGNING_SECRET: the pagination cursors of GET /invoices are signed with a key derived from it.
    access: { table: 'readwrite', secrets: ['ADMIN_API_KEY', 'LINK_SIGNING_SECRET'] },
  },
  {
    name: 'stripe-webhook',
    entry: 'functions/stripe-webhook/handler.ts',
    description: 'Stripe webhook: verify signature over raw bytes, store, enqueue',
    timeoutSeconds: 10,
    memoryMb: 512,
    triggers: [http('POST', '/webhooks/stripe', 'signature', 'webhook')],
    access: { table: 'readwrite', sendTo: ['payments'], secrets: ['STRIPE_WEBHOOK_SECRET'] },
  },
  {
    name: 'bank-webhook',
    entry: 'functions/bank-webhook/handler.ts',
    description: 'Bank webhook (JSON, camt.053/054, BAI2): verify HMAC over raw bytes, validate, store, enqueue',
    timeoutSeconds: 15,
    memoryMb: 1024,
    triggers: [http('POST', '/webhooks/bank', 'signature', 'webhook')],
    access: { table: 'readwrite', sendTo: ['payments'], secrets: ['BANK_WEBHOOK_SECRET'] },
  },
  {
    name: 'payments',
    entry: 'functions/payments/handler.ts',
    description: 'Admin API: manual payments (checks), review queue, allocations by hand and their reversal',
    timeoutSeconds: 15,
    memoryMb: 1024,
    triggers: [
      http('POST', '/payments'),
      http('GET', '/payments'),
      http('GET', '/payments/{id}'),
      http('POST', '/payments/{id}/allocations'),
      http('POST', '/payments/{id}/allocations/{invoiceId}/reverse'),
    ],
    access: { table: 'readwrite', secrets: ['ADMIN_API_KEY', 'LINK_SIGNING_SECRET'], sendMail: true },
  },
  {
    name: 'pay-link',
    entry: 'functions/pay-link/handler.ts',
    description: 'Signed pay links from our mails: the amount due, bank details, and card payment via Stripe Checkout',
    timeoutSeconds: 10,
    memoryMb: 512,
    triggers: [http('GET', '/pay/{invoiceId}', 'signature'), http('POST', '/pay/{invoiceId}/checkout', 'signature')],
    access: { table: 'read', secrets: ['LINK_SIGNING_SECRET', 'STRIPE_API_KEY'] },
  },
  {
    name: 'reconcile',
    entry: 'functions/reconcile/handler.ts',
    description: 'Applies stored payment events to invoices (one transaction per payment) and sends receipts',
    timeoutSeconds: 30,
    memoryMb: 1024,
    triggers: [{ type: 'queue', queue: 'payments', batchSize: 10, maxBatchingWindowSeconds: 1 }],
    access: { table: 'readwrite', sendMail: true, secrets: ['LINK_SIGNING_SECRET'] },
  },
  {
    name: 'inbox-redrive',
    entry: 'functions/inbox-redrive/handler.ts',
    description: 'Re-enqueues stored events whose enqueue did not complete (crash between store and enqueue)',
    timeoutSeconds: 60,
    memoryMb: 512,
    triggers: [{ type: 'schedule', cron: { minute: '0/5', hour: '*' }, description: 'every 5 minutes' }],
    // sendMail: it also delivers the mail outbox's pending mails (deliverPendingMail).
    access: { table: 'readwrite', sendTo: ['payments'], sendMail: true },
  },
  {
    name: 'reminders',
    entry: 'functions/reminders/handler.ts',
    description: 'Dunning sweep (hourly): fans the due slice of the next-action index out to the collections worker',
    timeoutSeconds: 30,
    memoryMb: 256,
    triggers: [{ type: 'schedule', cron: { minute: '0', hour: '*' }, description: 'hourly' }],
    access: { sendTo: ['collections'] },
  },
  {
    name: 'interest',
    entry: 'functions/interest/handler.ts',
    description: 'Late interest and fees sweep (daily): fans due invoices out to the collections worker',
    timeoutSeconds: 30,
    memoryMb: 256,
    triggers: [{ type: 'schedule', cron: { minute: '15', hour: '1' }, description: 'daily 01:15 UTC' }],
    access: { sendTo: ['collections'] },
  },
  {
    name: 'escalation',
    entry: 'functions/escalation/handler.ts',
    description: 'Escalation sweep (daily): legal handover of invoices past their final notice',
    timeoutSeconds: 30,
    memoryMb: 256,
    triggers: [{ type: 'schedule', cron: { minute: '30', hour: '2' }, description: 'daily 02:30 UTC' }],
    access: { sendTo: ['collections'] },
  },
  {
    name: 'insights',
    entry: 'functions/insights/handler.ts',
    description: 'Payment-behaviour insights (nightly): fits the prediction model as of the last complete day, a page of customers per collections job, and writes invoice predictions and customer payment behaviour',
    timeoutSeconds: 30,
    memoryMb: 256,
    triggers: [{ type: 'schedule', cron: { minute: '0', hour: '3' }, description: 'daily 03:00 UTC' }],
    access: { sendTo: ['collections'] },
  },
  {
    name: 'imports',
    entry: 'functions/imports/handler.ts',
    description: 'Admin API: import invoice history (closed and open invoices with their payments) from CSV or JSON, row by row, idempotent per invoice number, no mail for the past',
    timeoutSeconds: 60,
    memoryMb: 1024,
    triggers: [http('POST', '/imports/invoices')],
    access: { table: 'readwrite', secrets: ['ADMIN_API_KEY'] },
  },
  {
    name: 'collections-worker',
    entry: 'functions/collections-worker/handler.ts',
    description: 'Collections work: index pages, one customer\'s reminders, one invoice\'s interest, escalations',
    timeoutSeconds: 60,
    memoryMb: 1024,
    triggers: [{ type: 'queue', queue: 'collections', batchSize: 10, maxBatchingWindowSeconds: 5 }],
    // No putEvents: its events (reminders, interest, escalations) go out through the outbox relay (`events`).
    access: { table: 'readwrite', sendTo: ['collections'], sendMail: true, secrets: ['LINK_SIGNING_SECRET'] },
  },
  {
    name: 'collections',
    entry: 'functions/collections/handler.ts',
    description: 'Admin API: disputes, hardship extensions, customer holds, communication history, ledger, letters to post, answers to customers\' questions',
    timeoutSeconds: 15,
    memoryMb: 512,
    triggers: [
      http('POST', '/invoices/{id}/disputes'),
      http('POST', '/disputes/{id}/resolve'),
      http('POST', '/invoices/{id}/extensions'),
      http('POST', '/customers/{id}/holds'),
      http('POST', '/customers/{id}/holds/{holdId}/release'),
      http('GET', '/customers/{id}/communications'),
      http('GET', '/customers/{id}/ledger'),
      http('GET', '/letters'),
      // Promises to pay (made by customers in the portal) and questions asked there: staff read one, answer it (the
      // customer's mail with the answer) and close it. The request is an item on its customer: both ids in the path.
      http('GET', '/promises'),
      http('GET', '/support-requests'),
      http('GET', '/support-requests/{customerId}/{id}'),
      http('POST', '/support-requests/{customerId}/{id}/replies'),
      http('POST', '/support-requests/{customerId}/{id}/close'),
    ],
    access: { table: 'readwrite', sendMail: true, secrets: ['ADMIN_API_KEY', 'LINK_SIGNING_SECRET'] },
  },
  {
    name: 'plans',
    entry: 'functions/plans/handler.ts',
    description: 'Admin API: payment plans (create, read, approve)',
    timeoutSeconds: 15,
    memoryMb: 512,
    triggers: [http('POST', '/payment-plans'), http('GET', '/payment-plans/{id}'), http('POST', '/payment-plans/{id}/approve')],
    access: { table: 'readwrite', sendMail: true, secrets: ['ADMIN_API_KEY', 'LINK_SIGNING_SECRET'] },
  },
  {
    name: 'customer-links',
    entry: 'functions/customer-links/handler.ts',
    description: 'Signed customer links from our mails: rate us, communication preferences, ask for a payment plan',
    timeoutSeconds: 15,
    memoryMb: 512,
    triggers: [
      http('GET', '/feedback/{customerId}', 'signature'),
      http('POST', '/feedback/{customerId}', 'signature'),
      http('GET', '/preferences/{customerId}', 'signature'),
      http('POST', '/preferences/{customerId}', 'signature'),
      http('GET', '/plan-request/{customerId}', 'signature'),
      http('POST', '/plan-request/{customerId}', 'signature'),
      // The button on an expired or revoked link's page: mails a fresh link (the posted token is checked).
      http('POST', '/links/fresh', 'signature'),
    ],
    access: { table: 'readwrite', sendMail: true, secrets: ['LINK_SIGNING_SECRET'] },
  },
  {
    name: 'reports',
    entry: 'functions/reports/handler.ts',
    description:
      'Receivables reports: aging by currency and customer, DSO (countback), collection effectiveness, plan-kept rate, feedback; the cash forecast and the worklist from the predictions',
    timeoutSeconds: 30,
    memoryMb: 1024,
    triggers: [
      http('GET', '/reports/aging'),
      http('GET', '/reports/kpis'),
      http('GET', '/reports/feedback'),
      http('GET', '/reports/forecast'),
      // Customers ranked by expected loss, with the next suggested action (paged: the cursor is sealed with the link secret).
      http('GET', '/worklist'),
    ],
    access: { table: 'read', secrets: ['ADMIN_API_KEY', 'LINK_SIGNING_SECRET'] },
  },
  {
    name: 'statements',
    entry: 'functions/statements/handler.ts',
    description: 'Statements of account: on demand (JSON, CSV, printable HTML) and the monthly run',
    timeoutSeconds: 30,
    memoryMb: 1024,
    triggers: [
      http('GET', '/customers/{id}/statement'),
      // 12:00 UTC: the new month has begun in every time zone from UTC−12 to UTC+12 (statements cover the last full local month).
      { type: 'schedule', cron: { minute: '0', hour: '12', day: '1' }, description: 'monthly, 1st 12:00 UTC' },
    ],
    access: { table: 'readwrite', sendTo: ['collections'], sendMail: true, secrets: ['ADMIN_API_KEY', 'LINK_SIGNING_SECRET'] },
  },
  {
    name: 'portal',
    entry: 'functions/portal/handler.ts',
    description: 'Customer portal: sign-in by mailed one-time link, session cookie; account overview, invoices, payments, statements, pay, disputes, promises to pay, plans, preferences, questions',
    timeoutSeconds: 15,
    memoryMb: 1024,
    triggers: [
      // Sign-in: no session yet (tight public throttle; the login form is also rate-limited per address and client).
      http('GET', '/portal/login', 'none'),
      http('POST', '/portal/login', 'none'),
      // The mailed link opens a one-button page (GET spends nothing); its POST spends the token and sets the cookie.
      http('GET', '/portal/session', 'signature'),
      http('POST', '/portal/session', 'signature'),
      http('POST', '/portal/logout', 'session', 'portal'),
      http('GET', '/portal', 'session', 'portal'),
      http('GET', '/portal/invoices', 'session', 'portal'),
      http('GET', '/portal/invoices/{id}', 'session', 'portal'),
      http('POST', '/portal/pay', 'session', 'portal'),
      http('GET', '/portal/payments', 'session', 'portal'),
      http('GET', '/portal/statement', 'session', 'portal'),
      http('POST', '/portal/invoices/{id}/disputes', 'session', 'portal'),
      http('POST', '/portal/invoices/{id}/promise', 'session', 'portal'),
      http('GET', '/portal/plan-request', 'session', 'portal'),
      http('POST', '/portal/plan-request', 'session', 'portal'),
      http('GET', '/portal/preferences', 'session', 'portal'),
      http('POST', '/portal/preferences', 'session', 'portal'),
      http('GET', '/portal/feedback', 'session', 'portal'),
      http('POST', '/portal/feedback', 'session', 'portal'),
      http('GET', '/portal/messages', 'session', 'portal'),
      http('POST', '/portal/messages', 'session', 'portal'),
    ],
    access: { table: 'readwrite', sendMail: true, secrets: ['LINK_SIGNING_SECRET', 'STRIPE_API_KEY'] },
  },
  {
    name: 'console',
    entry: 'functions/console/handler.ts',
    description:
      'Staff console: staff directory, sign-in by mailed one-time link, session cookie; worklist, customers, invoices, payments to review, questions, plans, through the admin API services, each action recorded with the member',
    timeoutSeconds: 15,
    memoryMb: 1024,
    triggers: [
      // The staff directory (who may sign in, with which role): admin API.
      http('POST', '/staff'),
      http('GET', '/staff'),
      http('DELETE', '/staff/{id}'),
      // Sign-in: no session yet (the login form is also rate-limited per address and client).
      http('GET', '/console/login', 'none'),
      http('POST', '/console/login', 'none'),
      // The mailed link opens a one-button page (GET spends nothing); its POST spends the token and sets the cookie.
      http('GET', '/console/session', 'signature'),
      http('POST', '/console/session', 'signature'),
      http('POST', '/console/logout', 'staff', 'console'),
      // Signed in.
      http('GET', '/console', 'staff', 'console'),
      // Customers: find one, the customer's page, an invoice's page, and the casework actions taken there.
      http('GET', '/console/customers', 'staff', 'console'),
      http('GET', '/console/customers/{id}', 'staff', 'console'),
      http('GET', '/console/invoices/{id}', 'staff', 'console'),
      http('POST', '/console/disputes/{id}/resolve', 'staff', 'console'),
      http('POST', '/console/invoices/{id}/extensions', 'staff', 'console'),
      http('POST', '/console/customers/{id}/holds', 'staff', 'console'),
      http('POST', '/console/customers/{id}/holds/{holdId}/release', 'staff', 'console'),
      // Payments to review: the queue, one payment, allocating and reversing by hand (the review service).
      http('GET', '/console/review', 'staff', 'console'),
      http('GET', '/console/payments/{id}', 'staff', 'console'),
      http('POST', '/console/payments/{id}/allocations', 'staff', 'console'),
      http('POST', '/console/payments/{id}/allocations/{invoiceId}/reverse', 'staff', 'console'),
      // Casework: customers' questions (answer, close) and payment plans (approve).
      http('GET', '/console/questions', 'staff', 'console'),
      http('GET', '/console/questions/{customerId}/{id}', 'staff', 'console'),
      http('POST', '/console/questions/{customerId}/{id}/replies', 'staff', 'console'),
      http('POST', '/console/questions/{customerId}/{id}/close', 'staff', 'console'),
      http('GET', '/console/plans', 'staff', 'console'),
      http('GET', '/console/plans/{id}', 'staff', 'console'),
      http('POST', '/console/plans/{id}/approve', 'staff', 'console'),
      http('GET', '/console/promises', 'staff', 'console'),
    ],
    access: { table: 'readwrite', sendTo: ['collections'], sendMail: true, secrets: ['LINK_SIGNING_SECRET', 'STRIPE_API_KEY'] },
  },
  {
    name: 'events',
    entry: 'functions/events/handler.ts',
    description:
      'Outbox relay: publishes committed outbox records to EventBridge and the webhook subscriptions (from the table stream; a sweep every 5 minutes for records still pending)',
    timeoutSeconds: 60,
    memoryMb: 512,
    triggers: [
      {
        type: 'stream',
        // Inserts of outbox records only (shared/store/outbound-events.ts OUTBOX_ENTITY): every other write is dropped
        // by the event source before the function runs.
        filterPatterns: [{ eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['outbox'] } } } }],
        batchSize: 50,
        maxBatchingWindowSeconds: 0,
        retryAttempts: 10,
        maxRecordAgeSeconds: 6 * 3600,
      },
      { type: 'schedule', cron: { minute: '0/5', hour: '*' }, description: 'every 5 minutes (records still pending after the grace period)' },
    ],
    // The only function that puts events on the bus: writers only write outbox records. webhooks: the deliveries it
    // makes for the subscriptions are queued for the webhook-deliveries worker.
    access: { table: 'readwrite', putEvents: true, sendTo: ['webhooks'] },
  },
  {
    name: 'subscriptions',
    entry: 'functions/subscriptions/handler.ts',
    description: 'Admin API: webhook subscriptions (Standard Webhooks, signing secret shown once), their deliveries and dead letters, redelivery',
    timeoutSeconds: 10,
    memoryMb: 512,
    triggers: [
      http('POST', '/subscriptions'),
      http('GET', '/subscriptions'),
      http('GET', '/subscriptions/{id}'),
      http('GET', '/subscriptions/{id}/deliveries'),
      http('POST', '/subscriptions/{id}/deliveries/{eventId}/retry'),
      http('DELETE', '/subscriptions/{id}'),
    ],
    // webhooks: a staff retry queues the delivery's first attempt; LINK_SIGNING_SECRET: the listings' cursors.
    access: { table: 'readwrite', sendTo: ['webhooks'], secrets: ['ADMIN_API_KEY', 'LINK_SIGNING_SECRET'] },
  },
  {
    name: 'webhook-deliveries',
    entry: 'functions/webhook-deliveries/handler.ts',
    description: 'Webhook deliveries: POSTs each signed attempt to the subscriber (the webhooks queue) and re-queues due retries (every minute)',
    timeoutSeconds: 60,
    memoryMb: 512,
    triggers: [
      // 5 a batch, one after another: at most 5 × the 10 s attempt deadline, well inside the timeout.
      { type: 'queue', queue: 'webhooks', batchSize: 5, maxBatchingWindowSeconds: 0 },
      { type: 'schedule', cron: { minute: '*', hour: '*' }, description: 'every minute (retries due, lost messages, expired leases)' },
    ],
    // No secret: each subscription's signing secret is on its item in the table (docs/decisions.md).
    access: { table: 'readwrite', sendTo: ['webhooks'] },
  },
  {
    name: 'ses-events',
    entry: 'functions/ses-events/handler.ts',
    description: 'SES bounces and complaints: suppress the address, flag the customer',
    timeoutSeconds: 15,
    memoryMb: 256,
    triggers: [{ type: 'sns', topic: 'ses-events' }],
    access: { table: 'readwrite' },
  },
];

export function functionByName(name: string): FunctionSpec {
  const fn = functions.find((f) => f.name === name);
  if (!fn) throw new Error(`No function named ${name} in the manifest`);
  return fn;
}

/** Environment variable names shared by CDK and the local runtime. */
export const env = {
  tableName: 'TABLE_NAME',
  mailFrom: 'MAIL_FROM',
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  publicBaseUrl: 'PUBLIC_BASE_URL',
  /** Where customers send bank transfers (shown on pay pages and in mails). */
  payeeAccount: 'PAYEE_ACCOUNT',
  /** Account-wide payment terms (JSON, see shared/domain/terms.ts `accountTermsSchema`); unset = net 30, nothing else. */
  accountTerms: 'ACCOUNT_TERMS',
  /** EventBridge bus for `collections.*` events; `local` = record only (no EventBridge locally). */
  eventBusName: 'EVENT_BUS_NAME',
  /** Largest bank-transfer shortfall written off as fees (JSON currency → minor units); unset = the defaults. */
  shortfallTolerance: 'SHORTFALL_TOLERANCE',
  /** `false` stops customer credit from settling their next invoice; unset = on. */
  applyCreditToNewInvoices: 'APPLY_CREDIT_TO_NEW_INVOICES',
  /** Service name in every log line (Powertools). */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  /** The adaptive cadence by predicted payment behaviour (JSON, domain/adaptive-cadence.ts); unset = on, defaults. */
  adaptiveCadence: 'ADAPTIVE_CADENCE',
  /**
   * The business's branding on every customer page and mail (JSON, see shared/config/runtime.ts `brandingSchema`:
   * company name, logo as inline SVG or an https URL, primary colour, support e-mail and phone); unset = a neutral
   * default with the sender's name.
   */
  branding: 'BRANDING',
  /** Where Stripe API calls go (local work and tests: a fake or stripe-mock); unset = api.stripe.com. */
  stripeApiBase: 'STRIPE_API_BASE',
  /** `true` lets webhook subscriber URLs use http and loopback hosts (local runtime and tests only; unset in AWS). */
  webhookAllowLoopback: 'WEBHOOK_ALLOW_LOOPBACK',
  /** The webhook retry schedule (JSON: seconds before each attempt, the first 0); unset = Standard Webhooks'. */
  webhookRetrySchedule: 'WEBHOOK_RETRY_SCHEDULE',
} as const;
export type EnvVarName = (typeof env)[keyof typeof env];

/**
 * Who sets a variable: `always` — the stack sets it for every function it is declared for; `configured` — the stack
 * sets it when the operator configures it (CDK context), unset means the documented default; `local` — the local
 * runtime and tests only, never set in AWS (unset = the production behaviour).
 */
export type EnvVarSource = 'always' | 'configured' | 'local';

/**
 * Every variable a function may read, declared once. The runtime config module (`shared/config/runtime.ts`) reads
 * nothing else; the CDK stack sets exactly these (plus `NODE_OPTIONS`); test/infra/environment.test.ts checks both.
 * Queue URLs (`<ID>_QUEUE_URL`) and secret ARNs (`<NAME>_SECRET_ARN`) follow `access.sendTo` and `access.secrets`.
 */
export const envDeclarations: { name: EnvVarName; source: EnvVarSource; for: (spec: FunctionSpec) => boolean }[] = [
  { name: env.serviceName, source: 'always', for: () => true },
  { name: env.publicBaseUrl, source: 'always', for: () => true },
  { name: env.payeeAccount, source: 'always', for: () => true },
  { name: env.tableName, source: 'always', for: (f) => f.access.table !== undefined },
  { name: env.branding, source: 'configured', for: () => true },
  { name: env.accountTerms, source: 'configured', for: (f) => f.access.table !== undefined },
  { name: env.adaptiveCadence, source: 'configured', for: (f) => f.access.table !== undefined },
  { name: env.shortfallTolerance, source: 'configured', for: (f) => f.access.table !== undefined },
  { name: env.applyCreditToNewInvoices, source: 'configured', for: (f) => f.access.table !== undefined },
  { name: env.mailFrom, source: 'always', for: (f) => f.access.sendMail === true },
  { name: env.sesConfigurationSet, source: 'always', for: (f) => f.access.sendMail === true },
  { name: env.eventBusName, source: 'always', for: (f) => f.access.putEvents === true },
  { name: env.stripeApiBase, source: 'local', for: (f) => f.access.secrets?.includes('STRIPE_API_KEY') === true },
  { name: env.webhookAllowLoopback, source: 'local', for: (f) => f.access.sendTo?.includes('webhooks') === true },
  { name: env.webhookRetrySchedule, source: 'configured', for: (f) => f.triggers.some((t) => t.type === 'queue' && t.queue === 'webhooks') },
];

/** The variables a function may read (see `envDeclarations`), queue URLs and secret ARNs included. */
export function functionEnv(spec: FunctionSpec): { name: string; source: EnvVarSource }[] {
  return [
    ...envDeclarations.filter((d) => d.for(spec)).map(({ name, source }) => ({ name, source })),
    ...(spec.access.sendTo ?? []).map((q) => ({ name: queueUrlEnvVar(q), source: 'always' as const })),
    ...(spec.access.secrets ?? []).map((s) => ({ name: secretArnEnvVar(s), source: 'always' as const })),
  ];
}

/**
 * The event a scheduled function receives, EventBridge-shaped. EventBridge Scheduler fills the placeholders from its
 * context attributes (CDK passes `ContextAttribute.scheduledTime` etc.); the local runtime passes real values. The
 * handler takes "now" from `time`.
 */
export function scheduledEvent(fields: { name: string; time: string; scheduleArn: string; executionId: string }) {
  return {
    version: '0',
    id: fields.executionId,
    'detail-type': 'Scheduled Event',
    source: 'aws.scheduler',
    account: '',
    time: fields.time,
    region: '',
    resources: [fields.scheduleArn],
    detail: { schedule: fields.name },
  };
}

/**
 * Every key of the single table, in one place. See docs/data-model.md for the access pattern each one serves.
 */
import type { InvoiceStatus } from '../domain/invoice.ts';

export const keys = {
  customer: (id: string) => ({ PK: `CUSTOMER#${id}`, SK: 'PROFILE' }),
  /** Every customer (GSI3), for account-wide reports and the monthly statements run. */
  customerListing: (createdAt: string, id: string) => ({ GSI3PK: 'CUSTOMERS', GSI3SK: `${createdAt}#${id}` }),
  /**
   * Sparse name index (GSI5) of customers: the first word of the name's normal form (domain/party-name.ts) as the
   * partition, the whole normal form then the id as the sort key; absent when the name normalises to nothing.
   */
  customerName: (partition: string, normalisedName: string, id: string) => ({
    GSI5PK: `NAME#${partition}`,
    GSI5SK: `${normalisedName}#${id}`,
  }),
  invoice: (id: string) => ({ PK: `INVOICE#${id}`, SK: 'INVOICE' }),
  invoiceByCustomer: (customerId: string, status: InvoiceStatus, dueDate: string, id: string) => ({
    GSI1PK: `CUSTOMER#${customerId}`,
    GSI1SK: `INVOICE#${status}#${dueDate}#${id}`,
  }),
  invoiceByStatus: (status: InvoiceStatus, dueDate: string, id: string) => ({
    GSI3PK: `INVOICE_STATUS#${status}`,
    GSI3SK: `${dueDate}#${id}`,
  }),
  /**
   * Sparse amount index (GSI4) of open invoices: GSI4PK (the currency) is written with the invoice and never changes;
   * GSI4SK (the balance, zero-padded so that it sorts as a number, then due date and id) is set while the balance is
   * above zero and removed when it is paid, so a paid invoice leaves the index.
   */
  openAmount: (currency: string, balanceDue: number, dueDate: string, id: string) => ({
    GSI4PK: `OPEN_AMOUNT#${currency}`,
    GSI4SK: openAmountSortKey(balanceDue, dueDate, id),
  }),
  invoiceNumber: (number: string) => ({ PK: `INVOICE_NUMBER#${number}`, SK: 'INVOICE_NUMBER' }),
  reference: (reference: string) => ({ PK: `REFERENCE#${reference}`, SK: 'REFERENCE' }),
  counter: (name: string) => ({ PK: `COUNTER#${name}`, SK: 'COUNTER' }),
  allocation: (invoiceId: string, paymentId: string) => ({ PK: `INVOICE#${invoiceId}`, SK: `ALLOCATION#${paymentId}` }),
  payment: (id: string) => ({ PK: `PAYMENT#${id}`, SK: 'PAYMENT' }),
  paymentByCustomer: (customerId: string, receivedAt: string, id: string) => ({
    GSI1PK: `CUSTOMER#${customerId}`,
    GSI1SK: `PAYMENT#${receivedAt}#${id}`,
  }),
  paymentByStatus: (status: string, receivedAt: string, id: string) => ({
    GSI3PK: `PAYMENT_STATUS#${status}`,
    GSI3SK: `${receivedAt}#${id}`,
  }),
  ledgerEntry: (customerId: string, bookedAt: string, entryId: string) => ({
    PK: `CUSTOMER#${customerId}`,
    SK: `LEDGER#${bookedAt}#${entryId}`,
  }),
  ledgerPrefix: 'LEDGER#',
  paymentFacts: (paymentId: string) => ({ PK: `PAYMENT#${paymentId}`, SK: 'FACTS' }),
  /** `account:<IBAN or account>` or `stripe:<cus_…>` → the customer who pays from it. */
  payer: (payerKey: string) => ({ PK: `PAYER#${payerKey}`, SK: 'PAYER' }),
  inboxEvent: (source: string, eventId: string) => ({ PK: `EVENT#${source}#${eventId}`, SK: 'EVENT' }),
  inboxPending: (receivedAt: string) => ({ GSI2PK: 'INBOX#PENDING', GSI2SK: receivedAt }),
  mail: (customerId: string, mailKey: string) => ({ PK: `CUSTOMER#${customerId}`, SK: `MAIL#${mailKey}` }),
  mailPending: (createdAt: string) => ({ GSI2PK: 'MAIL#PENDING', GSI2SK: createdAt }),
  /** A customer's mails in the order they were written (GSI1): the paginated communication history. */
  mailByCustomer: (customerId: string, createdAt: string, mailKey: string) => ({
    GSI1PK: `CUSTOMER#${customerId}`,
    GSI1SK: `MAIL#${createdAt}#${mailKey}`,
  }),
  /** Sparse next-action index (GSI2) of unpaid invoices: the reminders sweep reads each shard up to "now". */
  dunningDue: (shard: number, at: string, invoiceId: string) => ({ GSI2PK: `DUE#DUNNING#${shard}`, GSI2SK: `${at}#${invoiceId}` }),
  /** Marker items on the invoice's partition for the daily interest and escalation sweeps (GSI2, date-keyed). */
  schedule: (invoiceId: string, kind: ScheduleKind) => ({ PK: `INVOICE#${invoiceId}`, SK: `SCHEDULE#${kind}` }),
  scheduleDue: (kind: ScheduleKind, shard: number, date: string, invoiceId: string) => ({
    GSI2PK: `DUE#${kind.toUpperCase()}#${shard}`,
    GSI2SK: `${date}#${invoiceId}`,
  }),
  dispute: (id: string) => ({ PK: `DISPUTE#${id}`, SK: 'DISPUTE' }),
  /** Customer disputes by the time they were opened (GSI3), for the disputes-by-reason report. */
  disputeListing: (openedAt: string, id: string) => ({ GSI3PK: 'DISPUTES', GSI3SK: `${openedAt}#${id}` }),
  /** A promise to pay (shared/domain/promises.ts); GSI3 lists them by status: open by when made, kept/broken by when settled. */
  promise: (id: string) => ({ PK: `PROMISE#${id}`, SK: 'PROMISE' }),
  promiseByStatus: (status: string, at: string, id: string) => ({ GSI3PK: `PROMISE_STATUS#${status}`, GSI3SK: `${at}#${id}` }),
  /** The collections decisions trail of a customer (promise made/kept/broken, dispute opened), in time order. */
  decision: (customerId: string, at: string, subjectId: string, kind: string) => ({ PK: `CUSTOMER#${customerId}`, SK: `DECISION#${at}#${subjectId}#${kind}` }),
  /** A customer's question from the portal (on the customer); GSI3 lists every request by time for staff. */
  supportRequest: (customerId: string, id: string) => ({ PK: `CUSTOMER#${customerId}`, SK: `SUPPORT#${id}` }),
  supportRequestListing: (createdAt: string, id: string) => ({ GSI3PK: 'SUPPORT_REQUESTS', GSI3SK: `${createdAt}#${id}` }),
  /** While a question waits for staff (open): in the sparse work index, oldest first (the console's queue). */
  supportRequestOpen: (createdAt: string, id: string) => ({ GSI2PK: 'SUPPORT#OPEN', GSI2SK: `${createdAt}#${id}` }),
  /** A formal notice to print and post, listed by the day it was written (the print run's export). */
  letter: (date: string, customerId: string, mailKey: string) => ({ PK: `LETTERS#${date}`, SK: `${customerId}#${mailKey}` }),
  plan: (id: string) => ({ PK: `PLAN#${id}`, SK: 'PLAN' }),
  planByCustomer: (customerId: string, status: string, id: string) => ({ GSI1PK: `CUSTOMER#${customerId}`, GSI1SK: `PLAN#${status}#${id}` }),
  planByStatus: (status: string, createdAt: string, id: string) => ({ GSI3PK: `PLAN_STATUS#${status}`, GSI3SK: `${createdAt}#${id}` }),
  /** Customer feedback, once per context (a payment, a plan); GSI3 lists all feedback by time for the report. */
  feedback: (customerId: string, contextKey: string) => ({ PK: `CUSTOMER#${customerId}`, SK: `FEEDBACK#${contextKey}` }),
  feedbackListing: (at: string, id: string) => ({ GSI3PK: 'FEEDBACK', GSI3SK: `${at}#${id}` }),
  /**
   * Sparse e-mail index of customers (GSI1 on the customer item, which has no other GSI1 key): the normalised address
   * (trimmed, lower case) as the partition, the id as the sort key — the portal's sign-in finds the accounts of an address.
   */
  customerEmail: (normalisedEmail: string, id: string) => ({ GSI1PK: `EMAIL#${normalisedEmail}`, GSI1SK: `CUSTOMER#${id}` }),
  /** A portal session, by the SHA-256 (hex) of its cookie token (the token itself is never stored); TTL `expiresAt`. */
  portalSession: (tokenHash: string) => ({ PK: `SESSION#${tokenHash}`, SK: 'SESSION' }),
  /** A one-time portal sign-in token, by the SHA-256 (hex) of its nonce; deleted when spent; TTL `expiresAt`. */
  portalLogin: (nonceHash: string) => ({ PK: `LOGIN#${nonceHash}`, SK: 'LOGIN' }),
  /** A console session (staff), by the SHA-256 (hex) of its cookie token; TTL `expiresAt`. */
  consoleSession: (tokenHash: string) => ({ PK: `CONSOLE_SESSION#${tokenHash}`, SK: 'SESSION' }),
  /** A one-time console sign-in token, by the SHA-256 (hex) of its nonce; deleted when spent; TTL `expiresAt`. */
  consoleLogin: (nonceHash: string) => ({ PK: `CONSOLE_LOGIN#${nonceHash}`, SK: 'LOGIN' }),
  /** A member of the staff directory (the console's sign-in), by its stable id; GSI3 lists the directory by when added. */
  staff: (id: string) => ({ PK: `STAFF#${id}`, SK: 'STAFF' }),
  staffListing: (createdAt: string, id: string) => ({ GSI3PK: 'STAFF', GSI3SK: `${createdAt}#${id}` }),
  /**
   * A rate-limit counter: a scope (`login-address#<sha256>`, `login-client#<sha256>`; the console's
   * `console-login-address#…`, `console-login-client#…`) and a fixed window; TTL `expiresAt`.
   */
  rateCounter: (scope: string, window: number) => ({ PK: `RATE#${scope}`, SK: `WINDOW#${window}` }),
  /**
   * The events outbox (store/outbound-events.ts): one record per committed change; GSI2 `OUTBOX#PENDING` while not yet
   * published (the relay's sweep), GSI1 on the customer (the events sent downstream about them, oldest first).
   */
  outbox: (id: string) => ({ PK: `OUTBOX#${id}`, SK: 'OUTBOX' }),
  outboxPending: (createdAt: string, id: string) => ({ GSI2PK: 'OUTBOX#PENDING', GSI2SK: `${createdAt}#${id}` }),
  outboxByCustomer: (customerId: string, createdAt: string, id: string) => ({ GSI1PK: `CUSTOMER#${customerId}`, GSI1SK: `OUTBOX#${createdAt}#${id}` }),
  /** The nightly insights run as of a date: its fitted portfolio model and the per-page statistics it was fitted from. */
  insightsModel: (asOf: string) => ({ PK: `INSIGHTS#${asOf}`, SK: 'MODEL' }),
  insightsPage: (asOf: string, page: number) => ({ PK: `INSIGHTS#${asOf}`, SK: `PAGE#${String(page).padStart(6, '0')}` }),
  /** A webhook subscription (its signing secret on the item); GSI3 lists them by status, oldest first. */
  subscription: (id: string) => ({ PK: `SUBSCRIPTION#${id}`, SK: 'SUBSCRIPTION' }),
  subscriptionByStatus: (status: string, createdAt: string, id: string) => ({ GSI3PK: `SUBSCRIPTION_STATUS#${status}`, GSI3SK: `${createdAt}#${id}` }),
  /** One event's delivery to one subscription: written once (the condition de-duplicates a re-published event). */
  webhookDelivery: (subscriptionId: string, eventId: string) => ({ PK: `WEBHOOK_DELIVERY#${subscriptionId}#${eventId}`, SK: 'DELIVERY' }),
  /** A subscription's deliveries by status, then creation time (GSI1): the dead letters (`failed`) for staff. */
  deliveryBySubscription: (subscriptionId: string, status: string, createdAt: string, eventId: string) => ({
    GSI1PK: `SUBSCRIPTION#${subscriptionId}`,
    GSI1SK: `DELIVERY#${status}#${createdAt}#${eventId}`,
  }),
  /** Sparse due index (GSI2) of pending deliveries: the retry sweep reads each shard up to "now". */
  deliveryDue: (shard: number, at: string, subscriptionId: string, eventId: string) => ({
    GSI2PK: `WEBHOOK_DUE#${shard}`,
    GSI2SK: `${at}#${subscriptionId}#${eventId}`,
  }),
};

/** GSI4SK of an open invoice: `<balance, 16 digits>#<due date>#<id>`. */
export function openAmountSortKey(balanceDue: number, dueDate: string, id: string): string {
  return `${openAmountPrefix(balanceDue)}${dueDate}#${id}`;
}

/** The GSI4SK prefix shared by every open invoice with this balance (`<balance, 16 digits>#`). */
export function openAmountPrefix(balanceDue: number): string {
  return `${String(balanceDue).padStart(16, '0')}#`;
}

export type ScheduleKind = 'interest' | 'escalation';
export type SweepKind = 'dunning' | ScheduleKind;

/** The GSI2 partition of one shard of a sweep's index. */
export function duePartition(kind: SweepKind, shard: number): string {
  return `DUE#${kind.toUpperCase()}#${shard}`;
}

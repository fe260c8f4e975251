/**
 * Maps Stripe events to what they mean for us. Pure translation: no I/O. Every amount is converted from Stripe's
 * units to ISO 4217 minor units by the one adapter (`stripe-units.ts`: 500000 ISK from Stripe is 5,000 ISK here);
 * currencies are upper-cased; times come from the event (`created`). An amount that does not convert exactly is a
 * malformed event (stripeEventProblem names it: refused with 400, nothing stored), never rounded.
 */
import type Stripe from 'stripe';
import { z } from 'zod';
import type { IncomingPayment } from '../domain/application.ts';
import type { DisputeStatus } from '../domain/payment-state.ts';
import { fromStripeAmount, StripeAmountError } from './stripe-units.ts';

export type StripeAction =
  | { kind: 'payment'; payment: IncomingPayment; stripeCustomer?: string }
  | { kind: 'pending'; payment: IncomingPayment; stripeCustomer?: string }
  | { kind: 'failed'; paymentIntentId: string; invoiceIds: string[]; amount: number; currency: string; reason?: string }
  | { kind: 'refund'; paymentIntentId: string; refundedTotal: number }
  | { kind: 'dispute'; paymentIntentId: string; disputeId: string; amount: number; status: DisputeStatus }
  | { kind: 'ignore'; reason: string };

type Id = string | { id: string } | null | undefined;
const idOf = (v: Id): string | undefined => (typeof v === 'string' ? v : (v?.id ?? undefined));

/** `metadata.invoice_id` and/or `metadata.invoice_ids` ("a,b,c"), in order, without duplicates. */
export function invoiceIdsFromMetadata(metadata: Record<string, string> | null | undefined): string[] {
  if (!metadata) return [];
  const ids = [metadata.invoice_id, ...(metadata.invoice_ids ?? '').split(',')]
    .map((s) => (s ?? '').trim())
    .filter((s) => /^[A-Za-z0-9_-]{1,100}$/.test(s));
  return [...new Set(ids)];
}

/** Stripe's amount in `currency` → ISO minor units (throws StripeAmountError; checked by stripeEventProblem first). */
const iso = (stripeAmount: number, currency: string): number => fromStripeAmount(stripeAmount, currency).amount;

function fromIntent(pi: Stripe.PaymentIntent, createdSeconds: number, stripeAmount: number): IncomingPayment {
  const invoiceIds = invoiceIdsFromMetadata(pi.metadata);
  return {
    id: '',
    source: 'stripe',
    externalId: pi.id,
    method: pi.payment_method_types?.[0] ?? 'card',
    amount: iso(stripeAmount, pi.currency),
    currency: pi.currency.toUpperCase(),
    receivedAt: new Date(createdSeconds * 1000).toISOString(),
    ...(invoiceIds[0] ? { invoiceHint: invoiceIds[0] } : {}),
    ...(invoiceIds.length > 1 ? { invoiceHints: invoiceIds } : {}),
    ...(pi.description ? { remittanceText: pi.description } : {}),
  };
}

const disputeStatus = (s: Stripe.Dispute.Status, closed: boolean): DisputeStatus =>
  !closed ? 'open' : s === 'won' || s === 'warning_closed' ? 'won' : 'lost';

const id = z.string().min(1).max(255);
const ref = z.union([id, z.object({ id }).passthrough(), z.null()]);
const minor = z.number().int().min(0).refine(Number.isSafeInteger, 'must be a safe integer');
const currency = z.string().regex(/^[a-zA-Z]{3}$/, 'must be a 3-letter currency code');
const metadata = z.record(z.string(), z.string()).nullable().optional();
const intent = z.object({ id, amount: minor, amount_received: minor, currency, metadata }).passthrough();

/** The fields we rely on, per handled type; other types need only the envelope. */
const objectSchemas: Record<string, z.ZodType> = {
  'payment_intent.succeeded': intent,
  'payment_intent.processing': intent,
  'payment_intent.payment_failed': intent,
  'charge.refunded': z.object({ id, amount_refunded: minor, currency, payment_intent: ref.optional() }).passthrough(),
  'charge.dispute.created': z.object({ id, amount: minor, currency, status: z.string(), payment_intent: ref.optional() }).passthrough(),
  'charge.dispute.closed': z.object({ id, amount: minor, currency, status: z.string(), payment_intent: ref.optional() }).passthrough(),
  'checkout.session.completed': z
    .object({ id, payment_status: z.string(), amount_total: minor.nullable(), currency: currency.nullable(), payment_intent: ref.optional(), metadata })
    .passthrough(),
  'customer_cash_balance_transaction.created': z
    .object({ id, type: z.string(), net_amount: z.number().int().refine(Number.isSafeInteger), currency, customer: ref.optional() })
    .passthrough(),
};

/** The amounts (in the object's `currency`) that interpretStripeEvent converts, per handled type. */
const AMOUNT_FIELDS: Record<string, readonly string[]> = {
  'payment_intent.succeeded': ['amount', 'amount_received'],
  'payment_intent.processing': ['amount', 'amount_received'],
  'payment_intent.payment_failed': ['amount', 'amount_received'],
  'charge.refunded': ['amount_refunded'],
  'charge.dispute.created': ['amount'],
  'charge.dispute.closed': ['amount'],
  'checkout.session.completed': ['amount_total'],
  'customer_cash_balance_transaction.created': ['net_amount'],
};

const envelope = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_]{1,255}$/, 'must be a Stripe event id'),
    type: z.string().regex(/^[a-z0-9_.]{1,100}$/, 'must be a Stripe event type'),
    created: z.number().int().min(0),
    data: z.object({ object: z.record(z.string(), z.unknown()) }).passthrough(),
  })
  .passthrough();

/** Checks that a (signature-verified) event has the shape we rely on; returns the problem, naming the field, or undefined. */
export function stripeEventProblem(event: unknown): string | undefined {
  const head = envelope.safeParse(event);
  if (!head.success) {
    const issue = head.error.issues[0];
    return `${issue?.path.join('.') || 'event'}: ${issue?.message ?? 'invalid'}`;
  }
  const schema = objectSchemas[head.data.type];
  if (!schema) return undefined;
  const body = schema.safeParse(head.data.data.object);
  if (!body.success) {
    const issue = body.error.issues[0];
    return `data.object.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`;
  }
  const object = body.data as Record<string, unknown>;
  const currencyCode = object.currency;
  for (const field of AMOUNT_FIELDS[head.data.type] ?? []) {
    const value = object[field];
    if (typeof value !== 'number' || typeof currencyCode !== 'string') continue; // null amount_total: not paid, ignored
    try {
      fromStripeAmount(value, currencyCode);
    } catch (error) {
      if (error instanceof StripeAmountError) return `data.object.${field}: ${error.message}`;
      throw error;
    }
  }
  return undefined;
}

export function interpretStripeEvent(event: Stripe.Event): StripeAction {
  switch (event.type) {
    case 'payment_intent.succeeded': {
      const pi = event.data.object;
      return { kind: 'payment', payment: fromIntent(pi, event.created, pi.amount_received), stripeCustomer: idOf(pi.customer) };
    }
    case 'payment_intent.processing': {
      const pi = event.data.object;
      return { kind: 'pending', payment: fromIntent(pi, event.created, pi.amount), stripeCustomer: idOf(pi.customer) };
    }
    case 'payment_intent.payment_failed': {
      const pi = event.data.object;
      return {
        kind: 'failed',
        paymentIntentId: pi.id,
        invoiceIds: invoiceIdsFromMetadata(pi.metadata),
        amount: iso(pi.amount, pi.currency),
        currency: pi.currency.toUpperCase(),
        ...(pi.last_payment_error?.code ? { reason: pi.last_payment_error.code } : {}),
      };
    }
    case 'charge.refunded': {
      const charge = event.data.object;
      const pi = idOf(charge.payment_intent);
      if (!pi) return { kind: 'ignore', reason: 'refunded charge has no payment intent' };
      return { kind: 'refund', paymentIntentId: pi, refundedTotal: iso(charge.amount_refunded, charge.currency) };
    }
    case 'charge.dispute.created':
    case 'charge.dispute.closed': {
      const dispute = event.data.object;
      const pi = idOf(dispute.payment_intent);
      if (!pi) return { kind: 'ignore', reason: 'dispute has no payment intent' };
      return {
        kind: 'dispute',
        paymentIntentId: pi,
        disputeId: dispute.id,
        amount: iso(dispute.amount, dispute.currency),
        status: disputeStatus(dispute.status, event.type === 'charge.dispute.closed'),
      };
    }
    case 'checkout.session.completed': {
      const session = event.data.object;
      const pi = idOf(session.payment_intent);
      if (session.payment_status !== 'paid' || !pi || session.amount_total === null || !session.currency) {
        return { kind: 'ignore', reason: `checkout session not paid (${session.payment_status})` };
      }
      const invoiceIds = invoiceIdsFromMetadata(session.metadata);
      return {
        kind: 'payment',
        payment: {
          id: '',
          source: 'stripe',
          externalId: pi,
          method: session.payment_method_types?.[0] ?? 'card',
          amount: iso(session.amount_total, session.currency),
          currency: session.currency.toUpperCase(),
          receivedAt: new Date(event.created * 1000).toISOString(),
          ...(invoiceIds[0] ? { invoiceHint: invoiceIds[0] } : {}),
          ...(invoiceIds.length > 1 ? { invoiceHints: invoiceIds } : {}),
        },
        stripeCustomer: idOf(session.customer),
      };
    }
    case 'customer_cash_balance_transaction.created': {
      const txn = event.data.object;
      if (txn.type !== 'funded') return { kind: 'ignore', reason: `cash balance transaction of type ${txn.type}` };
      const reference = txn.funded?.bank_transfer?.reference ?? '';
      return {
        kind: 'payment',
        payment: {
          id: '',
          source: 'stripe',
          externalId: txn.id,
          method: 'bank_transfer',
          amount: iso(txn.net_amount, txn.currency),
          currency: txn.currency.toUpperCase(),
          receivedAt: new Date(event.created * 1000).toISOString(),
          ...(reference ? { remittanceText: reference, references: [reference] } : {}),
        },
        stripeCustomer: idOf(txn.customer),
      };
    }
    default:
      return { kind: 'ignore', reason: `unhandled type ${event.type}` };
  }
}

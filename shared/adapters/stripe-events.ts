/**
 * Maps Stripe events to what they mean for us. Pure translation: no I/O. Amounts stay Stripe's integer minor
 * units; currencies are upper-cased; times come from the event (`created`).
 */
import type Stripe from 'stripe';
import type { IncomingPayment } from '../domain/application.ts';
import type { DisputeStatus } from '../domain/payment-state.ts';

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

function fromIntent(pi: Stripe.PaymentIntent, createdSeconds: number, amount: number): IncomingPayment {
  const invoiceIds = invoiceIdsFromMetadata(pi.metadata);
  return {
    id: '',
    source: 'stripe',
    externalId: pi.id,
    method: pi.payment_method_types?.[0] ?? 'card',
    amount,
    currency: pi.currency.toUpperCase(),
    receivedAt: new Date(createdSeconds * 1000).toISOString(),
    ...(invoiceIds[0] ? { invoiceHint: invoiceIds[0] } : {}),
    ...(invoiceIds.length > 1 ? { invoiceHints: invoiceIds } : {}),
    ...(pi.description ? { remittanceText: pi.description } : {}),
  };
}

const disputeStatus = (s: Stripe.Dispute.Status, closed: boolean): DisputeStatus =>
  !closed ? 'open' : s === 'won' || s === 'warning_closed' ? 'won' : 'lost';

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
        amount: pi.amount,
        currency: pi.currency.toUpperCase(),
        ...(pi.last_payment_error?.code ? { reason: pi.last_payment_error.code } : {}),
      };
    }
    case 'charge.refunded': {
      const charge = event.data.object;
      const pi = idOf(charge.payment_intent);
      if (!pi) return { kind: 'ignore', reason: 'refunded charge has no payment intent' };
      return { kind: 'refund', paymentIntentId: pi, refundedTotal: charge.amount_refunded };
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
        amount: dispute.amount,
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
          amount: session.amount_total,
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
          amount: txn.net_amount,
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

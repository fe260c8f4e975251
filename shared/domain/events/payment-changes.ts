/**
 * The events one payment change reports (specs in payments.ts): the builder every money change goes through, so that
 * applying, refunding, re-applying and reversing all describe themselves the same way. Pure.
 */
import type { z } from 'zod';
import type { IncomingPayment } from '../application.ts';
import { SUSPENSE } from '../ledger.ts';
import type { AppliedState, InvoiceChange } from '../payment-state.ts';
import { invoiceChangeEffects } from '../payment-state.ts';
import { newEvent } from './catalog.ts';
import { promiseKeptEvent } from './collections-events.ts';
import type { EventEnvelope } from './envelope.ts';
import type { refundReason } from './payments.ts';

/** The payment a change is about (a stored payment or one arriving): the fields of it the events report. */
export type ReportedPayment = Pick<IncomingPayment, 'id' | 'source' | 'externalId' | 'method' | 'amount' | 'currency' | 'receivedAt'>;

export type RefundReason = z.infer<typeof refundReason>;

/** What a payment change means, as the caller knows it (the builder derives amounts from the states). */
export type PaymentReport =
  | { kind: 'received'; rule: string }
  | { kind: 'applied'; rule: string; by: 'rules' | 'staff'; part?: { index: number; of: number } }
  | { kind: 'refunded'; reason: RefundReason; refundedTotal: number; complete: boolean }
  | { kind: 'none' };

/** The money starts waiting for a person. */
export interface ReviewReport {
  rule: string;
  cause: 'not_matched' | 'reversed_by_staff' | 'application_stopped' | 'money_returned';
  suggestionCount: number;
}

export interface PaymentChangeReport {
  payment: ReportedPayment;
  /** The owner of the money after the change (SUSPENSE: not known). */
  customerId: string;
  /** The payment's revision after the change (0: the change that recorded it). */
  revision: number;
  /** Where the money sat before (undefined: the change records the payment). */
  before?: AppliedState;
  after: AppliedState;
  changes: readonly InvoiceChange[];
  /** When the change happened (the booking time its ledger entries carry). */
  at: string;
  report: PaymentReport;
  review?: ReviewReport;
}

function signedChanges<K extends string>(
  before: readonly { invoiceId: string; amount: number; key?: K }[],
  after: readonly { invoiceId: string; amount: number; key?: K }[],
): { invoiceId: string; key: K | undefined; amount: number }[] {
  const sums = new Map<string, { invoiceId: string; key: K | undefined; amount: number }>();
  const add = (list: typeof before, sign: 1 | -1) => {
    for (const a of list) {
      const k = `${a.invoiceId}\u0000${a.key ?? ''}`;
      const entry = sums.get(k) ?? { invoiceId: a.invoiceId, key: a.key, amount: 0 };
      entry.amount += sign * a.amount;
      sums.set(k, entry);
    }
  };
  add(before, -1);
  add(after, 1);
  return [...sums.values()].filter((e) => e.amount !== 0);
}

/** The change's allocations and adjustments, signed, per invoice (in the order the invoices appear). */
export function placementChange(before: AppliedState | undefined, after: AppliedState) {
  const active = (s: AppliedState | undefined) => (s?.adjustments ?? []).filter((a) => a.active).map((a) => ({ invoiceId: a.invoiceId, amount: a.amount, key: a.kind }));
  return {
    allocations: signedChanges(before?.allocations ?? [], after.allocations).map(({ invoiceId, amount }) => ({ invoiceId, amount })),
    adjustments: signedChanges(active(before), active(after)).map(({ invoiceId, key, amount }) => ({
      invoiceId,
      kind: key as 'early_payment_discount' | 'shortfall_write_off',
      amount,
    })),
  };
}

const held = (s: AppliedState) => s.allocations.reduce((sum, a) => sum + a.amount, 0) + s.credit + s.unapplied;

/**
 * Every event one payment change reports, payment-level first (the first event's id names the outbox record, so it
 * must identify the change: `payment.received` for the recording, else the revision's event). Pure.
 */
export function paymentChangeEvents(c: PaymentChangeReport): EventEnvelope[] {
  const { payment, report, at } = c;
  const customerId = c.customerId === SUSPENSE ? null : c.customerId;
  const change = `${payment.id}:r${c.revision}`;
  const env = { occurredAt: at, customerId };
  const { allocations: moved, adjustments: adjusted } = placementChange(c.before, c.after);
  const placed = { credit: c.after.credit, unapplied: c.after.unapplied, netAmount: held(c.after) };
  const events: EventEnvelope[] = [];

  if (report.kind === 'received') {
    events.push(
      newEvent(
        'payment.received',
        `${payment.id}:received`,
        {
          paymentId: payment.id,
          amount: payment.amount,
          currency: payment.currency,
          channel: payment.source,
          method: payment.method,
          receivedAt: payment.receivedAt,
          valueDate: payment.receivedAt.slice(0, 10),
          ...(payment.source === 'stripe' ? { providerPaymentId: payment.externalId } : {}),
        },
        env,
      ),
    );
  }
  const placedSomewhere = moved.length > 0 || adjusted.length > 0 || c.after.credit !== (c.before?.credit ?? 0);
  if ((report.kind === 'received' && placedSomewhere) || report.kind === 'applied') {
    events.push(
      newEvent(
        'payment.applied',
        change,
        {
          paymentId: payment.id,
          currency: payment.currency,
          rule: report.rule,
          by: report.kind === 'applied' ? report.by : 'rules',
          allocations: moved,
          adjustments: adjusted,
          ...placed,
          ...(report.kind === 'applied' && report.part ? { part: report.part } : {}),
        },
        env,
      ),
    );
  }
  if (report.kind === 'refunded') {
    const before = c.before ? held(c.before) : payment.amount;
    events.push(
      newEvent(
        'payment.refunded',
        change,
        {
          paymentId: payment.id,
          currency: payment.currency,
          reason: report.reason,
          amount: before - held(c.after),
          refundedTotal: report.refundedTotal,
          allocations: moved,
          adjustments: adjusted,
          ...placed,
          complete: report.complete,
        },
        env,
      ),
    );
  }
  if (c.review && c.after.unapplied > 0) {
    events.push(
      newEvent(
        'payment.needs_review',
        change,
        {
          paymentId: payment.id,
          amount: payment.amount,
          currency: payment.currency,
          unapplied: c.after.unapplied,
          rule: c.review.rule,
          cause: c.review.cause,
          suggestionCount: c.review.suggestionCount,
        },
        env,
      ),
    );
  }

  const cash = new Map(moved.map((a) => [a.invoiceId, a.amount]));
  const reopenReason = report.kind === 'refunded' ? report.reason : 'reversed_by_staff';
  const kept: EventEnvelope[] = [];
  for (const ch of c.changes) {
    const effects = invoiceChangeEffects(ch);
    const invoiceEnv = { occurredAt: at, customerId: ch.customerId };
    if (effects.paid && ch.delta > 0) {
      events.push(
        newEvent(
          'invoice.paid',
          `${ch.invoiceId}:${change}`,
          { invoiceId: ch.invoiceId, paymentId: payment.id, amount: Math.max(0, cash.get(ch.invoiceId) ?? 0), currency: payment.currency, settledAt: at.slice(0, 10) },
          invoiceEnv,
        ),
      );
    }
    if (effects.reopened) {
      events.push(
        newEvent(
          'invoice.reopened',
          `${ch.invoiceId}:${change}`,
          { invoiceId: ch.invoiceId, paymentId: payment.id, amount: -ch.delta, balanceDue: ch.newBalance, currency: payment.currency, reason: reopenReason, reopenedOn: at.slice(0, 10) },
          invoiceEnv,
        ),
      );
    }
    if (effects.keepsPromise && ch.promise) {
      // Settled in this change's transaction (store/payments.ts settlePromise at the same instant).
      kept.push(promiseKeptEvent({ id: ch.invoiceId, customerId: ch.customerId, currency: payment.currency }, ch.promise, { keptAt: new Date(at).toISOString(), paymentId: payment.id }));
    }
  }
  return [...events, ...kept];
}

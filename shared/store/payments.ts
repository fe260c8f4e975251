import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AllocationPlan, ApplicationPlan, Decision, IncomingPayment } from '../domain/application.ts';
import { SUSPENSE, type LedgerEntry } from '../domain/ledger.ts';
import { invoiceChangeEffects, mergeFacts, noFacts, type AppliedState, type InvoiceChange, type PaymentFacts } from '../domain/payment-state.ts';
import { paymentChangeEvents, type PaymentReport, type ReviewReport } from '../domain/events/payment-changes.ts';
import { dynamo } from '../adapters/aws.ts';
import { keys, openAmountSortKey } from './keys.ts';
import { actionShard } from '../domain/collections.ts';
import { ACTION_SHARDS } from '../topology.ts';
import { countQuery, entity, isConditionalFailure, queryAll, tableName, transactWrite, writeOutcome } from './table.ts';
import { ledgerPut } from './ledger.ts';
import { schedulePut } from './invoices.ts';
import { mailPut, type MailMessage } from './mail.ts';
import { settlePromise } from '../domain/promises.ts';
import { promiseSettledActions } from './promises.ts';
import { promiseDecision } from './decisions.ts';
import { outboxPut } from './outbound-events.ts';

/** `pending`: known but not settled (payment_intent.processing). `unapplied`: money waiting in review. */
export type PaymentStatus = 'pending' | 'applied' | 'unapplied';

export interface DecisionRecord extends Decision {
  at: string;
  by: 'rules' | 'staff';
  /** The console member who acted (`by: 'staff'` through the console); the admin API's shared key names nobody. */
  staffId?: string;
}

/**
 * A decision being carried out in parts: a payment whose allocations do not fit one transaction (more than
 * INVOICES_PER_COMMIT invoices) is first recorded with its money waiting (unapplied, in the ledger too) and this
 * record; then each part moves the next allocations from unapplied to their invoices in one transaction guarded by the
 * payment's revision (the progress marker) and each invoice's version. A crash or a redelivery resumes at `next`; a
 * part is never applied twice. If an invoice changed since the decision, the rest stays unapplied, in review, with
 * the reason.
 */
export interface PendingApplication {
  decision: Decision;
  by: 'rules' | 'staff';
  /** The console member who decided it (recorded with the decision when the last part lands). */
  staffId?: string;
  /** Every allocation decided, in order, each with the invoice version it was decided on. */
  allocations: (AllocationPlan & { number: string })[];
  /** How many of `allocations` are applied. */
  next: number;
  /** What money beyond the allocations becomes at the end: customer credit (rules), or it keeps waiting (staff). */
  leftover: 'credit' | 'unapplied';
  /** The ledger type of the moves (`payment_applied` for a new payment, `manual_allocation` for waiting money). */
  ledgerType: 'payment_applied' | 'manual_allocation';
  bookedAt: string;
  /** Send the receipt with the last part. */
  receipt: boolean;
}

/**
 * The most invoices one payment transaction changes: 1 payment + per invoice (balance update, allocation record,
 * reopened interest schedule, up to 2 ledger entries, a kept promise's item and decision) + 4 ledger entries + 1 mail
 * + 1 outbox record (all the change's events) stays under DynamoDB's 100
 * actions. More are applied in parts (PendingApplication); refunds and chargebacks of more settle in steps.
 */
export const INVOICES_PER_COMMIT = 15;

export interface StoredPayment extends IncomingPayment, AppliedState {
  customerId: string;
  status: PaymentStatus;
  /** The latest decision; `decisions` keeps the whole trail. */
  decision: Decision;
  decisions: DecisionRecord[];
  /** Optimistic lock for every later change (refund, chargeback, manual allocation). */
  revision: number;
  refundedTotal: number;
  disputeStatus: 'none' | 'disputed' | 'won' | 'lost';
  suggestions?: { invoiceIds: string[]; score: number; reason: string }[];
  /** Present while a decision is being applied in parts. */
  applying?: PendingApplication;
}

type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

export function statusOf(state: AppliedState): PaymentStatus {
  return state.unapplied > 0 ? 'unapplied' : 'applied';
}

function paymentItem(p: StoredPayment): Record<string, unknown> {
  return {
    ...keys.payment(p.id),
    ...keys.paymentByStatus(p.status, p.receivedAt, p.id),
    ...keys.paymentByCustomer(p.customerId, p.receivedAt, p.id),
    entity: 'payment',
    ...p,
  };
}

/** A customer's payments, oldest first (GSI1). */
export async function paymentsOfCustomer(customerId: string): Promise<StoredPayment[]> {
  const items = await queryAll(
    {
      TableName: tableName(),
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :sk)',
      ExpressionAttributeValues: { ':pk': `CUSTOMER#${customerId}`, ':sk': 'PAYMENT#' },
    },
    1000,
  );
  return items.map((i) => entity<StoredPayment>(i) as StoredPayment);
}

/** Invoice balance update + allocation record for one change (positive delta applies, negative reverses). */
function invoiceChangeActions(paymentId: string, change: InvoiceChange, allocationAmount: number, at: string): TransactItems {
  const TableName = tableName();
  const byCustomer = keys.invoiceByCustomer(change.customerId, change.newStatus, change.dueDate, change.invoiceId);
  const byStatus = keys.invoiceByStatus(change.newStatus, change.dueDate, change.invoiceId);
  // The version guard is what makes the change safe: newBalance was computed from exactly that version. Applying also
  // checks the balance covers the amount (DynamoDB conditions cannot add, so a reversal relies on the version).
  const guard = change.delta > 0 ? 'version = :ev AND balanceDue >= :amt' : 'version = :ev';
  // The next-action index: a paid invoice leaves it; any other balance change brings the invoice to the dunning
  // worker now, which re-decides its ladder (re-anchoring after partial payments, resuming after a reversal).
  const due = keys.dunningDue(actionShard(change.customerId, ACTION_SHARDS), at, change.invoiceId);
  const effects = invoiceChangeEffects(change);
  const paid = effects.paid;
  // Money taken back from a paid invoice reopens it: its interest schedule (removed when it was paid) comes back, and
  // interest resumes from the reopening — never for the days it was paid.
  const reopened = effects.reopened;
  const reopenedOn = at.slice(0, 10);
  // A promise to pay kept by this payment (balance 0, or the promised amount received since): settled in the same
  // transaction — the version guard makes the promise read with the invoice the one that is settled.
  const kept = effects.keepsPromise && change.promise ? settlePromise(change.promise, 'kept', new Date(at)) : undefined;
  // The amount index (GSI4): a paid invoice leaves it (GSI4SK removed), any other balance is its new place.
  const removals = [paid ? 'GSI2PK, GSI2SK, GSI4SK' : '', change.dispute === null ? 'dispute' : '', reopened ? 'settledAt' : ''].filter(Boolean).join(', ');
  return [
    {
      Update: {
        TableName,
        Key: keys.invoice(change.invoiceId),
        UpdateExpression:
          'SET balanceDue = :nb, #st = :ns, version = :nv, GSI1SK = :g1sk, GSI3PK = :g3pk, GSI3SK = :g3sk' +
          (paid ? '' : ', GSI2PK = :g2pk, GSI2SK = :g2sk, GSI4SK = :g4sk') +
          (reopened ? ', accrualFrom = :af' : '') +
          // The day the balance reached zero (the money's arrival): the payment-prediction model's settle date.
          (paid ? ', settledAt = :settled' : '') +
          (change.dispute ? ', dispute = :dispute, disputesOpenedAt = list_append(if_not_exists(disputesOpenedAt, :noDisputes), :disputeOpened)' : '') +
          (kept ? ', promise = :promise' : '') +
          (removals ? ` REMOVE ${removals}` : ''),
        ConditionExpression: guard,
        ExpressionAttributeNames: { '#st': 'status' },
        ExpressionAttributeValues: {
          ':nb': change.newBalance,
          ':ns': change.newStatus,
          ':nv': change.expectedVersion + 1,
          ':ev': change.expectedVersion,
          ...(change.delta > 0 ? { ':amt': change.delta } : {}),
          ':g1sk': byCustomer.GSI1SK,
          ':g3pk': byStatus.GSI3PK,
          ':g3sk': byStatus.GSI3SK,
          ...(paid ? {} : { ':g2pk': due.GSI2PK, ':g2sk': due.GSI2SK, ':g4sk': openAmountSortKey(change.newBalance, change.dueDate, change.invoiceId) }),
          ...(change.dispute ? { ':dispute': change.dispute, ':noDisputes': [], ':disputeOpened': [change.dispute.openedAt] } : {}),
          ...(kept ? { ':promise': kept } : {}),
          ...(reopened ? { ':af': reopenedOn } : {}),
          ...(paid ? { ':settled': at.slice(0, 10) } : {}),
        },
      },
    },
    {
      Put: {
        TableName,
        Item: {
          ...keys.allocation(change.invoiceId, paymentId),
          entity: 'allocation',
          invoiceId: change.invoiceId,
          paymentId,
          amount: allocationAmount,
          appliedAt: at,
        },
      },
    },
    ...(kept ? promiseSettledActions(kept, promiseDecision(change.customerId, change.invoiceId, kept, 'payment', at)) : []),
    ...(reopened
      ? [{ Put: schedulePut('interest', { id: change.invoiceId, customerId: change.customerId }, actionShard(change.customerId, ACTION_SHARDS), reopenedOn) }]
      : []),
  ];
}

export type ApplyResult = 'applied' | 'duplicate' | 'conflict';

/**
 * A new payment, in one TransactWriteItems with conditions: the payment (once by id — or over its own `pending`
 * record), each invoice's balance (guarded by its version and by balance ≥ amount, so concurrent payments never
 * over-apply), the allocation records, the ledger entries, the receipt to send and the events it reports
 * (`payment.received`, `payment.applied` or `payment.needs_review`, `invoice.paid`, `promise.kept`: one outbox
 * record, written only if the payment is — a redelivery fails on the payment's own guard and reports nothing).
 */
export async function applyPlan(
  payment: IncomingPayment,
  plan: ApplicationPlan,
  extras: {
    mail?: MailMessage;
    suggestions?: StoredPayment['suggestions'];
    /** The decision to carry out in parts afterwards (the plan itself then only records the money as waiting). */
    applying?: PendingApplication;
    /** Report the waiting money as sent to review (`payment.needs_review`). */
    review?: ReviewReport;
    /** The customer to report the payment for while the ledger holds it in suspense (staff allocate it next). */
    reportFor?: string;
  },
): Promise<ApplyResult> {
  const TableName = tableName();
  const allocations = plan.allocations.map((a) => ({ invoiceId: a.invoiceId, amount: a.amount }));
  const adjustments = plan.allocations.flatMap((a) =>
    a.adjustment ? [{ invoiceId: a.invoiceId, kind: a.adjustment.kind, amount: a.adjustment.amount, active: true }] : [],
  );
  const state: AppliedState = { allocations, originalAllocations: allocations, credit: plan.credit, unapplied: plan.unapplied, adjustments };
  const stored: StoredPayment = {
    ...payment,
    ...state,
    customerId: plan.customerId,
    status: statusOf(state),
    decision: plan.decision,
    decisions: [{ ...plan.decision, at: payment.receivedAt, by: 'rules' }],
    revision: 0,
    refundedTotal: 0,
    disputeStatus: 'none',
    ...(extras.suggestions?.length ? { suggestions: extras.suggestions } : {}),
    ...(extras.applying ? { applying: extras.applying } : {}),
  };
  const actions: TransactItems = [
    {
      Put: {
        TableName,
        Item: paymentItem(stored),
        ConditionExpression: 'attribute_not_exists(PK) OR #st = :pending',
        ExpressionAttributeNames: { '#st': 'status' },
        ExpressionAttributeValues: { ':pending': 'pending' },
      },
    },
  ];
  for (const a of plan.allocations) {
    // The invoice's update and allocation record, and a promise to pay kept by this payment (its item and decision).
    actions.push(...invoiceChangeActions(payment.id, { ...a, delta: a.amount + (a.adjustment?.amount ?? 0) }, a.amount, payment.receivedAt));
  }
  for (const entry of plan.ledger) actions.push({ Put: ledgerPut(entry) });
  if (extras.mail) actions.push({ Put: mailPut(extras.mail) });
  const events = paymentChangeEvents({
    payment,
    customerId: extras.reportFor ?? plan.customerId,
    revision: 0,
    after: state,
    changes: plan.allocations.map((a) => ({ ...a, delta: a.amount + (a.adjustment?.amount ?? 0) })),
    at: payment.receivedAt,
    report: { kind: 'received', rule: plan.decision.rule },
    ...(extras.review ? { review: extras.review } : {}),
  });
  actions.push(outboxPut(events, payment.receivedAt));

  const outcome = writeOutcome(await transactWrite(actions));
  return outcome === 'written' ? 'applied' : outcome;
}

/** Records a payment that is processing (no money yet); a no-op if the payment is known already. */
export async function putPendingPayment(payment: IncomingPayment): Promise<boolean> {
  const stored: StoredPayment = {
    ...payment,
    customerId: payment.payerCustomerId ?? SUSPENSE,
    status: 'pending',
    decision: { outcome: 'unapplied', rule: 'pending', evidence: {}, reason: 'payment is still processing' },
    decisions: [],
    allocations: [],
    originalAllocations: [],
    credit: 0,
    unapplied: 0,
    revision: 0,
    refundedTotal: 0,
    disputeStatus: 'none',
  };
  try {
    await dynamo().send(
      new PutCommand({ TableName: tableName(), Item: paymentItem(stored), ConditionExpression: 'attribute_not_exists(PK)' }),
    );
    return true;
  } catch (error) {
    if (isConditionalFailure(error)) return false;
    throw error;
  }
}

export interface PaymentChange {
  state: AppliedState;
  changes: InvoiceChange[];
  ledger: LedgerEntry[];
  customerId?: string;
  decision?: DecisionRecord;
  refundedTotal?: number;
  disputeStatus?: StoredPayment['disputeStatus'];
  mail?: MailMessage;
  /** Record (or, with null, end) a decision being applied in parts. */
  applying?: PendingApplication | null;
  /** What the change means downstream (shared/domain/events/payment-changes.ts); without it, no payment-level event. */
  report?: PaymentReport;
  /** The money starts waiting in review (`payment.needs_review`). */
  review?: ReviewReport;
}

/**
 * A later change to a payment — refund, chargeback, dispute won, manual allocation or its reversal — in one
 * transaction guarded by the payment's revision and each invoice's version, with the events it reports (one outbox
 * record; ids from the new revision, so only the change that commits reports, once). Returns false on a concurrent
 * change (the caller re-reads and re-plans).
 */
export async function commitPaymentChange(payment: StoredPayment, change: PaymentChange, at: string): Promise<boolean> {
  const next: StoredPayment = {
    ...payment,
    ...change.state,
    customerId: change.customerId ?? payment.customerId,
    status: statusOf(change.state),
    revision: payment.revision + 1,
    refundedTotal: change.refundedTotal ?? payment.refundedTotal,
    disputeStatus: change.disputeStatus ?? payment.disputeStatus,
    ...(change.decision ? { decision: change.decision, decisions: [...payment.decisions, change.decision] } : {}),
    ...(change.applying ? { applying: change.applying } : {}),
  };
  if (change.applying === null) delete next.applying;
  const actions: TransactItems = [
    {
      Put: {
        TableName: tableName(),
        Item: paymentItem(next),
        ConditionExpression: 'revision = :rev',
        ExpressionAttributeValues: { ':rev': payment.revision },
      },
    },
  ];
  for (const c of change.changes) {
    const allocated = change.state.allocations.find((a) => a.invoiceId === c.invoiceId)?.amount ?? 0;
    actions.push(...invoiceChangeActions(payment.id, c, allocated, at));
  }
  for (const entry of change.ledger) actions.push({ Put: ledgerPut(entry) });
  if (change.mail) actions.push({ Put: mailPut(change.mail) });
  const events = paymentChangeEvents({
    payment,
    customerId: next.customerId,
    revision: next.revision,
    before: payment,
    after: change.state,
    changes: change.changes,
    at,
    report: change.report ?? { kind: 'none' },
    ...(change.review ? { review: change.review } : {}),
  });
  if (events.length > 0) actions.push(outboxPut(events, at));
  // A failed condition or a concurrent transaction: the caller reads again and decides again.
  return writeOutcome(await transactWrite(actions)) === 'written';
}

export async function getPayment(id: string): Promise<StoredPayment | undefined> {
  const out = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keys.payment(id), ConsistentRead: true }));
  return entity(out.Item);
}

/** Payments by status (the review queue: `unapplied`), oldest first. */
export async function listPayments(
  status: PaymentStatus,
  limit: number,
  cursor?: Record<string, unknown>,
): Promise<{ items: StoredPayment[]; lastKey?: Record<string, unknown> }> {
  const out = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'GSI3',
      KeyConditionExpression: 'GSI3PK = :pk',
      ExpressionAttributeValues: { ':pk': `PAYMENT_STATUS#${status}` },
      Limit: limit,
      ExclusiveStartKey: cursor,
    }),
  );
  return { items: (out.Items ?? []).map((i) => entity<StoredPayment>(i) as StoredPayment), lastKey: out.LastEvaluatedKey };
}

/** How many payments have a status (`unapplied`: the review queue's length), counted on GSI3 without reading them out. */
export async function countPayments(status: PaymentStatus): Promise<number> {
  return countQuery({
    TableName: tableName(),
    IndexName: 'GSI3',
    KeyConditionExpression: 'GSI3PK = :pk',
    ExpressionAttributeValues: { ':pk': `PAYMENT_STATUS#${status}` },
  });
}

// ---- Facts (refunds, disputes): may arrive before the payment itself ----------------------------------------------

export async function getFacts(paymentId: string): Promise<{ facts: PaymentFacts; version: number }> {
  const out = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: keys.paymentFacts(paymentId), ConsistentRead: true }),
  );
  if (!out.Item) return { facts: noFacts, version: 0 };
  return {
    facts: {
      refundedTotal: out.Item.refundedTotal as number,
      disputes: out.Item.disputes as PaymentFacts['disputes'],
      reversals: (out.Item.reversals ?? {}) as Record<string, number>,
    },
    version: out.Item.version as number,
  };
}

/** Merges new facts into the stored ones (read → merge → conditional write; retried on a concurrent write). */
export async function recordFacts(paymentId: string, update: PaymentFacts): Promise<PaymentFacts> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const { facts, version } = await getFacts(paymentId);
    const merged = mergeFacts(facts, update);
    try {
      await dynamo().send(
        new PutCommand({
          TableName: tableName(),
          Item: { ...keys.paymentFacts(paymentId), entity: 'payment_facts', ...merged, version: version + 1 },
          ConditionExpression: version === 0 ? 'attribute_not_exists(PK)' : 'version = :v',
          ...(version === 0 ? {} : { ExpressionAttributeValues: { ':v': version } }),
        }),
      );
      return merged;
    } catch (error) {
      if (!isConditionalFailure(error)) throw error;
    }
  }
  throw new Error(`payment ${paymentId}: facts kept changing concurrently`);
}

// ---- Payer identification --------------------------------------------------------------------------------------

export type PayerEvidence = 'stripe_customer' | 'known_account' | 'remembered_account' | 'staff';

export function payerPut(payerKey: string, customerId: string, evidence: PayerEvidence) {
  return {
    TableName: tableName(),
    Item: { ...keys.payer(payerKey), entity: 'payer', customerId, evidence },
    ConditionExpression: 'attribute_not_exists(PK)',
  };
}

/** Links a payer key (`account:<IBAN>` or `stripe:<cus_…>`) to a customer; an existing link is kept. */
export async function linkPayer(payerKey: string, customerId: string, evidence: PayerEvidence): Promise<void> {
  try {
    await dynamo().send(
      new PutCommand(payerPut(payerKey, customerId, evidence)),
    );
  } catch (error) {
    if (!isConditionalFailure(error)) throw error;
  }
}

export async function findPayer(payerKey: string): Promise<{ customerId: string; evidence: PayerEvidence } | undefined> {
  const out = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keys.payer(payerKey) }));
  return out.Item ? { customerId: out.Item.customerId as string, evidence: out.Item.evidence as PayerEvidence } : undefined;
}

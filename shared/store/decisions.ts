/**
 * The collections decisions trail of a customer: one item per decision about a promise to pay or a dispute
 * (`CUSTOMER#<id>` / `DECISION#<at>#<subject>#<kind>`), written in the same transaction as the change it records and
 * read in time order with the communication history (GET /customers/{id}/communications `decisions`).
 */
import type { InvoicePromise } from '../domain/promises.ts';
import { keys } from './keys.ts';
import { entity, queryPage, tableName } from './table.ts';

export type DecisionKind = 'promise_made' | 'promise_kept' | 'promise_broken' | 'dispute_opened';

export interface CollectionsDecision {
  customerId: string;
  invoiceId: string;
  kind: DecisionKind;
  /** The promise's or the dispute's id. */
  subjectId: string;
  /** Who or what decided: the customer in the portal, staff, the payment that kept a promise, the reminder run. */
  by: 'portal' | 'staff' | 'payment' | 'reminders';
  at: string;
  /** Why, in a sentence (what a collector reads). */
  reason: string;
  detail?: Record<string, string | number>;
}

/** The Put of a decision record (for a transaction that makes the change it records). */
export function decisionPut(decision: CollectionsDecision) {
  return {
    TableName: tableName(),
    Item: { ...keys.decision(decision.customerId, decision.at, decision.subjectId, decision.kind), entity: 'decision', ...decision },
  };
}

/** One page of a customer's collections decisions, oldest first (`newest` first: the latest). */
export async function customerDecisionsPage(
  customerId: string,
  limit: number,
  startKey?: Record<string, unknown>,
  order: 'oldest' | 'newest' = 'oldest',
): Promise<{ items: CollectionsDecision[]; lastKey?: Record<string, unknown> }> {
  // Read here rather than through customers.ts, which the payment store (writing these records) is imported by.
  const page = await queryPage(
    {
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
      ExpressionAttributeValues: { ':pk': keys.customer(customerId).PK, ':sk': 'DECISION#' },
      ScanIndexForward: order === 'oldest',
    },
    limit,
    startKey,
  );
  return { items: page.items.map((i) => entity<CollectionsDecision>(i) as CollectionsDecision), ...(page.lastKey ? { lastKey: page.lastKey } : {}) };
}

/** The decision record of a promise settled (kept or broken) by a payment or the reminder run. */
export function promiseDecision(customerId: string, invoiceId: string, promise: InvoicePromise, by: CollectionsDecision['by'], at: string): CollectionsDecision {
  const kept = promise.status === 'kept';
  return {
    customerId,
    invoiceId,
    kind: kept ? 'promise_kept' : 'promise_broken',
    subjectId: promise.id,
    by,
    at,
    reason: kept
      ? `paid as promised by ${promise.date}`
      : `not paid by ${promise.date} and its grace days: reminders resume with the step now due`,
    detail: { date: promise.date, ...(promise.amount !== undefined ? { amount: promise.amount } : {}) },
  };
}

/**
 * Customer feedback: one rating per customer and context (a payment, a plan) under the customer
 * (`FEEDBACK#<kind>:<ref>`), listed across customers by time in GSI3 `FEEDBACK` for the report.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Feedback } from '../domain/reports.ts';
import { dynamo } from '../adapters/aws.ts';
import { keys } from './keys.ts';
import { customerItemsPage } from './customers.ts';
import { entity, queryAll, tableName } from './table.ts';

export interface FeedbackRecord {
  id: string;
  customerId: string;
  /** `<kind>:<ref>`: what the rating is about (one record per customer and context). */
  contextKey: string;
  context: unknown;
  rating: number;
  comment?: string;
}

/** Records a rating; a later rating or comment for the same context updates the same record (first `at` kept). */
export async function saveFeedback(record: FeedbackRecord, now: Date): Promise<void> {
  const { comment } = record;
  const listing = keys.feedbackListing(now.toISOString(), record.id);
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.feedback(record.customerId, record.contextKey),
      UpdateExpression:
        'SET rating = :r, updatedAt = :now, #at = if_not_exists(#at, :now), id = :id, customerId = :c, context = :ctx, entity = :e, GSI3PK = :g3pk, GSI3SK = if_not_exists(GSI3SK, :g3sk)' +
        (comment !== undefined ? ', #comment = :comment' : ''),
      ExpressionAttributeNames: { '#at': 'at', ...(comment !== undefined ? { '#comment': 'comment' } : {}) },
      ExpressionAttributeValues: {
        ':r': record.rating,
        ':now': now.toISOString(),
        ':id': record.id,
        ':c': record.customerId,
        ':ctx': record.context,
        ':e': 'feedback',
        ':g3pk': listing.GSI3PK,
        ':g3sk': listing.GSI3SK,
        ...(comment !== undefined ? { ':comment': comment.slice(0, 2000) } : {}),
      },
    }),
  );
}

/** All ratings first given from `from` (an ISO instant or date prefix) up to before `before`, in time order (GSI3). */
export async function feedbackBetween(from: string, before: string): Promise<Feedback[]> {
  const items = await queryAll({
    TableName: tableName(),
    IndexName: 'GSI3',
    KeyConditionExpression: 'GSI3PK = :pk AND GSI3SK BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': keys.feedbackListing('', '').GSI3PK, ':from': from, ':to': before },
  });
  return items.map((item) => entity<Feedback>(item) as Feedback);
}

/** One page of a customer's ratings (one per payment or plan they rated). */
export async function customerFeedbackPage(
  customerId: string,
  limit: number,
  startKey?: Record<string, unknown>,
): Promise<{ items: Record<string, unknown>[]; lastKey?: Record<string, unknown> }> {
  return customerItemsPage<Record<string, unknown>>(customerId, 'FEEDBACK#', limit, startKey);
}

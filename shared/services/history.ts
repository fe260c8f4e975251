import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../adapters/aws.ts';
import { keys } from '../store/keys.ts';
import { tableName } from '../store/table.ts';
import { HttpError } from '../http/api.ts';
import { eventsOfCustomer } from '../store/collections.ts';
import { getCustomer } from '../store/customers.ts';
import { mailHistory } from '../store/mail.ts';
import { ledgerEntries } from '../store/ledger.ts';

/**
 * A customer's communication history: every mail (kind, subject, status, SES message id, the invoices and step it
 * covered) and every event sent downstream about them (escalations). Bodies are not returned.
 */
export async function communications(customerId: string) {
  if (!(await getCustomer(customerId))) throw new HttpError(404, 'not_found', `customer ${customerId} not found`);
  const mails = (await mailHistory(customerId)).map((m) => {
    return {
      key: m.key,
      kind: m.kind,
      subject: m.subject,
      status: m.status,
      createdAt: m.createdAt,
      ...(m.sentAt ? { sentAt: m.sentAt } : {}),
      ...(m.messageId ? { messageId: m.messageId } : {}),
      ...(m.invoiceIds ? { invoiceIds: m.invoiceIds } : {}),
      ...(m.step ? { step: m.step, tone: m.tone } : {}),
    };
  });
  const events = (await eventsOfCustomer(customerId)).map((e) => ({
    id: e.id,
    detailType: e.detailType,
    status: e.status,
    createdAt: e.createdAt,
    detail: e.detail,
    ...(e.publishedId ? { publishedId: e.publishedId } : {}),
  }));
  const feedback = await feedbackOf(customerId);
  return { mails: mails.sort((a, b) => a.createdAt.localeCompare(b.createdAt)), events, feedback };
}

/** A customer's ledger entries in booking order (append-only; balances are their sums). */
export async function ledgerOf(customerId: string) {
  if (!(await getCustomer(customerId))) throw new HttpError(404, 'not_found', `customer ${customerId} not found`);
  const entries = (await ledgerEntries(customerId)).sort((a, b) => a.bookedAt.localeCompare(b.bookedAt) || a.id.localeCompare(b.id));
  return { entries };
}

/** The customer's ratings (one per payment or plan they rated). */
async function feedbackOf(customerId: string) {
  const out = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
      ExpressionAttributeValues: { ':pk': keys.customer(customerId).PK, ':sk': 'FEEDBACK#' },
    }),
  );
  return (out.Items ?? []).map((i) => ({ rating: i.rating as number, comment: i.comment as string | undefined, context: i.context, at: i.at as string }));
}

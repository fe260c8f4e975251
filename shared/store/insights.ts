/**
 * What the nightly `insights` run reads and writes: a customer's invoices (every status, with the settle date the
 * payment or import wrote), the run's per-page portfolio statistics and the fitted portfolio model (items on the
 * run's own partition `INSIGHTS#<asOf>`, overwritten by a re-run: idempotent), and the predictions on invoice and
 * customer items — never an older run's over a newer one's.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../adapters/aws.ts';
import type { Invoice } from '../domain/invoice.ts';
import type { PortfolioModel, PortfolioStats } from '../domain/prediction/model.ts';
import type { InvoicePrediction, PaymentBehaviour } from '../domain/prediction/types.ts';
import { keys } from './keys.ts';
import { entity, isConditionalFailure, queryAll, tableName } from './table.ts';

/** Every invoice of a customer (GSI1, all statuses), oldest due date first per status. */
export async function invoicesOfCustomer(customerId: string): Promise<Invoice[]> {
  const items = await queryAll({
    TableName: tableName(),
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :sk)',
    ExpressionAttributeValues: { ':pk': `CUSTOMER#${customerId}`, ':sk': 'INVOICE#' },
  });
  return items.map((i) => {
    const { requestHash: _h, ...invoice } = entity<Invoice & { requestHash?: string }>(i) as Invoice & { requestHash?: string };
    return invoice;
  });
}

/** One page's portfolio statistics (JSON: lists of numbers are far smaller as one string than as a DynamoDB list). */
export async function putInsightsPage(asOf: string, page: number, stats: PortfolioStats): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...keys.insightsPage(asOf, page), entity: 'insights_page', asOf, page, stats: JSON.stringify(stats), expiresAt: expiry(asOf) },
    }),
  );
}

export async function insightsPages(asOf: string): Promise<PortfolioStats[]> {
  const items = await queryAll({
    TableName: tableName(),
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
    ExpressionAttributeValues: { ':pk': keys.insightsModel(asOf).PK, ':sk': 'PAGE#' },
    ConsistentRead: true,
  });
  return items.map((i) => JSON.parse(String(i.stats)) as PortfolioStats);
}

export async function putPortfolioModel(model: PortfolioModel): Promise<void> {
  await dynamo().send(
    new PutCommand({ TableName: tableName(), Item: { ...keys.insightsModel(model.asOf), entity: 'insights_model', model, expiresAt: expiry(model.asOf) } }),
  );
}

export async function getPortfolioModel(asOf: string): Promise<PortfolioModel | undefined> {
  const out = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keys.insightsModel(asOf), ConsistentRead: true }));
  return out.Item?.model as PortfolioModel | undefined;
}

/** Marks the run done (the last page of predictions written). */
export async function markInsightsDone(asOf: string, at: string, counts: { customers: number; predictions: number }): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.insightsModel(asOf),
      UpdateExpression: 'SET completedAt = :at, customers = :c, predictions = :p',
      ExpressionAttributeValues: { ':at': at, ':c': counts.customers, ':p': counts.predictions },
    }),
  );
}

/**
 * The prediction onto an unpaid invoice: only if it is still unpaid and has no prediction as of a later date (an
 * older run's late messages never overwrite a newer run). Neither `version` nor any index moves: no money changes.
 */
export async function putInvoicePrediction(invoiceId: string, prediction: InvoicePrediction): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.invoice(invoiceId),
        UpdateExpression: 'SET prediction = :p',
        ConditionExpression: 'attribute_exists(PK) AND #st <> :paid AND (attribute_not_exists(prediction) OR prediction.asOf <= :asOf)',
        ExpressionAttributeNames: { '#st': 'status' },
        ExpressionAttributeValues: { ':p': prediction, ':paid': 'paid', ':asOf': prediction.asOf },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalFailure(error)) return false;
    throw error;
  }
}

/** The payment behaviour onto the customer item, unless a later run's is there. */
export async function putPaymentBehaviour(customerId: string, behaviour: PaymentBehaviour): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.customer(customerId),
        UpdateExpression: 'SET paymentBehaviour = :b',
        ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(paymentBehaviour) OR paymentBehaviour.asOf <= :asOf)',
        ExpressionAttributeValues: { ':b': behaviour, ':asOf': behaviour.asOf },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionalFailure(error)) return false;
    throw error;
  }
}

/** The run's working items expire after 35 days (TTL); the predictions stay on the invoices and customers. */
function expiry(asOf: string): number {
  return Math.floor(Date.parse(`${asOf}T00:00:00Z`) / 1000) + 35 * 86_400;
}

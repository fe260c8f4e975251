import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { PaymentPlan, PlanStatus } from '../domain/plans.ts';
import { dynamo } from '../adapters/aws.ts';
import { keys } from './keys.ts';
import { entity, tableName } from './table.ts';

/** The plan item with its listing keys: per customer and status (GSI1), across customers by status (GSI3). */
export function planItem(plan: PaymentPlan, nextActionAt?: { shard: number; at: string }): Record<string, unknown> {
  return {
    ...keys.plan(plan.id),
    ...keys.planByCustomer(plan.customerId, plan.status, plan.id),
    ...keys.planByStatus(plan.status, plan.createdAt, plan.id),
    ...(nextActionAt ? keys.dunningDue(nextActionAt.shard, nextActionAt.at, plan.id) : {}),
    entity: 'plan',
    ...plan,
  };
}

export async function getPlan(id: string): Promise<(PaymentPlan & { requestHash?: string }) | undefined> {
  const out = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keys.plan(id), ConsistentRead: true }));
  return entity(out.Item);
}

export async function plansOfCustomer(customerId: string, status?: PlanStatus): Promise<PaymentPlan[]> {
  const out = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :sk)',
      ExpressionAttributeValues: { ':pk': `CUSTOMER#${customerId}`, ':sk': status ? `PLAN#${status}#` : 'PLAN#' },
    }),
  );
  return (out.Items ?? []).map((i) => entity<PaymentPlan>(i) as PaymentPlan);
}

/** How many plans ever reached `status` (GSI3 `PLAN_STATUS#<status>`, counted, not read). */
export async function countPlansByStatus(status: PlanStatus): Promise<number> {
  let count = 0;
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const out = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'GSI3',
        KeyConditionExpression: 'GSI3PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.planByStatus(status, '', '').GSI3PK },
        Select: 'COUNT',
        ExclusiveStartKey,
      }),
    );
    count += out.Count ?? 0;
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return count;
}

/** A reference's target: an invoice, or a payment plan (instalments quote the plan's reference). */
export async function referenceTarget(reference: string): Promise<{ invoiceId?: string; planId?: string } | undefined> {
  const out = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keys.reference(reference) }));
  if (!out.Item) return undefined;
  return { ...(out.Item.invoiceId ? { invoiceId: out.Item.invoiceId as string } : {}), ...(out.Item.planId ? { planId: out.Item.planId as string } : {}) };
}

import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { ApplicationPlan, Decision, IncomingPayment } from '../domain/application.ts';
import { dynamo } from '../adapters/aws.ts';
import { keys } from './keys.ts';
import { cancellationCodes, entity, tableName } from './table.ts';
import { ledgerPut } from './ledger.ts';
import { inboxDoneUpdate, type InboxSource } from './inbox.ts';
import { mailPut, type MailMessage } from './mail.ts';

export type PaymentStatus = 'applied' | 'unapplied';

export interface StoredPayment extends IncomingPayment {
  customerId: string;
  status: PaymentStatus;
  decision: Decision;
  allocations: { invoiceId: string; amount: number }[];
  credit: number;
  unapplied: number;
}

export type ApplyResult = 'applied' | 'duplicate' | 'conflict';

/**
 * Everything one payment changes, in one TransactWriteItems with conditions:
 * the payment (once, by id), each invoice's balance (guarded by its version and by balance ≥ amount, so concurrent
 * payments never over-apply), the allocation records, the ledger entries, the source event's done mark, and the
 * receipt mail to send. ≤ 100 actions: a plan touches at most a handful of invoices.
 */
export async function applyPlan(
  payment: IncomingPayment,
  plan: ApplicationPlan,
  extras: { event?: { source: InboxSource; eventId: string }; mail?: MailMessage },
): Promise<ApplyResult> {
  const TableName = tableName();
  const status: PaymentStatus = plan.decision.outcome === 'applied' ? 'applied' : 'unapplied';
  const stored: StoredPayment = {
    ...payment,
    customerId: plan.customerId,
    status,
    decision: plan.decision,
    allocations: plan.allocations.map((a) => ({ invoiceId: a.invoiceId, amount: a.amount })),
    credit: plan.credit,
    unapplied: plan.unapplied,
  };
  const actions: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [
    {
      Put: {
        TableName,
        Item: {
          ...keys.payment(payment.id),
          ...keys.paymentByStatus(status, payment.receivedAt, payment.id),
          entity: 'payment',
          ...stored,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
  ];
  for (const a of plan.allocations) {
    const byCustomer = keys.invoiceByCustomer(a.customerId, a.newStatus, a.dueDate, a.invoiceId);
    const byStatus = keys.invoiceByStatus(a.newStatus, a.dueDate, a.invoiceId);
    actions.push({
      Update: {
        TableName,
        Key: keys.invoice(a.invoiceId),
        UpdateExpression:
          'SET balanceDue = :nb, #st = :ns, version = :nv, GSI1SK = :g1sk, GSI3PK = :g3pk, GSI3SK = :g3sk',
        ConditionExpression: 'version = :ev AND balanceDue >= :amt',
        ExpressionAttributeNames: { '#st': 'status' },
        ExpressionAttributeValues: {
          ':nb': a.newBalance,
          ':ns': a.newStatus,
          ':nv': a.expectedVersion + 1,
          ':ev': a.expectedVersion,
          ':amt': a.amount,
          ':g1sk': byCustomer.GSI1SK,
          ':g3pk': byStatus.GSI3PK,
          ':g3sk': byStatus.GSI3SK,
        },
      },
    });
    actions.push({
      Put: {
        TableName,
        Item: {
          ...keys.allocation(a.invoiceId, payment.id),
          entity: 'allocation',
          invoiceId: a.invoiceId,
          paymentId: payment.id,
          amount: a.amount,
          appliedAt: payment.receivedAt,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    });
  }
  for (const entry of plan.ledger) actions.push({ Put: ledgerPut(entry) });
  if (extras.event) {
    actions.push({ Update: inboxDoneUpdate(extras.event.source, extras.event.eventId, 'processed', `payment ${status}`) });
  }
  if (extras.mail) actions.push({ Put: mailPut(extras.mail) });

  try {
    await dynamo().send(new TransactWriteCommand({ TransactItems: actions }));
    return 'applied';
  } catch (error) {
    const codes = cancellationCodes(error);
    if (!codes) throw error;
    if (codes[0] === 'ConditionalCheckFailed') return 'duplicate';
    if (codes.includes('ConditionalCheckFailed') || codes.includes('TransactionConflict')) return 'conflict';
    throw error;
  }
}

export async function getPayment(id: string): Promise<StoredPayment | undefined> {
  const out = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keys.payment(id), ConsistentRead: true }));
  return entity(out.Item);
}

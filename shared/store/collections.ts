/**
 * Persistence of the collections engine's decisions: a run's reminder mail + invoice ladder state, interest postings
 * and escalations, each in one transaction guarded by the state the decision was made on, with the outbox record of
 * the events it reports (outbound-events.ts `outboxPut`: one action, whatever the number of events). What the sweeps
 * read is in due-index.ts; letters in letters.ts.
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { InterestAccrual, IndexUpdate } from '../domain/collections.ts';
import type { Invoice } from '../domain/invoice.ts';
import type { LedgerEntry } from '../domain/ledger.ts';
import type { EventEnvelope } from '../domain/events/envelope.ts';
import { dynamo } from '../adapters/aws.ts';
import { keys, openAmountSortKey, type ScheduleKind } from './keys.ts';
import { ledgerPut } from './ledger.ts';
import { letterPut, type Letter } from './letters.ts';
import { mailPut, type MailMessage } from './mail.ts';
import { outboxPut } from './outbound-events.ts';
import { schedulePut } from './invoices.ts';
import { promiseSettledActions } from './promises.ts';
import { promiseDecision } from './decisions.ts';
import { tableName, transactWrite, writeOutcome, type TransactItems } from './table.ts';

function dunningUpdate(update: IndexUpdate, shard: number, now: string) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':ev': update.expectedVersion };
  const set: string[] = [];
  const remove: string[] = [];
  if (update.sentStep) {
    // Every step sent is also counted, by its instant (the prediction model's reminders per invoice).
    set.push('lastStepSent = :step', 'lastStepAt = :now', 'remindersSentAt = list_append(if_not_exists(remindersSentAt, :noSteps), :sentAt)');
    values[':noSteps'] = [];
    values[':sentAt'] = [now];
    values[':step'] = update.sentStep;
    values[':now'] = now;
  }
  if (update.promise) {
    // A promise to pay settled by this run (kept or broken); a broken one counts against re-promising.
    set.push('promise = :promise');
    values[':promise'] = update.promise;
    if (update.promise.status === 'broken') {
      set.push('brokenPromises = if_not_exists(brokenPromises, :zero) + :one');
      values[':zero'] = 0;
      values[':one'] = 1;
    }
  }
  if (update.nextActionAt) {
    const due = keys.dunningDue(shard, update.nextActionAt, update.invoiceId);
    set.push('GSI2PK = :g2pk', 'GSI2SK = :g2sk');
    values[':g2pk'] = due.GSI2PK;
    values[':g2sk'] = due.GSI2SK;
  } else {
    remove.push('GSI2PK', 'GSI2SK');
  }
  let condition = 'version = :ev';
  if (update.expectedLastStep === undefined) condition += ' AND attribute_not_exists(lastStepSent)';
  else {
    condition += ' AND lastStepSent = :last';
    values[':last'] = update.expectedLastStep;
  }
  return {
    TableName: tableName(),
    Key: keys.invoice(update.invoiceId),
    UpdateExpression: [set.length ? `SET ${set.join(', ')}` : '', remove.length ? `REMOVE ${remove.join(', ')}` : ''].join(' ').trim(),
    ConditionExpression: condition,
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ExpressionAttributeValues: values,
  };
}

/**
 * A customer's dunning run in one transaction: the reminder mail (once, by its key), each invoice's new ladder state
 * and next-action time (each conditional on the version and last step the decision was made on), after a final
 * notice the invoice's escalation marker, and the outbox record of the run's events (reminder.sent, promise.broken).
 * 'conflict': something changed meanwhile — decide again. The record is the one action beyond the run's write budget
 * (domain/reminder-run.ts REMINDER_RUN_ACTIONS), so the transaction stays within DynamoDB's 100.
 */
export async function commitDunning(
  shard: number,
  updates: readonly IndexUpdate[],
  mail: MailMessage | undefined,
  now: Date,
  letter?: Letter,
  customerId?: string,
  events: readonly EventEnvelope[] = [],
): Promise<'committed' | 'conflict' | 'duplicate'> {
  const at = now.toISOString();
  const actions: TransactItems = [];
  if (mail) actions.push({ Put: mailPut(mail) });
  if (letter) actions.push({ Put: letterPut(letter) });
  // After the mail: the mail stays the first action, the run's idempotency guard.
  if (events.length) actions.push(outboxPut(events, at));
  for (const u of updates) {
    actions.push({ Update: dunningUpdate(u, shard, at) });
    if (u.promise && customerId) actions.push(...promiseSettledActions(u.promise, promiseDecision(customerId, u.invoiceId, u.promise, 'reminders', at)));
    if (u.escalateOn) {
      actions.push({ Put: schedulePut('escalation', { id: u.invoiceId, customerId: mail?.customerId ?? '' }, shard, u.escalateOn) });
    }
  }
  if (actions.length === 0) return 'committed';
  const codes = await transactWrite(actions);
  if (!codes) return 'committed';
  // Only the mail is an idempotency guard here; without one, any failed condition means "decide again".
  const outcome = writeOutcome(mail ? codes : ['None', ...codes]);
  return outcome === 'written' ? 'committed' : outcome;
}

function statusKeys(invoice: Pick<Invoice, 'customerId' | 'dueDate' | 'id'>, status: Invoice['status']) {
  return {
    ...keys.invoiceByCustomer(invoice.customerId, status, invoice.dueDate, invoice.id),
    ...keys.invoiceByStatus(status, invoice.dueDate, invoice.id),
  };
}

export interface InvoiceMoneyChange {
  invoice: Invoice;
  /** Signed change of the balance (interest/fee +, credit note −). */
  delta: number;
  newStatus: Invoice['status'];
  set: Partial<Pick<Invoice, 'charges' | 'credited' | 'lateFeeCharged' | 'lastStepSent'>> & { accrual?: InterestAccrual };
  /** Bring the invoice to the dunning worker at this instant (omit: leave the index as it is; null: leave it). */
  dunningAt?: string | null;
  /** Clear these attributes (e.g. `dispute`, `lastStepSent`). */
  remove?: string[];
  shard: number;
}

/** The invoice update for a money change (interest, fee, credit note), guarded by the version read. */
export function invoiceMoneyUpdate(change: InvoiceMoneyChange) {
  const { invoice } = change;
  const status = statusKeys(invoice, change.newStatus);
  const values: Record<string, unknown> = {
    ':nb': invoice.balanceDue + change.delta,
    ':ns': change.newStatus,
    ':nv': invoice.version + 1,
    ':ev': invoice.version,
    ':g1sk': status.GSI1SK,
    ':g3pk': status.GSI3PK,
    ':g3sk': status.GSI3SK,
  };
  const set = ['balanceDue = :nb', '#st = :ns', 'version = :nv', 'GSI1SK = :g1sk', 'GSI3PK = :g3pk', 'GSI3SK = :g3sk'];
  for (const [k, v] of Object.entries(change.set)) {
    if (v === undefined) continue;
    set.push(`${k} = :${k}`);
    values[`:${k}`] = v;
  }
  const remove = [...(change.remove ?? [])];
  // The amount index (GSI4): the new balance is the invoice's place; a paid invoice leaves it.
  const newBalance = invoice.balanceDue + change.delta;
  if (newBalance > 0) {
    set.push('GSI4SK = :g4sk');
    values[':g4sk'] = openAmountSortKey(newBalance, invoice.dueDate, invoice.id);
  } else {
    remove.push('GSI4SK');
  }
  if (change.dunningAt) {
    const due = keys.dunningDue(change.shard, change.dunningAt, invoice.id);
    set.push('GSI2PK = :g2pk', 'GSI2SK = :g2sk');
    values[':g2pk'] = due.GSI2PK;
    values[':g2sk'] = due.GSI2SK;
  } else if (change.dunningAt === null || change.newStatus === 'paid') {
    remove.push('GSI2PK', 'GSI2SK');
  }
  return {
    TableName: tableName(),
    Key: keys.invoice(invoice.id),
    UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${[...new Set(remove)].join(', ')}` : ''}`,
    ConditionExpression: 'version = :ev',
    ExpressionAttributeNames: { '#st': 'status' },
    ExpressionAttributeValues: values,
  };
}

/**
 * One invoice's interest run: the invoice (accrual state, charges, balance — version-guarded), the ledger postings
 * (each once by its key), the invoice's place in the interest index and the outbox record of the charges'
 * `interest.charged` events. 'conflict': decide again.
 */
export async function commitInterest(
  change: InvoiceMoneyChange,
  ledger: readonly LedgerEntry[],
  nextOn: string | null,
  events: readonly EventEnvelope[] = [],
): Promise<'committed' | 'conflict'> {
  const schedule = keys.schedule(change.invoice.id, 'interest');
  const actions: TransactItems = [
    { Update: invoiceMoneyUpdate(change) },
    ...ledger.map((e) => ({ Put: ledgerPut(e) })),
    nextOn
      ? { Put: schedulePut('interest', change.invoice, change.shard, nextOn) }
      : { Delete: { TableName: tableName(), Key: schedule } },
    // The record is stamped with the charges' instant (the run's "now").
    ...(events[0] ? [outboxPut(events, events[0].occurredAt)] : []),
  ];
  const outcome = writeOutcome(await transactWrite(actions).then((codes) => (codes ? ['None', ...codes] : codes)));
  return outcome === 'written' ? 'committed' : 'conflict';
}

/** Moves or removes a schedule marker without touching the invoice. */
export async function reschedule(kind: ScheduleKind, invoice: Pick<Invoice, 'id' | 'customerId'>, shard: number, on: string | null) {
  if (on) await dynamo().send(new PutCommand(schedulePut(kind, invoice, shard, on)));
  else await dynamo().send(new DeleteCommand({ TableName: tableName(), Key: keys.schedule(invoice.id, kind) }));
}

/**
 * The most invoices one escalation transaction takes: 1 outbox record + 2 actions per invoice stays under DynamoDB's
 * 100 actions (and far under 4 MB). The service escalates more in several groups.
 */
export const ESCALATIONS_PER_COMMIT = 40;

/**
 * Escalation of up to ESCALATIONS_PER_COMMIT of a customer's invoices in one transaction: the outbox record of the
 * `collections.escalated` event listing them (first: its id comes from the customer and the invoices, so it is the
 * idempotency guard — 'duplicate'), each invoice marked escalated (version-guarded) and brought to the reminder
 * worker, which tells the customer in their business hours; their escalation markers removed.
 */
export async function commitEscalation(
  invoices: readonly Invoice[],
  event: EventEnvelope,
  shard: number,
  now: Date,
): Promise<'committed' | 'conflict' | 'duplicate'> {
  const actions: TransactItems = [outboxPut([event], now.toISOString())];
  for (const invoice of invoices) {
    const due = keys.dunningDue(shard, now.toISOString(), invoice.id);
    actions.push({
      Update: {
        TableName: tableName(),
        Key: keys.invoice(invoice.id),
        UpdateExpression: 'SET escalatedAt = :now, GSI2PK = :pk, GSI2SK = :sk',
        ConditionExpression: 'version = :ev AND attribute_not_exists(escalatedAt) AND attribute_not_exists(planId) AND attribute_not_exists(dispute)',
        ExpressionAttributeValues: { ':now': now.toISOString(), ':ev': invoice.version, ':pk': due.GSI2PK, ':sk': due.GSI2SK },
      },
    });
    actions.push({ Delete: { TableName: tableName(), Key: keys.schedule(invoice.id, 'escalation') } });
  }
  const outcome = writeOutcome(await transactWrite(actions));
  return outcome === 'written' ? 'committed' : outcome;
}


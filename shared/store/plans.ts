import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Invoice } from '../domain/invoice.ts';
import type { PaymentPlan, PlanStatus } from '../domain/plans.ts';
import { dynamo } from '../adapters/aws.ts';
import { keys } from './keys.ts';
import { mailPut, type MailMessage } from './mail.ts';
import { setNextAction } from './due-index.ts';
import { outboxPut } from './outbound-events.ts';
import { countQuery, entity, isConditionalFailure, queryPage, replayable, tableName, transactWrite, type Replayable, type TransactItems } from './table.ts';
import type { EventEnvelope } from '../domain/events/envelope.ts';

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

export async function getPlan(id: string): Promise<PaymentPlan | undefined> {
  return (await getPlanForReplay(id))?.entity;
}

/** The plan with the hash of the request that created it (for replaying that request, and kept when it is rewritten). */
export async function getPlanForReplay(id: string): Promise<Replayable<PaymentPlan> | undefined> {
  const out = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keys.plan(id), ConsistentRead: true }));
  return replayable<PaymentPlan>(out.Item);
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

/**
 * A page of the plans in `status` across customers (GSI3 `PLAN_STATUS#<status>`, by when each was requested), oldest
 * first (the longest waiting for approval first) unless `newestFirst`.
 */
export async function plansByStatusPage(
  status: PlanStatus,
  limit: number,
  startKey?: Record<string, unknown>,
  newestFirst = false,
): Promise<{ items: PaymentPlan[]; lastKey?: Record<string, unknown> }> {
  const page = await queryPage(
    {
      TableName: tableName(),
      IndexName: 'GSI3',
      KeyConditionExpression: 'GSI3PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.planByStatus(status, '', '').GSI3PK },
      ScanIndexForward: !newestFirst,
    },
    limit,
    startKey,
  );
  return { items: page.items.map((i) => entity<PaymentPlan>(i) as PaymentPlan), ...(page.lastKey ? { lastKey: page.lastKey } : {}) };
}

/** How many plans ever reached `status` (GSI3 `PLAN_STATUS#<status>`, counted, not read). */
export async function countPlansByStatus(status: PlanStatus): Promise<number> {
  return countQuery({
    TableName: tableName(),
    IndexName: 'GSI3',
    KeyConditionExpression: 'GSI3PK = :pk',
    ExpressionAttributeValues: { ':pk': keys.planByStatus(status, '', '').GSI3PK },
  });
}

/** A reference's target: an invoice, or a payment plan (instalments quote the plan's reference). */
export async function referenceTarget(reference: string): Promise<{ invoiceId?: string; planId?: string } | undefined> {
  const out = await dynamo().send(new GetCommand({ TableName: tableName(), Key: keys.reference(reference) }));
  if (!out.Item) return undefined;
  return { ...(out.Item.invoiceId ? { invoiceId: out.Item.invoiceId as string } : {}), ...(out.Item.planId ? { planId: out.Item.planId as string } : {}) };
}

/** A place in the next-action index (GSI2): the worker shard and the instant the worker looks again. */
export interface NextAction {
  shard: number;
  at: string;
}

/** Invoice joins (or releases) per plan transaction: with the plan, its reference and a mail, under 100 actions. */
export const PLAN_INVOICES_PER_COMMIT = 90;

/** Covered invoices join the plan: out of the ladder and interest (guarded: unchanged, not disputed, not escalated, in no other plan). */
function joinPlanUpdates(plan: Pick<PaymentPlan, 'id'>, invoices: readonly Invoice[]) {
  return invoices.map((invoice) => ({
    Update: {
      TableName: tableName(),
      Key: keys.invoice(invoice.id),
      UpdateExpression: 'SET planId = :p, version = :nv REMOVE GSI2PK, GSI2SK',
      ConditionExpression: 'version = :ev AND attribute_not_exists(planId) AND attribute_not_exists(dispute) AND attribute_not_exists(escalatedAt)',
      ExpressionAttributeValues: { ':p': plan.id, ':ev': invoice.version, ':nv': invoice.version + 1 },
    },
  }));
}

/** An invoice leaves the plan (guarded by the plan id); `backToLadderAt`: it re-enters the reminder index there. */
function releaseUpdate(plan: Pick<PaymentPlan, 'id'>, invoiceId: string, backToLadderAt?: NextAction) {
  if (!backToLadderAt) {
    return { Update: { TableName: tableName(), Key: keys.invoice(invoiceId), UpdateExpression: 'REMOVE planId', ConditionExpression: 'planId = :p', ExpressionAttributeValues: { ':p': plan.id } } };
  }
  const due = keys.dunningDue(backToLadderAt.shard, backToLadderAt.at, invoiceId);
  return {
    Update: {
      TableName: tableName(),
      Key: keys.invoice(invoiceId),
      // Back to the ladder where it left it: lastStepSent is kept; the worker decides the step now due.
      UpdateExpression: 'REMOVE planId SET GSI2PK = :pk, GSI2SK = :sk',
      ConditionExpression: 'planId = :p',
      ExpressionAttributeValues: { ':p': plan.id, ':pk': due.GSI2PK, ':sk': due.GSI2SK },
    },
  };
}

/** The outbox record of a plan change's events (none: no action), at the instant of the first. */
function outbox(events: readonly EventEnvelope[]): TransactItems {
  const first = events[0];
  return first ? [outboxPut(events, first.occurredAt)] : [];
}

function groups<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/**
 * Writes a plan (`first`: its put, guarded) and joins its invoices — in one transaction when they fit, else in groups
 * of PLAN_INVOICES_PER_COMMIT: the first group with the plan (which records `joinPending`: the invoices still to
 * join), each further group with the plan's progress (version-guarded), the mail with the last. If a later group cannot
 * join (an invoice changed meanwhile), the groups joined are released again and `undo` restores the plan — the request
 * fails as a whole, as a single transaction would. Returns the cancellation reasons on failure, like transactWrite.
 * `events` go with the last group: the commit that makes the plan whole (an interrupted one is cancelled later,
 * announced never).
 */
async function writePlanWithJoins(
  plan: PaymentPlan,
  invoices: readonly Invoice[],
  first: (pending: string[] | undefined) => TransactItems,
  mail: MailMessage | undefined,
  events: readonly EventEnvelope[],
  undo: (joined: readonly Invoice[], version: number) => Promise<void>,
): Promise<string[] | undefined> {
  const parts = groups(invoices, PLAN_INVOICES_PER_COMMIT);
  if (parts.length <= 1) return transactWrite([...first(undefined), ...joinPlanUpdates(plan, invoices), ...(mail ? [{ Put: mailPut(mail) }] : []), ...outbox(events)]);
  const joined: Invoice[] = [];
  let version = plan.version;
  for (const [i, part] of parts.entries()) {
    const last = i === parts.length - 1;
    const pending = parts.slice(i + 1).flat().map((inv) => inv.id);
    const head: TransactItems =
      i === 0
        ? first(pending)
        : [
            {
              Update: {
                TableName: tableName(),
                Key: keys.plan(plan.id),
                UpdateExpression: last ? 'SET version = :nv REMOVE joinPending' : 'SET version = :nv, joinPending = :jp',
                ConditionExpression: 'version = :v',
                ExpressionAttributeValues: { ':v': version, ':nv': version + 1, ...(last ? {} : { ':jp': pending }) },
              },
            },
          ];
    const codes = await transactWrite([...head, ...joinPlanUpdates(plan, part), ...(last && mail ? [{ Put: mailPut(mail) }] : []), ...(last ? outbox(events) : [])]);
    if (codes) {
      if (i > 0) await undo(joined, version);
      return codes;
    }
    if (i > 0) version += 1;
    joined.push(...part);
  }
  return undefined;
}

/** Releases invoices from a plan (REMOVE planId, guarded by the plan id), in groups within the transaction limits. */
export async function releasePlanInvoices(plan: Pick<PaymentPlan, 'id'>, invoiceIds: readonly string[]): Promise<void> {
  for (const part of groups(invoiceIds, PLAN_INVOICES_PER_COMMIT)) {
    const codes = await transactWrite(part.map((id) => releaseUpdate(plan, id)));
    if (codes) {
      // Some were released already (a retry): release the others one by one.
      for (const id of part) await transactWrite([releaseUpdate(plan, id)]);
    }
  }
}

/**
 * A new plan (once: guarded by its id), its unique payment reference, the invoices it covers joined (an active plan;
 * see writePlanWithJoins), in the next-action index at `nextAction` (an active plan), the request's hash kept for
 * replays, its mail and its events (plan.created for an active plan). Undefined when written; else the cancellation
 * codes (the first: the plan exists already).
 */
export async function commitNewPlan(
  plan: PaymentPlan,
  requestHash: string,
  nextAction: NextAction | undefined,
  joining: readonly Invoice[],
  mail: MailMessage | undefined,
  events: readonly EventEnvelope[],
): Promise<string[] | undefined> {
  return writePlanWithJoins(
    plan,
    joining,
    (pending) => [
      {
        Put: {
          TableName: tableName(),
          Item: { ...planItem(plan, nextAction), requestHash, ...(pending ? { joinPending: pending } : {}) },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      { Put: { TableName: tableName(), Item: { ...keys.reference(plan.paymentReference), entity: 'reference', planId: plan.id }, ConditionExpression: 'attribute_not_exists(PK)' } },
    ],
    mail,
    events,
    async (joined, version) => {
      // The plan never was: release what joined, then remove the plan and its reference.
      await releasePlanInvoices(plan, joined.map((i) => i.id));
      await transactWrite([
        { Delete: { TableName: tableName(), Key: keys.plan(plan.id), ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': version } } },
        { Delete: { TableName: tableName(), Key: keys.reference(plan.paymentReference) } },
      ]);
    },
  );
}

/**
 * A pending plan approved: `next` replaces `pending` (guarded by the version read), in the next-action index at
 * `nextAction`, with its invoices joined, the mail and the events (plan.created). If the joins fail part-way the plan
 * is put back as it was. Undefined when written; else the cancellation codes.
 */
export async function commitPlanApproval(
  pending: PaymentPlan,
  next: PaymentPlan,
  requestHash: string | undefined,
  nextAction: NextAction,
  invoices: readonly Invoice[],
  mail: MailMessage | undefined,
  events: readonly EventEnvelope[],
): Promise<string[] | undefined> {
  return writePlanWithJoins(
    next,
    invoices,
    (joinPending) => [
      {
        Put: {
          TableName: tableName(),
          Item: { ...planItem(next, nextAction), requestHash, ...(joinPending ? { joinPending } : {}) },
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':v': pending.version },
        },
      },
    ],
    mail,
    events,
    async (joined, version) => {
      // Not approved after all: release what joined and put the plan back as it was (pending approval).
      await releasePlanInvoices(next, joined.map((i) => i.id));
      await dynamo().send(
        new PutCommand({
          TableName: tableName(),
          Item: { ...planItem({ ...pending, version: version + 1 }), requestHash },
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':v': version },
        }),
      );
    },
  );
}

/**
 * A plan whose invoices were still joining when its request was interrupted: the invoices that joined are released
 * and the plan is cancelled (guarded by the version read; a plan changed meanwhile is left alone).
 */
export async function cancelInterruptedPlan(plan: PaymentPlan, joinedInvoiceIds: readonly string[]): Promise<void> {
  await releasePlanInvoices(plan, joinedInvoiceIds);
  await dynamo()
    .send(
      new PutCommand({
        TableName: tableName(),
        Item: planItem({ ...plan, status: 'cancelled', version: plan.version + 1 }),
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': plan.version },
      }),
    )
    .catch((error: unknown) => {
      if (!isConditionalFailure(error)) throw error;
    });
}

/** An invoice leaving a plan in a run; `backToLadderAt`: it returns to the reminder index there (still owed). */
export interface PlanRelease {
  invoiceId: string;
  backToLadderAt?: NextAction;
}

/**
 * One plan's run, written: either the plan's change (`next`, in the next-action index at `nextAction` if any) or only
 * its place in that index (`indexAt`), guarded by the version read, with the invoices it releases, the mail and the
 * change's events (plan.completed, plan.defaulted). More releases than one transaction holds: all but the last group
 * are released first (each guarded by the plan id, so an interrupted run resumes with those still in the plan), then
 * the plan's change with the last group and the events — so they are written once, with the change itself.
 * `release_conflict` / `conflict`: something changed meanwhile (nothing of that step written).
 */
export async function commitPlanRun(
  plan: PaymentPlan,
  change: { next: PaymentPlan; nextAction?: NextAction } | { indexAt: NextAction },
  releases: readonly PlanRelease[],
  mail: MailMessage | undefined,
  events: readonly EventEnvelope[] = [],
): Promise<'written' | 'release_conflict' | 'conflict'> {
  const extra: TransactItems = releases.map((r) => releaseUpdate(plan, r.invoiceId, r.backToLadderAt));
  let released = true;
  while (released && extra.length > PLAN_INVOICES_PER_COMMIT) {
    released = !(await transactWrite(extra.splice(0, PLAN_INVOICES_PER_COMMIT)));
  }
  if (!released) return 'release_conflict';
  const guard = { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': plan.version } };
  let head: TransactItems[number];
  if ('indexAt' in change) {
    const due = keys.dunningDue(change.indexAt.shard, change.indexAt.at, plan.id);
    head = {
      Update: {
        TableName: tableName(),
        Key: keys.plan(plan.id),
        UpdateExpression: 'SET GSI2PK = :pk, GSI2SK = :sk',
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': plan.version, ':pk': due.GSI2PK, ':sk': due.GSI2SK },
      },
    };
  } else {
    head = { Put: { TableName: tableName(), Item: planItem(change.next, change.nextAction), ...guard } };
  }
  const codes = await transactWrite([head, ...extra, ...(mail ? [{ Put: mailPut(mail) }] : []), ...outbox(events)]);
  return codes ? 'conflict' : 'written';
}

/**
 * Brings an active plan to the worker at `dueAt` (next-action index). False when the plan is no longer active (it
 * ended meanwhile: nothing to bring forward); other errors are thrown.
 */
export async function remindPlanAt(planId: string, dueAt: NextAction): Promise<boolean> {
  return setNextAction(keys.plan(planId), planId, dueAt, { expression: '#s = :active', names: { '#s': 'status' }, values: { ':active': 'active' } });
}

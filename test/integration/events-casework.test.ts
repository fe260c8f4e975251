/**
 * Events out — the casework area, through the local stack: an invoice issued, disputes opened (staff API and the
 * customer portal) and resolved, a promise to pay, payment plans created (at once, or on approval), completed and
 * defaulted. Each change leaves exactly its documented event, once — a replayed request, a double submit or a job run
 * again adds none — and every envelope received matches its catalog schema.
 *
 * The plans' runs are driven by a dunning job for the plan's customer only, sent to the collections queue at a chosen
 * instant (what a reminder sweep sends per customer): firing the sweep itself on this shared stack would also remind
 * other test files' customers.
 */
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { eventCatalog } from '../../shared/domain/events/catalog.ts';
import { eventId, EVENT_TYPES, type EventType } from '../../shared/domain/events/envelope.ts';
import { publishedEvents, waitForEvents, type PublishedEvent } from '../support/events.ts';
import { signIn } from '../support/portal.ts';
import { PLAN_INVOICES_PER_COMMIT } from '../../shared/store/plans.ts';
import { sqsClient } from '../support/queues.ts';
import { stripeSample, vars } from '../support/flows.ts';
import { api, eventually, newCustomer, newInvoice, stack, unique } from '../support/stack.ts';

const CASEWORK: readonly EventType[] = ['invoice.issued', 'dispute.opened', 'dispute.resolved', 'promise.made', 'plan.created', 'plan.completed', 'plan.defaulted'];

/** The envelope is well-formed and its data is exactly what the type's catalog schema describes (nothing more). */
function expectValid(event: PublishedEvent): void {
  expect(EVENT_TYPES).toContain(event.type);
  const spec = eventCatalog[event.type];
  expect(spec, `a spec for ${event.type}`).toBeDefined();
  expect(event.version).toBe(spec?.version);
  expect(event.id).toMatch(/^evt_[\w-]{22}$/);
  expect(new Date(event.occurredAt).toISOString()).toBe(event.occurredAt);
  const parsed = spec?.data.safeParse(event.data);
  expect(parsed?.success, `${event.type}: ${JSON.stringify(parsed?.error?.issues[0])}`).toBe(true);
  expect(parsed?.data).toEqual(event.data);
}

/** The casework events published about a customer, each validated. */
async function caseworkEvents(customerId: string): Promise<PublishedEvent[]> {
  const events = (await publishedEvents({ customerId })).filter((e) => CASEWORK.includes(e.type));
  for (const e of events) expectValid(e);
  return events;
}

/** Waits until the customer has exactly `count` publications of `type` (and returns them). */
async function exactly(customerId: string, type: EventType, count: number): Promise<PublishedEvent[]> {
  const events = await waitForEvents({ customerId, type }, (list) => list.length >= count, 15_000);
  expect(events.map((e) => e.type)).toEqual(new Array(count).fill(type));
  return events;
}

const at = (iso: string) => ({ 'x-local-time': iso });

/** One customer's reminder run at `now` (plans first), as the reminder sweep enqueues it for that customer. */
async function runDunning(customerId: string, now: string): Promise<void> {
  await sqsClient.send(new SendMessageCommand({ QueueUrl: stack.queueUrls.collections, MessageBody: JSON.stringify({ job: 'dunning', customerId, now }) }));
}

/** Until the collections queue has nothing waiting or in flight (the job sent has been done). */
async function collectionsIdle(): Promise<void> {
  await eventually(
    async () => {
      const out = await sqsClient.send(
        new GetQueueAttributesCommand({ QueueUrl: stack.queueUrls.collections, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
      );
      return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) === 0;
    },
    20_000,
    'the collections queue to be idle',
  );
}

/** The customer's local calendar date `days` after today. */
function localDay(timeZone: string, days = 0): string {
  return new Date(Date.now() + days * 86_400_000).toLocaleDateString('en-CA', { timeZone });
}

describe('invoice.issued', () => {
  it('POST /invoices announces the invoice once; the same request replayed (concurrently, then again) adds none', async () => {
    const c = await newCustomer();
    const body = { customerId: c.id, currency: 'EUR', amount: 12_500, issueDate: '2026-11-01', dueDate: '2026-12-01' };
    const key = unique('inv');
    const first = await Promise.all([api('POST', '/invoices', body, { 'idempotency-key': key }), api('POST', '/invoices', body, { 'idempotency-key': key })]);
    expect(first.map((r) => r.status).sort()).toEqual([200, 201]);
    const invoice = first[0].body as { id: string; number: string; paymentReference: string };
    expect(first[1].body.id).toBe(invoice.id);
    expect((await api('POST', '/invoices', body, { 'idempotency-key': key })).status).toBe(200);

    const [issued] = await exactly(c.id, 'invoice.issued', 1);
    expect(issued?.id).toBe(eventId('invoice.issued', invoice.id));
    expect(issued).toMatchObject({ customerId: c.id, version: 1 });
    expect(issued?.data).toMatchObject({
      invoiceId: invoice.id,
      number: invoice.number,
      currency: 'EUR',
      amount: 12_500,
      balanceDue: 12_500,
      issueDate: '2026-11-01',
      dueDate: '2026-12-01',
      paymentReference: invoice.paymentReference,
    });

    // A later invoice is a new event; by the time it is out, the replays have added nothing.
    const second = await newInvoice(c.id);
    const events = await exactly(c.id, 'invoice.issued', 2);
    expect(events.map((e) => e.data.invoiceId)).toEqual([invoice.id, second.id]);
    expect(await caseworkEvents(c.id)).toHaveLength(2);
  });

  it('imported history (POST /imports/invoices) is not announced: those invoices were issued in the other system', async () => {
    const c = await newCustomer();
    const number = unique('IMP').replace(/_/g, '-');
    const rows = [
      { customerId: c.id, number: `${number}-paid`, currency: 'EUR', amount: 40_000, issueDate: '2026-08-01', dueDate: '2026-08-31', payments: [{ date: '2026-08-20', amount: 40_000 }] },
      { customerId: c.id, number: `${number}-open`, currency: 'EUR', amount: 25_000, issueDate: '2026-11-01', dueDate: '2026-12-15' },
    ];
    const imported = await api('POST', '/imports/invoices', rows);
    expect(imported.status, imported.text).toBe(200);
    expect(imported.body.summary).toMatchObject({ created: 2, errors: 0 });
    // An invoice issued here afterwards is announced; by the time it is out, the imported ones have added nothing.
    const issued = await newInvoice(c.id);
    const events = await exactly(c.id, 'invoice.issued', 1);
    expect(events[0]?.data.invoiceId).toBe(issued.id);
    expect(await caseworkEvents(c.id)).toHaveLength(1);
  });
});

describe('dispute.opened / dispute.resolved', () => {
  it('staff: opened once (a replay adds none), resolved once (a repeat adds none); disputed again later is a new dispute', async () => {
    const c = await newCustomer();
    const inv = await newInvoice(c.id);
    const key = unique('dsp');
    const input = { reason: 'Charged for 5, delivered 4', reasonCode: 'wrong_amount', amount: 2_500 };
    const opened = await api('POST', `/invoices/${inv.id}/disputes`, input, { 'idempotency-key': key });
    expect(opened.status, opened.text).toBe(201);
    expect((await api('POST', `/invoices/${inv.id}/disputes`, input, { 'idempotency-key': key })).status).toBe(200);

    const [openEvent] = await exactly(c.id, 'dispute.opened', 1);
    expect(openEvent?.id).toBe(eventId('dispute.opened', opened.body.id));
    expect(openEvent?.data).toEqual({
      disputeId: opened.body.id,
      invoiceId: inv.id,
      reasonCode: 'wrong_amount',
      openedBy: 'staff',
      currency: 'EUR',
      amount: 2_500,
      balanceDue: 12_500,
      openedAt: opened.body.openedAt,
    });
    expect(JSON.stringify(openEvent)).not.toContain('delivered 4'); // the reason in words stays here

    const upheld = await api('POST', `/disputes/${opened.body.id}/resolve`, { outcome: 'upheld', explanation: 'Credited the missing unit.' });
    expect(upheld.status, upheld.text).toBe(200);
    expect((await api('POST', `/disputes/${opened.body.id}/resolve`, { outcome: 'upheld', explanation: 'Credited the missing unit.' })).status).toBe(200);
    const [resolved] = await exactly(c.id, 'dispute.resolved', 1);
    expect(resolved?.id).toBe(eventId('dispute.resolved', opened.body.id));
    expect(resolved?.data).toEqual({
      disputeId: opened.body.id,
      invoiceId: inv.id,
      source: 'customer',
      outcome: 'upheld',
      currency: 'EUR',
      creditAmount: 2_500,
      balanceDue: 10_000,
      invoiceStatus: upheld.body.invoice.status,
      openedAt: opened.body.openedAt,
      resolvedAt: upheld.body.dispute.resolution.resolvedAt,
    });
    expect(JSON.stringify(resolved)).not.toContain('missing unit');

    // The customer disputes the invoice again: a new dispute, new events (never the first one's ids).
    const again = await api('POST', `/invoices/${inv.id}/disputes`, { reason: 'Still wrong' });
    expect(again.status, again.text).toBe(201);
    expect((await api('POST', `/disputes/${again.body.id}/resolve`, { outcome: 'rejected', explanation: 'Checked.' })).status).toBe(200);
    const reopened = await exactly(c.id, 'dispute.opened', 2);
    const resolvedBoth = await exactly(c.id, 'dispute.resolved', 2);
    expect(new Set(reopened.map((e) => e.id)).size).toBe(2);
    expect(reopened[1]?.data).toMatchObject({ disputeId: again.body.id, reasonCode: 'other', openedBy: 'staff', balanceDue: 10_000 });
    expect(reopened[1]?.data).not.toHaveProperty('amount'); // the whole balance
    expect(resolvedBoth[1]?.data).toMatchObject({ disputeId: again.body.id, outcome: 'rejected', creditAmount: 0, balanceDue: 10_000, invoiceStatus: 'open' });
    expect((await caseworkEvents(c.id)).map((e) => e.type)).toEqual(['invoice.issued', 'dispute.opened', 'dispute.resolved', 'dispute.opened', 'dispute.resolved']);
  });

  it('a card chargeback’s pause resolved by staff: dispute.resolved (source chargeback) once; its opening is the payment’s event', async () => {
    const c = await newCustomer();
    const inv = await newInvoice(c.id, { amount: 12_500 });
    const v = vars({ invoiceId: inv.id });
    await stripeSample('payment_intent.succeeded', v);
    await stripeSample('charge.dispute.created', v);
    const pause = (await api('GET', `/invoices/${inv.id}`)).body.dispute as { id: string; source: string; openedAt: string };
    expect(pause.source).toBe('chargeback');
    const resolved = await api('POST', `/disputes/${pause.id}/resolve?invoiceId=${inv.id}`, { outcome: 'rejected', explanation: 'The goods were delivered.' });
    expect(resolved.status, resolved.text).toBe(200);
    const [event] = await exactly(c.id, 'dispute.resolved', 1);
    expect(event?.data).toEqual({
      disputeId: pause.id,
      invoiceId: inv.id,
      source: 'chargeback',
      outcome: 'rejected',
      currency: 'EUR',
      creditAmount: 0,
      balanceDue: 12_500,
      invoiceStatus: 'open',
      openedAt: pause.openedAt,
      resolvedAt: resolved.body.dispute.resolution.resolvedAt,
    });
    // No dispute.opened from casework for a chargeback: the payments area reports it (payment.refunded, reason chargeback).
    expect((await caseworkEvents(c.id)).map((e) => e.type)).toEqual(['invoice.issued', 'dispute.resolved']);
    expect((await publishedEvents({ customerId: c.id, type: 'payment.refunded' })).map((e) => e.data.reason)).toEqual(['chargeback']);
  });
});

describe('the customer portal', () => {
  it('a dispute (double submit: one) and a promise to pay (double submit: one) are announced as the customer’s', async () => {
    const c = await newCustomer({ timeZone: 'Europe/Berlin', locale: 'en-GB' });
    const disputed = await newInvoice(c.id);
    const promised = await newInvoice(c.id);
    const { client, csrf } = await signIn(c.email);

    const form = { csrf, reason: 'not_received', message: 'Nothing arrived.' };
    for (let i = 0; i < 2; i++) expect((await client.post(`/portal/invoices/${disputed.id}/disputes`, form)).status).toBe(303);
    const [opened] = await exactly(c.id, 'dispute.opened', 1);
    const onInvoice = (await api('GET', `/invoices/${disputed.id}`)).body.dispute;
    expect(opened?.data).toEqual({
      disputeId: onInvoice.id,
      invoiceId: disputed.id,
      reasonCode: 'not_received',
      openedBy: 'customer',
      currency: 'EUR',
      balanceDue: 12_500,
      openedAt: onInvoice.openedAt,
    });

    const date = localDay('Europe/Berlin', 5);
    for (let i = 0; i < 2; i++) expect((await client.post(`/portal/invoices/${promised.id}/promise`, { csrf, date, amount: '50.00' })).status).toBe(303);
    const [made] = await exactly(c.id, 'promise.made', 1);
    const promise = (await api('GET', `/invoices/${promised.id}`)).body.promise;
    expect(made?.id).toBe(eventId('promise.made', promise.id));
    expect(made?.data).toEqual({
      promiseId: promise.id,
      invoiceId: promised.id,
      date,
      currency: 'EUR',
      amount: 5_000,
      balanceDue: 12_500,
      madeBy: 'customer',
      until: promise.until,
      madeAt: promise.madeAt,
    });
    expect((await caseworkEvents(c.id)).map((e) => e.type).sort()).toEqual(['dispute.opened', 'invoice.issued', 'invoice.issued', 'promise.made']);
  });

  it('a plan the customer asks for outside the policy is announced when staff approve it, not before', async () => {
    const c = await newCustomer({ timeZone: 'Europe/Berlin', locale: 'en-GB' });
    const inv = await newInvoice(c.id, { amount: 120_000 });
    const { client, csrf } = await signIn(c.email);
    // 12 instalments: more than the policy's 6 → waits for staff.
    const asked = await client.post('/portal/plan-request', { csrf, invoiceId: inv.id, instalments: '12', frequency: 'monthly' });
    expect(asked.status, asked.body.slice(0, 300)).toBe(200);
    const requested = await eventually(async () => {
      const mails = (await api('GET', `/customers/${c.id}/communications`)).body.mails as { key: string }[];
      return mails.map((m) => /^plan#(plan_[^#]+)#requested$/.exec(m.key)?.[1]).find(Boolean);
    }, 8000, 'the plan request');
    expect((await api('GET', `/payment-plans/${requested}`)).body.status).toBe('pending_approval');

    const approved = await api('POST', `/payment-plans/${requested}/approve`);
    expect(approved.status, approved.text).toBe(200);
    expect((await api('POST', `/payment-plans/${requested}/approve`)).status).toBe(200); // already active: nothing new
    const [created] = await exactly(c.id, 'plan.created', 1);
    // Emitted by the approval (an event at the request would carry the same id and have made the approval fail).
    expect(created?.id).toBe(eventId('plan.created', `${requested}:created`));
    expect(created?.data).toMatchObject({
      planId: requested,
      invoices: [{ invoiceId: inv.id, balanceDue: 120_000 }],
      amount: 120_000,
      instalmentCount: 12,
      downPayment: 0,
      requestedBy: 'customer',
      approvedBy: 'staff',
      activatedAt: approved.body.activatedAt,
    });
    const instalments = (created?.data.instalments ?? []) as { amount: number }[];
    expect(instalments.reduce((s, i) => s + i.amount, 0)).toBe(120_000);
  });
});

describe('payment plans', () => {
  it('created once (a replay adds none); paid in full → completed once, a second run adds none', async () => {
    const c = await newCustomer({ timeZone: 'Europe/Berlin' });
    const a = await newInvoice(c.id, { amount: 30_000, issueDate: '2027-09-01', dueDate: '2027-10-01' });
    const b = await newInvoice(c.id, { amount: 60_000, issueDate: '2027-09-01', dueDate: '2027-10-15' });
    const request = { customerId: c.id, invoiceIds: [b.id, a.id], instalments: 3, frequency: 'monthly', firstDueDate: '2027-10-15' };
    const key = unique('plan');
    const created = await api('POST', '/payment-plans', request, { 'idempotency-key': key, ...at('2027-10-05T08:00:00Z') });
    expect(created.status, created.text).toBe(201);
    expect((await api('POST', '/payment-plans', request, { 'idempotency-key': key, ...at('2027-10-05T08:00:05Z') })).status).toBe(200);
    const plan = created.body as { id: string; paymentReference: string };

    const [announced] = await exactly(c.id, 'plan.created', 1);
    expect(announced?.id).toBe(eventId('plan.created', `${plan.id}:created`));
    expect(announced).toMatchObject({ occurredAt: '2027-10-05T08:00:00.000Z', customerId: c.id });
    expect(announced?.data).toEqual({
      planId: plan.id,
      invoices: [
        { invoiceId: a.id, balanceDue: 30_000 },
        { invoiceId: b.id, balanceDue: 60_000 },
      ],
      currency: 'EUR',
      amount: 90_000,
      frequency: 'monthly',
      instalmentCount: 3,
      downPayment: 0,
      firstDueDate: '2027-10-15',
      lastDueDate: '2027-12-15',
      instalments: [
        { seq: 1, dueDate: '2027-10-15', amount: 30_000 },
        { seq: 2, dueDate: '2027-11-15', amount: 30_000 },
        { seq: 3, dueDate: '2027-12-15', amount: 30_000 },
      ],
      graceDays: 3,
      paymentReference: plan.paymentReference,
      requestedBy: 'staff',
      approvedBy: 'staff',
      activatedAt: '2027-10-05T08:00:00.000Z',
    });

    // The customer pays everything at once, quoting the plan's reference: the last instalment is in.
    const paid = await api('POST', '/payments', { customerId: c.id, method: 'bank_transfer', reference: plan.paymentReference, amount: 90_000, currency: 'EUR', receivedDate: '2027-10-06' }, at('2027-10-06T09:00:00Z'));
    expect(paid.status, paid.text).toBe(201);
    await eventually(async () => {
      const states = await Promise.all([a, b].map(async (i) => (await api('GET', `/invoices/${i.id}`)).body.status));
      return states.every((s) => s === 'paid');
    }, 10_000, 'both invoices paid');
    await runDunning(c.id, '2027-10-06T10:00:00Z'); // a Wednesday, noon in Berlin
    const [completed] = await exactly(c.id, 'plan.completed', 1);
    expect(completed?.id).toBe(eventId('plan.completed', `${plan.id}:completed`));
    expect(completed?.data).toEqual({ planId: plan.id, invoiceIds: [a.id, b.id], currency: 'EUR', amount: 90_000, instalmentCount: 3, completedAt: '2027-10-06T10:00:00.000Z' });
    expect((await api('GET', `/payment-plans/${plan.id}`)).body.status).toBe('completed');

    // The same run again (a redelivered job) and a later one: the plan is over, nothing more is announced.
    await runDunning(c.id, '2027-10-06T10:00:00Z');
    await runDunning(c.id, '2027-10-07T10:00:00Z');
    await collectionsIdle();
    expect((await caseworkEvents(c.id)).map((e) => e.type)).toEqual(['invoice.issued', 'invoice.issued', 'plan.created', 'plan.completed']);
  });

  it('a missed instalment past its grace days → defaulted once, the invoice back in the ladder', async () => {
    const c = await newCustomer({ timeZone: 'Europe/Berlin' });
    const inv = await newInvoice(c.id, { amount: 80_000, issueDate: '2027-08-01', dueDate: '2027-09-01' });
    const created = await api('POST', '/payment-plans', { customerId: c.id, invoiceIds: [inv.id], instalments: 2, frequency: 'monthly', firstDueDate: '2027-09-20' }, at('2027-09-07T08:00:00Z'));
    expect(created.status, created.text).toBe(201);
    await exactly(c.id, 'plan.created', 1);

    // Within the grace days (20 September + 3): nothing. The day after, in business hours: defaulted. (One run at a
    // time, as the sweeps run them: two runs of one customer at once would race for the plan's version.)
    await runDunning(c.id, '2027-09-23T08:00:00Z');
    await collectionsIdle();
    expect(await publishedEvents({ customerId: c.id, type: 'plan.defaulted' })).toEqual([]);
    await runDunning(c.id, '2027-09-24T08:00:00Z');
    const [defaulted] = await exactly(c.id, 'plan.defaulted', 1);
    expect(defaulted?.id).toBe(eventId('plan.defaulted', `${created.body.id}:defaulted`));
    expect(defaulted?.data).toEqual({
      planId: created.body.id,
      invoiceIds: [inv.id],
      returnedInvoiceIds: [inv.id],
      currency: 'EUR',
      amount: 80_000,
      paidAmount: 0,
      balanceDue: 80_000,
      missedInstalment: { seq: 1, dueDate: '2027-09-20', amount: 40_000 },
      defaultedAt: '2027-09-24T08:00:00.000Z',
    });
    expect((await api('GET', `/invoices/${inv.id}`)).body.planId).toBeUndefined();

    await runDunning(c.id, '2027-09-24T08:00:00Z');
    await collectionsIdle();
    expect((await caseworkEvents(c.id)).map((e) => e.type)).toEqual(['invoice.issued', 'plan.created', 'plan.defaulted']);
  });

  it('a plan too large for one transaction is announced once, by the commit that completes it; its default too', async () => {
    const c = await newCustomer({ timeZone: 'Europe/Berlin' });
    const count = PLAN_INVOICES_PER_COMMIT + 1; // joins (and releases) in two commits
    const invoices: { id: string }[] = [];
    for (let i = 0; i < count; i += 10) {
      const batch = Array.from({ length: Math.min(10, count - i) }, () => newInvoice(c.id, { amount: 1_000, issueDate: '2027-08-01', dueDate: '2027-09-01' }));
      invoices.push(...(await Promise.all(batch)));
    }
    const created = await api('POST', '/payment-plans', { customerId: c.id, invoiceIds: invoices.map((i) => i.id), instalments: 2, frequency: 'monthly', firstDueDate: '2027-09-20' }, at('2027-09-07T08:00:00Z'));
    expect(created.status, created.text).toBe(201);
    const [announced] = await exactly(c.id, 'plan.created', 1);
    expect((announced?.data.invoices as unknown[]).length).toBe(count);
    expect(announced?.data).toMatchObject({ planId: created.body.id, amount: count * 1_000 });

    await runDunning(c.id, '2027-09-24T08:00:00Z');
    const [defaulted] = await exactly(c.id, 'plan.defaulted', 1);
    expect((defaulted?.data.returnedInvoiceIds as unknown[]).length).toBe(count);
    expect((await api('GET', `/invoices/${invoices[0]?.id}`)).body.planId).toBeUndefined();
    await collectionsIdle();
    const plans = (await caseworkEvents(c.id)).filter((e) => e.type.startsWith('plan.'));
    expect(plans.map((e) => e.type)).toEqual(['plan.created', 'plan.defaulted']);
  }, 60_000);
});

/**
 * Events out of the collections area, through the shared local stack: a reminder run → reminder.sent, an interest run
 * → interest.charged per charge, an escalation → collections.escalated, a promise found broken → promise.broken (or
 * kept by a credit note → promise.kept), an SES permanent bounce → customer.mail_suppressed — each once, and nothing
 * new when the same run comes again.
 *
 * The runs are the collections worker's jobs for one customer (or invoice), called here in-process with "now" in 2028,
 * as a redelivered job would be: they touch only this file's customers, so the shared stack's other tests (which fire
 * the sweeps at other times) never see them. What the jobs commit is published by the stack's outbox relay; every
 * envelope received is checked against its catalog schema.
 */
import { describe, expect, it } from 'vitest';
import { renderFile } from '../../local/events.ts';
import { eventCatalog } from '../../shared/domain/events/catalog.ts';
import { EVENT_TYPES, type EventType } from '../../shared/domain/events/envelope.ts';
import { interestForPeriod } from '../../shared/domain/terms.ts';
import { openDispute, resolveDispute } from '../../shared/services/casework.ts';
import { runDunning, runEscalation, runInterest } from '../../shared/services/collections.ts';
import { makePromise } from '../../shared/services/promises.ts';
import { getCustomer } from '../../shared/store/customers.ts';
import { mailHistory } from '../../shared/store/mail.ts';
import { customerEventsPage } from '../../shared/store/outbound-events.ts';
import { vars } from '../support/flows.ts';
import { distinctIds, waitForEvents, type PublishedEvent } from '../support/events.ts';
import { api, newCustomer, newInvoice, stack, unique } from '../support/stack.ts';

/** Every event type of this area, and promise.kept (the reminder run reports a promise a credit note kept). */
const AREA: readonly EventType[] = ['reminder.sent', 'interest.charged', 'collections.escalated', 'promise.broken', 'promise.kept', 'customer.mail_suppressed'];

/** The envelope is well-formed and its `data` is exactly what the catalog's schema gives. */
function expectValid(event: PublishedEvent, customerId: string) {
  expect(EVENT_TYPES).toContain(event.type);
  expect(event.id).toMatch(/^evt_[\w-]{22}$/);
  expect(event.customerId).toBe(customerId);
  expect(event.version).toBe(1);
  expect(Number.isNaN(Date.parse(event.occurredAt))).toBe(false);
  const spec = eventCatalog[event.type];
  expect(spec, event.type).toBeDefined();
  expect(spec?.data.parse(event.data)).toEqual(event.data);
}

/** The events of the customer committed so far (outbox records): what the relay will ever publish about them. */
async function committed(customerId: string): Promise<{ id: string; type: string }[]> {
  const page = await customerEventsPage(customerId, 100);
  return page.items.map((e) => ({ id: e.id, type: e.detailType }));
}

/**
 * Waits until the customer's committed events of this area are all published by the stack's outbox relay, then
 * returns the publications (each checked against its schema). A re-publication carries the same id, so the distinct
 * ids published must be exactly the committed ones.
 */
async function published(customerId: string): Promise<PublishedEvent[]> {
  const expected = (await committed(customerId)).filter((e) => AREA.includes(e.type as EventType));
  const events = await waitForEvents({ customerId }, (all) => expected.every((e) => all.some((p) => p.id === e.id)), 15_000);
  const ours = events.filter((e) => AREA.includes(e.type));
  for (const e of ours) expectValid(e, customerId);
  expect(distinctIds(ours).sort()).toEqual(expected.map((e) => e.id).sort());
  return ours;
}

const ofType = (events: readonly PublishedEvent[], type: EventType) => events.filter((e) => e.type === type);
const once = (events: readonly PublishedEvent[]) => distinctIds(events).map((id) => events.find((e) => e.id === id) as PublishedEvent);

async function customerIn(zone: string, fields: Record<string, unknown> = {}) {
  const c = await newCustomer({ timeZone: zone, locale: 'de-DE', ...fields });
  const customer = await getCustomer(c.id);
  if (!customer) throw new Error('customer not stored');
  return customer;
}

describe('events out: the collections area', () => {
  it('a reminder run over an overdue invoice → reminder.sent once; the same run again → nothing new', async () => {
    const customer = await customerIn('Europe/Berlin');
    const inv = await newInvoice(customer.id, { amount: 50_000, issueDate: '2028-02-01', dueDate: '2028-03-01' });
    // Monday 6 March 2028, 11:00 in Berlin: due + 3 (the gentle reminder) has come.
    const now = new Date('2028-03-06T10:00:00Z');
    expect(await runDunning(customer.id, now)).toEqual({ sent: 'gentle', items: 1 });
    const [mail] = (await mailHistory(customer.id)).filter((m) => m.kind.startsWith('reminder:'));

    const events = await published(customer.id);
    const sent = once(ofType(events, 'reminder.sent'));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      customerId: customer.id,
      occurredAt: now.toISOString(),
      data: {
        mailKey: mail?.key,
        step: 'gentle',
        kind: 'reminder',
        tone: 'neutral',
        channel: 'email',
        letter: false,
        locale: 'de-DE',
        adaptive: false,
        cadencePolicy: 'standard',
        planOfferFirst: false,
        invoices: [{ invoiceId: inv.id, number: inv.number, step: 'gentle', currency: 'EUR', balanceDue: 50_000, dueDate: '2028-03-01' }],
      },
    });
    // No personal data: neither the address nor the mail's words.
    expect(JSON.stringify(sent[0])).not.toContain(customer.email);
    expect(JSON.stringify(sent[0])).not.toContain(mail?.subject ?? '§');

    // The job redelivered, and a later run the same day: the reminder is the same decision, committed once.
    const before = await committed(customer.id);
    expect(await runDunning(customer.id, now)).toEqual({ items: 0 });
    expect(await runDunning(customer.id, new Date('2028-03-06T14:00:00Z'))).toEqual({ items: 0 });
    expect(await committed(customer.id)).toEqual(before);
    expect(distinctIds(ofType(await published(customer.id), 'reminder.sent'))).toEqual([sent[0]?.id]);
  });

  it('an interest run → interest.charged per charge (interest for the month, the late fee); re-run → nothing new', async () => {
    const customer = await customerIn('Europe/Berlin', {
      terms: { lateInterest: { mode: 'simple', annualRateBasisPoints: 1200, startDaysPastDue: 0 }, fixedLateFee: { EUR: 4_000 } },
    });
    const inv = await newInvoice(customer.id, { amount: 100_000, issueDate: '2028-01-01', dueDate: '2028-01-31' });
    // 2 March 2028: February (29 days from 1 February) is over and booked; the fee is due since 1 February.
    const now = new Date('2028-03-02T00:15:00Z');
    const february = interestForPeriod(100_000, 1200, 29);
    expect(await runInterest(inv.id, now)).toEqual({ booked: february + 4_000 });

    const charged = once(ofType(await published(customer.id), 'interest.charged'));
    expect(charged).toHaveLength(2);
    const interest = charged.find((e) => e.data.kind === 'interest');
    const fee = charged.find((e) => e.data.kind === 'late_fee');
    expect(interest?.data).toEqual({
      invoiceId: inv.id,
      kind: 'interest',
      amount: february,
      currency: 'EUR',
      balanceDue: 100_000 + february,
      ledgerEntryId: `interest#${inv.id}#2028-02`,
      period: { month: '2028-02', days: 29 },
      rate: { mode: 'simple', annualRateBasisPoints: 1200, dayCount: 'ACT/365' },
    });
    expect(fee?.data).toMatchObject({ invoiceId: inv.id, kind: 'late_fee', amount: 4_000, currency: 'EUR', balanceDue: 100_000 + february + 4_000 });
    expect(fee?.data).not.toHaveProperty('period');
    // The ledger has the same postings, by the ids the events name.
    const ledger = (await api('GET', `/customers/${customer.id}/ledger`)).body.entries as { id: string; amount: number }[];
    for (const e of charged) expect(ledger.find((l) => l.id === e.data.ledgerEntryId)?.amount).toBe(e.data.amount);

    // The same run again (a redelivered job, a re-fired schedule): nothing booked, nothing new.
    const before = await committed(customer.id);
    expect(await runInterest(inv.id, now)).toEqual({ booked: 0 });
    expect(await runInterest(inv.id, new Date('2028-03-02T12:00:00Z'))).toEqual({ booked: 0 });
    expect(await committed(customer.id)).toEqual(before);
    expect(distinctIds(ofType(await published(customer.id), 'interest.charged')).sort()).toEqual(distinctIds(charged).sort());
  });

  it('escalation → collections.escalated once, listing the invoices; re-run → nothing new; the history shows it', async () => {
    const customer = await customerIn('Europe/Berlin');
    const a = await newInvoice(customer.id, { amount: 70_000, issueDate: '2027-12-01', dueDate: '2028-01-03' });
    const b = await newInvoice(customer.id, { amount: 30_000, issueDate: '2027-12-01', dueDate: '2028-01-03' });
    // Wednesday 2 February 2028 (due + 30): the final notice for both; due + 45 is 17 February.
    expect(await runDunning(customer.id, new Date('2028-02-02T10:00:00Z'))).toEqual({ sent: 'final-notice', items: 2 });
    const now = new Date('2028-02-17T01:30:00Z');
    expect(await runEscalation(customer.id, [a.id, b.id], now)).toEqual({ escalated: 2 });

    const escalated = once(ofType(await published(customer.id), 'collections.escalated'));
    expect(escalated).toHaveLength(1);
    expect(escalated[0]?.data).toEqual({
      customerId: customer.id,
      escalatedOn: '2028-02-17',
      invoices: expect.arrayContaining([
        { invoiceId: a.id, number: a.number, currency: 'EUR', balanceDue: 70_000, dueDate: '2028-01-03' },
        { invoiceId: b.id, number: b.number, currency: 'EUR', balanceDue: 30_000, dueDate: '2028-01-03' },
      ]),
      totals: [{ currency: 'EUR', amount: 100_000 }],
    });
    expect(escalated[0]?.data.invoices).toHaveLength(2);

    const before = await committed(customer.id);
    expect(await runEscalation(customer.id, [a.id, b.id], now)).toEqual({ escalated: 0 });
    expect(await committed(customer.id)).toEqual(before);

    // The communication history still lists the escalation (and only it among the events).
    const history = (await api('GET', `/customers/${customer.id}/communications`)).body as { events: { id: string; detailType: string; detail: unknown }[] };
    expect(history.events.map((e) => [e.id, e.detailType])).toEqual([[escalated[0]?.id, 'collections.escalated']]);
    expect(history.events[0]?.detail).toEqual(escalated[0]?.data);
  });

  it('a promise to pay found broken by the reminder run → promise.broken once, with the reminder that resumes the ladder', async () => {
    const customer = await customerIn('Europe/Berlin');
    const inv = await newInvoice(customer.id, { amount: 30_000, issueDate: '2028-02-01', dueDate: '2028-03-01' });
    const madeAt = new Date('2028-03-02T09:00:00Z');
    const { promise } = await makePromise(customer, inv.id, { date: '2028-03-08', amount: 10_000 }, madeAt, 'staff');
    // The grace (3 days) ends at the start of 12 March in Berlin; Monday 13 March, 11:00: broken, the ladder resumes.
    const now = new Date('2028-03-13T10:00:00Z');
    expect((await runDunning(customer.id, now)).sent).toBe('gentle');

    const events = await published(customer.id);
    const broken = once(ofType(events, 'promise.broken'));
    expect(broken).toHaveLength(1);
    expect(broken[0]).toMatchObject({ customerId: customer.id, occurredAt: now.toISOString() });
    expect(broken[0]?.data).toEqual({
      promiseId: promise.id,
      invoiceId: inv.id,
      date: '2028-03-08',
      amount: 10_000,
      currency: 'EUR',
      madeBy: 'staff',
      madeAt: madeAt.toISOString(),
      until: promise.until,
      brokenAt: now.toISOString(),
      balanceDue: 30_000,
    });
    expect(once(ofType(events, 'reminder.sent'))).toHaveLength(1);

    const before = await committed(customer.id);
    expect(await runDunning(customer.id, now)).toEqual({ items: 0 });
    expect(await committed(customer.id)).toEqual(before);
  });

  it('a promise kept by a credit note (an upheld dispute), found by the reminder run → promise.kept once, without a payment', async () => {
    const customer = await customerIn('Europe/Berlin');
    const inv = await newInvoice(customer.id, { amount: 30_000, issueDate: '2028-02-01', dueDate: '2028-03-01' });
    const madeAt = new Date('2028-03-02T09:00:00Z');
    const { promise } = await makePromise(customer, inv.id, { date: '2028-03-08', amount: 10_000 }, madeAt, 'staff');
    // The customer disputes 100.00 of it; staff uphold the dispute: a credit note of 100.00 — as much as was promised.
    const { dispute } = await openDispute(inv.id, { reason: 'one line was charged twice', amount: 10_000 }, undefined, new Date('2028-03-03T09:00:00Z'));
    await resolveDispute(dispute.id, { outcome: 'upheld', explanation: 'credited' }, inv.id, new Date('2028-03-04T09:00:00Z'));
    const now = new Date('2028-03-06T10:00:00Z');
    await runDunning(customer.id, now);

    const events = await published(customer.id);
    expect(ofType(events, 'promise.broken')).toEqual([]);
    const kept = once(ofType(events, 'promise.kept'));
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ customerId: customer.id, occurredAt: now.toISOString() });
    const { invoiceId, date, amount, madeAt: made, until } = promise;
    expect(kept[0]?.data).toEqual({ promiseId: promise.id, invoiceId, date, amount, currency: 'EUR', madeBy: 'staff', madeAt: made, until, keptAt: now.toISOString() });

    const before = await committed(customer.id);
    await runDunning(customer.id, now);
    expect(await committed(customer.id)).toEqual(before);
  });

  it('an SES permanent bounce → customer.mail_suppressed once; a second bounce and a complaint → nothing new', async () => {
    const customer = await newCustomer();
    const send = async (kind: 'bounce' | 'complaint', timestamp: string) => {
      const n = renderFile(`events/ses/${kind}.json`, vars({ email: customer.email, customerId: customer.id, unique: unique('ses') })) as {
        bounce?: { timestamp: string };
        complaint?: { timestamp: string };
      };
      if (n.bounce) n.bounce.timestamp = timestamp;
      if (n.complaint) n.complaint.timestamp = timestamp;
      const res = await fetch(`${stack.apiUrl}/local/sns/ses-events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(n) });
      expect(res.status).toBe(200);
    };
    const at = new Date(Date.now() - 60_000).toISOString();
    await send('bounce', at);
    const suppressed = once(ofType(await published(customer.id), 'customer.mail_suppressed'));
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0]?.data).toEqual({ reason: 'bounce', at, detectedBy: 'ses_notification' });
    expect(JSON.stringify(suppressed[0])).not.toContain(customer.email);

    const before = await committed(customer.id);
    await send('bounce', new Date().toISOString());
    await send('complaint', new Date().toISOString());
    expect(await committed(customer.id)).toEqual(before);
  });

  it('a mail stopped at an address bounced without the customer tag flags the customer → customer.mail_suppressed once', async () => {
    const customer = await customerIn('Europe/Berlin');
    const n = renderFile('events/ses/bounce.json', vars({ email: customer.email, customerId: '', unique: unique('ses') })) as { mail: { tags: Record<string, unknown> } };
    delete n.mail.tags.customer_id;
    const res = await fetch(`${stack.apiUrl}/local/sns/ses-events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(n) });
    expect(res.status).toBe(200);
    expect((await getCustomer(customer.id))?.mailSuppressed).toBeUndefined();

    // The reminder is decided (reminder.sent) and its mail stopped: the customer is flagged then.
    await newInvoice(customer.id, { amount: 20_000, issueDate: '2028-02-01', dueDate: '2028-03-01' });
    expect((await runDunning(customer.id, new Date('2028-03-06T10:00:00Z'))).sent).toBe('gentle');
    const events = await published(customer.id);
    expect(once(ofType(events, 'reminder.sent'))).toHaveLength(1);
    const suppressed = once(ofType(events, 'customer.mail_suppressed'));
    expect(suppressed.map((e) => e.data)).toEqual([{ reason: 'bounce', at: expect.any(String), detectedBy: 'send_attempt' }]);
    expect((await mailHistory(customer.id)).filter((m) => m.kind.startsWith('reminder:')).map((m) => m.status)).toEqual(['suppressed']);

    // Flagged: the next run decides no mail at all, and nothing more is reported.
    const before = await committed(customer.id);
    expect(await runDunning(customer.id, new Date('2028-03-20T10:00:00Z'))).toEqual({ items: 0 });
    expect(await committed(customer.id)).toEqual(before);
  });
});

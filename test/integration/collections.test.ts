/**
 * The collections engine through a running local stack of its own (these tests move the clock with time travel, so
 * they must not share a stack with tests that count mails): the ladder on the right local days within business
 * hours, the discount, interest once per period, pauses and resumption, re-firing adds nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { StackDriver } from '../../local/time-travel.ts';
import { unique, useOwnStack } from '../support/own-stack.ts';
import { localParts } from '../../shared/domain/dunning.ts';
import type { LedgerEntry } from '../../shared/domain/ledger.ts';
import { ladderMismatches, runSimulation } from '../../local/simulate.ts';
import { eventCatalog } from '../../shared/domain/events/catalog.ts';
import { distinctIds, waitForEvents } from '../support/events.ts';

const own = useOwnStack('collections');
let stack: StackDriver;
beforeAll(() => {
  stack = own.stack;
});

interface Communication {
  key: string;
  kind: string;
  subject: string;
  status: string;
  createdAt: string;
  sentAt?: string;
  messageId?: string;
  invoiceIds?: string[];
}

async function customer(fields: Record<string, unknown>) {
  const res = await stack.api('POST', '/customers', { name: 'Grace Hopper', email: `${unique('grace')}@example.com`, ...fields });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; email: string };
}

async function invoice(customerId: string, fields: Record<string, unknown>) {
  const res = await stack.api('POST', '/invoices', { customerId, currency: 'EUR', ...fields });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; number: string; dueDate: string; balanceDue: number; total: number; earlyPaymentDiscount?: { amount: number } };
}

async function communications(customerId: string) {
  const res = await stack.api('GET', `/customers/${customerId}/communications`);
  expect(res.status, res.text).toBe(200);
  return res.body as { mails: Communication[]; events: { detailType: string; detail: Record<string, unknown>; status: string }[] };
}

async function ledger(customerId: string, invoiceId: string) {
  const res = await stack.api('GET', `/customers/${customerId}`);
  expect(res.status).toBe(200);
  const inv = await stack.api('GET', `/invoices/${invoiceId}`);
  return { customer: res.body, invoice: inv.body };
}

/** The customer's whole ledger, page by page, through GET /customers/{id}/ledger. */
async function ledgerEntries(customerId: string): Promise<LedgerEntry[]> {
  const entries: LedgerEntry[] = [];
  let cursor: string | undefined;
  do {
    const res = await stack.api('GET', `/customers/${customerId}/ledger?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status, res.text).toBe(200);
    entries.push(...(res.body.entries as LedgerEntry[]));
    cursor = res.body.nextCursor ?? undefined;
  } while (cursor);
  return entries;
}

/**
 * Fires `name` at every step from `from` to `to` (inclusive), waiting for the work to drain each time (a replay: runs
 * with nothing due are skipped — local/time-travel.ts).
 */
async function fireEvery(name: string, from: string, to: string, stepHours: number) {
  const replay = stack.replay();
  for (let t = Date.parse(from); t <= Date.parse(to); t += stepHours * 3_600_000) await replay.fire(name, new Date(t));
}

describe('the dunning ladder', () => {
  it('sends exactly the ladder, on the right local days, within business hours; re-firing adds nothing; legal handover emits the event', async () => {
    const c = await customer({ timeZone: 'America/New_York', locale: 'en-US', terms: { netDays: 30 } });
    const inv = await invoice(c.id, { amount: 125_000, issueDate: '2027-03-01' });
    expect(inv.dueDate).toBe('2027-03-31');

    // Every 3 hours from 20 March to 17 May (reminders), escalation daily at 02:30 UTC as scheduled.
    const replay = stack.replay();
    for (let day = Date.parse('2027-03-20T00:00:00Z'); day <= Date.parse('2027-05-17T00:00:00Z'); day += 86_400_000) {
      for (let h = 0; h < 24; h += 3) await replay.fire('reminders', new Date(day + h * 3_600_000));
      await replay.fire('escalation', new Date(day + 2.5 * 3_600_000));
    }

    const { mails, events } = await communications(c.id);
    const reminders = mails.filter((m) => m.kind.startsWith('reminder:'));
    const local = reminders.map((m) => ({ step: m.kind.slice('reminder:'.length), ...localParts(new Date(m.sentAt ?? ''), 'America/New_York') }));
    expect(local.map((l) => [l.step, l.date])).toEqual([
      ['heads-up', '2027-03-24'],
      ['due-day', '2027-03-31'],
      // due + 3 is Saturday 3 April: the gentle reminder waits for Monday's business hours.
      ['gentle', '2027-04-05'],
      ['firm', '2027-04-14'],
      ['final-notice', '2027-04-30'],
      // Escalated on due + 45 (Saturday 15 May); the customer is told on Monday, in business hours.
      ['legal-handover', '2027-05-17'],
    ]);
    for (const l of local) {
      expect(l.hour).toBeGreaterThanOrEqual(9);
      expect(l.hour).toBeLessThan(17);
    }
    for (const m of reminders) {
      expect(m.status).toBe('sent');
      expect(m.messageId).toBeTruthy();
      expect(m.invoiceIds).toEqual([inv.id]);
    }
    // The final notice states the date after which legal steps follow (due + 45 = 15 May).
    const inbox = await stack.mails(c.email);
    const finalNotice = inbox.find((m) => m.subject.startsWith('Final notice'));
    expect(finalNotice?.body.text).toContain('May 15, 2027');
    expect(finalNotice?.body.text).toContain(inv.number);

    // Legal handover on due + 45 (local), once, with the downstream event naming customer, invoices and amounts: the
    // envelope the outbox relay published on the stack's bus, and the same event in the communication history.
    const published = await waitForEvents({ customerId: c.id, type: 'collections.escalated' }, undefined, 15_000, stack.info.apiUrl);
    expect(distinctIds(published)).toHaveLength(1);
    const escalated = published[0];
    expect(escalated).toMatchObject({ type: 'collections.escalated', version: 1, customerId: c.id });
    expect(escalated?.data).toMatchObject({
      customerId: c.id,
      escalatedOn: '2027-05-15',
      invoices: [{ invoiceId: inv.id, balanceDue: 125_000, currency: 'EUR' }],
      totals: [{ currency: 'EUR', amount: 125_000 }],
    });
    expect(eventCatalog['collections.escalated']?.data.parse(escalated?.data)).toEqual(escalated?.data);
    expect(events.map((e) => [e.detailType, e.detail])).toEqual([['collections.escalated', escalated?.data]]);
    const after = await stack.api('GET', `/invoices/${inv.id}`);
    expect(after.body.escalatedAt).toBeTruthy();

    // Re-firing any schedule for times already run adds nothing.
    const before = (await stack.mails(c.email)).length;
    for (const t of ['2027-03-24T15:00:00Z', '2027-04-30T15:00:00Z', '2027-05-16T02:30:00Z']) {
      await stack.fire('reminders', t);
      await stack.fire('escalation', t);
      await stack.fire('interest', t);
    }
    expect((await stack.mails(c.email)).length).toBe(before);
    expect((await communications(c.id)).events).toHaveLength(1);
    expect(distinctIds(await waitForEvents({ customerId: c.id, type: 'collections.escalated' }, undefined, 15_000, stack.info.apiUrl))).toHaveLength(1);
  }, 240_000);

  it('after a five-day outage sends the step now due, not the skipped ones; one mail covers all due invoices', async () => {
    const c = await customer({ timeZone: 'Europe/Berlin', locale: 'de-DE' });
    const a = await invoice(c.id, { amount: 10_000, issueDate: '2027-06-01', dueDate: '2027-06-14' });
    const b = await invoice(c.id, { amount: 20_000, issueDate: '2027-06-01', dueDate: '2027-06-15' });
    // Nothing ran between 1 June and 18 June (Friday) 10:00 Berlin: heads-up and due-day are superseded.
    await stack.fire('reminders', '2027-06-01T08:00:00Z');
    expect((await communications(c.id)).mails).toHaveLength(0);
    await stack.fire('reminders', '2027-06-18T08:00:00Z');
    const { mails } = await communications(c.id);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.kind).toBe('reminder:gentle');
    expect(mails[0]?.invoiceIds?.sort()).toEqual([a.id, b.id].sort());
    const [mail] = await stack.mails(c.email);
    expect(mail?.subject).toBe('Zahlungserinnerung: 2 offene Rechnungen');
    expect(mail?.body.text).toMatch(/100,00\s€/);
    expect(mail?.body.text).toMatch(/200,00\s€/);
    await stack.fire('reminders', '2027-06-18T08:00:00Z');
    expect(await stack.mails(c.email)).toHaveLength(1);
  }, 60_000);
});

describe('a customer with many due invoices', () => {
  it('gets at most 40 invoices in one mail; the rest stay due and go out in the next run', async () => {
    const c = await customer({ timeZone: 'Europe/Berlin' });
    const ids: string[] = [];
    for (let i = 0; i < 41; i += 8) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(8, 41 - i) }, () => invoice(c.id, { amount: 1_000, issueDate: '2027-06-01', dueDate: '2027-06-14' })),
      );
      ids.push(...batch.map((b) => b.id));
    }
    await stack.fire('reminders', '2027-06-18T08:00:00Z');
    let mails = (await communications(c.id)).mails;
    expect(mails.map((m) => m.invoiceIds?.length)).toEqual([40]);
    await stack.fire('reminders', '2027-06-18T09:00:00Z');
    mails = (await communications(c.id)).mails;
    expect(mails.map((m) => m.invoiceIds?.length)).toEqual([40, 1]);
    expect(new Set(mails.flatMap((m) => m.invoiceIds ?? []))).toEqual(new Set(ids));
  }, 60_000);
});

describe('early-payment discount', () => {
  it('paying the discounted amount inside the window closes the invoice with the discount booked', async () => {
    const c = await customer({ timeZone: 'Europe/Berlin', locale: 'de-DE', terms: { netDays: 30, earlyPaymentDiscount: { basisPoints: 200, days: 10 } } });
    const inv = await invoice(c.id, { amount: 100_000, issueDate: '2027-03-01' });
    expect(inv.earlyPaymentDiscount?.amount).toBe(2_000);
    const pay = await stack.api('POST', '/payments', {
      customerId: c.id,
      method: 'bank_transfer',
      reference: unique('transfer'),
      amount: 98_000,
      currency: 'EUR',
      receivedDate: '2027-03-11',
    });
    expect(pay.status, pay.text).toBe(201);
    const { invoice: after, customer: cust } = await ledger(c.id, inv.id);
    expect(after.status).toBe('paid');
    expect(after.balanceDue).toBe(0);
    expect(cust.balances.receivable.EUR).toBe(0);
    // The ledger books the payment and the discount against the invoice's receivable: 100,000 − 98,000 − 2,000 = 0.
    const entries = await ledgerEntries(c.id);
    const ofInvoice = entries.filter((e) => e.invoiceId === inv.id && e.account === 'receivable');
    expect(ofInvoice.filter((e) => e.type === 'payment_applied').map((e) => [e.amount, e.currency, e.paymentId])).toEqual([[-98_000, 'EUR', pay.body.id]]);
    expect(ofInvoice.filter((e) => e.type === 'early_payment_discount').map((e) => [e.amount, e.currency, e.paymentId])).toEqual([[-2_000, 'EUR', pay.body.id]]);
    expect(ofInvoice.reduce((sum, e) => sum + e.amount, 0)).toBe(0);

    // One day late: no discount; the invoice stays open for the difference.
    const late = await invoice(c.id, { amount: 100_000, issueDate: '2027-03-01' });
    await stack.api('POST', '/payments', {
      customerId: c.id,
      method: 'bank_transfer',
      reference: unique('transfer'),
      amount: 98_000,
      currency: 'EUR',
      receivedDate: '2027-03-12',
      allocations: [{ invoiceId: late.id, amount: 98_000 }],
    });
    const lateAfter = await stack.api('GET', `/invoices/${late.id}`);
    expect(lateAfter.body.balanceDue).toBe(2_000);
    expect((await ledgerEntries(c.id)).filter((e) => e.invoiceId === late.id && e.type === 'early_payment_discount')).toEqual([]);
  });
});

describe('late interest', () => {
  it('accrues from day 60 past due exactly per the terms, booked once per period', async () => {
    const c = await customer({
      timeZone: 'Europe/Berlin',
      terms: { lateInterest: { mode: 'simple', monthlyRateBasisPoints: 150, startDaysPastDue: 60 } },
      dunning: { excluded: true },
    });
    // 10,000.00 EUR due 31 January; interest from 2 April (the 61st day past due) at 18 % a year.
    const inv = await invoice(c.id, { amount: 1_000_000, issueDate: '2027-01-01', dueDate: '2027-01-31' });
    await fireEvery('interest', '2027-03-25T01:15:00Z', '2027-05-03T01:15:00Z', 24);
    const { invoice: after, customer: cust } = await ledger(c.id, inv.id);
    // April: 29 days (2–30 April) × 1,000,000 × 1800 bp / 10,000 / 365 = 14,301.37 → 14,301 (one rounding).
    expect(after.charges).toBe(14_301);
    expect(after.balanceDue).toBe(1_014_301);
    expect(cust.balances.receivable.EUR).toBe(1_014_301);
    // Re-firing the same days books nothing more.
    await fireEvery('interest', '2027-04-30T01:15:00Z', '2027-05-03T01:15:00Z', 24);
    expect((await stack.api('GET', `/invoices/${inv.id}`)).body.charges).toBe(14_301);
    // May's interest — on the principal only, never on interest — is booked in June.
    await fireEvery('interest', '2027-05-04T01:15:00Z', '2027-06-01T01:15:00Z', 24);
    const june = await stack.api('GET', `/invoices/${inv.id}`);
    // 31 days × 1,000,000 × 1800 / 3,650,000 = 15,287.67 → 15,288
    expect(june.body.charges).toBe(14_301 + 15_288);
  }, 120_000);
});

describe('disputes, extensions and holds pause collection', () => {
  const interestTerms = { lateInterest: { mode: 'simple', annualRateBasisPoints: 1200, startDaysPastDue: 0 } };

  it('a disputed, extended or held invoice gets no reminder and no interest; resolving resumes correctly', async () => {
    const disputed = await customer({ timeZone: 'Europe/London', terms: interestTerms });
    const extended = await customer({ timeZone: 'Europe/London', terms: interestTerms });
    const held = await customer({ timeZone: 'Europe/London', terms: interestTerms });
    const d = await invoice(disputed.id, { amount: 50_000, issueDate: '2027-08-01', dueDate: '2027-08-31' });
    const e = await invoice(extended.id, { amount: 50_000, issueDate: '2027-08-01', dueDate: '2027-08-31' });
    const h = await invoice(held.id, { amount: 50_000, issueDate: '2027-08-01', dueDate: '2027-08-31' });

    const dispute = await stack.api('POST', `/invoices/${d.id}/disputes`, { reason: 'Two items were not delivered', amount: 20_000 });
    expect(dispute.status, dispute.text).toBe(201);
    const ext = await stack.api('POST', `/invoices/${e.id}/extensions`, { newDueDate: '2027-11-30', reason: 'Hardship: flood damage' });
    expect(ext.status, ext.text).toBe(201);
    const hold = await stack.api('POST', `/customers/${held.id}/holds`, { reason: 'Negotiating a settlement', expiresAt: '2027-12-01T00:00:00Z' });
    expect(hold.status, hold.text).toBe(201);
    // Bad input changes nothing.
    expect((await stack.api('POST', `/invoices/${d.id}/disputes`, { reason: 'again' })).status).toBe(409);
    expect((await stack.api('POST', `/invoices/${e.id}/extensions`, { newDueDate: '2027-08-01', reason: 'x' })).status).toBe(400);

    // 20 August to 30 September: reminders at 11:00 London on weekdays, interest daily.
    const replay = stack.replay();
    for (let day = Date.parse('2027-08-20T00:00:00Z'); day <= Date.parse('2027-10-02T00:00:00Z'); day += 86_400_000) {
      await replay.fire('interest', new Date(day + 1.25 * 3_600_000));
      await replay.fire('reminders', new Date(day + 10 * 3_600_000));
    }
    for (const [c, expected] of [
      [disputed, ['dispute_received']],
      [extended, ['extension_confirmed']],
      [held, []],
    ] as const) {
      expect((await communications(c.id)).mails.map((m) => m.kind)).toEqual(expected);
    }
    for (const inv of [d, e, h]) {
      const now = await stack.api('GET', `/invoices/${inv.id}`);
      expect(now.body.charges ?? 0).toBe(0);
      expect(now.body.balanceDue).toBe(50_000);
    }

    // Rejected: collection resumes where it was — the step now due (due + 30 → final notice), the customer told why.
    const rejected = await stack.api('POST', `/disputes/${dispute.body.id}/resolve`, { outcome: 'rejected', explanation: 'Delivery notes signed on 2 August.' });
    expect(rejected.status, rejected.text).toBe(200);
    await stack.fire('reminders', '2027-10-04T10:00:00Z');
    const kinds = (await communications(disputed.id)).mails.map((m) => m.kind);
    expect(kinds).toEqual(['dispute_received', 'dispute_rejected', 'reminder:final-notice']);
    const told = (await stack.mails(disputed.email)).find((m) => m.subject.startsWith('The outcome'));
    expect(told?.body.text).toContain('Delivery notes signed on 2 August.');
    // Resolving again the same way is a replay; the other way is refused.
    expect((await stack.api('POST', `/disputes/${dispute.body.id}/resolve`, { outcome: 'rejected', explanation: 'x' })).status).toBe(200);
    expect((await stack.api('POST', `/disputes/${dispute.body.id}/resolve`, { outcome: 'upheld', explanation: 'x' })).status).toBe(409);

    // Released hold: reminders resume.
    await stack.api('POST', `/customers/${held.id}/holds/${hold.body.id}/release`);
    await stack.fire('reminders', '2027-10-04T10:00:00Z');
    expect((await communications(held.id)).mails.map((m) => m.kind)).toEqual(['reminder:final-notice']);

    // Extended: the ladder follows the new date (heads-up 7 days before 30 November).
    await stack.fire('reminders', '2027-11-23T10:00:00Z');
    expect((await communications(extended.id)).mails.map((m) => m.kind)).toEqual(['extension_confirmed', 'reminder:heads-up']);
  }, 180_000);

  it('an upheld dispute books a credit note for the agreed amount', async () => {
    const c = await customer({ timeZone: 'Europe/Berlin', locale: 'de-DE' });
    const inv = await invoice(c.id, { amount: 30_000, issueDate: '2027-08-01', dueDate: '2027-08-31' });
    const dispute = await stack.api('POST', `/invoices/${inv.id}/disputes`, { reason: 'Preis falsch', amount: 5_000 }, { 'idempotency-key': unique('k') });
    expect(dispute.status).toBe(201);
    const upheld = await stack.api('POST', `/disputes/${dispute.body.id}/resolve`, { outcome: 'upheld', explanation: 'Rabatt vergessen.' });
    expect(upheld.status, upheld.text).toBe(200);
    const { invoice: after, customer: cust } = await ledger(c.id, inv.id);
    expect(after.balanceDue).toBe(25_000);
    expect(after.credited).toBe(5_000);
    expect(after.dispute).toBeUndefined();
    expect(cust.balances.receivable.EUR).toBe(25_000);
    const mail = (await stack.mails(c.email)).find((m) => m.subject.startsWith('Gutschrift'));
    expect(mail?.body.text).toMatch(/50,00\s€/);
  });
});

describe('the simulation (npm run simulate)', () => {
  it('replays the sample portfolio and its timeline matches the ladder', async () => {
    const lines: string[] = [];
    const { timeline } = await runSimulation(stack, { start: '2028-03-01', days: 80, stepHours: 3, log: (l) => lines.push(l) });
    expect(lines.at(-1)).toContain('day  80 / 80');
    // The customer who never pays gets exactly the ladder (due 31 March 2028, a Friday).
    expect(ladderMismatches(timeline, 'brian', '2028-03-31')).toEqual([]);
    const of = (persona: string) => timeline.filter((e) => e.persona === persona).map((e) => e.what.replace(/\s+/g, ' '));
    // Anna pays the discounted amount inside the window: the discount is booked, and she gets no reminder.
    expect(of('anna').some((w) => w.startsWith('book early_payment_discount -€23.80'))).toBe(true);
    expect(of('anna').some((w) => w.includes('reminder:'))).toBe(false);
    // Dieter: the dispute is acknowledged, nothing while disputed; the rejection and the resumed ladder follow.
    const dieter = of('dieter');
    const received = dieter.findIndex((w) => w.includes('dispute_received'));
    const rejected = dieter.findIndex((w) => w.includes('dispute_rejected'));
    expect(received, dieter.join('\n')).toBeGreaterThanOrEqual(0);
    expect(rejected, dieter.join('\n')).toBeGreaterThan(received);
    expect(dieter.slice(received, rejected).filter((w) => w.includes('reminder:'))).toEqual([]);
    expect(dieter.slice(rejected).some((w) => w.includes('reminder:')), dieter.join('\n')).toBe(true);
    // Emma: the ladder starts over from the extended due date (a new heads-up), then she pays.
    expect(of('emma').filter((w) => w.includes('reminder:heads-up'))).toHaveLength(2);
    // Chloé: the late fee, once per invoice.
    expect(of('chloe').filter((w) => w.startsWith('book late_fee_charged'))).toHaveLength(2);
  }, 240_000);
});

describe('payment plans', () => {
  const at = (iso: string) => ({ 'x-local-time': iso });
  async function fireDaily(from: string, to: string, hourUtc = 8) {
    const replay = stack.replay();
    for (let d = Date.parse(`${from}T00:00:00Z`); d <= Date.parse(`${to}T00:00:00Z`); d += 86_400_000) {
      await replay.fire('reminders', new Date(d + hourUtc * 3_600_000));
    }
  }
  async function pay(customerId: string, amount: number, date: string, reference: string) {
    const res = await stack.api('POST', '/payments', { customerId, method: 'bank_transfer', reference, amount, currency: 'EUR', receivedDate: date }, at(`${date}T09:00:00Z`));
    expect(res.status, res.text).toBe(201);
    return res.body;
  }

  it('two invoices, three monthly instalments: reminders before each, paid in turn, completed with thanks', async () => {
    const c = await customer({ timeZone: 'Europe/Berlin', locale: 'de-DE' });
    const a = await invoice(c.id, { amount: 30_000, issueDate: '2027-09-01', dueDate: '2027-10-01' });
    const b = await invoice(c.id, { amount: 60_000, issueDate: '2027-09-01', dueDate: '2027-10-15' });
    const created = await stack.api(
      'POST',
      '/payment-plans',
      { customerId: c.id, invoiceIds: [b.id, a.id], instalments: 3, frequency: 'monthly', firstDueDate: '2027-10-15' },
      at('2027-10-05T08:00:00Z'),
    );
    expect(created.status, created.text).toBe(201);
    const plan = created.body;
    expect(plan.status).toBe('active');
    expect(plan.instalments).toEqual([
      { seq: 1, dueDate: '2027-10-15', amount: 30_000 },
      { seq: 2, dueDate: '2027-11-15', amount: 30_000 },
      { seq: 3, dueDate: '2027-12-15', amount: 30_000 },
    ]);
    await fireDaily('2027-10-06', '2027-10-13');
    await pay(c.id, 30_000, '2027-10-14', plan.paymentReference); // quoting the plan's reference
    await fireDaily('2027-10-15', '2027-11-13');
    await pay(c.id, 30_000, '2027-11-14', 'Rate 2'); // no reference: the exact open instalment from the plan's payer
    await fireDaily('2027-11-15', '2027-12-14');
    await pay(c.id, 30_000, '2027-12-14', `${plan.paymentReference} Rate 3`);
    await fireDaily('2027-12-15', '2027-12-16');

    const done = await stack.api('GET', `/payment-plans/${plan.id}`);
    expect(done.body.status).toBe('completed');
    for (const inv of [a, b]) expect((await stack.api('GET', `/invoices/${inv.id}`)).body).toMatchObject({ status: 'paid', balanceDue: 0 });
    const kinds = (await communications(c.id)).mails.map((m) => m.kind);
    // No ladder reminders while in the plan: the plan's own reminders (3 days before each instalment), receipts, thanks.
    expect(kinds.filter((k) => k !== 'receipt')).toEqual(['plan_confirmed', 'instalment_reminder', 'instalment_reminder', 'instalment_reminder', 'plan_completed']);
    expect(kinds.filter((k) => k === 'receipt')).toHaveLength(3);
    const reminders = (await communications(c.id)).mails.filter((m) => m.kind === 'instalment_reminder').map((m) => m.createdAt.slice(0, 10));
    expect(reminders).toEqual(['2027-10-12', '2027-11-12', '2027-12-13']); // 12 Dec is a Sunday
    const thanks = (await stack.mails(c.email)).find((m) => m.subject.startsWith('Geschafft'));
    expect(thanks?.body.text).toContain('/feedback/');
  }, 120_000);

  it('a missed instalment defaults the plan kindly, and the ladder resumes where it left off', async () => {
    const c = await customer({ timeZone: 'Europe/Berlin' });
    const inv = await invoice(c.id, { amount: 80_000, issueDate: '2027-08-01', dueDate: '2027-09-01' });
    await stack.fire('reminders', '2027-09-06T08:00:00Z'); // gentle (+3 fell on a Saturday)
    const created = await stack.api('POST', '/payment-plans', { customerId: c.id, invoiceIds: [inv.id], instalments: 2, frequency: 'monthly', firstDueDate: '2027-09-20' }, at('2027-09-07T08:00:00Z'));
    expect(created.status, created.text).toBe(201);
    await fireDaily('2027-09-08', '2027-09-27');
    expect((await stack.api('GET', `/payment-plans/${created.body.id}`)).body.status).toBe('defaulted');
    const mails = (await communications(c.id)).mails;
    expect(mails.map((m) => m.kind)).toEqual(['reminder:gentle', 'plan_confirmed', 'instalment_reminder', 'plan_defaulted', 'reminder:firm']);
    // Defaulted the day after the 3 grace days (20 + 3 → 24 September); the ladder's next step the same morning.
    expect(mails.find((m) => m.kind === 'plan_defaulted')?.createdAt.slice(0, 10)).toBe('2027-09-24');
    expect((await stack.api('GET', `/invoices/${inv.id}`)).body.planId).toBeUndefined();
  }, 120_000);
});

describe('signed customer links: feedback, preferences, plan requests', () => {
  const linkIn = (text: string | undefined, path: string, extra = '') => {
    const m = new RegExp(`https?://[^\\s]+/${path}/[^\\s]*${extra}[^\\s]*`).exec(text ?? '');
    if (!m) throw new Error(`no ${path} link in the mail`);
    return m[0];
  };
  const get = async (url: string) => fetch(url).then(async (r) => ({ status: r.status, text: await r.text() }));
  const post = async (url: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) body.append(k, x);
    return fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body }).then(async (r) => ({ status: r.status, text: await r.text() }));
  };

  it('a feedback link from the receipt opens the rating form; its POST records the rating (and a comment); a forged link records nothing', async () => {
    const c = await customer({ timeZone: 'Europe/London', locale: 'en-GB' });
    await invoice(c.id, { amount: 12_000, issueDate: '2027-02-01', dueDate: '2027-03-01' });
    const pay = await stack.api('POST', '/payments', { customerId: c.id, method: 'check', reference: unique('chk'), amount: 12_000, currency: 'EUR', receivedDate: '2027-02-20' });
    expect(pay.status, pay.text).toBe(201);
    const receipt = (await stack.mails(c.email)).find((m) => m.subject.startsWith('Payment received'));
    const four = linkIn(receipt?.body.text, 'feedback', 'r=4');
    expect((await get(four.replace(/t=[^&\s]+/, 't=forged'))).status).toBe(403);
    expect((await communications(c.id) as unknown as { feedback: unknown[] }).feedback).toEqual([]);
    const page = await get(four);
    expect(page.status).toBe(200);
    expect(page.text).toContain('value="4" required checked'); // preselected; opening the link records nothing
    expect((await communications(c.id) as unknown as { feedback: unknown[] }).feedback).toEqual([]);
    const saved = await post(four, { rating: '4', comment: 'Clear and friendly <3' });
    expect(saved.status).toBe(200);
    expect(saved.text).toContain('Your rating: 4 out of 5.');
    const { feedback } = (await communications(c.id)) as unknown as { feedback: { rating: number; comment: string; context: { kind: string; channel: string } }[] };
    expect(feedback).toHaveLength(1);
    expect(feedback[0]).toMatchObject({ rating: 4, comment: 'Clear and friendly <3', context: { kind: 'payment', channel: 'email' } });
  });

  it('a language and tone change through the preferences link changes the next mail', async () => {
    const c = await customer({ timeZone: 'Europe/Berlin', locale: 'en-GB' });
    await invoice(c.id, { amount: 40_000, issueDate: '2027-05-01', dueDate: '2027-06-01' });
    await stack.fire('reminders', '2027-06-01T08:00:00Z'); // due day, English, friendly
    const first = (await stack.mails(c.email))[0];
    expect(first?.subject).toBe('Your invoice is due today');
    const prefs = linkIn(first?.body.text, 'preferences');
    expect((await get(prefs)).text).toContain('Your communication preferences');
    const saved = await post(prefs, { locale: 'de-DE', tone: 'formal', cadence: 'default', preferredPaymentMethod: '', quietStart: '', quietEnd: '' });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.text).toContain('Gespeichert.');
    await stack.fire('reminders', '2027-06-04T08:00:00Z'); // +3: gentle — now in German and formal
    const next = (await stack.mails(c.email))[1];
    expect(next?.subject).toBe('Zahlungserinnerung: offene Rechnung');
    expect(next?.body.text).toContain('trotz unserer bisherigen Erinnerungen');
  });

  it('a customer asks for a payment plan through the link in a reminder; inside the policy it starts at once', async () => {
    const c = await customer({ timeZone: 'Europe/Berlin', locale: 'de-DE' });
    const inv = await invoice(c.id, { amount: 60_000, issueDate: '2027-07-01', dueDate: '2027-08-01' });
    await stack.fire('reminders', '2027-08-04T08:00:00Z'); // gentle (+3)
    const link = linkIn((await stack.mails(c.email))[0]?.body.text, 'plan-request');
    expect((await get(link)).text).toContain('In Raten zahlen');
    const res = await post(link, { invoiceId: inv.id, instalments: '3', frequency: 'monthly' }, { 'x-local-time': '2027-08-05T09:00:00Z' });
    expect(res.status, res.text).toBe(200);
    expect(res.text).toContain('Ihr Ratenplan ist vereinbart');
    const planId = (await stack.api('GET', `/invoices/${inv.id}`)).body.planId;
    expect(planId).toMatch(/^plan_/);
    // A double submit is the same request: the same plan, one confirmation.
    const again = await post(link, { invoiceId: inv.id, instalments: '3', frequency: 'monthly' }, { 'x-local-time': '2027-08-05T09:05:00Z' });
    expect(again.status, again.text).toBe(200);
    expect((await stack.api('GET', `/invoices/${inv.id}`)).body.planId).toBe(planId);
    expect((await communications(c.id)).mails.filter((m) => m.kind === 'plan_confirmed')).toHaveLength(1);
  });
});

describe('letters', () => {
  it('formal notices also go by post for customers who asked for letters: the day’s print run', async () => {
    const post = await customer({ name: 'Hans Meier', timeZone: 'Europe/Berlin', locale: 'de-DE', postalAddress: ['Hans Meier', 'Hauptstraße 1', '10115 Berlin'], dunning: { letters: true } });
    const mailOnly = await customer({ name: 'Eva Mail', timeZone: 'Europe/Berlin', postalAddress: ['Eva Mail', 'Nebenweg 2', '10115 Berlin'] });
    for (const c of [post, mailOnly]) await invoice(c.id, { amount: 70_000, issueDate: '2027-08-01', dueDate: '2027-09-01' });
    await stack.fire('reminders', '2027-10-01T08:00:00Z'); // due + 30: the final notice (the earlier steps superseded)
    const run = await stack.api('GET', '/letters?date=2027-10-01&format=json');
    expect(run.status, run.text).toBe(200);
    const mine = (run.body.letters as { customerId: string; address: string[]; subject: string }[]).filter((l) => [post.id, mailOnly.id].includes(l.customerId));
    expect(mine).toEqual([expect.objectContaining({ customerId: post.id, address: ['Hans Meier', 'Hauptstraße 1', '10115 Berlin'], subject: 'Letzte Mahnung vor rechtlichen Schritten' })]);
    const printable = await fetch(`${own.info.apiUrl}/letters?date=2027-10-01`, { headers: { authorization: `Bearer ${own.info.adminKey}` } });
    const html = await printable.text();
    expect(html).toContain('Hauptstraße 1');
    expect(html).toContain('page-break-after');
    expect((await stack.api('GET', '/letters?date=2027-13-01')).status).toBe(400);
  });
});

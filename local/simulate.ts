/**
 * The product's demo: a sample portfolio replayed day by day through a running local stack. Every hour fires the
 * reminders schedule, every day the interest (01:15 UTC) and escalation (02:30 UTC) schedules, exactly as EventBridge
 * Scheduler would; customers pay, dispute, ask for more time on the days the script says (requests carry the
 * simulated time in `X-Local-Time`). At the end: a timeline per customer of what they received and what was booked.
 */
import Stripe from 'stripe';
import { addDays, localDate } from '../shared/domain/dates.ts';
import { formatMoney } from '../shared/domain/money.ts';
import { PortalClient } from './portal-client.ts';
import { completedEvent, type StandInSession } from './stripe-stand-in.ts';
import type { StackDriver } from './time-travel.ts';

export interface SimulationOptions {
  /** First simulated day (UTC calendar date). */
  start: string;
  days: number;
  /** Hours between reminder sweeps (1 = hourly, as deployed). */
  stepHours: number;
  log: (line: string) => void;
  /** The Stripe stand-in the stack creates Checkout Sessions with (its STRIPE_API_BASE); without one, the portal
   *  customer pays by bank transfer instead of by card. */
  stripeStandInUrl?: string;
}

interface Persona {
  key: string;
  name: string;
  locale: string;
  timeZone: string;
  currency: string;
  terms?: Record<string, unknown>;
  dunning?: Record<string, unknown>;
  invoices: { amount: number; issueDay: number; netDays?: number }[];
  story: string;
}

/** Day offsets are from the simulation's start. */
const PORTFOLIO: Persona[] = [
  {
    key: 'anna',
    name: 'Anna Schmidt',
    locale: 'de-DE',
    timeZone: 'Europe/Berlin',
    currency: 'EUR',
    terms: { netDays: 30, earlyPaymentDiscount: { basisPoints: 200, days: 10 } },
    invoices: [{ amount: 119_000, issueDay: 0 }],
    story: 'pays the discounted amount on day 8 (2 % within 10 days)',
  },
  {
    key: 'brian',
    name: "Brian O'Neil",
    locale: 'en-US',
    timeZone: 'America/New_York',
    currency: 'USD',
    terms: { netDays: 30, lateInterest: { mode: 'simple', monthlyRateBasisPoints: 150, startDaysPastDue: 60 } },
    invoices: [{ amount: 240_000, issueDay: 0 }],
    story: 'never pays: the whole ladder, legal handover at due + 45, interest from day 61 past due (1.5 %/month)',
  },
  {
    key: 'chloe',
    name: 'Chloé Martin',
    locale: 'en-GB',
    timeZone: 'Europe/London',
    currency: 'GBP',
    terms: { netDays: 14, fixedLateFee: { GBP: 2_500 }, graceDays: 7, minimumAmounts: { GBP: 5_000 } },
    invoices: [
      { amount: 80_000, issueDay: 0 },
      { amount: 45_000, issueDay: 5 },
    ],
    story: 'two invoices, reminded together; a £25 late fee after 7 grace days; pays the older one (not its fee) on day 40 — the £25 left is below the £50 minimum: no more reminders for it',
  },
  {
    key: 'dieter',
    name: 'Dieter Braun',
    locale: 'de-DE',
    timeZone: 'Europe/Berlin',
    currency: 'EUR',
    terms: { netDays: 30 },
    dunning: { tone: 'friendly' },
    invoices: [{ amount: 56_000, issueDay: 2 }],
    story: 'disputes on day 34; the dispute is rejected on day 50 and the ladder resumes; pays on day 60',
  },
  {
    key: 'emma',
    name: 'Emma Wilson',
    locale: 'en-AU',
    timeZone: 'Australia/Sydney',
    currency: 'AUD',
    terms: { netDays: 30 },
    invoices: [{ amount: 99_000, issueDay: 1 }],
    story: 'asks for a hardship extension on day 33 (new due date day 61), pays on day 60',
  },
  {
    key: 'farid',
    name: 'Farid Haddad',
    locale: 'en-GB',
    timeZone: 'Asia/Dubai',
    currency: 'EUR',
    terms: { netDays: 30 },
    dunning: { cadence: 'minimal' },
    invoices: [{ amount: 310_000, issueDay: 0 }],
    story: 'minimal cadence; on hold from day 20 to day 45 (negotiation); reminders resume after',
  },
  {
    key: 'greta',
    name: 'Greta Lindqvist',
    locale: 'en-IE',
    timeZone: 'Europe/Dublin',
    currency: 'EUR',
    terms: { netDays: 30 },
    invoices: [
      { amount: 72_000, issueDay: 0 },
      { amount: 18_500, issueDay: 0 },
    ],
    story: 'uses the portal: on day 33 signs in from the mailed link, promises to pay the larger invoice by day 40 and disputes the smaller one (wrong amount); pays the promised one by card in the portal on day 39 — the promise is kept',
  },
];

type Action = { day: number; hourUtc: number; persona: string; what: string; run: (ctx: Ctx) => Promise<void> };

interface Ctx {
  driver: StackDriver;
  at: string;
  customers: Map<string, { id: string; email: string }>;
  invoices: Map<string, { id: string; total: number; dueDate: string; paymentReference: string; earlyPaymentDiscount?: { amount: number } }[]>;
  start: string;
  extra: Map<string, string>;
  stripeStandInUrl?: string;
  portal: Map<string, PortalClient>;
  log: (line: string) => void;
}

async function must(res: Promise<{ status: number; text: string; body: unknown }>, what: string): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await res;
  if (r.status >= 400) throw new Error(`${what}: ${r.status} ${r.text}`);
  return r.body;
}

function actions(): Action[] {
  const t = (ctx: Ctx) => ({ 'x-local-time': ctx.at });
  const pay = (persona: string, invoiceIndex: number, amount: (ctx: Ctx) => number) => async (ctx: Ctx) => {
    const inv = ctx.invoices.get(persona)?.[invoiceIndex];
    const customer = ctx.customers.get(persona);
    if (!inv || !customer) return;
    await must(
      ctx.driver.api('POST', '/payments', {
        customerId: customer.id,
        method: 'bank_transfer',
        // The transfer quotes the invoice's payment reference, as the mails ask.
        reference: `${inv.paymentReference} ${persona}`,
        amount: amount(ctx),
        currency: PORTFOLIO.find((p) => p.key === persona)?.currency,
        receivedDate: ctx.at.slice(0, 10),
      }, t(ctx)),
      `payment of ${persona}`,
    );
  };
  return [
    { day: 8, hourUtc: 10, persona: 'anna', what: 'pays the discounted amount', run: pay('anna', 0, (c) => (c.invoices.get('anna')?.[0]?.total ?? 0) - (c.invoices.get('anna')?.[0]?.earlyPaymentDiscount?.amount ?? 0)) },
    { day: 40, hourUtc: 10, persona: 'chloe', what: 'pays the older invoice', run: pay('chloe', 0, (c) => c.invoices.get('chloe')?.[0]?.total ?? 0) },
    {
      day: 34,
      hourUtc: 9,
      persona: 'dieter',
      what: 'disputes the invoice',
      run: async (ctx) => {
        const inv = ctx.invoices.get('dieter')?.[0];
        const d = await must(ctx.driver.api('POST', `/invoices/${inv?.id}/disputes`, { reason: 'Die Lieferung war unvollständig' }, t(ctx)), 'dispute');
        ctx.extra.set('dieter-dispute', d.id);
      },
    },
    {
      day: 50,
      hourUtc: 9,
      persona: 'dieter',
      what: 'dispute rejected',
      run: async (ctx) => {
        await must(
          ctx.driver.api('POST', `/disputes/${ctx.extra.get('dieter-dispute')}/resolve`, { outcome: 'rejected', explanation: 'Der Lieferschein ist vollständig unterschrieben.' }, t(ctx)),
          'resolve',
        );
      },
    },
    { day: 60, hourUtc: 9, persona: 'dieter', what: 'pays', run: pay('dieter', 0, (c) => c.invoices.get('dieter')?.[0]?.total ?? 0) },
    {
      day: 33,
      hourUtc: 0,
      persona: 'emma',
      what: 'granted a hardship extension',
      run: async (ctx) => {
        const inv = ctx.invoices.get('emma')?.[0];
        await must(ctx.driver.api('POST', `/invoices/${inv?.id}/extensions`, { newDueDate: addDays(ctx.start, 61), reason: 'Hardship: bushfire' }, t(ctx)), 'extension');
      },
    },
    { day: 60, hourUtc: 0, persona: 'emma', what: 'pays', run: pay('emma', 0, (c) => c.invoices.get('emma')?.[0]?.total ?? 0) },
    {
      day: 20,
      hourUtc: 6,
      persona: 'farid',
      what: 'put on hold (negotiation) until day 45',
      run: async (ctx) => {
        const c = ctx.customers.get('farid');
        const expiresAt = `${addDays(ctx.start, 45)}T06:00:00.000Z`;
        await must(ctx.driver.api('POST', `/customers/${c?.id}/holds`, { reason: 'Negotiating', expiresAt }, t(ctx)), 'hold');
      },
    },
    {
      day: 33,
      hourUtc: 11,
      persona: 'greta',
      what: 'promises to pay one invoice and disputes the other, in the portal',
      run: async (ctx) => {
        const [big, small] = ctx.invoices.get('greta') ?? [];
        const customer = ctx.customers.get('greta');
        if (!big || !small || !customer) return;
        const portal = new PortalClient(ctx.driver);
        ctx.portal.set('greta', portal);
        await portal.signIn(customer.email, ctx.at);
        const by = addDays(ctx.start, 40);
        const promised = await portal.post(`/portal/invoices/${big.id}/promise`, { date: by }, ctx.at);
        if (promised.status !== 303) throw new Error(`greta's promise: ${promised.status} ${promised.text.slice(0, 300)}`);
        const disputed = await portal.post(`/portal/invoices/${small.id}/disputes`, { reason: 'wrong_amount', message: 'We ordered 5 licences, not 6.' }, ctx.at);
        if (disputed.status !== 303) throw new Error(`greta's dispute: ${disputed.status} ${disputed.text.slice(0, 300)}`);
        ctx.log(`  portal  greta signed in, promised to pay ${big.id} by ${by} and disputed ${small.id} (wrong_amount)`);
      },
    },
    {
      day: 39,
      hourUtc: 18,
      persona: 'greta',
      what: 'pays the promised invoice in the portal',
      run: async (ctx) => {
        const [big] = ctx.invoices.get('greta') ?? [];
        const customer = ctx.customers.get('greta');
        if (!big || !customer) return;
        if (!ctx.stripeStandInUrl) {
          await pay('greta', 0, () => big.total)(ctx);
          ctx.log('  portal  greta paid by bank transfer (no Stripe stand-in to pay by card)');
          return;
        }
        // A new session (the one of day 33 has long expired); the portal's Pay button opens Stripe Checkout.
        const portal = new PortalClient(ctx.driver);
        await portal.signIn(customer.email, ctx.at);
        const res = await portal.post('/portal/pay', { invoiceIds: [big.id] }, ctx.at);
        const id = /\/c\/pay\/([\w-]+)/.exec(res.location ?? '')?.[1];
        if (res.status !== 303 || !id) throw new Error(`greta's pay button: ${res.status} ${res.location ?? res.text.slice(0, 300)}`);
        const session = (await (await fetch(`${ctx.stripeStandInUrl}/v1/checkout/sessions/${id}`)).json()) as StandInSession;
        // She pays on Stripe's page; Stripe sends the event, signed at that (simulated) time.
        const payload = completedEvent(session, `evt_sim_${id}`, new Date(ctx.at));
        const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: ctx.driver.info.stripeWebhookSecret, timestamp: Math.floor(Date.parse(ctx.at) / 1000) });
        const sent = await fetch(`${ctx.driver.info.apiUrl}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature, 'x-local-time': ctx.at }, body: payload });
        if (sent.status !== 200) throw new Error(`Stripe's event for greta: ${sent.status} ${await sent.text()}`);
        await ctx.driver.drain();
        ctx.log(`  portal  greta paid ${formatMoney({ amount: session.amount_total, currency: session.currency.toUpperCase() }, 'en-GB')} by card (Checkout ${id})`);
      },
    },
  ];
}

export interface TimelineEntry {
  persona: string;
  /** Customer-local date and time. */
  local: string;
  what: string;
}

export async function runSimulation(
  driver: StackDriver,
  options: SimulationOptions,
): Promise<{ timeline: TimelineEntry[]; customers: Map<string, { id: string; email: string }>; invoices: Map<string, { id: string; number?: string }[]> }> {
  const ctx: Ctx = {
    driver,
    at: `${options.start}T00:00:00.000Z`,
    customers: new Map(),
    invoices: new Map(),
    start: options.start,
    extra: new Map(),
    ...(options.stripeStandInUrl ? { stripeStandInUrl: options.stripeStandInUrl } : {}),
    portal: new Map(),
    log: options.log,
  };
  const run = Date.now();
  const suffix = run.toString(36);
  const pending = actions();
  // The schedules fire every step; between a day's invoices and the customers' actions nothing else changes the
  // stack, so the fires of a sweep with nothing due yet are skipped without asking (time-travel.ts Replay).
  const replay = driver.replay();
  for (let day = 0; day < options.days; day++) {
    const date = addDays(options.start, day);
    // Invoices issued today (at 00:00 UTC of the day).
    ctx.at = `${date}T00:00:00.000Z`;
    for (const p of PORTFOLIO) {
      if (!ctx.customers.has(p.key)) {
        const c = await must(
          driver.api('POST', '/customers', { name: p.name, email: `${p.key}.${suffix}@example.com`, locale: p.locale, timeZone: p.timeZone, currency: p.currency, ...(p.terms ? { terms: p.terms } : {}), ...(p.dunning ? { dunning: p.dunning } : {}) }, { 'x-local-time': ctx.at }),
          `customer ${p.key}`,
        );
        ctx.customers.set(p.key, { id: c.id, email: c.email });
        replay.changed();
      }
      for (const i of p.invoices.filter((x) => x.issueDay === day)) {
        const inv = await must(
          driver.api('POST', '/invoices', { customerId: ctx.customers.get(p.key)?.id, currency: p.currency, amount: i.amount, issueDate: date }, { 'x-local-time': ctx.at }),
          `invoice of ${p.key}`,
        );
        ctx.invoices.set(p.key, [...(ctx.invoices.get(p.key) ?? []), inv]);
        replay.changed();
      }
    }
    for (let hour = 0; hour < 24; hour += options.stepHours) {
      const at = new Date(Date.parse(`${date}T00:00:00Z`) + hour * 3_600_000);
      ctx.at = at.toISOString();
      for (const a of pending.filter((x) => x.day === day && x.hourUtc >= hour && x.hourUtc < hour + options.stepHours)) {
        await a.run(ctx);
        replay.changed();
      }
      if (hour <= 1 && hour + options.stepHours > 1) await replay.fire('interest', new Date(at.getTime() + (1.25 - hour) * 3_600_000));
      if (hour <= 2 && hour + options.stepHours > 2) await replay.fire('escalation', new Date(at.getTime() + (2.5 - hour) * 3_600_000));
      await replay.fire('reminders', at);
    }
    if ((day + 1) % 10 === 0 || day + 1 === options.days) {
      const mails = (await driver.mails()).length;
      options.log(`  day ${String(day + 1).padStart(3)} / ${options.days}  ${date}  mails so far ${mails}  (${((Date.now() - run) / 1000).toFixed(0)} s)`);
    }
  }
  return { timeline: await timeline(driver, ctx), customers: ctx.customers, invoices: ctx.invoices };
}

/** What became of the promises to pay and the disputes on each persona's invoices (read back through the admin API). */
export async function promiseOutcomes(driver: StackDriver, invoices: Map<string, { id: string; number?: string }[]>): Promise<string[]> {
  const lines: string[] = [];
  for (const [persona, list] of invoices) {
    for (const inv of list) {
      const state = (await driver.api('GET', `/invoices/${inv.id}`)).body as {
        number: string;
        status: string;
        promise?: { date: string; status: string; source?: string };
        dispute?: { reasonCode?: string; reason: string };
      };
      if (state.promise) lines.push(`${persona}: ${state.number} promise to pay by ${state.promise.date} (${state.promise.source ?? 'portal'}) → ${state.promise.status}; invoice ${state.status}`);
      if (state.dispute) lines.push(`${persona}: ${state.number} disputed (${state.dispute.reasonCode ?? 'other'}: “${state.dispute.reason}”), open`);
    }
  }
  return lines.length ? ['Promises and open disputes:', ...lines.map((l) => `  ${l}`)] : [];
}

async function timeline(driver: StackDriver, ctx: Ctx): Promise<TimelineEntry[]> {
  const out: TimelineEntry[] = [];
  for (const p of PORTFOLIO) {
    const customer = ctx.customers.get(p.key);
    if (!customer) continue;
    const fmt = (iso: string) => {
      const d = new Date(iso);
      const time = new Intl.DateTimeFormat('en-GB', { timeZone: p.timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
      return `${localDate(d, p.timeZone)} ${time}`;
    };
    const history = await must(driver.api('GET', `/customers/${customer.id}/communications`), 'history');
    for (const m of history.mails as { kind: string; subject: string; sentAt?: string; createdAt: string }[]) {
      out.push({ persona: p.key, local: fmt(m.sentAt ?? m.createdAt), what: `mail  ${m.kind.padEnd(22)} “${m.subject}”` });
    }
    // The collections decisions trail: promises made, kept and broken, disputes opened.
    for (const d of (history.decisions ?? []) as { kind: string; by: string; at: string; reason: string }[]) {
      out.push({ persona: p.key, local: fmt(d.at), what: `decide ${d.kind.padEnd(21)} by ${d.by}: ${d.reason}` });
    }
    for (const e of history.events as { detailType: string; createdAt: string; detail: { totals: { amount: number; currency: string }[] } }[]) {
      const totals = e.detail.totals.map((t) => formatMoney(t, 'en-GB')).join(', ');
      out.push({ persona: p.key, local: fmt(e.createdAt), what: `event ${e.detailType} (${totals})` });
    }
    const ledger = await must(driver.api('GET', `/customers/${customer.id}/ledger`), 'ledger');
    for (const l of ledger.entries as { type: string; amount: number; currency: string; bookedAt: string }[]) {
      if (!['interest_charged', 'late_fee_charged', 'early_payment_discount', 'credit_note', 'payment_applied'].includes(l.type)) continue;
      out.push({ persona: p.key, local: fmt(l.bookedAt), what: `book  ${l.type.padEnd(22)} ${formatMoney({ amount: l.amount, currency: l.currency }, 'en-GB')}` });
    }
  }
  return out.sort((a, b) => a.local.localeCompare(b.local));
}

export function printTimeline(entries: readonly TimelineEntry[], log: (line: string) => void): void {
  for (const p of PORTFOLIO) {
    const mine = entries.filter((e) => e.persona === p.key);
    log('');
    log(`${p.name} (${p.locale}, ${p.timeZone}) — ${p.story}`);
    for (const e of mine) log(`  ${e.local}  ${e.what}`);
  }
}

export { PORTFOLIO };

/**
 * The ladder as a customer should see it, computed independently of the engine: each reminder step on due date +
 * offset, moved to the next weekday when it falls on a weekend (business hours are Monday to Friday, 09–17 local);
 * the legal handover when the daily escalation run (02:30 UTC) first finds the local date at due + 45, its notice in
 * the next business hours after that.
 */
export function expectedLadder(dueDate: string, timeZone: string): { step: string; date: string }[] {
  const weekday = (d: string) => new Date(`${d}T12:00:00Z`).getUTCDay();
  const nextBusinessDay = (d: string) => {
    let x = d;
    while (weekday(x) === 0 || weekday(x) === 6) x = addDays(x, 1);
    return x;
  };
  const handoverDate = addDays(dueDate, 45);
  let run = Date.parse(`${addDays(handoverDate, -1)}T02:30:00Z`);
  while (localDate(new Date(run), timeZone) < handoverDate) run += 86_400_000;
  const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(new Date(run)));
  const runDate = localDate(new Date(run), timeZone);
  const notice = hour < 17 ? nextBusinessDay(runDate) : nextBusinessDay(addDays(runDate, 1));
  return [
    ['heads-up', -7],
    ['due-day', 0],
    ['gentle', 3],
    ['firm', 14],
    ['final-notice', 30],
  ]
    .map(([step, offset]) => ({ step: String(step), date: nextBusinessDay(addDays(dueDate, Number(offset))) }))
    .concat([{ step: 'legal-handover', date: notice }]);
}

/** The persona who never pays: does the timeline show exactly the expected ladder? Returns the mismatches. */
export function ladderMismatches(entries: readonly TimelineEntry[], persona: string, dueDate: string): string[] {
  const timeZone = PORTFOLIO.find((p) => p.key === persona)?.timeZone ?? 'UTC';
  const seen = entries
    .filter((e) => e.persona === persona && e.what.startsWith('mail'))
    .map((e) => ({ step: (e.what.split(/\s+/)[1] ?? '').replace('reminder:', ''), date: e.local.slice(0, 10) }));
  const expected = expectedLadder(dueDate, timeZone);
  const problems: string[] = [];
  for (let i = 0; i < Math.max(seen.length, expected.length); i++) {
    const a = seen[i];
    const b = expected[i];
    if (a?.step !== b?.step || a?.date !== b?.date) problems.push(`expected ${b ? `${b.step} on ${b.date}` : 'nothing'}, got ${a ? `${a.step} on ${a.date}` : 'nothing'}`);
  }
  return problems;
}

/**
 * What the adaptive cadence changes, on the seeded evaluation portfolio (bench/portfolio.ts): mails sent per invoice,
 * days sales outstanding and late interest booked, with and without it — plus a high-risk and a low-risk customer's
 * reminders side by side, with the reasons the decision trail records.
 *
 * Method (said plainly): a simulation through the pure domain, not the running stack. The model is fitted on months
 * 1–12 (what was known at the split, E's fitModel) and each customer's `paymentBehaviour` computed as the insights
 * run would; then, for the held-out invoices (issued in months 13–18), the reminder run the backend uses —
 * `planDunning` (shared/domain/collections.ts: the real ladder, catch-up, one mail per customer, sending hours) with
 * and without the adaptive policy — runs every day at 10:00 UTC for every customer, from the first held-out issue
 * date to the end of month 18. (The stack with time travel takes about a second per simulated day per schedule; 184
 * days × 200 customers would be far beyond the evaluation's 5 minutes.)
 *
 * The customers' response to reminders is an ASSUMPTION, stated as a parameter: each reminder received before the
 * day a responsive payer would have paid brings that payment `nudgeDays` (default 2) days earlier, never before the
 * day after the mail. Payers who never pay and payers who pay in a fixed monthly payment run do not respond. The
 * portfolio's own payment dates are the no-reminder baseline. Not modelled: plan uptake after the plan offer (its
 * effect is unknown here), escalation (the legal handover is the same in both variants), partial payments (an invoice
 * is paid on the day its balance reached zero).
 *
 * Figures:
 * - mailsPerInvoice: reminder mails sent ÷ held-out invoices (a mail covering several invoices counts once);
 * - dsoDays: amount-weighted mean days from issue to payment (an invoice never paid counts to the horizon's end) —
 *   the average collection period of the held-out book;
 * - lateInterestMinor: per currency, simple interest at `interestBasisPoints` (900 = 9 % a year) per day paid after
 *   the due date (never paid: to the horizon's end), ACT/365, rounded once per invoice (terms.ts interestForPeriod).
 */
import { DEFAULT_ADAPTIVE_CADENCE, type CadenceDecision } from '../shared/domain/adaptive-cadence.ts';
import { planDunning, type CollectionsCustomer, type CollectionsInvoice } from '../shared/domain/collections.ts';
import { addDays, daysBetween } from '../shared/domain/dates.ts';
import { fitModel, paymentBehaviour } from '../shared/domain/prediction/model.ts';
import type { PaymentBehaviour } from '../shared/domain/prediction/types.ts';
import { DEFAULT_TERMS, interestForPeriod } from '../shared/domain/terms.ts';
import { historyAsOf, splitDate } from './evaluate-metrics.ts';
import { generatePortfolio, monthEnd, type Portfolio, type PortfolioCustomer } from './portfolio.ts';

export interface Figures {
  mailsPerInvoice: number;
  dsoDays: number;
  lateInterestMinor: Record<string, number>;
}

export interface ExampleCustomer {
  ref: string;
  /** The portfolio's behaviour (what the simulation knows; the policy only sees the prediction). */
  behaviour: string;
  riskBand?: string;
  /** The decision the reminders recorded, in words. */
  policy: CadenceDecision['policy'];
  reason: string;
  changes: string[];
  invoices: number;
  /** Their first held-out invoice, followed through both runs. */
  invoice: { number: string; issueDate: string; dueDate: string; amount: number; currency: string };
  /** The reminder mails that covered it (date, step, whether it led with the plan offer) and the day it was paid. */
  withAdaptive: { mails: { date: string; step: string; planOfferFirst: boolean }[]; paidOn: string | null };
  without: { mails: { date: string; step: string }[]; paidOn: string | null };
}

export interface CadenceComparison {
  withAdaptive: Figures;
  without: Figures;
  /** Held-out invoices and customers per policy the adaptive cadence chose. */
  invoices: number;
  customersByPolicy: Record<CadenceDecision['policy'], number>;
  examples: { highRisk?: ExampleCustomer; lowRisk?: ExampleCustomer };
  method: string;
  assumptions: { nudgeDays: number; interestBasisPoints: number; unresponsive: string[] };
}

export interface CompareOptions {
  portfolio?: Portfolio;
  seed?: number;
  customers?: number;
  nudgeDays?: number;
  interestBasisPoints?: number;
  /** The split (fit on what was known by then) and the horizon's end: default the end of month 12 and of the portfolio. */
  splitAt?: string;
  horizonEnd?: string;
}

const UNRESPONSIVE = new Set(['never', 'payment_run']);

interface SimInvoice {
  inv: CollectionsInvoice;
  /** Payment date (absent: never), moved by the nudges. */
  paidOn?: string;
}

interface RunResult {
  mails: number;
  paid: Map<string, string | undefined>;
  log: Map<string, { date: string; step: string; invoices: string[]; planOfferFirst: boolean }[]>;
  decisions: Map<string, CadenceDecision>;
}

function simulate(
  p: Portfolio,
  behaviours: Map<string, PaymentBehaviour>,
  heldOut: Portfolio['invoices'],
  adaptive: boolean,
  opts: { nudgeDays: number; from: string; to: string },
): RunResult {
  const byCustomer = new Map<string, SimInvoice[]>();
  for (const i of heldOut) {
    const inv: CollectionsInvoice = {
      id: i.number,
      customerId: i.customerRef,
      number: i.number,
      currency: i.currency,
      total: i.amount,
      balanceDue: i.amount,
      issueDate: i.issueDate,
      dueDate: i.dueDate,
      paymentReference: '',
      version: 1,
      terms: DEFAULT_TERMS,
    };
    byCustomer.set(i.customerRef, [...(byCustomer.get(i.customerRef) ?? []), { inv, ...(i.settledDate ? { paidOn: i.settledDate } : {}) }]);
  }
  const settings = adaptive ? DEFAULT_ADAPTIVE_CADENCE : { ...DEFAULT_ADAPTIVE_CADENCE, enabled: false };
  const kinds = new Map(p.customers.map((c) => [c.ref, c.behaviour]));
  const result: RunResult = { mails: 0, paid: new Map(), log: new Map(), decisions: new Map() };
  for (const [ref, invoices] of byCustomer) {
    const b = behaviours.get(ref);
    const customer: CollectionsCustomer = { id: ref, timeZone: 'UTC', ...(b ? { paymentBehaviour: b } : {}) };
    const responsive = !UNRESPONSIVE.has(kinds.get(ref) ?? '');
    const log: RunResult['log'] extends Map<string, infer V> ? V : never = [];
    for (let day = opts.from; day <= opts.to; day = addDays(day, 1)) {
      // Paid in the morning: open at the 10:00 run only if the payment comes later.
      const open = invoices.filter((s) => s.inv.issueDate <= day && (s.paidOn === undefined || s.paidOn > day));
      if (open.length === 0) continue;
      const plan = planDunning(customer, open.map((s) => s.inv), new Date(`${day}T10:00:00Z`), { adaptive: settings });
      if (plan.cadence) result.decisions.set(ref, plan.cadence);
      for (const u of plan.updates) {
        if (!u.sentStep) continue;
        const s = open.find((x) => x.inv.id === u.invoiceId) as SimInvoice;
        s.inv = { ...s.inv, lastStepSent: u.sentStep };
      }
      if (!plan.mail) continue;
      result.mails += 1;
      log.push({ date: day, step: plan.mail.step.id, invoices: plan.mail.items.map((i) => i.invoice.number), planOfferFirst: plan.mail.planOfferFirst === true });
      if (!responsive) continue;
      for (const item of plan.mail.items) {
        const s = open.find((x) => x.inv.id === item.invoice.id) as SimInvoice;
        if (s.paidOn !== undefined && s.paidOn > addDays(day, 1)) {
          const earlier = addDays(s.paidOn, -opts.nudgeDays);
          s.paidOn = earlier > addDays(day, 1) ? earlier : addDays(day, 1);
        }
      }
    }
    result.log.set(ref, log);
    for (const s of invoices) result.paid.set(s.inv.id, s.paidOn);
  }
  return result;
}

function figures(heldOut: Portfolio['invoices'], run: RunResult, horizon: string, rateBp: number): Figures {
  let weighted = 0;
  let amount = 0;
  const interest: Record<string, number> = {};
  for (const i of heldOut) {
    const paid = run.paid.get(i.number);
    const end = paid ?? horizon;
    weighted += i.amount * daysBetween(i.issueDate, end);
    amount += i.amount;
    const late = Math.max(0, daysBetween(i.dueDate, end));
    interest[i.currency] = (interest[i.currency] ?? 0) + interestForPeriod(i.amount, rateBp, late);
  }
  return {
    mailsPerInvoice: Math.round((run.mails / Math.max(1, heldOut.length)) * 1000) / 1000,
    dsoDays: Math.round((weighted / Math.max(1, amount)) * 10) / 10,
    lateInterestMinor: Object.fromEntries(Object.entries(interest).sort(([a], [b]) => a.localeCompare(b))),
  };
}

function example(
  c: PortfolioCustomer,
  heldOut: Portfolio['invoices'],
  withRun: RunResult,
  withoutRun: RunResult,
): ExampleCustomer {
  const d = withRun.decisions.get(c.ref) as CadenceDecision;
  const own = heldOut.filter((i) => i.customerRef === c.ref).sort((a, b) => a.issueDate.localeCompare(b.issueDate) || a.number.localeCompare(b.number));
  const first = own[0] as Portfolio['invoices'][number];
  const mailsOf = (run: RunResult) => (run.log.get(c.ref) ?? []).filter((m) => m.invoices.includes(first.number));
  return {
    ref: c.ref,
    behaviour: c.behaviour,
    ...(d.riskBand ? { riskBand: d.riskBand } : {}),
    policy: d.policy,
    reason: d.reason,
    changes: d.changes,
    invoices: own.length,
    invoice: { number: first.number, issueDate: first.issueDate, dueDate: first.dueDate, amount: first.amount, currency: first.currency },
    withAdaptive: {
      mails: mailsOf(withRun).map((m) => ({ date: m.date, step: m.step, planOfferFirst: m.planOfferFirst })),
      paidOn: withRun.paid.get(first.number) ?? null,
    },
    without: { mails: mailsOf(withoutRun).map((m) => ({ date: m.date, step: m.step })), paidOn: withoutRun.paid.get(first.number) ?? null },
  };
}

export async function compareCadence(opts: CompareOptions = {}): Promise<CadenceComparison> {
  const p = opts.portfolio ?? generatePortfolio({ ...(opts.seed !== undefined ? { seed: opts.seed } : {}), ...(opts.customers ? { customers: opts.customers } : {}) });
  const nudgeDays = opts.nudgeDays ?? 2;
  const rateBp = opts.interestBasisPoints ?? 900;
  const split = opts.splitAt ?? splitDate(p, 12);
  const horizon = opts.horizonEnd ?? monthEnd(p.start, p.months);
  // What the insights run would have written at the split: each customer's payment behaviour.
  const model = fitModel(historyAsOf(p, split), split);
  const behaviours = new Map<string, PaymentBehaviour>();
  for (const [ref, summary] of model.summaries) behaviours.set(ref, paymentBehaviour(model.portfolio, summary));
  const heldOut = p.invoices.filter((i) => i.issueDate > split && i.issueDate <= horizon);
  const from = heldOut.reduce((m, i) => (i.issueDate < m ? i.issueDate : m), horizon);
  const run = (adaptive: boolean) => simulate(p, behaviours, heldOut, adaptive, { nudgeDays, from, to: horizon });
  const withRun = run(true);
  const withoutRun = run(false);
  const customersByPolicy: CadenceComparison['customersByPolicy'] = { standard: 0, reliable: 0, likely_late: 0 };
  for (const d of withRun.decisions.values()) customersByPolicy[d.policy] += 1;
  // The examples: the high-risk and the low-risk (reliable) customer with the most held-out invoices.
  const pick = (policy: CadenceDecision['policy']) =>
    p.customers
      .filter((c) => withRun.decisions.get(c.ref)?.policy === policy)
      .sort((a, b) => heldOut.filter((i) => i.customerRef === b.ref).length - heldOut.filter((i) => i.customerRef === a.ref).length || a.ref.localeCompare(b.ref))[0];
  const high = pick('likely_late');
  const low = pick('reliable');
  return {
    withAdaptive: figures(heldOut, withRun, horizon, rateBp),
    without: figures(heldOut, withoutRun, horizon, rateBp),
    invoices: heldOut.length,
    customersByPolicy,
    examples: {
      ...(high ? { highRisk: example(high, heldOut, withRun, withoutRun) } : {}),
      ...(low ? { lowRisk: example(low, heldOut, withRun, withoutRun) } : {}),
    },
    method:
      'pure-domain simulation: planDunning (the reminder run’s own decision) daily at 10:00 UTC per customer over the held-out months 13–18, ' +
      'payment behaviour fitted on months 1–12; customers’ response to reminders assumed (nudgeDays)',
    assumptions: { nudgeDays, interestBasisPoints: rateBp, unresponsive: [...UNRESPONSIVE] },
  };
}

// `node bench/cadence-comparison.ts`: print the comparison.
if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  const out = await compareCadence();
  console.log(JSON.stringify(out, null, 2));
  console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

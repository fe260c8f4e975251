/**
 * The collector's worklist: customers ranked by expected loss, each with the next suggested action and why. Pure;
 * "today" and "now" are parameters.
 *
 * Expected loss of a customer (in one currency — amounts in different currencies are never added; the worklist is
 * ranked within a currency):
 *
 *   expectedLoss = Σ over their open invoices of  balanceDue × lateProbability × ageFactor
 *   ageFactor    = 1 + min(daysPastDue, 180) / 90        (1 until due, 2 at 90 days overdue, at most 3)
 *
 * `lateProbability` is the invoice's predicted P(paid more than 30 days after due) (insights run); an invoice without
 * a prediction yet counts with the portfolio's prior, `UNPREDICTED_LATE_PROBABILITY` (0.25), so a new invoice is not
 * invisible. Older debt weighs more: the longer it is overdue, the less likely it is to be collected at all.
 * Ties: larger open balance first, then customer id (a stable order for paging).
 */
import { daysBetween } from './dates.ts';
import type { InvoicePrediction, RiskBand } from './prediction/types.ts';

export const UNPREDICTED_LATE_PROBABILITY = 0.25;
export const AGE_CAP_DAYS = 180;

export interface WorklistInvoice {
  id: string;
  customerId: string;
  number: string;
  currency: string;
  balanceDue: number;
  /** The due date in force. */
  dueDate: string;
  prediction?: Pick<InvoicePrediction, 'lateProbability' | 'riskBand' | 'factors' | 'expectedPaymentDate'>;
  lastStepSent?: string;
  disputed?: boolean;
  planId?: string;
  escalatedAt?: string;
  /** An open promise to pay, until this date (inclusive). */
  promisedUntil?: string;
}

export function ageFactor(daysPastDue: number): number {
  return 1 + Math.min(Math.max(0, daysPastDue), AGE_CAP_DAYS) / 90;
}

/** One invoice's contribution to the expected loss (minor units, unrounded). */
export function invoiceExpectedLoss(invoice: WorklistInvoice, today: string): number {
  const p = invoice.prediction?.lateProbability ?? UNPREDICTED_LATE_PROBABILITY;
  return invoice.balanceDue * p * ageFactor(daysBetween(invoice.dueDate, today));
}

export interface WorklistEntry {
  customerId: string;
  currency: string;
  /** Minor units, rounded once. */
  expectedLoss: number;
  openBalance: number;
  overdueBalance: number;
  openInvoices: number;
  oldestDaysPastDue: number;
  /** The highest predicted risk band among the open invoices (absent: none predicted). */
  riskBand?: RiskBand;
  /** The invoices, largest expected loss first. */
  invoices: WorklistInvoice[];
}

const BAND_ORDER: Record<RiskBand, number> = { low: 0, medium: 1, high: 2 };

/** Customers of one currency's open invoices, ranked by expected loss (ties: open balance, then id). */
export function rankCustomers(invoices: readonly WorklistInvoice[], today: string): WorklistEntry[] {
  const by = new Map<string, WorklistInvoice[]>();
  for (const inv of invoices) {
    if (inv.balanceDue <= 0) continue;
    const key = `${inv.currency} ${inv.customerId}`;
    by.set(key, [...(by.get(key) ?? []), inv]);
  }
  const entries: (WorklistEntry & { exact: number })[] = [];
  for (const list of by.values()) {
    const first = list[0] as WorklistInvoice;
    const loss = (i: WorklistInvoice) => invoiceExpectedLoss(i, today);
    const exact = list.reduce((s, i) => s + loss(i), 0);
    const bands = list.map((i) => i.prediction?.riskBand).filter((b): b is RiskBand => b !== undefined);
    entries.push({
      customerId: first.customerId,
      currency: first.currency,
      exact,
      expectedLoss: Math.round(exact),
      openBalance: list.reduce((s, i) => s + i.balanceDue, 0),
      overdueBalance: list.filter((i) => i.dueDate < today).reduce((s, i) => s + i.balanceDue, 0),
      openInvoices: list.length,
      oldestDaysPastDue: Math.max(0, ...list.map((i) => daysBetween(i.dueDate, today))),
      ...(bands.length ? { riskBand: bands.reduce((a, b) => (BAND_ORDER[b] > BAND_ORDER[a] ? b : a)) } : {}),
      invoices: [...list].sort((a, b) => loss(b) - loss(a) || (a.id < b.id ? -1 : 1)),
    });
  }
  entries.sort(
    (a, b) =>
      a.currency.localeCompare(b.currency) ||
      b.exact - a.exact ||
      b.openBalance - a.openBalance ||
      (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0),
  );
  return entries.map(({ exact: _exact, ...e }) => e);
}

export type SuggestedActionKind =
  | 'wait_hold'
  | 'resolve_dispute'
  | 'watch_plan'
  | 'wait_promise'
  | 'follow_up_legal'
  | 'call'
  | 'offer_plan'
  | 'let_ladder_run'
  | 'none';

export interface SuggestedAction {
  action: SuggestedActionKind;
  /** The action, in a collector's words. */
  summary: string;
  /** Why, in words: what the figures and the prediction say. */
  why: string;
}

/**
 * The next suggested action for a worklist entry, first match wins: a hold → wait; a dispute → resolve it; a plan →
 * watch it; a promise → wait for it; escalated → follow up with legal; high risk and more than 30 days overdue →
 * call; high risk (or 30+ days overdue) → offer a payment plan; otherwise → let the reminders run.
 */
export function suggestAction(entry: WorklistEntry, today: string, customer: { onHold?: { reason: string; until?: string } }): SuggestedAction {
  const top = entry.invoices[0];
  const factors = top?.prediction?.factors.slice(0, 2).join('; ');
  const risk = entry.riskBand ? `${entry.riskBand} risk` : 'no prediction yet';
  const because = `${risk}${factors ? ` (${factors})` : ''}; ${entry.openInvoices} open invoice(s), oldest ${entry.oldestDaysPastDue} day(s) overdue`;
  if (customer.onHold) {
    return { action: 'wait_hold', summary: `On hold${customer.onHold.until ? ` until ${customer.onHold.until.slice(0, 10)}` : ''}: no contact`, why: `hold: ${customer.onHold.reason}` };
  }
  const disputed = entry.invoices.find((i) => i.disputed);
  if (disputed) return { action: 'resolve_dispute', summary: `Resolve the dispute on invoice ${disputed.number}`, why: `reminders are paused while it is open; ${because}` };
  const inPlan = entry.invoices.find((i) => i.planId);
  if (inPlan) return { action: 'watch_plan', summary: `Watch the payment plan (invoice ${inPlan.number})`, why: `the plan's own reminders run; ${because}` };
  const promised = entry.invoices.find((i) => i.promisedUntil !== undefined && i.promisedUntil >= today);
  if (promised) {
    return { action: 'wait_promise', summary: `Wait for the promised payment by ${promised.promisedUntil}`, why: `the customer promised to pay invoice ${promised.number}; ${because}` };
  }
  const escalated = entry.invoices.find((i) => i.escalatedAt);
  if (escalated) return { action: 'follow_up_legal', summary: `Follow up the legal handover of invoice ${escalated.number}`, why: because };
  if (entry.riskBand === 'high' && entry.oldestDaysPastDue > 30) {
    return { action: 'call', summary: 'Call the customer', why: `likely to stay unpaid: ${because}` };
  }
  if (entry.riskBand === 'high' || entry.oldestDaysPastDue > 30) {
    return { action: 'offer_plan', summary: 'Offer a payment plan', why: `likely to pay late: ${because}` };
  }
  if (entry.overdueBalance > 0 || entry.riskBand === 'medium') {
    return { action: 'let_ladder_run', summary: 'Let the reminders run', why: `${because}${top?.lastStepSent ? `; last reminder step: ${top.lastStepSent}` : ''}` };
  }
  return { action: 'none', summary: 'Nothing to do yet', why: because };
}

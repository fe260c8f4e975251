/**
 * The evaluation's figures, pure: held-out predictions against what happened. Used by bench/evaluate.ts.
 */
import { addDays, daysBetween } from '../shared/domain/dates.ts';
import { fitModel, predictInvoice, type CustomerModel } from '../shared/domain/prediction/model.ts';
import type { InvoiceHistory, InvoicePrediction } from '../shared/domain/prediction/types.ts';
import { monthEnd, type Portfolio, type PortfolioInvoice } from './portfolio.ts';

export interface Scored {
  invoice: PortfolioInvoice;
  asOf: string;
  prediction: Pick<InvoicePrediction, 'expectedPaymentDate' | 'lateProbability'>;
  /** Baselines (never before asOf + 1: the invoice is known to be unpaid at asOf). */
  dueDateBaseline: string;
  customerAverageBaseline: string;
}

/** The portfolio as the model sees it as of a date: invoices issued by then, settled only if settled by then. */
export function historyAsOf(p: Portfolio, asOf: string): InvoiceHistory[] {
  return p.invoices
    .filter((i) => i.issueDate <= asOf)
    .map((i) => ({
      invoiceId: i.number,
      customerId: i.customerRef,
      currency: i.currency,
      amount: i.amount,
      issueDate: i.issueDate,
      dueDate: i.dueDate,
      ...(i.settledDate && i.settledDate <= asOf ? { settledDate: i.settledDate } : {}),
    }));
}

export function toHistory(i: PortfolioInvoice): InvoiceHistory {
  return { invoiceId: i.number, customerId: i.customerRef, currency: i.currency, amount: i.amount, issueDate: i.issueDate, dueDate: i.dueDate };
}

const notBefore = (date: string, asOf: string) => (date > asOf ? date : addDays(asOf, 1));

/** The customer's own average delay (settled by asOf), else the portfolio's: the second baseline. */
export function customerAverages(history: readonly InvoiceHistory[]): { byCustomer: Map<string, number>; portfolio: number } {
  const sums = new Map<string, [number, number]>();
  let total = 0;
  let n = 0;
  for (const i of history) {
    if (!i.settledDate) continue;
    const d = daysBetween(i.dueDate, i.settledDate);
    const s = sums.get(i.customerId) ?? [0, 0];
    sums.set(i.customerId, [s[0] + d, s[1] + 1]);
    total += d;
    n++;
  }
  return { byCustomer: new Map([...sums].map(([k, [s, c]]) => [k, s / c])), portfolio: n ? total / n : 0 };
}

export function score(invoice: PortfolioInvoice, asOf: string, prediction: Scored['prediction'], averages: ReturnType<typeof customerAverages>): Scored {
  const avg = averages.byCustomer.get(invoice.customerRef) ?? averages.portfolio;
  return {
    invoice,
    asOf,
    prediction,
    dueDateBaseline: notBefore(invoice.dueDate, asOf),
    customerAverageBaseline: notBefore(addDays(invoice.dueDate, Math.round(avg)), asOf),
  };
}

/**
 * Held-out predictions made the way the nightly run makes them: every invoice issued after `splitAt` (end of month
 * 12) is predicted from the last refit on or before its issue date, fitted on what was known that day (refits every
 * `refitEveryDays`; 1 = nightly), and every invoice open at `splitAt` is predicted as of `splitAt`.
 */
export function heldOutPredictions(p: Portfolio, splitAt: string, opts: { refitEveryDays?: number } = {}): Scored[] {
  const out: Scored[] = [];
  const cache = new Map<string, { model: CustomerModel; averages: ReturnType<typeof customerAverages> }>();
  const fitted = (asOf: string) => {
    let m = cache.get(asOf);
    if (!m) {
      const h = historyAsOf(p, asOf);
      m = { model: fitModel(h, asOf), averages: customerAverages(h) };
      cache.set(asOf, m);
    }
    return m;
  };
  const step = opts.refitEveryDays ?? 1;
  for (const invoice of p.invoices) {
    const open = invoice.issueDate <= splitAt && !(invoice.settledDate && invoice.settledDate <= splitAt);
    const later = invoice.issueDate > splitAt;
    if (!open && !later) continue;
    let asOf = splitAt;
    if (later) {
      // The last refit on or before the issue date (refits every `step` days from splitAt): the model knows only
      // what was known at that refit (with step = 1, the night of the issue date, as the nightly run does).
      asOf = addDays(splitAt, Math.floor(daysBetween(splitAt, invoice.issueDate) / step) * step);
    }
    const { model, averages } = fitted(asOf);
    out.push(score(invoice, asOf, predictInvoice(model, undefined, toHistory(invoice), asOf), averages));
  }
  return out;
}

export interface Figures {
  invoices: number;
  /** With a settle date by the end of the horizon (MAE is over these). */
  settled: number;
  mae: { model: number; dueDate: number; customerAverage: number; ratioToCustomerAverage: number };
  late: { n: number; positives: number; brier: number; auc: number };
  calibration: { bucket: string; n: number; predicted: number; observed: number }[];
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

export function figures(scored: readonly Scored[], horizonEnd: string): Figures {
  const err = { model: 0, dueDate: 0, customerAverage: 0 };
  let settled = 0;
  const labelled: { p: number; y: number }[] = [];
  for (const s of scored) {
    const paid = s.invoice.settledDate && s.invoice.settledDate <= horizonEnd ? s.invoice.settledDate : undefined;
    if (paid) {
      settled++;
      err.model += Math.abs(daysBetween(paid, s.prediction.expectedPaymentDate));
      err.dueDate += Math.abs(daysBetween(paid, s.dueDateBaseline));
      err.customerAverage += Math.abs(daysBetween(paid, s.customerAverageBaseline));
    }
    // "> 30 days late" is known when paid by the horizon, or when still unpaid more than 30 days after due.
    const late = paid ? daysBetween(s.invoice.dueDate, paid) > 30 : daysBetween(s.invoice.dueDate, horizonEnd) > 30 ? true : undefined;
    if (late !== undefined) labelled.push({ p: s.prediction.lateProbability, y: late ? 1 : 0 });
  }
  const mae = { model: r2(err.model / settled), dueDate: r2(err.dueDate / settled), customerAverage: r2(err.customerAverage / settled) };
  const brier = labelled.reduce((a, l) => a + (l.p - l.y) ** 2, 0) / labelled.length;
  const calibration: Figures['calibration'] = [];
  for (let b = 0; b < 5; b++) {
    const lo = b / 5;
    const hi = (b + 1) / 5;
    const inB = labelled.filter((l) => l.p >= lo && (b === 4 ? l.p <= hi : l.p < hi));
    calibration.push({
      bucket: `${lo.toFixed(1)}–${hi.toFixed(1)}`,
      n: inB.length,
      predicted: inB.length ? r3(inB.reduce((a, l) => a + l.p, 0) / inB.length) : 0,
      observed: inB.length ? r3(inB.reduce((a, l) => a + l.y, 0) / inB.length) : 0,
    });
  }
  return {
    invoices: scored.length,
    settled,
    mae: { ...mae, ratioToCustomerAverage: r3(mae.model / mae.customerAverage) },
    late: { n: labelled.length, positives: labelled.filter((l) => l.y).length, brier: r3(brier), auc: r3(auc(labelled)) },
    calibration,
  };
}

/** Area under the ROC curve (Mann–Whitney, ties count half). */
export function auc(labelled: readonly { p: number; y: number }[]): number {
  const sorted = [...labelled].sort((a, b) => a.p - b.p);
  let rankSum = 0;
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as { p: number }).p === (sorted[i] as { p: number }).p) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if ((sorted[k] as { y: number }).y) rankSum += rank;
    i = j + 1;
  }
  const pos = labelled.filter((l) => l.y).length;
  const neg = labelled.length - pos;
  // Undefined without both classes (a punctual segment is never late): NaN, saved as null and printed as '—'.
  return pos && neg ? (rankSum - (pos * (pos + 1)) / 2) / (pos * neg) : Number.NaN;
}

export const splitDate = (p: Portfolio, month = 12) => monthEnd(p.start, month);

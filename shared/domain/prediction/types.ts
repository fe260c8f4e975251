/**
 * Payment-behaviour prediction: the shapes shared by the model (shared/domain/prediction/model.ts), the nightly
 * `insights` schedule that writes them onto invoice and customer items, and their readers (adaptive cadence, worklist,
 * cash forecast). Pure data: dates are calendar dates `YYYY-MM-DD`, "days late" = days after the due date (negative =
 * paid early).
 */

export type RiskBand = 'low' | 'medium' | 'high';
export type Trend = 'improving' | 'stable' | 'worsening';

/** Distribution of the payment day, in days after the due date: P(paid by due + days[i]) = p[i]. */
export interface PaymentCdf {
  /** Days after the due date, ascending (may start below 0: paid early). */
  days: number[];
  /** P(paid by then): in [0, 1], non-decreasing; the last value may stay below 1 (some never pay). */
  p: number[];
}

/** Written by the `insights` run onto each OPEN invoice item (`prediction`). */
export interface InvoicePrediction {
  /** The most likely payment date (median of the payment-day distribution given not paid by asOf), `YYYY-MM-DD`. */
  expectedPaymentDate: string;
  /** P(paid more than 30 days after the due date), in [0, 1]. */
  lateProbability: number;
  riskBand: RiskBand;
  /** Two or three reasons in a collector's words (English), most important first. */
  factors: string[];
  /** Machine codes of the same factors, in the same order. */
  factorCodes: FactorCode[];
  /** The date the prediction is as of (only facts known by then were used), `YYYY-MM-DD`. */
  asOf: string;
  modelVersion: string;
  /** Payment-day distribution (days after due); the API may omit it. */
  cdf: PaymentCdf;
}

/** Written by the `insights` run onto each customer item (`paymentBehaviour`). */
export interface PaymentBehaviour {
  /** Closed (settled) invoices the customer's figures are based on, as of `asOf`. */
  invoicesObserved: number;
  /** Median days after due over the observed invoices (null: none observed yet). */
  medianDaysLate: number | null;
  /** Share of observed invoices settled by the due date, in [0, 1] (null: none observed). */
  onTimeRate: number | null;
  trend: Trend;
  riskBand: RiskBand;
  asOf: string;
  modelVersion: string;
}

export type FactorCode =
  | 'usual_delay'
  | 'punctual'
  | 'new_customer'
  | 'little_history'
  | 'worsening'
  | 'improving'
  | 'payment_run_day'
  | 'large_amount'
  | 'small_amount'
  | 'disputed'
  | 'plan_defaulted'
  | 'plan_kept'
  | 'needs_reminders'
  | 'never_paid_before'
  | 'already_overdue'
  | 'erratic';

/**
 * One invoice of a customer's history as known at the as-of date: the model's only input.
 * `settledDate` is the day the balance reached zero (partials count by that date); absent = still open.
 * The caller must not pass facts after `asOf` (the model also cuts them off: a settle date after asOf counts as open).
 */
export interface InvoiceHistory {
  invoiceId: string;
  customerId: string;
  currency: string;
  /** The invoice amount, minor units of `currency`. */
  amount: number;
  issueDate: string;
  dueDate: string;
  settledDate?: string;
  /** Net payment days (due − issue), for the portfolio segment; derived when absent. */
  termsDays?: number;
  /** Disputes opened on this invoice (date opened, open or resolved); only those on or before asOf count. */
  disputes?: string[];
  /**
   * Reminders sent for this invoice (dates); only those on or before asOf count. Absent = unknown (an imported invoice,
   * reminded elsewhere), which is left out of the customer's reminders per invoice; `[]` = none were needed.
   */
  reminders?: string[];
}

/** Per-customer facts beyond invoices (plans). */
export interface CustomerHistory {
  customerId: string;
  /**
   * Payment plans: created when, how they ended (`kept` = completed, `defaulted`; `active` = not ended) and when.
   * Only an outcome reached on or before asOf counts (a plan that defaulted after asOf was still running then).
   */
  plans?: { createdAt: string; outcome: 'kept' | 'defaulted' | 'active'; endedAt?: string }[];
}

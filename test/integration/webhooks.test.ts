/**
 * Signed webhooks to subscribers, through the local stack: subscriber servers on 127.0.0.1 (node:http, here) are
 * subscribed with POST /subscriptions; real changes (POST /invoices → invoice.issued, published by the outbox relay)
 * reach them signed the Standard Webhooks way and are verified with the standardwebhooks library; an event published
 * twice is delivered once; a failing subscriber is retried on the schedule — time driven by firing the retry sweep
 * (`POST /local/schedules/webhook-deliveries/fire` with a `time`), not by waiting — then dead-lettered and redelivered
 * by staff once it recovers; a deleted subscription gets nothing new; bad input is a 4xx naming the field.
 *
 * The stack is shared: every test file's invoices are announced to these subscribers too, so each server answers by
 * the customer the event is about (its own customers only) and every assertion is about this file's customers.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { EventEnvelope } from '../../shared/domain/events/envelope.ts';
import { STANDARD_RETRY_SCHEDULE } from '../../shared/domain/webhooks.ts';
import { enqueueDeliveries } from '../../shared/services/webhooks.ts';
import { getDelivery } from '../../shared/store/subscriptions.ts';
import { waitForEvents } from '../support/events.ts';
import { api, eventually, newCustomer, newInvoice, stack, staysTrue, unique } from '../support/stack.ts';

interface Received {
  headers: Record<string, string>;
  body: string;
  event: EventEnvelope;
}

/** A subscriber on 127.0.0.1: records every request; answers `status(event)` (204 unless told otherwise). */
class Subscriber {
  readonly received: Received[] = [];
  status: (event: EventEnvelope) => number = () => 204;
  private server: Server | undefined;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const event = JSON.parse(body) as EventEnvelope;
        this.received.push({ headers: flat(req.headers), body, event });
        res.writeHead(this.status(event), { 'content-type': 'text/plain' }).end(this.status(event) >= 300 ? 'subscriber says no' : '');
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    return this;
  }
  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/hooks/collections`;
  }
  about(customerId: string): Received[] {
    return this.received.filter((r) => r.event.customerId === customerId);
  }
  async stop(): Promise<void> {
    await new Promise((r) => this.server?.close(r));
  }
}

const flat = (h: IncomingHttpHeaders) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, String(v)]));

const subscribers: Subscriber[] = [];
const subscriptionIds: string[] = [];
async function subscriber(): Promise<Subscriber> {
  const s = await new Subscriber().start();
  subscribers.push(s);
  return s;
}
async function subscribe(s: Subscriber, types: string[] = ['invoice.issued']) {
  const res = await api('POST', '/subscriptions', { url: s.url, types, description: 'webhooks test' });
  expect(res.status, res.text).toBe(201);
  subscriptionIds.push(res.body.id);
  return res.body as { id: string; secret: string; status: string };
}

afterAll(async () => {
  // Nothing is left subscribed to the shared stack's events.
  for (const id of subscriptionIds) await api('DELETE', `/subscriptions/${id}`);
  await Promise.all(subscribers.map((s) => s.stop()));
});

interface DeliveryView {
  eventId: string;
  status: string;
  round: number;
  attempts: number;
  nextAttemptAt?: string;
  attemptLog: { round: number; attempt: number; at: string; durationMs: number; statusCode?: number; error?: string; responseSnippet?: string; retryAt?: string }[];
}
/** A delivery as staff see it (GET /subscriptions/{id}/deliveries, the contract checked). */
async function delivery(subscriptionId: string, eventId: string): Promise<DeliveryView | undefined> {
  const res = await api('GET', `/subscriptions/${subscriptionId}/deliveries?limit=100`);
  expect(res.status).toBe(200);
  return (res.body.items as DeliveryView[]).find((d) => d.eventId === eventId);
}

/** Polls the delivery record itself (one read, lighter on the shared stack than the listing) until `until` holds. */
async function deliveryWhen(subscriptionId: string, eventId: string, until: (d: DeliveryView) => boolean, what: string): Promise<DeliveryView> {
  return eventually(async () => {
    const d = (await getDelivery({ subscriptionId, eventId })) as DeliveryView | undefined;
    return d && until(d) && d;
  }, 10_000, what);
}

async function fireSweep(time: string): Promise<{ queued: number }> {
  const res = await fetch(`${stack.apiUrl}/local/schedules/webhook-deliveries/fire`, { method: 'POST', body: JSON.stringify({ time }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { result: { queued: number } }).result;
}

describe('signed webhooks (Standard Webhooks)', () => {
  it('a subscriber receives each event once, signed; the signature, a tampered body and an old timestamp check out as the rules say', async () => {
    const sub = await subscriber();
    const created = await subscribe(sub);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(created.secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    // The secret is shown once: no read has it.
    const read = await api('GET', `/subscriptions/${created.id}`);
    expect(read.body).toMatchObject({ id: created.id, url: sub.url, types: ['invoice.issued'], status: 'active' });
    expect(read.text).not.toContain('whsec_');
    const listed = await api('GET', '/subscriptions?limit=100');
    expect(listed.text).not.toContain('whsec_');

    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, { amount: 4200 });
    // The outbox relay published it (the bus has it) and made the deliveries.
    const [published] = await waitForEvents({ customerId: customer.id, type: 'invoice.issued' });
    const got = await eventually(async () => sub.about(customer.id)[0], 10_000, 'the webhook');
    expect(got.event).toEqual(expect.objectContaining({ id: published?.id, type: 'invoice.issued', customerId: customer.id }));
    expect(got.event.data).toMatchObject({ invoiceId: invoice.id, amount: 4200, currency: 'EUR' });
    expect(got.headers).toMatchObject({
      'webhook-id': got.event.id,
      'content-type': 'application/json',
      'user-agent': expect.stringMatching(/^Collections-Webhooks\//),
    });
    expect(Math.abs(Number(got.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);

    // Verified by the Standard Webhooks library over the exact bytes received.
    const webhook = new Webhook(created.secret);
    expect(webhook.verify(got.body, got.headers)).toEqual(got.event);
    expect(() => webhook.verify(got.body.replace('4200', '4201'), got.headers)).toThrow(WebhookVerificationError);
    expect(() => webhook.verify(got.body, { ...got.headers, 'webhook-id': 'evt_other' })).toThrow(WebhookVerificationError);
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(got.body, got.headers)).toThrow(WebhookVerificationError);
    // The same request replayed six minutes later: the tolerance (5 min) refuses it.
    vi.useFakeTimers({ toFake: ['Date'], now: Number(got.headers['webhook-timestamp']) * 1000 + 6 * 60_000 });
    try {
      expect(() => webhook.verify(got.body, got.headers)).toThrow(/too old/);
    } finally {
      vi.useRealTimers();
    }

    // Published again (a relay retry): no second delivery, and the subscriber hears of it once.
    expect(await enqueueDeliveries([published as EventEnvelope], new Date())).toBe(0);
    expect(await staysTrue(async () => sub.about(customer.id).length === 1, 500)).toBe(true);
    await deliveryWhen(created.id, got.event.id, (d) => d.status === 'delivered', 'delivered');
    const d = await delivery(created.id, got.event.id);
    expect(d).toMatchObject({ round: 1, attempts: 1, attemptLog: [expect.objectContaining({ attempt: 1, statusCode: 204 })] });
    expect(d?.attemptLog[0]).not.toHaveProperty('error');
  });

  it('a failing subscriber is retried on the schedule, dead-lettered after the last attempt, and redelivered by staff once it recovers', async () => {
    const sub = await subscriber();
    const created = await subscribe(sub);
    const customer = await newCustomer();
    let failing = true;
    // Fails for this test's customer only (other files' invoices are announced to it too, and simply accepted).
    sub.status = (event) => (failing && event.customerId === customer.id ? 500 : 204);
    await newInvoice(customer.id, { amount: 990 });
    const first = await eventually(async () => sub.about(customer.id)[0], 10_000, 'the first attempt');
    const eventId = first.event.id;

    // Each round: the sweep fired at the retry's due time queues it; the worker attempts it (and fails, 500). (The
    // 5-second retry may come first by its delayed message: then the sweep finds nothing due, and that is fine.)
    for (let attempt = 1; attempt < STANDARD_RETRY_SCHEDULE.length; attempt++) {
      const d = await deliveryWhen(created.id, eventId, (x) => x.attempts >= attempt, `attempt ${attempt} recorded`);
      // (Schedules fire on whole seconds — whole minutes in AWS: the first one at or after the due time.)
      if (d.status === 'pending' && d.attempts === attempt) {
        await fireSweep(new Date(Math.ceil(Date.parse(d.nextAttemptAt as string) / 1000) * 1000).toISOString());
      }
    }
    await deliveryWhen(created.id, eventId, (x) => x.status === 'failed', 'dead-lettered');
    const dead = (await delivery(created.id, eventId)) as DeliveryView;
    expect(dead.status).toBe('failed');
    expect(dead.attemptLog).toHaveLength(8);
    for (const a of dead.attemptLog) expect(a).toMatchObject({ round: 1, statusCode: 500, error: 'http_status', responseSnippet: 'subscriber says no' });
    expect(dead.attemptLog.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Each retry was due the schedule's delay after the end of the attempt before it: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
    const delays = dead.attemptLog.slice(0, -1).map((a) => (Date.parse(a.retryAt as string) - Date.parse(a.at) - a.durationMs) / 1000);
    expect(delays).toEqual(STANDARD_RETRY_SCHEDULE.slice(1));
    expect(dead.attemptLog.at(-1)).not.toHaveProperty('retryAt');
    // Every attempt carried the same webhook-id and a valid signature of its own.
    const attempts = sub.about(customer.id);
    expect(attempts).toHaveLength(8);
    for (const a of attempts) {
      expect(a.headers['webhook-id']).toBe(eventId);
      expect(new Webhook(created.secret).verify(a.body, a.headers)).toEqual(first.event);
    }
    // The dead letter is listed for staff; nothing more is attempted by a later sweep.
    const failed = await api('GET', `/subscriptions/${created.id}/deliveries?status=failed`);
    expect(failed.body.items.map((d: DeliveryView) => d.eventId)).toContain(eventId);
    await fireSweep(new Date(Date.now() + 3 * 86_400_000).toISOString());
    expect(await staysTrue(async () => sub.about(customer.id).length === 8, 500)).toBe(true);

    // The subscriber recovers; staff redeliver the dead letter: a new round, delivered at once.
    failing = false;
    const retried = await api('POST', `/subscriptions/${created.id}/deliveries/${eventId}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ eventId, status: 'pending', round: 2, attempts: 0 });
    await deliveryWhen(created.id, eventId, (d) => d.status === 'delivered', 'redelivered');
    const redelivered = (await delivery(created.id, eventId)) as DeliveryView;
    expect(redelivered).toMatchObject({ round: 2, attempts: 1 });
    expect(redelivered.attemptLog.at(-1)).toMatchObject({ round: 2, attempt: 1, statusCode: 204 });
    expect(sub.about(customer.id)).toHaveLength(9);
    expect(new Webhook(created.secret).verify((sub.about(customer.id)[8] as Received).body, (sub.about(customer.id)[8] as Received).headers)).toEqual(first.event);
  });

  it('a deleted subscription gets nothing new; deleting is idempotent; its record stays readable', async () => {
    const kept = await subscriber();
    const gone = await subscriber();
    const keptSub = await subscribe(kept);
    const goneSub = await subscribe(gone);
    const deleted = await api('DELETE', `/subscriptions/${goneSub.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: goneSub.id, status: 'deleted', deletedAt: expect.any(String) });
    expect((await api('DELETE', `/subscriptions/${goneSub.id}`)).body.status).toBe('deleted');
    expect((await api('GET', `/subscriptions/${goneSub.id}`)).body.status).toBe('deleted');
    const active = await api('GET', '/subscriptions?limit=100');
    expect(active.body.items.map((s: { id: string }) => s.id)).not.toContain(goneSub.id);

    const customer = await newCustomer();
    await newInvoice(customer.id);
    // The subscription still active receives it: by then every delivery of this event has been made.
    const got = await eventually(async () => kept.about(customer.id)[0], 10_000, 'the kept subscriber');
    expect(await delivery(keptSub.id, got.event.id)).toBeDefined();
    expect(await delivery(goneSub.id, got.event.id)).toBeUndefined();
    expect(gone.about(customer.id)).toEqual([]);
  });

  it('bad input is a 4xx naming the field, and changes nothing', async () => {
    const bad = async (body: unknown, field: string | undefined) => {
      const res = await api('POST', '/subscriptions', body);
      expect(res.status, res.text).toBe(400);
      expect(res.body.error.field, res.text).toBe(field);
      return res.body.error.message as string;
    };
    expect(await bad({ url: 'http://hooks.example.com/in', types: ['invoice.paid'] }, 'url')).toBe('url: must use https');
    expect(await bad({ url: 'https://user:pw@hooks.example.com/in', types: ['invoice.paid'] }, 'url')).toMatch(/credentials/);
    expect(await bad({ url: 'https://169.254.169.254/latest', types: ['invoice.paid'] }, 'url')).toMatch(/link-local/);
    expect(await bad({ url: 'https://10.0.0.8/in', types: ['invoice.paid'] }, 'url')).toMatch(/private/);
    expect(await bad({ url: 'https://hooks.example.com/in', types: ['invoice.paid', 'invoice.lost'] }, 'types.1')).toMatch(/unknown event type "invoice.lost"/);
    expect(await bad({ url: 'https://hooks.example.com/in' }, 'types')).toBeDefined();
    // A secret cannot be chosen: the body's own fields only (the unknown one is named).
    expect(await bad({ url: 'https://hooks.example.com/in', types: ['*'], secret: 'whsec_mine' }, 'secret')).toMatch(/secret/);
    expect((await api('POST', '/subscriptions', 'not json')).status).toBe(400);
    expect((await api('GET', '/subscriptions?status=paused')).body.error.field).toBe('status');
    expect((await api('GET', '/subscriptions/whs_nope')).status).toBe(404);
    expect((await api('DELETE', '/subscriptions/whs_nope')).status).toBe(404);
    expect((await api('GET', '/subscriptions/whs_nope/deliveries')).status).toBe(404);
    expect((await api('POST', '/subscriptions/whs_nope/deliveries/evt_nope/retry')).status).toBe(404);
    expect((await api('GET', '/subscriptions', undefined, { authorization: 'Bearer wrong' })).status).toBe(401);

    // Idempotency-Key: the same request answers the first result (with its secret) again; another body is a 409.
    const sub = await subscriber();
    const key = unique('idem');
    const body = { url: sub.url, types: ['invoice.paid'] };
    const first = await api('POST', '/subscriptions', body, { 'idempotency-key': key });
    const again = await api('POST', '/subscriptions', body, { 'idempotency-key': key });
    subscriptionIds.push(first.body.id);
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body).toEqual(first.body);
    const other = await api('POST', '/subscriptions', { ...body, types: ['invoice.issued'] }, { 'idempotency-key': key });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    // None of the refused requests made a subscription.
    const all = (await api('GET', '/subscriptions?limit=100')).body.items as { url: string }[];
    expect(all.filter((s) => /hooks\.example\.com|169\.254|10\.0\.0\.8/.test(s.url))).toEqual([]);
  });
});

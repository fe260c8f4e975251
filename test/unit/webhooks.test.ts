/**
 * Signed webhooks, the pure rules (shared/domain/webhooks.ts) and the HTTP adapter (shared/adapters/webhook-http.ts,
 * against servers on 127.0.0.1): subscriber URLs and the addresses a delivery may never reach, the retry schedule and
 * what an attempt makes of a delivery, the Standard Webhooks signature, and what one POST answers.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { guardedLookup, postWebhook } from '../../shared/adapters/webhook-http.ts';
import {
  attemptOutcome,
  blockedAddress,
  keptAttempts,
  newSubscriptionSchema,
  nextAttemptDelay,
  responseSnippet,
  retryScheduleSchema,
  signingSecret,
  STANDARD_RETRY_SCHEDULE,
  subscribesTo,
  urlProblem,
  type Attempt,
} from '../../shared/domain/webhooks.ts';
import { signedContent, webhookHeaders } from '../../shared/domain/webhook-signature.ts';

const AWS = { allowLoopback: false };
const LOCAL = { allowLoopback: true };

describe('subscriber URLs (SSRF rules)', () => {
  it.each([
    'https://hooks.example.com/collections',
    'https://hooks.example.com:8443/in?token=abc',
    'https://93.184.215.14/hook',
    'https://[2606:4700::1111]/hook',
  ])('accepts %s', (url) => {
    expect(urlProblem(url, AWS)).toBeUndefined();
  });

  it.each([
    ['http://hooks.example.com/x', 'must use https'],
    ['ftp://hooks.example.com/x', 'must use https'],
    ['not a url', 'not an absolute URL'],
    ['https://user:pass@hooks.example.com/x', 'must not carry credentials (user:password@)'],
    ['https://token@hooks.example.com/x', 'must not carry credentials (user:password@)'],
    ['https://hooks.example.com/x#frag', 'must not have a fragment (#…)'],
    ['https://localhost/x', 'must not point at localhost'],
    ['https://api.localhost/x', 'must not point at localhost'],
    ['https://intranet/x', 'must name a public host (a fully qualified domain name)'],
    ['https://printer.local/x', 'must name a public host, not a local or internal name'],
    ['https://metadata.google.internal/x', 'must name a public host, not a local or internal name'],
    ['https://127.0.0.1/x', 'must not point at a loopback address'],
    ['https://10.1.2.3/x', 'must not point at a private address'],
    ['https://172.20.0.1/x', 'must not point at a private address'],
    ['https://192.168.1.1/x', 'must not point at a private address'],
    ['https://169.254.169.254/latest/meta-data', 'must not point at a link-local address'],
    ['https://100.64.0.1/x', 'must not point at a shared (carrier-grade NAT) address'],
    ['https://0.0.0.0/x', 'must not point at an unspecified address'],
    ['https://[::1]/x', 'must not point at a loopback address'],
    ['https://[::ffff:10.0.0.1]/x', 'must not point at a private address'],
    ['https://[fd00::1]/x', 'must not point at a private (unique local) address'],
    ['https://[fe80::1]/x', 'must not point at a link-local address'],
    // The URL parser normalises other spellings of 127.0.0.1 first.
    ['https://2130706433/x', 'must not point at a loopback address'],
    ['https://0x7f.1/x', 'must not point at a loopback address'],
    ['https://017700000001/x', 'must not point at a loopback address'],
  ])('refuses %s in AWS: %s', (url, problem) => {
    expect(urlProblem(url, AWS)).toBe(problem);
  });

  it('locally (WEBHOOK_ALLOW_LOOPBACK) takes http to loopback hosts, and nothing else new', () => {
    expect(urlProblem('http://127.0.0.1:4321/hook', LOCAL)).toBeUndefined();
    expect(urlProblem('http://localhost:4321/hook', LOCAL)).toBeUndefined();
    expect(urlProblem('http://[::1]:4321/hook', LOCAL)).toBeUndefined();
    expect(urlProblem('http://127.0.0.1:4321/hook', AWS)).toBe('must use https');
    expect(urlProblem('http://hooks.example.com/x', LOCAL)).toBe('must use https');
    expect(urlProblem('https://10.0.0.1/x', LOCAL)).toBe('must not point at a private address');
    expect(urlProblem('http://user:pw@127.0.0.1/x', LOCAL)).toBe('must not carry credentials (user:password@)');
  });

  it('judges resolved addresses the same way (IPv4-mapped, NAT64 and 6to4 by the IPv4 address they carry)', () => {
    expect(blockedAddress('8.8.8.8', AWS)).toBeUndefined();
    expect(blockedAddress('2001:4860:4860::8888', AWS)).toBeUndefined();
    expect(blockedAddress('::ffff:127.0.0.1', AWS)).toBe('loopback');
    expect(blockedAddress('::ffff:7f00:1', AWS)).toBe('loopback');
    expect(blockedAddress('64:ff9b::a9fe:a9fe', AWS)).toBe('link-local');
    expect(blockedAddress('2002:c0a8:0101::1', AWS)).toBe('private');
    expect(blockedAddress('::', AWS)).toBe('unspecified');
    expect(blockedAddress('ff02::1', AWS)).toBe('multicast');
    expect(blockedAddress('224.0.0.251', AWS)).toBe('multicast');
    expect(blockedAddress('255.255.255.255', AWS)).toBe('reserved');
    expect(blockedAddress('127.0.0.1', LOCAL)).toBeUndefined();
    expect(blockedAddress('10.0.0.1', LOCAL)).toBe('private');
  });

  it('the request schema names the field at fault: unknown type, * not alone, a type twice, extra fields', () => {
    const issue = (body: unknown) => {
      const r = newSubscriptionSchema.safeParse(body);
      return r.success ? undefined : { path: r.error.issues[0]?.path.join('.'), message: r.error.issues[0]?.message };
    };
    expect(issue({ url: 'https://a.example.com', types: ['invoice.issued', 'invoice.nope'] })).toEqual({ path: 'types.1', message: 'unknown event type "invoice.nope"' });
    expect(issue({ url: 'https://a.example.com', types: ['*', 'invoice.paid'] })?.path).toBe('types');
    expect(issue({ url: 'https://a.example.com', types: ['invoice.paid', 'invoice.paid'] })?.message).toBe('each type once');
    expect(issue({ url: 'https://a.example.com', types: [] })?.path).toBe('types');
    expect(issue({ url: 'https://a.example.com', types: ['*'], secret: 'mine' })?.message).toMatch(/unrecognized key/i);
    expect(issue({ url: 'https://a.example.com', types: ['*'] })).toBeUndefined();
  });

  it('a subscription takes the types it names, or every type with *, while active', () => {
    expect(subscribesTo({ types: ['invoice.issued'], status: 'active' }, 'invoice.issued')).toBe(true);
    expect(subscribesTo({ types: ['invoice.issued'], status: 'active' }, 'invoice.paid')).toBe(false);
    expect(subscribesTo({ types: ['*'], status: 'active' }, 'customer.mail_suppressed')).toBe(true);
    expect(subscribesTo({ types: ['*'], status: 'deleted' }, 'invoice.paid')).toBe(false);
  });
});

describe('retry schedule and attempt outcomes', () => {
  it('is the Standard Webhooks schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h', () => {
    expect(STANDARD_RETRY_SCHEDULE).toEqual([0, 5, 300, 1800, 7200, 18000, 36000, 36000]);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => nextAttemptDelay(n))).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000, undefined]);
    expect(nextAttemptDelay(2, [0, 1, 2])).toBe(2);
    expect(nextAttemptDelay(3, [0, 1, 2])).toBeUndefined();
    expect(retryScheduleSchema.safeParse([0, 60, 600]).success).toBe(true);
    expect(retryScheduleSchema.safeParse([5, 60]).success).toBe(false);
  });

  const started = new Date('2026-03-01T10:00:00.000Z');
  it('2xx delivers; 3xx/4xx/5xx and network errors fail the attempt; the next is counted from its end', () => {
    expect(attemptOutcome(started, { statusCode: 204, durationMs: 120 }, { round: 1, attempt: 1 })).toEqual({
      status: 'delivered',
      at: '2026-03-01T10:00:00.120Z',
      attempt: { round: 1, attempt: 1, at: started.toISOString(), durationMs: 120, statusCode: 204 },
    });
    const redirect = attemptOutcome(started, { statusCode: 302, durationMs: 1000 }, { round: 1, attempt: 1 });
    expect(redirect).toMatchObject({
      status: 'pending',
      delaySeconds: 5,
      nextAttemptAt: '2026-03-01T10:00:06.000Z',
      attempt: { statusCode: 302, error: 'http_status', retryAt: '2026-03-01T10:00:06.000Z' },
    });
    const timeout = attemptOutcome(started, { durationMs: 10_000, error: 'timeout' }, { round: 1, attempt: 3 });
    expect(timeout).toMatchObject({ status: 'pending', delaySeconds: 1800, nextAttemptAt: '2026-03-01T10:30:10.000Z', attempt: { error: 'timeout' } });
    expect(timeout.attempt).not.toHaveProperty('statusCode');
  });

  it('the last attempt of the schedule dead-letters the delivery', () => {
    expect(attemptOutcome(started, { statusCode: 500, durationMs: 5, responseSnippet: 'oops' }, { round: 2, attempt: 8 })).toEqual({
      status: 'failed',
      at: '2026-03-01T10:00:00.005Z',
      attempt: { round: 2, attempt: 8, at: started.toISOString(), durationMs: 5, statusCode: 500, error: 'http_status', responseSnippet: 'oops' },
    });
    expect(attemptOutcome(started, { statusCode: 500, durationMs: 5 }, { round: 1, attempt: 2 }, [0, 60]).status).toBe('failed');
  });

  it('keeps the newest 40 attempts and a printable snippet of at most 200 characters', () => {
    const a = (n: number): Attempt => ({ round: 1, attempt: n, at: started.toISOString(), durationMs: 1 });
    const log = Array.from({ length: 40 }, (_, i) => a(i + 1));
    expect(keptAttempts(log, a(41)).map((x) => x.attempt)).toEqual(Array.from({ length: 40 }, (_, i) => i + 2));
    expect(responseSnippet('  error:\n\tbad\u001b[31m  ')).toBe('error: bad [31m');
    expect(responseSnippet('x'.repeat(500))).toHaveLength(200);
    expect(responseSnippet(' \n ')).toBeUndefined();
  });
});

describe('signing (Standard Webhooks)', () => {
  const key = Buffer.alloc(32, 7);
  const secret = signingSecret(key);
  const body = JSON.stringify({ id: 'evt_1', type: 'invoice.issued', data: { amount: 12500 } });

  it('a secret is whsec_ and the base64 of 32 bytes', () => {
    expect(secret).toBe(`whsec_${key.toString('base64')}`);
    expect(() => signingSecret(Buffer.alloc(8))).toThrow();
  });

  it('signs "<id>.<timestamp>.<body>" with HMAC-SHA256 of the secret\'s bytes; the library verifies it', () => {
    const ts = 1_780_000_000;
    const headers = webhookHeaders(secret, 'evt_1', ts, body);
    const expected = createHmac('sha256', key).update(signedContent('evt_1', ts, body)).digest('base64');
    expect(headers).toMatchObject({
      'webhook-id': 'evt_1',
      'webhook-timestamp': String(ts),
      'webhook-signature': `v1,${expected}`,
      'content-type': 'application/json',
      'user-agent': expect.stringMatching(/Collections-Webhooks/),
    });
    // Verification checks the timestamp against the clock: sign as of now.
    const now = Math.floor(Date.now() / 1000);
    const live = webhookHeaders(secret, 'evt_1', now, body);
    expect(new Webhook(secret).verify(body, live)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(body.replace('12500', '1'), live)).toThrow(WebhookVerificationError);
    expect(() => new Webhook(signingSecret(Buffer.alloc(32, 8))).verify(body, live)).toThrow(WebhookVerificationError);
    expect(() => new Webhook(secret).verify(body, webhookHeaders(secret, 'evt_1', now - 600, body))).toThrow(/too old/);
  });
});

describe('one POST (the adapter)', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });
  async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  }
  const post = (url: string, extra: Partial<Parameters<typeof postWebhook>[0]> = {}) =>
    postWebhook({ url, headers: { 'content-type': 'application/json', 'webhook-id': 'evt_x' }, body: '{"a":1}', timeoutMs: 2000, rules: LOCAL, ...extra });

  it('sends the body and headers and answers the status (2xx)', async () => {
    let got: { body: string; id?: string; length?: string } | undefined;
    const url = await serve((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        got = { body, id: req.headers['webhook-id'] as string, length: req.headers['content-length'] };
        res.writeHead(200).end('ok');
      });
    });
    const result = await post(url);
    expect(result).toMatchObject({ statusCode: 200, responseSnippet: 'ok' });
    expect(result.error).toBeUndefined();
    expect(got).toEqual({ body: '{"a":1}', id: 'evt_x', length: '7' });
  });

  it('a 500 is answered with a snippet of the body; a redirect is not followed', async () => {
    let followed = false;
    const target = await serve((_req, res) => {
      followed = true;
      res.writeHead(200).end();
    });
    const redirecting = await serve((_req, res) => res.writeHead(307, { location: target }).end());
    const failing = await serve((_req, res) => res.writeHead(500).end(`boom ${'x'.repeat(5000)}`));
    expect(await post(redirecting)).toMatchObject({ statusCode: 307 });
    expect(followed).toBe(false);
    const failed = await post(failing);
    expect(failed.statusCode).toBe(500);
    expect(failed.responseSnippet).toMatch(/^boom x+…$/);
    expect(failed.responseSnippet).toHaveLength(200);
  });

  it('a subscriber that does not answer in time is a timeout; a closed port is connection_refused', async () => {
    const hanging = await serve(() => undefined);
    const slow = await post(hanging, { timeoutMs: 300 });
    expect(slow).toMatchObject({ error: 'timeout' });
    expect(slow.durationMs).toBeGreaterThanOrEqual(290);
    expect(slow.durationMs).toBeLessThan(2000);
    const closed = await serve(() => undefined);
    await new Promise((r) => servers.pop()?.close(r));
    expect(await post(closed)).toMatchObject({ error: 'connection_refused' });
  });

  it('refuses to connect to a blocked address: an IP literal, or a name that resolves to one', async () => {
    const url = await serve((_req, res) => res.writeHead(200).end());
    expect(await post(url, { rules: AWS })).toMatchObject({ error: 'blocked_address' });
    expect(await post(url.replace('127.0.0.1', 'localhost'), { rules: AWS })).toMatchObject({ error: 'blocked_address' });
    expect(await post(url.replace('127.0.0.1', 'localhost'), { rules: LOCAL })).toMatchObject({ statusCode: 200 });
  });

  it('the guarded lookup answers both the single-address and the all-addresses form', async () => {
    const lookup = guardedLookup(LOCAL);
    const one = await new Promise<unknown[]>((r) => lookup('localhost', { family: 4 }, (...args) => r(args)));
    expect(one).toEqual([null, '127.0.0.1', 4]);
    const all = await new Promise<unknown[]>((r) => lookup('localhost', { family: 4, all: true }, (...args) => r(args)));
    expect(all).toEqual([null, [{ address: '127.0.0.1', family: 4 }]]);
  });
});

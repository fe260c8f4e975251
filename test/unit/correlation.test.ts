/**
 * One correlation id per piece of work, at every edge (shared/context.ts): taken from the request or message, in every
 * log line of the work (`correlation_id`), carried on every queue message and mail it sends, echoed on HTTP responses
 * — and never leaking into other work: the next record of a batch, the next invocation, concurrent work.
 * (Through the local stack: test/integration/correlation.test.ts.)
 */
import type { SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, ScheduledEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { jsonOutput } from '../support/output.ts';

const sqsSent: (SendMessageCommand | SendMessageBatchCommand)[] = [];
const sesSent: SendEmailCommand[] = [];
vi.mock('../../shared/adapters/aws.ts', async (original) => ({
  ...(await original<typeof import('../../shared/adapters/aws.ts')>()),
  sqs: () => ({
    send: async (command: SendMessageCommand | SendMessageBatchCommand) => {
      sqsSent.push(command);
      return {};
    },
  }),
  ses: () => ({
    send: async (command: SendEmailCommand) => {
      sesSent.push(command);
      return { MessageId: 'ses-message-1' };
    },
  }),
}));

const { correlationId, isCorrelationId, withCorrelationId } = await import('../../shared/context.ts');
const { logger } = await import('../../shared/logger.ts');
const { sqsHandler, processPartialResponse } = await import('../../shared/handlers/sqs-batch.ts');
const { scheduledHandler } = await import('../../shared/handlers/scheduled.ts');
const { enqueue, enqueueAll } = await import('../../shared/adapters/queue.ts');
const { sendMail } = await import('../../shared/adapters/mailer.ts');
const { httpHandler, json } = await import('../../shared/http/api.ts');
const { mailPut } = await import('../../shared/store/mail.ts');


const record = (messageId: string, correlation?: string): SQSRecord =>
  ({
    messageId,
    body: messageId,
    attributes: { ApproximateReceiveCount: '1' },
    messageAttributes: correlation ? { correlationId: { dataType: 'String', stringValue: correlation, stringListValues: [], binaryListValues: [] } } : {},
  }) as unknown as SQSRecord;
const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

beforeEach(() => {
  sqsSent.length = 0;
  sesSent.length = 0;
  process.env.MAIL_FROM = 'billing@example.com';
  process.env.SES_CONFIGURATION_SET = 'MailConfigurationSet';
  process.env.COLLECTIONS_QUEUE_URL = 'http://sqs.local/000000000000/collections';
  process.env.PAYMENTS_QUEUE_URL = 'http://sqs.local/000000000000/payments';
  process.env.TABLE_NAME = 'collections-unit';
});
afterEach(() => vi.restoreAllMocks());

describe('well-formed ids', () => {
  it('takes request ids as they come (UUIDs, API Gateway\'s ids) and refuses free text, header injection and long ones', () => {
    for (const id of ['4b8f3c1e-2f7a-4d2b-9a51-0c6f1f3e9d10', 'Kz6N1iW5IAMEPBQ=', 'evt_1Nq:run.7', 'a']) expect(isCorrelationId(id)).toBe(true);
    for (const id of ['', 'two words', 'x\r\nBcc: eve@example.com', '<script>', 'é', 'a'.repeat(129), undefined, 42]) {
      expect(isCorrelationId(id)).toBe(false);
    }
  });

  it('gives work without a usable id a new one, never none', async () => {
    const ids = await Promise.all([withCorrelationId(undefined, async () => correlationId()), withCorrelationId('bad id', async () => correlationId())]);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[0]).not.toBe(ids[1]);
    expect(correlationId()).toBeUndefined();
  });
});

describe('an SQS batch', () => {
  it('handles each record under its own id — the carried attribute, else the message id — in every log line, leaving none behind', async () => {
    const seen: (string | undefined)[] = [];
    const handler = sqsHandler(
      async (r) => {
        seen.push(correlationId());
        logger.warn('working on it', { messageId: r.messageId });
        if (r.messageId === 'm-3') throw new Error('try again');
      },
      { what: 'message' },
    );
    const lines = await jsonOutput(() => handler(batch(record('m-1', 'cid-first'), record('m-2'), record('m-3', 'cid-third'), record('m-4', 'not well formed'))));
    expect(seen).toEqual(['cid-first', 'm-2', 'cid-third', 'm-4']);
    const working = lines.filter((l) => l.message === 'working on it').map((l) => [l.messageId, l.correlation_id]);
    expect(working).toEqual([
      ['m-1', 'cid-first'],
      ['m-2', 'm-2'],
      ['m-3', 'cid-third'],
      ['m-4', 'm-4'],
    ]);
    // The failure is logged under the failing record's id.
    expect(lines.find((l) => String(l.message).includes('will be retried'))).toMatchObject({ messageId: 'm-3', correlation_id: 'cid-third' });
    expect(correlationId()).toBeUndefined();
    const after = await jsonOutput(async () => logger.warn('outside any work'));
    expect(after[0]).not.toHaveProperty('correlation_id');
  });

  it('keeps the ids of two batches worked on at the same time apart (the local runtime runs functions concurrently)', async () => {
    const seen: string[] = [];
    const slow = async (r: SQSRecord) => {
      await new Promise((resolve) => setTimeout(resolve, r.messageId.startsWith('a') ? 20 : 5));
      seen.push(`${r.messageId}=${correlationId()}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push(`${r.messageId}=${correlationId()}`);
    };
    await Promise.all([
      processPartialResponse(batch(record('a1', 'cid-a1'), record('a2', 'cid-a2')), slow, { what: 'message' }),
      processPartialResponse(batch(record('b1', 'cid-b1'), record('b2')), slow, { what: 'message' }),
    ]);
    expect(seen.sort()).toEqual(['a1=cid-a1', 'a1=cid-a1', 'a2=cid-a2', 'a2=cid-a2', 'b1=cid-b1', 'b1=cid-b1', 'b2=b2', 'b2=b2']);
  });

  it('sends the messages of a record\'s work with that record\'s id as the correlationId attribute', async () => {
    await processPartialResponse(
      batch(record('m-1', 'cid-one'), record('m-2')),
      async (r) => {
        await enqueue('payments', { from: r.messageId });
        await enqueueAll('collections', Array.from({ length: 12 }, (_, i) => ({ from: r.messageId, i })));
      },
      { what: 'message' },
    );
    const attributes = sqsSent.flatMap((c) =>
      'Entries' in c.input
        ? (c.input.Entries ?? []).map((e) => [JSON.parse(e.MessageBody ?? '{}').from, e.MessageAttributes?.correlationId?.StringValue])
        : [[JSON.parse(c.input.MessageBody ?? '{}').from, c.input.MessageAttributes?.correlationId?.StringValue]],
    );
    expect(attributes).toHaveLength(26);
    for (const [from, id] of attributes) expect(id).toBe(from === 'm-1' ? 'cid-one' : 'm-2');
    for (const c of sqsSent) if ('Entries' in c.input) expect(c.input.Entries!.length).toBeLessThanOrEqual(10);
  });

  it('sends without the attribute outside any work', async () => {
    await enqueue('payments', { x: 1 });
    expect((sqsSent[0] as SendMessageCommand).input.MessageAttributes).toBeUndefined();
  });
});

describe('a scheduled run', () => {
  it('runs under the run\'s id (the event\'s id: EventBridge Scheduler\'s execution id)', async () => {
    const handler = scheduledHandler(async (now) => ({ now: now.toISOString(), id: correlationId() }));
    const event = { id: 'b3f1c2d4-0000-4000-8000-000000000001', time: '2026-12-01T09:00:00Z' } as ScheduledEvent;
    expect(await handler(event)).toEqual({ now: '2026-12-01T09:00:00.000Z', id: 'b3f1c2d4-0000-4000-8000-000000000001' });
  });
});

describe('HTTP', () => {
  const event = (headers: Record<string, string>): APIGatewayProxyEventV2 =>
    ({
      version: '2.0',
      routeKey: 'GET /health',
      rawPath: '/health',
      rawQueryString: '',
      headers,
      requestContext: { requestId: 'JKJaXmPLvHcESHA=', timeEpoch: Date.now(), http: { method: 'GET', path: '/health' } },
      isBase64Encoded: false,
    }) as unknown as APIGatewayProxyEventV2;
  const handler = httpHandler({
    'GET /health': async () => {
      logger.warn('handling');
      return json(200, { id: correlationId() });
    },
  });

  it('takes a well-formed x-correlation-id, runs the request under it and echoes it on the response', async () => {
    const lines = await jsonOutput(async () => {
      const res = await handler(event({ 'X-Correlation-Id': 'caller-chosen-1' }), {} as never);
      expect(JSON.parse(String(res.body))).toEqual({ id: 'caller-chosen-1' });
      expect(res.headers?.['x-correlation-id']).toBe('caller-chosen-1');
    });
    expect(lines.find((l) => l.message === 'handling')?.correlation_id).toBe('caller-chosen-1');
  });

  it('uses API Gateway\'s request id without the header or when it is malformed — also on an error response', async () => {
    const cases: Record<string, string>[] = [{}, { 'x-correlation-id': 'x\r\nSet-Cookie: a=b' }, { 'x-correlation-id': 'a'.repeat(200) }];
    for (const headers of cases) {
      const res = await handler(event(headers), {} as never);
      expect(res.headers?.['x-correlation-id']).toBe('JKJaXmPLvHcESHA=');
    }
    const unknown = await handler({ ...event({}), routeKey: 'GET /nowhere' }, {} as never);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers?.['x-correlation-id']).toBe('JKJaXmPLvHcESHA=');
  });
});

describe('mail', () => {
  const mail = { to: 'ada@example.com', subject: 'Payment received', html: '<p>Thanks</p>', text: 'Thanks', customerId: 'cus_0123456789abcdef' };

  it('is stored with the id of the work that wrote it', async () => {
    const message = { key: 'receipt#pay_1', customerId: 'cus_1', kind: 'receipt', to: 'ada@example.com', subject: 's', html: 'h', text: 't', createdAt: '2026-12-01T09:00:00.000Z', status: 'pending' as const };
    expect(mailPut(message).Item).not.toHaveProperty('correlationId');
    const inWork = await withCorrelationId('cid-writer', async () => mailPut(message));
    expect(inWork.Item.correlationId).toBe('cid-writer');
    // A mail that already has one keeps it.
    expect((await withCorrelationId('cid-other', async () => mailPut({ ...message, correlationId: 'cid-writer' }))).Item.correlationId).toBe('cid-writer');
  });

  it('is sent with its id as the X-Correlation-Id header and the correlation_id tag; the stored id wins over the sender\'s', async () => {
    await withCorrelationId('sweep-run-7', () => sendMail({ ...mail, correlationId: 'cid-writer_1' }));
    expect(sesSent[0]!.input.EmailTags).toEqual([
      { Name: 'customer_id', Value: 'cus_0123456789abcdef' },
      { Name: 'correlation_id', Value: 'cid-writer_1' },
    ]);
    expect(sesSent[0]!.input.Content?.Simple?.Headers).toEqual([{ Name: 'X-Correlation-Id', Value: 'cid-writer_1' }]);
  });

  it('takes the current work\'s id when the mail has none; an id SES refuses as a tag value goes in the header only', async () => {
    await withCorrelationId('Kz6N1iW5IAMEPBQ=', () => sendMail(mail));
    expect(sesSent[0]!.input.EmailTags).toEqual([{ Name: 'customer_id', Value: 'cus_0123456789abcdef' }]);
    expect(sesSent[0]!.input.Content?.Simple?.Headers).toEqual([{ Name: 'X-Correlation-Id', Value: 'Kz6N1iW5IAMEPBQ=' }]);
  });

  it('goes without either outside any work', async () => {
    await sendMail(mail);
    expect(sesSent[0]!.input.Content?.Simple?.Headers).toBeUndefined();
    expect(sesSent[0]!.input.EmailTags).toEqual([{ Name: 'customer_id', Value: 'cus_0123456789abcdef' }]);
  });
});

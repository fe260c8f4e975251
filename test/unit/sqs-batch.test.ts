import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { processPartialResponse } from '../../shared/handlers/sqs-batch.ts';
import { sweepHandler } from '../../shared/handlers/scheduled.ts';

const record = (id: string, body: string): SQSRecord =>
  ({ messageId: id, body, attributes: { ApproximateReceiveCount: '1' } }) as unknown as SQSRecord;
const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

describe('processPartialResponse (the queue workers\' batch helper)', () => {
  it('handles records one at a time, in order, and reports only the failed ones', async () => {
    const seen: string[] = [];
    let running = 0;
    const out = await processPartialResponse(
      batch(record('a', '1'), record('b', 'boom'), record('c', '3')),
      async (r) => {
        running++;
        expect(running).toBe(1);
        await Promise.resolve();
        seen.push(r.messageId);
        running--;
        if (r.body === 'boom') throw new Error('failed');
      },
      { what: 'message' },
    );
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: 'b' }] });
  });

  it('answers a batch whose every record fails with all of them (no thrown error), a synchronous throw included', async () => {
    const out = await processPartialResponse(batch(record('a', '{'), record('b', '{')), (r) => JSON.parse(r.body), { what: 'message' });
    expect(out.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['a', 'b']);
  });

  it('drops a permanent error instead of retrying it', async () => {
    class Permanent extends Error {}
    const out = await processPartialResponse(
      batch(record('a', 'p'), record('b', 't')),
      async (r) => {
        throw r.body === 'p' ? new Permanent('never works') : new Error('try again');
      },
      { what: 'job', isPermanent: (e) => e instanceof Permanent },
    );
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: 'b' }] });
  });
});

describe('sweepHandler (the scheduled sweeps\' factory)', () => {
  it('refuses an event without a valid time before doing anything', async () => {
    const handler = sweepHandler('reminders', 'dunning');
    await expect(handler({ time: 'not a time' } as never)).rejects.toThrow('scheduled event without a valid time');
  });
});

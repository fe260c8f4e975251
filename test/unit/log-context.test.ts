/**
 * Lambda context in every log line: handlers that are not middy handlers are wrapped with `withLambdaContext`
 * (httpHandler adds it in a middy `before`); Powertools then puts the request id, function name and cold start into
 * each line. Without a context (the local poller, unit tests) the handler still runs.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../../local/invoke.ts';
import { logger, withLambdaContext } from '../../shared/logger.ts';
import { functions } from '../../shared/topology.ts';
import { jsonOutput } from '../support/output.ts';


afterEach(() => vi.restoreAllMocks());

describe('withLambdaContext', () => {
  const spec = functions.find((f) => f.name === 'collections-worker')!;
  const handler = withLambdaContext(async (event: { n: number }) => {
    logger.warn('working', { n: event.n });
    return event.n * 2;
  });

  it('puts the request id, function name and cold start into every line of the invocation', async () => {
    const first = lambdaContext(spec);
    const second = lambdaContext(spec);
    const lines = await jsonOutput(async () => {
      expect(await handler({ n: 1 }, first)).toBe(2);
      expect(await handler({ n: 2 }, second)).toBe(4);
    });
    const working = lines.filter((l) => l.message === 'working');
    expect(working).toHaveLength(2);
    expect(working[0]).toMatchObject({ function_request_id: first.awsRequestId, function_name: spec.name, n: 1 });
    expect(working[1]).toMatchObject({ function_request_id: second.awsRequestId, function_name: spec.name, n: 2 });
    expect(typeof working[0]!.cold_start).toBe('boolean');
    expect(working[1]!.cold_start).toBe(false);
  });

  it('runs the handler without a context (local poller, tests)', async () => {
    expect(await handler({ n: 3 })).toBe(6);
  });
});

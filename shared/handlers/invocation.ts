import type { Context } from 'aws-lambda';
import { withCorrelationId } from '../context.ts';
import { withLambdaContext } from '../logger.ts';
import { flushMetrics } from '../metrics.ts';

/**
 * The frame of every invocation that is not an HTTP request (httpHandler frames those): the Lambda context in every
 * log line, the work under its correlation id (`correlationOf(event)`; a malformed or missing one gets a new id), and
 * the invocation's business metrics flushed when it ends, whether it succeeded or threw.
 */
export function invocationHandler<E, R>(
  correlationOf: (event: E) => string | undefined,
  handler: (event: E) => Promise<R>,
): (event: E, context?: Context) => Promise<R> {
  return withLambdaContext((event: E) =>
    withCorrelationId(correlationOf(event), async () => {
      try {
        return await handler(event);
      } finally {
        flushMetrics();
      }
    }),
  );
}

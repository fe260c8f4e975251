import type { Context, SNSEvent } from 'aws-lambda';
import { invocationHandler } from './invocation.ts';

/**
 * The handler of an SNS subscription: SNS invokes Lambda with one notification per invocation, whose message id is
 * the work's correlation id (in every log line of it).
 */
export function snsHandler<R>(handler: (event: SNSEvent) => Promise<R>): (event: SNSEvent, context?: Context) => Promise<R> {
  return invocationHandler((event: SNSEvent) => event.Records[0]?.Sns.MessageId, handler);
}

import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { requireEnv } from '../adapters/aws.ts';
import { env } from '../topology.ts';

export function tableName(): string {
  return requireEnv(env.tableName);
}

/** Cancellation reason codes of a failed TransactWriteItems, in action order ("None" for actions that passed). */
export function cancellationCodes(error: unknown): string[] | undefined {
  if (error instanceof TransactionCanceledException || (error as { name?: string })?.name === 'TransactionCanceledException') {
    const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
    return reasons.map((r) => r.Code ?? 'None');
  }
  return undefined;
}

export function isConditionalFailure(error: unknown): boolean {
  return (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/** Strips key and index attributes from a stored item. */
export function entity<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const { PK: _pk, SK: _sk, GSI1PK: _a, GSI1SK: _b, GSI2PK: _c, GSI2SK: _d, GSI3PK: _e, GSI3SK: _f, entity: _g, ...rest } =
    item;
  return rest as T;
}

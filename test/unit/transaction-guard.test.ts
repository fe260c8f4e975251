/**
 * The transaction guard: no TransactWriteItems leaves this process with more than 100 actions, more than 4 MB or two
 * actions on one item — such a call is a programming error, thrown loudly before anything is sent.
 */
import { describe, expect, it } from 'vitest';
import { assertTransactionLimits, MAX_TRANSACTION_ACTIONS, TransactionLimitError, transactWrite, type TransactItems } from '../../shared/store/table.ts';

const put = (i: number, size = 0): TransactItems[number] => ({
  Put: { TableName: 't', Item: { PK: `ITEM#${i}`, SK: 'X', ...(size ? { blob: 'x'.repeat(size) } : {}) } },
});

describe('the transaction guard', () => {
  it('lets 100 actions on 100 items through', () => {
    expect(MAX_TRANSACTION_ACTIONS).toBe(100);
    expect(() => assertTransactionLimits(Array.from({ length: 100 }, (_, i) => put(i)))).not.toThrow();
  });

  it('throws a TransactionLimitError for 101 actions, before sending anything', async () => {
    const items = Array.from({ length: 101 }, (_, i) => put(i));
    expect(() => assertTransactionLimits(items)).toThrow(TransactionLimitError);
    expect(() => assertTransactionLimits(items)).toThrow(/101 actions/);
    // transactWrite refuses without reaching DynamoDB (there is no table or endpoint configured here).
    await expect(transactWrite(items)).rejects.toBeInstanceOf(TransactionLimitError);
  });

  it('throws for an empty transaction', () => {
    expect(() => assertTransactionLimits([])).toThrow(TransactionLimitError);
  });

  it('throws for two actions on the same item (Put and Update of one key)', () => {
    const items: TransactItems = [
      put(1),
      put(2),
      { Update: { TableName: 't', Key: { PK: 'ITEM#1', SK: 'X' }, UpdateExpression: 'SET a = :a', ExpressionAttributeValues: { ':a': 1 } } },
    ];
    expect(() => assertTransactionLimits(items)).toThrow(/same item.*ITEM#1/);
    // The same key in another table is another item.
    expect(() => assertTransactionLimits([put(1), { Delete: { TableName: 'other', Key: { PK: 'ITEM#1', SK: 'X' } } }])).not.toThrow();
  });

  it('throws when the estimated size passes 4 MB', () => {
    const items = Array.from({ length: 11 }, (_, i) => put(i, 390_000));
    expect(() => assertTransactionLimits(items)).toThrow(/MB/);
    expect(() => assertTransactionLimits(items.slice(0, 10))).not.toThrow();
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { httpErrorOf } from '../../shared/http/api.ts';
import { cursorKey, cursorScope, openCursor, sealCursor } from '../../shared/services/cursor.ts';
import { Invalid } from '../../shared/services/errors.ts';

const key = cursorKey('secret-1');
const scope = cursorScope('GET /customers/{id}/ledger', { customerId: 'cus_a' });

function refused(run: () => unknown) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(Invalid);
    expect(httpErrorOf(error)).toMatchObject({ statusCode: 400, code: 'invalid_cursor', field: 'cursor' });
    return;
  }
  throw new Error('expected the cursor to be refused');
}

describe('pagination cursor codec', () => {
  it('round-trips any position within its scope', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean())), (position) => {
        const cursor = sealCursor(key, scope, position) as string;
        expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
        expect(openCursor(key, scope, cursor)).toEqual(position);
      }),
    );
  });

  it('no next page: null; no cursor: the first page', () => {
    expect(sealCursor(key, scope, undefined)).toBeNull();
    expect(openCursor(key, scope, undefined)).toBeUndefined();
    expect(openCursor(key, scope, '')).toBeUndefined();
  });

  it('binds the cursor to its scope (route and selectors), and to the key', () => {
    const cursor = sealCursor(key, scope, { PK: 'CUSTOMER#cus_a', SK: 'LEDGER#1' }) as string;
    refused(() => openCursor(key, cursorScope('GET /customers/{id}/ledger', { customerId: 'cus_b' }), cursor));
    refused(() => openCursor(key, cursorScope('GET /customers/{id}/communications', { customerId: 'cus_a' }), cursor));
    refused(() => openCursor(cursorKey('secret-2'), scope, cursor));
    expect(cursorScope('GET /invoices', { status: 'open', customerId: 'c' })).toBe(cursorScope('GET /invoices', { customerId: 'c', status: 'open' }));
    expect(cursorScope('GET /invoices', { customerId: 'c', status: undefined })).toBe('GET /invoices?customerId=c');
  });

  it('refuses every single-character change and every forged or malformed cursor', () => {
    const cursor = sealCursor(key, scope, { PK: 'CUSTOMER#cus_a', SK: 'LEDGER#2026' }) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    fc.assert(
      fc.property(fc.nat(cursor.length - 1), fc.constantFrom(...alphabet), (at, ch) => {
        fc.pre(cursor[at] !== ch && cursor[at] !== '.');
        const changed = cursor.slice(0, at) + ch + cursor.slice(at + 1);
        // The last character of a 43-char base64url mac carries 2 padding bits; a change there may decode equal.
        fc.pre(Buffer.from(changed.split('.')[1] as string, 'base64url').toString('hex') !== Buffer.from(cursor.split('.')[1] as string, 'base64url').toString('hex'));
        refused(() => openCursor(key, scope, changed));
      }),
    );
    for (const bad of [
      Buffer.from(JSON.stringify({ PK: 'CUSTOMER#cus_b', SK: 'LEDGER#1' })).toString('base64url'),
      `${Buffer.from('{"PK":"x"}').toString('base64url')}.${'A'.repeat(43)}`,
      'a.b',
      '.'.repeat(50),
      '%%%',
      'x'.repeat(5000),
    ]) {
      refused(() => openCursor(key, scope, bad));
    }
  });
});

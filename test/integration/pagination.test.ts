/**
 * Paginated reads through the local stack: every paginated route (invoices, payments, a customer's ledger and
 * communication history) walks all pages with `limit` + `cursor`, and refuses — with 400 `invalid_cursor` naming the
 * field `cursor`, never a 500 — a cursor it did not issue for that listing: tampered, forged from base64 JSON, or
 * issued for another customer or another route.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { api, newCustomer, newInvoice } from '../support/stack.ts';

type Page = { nextCursor: string | null } & Record<string, unknown>;

/** Walks every page of a listing; returns the items of `field` in order and how many pages it took. */
async function walk(path: string, field: string, limit: number): Promise<{ items: Record<string, unknown>[]; pages: number }> {
  const items: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await api('GET', `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status, res.text).toBe(200);
    const page = res.body as Page;
    items.push(...((page[field] as Record<string, unknown>[] | undefined) ?? []));
    cursor = page.nextCursor;
    pages += 1;
    expect(pages).toBeLessThan(100);
  } while (cursor);
  return { items, pages };
}

/** Flips one character of the cursor's payload (the signature no longer matches). */
function tamper(cursor: string): string {
  const [payload, mac] = cursor.split('.');
  const json = JSON.parse(Buffer.from(payload as string, 'base64url').toString('utf8')) as Record<string, unknown>;
  const changed = Buffer.from(JSON.stringify({ ...json, injected: 'x' })).toString('base64url');
  return `${changed}.${mac}`;
}

/** What a client could make up: base64url JSON of a plausible DynamoDB key (the old, unsigned cursor format). */
function forged(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function expectInvalidCursor(res: { status: number; body: unknown; text: string }) {
  expect(res.status, res.text).toBe(400);
  expect((res.body as { error: { code: string; field: string } }).error).toMatchObject({ code: 'invalid_cursor', field: 'cursor' });
}

const N = 5;
let a: { id: string };
let b: { id: string };
let aInvoices: string[] = [];

beforeAll(async () => {
  a = await newCustomer({ name: 'Long Standing' });
  b = await newCustomer({ name: 'Someone Else' });
  for (let i = 0; i < N; i += 1) {
    const inv = await newInvoice(a.id, { amount: 1000 + i, dueDate: `2026-12-0${i + 1}` });
    aInvoices.push(inv.id);
    // Each extension sends a confirmation mail: N mails in A's history.
    const ext = await api('POST', `/invoices/${inv.id}/extensions`, { newDueDate: '2027-01-15', reason: 'asked nicely' });
    expect(ext.status, ext.text).toBe(201);
  }
  await newInvoice(b.id, { amount: 999 });
  aInvoices = aInvoices.sort();
});

describe('pagination walks every page', () => {
  it('GET /invoices?customerId', async () => {
    const { items, pages } = await walk(`/invoices?customerId=${a.id}`, 'items', 2);
    expect(items.map((i) => i.id).sort()).toEqual(aInvoices);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('GET /customers/{id}/ledger, in booking order', async () => {
    const all = await api('GET', `/customers/${a.id}/ledger?limit=500`);
    expect(all.status, all.text).toBe(200);
    const entries = all.body.entries as { id: string; bookedAt: string }[];
    expect(entries.length).toBeGreaterThanOrEqual(N);
    const { items, pages } = await walk(`/customers/${a.id}/ledger`, 'entries', 2);
    expect(items.map((e) => e.id)).toEqual(entries.map((e) => e.id));
    expect(pages).toBeGreaterThanOrEqual(3);
    const booked = items.map((e) => e.bookedAt as string);
    expect(booked).toEqual([...booked].sort());
  });

  it('GET /customers/{id}/communications, mails in the order they were written', async () => {
    const { items, pages } = await walk(`/customers/${a.id}/communications`, 'mails', 2);
    expect(items.map((m) => m.kind)).toEqual(Array(N).fill('extension_confirmed'));
    const created = items.map((m) => m.createdAt as string);
    expect(created).toEqual([...created].sort());
    expect(new Set(items.map((m) => m.key)).size).toBe(N);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('refuses a limit out of range, naming the field', async () => {
    for (const path of [`/customers/${a.id}/ledger?limit=0`, `/customers/${a.id}/communications?limit=abc`]) {
      const res = await api('GET', path);
      expect(res.status, res.text).toBe(400);
      expect(res.body.error.field).toBe('limit');
    }
  });
});

describe('a cursor the API did not issue for this listing is a 400', () => {
  const routes = () => [
    { path: `/invoices?customerId=${a.id}`, field: 'items' },
    { path: `/customers/${a.id}/ledger`, field: 'entries' },
    { path: `/customers/${a.id}/communications`, field: 'mails' },
  ];

  async function firstCursor(path: string): Promise<string> {
    const res = await api('GET', `${path}${path.includes('?') ? '&' : '?'}limit=1`);
    expect(res.status, res.text).toBe(200);
    expect(typeof res.body.nextCursor).toBe('string');
    return res.body.nextCursor as string;
  }

  it('tampered, forged or garbage cursors on every paginated route', async () => {
    const paths = [...routes().map((r) => r.path), '/payments?status=unapplied', '/invoices?status=open'];
    const forgedKeys = [
      forged({ PK: `CUSTOMER#${b.id}`, SK: 'LEDGER#2026-01-01T00:00:00.000Z#x' }),
      forged({ GSI1PK: `CUSTOMER#${b.id}`, GSI1SK: 'INVOICE#open#2026-12-01#x', PK: 'INVOICE#x', SK: 'INVOICE' }),
      forged({ GSI3PK: 'PAYMENT_STATUS#unapplied', GSI3SK: 'x', PK: 'PAYMENT#x', SK: 'PAYMENT' }),
      forged({ s: 0, k: { PK: `CUSTOMER#${b.id}` } }),
      'not-a-cursor',
      '%%%',
    ];
    const signed = await firstCursor(`/customers/${a.id}/ledger`);
    for (const path of paths) {
      const sep = path.includes('?') ? '&' : '?';
      for (const cursor of [...forgedKeys, tamper(signed), `${signed}x`]) {
        expectInvalidCursor(await api('GET', `${path}${sep}cursor=${encodeURIComponent(cursor)}`));
      }
    }
  });

  it("customer A's cursor on customer B's listing (and on another route or filter)", async () => {
    for (const { path } of routes()) {
      const cursor = await firstCursor(path);
      const other = path.replace(a.id, b.id);
      expectInvalidCursor(await api('GET', `${other}${other.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`));
      // Still fine where it was issued.
      const ok = await api('GET', `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`);
      expect(ok.status, ok.text).toBe(200);
    }
    const invoiceCursor = await firstCursor(`/invoices?customerId=${a.id}`);
    expectInvalidCursor(await api('GET', `/invoices?customerId=${a.id}&status=open&cursor=${encodeURIComponent(invoiceCursor)}`));
    expectInvalidCursor(await api('GET', `/payments?status=unapplied&cursor=${encodeURIComponent(invoiceCursor)}`));
    expectInvalidCursor(await api('GET', `/customers/${a.id}/ledger?cursor=${encodeURIComponent(invoiceCursor)}`));
  });
});

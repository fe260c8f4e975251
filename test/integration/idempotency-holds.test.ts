import { describe, expect, it } from 'vitest';
import { api, newCustomer, newInvoice, unique } from '../support/stack.ts';
import { invoiceState } from '../support/flows.ts';

const at = (iso: string) => ({ 'x-local-time': iso });

describe('POST /payments idempotency', () => {
  const cash = (customerId: string, overrides: Record<string, unknown> = {}) => ({
    customerId,
    method: 'cash',
    reference: 'COUNTER',
    amount: 5000,
    currency: 'EUR',
    receivedDate: '2026-11-20',
    ...overrides,
  });

  it('scopes the Idempotency-Key per customer: the same key for two customers records two payments', async () => {
    const a = await newCustomer();
    const b = await newCustomer();
    const key = unique('idem-pay');
    const first = await api('POST', '/payments', cash(a.id), { 'idempotency-key': key });
    const second = await api('POST', '/payments', cash(b.id), { 'idempotency-key': key });
    expect(first.status, first.text).toBe(201);
    expect(second.status, second.text).toBe(201);
    expect(second.body.id).not.toBe(first.body.id);
    expect(first.body.customerId).toBe(a.id);
    expect(second.body.customerId).toBe(b.id);
  });

  it('answers an identical retry with the first result (200, same id) and refuses the key with another body (409, nothing recorded)', async () => {
    const c = await newCustomer();
    const invoice = await newInvoice(c.id, { amount: 7000 });
    const key = unique('idem-pay');
    const body = cash(c.id, { method: 'check', reference: unique('CHK'), amount: 3000, allocations: [{ invoiceId: invoice.id, amount: 3000 }] });
    const first = await api('POST', '/payments', body, { 'idempotency-key': key });
    expect(first.status, first.text).toBe(201);
    expect(first.body).not.toHaveProperty('requestHash');
    const retry = await api('POST', '/payments', body, { 'idempotency-key': key });
    expect(retry.status, retry.text).toBe(200);
    expect(retry.body).toEqual(first.body);

    const other = await api('POST', '/payments', { ...body, amount: 4000, allocations: [{ invoiceId: invoice.id, amount: 4000 }] }, { 'idempotency-key': key });
    expect(other.status, other.text).toBe(409);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    expect(await invoiceState(invoice.id)).toMatchObject({ status: 'partially_paid', balanceDue: 4000 });
    const stored = await api('GET', `/payments/${first.body.id}`);
    expect(stored.body).toMatchObject({ amount: 3000, unapplied: 0 });
    expect(stored.body).not.toHaveProperty('requestHash');
    const listed = await api('GET', '/payments?status=applied&limit=100');
    expect(listed.body.items.every((p: Record<string, unknown>) => !('requestHash' in p))).toBe(true);
  });

  it('without a key, keeps two cash payments with the same reference apart when amount or received date differ', async () => {
    const c = await newCustomer();
    const first = await api('POST', '/payments', cash(c.id));
    const otherAmount = await api('POST', '/payments', cash(c.id, { amount: 2500 }));
    const otherDay = await api('POST', '/payments', cash(c.id, { receivedDate: '2026-11-21' }));
    expect([first.status, otherAmount.status, otherDay.status]).toEqual([201, 201, 201]);
    expect(new Set([first.body.id, otherAmount.body.id, otherDay.body.id]).size).toBe(3);
    expect([first.body.amount, otherAmount.body.amount, otherDay.body.amount]).toEqual([5000, 2500, 5000]);
    expect((await api('GET', `/customers/${c.id}`)).body.balances.unapplied).toEqual({ EUR: 12500 });
  });

  it('without a key, deduplicates an exact resend with a deterministic id, and refuses a resend that changes the note', async () => {
    const c = await newCustomer();
    const body = cash(c.id, { note: 'paid at the counter' });
    const first = await api('POST', '/payments', body);
    const again = await api('POST', '/payments', body);
    expect(first.status, first.text).toBe(201);
    expect(again.status, again.text).toBe(200);
    expect(again.body).toEqual(first.body);
    // Key order in the body does not matter: the same request is the same payment.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    expect((await api('POST', '/payments', reordered)).body.id).toBe(first.body.id);
    const changed = await api('POST', '/payments', { ...body, note: 'something else' });
    expect(changed.status, changed.text).toBe(409);
    expect(changed.body.error.code).toBe('payment_exists');
    expect((await api('GET', `/customers/${c.id}`)).body.balances.unapplied).toEqual({ EUR: 5000 });
  });
});

describe('collection holds limit', () => {
  it('never drops an active hold: the 21st active hold is refused with 409 naming the limit, and the first (legal) hold stays', async () => {
    const c = await newCustomer();
    const legal = await api('POST', `/customers/${c.id}/holds`, { reason: 'Legal: insolvency proceedings' });
    expect(legal.status, legal.text).toBe(201);
    for (let i = 2; i <= 20; i++) {
      const res = await api('POST', `/customers/${c.id}/holds`, { reason: `negotiation ${i}` });
      expect(res.status, res.text).toBe(201);
    }
    const over = await api('POST', `/customers/${c.id}/holds`, { reason: 'one too many' });
    expect(over.status, over.text).toBe(409);
    expect(over.body.error.code).toBe('too_many_holds');
    expect(over.body.error.message).toMatch(/20 active holds/);
    const holds = (await api('GET', `/customers/${c.id}`)).body.holds as { id: string; reason: string }[];
    expect(holds).toHaveLength(20);
    expect(holds.map((h) => h.id)).toContain(legal.body.id);
    expect(holds.map((h) => h.reason)).not.toContain('one too many');

    // A released hold no longer counts: one more fits.
    expect((await api('POST', `/customers/${c.id}/holds/${holds[1]?.id}/release`)).status).toBe(200);
    const fits = await api('POST', `/customers/${c.id}/holds`, { reason: 'after a release' });
    expect(fits.status, fits.text).toBe(201);
    const after = (await api('GET', `/customers/${c.id}`)).body.holds as { id: string }[];
    expect(after.map((h) => h.id)).toContain(legal.body.id);
  });

  it('does not count expired holds', async () => {
    const c = await newCustomer();
    for (let i = 1; i <= 20; i++) {
      const res = await api('POST', `/customers/${c.id}/holds`, { reason: `short ${i}`, expiresAt: '2027-01-02T00:00:00Z' }, at('2027-01-01T00:00:00Z'));
      expect(res.status, res.text).toBe(201);
    }
    const before = await api('POST', `/customers/${c.id}/holds`, { reason: 'still full' }, at('2027-01-01T12:00:00Z'));
    expect(before.status).toBe(409);
    const later = await api('POST', `/customers/${c.id}/holds`, { reason: 'after expiry' }, at('2027-01-03T00:00:00Z'));
    expect(later.status, later.text).toBe(201);
  });
});

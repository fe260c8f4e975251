import { describe, expect, it } from 'vitest';
import { isValidRfReference } from '../../shared/domain/rf-reference.ts';
import { api, newCustomer, newInvoice, stack, unique } from '../support/stack.ts';

describe('admin API', () => {
  it('answers GET /health without auth', async () => {
    const res = await fetch(`${stack.apiUrl}/health`);
    expect(res.status).toBe(200);
  });

  it('requires the admin key', async () => {
    expect((await api('GET', '/customers/cus_x', undefined, { authorization: '' })).status).toBe(401);
    const wrong = await api('GET', '/customers/cus_x', undefined, { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('unauthorized');
    const create = await api('POST', '/customers', { name: 'X', email: 'x@example.com' }, { authorization: 'Bearer nope' });
    expect(create.status).toBe(401);
  });

  it('creates and reads a customer with defaults', async () => {
    const res = await api('POST', '/customers', { name: 'Grace Hopper', email: 'grace@example.com' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Grace Hopper', locale: 'en-US', timeZone: 'UTC', currency: 'EUR' });
    const got = await api('GET', `/customers/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ ...res.body, balances: {} });
  });

  it.each([
    [{ name: '', email: 'a@example.com' }, 'name'],
    [{ name: 'A', email: 'not-an-email' }, 'email'],
    [{ name: 'A', email: 'a@example.com', timeZone: 'Mars/Olympus' }, 'timeZone'],
    [{ name: 'A', email: 'a@example.com', currency: 'EURO' }, 'currency'],
    [{ name: 'A', email: 'a@example.com', locale: '12' }, 'locale'],
    [{ name: 'A', email: 'a@example.com', extra: 1 }, ''],
  ])('rejects a bad customer %j naming %s', async (body, field) => {
    const res = await api('POST', '/customers', body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    if (field) expect(res.body.error.field).toBe(field);
  });

  it('rejects a body that is not JSON', async () => {
    const res = await api('POST', '/customers', '{"name":');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
  });

  it('404s an unknown id', async () => {
    expect((await api('GET', '/customers/cus_missing')).status).toBe(404);
    expect((await api('GET', '/invoices/inv_missing')).status).toBe(404);
  });

  it('replays a create with the same Idempotency-Key and refuses the key with another body', async () => {
    const key = unique('idem');
    const body = { name: 'Idem Potent', email: 'idem@example.com' };
    const first = await api('POST', '/customers', body, { 'idempotency-key': key });
    const second = await api('POST', '/customers', body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    const other = await api('POST', '/customers', { ...body, name: 'Someone Else' }, { 'idempotency-key': key });
    expect(other.status).toBe(409);
  });

  it('issues invoices with a sequence number and a valid, unique RF reference', async () => {
    const customer = await newCustomer();
    const a = await newInvoice(customer.id);
    const b = await newInvoice(customer.id, {
      amount: undefined,
      lines: [
        { description: 'Consulting', quantity: 3, unitAmount: 10000 },
        { description: 'Travel', unitAmount: 2550 },
      ],
    });
    expect(a.status).toBe('open');
    expect(a.number).toMatch(/^INV-\d{6}$/);
    expect(b.balanceDue).toBe(32550);
    expect(isValidRfReference(a.paymentReference)).toBe(true);
    expect(a.paymentReference).not.toBe(b.paymentReference);
    const list = await api('GET', `/invoices?customerId=${customer.id}`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: { id: string }) => i.id).sort()).toEqual([a.id, b.id].sort());
    const open = await api('GET', `/invoices?customerId=${customer.id}&status=open`);
    expect(open.body.items).toHaveLength(2);
    const byStatus = await api('GET', '/invoices?status=open&limit=100');
    expect(byStatus.status).toBe(200);
    expect(byStatus.body.items.every((i: { status: string }) => i.status === 'open')).toBe(true);
  });

  it('refuses a duplicate invoice number with 409 and writes nothing', async () => {
    const customer = await newCustomer();
    const number = unique('N').slice(0, 40).replace(/_/g, '-');
    await newInvoice(customer.id, { number });
    const dup = await api('POST', '/invoices', { customerId: customer.id, currency: 'EUR', amount: 100, issueDate: '2026-11-01', dueDate: '2026-11-30', number });
    expect(dup.status).toBe(409);
    expect(dup.body.error.field).toBe('number');
    const list = await api('GET', `/invoices?customerId=${customer.id}`);
    expect(list.body.items).toHaveLength(1);
  });

  it.each([
    [{ currency: 'EUR', amount: 100, issueDate: '2026-11-01', dueDate: '2026-11-30' }, 'customerId'],
    [{ currency: 'EUR', amount: 1.5, issueDate: '2026-11-01', dueDate: '2026-11-30' }, 'amount'],
    [{ currency: 'EUR', amount: -5, issueDate: '2026-11-01', dueDate: '2026-11-30' }, 'amount'],
    [{ currency: 'XXXX', amount: 100, issueDate: '2026-11-01', dueDate: '2026-11-30' }, 'currency'],
    [{ currency: 'EUR', amount: 100, issueDate: '2026-02-30', dueDate: '2026-11-30' }, 'issueDate'],
    [{ currency: 'EUR', amount: 100, issueDate: '2026-11-01', dueDate: '2026-10-30' }, 'dueDate'],
    [{ currency: 'EUR', issueDate: '2026-11-01', dueDate: '2026-11-30' }, 'amount'],
  ])('rejects a bad invoice %j naming %s', async (partial, field) => {
    const customer = await newCustomer();
    const body = { customerId: field === 'customerId' ? 'cus_nobody' : customer.id, ...partial };
    const res = await api('POST', '/invoices', body);
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe(field);
    expect((await api('GET', `/invoices?customerId=${customer.id}`)).body.items).toHaveLength(0);
  });

  it('rejects an invoice list without a filter, and a bad cursor', async () => {
    expect((await api('GET', '/invoices')).status).toBe(400);
    expect((await api('GET', '/invoices?status=open&cursor=%%%')).status).toBe(400);
  });

  it('404s an unknown route', async () => {
    expect((await api('GET', '/nope')).status).toBe(404);
  });
});

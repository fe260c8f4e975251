import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderText } from '../../local/events.ts';
import { parseBankPayload } from '../../shared/adapters/bank/index.ts';
import { paymentIdFor } from '../../shared/services/payments.ts';
import { invoiceState, ledgerAgrees, processed, postBank } from '../support/flows.ts';
import { api, newCustomer, newInvoice, unique } from '../support/stack.ts';

/** Posts a body to the bank webhook, signed as the bank signs it. */
async function post(body: string) {
  const res = await postBank(body, 'text/plain');
  return { status: res.status, body: JSON.parse(res.text) as { duplicate?: boolean; lines?: number; error?: { message: string } } };
}

describe('BAI2 bank dialects through the signed bank webhook', () => {
  it('a file in bank dialects (wrapped 16 text, "88:", packed records) whose totals hold applies the money', async () => {
    const customer = await newCustomer({ currency: 'USD' });
    const invoice = await newInvoice(customer.id, { currency: 'USD', amount: 125000 });
    const suffix = unique('');
    const body = renderText('events/bank/bai2-dialects.txt', { reference: invoice.paymentReference, invoiceNumber: invoice.number }).replace(
      /,(2026030600010\d),/g,
      `,$1${suffix},`,
    );
    const res = await post(body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const keys = parseBankPayload(body, 'text/plain').lines.map((l) => l.key);
    expect(keys).toEqual([`prov:20260306000101${suffix}`, `prov:20260306000102${suffix}`]);
    for (const key of keys) await processed('bank-line', key, 10_000);
    expect(await invoiceState(invoice.id)).toMatchObject({ status: 'paid', balanceDue: 0 });
    const paid = (await api('GET', `/payments/${paymentIdFor('bank', keys[0] as string)}`)).body;
    expect(paid).toMatchObject({ status: 'applied', amount: 125000, currency: 'USD', customerId: customer.id });
    expect(paid.remittanceText).toContain(`FOR ${invoice.paymentReference} THANK YOU OBI INVOICE ${invoice.number}`);
    await ledgerAgrees(customer.id, [invoice.id]);
    expect((await post(body)).body.duplicate).toBe(true);
  });

  it('the same file with a changed amount is refused with 400 naming the control total, and nothing is stored', async () => {
    const customer = await newCustomer({ currency: 'USD' });
    const invoice = await newInvoice(customer.id, { currency: 'USD', amount: 126000 });
    const suffix = unique('');
    const body = renderText('events/bank/bai2-dialects.txt', { reference: invoice.paymentReference, invoiceNumber: invoice.number })
      .replace(/,(2026030600010\d),/g, `,$1${suffix},`)
      .replace('16,195,125000,', '16,195,126000,');
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.body.error?.message).toMatch(/read with bank dialects .*control total 1627500 does not match the sum of its amounts 1628500/);
    expect((await api('GET', `/payments/${paymentIdFor('bank', `prov:20260306000101${suffix}`)}`)).status).toBe(404);
    expect(await invoiceState(invoice.id)).toMatchObject({ status: 'open', balanceDue: 126000 });
  });

  it('a public file from moov-io/bai2 in these dialects is taken in: every credit becomes a payment', async () => {
    const body = readFileSync(new URL('../../events/bank/public/moov-io-sample3.txt', import.meta.url), 'utf8');
    const res = await post(body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const keys = parseBankPayload(body, 'text/plain').lines.map((l) => l.key);
    expect(keys).toHaveLength(13);
    for (const key of keys) await processed('bank-line', key, 10_000);
    const first = (await api('GET', `/payments/${paymentIdFor('bank', keys[0] as string)}`)).body;
    expect(first).toMatchObject({ amount: 2500, currency: 'USD', status: 'unapplied' }); // no payer known: review
  });
});

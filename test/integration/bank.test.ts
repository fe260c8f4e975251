import { beforeAll, describe, expect, it } from 'vitest';
import { renderText } from '../../local/events.ts';
import { parseBankPayload } from '../../shared/adapters/bank/index.ts';
import { paymentIdFor } from '../../shared/services/payments.ts';
import { invoiceState, ledgerAgrees, processed, postBank } from '../support/flows.ts';
import { ledgerEntries } from '../../shared/store/ledger.ts';
import { api, newCustomer, newInvoice, stack, unique } from '../support/stack.ts';

/** Line keys in the samples are fixed; a suffix keeps this file's lines apart from other tests' (same stack). */
function withUniqueKeys(body: string, suffix: string): string {
  return body
    .replace(/"id": "(txn_[^"]+)"/g, `"id": "$1${suffix}"`)
    .replace(/<((?:\w+:)?(?:AcctSvcrRef|NtryRef))>([^<]+)</g, `<$1>$2${suffix}<`)
    .replace(/,0004654654,/g, `,0004654654${suffix},`)
    .replace(/,20260305000042,/g, `,20260305000042${suffix},`)
    .replace(/,20260305000099,/g, `,20260305000099${suffix},`);
}

async function post(body: string, contentType: string) {
  const res = await postBank(body, contentType);
  return { status: res.status, body: JSON.parse(res.text) as { duplicate?: boolean; lines?: number; error?: { message: string } } };
}

/** Sends a bank payload and waits until every line in it is processed; returns the line keys. */
async function deliver(body: string, contentType: string): Promise<string[]> {
  const res = await post(body, contentType);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const keys = parseBankPayload(body, contentType).lines.map((l) => l.key);
  for (const key of keys) await processed('bank-line', key, 10_000);
  return keys;
}

const payment = async (key: string) => (await api('GET', `/payments/${paymentIdFor('bank', key)}`)).body;

describe('bank payments through the local stack', () => {
  const accounts = { muster: 'DE02120300000000202051', jean: 'FR1420041010050500013M02606', acme: 'NL91ABNA0417164300' };
  const customers = {} as Record<keyof typeof accounts, { id: string }>;

  beforeAll(async () => {
    customers.muster = await newCustomer({ name: 'Muster GmbH', bankAccounts: [accounts.muster] });
    customers.jean = await newCustomer({ name: 'Jean Dupont', locale: 'fr-FR', bankAccounts: [accounts.jean] });
    customers.acme = await newCustomer({ name: 'ACME BV', bankAccounts: [accounts.acme] });
  });

  it('a JSON notification: reference → invoice; invoice number from a known account → invoice; re-sent → nothing', async () => {
    const m1 = await newInvoice(customers.muster.id, { amount: 12500 });
    const j1 = await newInvoice(customers.jean.id, { amount: 810 });
    const body = withUniqueKeys(renderText('events/bank/notification.json', { reference: m1.paymentReference, invoiceNumber: j1.number }), unique('_'));
    const keys = await deliver(body, 'application/json');
    expect(await invoiceState(m1.id)).toMatchObject({ status: 'paid', balanceDue: 0 });
    expect(await invoiceState(j1.id)).toMatchObject({ status: 'paid', balanceDue: 0 });
    expect((await payment(keys[0] as string)).decision.rule).toBe('reference');
    expect((await payment(keys[1] as string)).decision.rule).toBe('invoice_number_in_text');

    const again = await post(body, 'application/json');
    expect(again).toMatchObject({ status: 200, body: { duplicate: true } });
    // The same lines in a different file (other bytes, same line ids) add nothing either.
    await deliver(body.replace('"ntf_', '"ntf_resent_'), 'application/json');
    expect((await invoiceState(m1.id)).appliedPayments).toHaveLength(1);
    await ledgerAgrees(customers.muster.id, [m1.id]);
  });

  it('camt.054 v02: only the booked credit is money, matched by its structured RF reference', async () => {
    const m2 = await newInvoice(customers.muster.id, { amount: 810 });
    const body = withUniqueKeys(renderText('events/bank/camt054-v02.xml', { reference: m2.paymentReference }), unique('_'));
    const keys = await deliver(body, 'application/xml');
    expect(keys).toHaveLength(1);
    expect(await invoiceState(m2.id)).toMatchObject({ status: 'paid' });
    expect((await post(body, 'application/xml')).body.duplicate).toBe(true);
    expect((await invoiceState(m2.id)).appliedPayments).toHaveLength(1);
  });

  it('camt.054 v08 then the camt.053 v08 statement: the entry in both counts once; ambiguous evidence waits in review', async () => {
    const suffix = unique('_');
    const a1 = await newInvoice(customers.acme.id, { amount: 125000 });
    const j2 = await newInvoice(customers.jean.id, { amount: 810 });
    const m3 = await newInvoice(customers.muster.id, { amount: 33440 });
    const vars = { reference: m3.paymentReference, reference2: j2.paymentReference, invoiceNumber: a1.number };
    const notification = withUniqueKeys(renderText('events/bank/camt054-v08.xml', vars), suffix);
    await deliver(notification, 'application/xml');
    expect(await invoiceState(a1.id)).toMatchObject({ status: 'paid' });
    expect(await invoiceState(j2.id)).toMatchObject({ status: 'paid' });

    const statement = withUniqueKeys(renderText('events/bank/camt053-v08.xml', vars), suffix);
    const keys = await deliver(statement, 'application/xml');
    expect(await invoiceState(m3.id)).toMatchObject({ status: 'paid' }); // batched entry, RF reference
    expect((await invoiceState(a1.id)).appliedPayments).toHaveLength(1); // not twice
    // Jean pays 8.10 naming another customer's invoice number: no rule may guess → review, with the reason.
    const facture = await payment(keys.find((k) => k.endsWith(`1202${suffix}`)) as string);
    expect(facture.status).toBe('unapplied');
    expect(facture.decision.reason).toBeTruthy();
    const review = await api('GET', '/payments?status=unapplied&limit=100');
    expect(review.body.items.map((p: { id: string }) => p.id)).toContain(facture.id);
    await ledgerAgrees(customers.acme.id, [a1.id]);
  });

  it('BAI2: credits by reference; an unexplained lockbox deposit goes to review; debits are ignored', async () => {
    const other = await newCustomer({ currency: 'USD' });
    const u1 = await newInvoice(other.id, { currency: 'USD', amount: 810 });
    const u2 = await newInvoice(other.id, { currency: 'USD', amount: 125000 });
    const body = withUniqueKeys(renderText('events/bank/bai2.txt', { reference: u1.paymentReference, reference2: u2.paymentReference, invoiceNumber: u1.number }), unique('_'));
    const keys = await deliver(body, 'text/plain');
    expect(keys).toHaveLength(3);
    expect(await invoiceState(u1.id)).toMatchObject({ status: 'paid' });
    expect(await invoiceState(u2.id)).toMatchObject({ status: 'paid' });
    expect((await payment(keys[2] as string)).status).toBe('unapplied');
    expect((await post(body, 'text/plain')).body.duplicate).toBe(true);
  });

  it('a transfer short by bank fees closes the invoice with a write-off; its reversal reopens all of it', async () => {
    const invoice = await newInvoice(customers.muster.id, { amount: 20000 });
    const id = unique('txn');
    const credit = (status: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        id: unique('ntf'),
        account: { iban: 'DE89370400440532013000' },
        credits: [{ id: status === 'reversed' ? `${id}_rev` : id, status, amount: 19500, currency: 'EUR', bookingDate: '2026-03-05', debtor: { name: 'Muster GmbH', iban: accounts.muster }, references: [invoice.paymentReference], ...extra }],
      });
    const [key] = await deliver(credit('booked'), 'application/json');
    expect(await invoiceState(invoice.id)).toMatchObject({ status: 'paid', balanceDue: 0 });
    expect((await payment(key as string)).decision.evidence).toMatchObject({ shortfall: 500 });
    await deliver(credit('reversed', { reverses: id }), 'application/json');
    expect(await invoiceState(invoice.id)).toMatchObject({ status: 'open', balanceDue: 20000 });
    await ledgerAgrees(customers.muster.id, [invoice.id]);
  });

  it('refuses a bad signature or a malformed file with 400 and stores nothing', async () => {
    const body = renderText('events/bank/notification.json', { reference: 'RF18539007547034', invoiceNumber: 'X' });
    const res = await fetch(`${stack.apiUrl}/webhooks/bank`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-bank-timestamp': String(Math.floor(Date.now() / 1000)), 'x-bank-signature': 'v1=00' },
      body,
    });
    expect(res.status).toBe(400);
    const broken = renderText('events/bank/bai2.txt', {}).replace('49,3251620,7/', '49,3251621,7/');
    const bad = await post(broken, 'text/plain');
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toMatch(/control total/);
  });

  it('staff apply a payment waiting in review by hand, and can take the allocation back', async () => {
    const invoice = await newInvoice(customers.jean.id, { amount: 5000 });
    const body = withUniqueKeys(renderText('events/bank/bai2.txt', { reference: 'none', reference2: 'none', invoiceNumber: 'none' }), unique('_'));
    const keys = await deliver(body, 'text/plain');
    const waiting = await payment(keys[2] as string); // 2,500.00 USD lockbox, unapplied
    expect(waiting.status).toBe('unapplied');
    const usd = await newInvoice(customers.jean.id, { currency: 'USD', amount: 300000 });
    const wrongCurrency = await api('POST', `/payments/${waiting.id}/allocations`, { allocations: [{ invoiceId: invoice.id, amount: 100 }] });
    expect(wrongCurrency.status).toBe(400);
    // Part first: the payment moves from suspense to Jean, and so does what still waits in review (ledger too).
    // At the revision read: a retry of the same request (a timeout, a resend) gets the same answer and applies nothing
    // more; another allocation at that revision is refused, naming what changed.
    const part = await api('POST', `/payments/${waiting.id}/allocations`, { allocations: [{ invoiceId: usd.id, amount: 100000 }], revision: waiting.revision });
    expect(part.body).toMatchObject({ status: 'unapplied', unapplied: 150000, customerId: customers.jean.id });
    const retried = await api('POST', `/payments/${waiting.id}/allocations`, { allocations: [{ invoiceId: usd.id, amount: 100000 }], revision: waiting.revision });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ unapplied: 150000, revision: part.body.revision });
    const stale = await api('POST', `/payments/${waiting.id}/allocations`, { allocations: [{ invoiceId: usd.id, amount: 50000 }], revision: waiting.revision });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'payment_changed', field: 'revision' });
    const suspense = (await ledgerEntries('suspense')).filter((e) => e.paymentId === waiting.id);
    expect(suspense.reduce((s, e) => s + e.amount, 0)).toBe(0);
    expect((await api('GET', `/customers/${customers.jean.id}`)).body.balances.unapplied).toEqual({ USD: 150000 });
    const applied = await api('POST', `/payments/${waiting.id}/allocations`, { allocations: [{ invoiceId: usd.id, amount: 150000 }] });
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({ status: 'applied', unapplied: 0, customerId: customers.jean.id });
    expect(await invoiceState(usd.id)).toMatchObject({ status: 'partially_paid', balanceDue: 50000 });
    expect(applied.body.decisions.at(-1)).toMatchObject({ rule: 'staff_allocation', by: 'staff' });
    const reversed = await api('POST', `/payments/${waiting.id}/allocations/${usd.id}/reverse`);
    expect(reversed.status).toBe(200);
    expect(reversed.body).toMatchObject({ status: 'unapplied', unapplied: 250000 });
    expect(await invoiceState(usd.id)).toMatchObject({ status: 'open', balanceDue: 300000 });
    await ledgerAgrees(customers.jean.id, [usd.id]);
  });

  it('records a check with staff allocations, once', async () => {
    const a = await newInvoice(customers.muster.id, { amount: 4000 });
    const b = await newInvoice(customers.muster.id, { amount: 6000 });
    const check = { customerId: customers.muster.id, method: 'check', reference: unique('CHK'), amount: 9000, currency: 'EUR', receivedDate: '2026-11-20', allocations: [{ invoiceId: a.id, amount: 4000 }, { invoiceId: b.id, amount: 5000 }] };
    const first = await api('POST', '/payments', check);
    expect(first.status, first.text).toBe(201);
    expect(first.body).toMatchObject({ status: 'applied', customerId: customers.muster.id });
    expect(await invoiceState(a.id)).toMatchObject({ status: 'paid' });
    expect(await invoiceState(b.id)).toMatchObject({ status: 'partially_paid', balanceDue: 1000 });
    const again = await api('POST', '/payments', check);
    expect(again.status).toBe(200);
    expect((await invoiceState(b.id)).balanceDue).toBe(1000);
    const tooMuch = await api('POST', '/payments', { ...check, reference: unique('CHK'), allocations: [{ invoiceId: b.id, amount: 99999 }] });
    expect(tooMuch.status).toBe(400);
  });
});

/**
 * Cash application rules through the local stack (item 3 of issue #9): several RF references summing exactly, exact
 * beats tolerant, and review suggestions for payers we do not know from the amount index (GSI4), which follows every
 * balance change (partial payment, full payment).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseBankPayload } from '../../shared/adapters/bank/index.ts';
import { paymentIdFor } from '../../shared/services/payments.ts';
import { invoiceState, ledgerAgrees, processed, postBank } from '../support/flows.ts';
import { api, newCustomer, newInvoice, unique } from '../support/stack.ts';

interface Credit {
  amount: number;
  debtorIban: string;
  remittance?: string;
  references?: string[];
  bookingDate?: string;
}

/** Sends one bank JSON notification with these credits and waits until each line is processed; returns payment ids. */
async function bank(...credits: Credit[]): Promise<string[]> {
  const ids = credits.map(() => unique('txn'));
  const body = JSON.stringify({
    id: unique('ntf'),
    account: { iban: 'DE89370400440532013000' },
    credits: credits.map((c, i) => ({
      id: ids[i],
      status: 'booked',
      amount: c.amount,
      currency: 'EUR',
      bookingDate: c.bookingDate ?? '2026-12-01',
      debtor: { name: 'Somebody', iban: c.debtorIban },
      remittance: c.remittance ?? 'Payment',
      ...(c.references ? { references: c.references } : {}),
    })),
  });
  const res = await postBank(body);
  expect(res.status, res.text).toBe(200);
  const keys = parseBankPayload(body, 'application/json').lines.map((l) => l.key);
  for (const key of keys) await processed('bank-line', key, 10_000);
  return keys.map((key) => paymentIdFor('bank', key));
}

interface StoredPaymentView {
  status: string;
  unapplied: number;
  decision: { outcome: string; rule: string; reason?: string; evidence: Record<string, string | number> };
  allocations: { invoiceId: string; amount: number }[];
  suggestions?: { invoiceIds: string[]; score: number; reason: string }[];
}

const payment = async (id: string) => (await api('GET', `/payments/${id}`)).body as StoredPaymentView;
const suggested = (p: StoredPaymentView) => (p.suggestions ?? []).map((s) => s.invoiceIds.join('+'));

/** Amounts no other test file uses, so the shared stack's amount index holds only this file's invoices near them. */
let nextAmount = 7_000_000 + Math.floor(Math.random() * 1_000_000) * 10;
const distinctAmount = () => (nextAmount += 1_000_000);

let ibanSerial = 0;
const strangerIban = () => `NL${String(10 + (++ibanSerial % 89)).padStart(2, '0')}ZZZZ${String(Date.now() % 1e10).padStart(10, '0')}`;

describe('cash application through the local stack', () => {
  const account = 'DE44500105175407324931';
  let customer: { id: string };
  let other: { id: string };

  beforeAll(async () => {
    customer = await newCustomer({ name: 'Several Refs GmbH', bankAccounts: [account] });
    other = await newCustomer({ name: 'Other AG' });
  });

  it('several RF references whose open balances sum exactly: applied to all of them; not the sum → review with the reason', async () => {
    const a = await newInvoice(customer.id, { amount: 41_000, dueDate: '2026-12-05' });
    const b = await newInvoice(customer.id, { amount: 2_550, dueDate: '2026-12-01' });
    const c = await newInvoice(customer.id, { amount: 900, dueDate: '2026-12-03' });
    const [paid] = await bank({ amount: 44_450, debtorIban: strangerIban(), remittance: `${a.paymentReference} ${b.paymentReference}`, references: [c.paymentReference] });
    const p = await payment(paid as string);
    expect(p.decision, p.decision.reason).toMatchObject({ outcome: 'applied', rule: 'reference', evidence: { openBalancesSum: 44_450 } });
    expect(p.allocations).toEqual([
      { invoiceId: b.id, amount: 2_550 },
      { invoiceId: c.id, amount: 900 },
      { invoiceId: a.id, amount: 41_000 },
    ]);
    for (const inv of [a, b, c]) expect(await invoiceState(inv.id)).toMatchObject({ status: 'paid', balanceDue: 0 });
    await ledgerAgrees(customer.id, [a.id, b.id, c.id]);

    const d = await newInvoice(customer.id, { amount: 10_000 });
    const e = await newInvoice(customer.id, { amount: 5_000 });
    const [short] = await bank({ amount: 14_800, debtorIban: strangerIban(), references: [d.paymentReference, e.paymentReference] });
    const waiting = await payment(short as string);
    expect(waiting).toMatchObject({ status: 'unapplied', unapplied: 14_800 });
    expect(waiting.decision.reason).toMatch(/several references resolve to different invoices .* the amount 14800 is not their open balances' sum 15000/);
    expect(suggested(waiting).slice(0, 2).sort()).toEqual([d.id, e.id].sort());
    expect(await invoiceState(d.id)).toMatchObject({ status: 'open', balanceDue: 10_000 });

    const f = await newInvoice(other.id, { amount: 3_000 });
    const [mixed] = await bank({ amount: 13_000, debtorIban: strangerIban(), references: [d.paymentReference, f.paymentReference] });
    expect((await payment(mixed as string)).decision.reason).toMatch(/different customers/);
  });

  it('a known payer paying exactly one invoice while another fits after a bank fee: the exact one, the other recorded', async () => {
    const exact = await newInvoice(customer.id, { amount: 19_700 });
    const fee = await newInvoice(customer.id, { amount: 20_000 });
    const [id] = await bank({ amount: 19_700, debtorIban: account, remittance: 'Thank you' });
    const p = await payment(id as string);
    expect(p.decision, p.decision.reason).toMatchObject({
      outcome: 'applied',
      rule: 'payer_exact_amount',
      evidence: { invoiceId: exact.id, alternativeIds: fee.id, exactBeatsTolerant: `${fee.number}: fee shortfall 300` },
    });
    expect(await invoiceState(exact.id)).toMatchObject({ status: 'paid' });
    expect(await invoiceState(fee.id)).toMatchObject({ status: 'open', balanceDue: 20_000 });
  });

  it('a payer we do not know: review with ranked suggestions from the amount index, which follows each balance change', async () => {
    const amount = distinctAmount();
    const target = await newInvoice(other.id, { amount, dueDate: '2026-12-01' });
    const nearer = await newInvoice(customer.id, { amount: amount + 400, dueDate: '2026-12-01' });
    const farther = await newInvoice(customer.id, { amount: amount - 20_000, dueDate: '2026-12-01' });
    const elsewhere = await newInvoice(other.id, { amount: amount + 10_000_000 });

    const [first] = await bank({ amount, debtorIban: strangerIban(), remittance: 'Invoice payment, see letter' });
    const review = await payment(first as string);
    expect(review).toMatchObject({ status: 'unapplied', unapplied: amount });
    expect(review.decision.reason).toMatch(/payer not identified/);
    const ranked = suggested(review);
    expect(ranked[0]).toBe(target.id);
    expect(ranked).toContain(nearer.id);
    expect(ranked).toContain(farther.id);
    expect(ranked.indexOf(nearer.id)).toBeLessThan(ranked.indexOf(farther.id));
    expect(ranked).not.toContain(elsewhere.id);
    expect(review.suggestions?.[0]?.reason).toMatch(/same amount/);
    // Suggestions never move money.
    expect(await invoiceState(target.id)).toMatchObject({ status: 'open', balanceDue: amount });

    // A partial payment moves the invoice to its new balance in the index: a stranger paying the rest finds it first.
    await bank({ amount: 30_000, debtorIban: strangerIban(), references: [target.paymentReference] });
    expect(await invoiceState(target.id)).toMatchObject({ status: 'partially_paid', balanceDue: amount - 30_000 });
    const [rest] = await bank({ amount: amount - 30_000, debtorIban: strangerIban() });
    expect(suggested(await payment(rest as string))[0]).toBe(target.id);

    // Paid in full, it leaves the index.
    await bank({ amount: amount - 30_000, debtorIban: strangerIban(), references: [target.paymentReference] });
    expect(await invoiceState(target.id)).toMatchObject({ status: 'paid', balanceDue: 0 });
    const [again] = await bank({ amount, debtorIban: strangerIban() });
    const after = suggested(await payment(again as string));
    expect(after).not.toContain(target.id);
    expect(after[0]).toBe(nearer.id);
  });

  it('a mistyped RF reference from an unknown payer puts the invoice it resembles first', async () => {
    const amount = distinctAmount();
    const decoy = await newInvoice(other.id, { amount });
    const meant = await newInvoice(customer.id, { amount: amount + 150 });
    const ref = meant.paymentReference;
    const typo = `${ref.slice(0, 6)}${ref[6] === '7' ? '8' : '7'}${ref.slice(7)}`;
    const [id] = await bank({ amount, debtorIban: strangerIban(), remittance: `Payment ${typo}` });
    const p = await payment(id as string);
    expect(p.status).toBe('unapplied');
    expect(p.decision.evidence.invalidReference).toBe(typo);
    expect(suggested(p).slice(0, 2)).toEqual([meant.id, decoy.id]);
  });
});

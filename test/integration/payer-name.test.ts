/**
 * A payer we cannot identify by account, but whose bank line carries the debtor's name (issue #9 item 3): the name
 * index (GSI5) finds the customer, their invoice is the first suggestion of the review queue, and the money waits —
 * a name alone never applies money. The index follows a rename (PATCH /customers/{id}).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseBankPayload } from '../../shared/adapters/bank/index.ts';
import { paymentIdFor } from '../../shared/services/payments.ts';
import { invoiceState, processed, postBank } from '../support/flows.ts';
import { api, newCustomer, newInvoice, unique } from '../support/stack.ts';

interface ReviewItem {
  id: string;
  status: string;
  unapplied: number;
  decision: { outcome: string; rule: string; reason?: string; evidence: Record<string, string | number> };
  suggestions?: { invoiceIds: string[]; score: number; reason: string }[];
}

let ibanSerial = 0;
const strangerIban = () => `NL${String(10 + (++ibanSerial % 89)).padStart(2, '0')}YYYY${String(Date.now() % 1e10).padStart(10, '0')}`;

/** One bank JSON notification with one credit from an account nobody has; waits until it is processed. */
async function credit(amount: number, debtorName: string): Promise<string> {
  const body = JSON.stringify({
    id: unique('ntf'),
    account: { iban: 'DE89370400440532013000' },
    credits: [
      {
        id: unique('txn'),
        status: 'booked',
        amount,
        currency: 'EUR',
        bookingDate: '2026-12-01',
        debtor: { name: debtorName, iban: strangerIban() },
        remittance: 'Rechnung',
      },
    ],
  });
  const res = await postBank(body);
  expect(res.status, res.text).toBe(200);
  const [line] = parseBankPayload(body, 'application/json').lines;
  await processed('bank-line', (line as { key: string }).key, 10_000);
  return paymentIdFor('bank', (line as { key: string }).key);
}

/** The payment as the review queue lists it: GET /payments?status=unapplied, page by page (bounded). */
async function inReviewQueue(paymentId: string): Promise<ReviewItem> {
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const res = await api('GET', `/payments?status=unapplied&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status, res.text).toBe(200);
    const found = (res.body.items as ReviewItem[]).find((p) => p.id === paymentId);
    if (found) return found;
    cursor = res.body.nextCursor as string | undefined;
    if (!cursor) break;
  }
  throw new Error(`payment ${paymentId} is not in the review queue`);
}

describe('unknown payer recognised by name: review suggestions through the local stack', () => {
  // Words no other test uses, so the name index holds only this file's customers under them.
  const tag = `Zq${Date.now().toString(36)}`;
  const amount = 7_770_000 + Math.floor(Math.random() * 100_000) * 10;
  let customer: { id: string };
  let target: { id: string };
  const strangers: { id: string }[] = [];

  beforeAll(async () => {
    customer = await newCustomer({ name: `Brünnhilde Präzisionsmechanik ${tag} GmbH` });
    // Due later than the five others, so that without the name the target would not come first.
    target = await newInvoice(customer.id, { amount, dueDate: '2027-03-31' });
    for (let i = 0; i < 5; i++) {
      const other = await newCustomer({ name: `Other Customer ${tag} ${i} AG` });
      strangers.push(await newInvoice(other.id, { amount, dueDate: '2026-12-01' }));
    }
  });

  it('the customer\'s name in upper case with GMBH and the exact amount: waits in review, the right invoice first', async () => {
    const id = await credit(amount, `BRUNNHILDE PRAZISIONSMECHANIK ${tag.toUpperCase()} GMBH`);
    const p = await inReviewQueue(id);
    expect(p).toMatchObject({ status: 'unapplied', unapplied: amount });
    expect(p.decision).toMatchObject({ outcome: 'unapplied', rule: 'none', evidence: { nameMatched: `${customer.id}:exact`, nameMatchedSuggestion: target.id } });
    expect(p.decision.reason).toMatch(new RegExp(`recognised by name only as ${customer.id} \\(a payer name alone never applies money\\)`));
    const ranked = (p.suggestions ?? []).map((s) => s.invoiceIds.join('+'));
    expect(ranked[0]).toBe(target.id);
    expect(p.suggestions?.[0]?.reason).toMatch(new RegExp(`^payer name matches customer ${customer.id}, same amount`));
    // The five others with the same amount are still there, below it.
    expect(ranked).toHaveLength(5);
    expect(ranked.slice(1).every((r) => strangers.some((s) => s.id === r))).toBe(true);
    // A name never moves money.
    expect(await invoiceState(target.id)).toMatchObject({ status: 'open', balanceDue: amount });
    for (const s of strangers) expect(await invoiceState(s.id)).toMatchObject({ status: 'open', balanceDue: amount });
  });

  it('the name index follows a rename: the old name finds nobody, the new one finds the customer (surname first too)', async () => {
    const renamed = await api('PATCH', `/customers/${customer.id}`, { name: `Hildegard ${tag}` });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body).not.toHaveProperty('GSI5PK');

    const old = await inReviewQueue(await credit(amount, `BRUNNHILDE PRAZISIONSMECHANIK ${tag.toUpperCase()} GMBH`));
    expect(old.decision.evidence.nameMatched).toBeUndefined();
    expect(old.decision.reason).toMatch(/payer not identified \(a payer name alone never applies money\)/);

    const now = await inReviewQueue(await credit(amount, `${tag.toUpperCase()}, HILDEGARD`));
    expect(now.decision.evidence.nameMatched).toBe(`${customer.id}:reordered`);
    expect(now.suggestions?.[0]?.invoiceIds).toEqual([target.id]);
    expect(await invoiceState(target.id)).toMatchObject({ status: 'open', balanceDue: amount });
  });
});

/** Higher-level helpers for payment flows through the running stack. */
import { defaultVars, renderFile, type Vars } from '../../local/events.ts';
import { signBankPayload } from '../../shared/adapters/bank/signature.ts';
import { balances } from '../../shared/domain/ledger.ts';
import { getEvent, type InboxSource } from '../../shared/store/inbox.ts';
import { ledgerEntries } from '../../shared/store/ledger.ts';
import { api, eventually, sendStripe, stack } from './stack.ts';

export function vars(extra: Vars = {}): Vars {
  return { ...defaultVars(new Date(), { ADMIN_API_KEY: stack.adminKey, STRIPE_WEBHOOK_SECRET: stack.stripeWebhookSecret, BANK_WEBHOOK_SECRET: stack.bankWebhookSecret }), ...extra };
}

/** Renders a Stripe sample, sends it signed, and waits until the worker has processed it. */
export async function stripeSample(name: string, v: Vars, timeoutMs?: number): Promise<{ id: string; data: { object: { id: string } } }> {
  const event = renderFile(`events/stripe/${name}.json`, { ...v, unique: `${v.unique}_${Math.random().toString(36).slice(2, 8)}` }) as { id: string; data: { object: { id: string } } };
  const res = await sendStripe(JSON.stringify(event));
  if (res.status !== 200) throw new Error(`${name}: ${res.status} ${res.text}`);
  await processed('stripe', event.id, timeoutMs);
  return event;
}

export async function processed(source: InboxSource, eventId: string, timeoutMs = 8000) {
  return eventually(async () => {
    const e = await getEvent(source, eventId);
    return e && (e.status === 'processed' || e.status === 'ignored') && e;
  }, timeoutMs, `${source} event ${eventId} processed`);
}

export async function invoiceState(id: string): Promise<{ status: string; balanceDue: number; appliedPayments: { paymentId: string; amount: number }[] }> {
  return (await api('GET', `/invoices/${id}`)).body;
}

/** The ledger's receivable per invoice equals the stored balance; returns the customer's account totals. */
export async function ledgerAgrees(customerId: string, invoiceIds: string[]): Promise<Map<string, number>> {
  const entries = await ledgerEntries(customerId);
  const byInvoice = balances(entries, true);
  for (const id of invoiceIds) {
    const inv = await invoiceState(id);
    const currency = ((await api('GET', `/invoices/${id}`)).body as { currency: string }).currency;
    const fromLedger = byInvoice.get(`receivable/${currency}/${id}`) ?? 0;
    if (fromLedger !== inv.balanceDue) throw new Error(`invoice ${id}: ledger says ${fromLedger}, stored ${inv.balanceDue}`);
  }
  return balances(entries);
}

/** Posts a body to the bank webhook, signed as the bank signs it (to the shared stack unless another is named). */
export async function postBank(
  body: string,
  contentType = 'application/json',
  target: { apiUrl: string; bankWebhookSecret: string } = stack,
): Promise<{ status: number; text: string }> {
  const timestamp = Math.floor(Date.now() / 1000);
  const res = await fetch(`${target.apiUrl}/webhooks/bank`, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-bank-timestamp': String(timestamp),
      'x-bank-signature': signBankPayload(body, target.bankWebhookSecret, timestamp),
    },
    body,
  });
  return { status: res.status, text: await res.text() };
}

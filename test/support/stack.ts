/** Helpers for driving the running local stack from tests. */
import Stripe from 'stripe';
import { stripePaymentIntentEvent } from '../../local/events.ts';
import { inject } from 'vitest';
import { responseSchemaFor, topologyRoutes } from '../../shared/http/openapi.ts';

export const stack = inject('stack');

export async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${stack.adminKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (json !== undefined && /^application\/json/i.test(res.headers.get('content-type') ?? '')) checkContract(method, path, res.status, json);
  return { status: res.status, body: json, text };
}

/** Topology routes as patterns (fewest path parameters first: `/invoices/{id}` never shadows a literal path). */
const routePatterns = topologyRoutes()
  .map((r) => ({ method: r.method, path: r.path, params: (r.path.match(/\{/g) ?? []).length, re: new RegExp(`^${r.path.replace(/\{[^}]+\}/g, '[^/]+')}$`) }))
  .sort((a, b) => a.params - b.params);

/**
 * The API contract (shared/http/openapi.ts) holds for every JSON answer of a documented route: the body must match
 * the schema the document gives that route and status (the zod schema the document is generated from).
 */
function checkContract(method: string, url: string, status: number, body: unknown): void {
  const path = url.split('?')[0] ?? url;
  const route = routePatterns.find((r) => r.method === method.toUpperCase() && r.re.test(path));
  if (!route) return;
  const schema = responseSchemaFor(route.method, route.path, status);
  if (!schema) {
    if (status === 429) return;
    throw new Error(`API contract: ${route.method} ${route.path} answered ${status}, a status the document does not give it`);
  }
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`API contract: ${route.method} ${route.path} ${status}: ${issue?.path.join('.') || '(body)'}: ${issue?.message} — ${JSON.stringify(body).slice(0, 300)}`);
  }
}

let seq = 0;
export function unique(prefix: string): string {
  seq += 1;
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${seq}`;
}

export async function newCustomer(overrides: Record<string, unknown> = {}) {
  const res = await api('POST', '/customers', { name: 'Ada Lovelace', email: `${unique('ada')}@example.com`, ...overrides });
  if (res.status !== 201) throw new Error(`customer not created: ${res.status} ${res.text}`);
  return res.body as { id: string; email: string };
}

export async function newInvoice(customerId: string, overrides: Record<string, unknown> = {}) {
  const res = await api('POST', '/invoices', {
    customerId,
    currency: 'EUR',
    amount: 12500,
    issueDate: '2026-11-01',
    dueDate: '2026-12-01',
    ...overrides,
  });
  if (res.status !== 201) throw new Error(`invoice not created: ${res.status} ${res.text}`);
  return res.body as { id: string; number: string; balanceDue: number; status: string; paymentReference: string };
}

export function paymentSucceededEvent(invoiceId: string, amount: number, currency = 'eur') {
  return stripePaymentIntentEvent({ eventId: unique('evt'), paymentIntentId: unique('pi'), invoiceId, amount, currency });
}

/** Sends a Stripe event signed the way Stripe signs it (the SDK's own test header). */
export async function sendStripe(payload: string, options: { secret?: string; timestamp?: number; signature?: string } = {}) {
  const signature =
    options.signature ??
    Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: options.secret ?? stack.stripeWebhookSecret,
      ...(options.timestamp ? { timestamp: options.timestamp } : {}),
    });
  const res = await fetch(`${stack.apiUrl}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body: payload,
  });
  const text = await res.text();
  if (/^application\/json/i.test(res.headers.get('content-type') ?? '')) checkContract('POST', '/webhooks/stripe', res.status, JSON.parse(text));
  return { status: res.status, text };
}

export interface StoredMail {
  messageId: string;
  destination: { to: string[] };
  subject: string;
  body: { html: string; text: string };
}

export async function sentMail(to?: string): Promise<StoredMail[]> {
  // With an address, only its mails (local/emulators.ts): the whole store is a few MB late in the suite.
  const res = await fetch(`${stack.sesEndpoint}/store${to === undefined ? '' : `?to=${encodeURIComponent(to)}`}`);
  const store = (await res.json()) as { emails: StoredMail[] };
  return to === undefined ? store.emails : store.emails.filter((e) => e.destination.to.includes(to));
}

/** Polls until `check` returns a value (not undefined/false) or the deadline passes. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Waits until `check` has held continuously for `forMs` (used to show that nothing more happens). */
export async function staysTrue(check: () => Promise<boolean>, forMs: number): Promise<boolean> {
  const end = Date.now() + forMs;
  while (Date.now() < end) {
    if (!(await check())) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

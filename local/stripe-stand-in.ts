/**
 * A stand-in for Stripe's Checkout API on loopback, for a local stack that has no Stripe account (browser tests, the
 * README screenshots, `npm run simulate`): the stack's functions reach it through STRIPE_API_BASE. It creates Checkout
 * Sessions (idempotent by the `Idempotency-Key` header, like Stripe), retrieves them, and serves a plain page at each
 * session's `url` where a real customer would see Stripe's hosted page. It charges nothing and sends no webhook:
 * whoever plays Stripe sends `checkout.session.completed` (see `completedEvent`), signed, to `/webhooks/stripe`.
 */
import { createServer, type Server } from 'node:http';
import { freePort } from './emulators.ts';

export interface StandInSession {
  id: string;
  object: 'checkout.session';
  mode: string;
  status: 'open' | 'complete';
  payment_status: 'unpaid' | 'paid';
  amount_total: number;
  currency: string;
  metadata: Record<string, string>;
  payment_intent: string;
  customer_email?: string;
  success_url?: string;
  cancel_url?: string;
  url: string;
}

export interface StripeStandIn {
  /** Base URL for STRIPE_API_BASE. */
  url: string;
  sessions: Map<string, StandInSession>;
  stop(): Promise<void>;
}

/** The `checkout.session.completed` event Stripe sends when the customer pays a session (the JSON to sign and post). */
export function completedEvent(session: StandInSession, eventId = `evt_standin_${session.id}`, created = new Date()): string {
  return JSON.stringify({
    id: eventId,
    object: 'event',
    api_version: '2025-01-27.acacia',
    created: Math.floor(created.getTime() / 1000),
    livemode: false,
    type: 'checkout.session.completed',
    data: {
      object: {
        id: session.id,
        object: 'checkout.session',
        amount_total: session.amount_total,
        currency: session.currency,
        customer: null,
        mode: session.mode,
        payment_intent: session.payment_intent,
        payment_status: 'paid',
        status: 'complete',
        payment_method_types: ['card'],
        metadata: session.metadata,
      },
    },
  });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startStripeStandIn(port?: number): Promise<StripeStandIn> {
  const listenPort = port ?? (await freePort());
  const base = `http://127.0.0.1:${listenPort}`;
  const sessions = new Map<string, StandInSession>();
  const byKey = new Map<string, StandInSession>();
  let seq = 0;
  const json = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_standin_${seq}` });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', base).pathname;
      if (req.method === 'POST' && path === '/v1/checkout/sessions') {
        const key = req.headers['idempotency-key'];
        const known = typeof key === 'string' ? byKey.get(key) : undefined;
        if (known) return json(res, 200, known);
        const form = new URLSearchParams(body);
        const metadata: Record<string, string> = {};
        let amount = 0;
        let currency = '';
        for (const [k, v] of form) {
          const m = /^metadata\[(\w+)\]$/.exec(k);
          if (m) metadata[m[1] as string] = v;
          const item = /^line_items\[(\d+)\]\[price_data\]\[unit_amount\]$/.exec(k);
          if (item) amount += Number(v) * Number(form.get(`line_items[${item[1]}][quantity]`) ?? '1');
          if (/^line_items\[\d+\]\[price_data\]\[currency\]$/.test(k)) currency = v;
        }
        if (!form.get('success_url') || amount <= 0 || !currency) {
          return json(res, 400, { error: { type: 'invalid_request_error', message: 'line_items with a currency and an amount, and success_url, are required' } });
        }
        seq += 1;
        const id = `cs_test_standin_${listenPort}_${seq}`;
        const session: StandInSession = {
          id,
          object: 'checkout.session',
          mode: form.get('mode') ?? 'payment',
          status: 'open',
          payment_status: 'unpaid',
          amount_total: amount,
          currency,
          metadata,
          payment_intent: `pi_test_standin_${listenPort}_${seq}`,
          ...(form.get('customer_email') ? { customer_email: form.get('customer_email') as string } : {}),
          ...(form.get('success_url') ? { success_url: form.get('success_url') as string } : {}),
          ...(form.get('cancel_url') ? { cancel_url: form.get('cancel_url') as string } : {}),
          url: `${base}/c/pay/${id}`,
        };
        sessions.set(id, session);
        if (typeof key === 'string') byKey.set(key, session);
        return json(res, 200, session);
      }
      const get = /^\/v1\/checkout\/sessions\/([\w-]+)$/.exec(path);
      if (req.method === 'GET' && get) {
        const session = sessions.get(get[1] as string);
        return session ? json(res, 200, session) : json(res, 404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such checkout.session: '${get[1]}'` } });
      }
      const page = /^\/c\/pay\/([\w-]+)$/.exec(path);
      if (req.method === 'GET' && page && sessions.has(page[1] as string)) {
        const s = sessions.get(page[1] as string) as StandInSession;
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Checkout (local Stripe stand-in)</title></head>` +
            `<body><main><h1>Checkout (local Stripe stand-in)</h1><p>Session <code>${escapeHtml(s.id)}</code>: ${s.amount_total} ${escapeHtml(s.currency.toUpperCase())} (Stripe units)</p>` +
            `<p>Invoices: <span id="invoices">${escapeHtml(s.metadata.invoice_ids ?? s.metadata.invoice_id ?? '')}</span></p></main></body></html>`,
        );
        return;
      }
      json(res, 404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${path}).` } });
    });
  });
  await new Promise<void>((r) => server.listen(listenPort, '127.0.0.1', r));
  return {
    url: base,
    sessions,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

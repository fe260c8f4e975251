import { createServer } from 'node:http';
import { freePort } from '../../local/emulators.ts';

export interface FakeStripeAnswer {
  status: number;
  body: unknown;
}

/** Stripe's error body: `{ error: { type, code, param, message } }` (docs.stripe.com/api/errors). */
export interface StripeErrorBody {
  error: { type: 'invalid_request_error' | 'idempotency_error' | 'authentication_error'; code?: string; param?: string; message: string };
}

/**
 * Presentment currencies Stripe accepts (docs.stripe.com/currencies, "Supported presentment currencies"; lower case in
 * every request). Written out here, independent of our units adapter, so the fake can refuse what Stripe refuses.
 */
const STRIPE_CURRENCIES = new Set(
  (
    'usd aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bhd bif bmd bnd bob brl bsd bwp byn bzd cad cdf chf clp ' +
    'cny cop crc cve czk djf dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd gnf gtq gyd hkd hnl htg huf idr ils inr isk ' +
    'jmd jod jpy kes kgs khr kmf krw kwd kyd kzt lak lbp lkr lrd lsl mad mdl mga mkd mmk mnt mop mur mvr mwk mxn myr mzn ' +
    'nad ngn nio nok npr nzd omr pab pen pgk php pkr pln pyg qar ron rsd rub rwf sar sbd scr sek sgd shp sle sos srd std ' +
    'szl thb tjs tnd top try ttd twd tzs uah ugx uyu uzs vnd vuv wst xaf xcd xcg xof xpf yer zar zmw'
  ).split(' '),
);

/**
 * Stripe's minimum charge per currency, in Stripe's units (docs.stripe.com/currencies#minimum-and-maximum-charge-amounts).
 * Other currencies: "the equivalent of 0.50 USD" after conversion, which a fake cannot know — not enforced for them.
 */
const MINIMUM_CHARGE: Record<string, number> = {
  usd: 50, aed: 200, aud: 50, bgn: 100, brl: 50, cad: 50, chf: 50, czk: 1500, dkk: 250, eur: 50, gbp: 30, hkd: 400,
  huf: 17500, inr: 50, jpy: 50, mxn: 1000, myr: 200, nok: 300, nzd: 50, pln: 200, ron: 200, sek: 300, sgd: 50, thb: 1000,
};
/** Stripe's maximum amount: eight digits (999,999.99 in two-decimal currencies). */
const MAXIMUM_CHARGE = 99_999_999;

/** Checkout Session parameters this fake knows (Stripe answers `parameter_unknown` for anything it does not take). */
const SESSION_PARAMS = new Set([
  'mode', 'line_items', 'metadata', 'payment_intent_data', 'customer', 'customer_email', 'success_url', 'cancel_url',
  'client_reference_id', 'locale', 'payment_method_types', 'expires_at', 'submit_type', 'billing_address_collection',
]);

export class StripeInvalidRequest extends Error {
  constructor(
    readonly param: string | undefined,
    readonly code: string | undefined,
    message: string,
    readonly type: StripeErrorBody['error']['type'] = 'invalid_request_error',
    readonly status = 400,
  ) {
    super(message);
  }

  answer(): FakeStripeAnswer {
    const error = { type: this.type, message: this.message, ...(this.code ? { code: this.code } : {}), ...(this.param ? { param: this.param } : {}) };
    return { status: this.status, body: { error } satisfies StripeErrorBody };
  }
}

type Params = { [key: string]: string | Params | Params[] | string[] };

/** Stripe's form encoding (`a[b][0][c]=1`) back into nested objects; numeric keys become arrays. */
export function parseStripeForm(body: string): Params {
  const root: Params = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.replace(/\]/g, '').split('[');
    let node: Record<string, unknown> = root;
    path.forEach((part, i) => {
      const last = i === path.length - 1;
      if (last) {
        node[part] = value;
        return;
      }
      const numericNext = /^\d+$/.test(path[i + 1] as string);
      if (node[part] === undefined) node[part] = numericNext ? [] : {};
      node = node[part] as Record<string, unknown>;
    });
  }
  return root;
}

const invalid = (param: string, code: string | undefined, message: string) => new StripeInvalidRequest(param, code, message);

function integer(value: unknown, param: string): number {
  if (typeof value !== 'string' || !/^-?\d+$/.test(value)) throw invalid(param, 'parameter_invalid_integer', `Invalid integer: ${String(value)}`);
  return Number(value);
}

function required<T>(value: T | undefined, param: string): T {
  if (value === undefined) throw invalid(param, 'parameter_missing', `Missing required param: ${param}.`);
  if (value === '') throw invalid(param, 'parameter_invalid_empty', `You passed an empty string for '${param}'. We assume empty values are an attempt to unset a parameter; however '${param}' cannot be unset. You should remove '${param}' from your request or supply a non-empty value.`);
  return value;
}

function absoluteUrl(value: unknown, param: string): void {
  let ok: boolean;
  try {
    const url = new URL(String(value));
    ok = url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    ok = false;
  }
  if (!ok) throw invalid(param, 'url_invalid', 'Not a valid URL');
}

/** Metadata: at most 50 keys, keys up to 40 characters, values up to 500 (docs.stripe.com/metadata). */
function metadata(value: unknown, param: string): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(param, 'parameter_invalid_empty', `Invalid hash: ${param}`);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 50) throw invalid(param, 'parameter_invalid_empty', `Invalid ${param}: ${param} can only have up to 50 keys.`);
  for (const [key, v] of entries) {
    if (key.length > 40) throw invalid(`${param}[${key}]`, undefined, `Invalid ${param}: keys can be up to 40 characters long, but you passed in a key that is ${key.length} characters.`);
    if (typeof v !== 'string') throw invalid(`${param}[${key}]`, 'parameter_invalid_string', `Invalid string: ${JSON.stringify(v)}`);
    if (v.length > 500) throw invalid(`${param}[${key}]`, undefined, `Invalid ${param}: values can be up to 500 characters long, but you passed in a value that is ${v.length} characters.`);
  }
}

/**
 * `POST /v1/checkout/sessions` as Stripe validates it for one-time payments: required params, mode `payment`, absolute
 * success/cancel URLs, line items (quantity ≥ 1, a lower-case currency Stripe offers, an integer unit amount ≥ 0, a
 * product name), one currency per session, the total within Stripe's minimum and maximum, metadata limits.
 * Returns the session, or throws StripeInvalidRequest with the code and param Stripe would name.
 */
export function validateCheckoutSession(p: Params): { currency: string; amountTotal: number } {
  for (const key of Object.keys(p)) {
    if (!SESSION_PARAMS.has(key)) throw invalid(key, 'parameter_unknown', `Received unknown parameter: ${key}`);
  }
  const mode = required(p.mode as string | undefined, 'mode');
  if (!['payment', 'setup', 'subscription'].includes(mode as string)) throw invalid('mode', undefined, `Invalid mode: must be one of payment, setup, or subscription`);
  if (mode !== 'payment') throw invalid('mode', undefined, `this fake models one-time payments only (mode=payment), not ${String(mode)}`);
  absoluteUrl(required(p.success_url as string | undefined, 'success_url'), 'success_url');
  if (p.cancel_url !== undefined) absoluteUrl(p.cancel_url, 'cancel_url');
  if (p.customer_email !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(p.customer_email))) {
    throw invalid('customer_email', 'email_invalid', `Invalid email address: ${String(p.customer_email)}`);
  }
  metadata(p.metadata, 'metadata');
  if (p.payment_intent_data !== undefined) metadata((p.payment_intent_data as Params).metadata, 'payment_intent_data[metadata]');

  const items = p.line_items;
  if (items === undefined) throw invalid('line_items', 'parameter_missing', 'You must specify either `line_items` or `mode=setup` to create a Checkout Session in `payment` mode.');
  if (!Array.isArray(items) || items.length === 0) throw invalid('line_items', 'parameter_invalid_empty', 'Invalid array: line_items must contain at least one item');
  let currency: string | undefined;
  let total = 0;
  items.forEach((item, i) => {
    const at = `line_items[${i}]`;
    if (typeof item !== 'object') throw invalid(at, 'parameter_invalid_empty', `Invalid hash: ${at}`);
    const quantity = integer(required((item as Params).quantity, `${at}[quantity]`), `${at}[quantity]`);
    if (quantity < 1) throw invalid(`${at}[quantity]`, 'parameter_invalid_integer', `This value must be greater than or equal to 1.`);
    const price = (item as Params).price_data as Params | undefined;
    if (!price) throw invalid(`${at}[price_data]`, 'parameter_missing', `You must specify either \`price\` or \`price_data\` for ${at}.`);
    const code = String(required(price.currency as string | undefined, `${at}[price_data][currency]`));
    if (code !== code.toLowerCase() || !STRIPE_CURRENCIES.has(code)) {
      throw invalid(`${at}[price_data][currency]`, 'parameter_invalid_string', `Invalid currency: ${code}. Stripe currently supports these currencies: ${[...STRIPE_CURRENCIES].join(', ')}`);
    }
    if (currency !== undefined && currency !== code) throw invalid(`${at}[price_data][currency]`, undefined, 'All line items must use the same currency.');
    currency = code;
    const unit = integer(required(price.unit_amount as string | undefined, `${at}[price_data][unit_amount]`), `${at}[price_data][unit_amount]`);
    if (unit < 0) throw invalid(`${at}[price_data][unit_amount]`, 'parameter_invalid_integer', 'This value must be greater than or equal to 0.');
    const product = price.product_data as Params | undefined;
    required(product?.name as string | undefined, `${at}[price_data][product_data][name]`);
    total += unit * quantity;
  });
  const code = currency as string;
  const minimum = MINIMUM_CHARGE[code];
  if (minimum !== undefined && total < minimum) {
    throw invalid('line_items', 'amount_too_small', `The Checkout Session's total amount due must add up to at least ${minimum} (in ${code} Stripe units).`);
  }
  if (total > MAXIMUM_CHARGE) throw invalid('line_items', 'amount_too_large', `The Checkout Session's total amount due must be no more than ${MAXIMUM_CHARGE} (in ${code} Stripe units).`);
  return { currency: code, amountTotal: total };
}

/**
 * Stripe's answer to a request, validated as Stripe validates it: an API key (401 otherwise), Checkout Session creation
 * (above), and idempotency keys (a key reused with other parameters → 400 `idempotency_error`; the same request → the
 * same answer). Anything else is a 404 like Stripe's unknown URL.
 */
function stripeLike() {
  const byKey = new Map<string, { body: string; answer: FakeStripeAnswer }>();
  let sessions = 0;
  return (method: string, path: string, headers: Record<string, string | string[] | undefined>, body: string): FakeStripeAnswer => {
    if (!/^Bearer sk_(test|live)_\S+$/.test(String(headers.authorization ?? ''))) {
      return new StripeInvalidRequest(undefined, undefined, 'You did not provide an API key.', 'authentication_error', 401).answer();
    }
    const key = headers['idempotency-key'] as string | undefined;
    const seen = key ? byKey.get(key) : undefined;
    if (seen) {
      if (seen.body !== body) {
        return new StripeInvalidRequest(undefined, 'idempotency_key_in_use', `Keys for idempotent requests can only be used with the same parameters they were first used with.`, 'idempotency_error').answer();
      }
      return seen.answer;
    }
    let answer: FakeStripeAnswer;
    if (method === 'POST' && path === '/v1/checkout/sessions') {
      try {
        const { currency, amountTotal } = validateCheckoutSession(parseStripeForm(body));
        sessions += 1;
        const id = sessions === 1 ? 'cs_test_1' : `cs_test_${sessions}`;
        answer = { status: 200, body: { id, object: 'checkout.session', mode: 'payment', currency, amount_total: amountTotal, url: `https://checkout.stripe.com/c/pay/${id}` } };
      } catch (error) {
        if (!(error instanceof StripeInvalidRequest)) throw error;
        answer = error.answer();
      }
    } else {
      answer = new StripeInvalidRequest(undefined, undefined, `Unrecognized request URL (${method}: ${path}).`).answer();
      answer.status = 404;
    }
    if (key) byKey.set(key, { body, answer });
    return answer;
  };
}

/**
 * A stand-in for api.stripe.com on loopback (the SDK speaks HTTP to it via STRIPE_API_BASE) that validates requests
 * like Stripe and answers in Stripe's error format (see `validateCheckoutSession`); records every request as
 * `METHOD /path <decoded form body>`. `answer` overrides the answer (e.g. to make Stripe refuse a valid request);
 * it gets the recorded request and what the validating fake would answer.
 */
export async function withFakeStripe<T>(
  run: (received: string[]) => Promise<T>,
  answer?: (request: string, validated: FakeStripeAnswer) => FakeStripeAnswer,
): Promise<T> {
  const received: string[] = [];
  const stripe = stripeLike();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const request = `${req.method} ${req.url} ${decodeURIComponent(body)}`;
      received.push(request);
      const validated = stripe(req.method ?? '', new URL(req.url ?? '/', 'http://stripe.local').pathname, req.headers, body);
      const { status, body: reply } = answer ? answer(request, validated) : validated;
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_fake_${received.length}` });
      res.end(JSON.stringify(reply));
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const previous = process.env.STRIPE_API_BASE;
  process.env.STRIPE_API_BASE = `http://127.0.0.1:${port}`;
  try {
    return await run(received);
  } finally {
    if (previous === undefined) delete process.env.STRIPE_API_BASE;
    else process.env.STRIPE_API_BASE = previous;
    server.close();
  }
}

import { createServer } from 'node:http';
import { freePort } from '../../local/emulators.ts';

export interface FakeStripeAnswer {
  status: number;
  body: unknown;
}

const sessionCreated: FakeStripeAnswer = {
  status: 200,
  body: { id: 'cs_test_1', object: 'checkout.session', url: 'https://checkout.stripe.com/c/pay/cs_test_1' },
};

/**
 * A stand-in for api.stripe.com on loopback (the SDK speaks HTTP to it via STRIPE_API_BASE); records requests
 * (`METHOD /path <decoded form body>`). By default it creates a checkout session; `answer` can return anything else,
 * e.g. Stripe's 400 `invalid_request_error`.
 */
export async function withFakeStripe<T>(run: (received: string[]) => Promise<T>, answer: (request: string) => FakeStripeAnswer = () => sessionCreated): Promise<T> {
  const received: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const request = `${req.method} ${req.url} ${decodeURIComponent(body)}`;
      received.push(request);
      const { status, body: reply } = answer(request);
      res.writeHead(status, { 'content-type': 'application/json' });
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

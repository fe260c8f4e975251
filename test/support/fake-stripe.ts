import { createServer } from 'node:http';
import { freePort } from '../../local/emulators.ts';

/** A stand-in for api.stripe.com on loopback (the SDK speaks HTTP to it via STRIPE_API_BASE); records requests. */
export async function withFakeStripe<T>(run: (received: string[]) => Promise<T>): Promise<T> {
  const received: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push(`${req.method} ${req.url} ${decodeURIComponent(body)}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'cs_test_1', object: 'checkout.session', url: 'https://checkout.stripe.com/c/pay/cs_test_1' }));
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

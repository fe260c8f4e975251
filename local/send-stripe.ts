/**
 * `npm run stripe:send -- <event.json> [name=value …]`: signs a sample Stripe event with the local webhook secret
 * and POSTs it to the running gateway, as Stripe (or `stripe listen`) would.
 * Example: npm run stripe:send -- events/stripe/payment_intent.succeeded.json invoiceId=inv_… amount=12500
 */
import Stripe from 'stripe';
import { loadConfig } from './config.ts';
import { cliVars, defaultVars, renderFile } from './events.ts';

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error('usage: npm run stripe:send -- <event.json> [name=value …]');
  process.exit(2);
}
const config = loadConfig([]);
const vars = { ...defaultVars(new Date(), config.secrets), ...cliVars(rest) };
const payload = JSON.stringify(renderFile(file, vars));
const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: config.secrets.STRIPE_WEBHOOK_SECRET });
const res = await fetch(`http://localhost:${config.port}/webhooks/stripe`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'stripe-signature': signature },
  body: payload,
});
console.log(res.status, await res.text());

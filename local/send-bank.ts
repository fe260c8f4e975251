/**
 * `npm run bank:send -- <file> [name=value …]`: signs a bank sample (JSON notification, camt.053/054 XML or BAI2)
 * with the local BANK_WEBHOOK_SECRET (HMAC-SHA256 over `<timestamp>.<body>`) and POSTs it to the running gateway.
 * Example: npm run bank:send -- events/bank/camt054-v02.xml reference=RF…
 */
import { signBankPayload } from '../shared/adapters/bank/signature.ts';
import { loadConfig } from './config.ts';
import { cliVars, defaultVars, renderText } from './events.ts';

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error('usage: npm run bank:send -- <file> [name=value …]');
  process.exit(2);
}
const config = loadConfig([]);
const vars = { ...defaultVars(new Date(), config.secrets), ...cliVars(rest) };
const body = renderText(file, vars);
const timestamp = Math.floor(Date.now() / 1000);
const contentType = file.endsWith('.json') ? 'application/json' : file.endsWith('.xml') ? 'application/xml' : 'text/plain';
const res = await fetch(`http://localhost:${config.port}/webhooks/bank`, {
  method: 'POST',
  headers: {
    'content-type': contentType,
    'x-bank-timestamp': String(timestamp),
    'x-bank-signature': signBankPayload(body, config.secrets.BANK_WEBHOOK_SECRET, timestamp),
  },
  body,
});
console.log(res.status, await res.text());

/**
 * The HTTP POST of one webhook attempt. node:http(s) rather than fetch, for three things fetch does not give:
 * - every address the host name resolves to is checked before connecting (`blockedAddress`: no private, loopback,
 *   link-local — the instance metadata service — or reserved address), so a public name that resolves to an internal
 *   address (DNS rebinding) is refused at connection time, not only when the subscription was made;
 * - redirects are never followed (a 3xx is the subscriber's answer: a failed attempt);
 * - one deadline covers connecting, the request and the response's status line, and at most RESPONSE_READ_BYTES of
 *   the body are read (for the snippet staff see), then the connection is dropped.
 * The answer is the status code, the duration and an error class — never an exception for the subscriber's faults.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { blockedAddress, ipVersion, responseSnippet, type AddressRules, type PostResult } from '../domain/webhooks.ts';

/** The most of a response body read (for the snippet); the rest is never downloaded. */
const RESPONSE_READ_BYTES = 1024;

class BlockedAddressError extends Error {
  readonly code = 'EBLOCKEDADDRESS';
}
class DeadlineError extends Error {
  readonly code = 'ETIMEDOUT';
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup, refusing a name any of whose addresses is one a delivery must never reach. */
export function guardedLookup(rules: AddressRules) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses as LookupAddress[];
      const blocked = list.find((a) => blockedAddress(a.address, rules));
      if (blocked || list.length === 0) {
        return callback(new BlockedAddressError(`${hostname} resolves to a ${blocked ? blockedAddress(blocked.address, rules) : 'no'} address`), []);
      }
      if (options.all) return callback(null, list);
      const first = list[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}

/** The error class of a failed request (Node's error codes), for the attempt record. */
export function errorClass(error: unknown): NonNullable<PostResult['error']> {
  const code = String((error as { code?: unknown })?.code ?? '');
  if (error instanceof BlockedAddressError || code === 'EBLOCKEDADDRESS') return 'blocked_address';
  if (error instanceof DeadlineError || code === 'ETIMEDOUT') return 'timeout';
  if (code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED') return 'connection_reset';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL' || code === 'EAI_NODATA') return 'dns';
  if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL|HOSTNAME_MISMATCH)/.test(code)) return 'tls';
  return 'network';
}

/** POSTs `body` to `url` with `headers`; never throws for the subscriber's or the network's faults. */
export async function postWebhook(input: {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  rules: AddressRules;
}): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const url = new URL(input.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // An IP literal is never looked up, so its range is checked here (it was checked when the subscription was made too).
  if (ipVersion(host) && blockedAddress(host, input.rules)) return { durationMs: elapsed(), error: 'blocked_address' };
  const payload = Buffer.from(input.body, 'utf8');

  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const chunks: Buffer[] = [];
    // Set once the status line is in: the answer stands even if the body then trickles past the deadline.
    let done: (() => void) | undefined;
    const finish = (result: Omit<PostResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, durationMs: elapsed() });
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: 'POST',
        headers: { ...input.headers, 'content-length': String(payload.length) },
        lookup: guardedLookup(input.rules),
        agent: false,
      },
      (res: IncomingMessage) => {
        let read = 0;
        done = () => {
          const text = Buffer.concat(chunks).subarray(0, RESPONSE_READ_BYTES).toString('utf8');
          const snippet = responseSnippet(text);
          finish({ statusCode: res.statusCode ?? 0, ...(snippet ? { responseSnippet: snippet } : {}) });
          res.destroy();
        };
        const answered = done;
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          read += chunk.length;
          if (read >= RESPONSE_READ_BYTES) answered();
        });
        res.on('end', answered);
        res.on('error', answered);
      },
    );
    const timer = setTimeout(() => {
      if (done) done();
      else finish({ error: 'timeout' });
      req.destroy(new DeadlineError('deadline'));
    }, input.timeoutMs);
    req.on('error', (error) => finish({ error: errorClass(error) }));
    req.end(payload);
  });
}

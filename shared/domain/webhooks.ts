/**
 * Signed webhooks to subscribers (the Standard Webhooks format), the pure rules: what a subscription may be (its URL
 * and the event types it takes), which addresses a delivery may never reach (SSRF), the retry schedule, how a
 * delivery is signed (webhook-signature.ts, apart so that only the code that signs bundles the library), and what one
 * attempt's outcome makes of the delivery. No clock, no I/O: `now` and the outcome of
 * the HTTP call are parameters.
 */
import { z } from 'zod';
import { EVENT_TYPES, type EventType } from './events/envelope.ts';

// ---- Subscriptions ------------------------------------------------------------------------------------------------

/** `*` in `types`: every event type, including types added later. */
export const ALL_TYPES = '*';
export const MAX_URL_LENGTH = 2048;

export const newSubscriptionSchema = z
  .object({
    url: z.string().min(1).max(MAX_URL_LENGTH).describe('Where events are POSTed: https, no credentials, a public host'),
    types: z
      .array(z.enum([...EVENT_TYPES, ALL_TYPES], { error: (issue) => `unknown event type ${JSON.stringify(issue.input)}` }))
      .min(1)
      .max(EVENT_TYPES.length)
      .describe('The event types to deliver (see docs/events/), or ["*"] for all')
      .refine((types) => new Set(types).size === types.length, 'each type once')
      .refine((types) => !types.includes(ALL_TYPES) || types.length === 1, '"*" stands alone (it means every type)'),
    description: z.string().max(200).optional().describe('What the subscription is for (shown to staff)'),
  })
  .strict();
export type NewSubscription = z.infer<typeof newSubscriptionSchema>;

export type SubscriptionStatus = 'active' | 'deleted';

export interface Subscription {
  id: string;
  url: string;
  types: (EventType | typeof ALL_TYPES)[];
  description?: string;
  status: SubscriptionStatus;
  createdAt: string;
  deletedAt?: string;
}

/** Whether a subscription takes events of `type`. */
export function subscribesTo(subscription: Pick<Subscription, 'types' | 'status'>, type: EventType): boolean {
  return subscription.status === 'active' && (subscription.types.includes(ALL_TYPES) || subscription.types.includes(type));
}

/** The signing secret as Standard Webhooks spells it: `whsec_` and the base64 of the key's bytes (32 random bytes). */
export function signingSecret(keyBytes: Uint8Array): string {
  if (keyBytes.length < 24) throw new Error('a webhook signing key needs at least 24 bytes');
  return `whsec_${Buffer.from(keyBytes).toString('base64')}`;
}

// ---- Where a delivery may go (SSRF) ---------------------------------------------------------------------------------

export interface AddressRules {
  /**
   * Local runtime only (WEBHOOK_ALLOW_LOOPBACK): http and loopback hosts (127.0.0.0/8, ::1, localhost) are allowed,
   * so a test or a developer's subscriber on 127.0.0.1 can receive. Off in AWS: https to public hosts only.
   */
  allowLoopback: boolean;
}

/**
 * Why `raw` cannot be a subscriber URL, or undefined when it can. The rules (applied at subscription and again at
 * every delivery, where the resolved addresses are checked too, `blockedAddress`): an absolute https URL; no user
 * name or password in it; no fragment; a host that is a public IP literal or a public name — not `localhost`, a
 * single label (`intranet`), or a name under `.localhost`, `.local`, `.internal`, `.home.arpa`; and no IP literal in a
 * private, loopback, link-local (the instance metadata service), shared, multicast or reserved range. The WHATWG URL
 * parser normalises `http://2130706433/`, `http://0x7f.1/` and friends to `127.0.0.1` first, so they are caught too.
 */
export function urlProblem(raw: string, rules: AddressRules): string | undefined {
  if (raw.length > MAX_URL_LENGTH) return `at most ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not an absolute URL';
  }
  const loopbackHost = isLoopbackHost(url.hostname);
  const httpAllowed = rules.allowLoopback && loopbackHost;
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && httpAllowed)) return 'must use https';
  if (url.username || url.password) return 'must not carry credentials (user:password@)';
  if (url.hash) return 'must not have a fragment (#…)';
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === '') return 'must name a host';
  if (ipVersion(host)) {
    const blocked = blockedAddress(host, rules);
    return blocked ? `must not point at ${/^[aeiou]/.test(blocked) ? 'an' : 'a'} ${blocked} address` : undefined;
  }
  if (loopbackHost) return rules.allowLoopback ? undefined : 'must not point at localhost';
  if (!host.includes('.')) return 'must name a public host (a fully qualified domain name)';
  if (/\.(localhost|local|internal|localdomain|home\.arpa)\.?$/.test(host)) return 'must name a public host, not a local or internal name';
  return undefined;
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return ipVersion(host) !== undefined && blockedAddress(host, { allowLoopback: false }) === 'loopback';
}

/** 4 or 6 for an IP literal (IPv6 without brackets), undefined for a name. */
export function ipVersion(host: string): 4 | 6 | undefined {
  if (parseIpv4(host) !== undefined) return 4;
  if (parseIpv6(host) !== undefined) return 6;
  return undefined;
}

function parseIpv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

/** The 8 16-bit groups of an IPv6 address (`::` expanded, an embedded dotted IPv4 tail converted), or undefined. */
function parseIpv6(input: string): number[] | undefined {
  const s = input.replace(/%.*$/, ''); // a zone id (fe80::1%eth0) does not change the range
  if (!s.includes(':')) return undefined;
  let tail: number[] = [];
  let head = s;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const n = parseIpv4(v4[1] as string);
    if (n === undefined) return undefined;
    tail = [Math.floor(n / 65536), n % 65536];
    // `::ffff:1.2.3.4` → `::ffff` + tail; `::1.2.3.4` → `::` + tail.
    head = s.slice(0, -(v4[1] as string).length);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(halves[0] as string);
  const right = halves.length === 2 ? groups(halves[1] as string) : [];
  const parse = (g: string) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : NaN);
  const l = left.map(parse);
  const r = right.map(parse);
  if ([...l, ...r].some(Number.isNaN)) return undefined;
  const missing = 8 - tail.length - l.length - r.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  return [...l, ...Array(halves.length === 2 ? missing : 0).fill(0), ...r, ...tail];
}

const IPV4_RANGES: [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared (carrier-grade NAT)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

function ipv4Range(n: number): string | undefined {
  for (const [base, bits, kind] of IPV4_RANGES) {
    const size = 2 ** (32 - bits);
    const start = parseIpv4(base) as number;
    if (n >= start && n < start + size) return kind;
  }
  return undefined;
}

/**
 * The kind of range (`private`, `loopback`, `link-local`, …) that makes an IP address one a delivery must never
 * reach, or undefined for a public address. IPv4-mapped (`::ffff:10.0.0.1`), NAT64 (`64:ff9b::/96`) and 6to4
 * (`2002::/16`) IPv6 addresses are judged by the IPv4 address they carry. Loopback is allowed only with
 * `allowLoopback` (the local runtime).
 */
export function blockedAddress(ip: string, rules: AddressRules): string | undefined {
  const v4 = parseIpv4(ip);
  let kind: string | undefined;
  if (v4 !== undefined) {
    kind = ipv4Range(v4);
  } else {
    const g = parseIpv6(ip);
    if (!g) return 'malformed';
    const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, h = 0, i = 0] = g;
    const embedded = (hi: number, lo: number) => ipv4Range(hi * 65536 + lo);
    if (g.every((x) => x === 0)) kind = 'unspecified';
    else if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0 && f === 0 && h === 0 && i === 1) kind = 'loopback';
    else if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0 && f === 0xffff) kind = embedded(h, i);
    else if (a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0) kind = embedded(h, i);
    else if (a === 0x2002) kind = embedded(b, c);
    else if ((a & 0xfe00) === 0xfc00) kind = 'private (unique local)';
    else if ((a & 0xffc0) === 0xfe80 || (a & 0xffc0) === 0xfec0) kind = 'link-local';
    else if ((a & 0xff00) === 0xff00) kind = 'multicast';
    else if (a === 0x2001 && b === 0x0db8) kind = 'documentation';
    else if (a === 0x0100 && b === 0 && c === 0 && d === 0) kind = 'reserved';
    else if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0 && f === 0) kind = 'reserved'; // deprecated IPv4-compatible ::a.b.c.d
  }
  if (kind === 'loopback' && rules.allowLoopback) return undefined;
  return kind;
}

// ---- Retries ------------------------------------------------------------------------------------------------------

/**
 * The Standard Webhooks retry schedule: the delay (seconds) before each attempt, counted from the one before —
 * immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: 8 attempts over about 27.6 hours. After the last fails
 * the delivery is dead-lettered (`failed`) and waits for staff.
 */
export const STANDARD_RETRY_SCHEDULE: readonly number[] = [0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600];

/** The delay (seconds) before the next attempt after `attemptsMade` attempts of a round, or undefined when none is left. */
export function nextAttemptDelay(attemptsMade: number, schedule: readonly number[] = STANDARD_RETRY_SCHEDULE): number | undefined {
  if (!Number.isInteger(attemptsMade) || attemptsMade < 1) throw new Error('nextAttemptDelay: after at least one attempt');
  return schedule[attemptsMade];
}

/** A retry schedule: a list of 1 to 20 delays in seconds, the first 0 (the first attempt goes out at once). */
export const retryScheduleSchema = z
  .array(z.number().int().min(0).max(7 * 24 * 3600))
  .min(1)
  .max(20)
  .refine((s) => s[0] === 0, 'the first delay is 0 (the first attempt goes out at once)');

// ---- Deliveries ---------------------------------------------------------------------------------------------------

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'cancelled';
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'cancelled'] as const satisfies readonly DeliveryStatus[];

/** Why an attempt failed, as a class (never the subscriber's words): the HTTP status says the rest. */
export type AttemptError = 'http_status' | 'timeout' | 'connection_refused' | 'connection_reset' | 'dns' | 'tls' | 'blocked_address' | 'network';

/** One attempt as recorded on the delivery (and shown to staff). */
export interface Attempt {
  /** Which round (1, then +1 for each staff retry) and which attempt of that round (1…). */
  round: number;
  attempt: number;
  at: string;
  durationMs: number;
  statusCode?: number;
  error?: AttemptError;
  /** The start of the response body (at most RESPONSE_SNIPPET_CHARS, control characters removed) — for staff only. */
  responseSnippet?: string;
  /** When the next attempt was due, for a failed attempt that was not the round's last. */
  retryAt?: string;
}

/** The result of one HTTP POST (the adapter's answer). */
export interface PostResult {
  statusCode?: number;
  durationMs: number;
  error?: Exclude<AttemptError, 'http_status'>;
  responseSnippet?: string;
}

export const RESPONSE_SNIPPET_CHARS = 200;
/** Attempts kept on a delivery (the oldest go first): 8 a round, so the last rounds stay visible. */
export const ATTEMPTS_KEPT = 40;

/** A response body as far as it may be kept: a short snippet, printable characters only. */
export function responseSnippet(text: string): string | undefined {
  // Control characters (line breaks, escape sequences) become spaces: the snippet is shown, never interpreted.
  const clean = [...text].map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? ' ' : c)).join('').replace(/ {2,}/g, ' ').trim();
  if (!clean) return undefined;
  return clean.length > RESPONSE_SNIPPET_CHARS ? `${clean.slice(0, RESPONSE_SNIPPET_CHARS - 1)}…` : clean;
}

/** A 2xx answer delivers; anything else (3xx included: redirects are not followed) is a failed attempt. */
export function delivered(result: PostResult): boolean {
  return result.error === undefined && result.statusCode !== undefined && result.statusCode >= 200 && result.statusCode < 300;
}

export type AttemptOutcome =
  | { status: 'delivered'; attempt: Attempt; at: string }
  | { status: 'pending'; attempt: Attempt; nextAttemptAt: string; delaySeconds: number }
  | { status: 'failed'; attempt: Attempt; at: string };

/**
 * What one attempt makes of a delivery: delivered on 2xx; otherwise the next attempt after the schedule's delay
 * (counted from the end of this attempt), or dead-lettered (`failed`) when this was the round's last.
 */
export function attemptOutcome(
  started: Date,
  result: PostResult,
  position: { round: number; attempt: number },
  schedule: readonly number[] = STANDARD_RETRY_SCHEDULE,
): AttemptOutcome {
  const ended = new Date(started.getTime() + result.durationMs);
  const ok = delivered(result);
  const attempt: Attempt = {
    round: position.round,
    attempt: position.attempt,
    at: started.toISOString(),
    durationMs: result.durationMs,
    ...(result.statusCode !== undefined ? { statusCode: result.statusCode } : {}),
    ...(!ok ? { error: result.error ?? 'http_status' } : {}),
    ...(result.responseSnippet ? { responseSnippet: result.responseSnippet } : {}),
  };
  if (ok) return { status: 'delivered', attempt, at: ended.toISOString() };
  const delay = nextAttemptDelay(position.attempt, schedule);
  if (delay === undefined) return { status: 'failed', attempt, at: ended.toISOString() };
  const nextAttemptAt = new Date(ended.getTime() + delay * 1000).toISOString();
  return { status: 'pending', attempt: { ...attempt, retryAt: nextAttemptAt }, delaySeconds: delay, nextAttemptAt };
}

/** The attempts kept after adding one: the newest ATTEMPTS_KEPT. */
export function keptAttempts(log: readonly Attempt[], next: Attempt): Attempt[] {
  return [...log, next].slice(-ATTEMPTS_KEPT);
}

/** The index shard of a delivery (the sweep reads each shard's due slice). */
export function deliveryShard(subscriptionId: string, eventId: string, shards: number): number {
  let h = 0;
  for (const ch of `${subscriptionId}#${eventId}`) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h % shards;
}

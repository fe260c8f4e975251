/**
 * The one pagination cursor codec of the HTTP API: every paginated route (GET /invoices, GET /payments,
 * GET /customers/{id}/ledger, GET /customers/{id}/communications) issues and reads its `cursor` here.
 *
 * A cursor is `<payload>.<mac>`: the payload is base64url JSON (where the listing stopped, e.g. DynamoDB's
 * LastEvaluatedKey), the mac an HMAC-SHA256 over the version, the listing's scope and the payload. The scope names
 * the route and what it lists (`GET /invoices?customerId=…&status=…`, `GET /customers/{id}/ledger` with the id), so a
 * cursor is good only for the listing that issued it: a tampered cursor, one made up by a client, or one issued for
 * another customer (or another filter) is refused with 400 `invalid_cursor` naming the field `cursor` — it never
 * reaches DynamoDB and can never address another customer's items.
 *
 * The key is derived from LINK_SIGNING_SECRET (a server-only secret) with a fixed label, so a cursor's mac is never
 * a valid link token and vice versa. Rotating that secret invalidates outstanding cursors (the client starts over).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { getSecret } from '../adapters/secrets.ts';
import { Invalid } from './errors.ts';

const VERSION = 'c1';
/** Longest cursor accepted (query validation uses it too). */
export const MAX_CURSOR_CHARS = 2000;
const KEY_LABEL = 'collections:pagination-cursor:v1';

export type CursorPayload = Record<string, unknown>;

/** The scope a cursor is bound to: the route and the values that select what it lists (unset values are omitted). */
export function cursorScope(route: string, selectors: Record<string, string | number | undefined> = {}): string {
  const parts = Object.entries(selectors)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `${route}?${parts.join('&')}` : route;
}

/** The cursor-signing key derived from the secret (domain-separated from link tokens). */
export function cursorKey(secret: string): Buffer {
  return createHmac('sha256', secret).update(KEY_LABEL).digest();
}

function mac(key: Buffer, scope: string, payload: string): Buffer {
  return createHmac('sha256', key).update(`${VERSION}\n${scope}\n${payload}`).digest();
}

/** A signed cursor for `position` within `scope`; null when there is no next page. */
export function sealCursor(key: Buffer, scope: string, position: CursorPayload | undefined): string | null {
  if (!position) return null;
  const payload = Buffer.from(JSON.stringify(position)).toString('base64url');
  return `${payload}.${mac(key, scope, payload).toString('base64url')}`;
}

const invalid = () => new Invalid('cursor', 'not a cursor this API issued for this listing; start again without a cursor', 'invalid_cursor');

/** The position a cursor carries, if this API issued it for `scope`; else 400 `invalid_cursor`. No cursor: undefined. */
export function openCursor(key: Buffer, scope: string, cursor: string | undefined): CursorPayload | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  if (cursor.length > MAX_CURSOR_CHARS) throw invalid();
  const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(cursor);
  if (!match) throw invalid();
  const [, payload, given] = match as unknown as [string, string, string];
  const expected = mac(key, scope, payload);
  const actual = Buffer.from(given, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw invalid();
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!position || typeof position !== 'object' || Array.isArray(position)) throw invalid();
  return position as CursorPayload;
}

/** Issues the next page's cursor (null after the last page). */
export async function encodeCursor(scope: string, position: CursorPayload | undefined): Promise<string | null> {
  if (!position) return null;
  return sealCursor(cursorKey(await getSecret('LINK_SIGNING_SECRET')), scope, position);
}

/** Reads a client's cursor: the position it carries, or 400 `invalid_cursor` unless this API issued it for `scope`. */
export async function decodeCursor(scope: string, cursor: string | undefined): Promise<CursorPayload | undefined> {
  if (cursor === undefined || cursor === '') return undefined;
  return openCursor(cursorKey(await getSecret('LINK_SIGNING_SECRET')), scope, cursor);
}

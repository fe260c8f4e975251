import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { getSecret } from '../adapters/secrets.ts';
import { branding } from '../config/runtime.ts';
import { CORRELATION_ID_HEADER, correlationId, isCorrelationId, withCorrelationId } from '../context.ts';
import { addLambdaContext, errorForLog, logger } from '../logger.ts';
import { flushMetrics } from '../metrics.ts';
import { UseCaseError, type UseCaseErrorKind } from '../services/errors.ts';
import { functions, type HttpAuth, type Trigger } from '../topology.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;
export type Route = (event: HttpEvent) => Promise<HttpResult>;

/** Largest body accepted, before any parsing or signature work. */
export const MAX_BODY_BYTES = 256 * 1024;

/** A client error: a 4xx with a JSON body naming the problem (and the field, when there is one). */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** The one map from the services' use-case errors to HTTP status codes (lago-api's api_errors.rb). */
const STATUS_OF: Record<UseCaseErrorKind, number> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
};

/** The client error an error stands for: an HttpError as it is, a use-case error mapped to its status; else undefined. */
export function httpErrorOf(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (error instanceof UseCaseError) return new HttpError(STATUS_OF[error.kind], error.code, error.message, error.field);
  return undefined;
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

function header(event: HttpEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === wanted) return v;
  return undefined;
}
export { header as getHeader };

/** The body's exact bytes (API Gateway may deliver them base64-encoded). */
export function rawBody(event: HttpEvent): Buffer {
  const body = event.body ?? '';
  return event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}

export function jsonBody(event: HttpEvent): unknown {
  const text = rawBody(event).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'invalid_request', 'request body is empty; send a JSON object');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'request body is not valid JSON');
  }
}

/** Validates with zod; the first issue becomes a 400 naming its field (an unknown field: the one that is not allowed). */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.code === 'unrecognized_keys' ? [...issue.path, ...issue.keys.slice(0, 1)] : (issue?.path ?? []);
  const field = path.join('.') || undefined;
  const message = issue ? `${field ? `${field}: ` : ''}${issue.message}` : 'invalid request';
  throw new HttpError(400, 'invalid_request', message, field);
}

function routeTrigger(routeKey: string): Extract<Trigger, { type: 'http' }> | undefined {
  for (const fn of functions) {
    for (const t of fn.triggers) if (t.type === 'http' && `${t.method} ${t.path}` === routeKey) return t;
  }
  return undefined;
}

/** A constant-time comparison of a presented secret (a key, a CSRF token) with the expected one. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

async function authorise(event: HttpEvent, auth: HttpAuth): Promise<void> {
  if (auth !== 'admin') return;
  const value = header(event, 'authorization') ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(value.trim());
  if (!match?.[1]) throw new HttpError(401, 'unauthorized', 'missing Authorization: Bearer <admin API key>');
  if (!sameSecret(match[1].trim(), await getSecret('ADMIN_API_KEY'))) {
    throw new HttpError(401, 'unauthorized', 'invalid admin API key');
  }
}

/**
 * The security headers of every response, set here and nowhere else (a handler cannot weaken them):
 * - `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer` on everything (JSON, CSV, HTML, errors);
 * - HTML gets a Content-Security-Policy that allows nothing but the page's own `<style>` blocks, by hash:
 *   `default-src 'none'; style-src 'sha256-…'; frame-ancestors 'none'; base-uri 'none'` — no script at all, no
 *   inline style attributes, no framing (plus `X-Frame-Options: DENY` for old browsers). `form-action` is left
 *   unset on purpose: the pay page's form answers with a redirect to Stripe Checkout, which browsers check
 *   against `form-action` too.
 * - Anything else gets `default-src 'none'; frame-ancestors 'none'` (a JSON body rendered as a page runs nothing).
 */
export function withSecurityHeaders(result: HttpResult): HttpResult {
  const headers: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k.toLowerCase()] = v;
  const contentType = String(headers['content-type'] ?? '');
  headers['x-content-type-options'] = 'nosniff';
  headers['referrer-policy'] = 'no-referrer';
  if (/^\s*text\/html/i.test(contentType)) {
    headers['content-security-policy'] = htmlPolicy(typeof result.body === 'string' && !result.isBase64Encoded ? result.body : '');
    headers['x-frame-options'] = 'DENY';
  } else {
    headers['content-security-policy'] = "default-src 'none'; frame-ancestors 'none'";
  }
  return { ...result, headers };
}

/**
 * The CSP of an HTML page: its `<style>` blocks allowed by SHA-256 hash, and the exact https URLs of its `<img>`
 * elements (the brand's logo URL; customer data is escaped, so only our markup can write an `<img>`); nothing else.
 */
export function htmlPolicy(html: string): string {
  const hashes = [...html.matchAll(/<style(?:\s[^>]*)?>([\s\S]*?)<\/style>/gi)].map(
    (m) => `'sha256-${createHash('sha256').update(m[1] ?? '', 'utf8').digest('base64')}'`,
  );
  const styles = [...new Set(hashes)];
  const images = [
    ...new Set(
      [...html.matchAll(/<img\s[^>]*?src="(https:\/\/[^"]+)"/gi)]
        .map((m) => (m[1] as string).replace(/&amp;/g, '&'))
        .filter((url) => /^https:\/\/[^\s;,'"<>\\]+$/.test(url)),
    ),
  ];
  return [
    "default-src 'none'",
    ...(styles.length ? [`style-src ${styles.join(' ')}`] : []),
    ...(images.length ? [`img-src ${images.join(' ')}`] : []),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/**
 * The correlation id of a request: the caller's `x-correlation-id` header if it is a well-formed id (so a caller can
 * follow its own request through our logs, queue, mails and events), else API Gateway's request id.
 */
export function requestCorrelationId(event: HttpEvent): string | undefined {
  const given = header(event, CORRELATION_ID_HEADER)?.trim();
  return isCorrelationId(given) ? given : event.requestContext?.requestId;
}

/**
 * Builds a function's HTTP handler from its routes (keyed by the manifest's `METHOD /path`). Authentication follows
 * the manifest's `auth` for the route; errors become JSON: HttpError → its 4xx, a use-case error → its status (httpErrorOf), anything else → 500 (a bug, logged).
 * Every response, success or error, leaves with `withSecurityHeaders` and the request's correlation id
 * (`x-correlation-id`, see `requestCorrelationId`), under which the whole request runs; its business metrics are
 * flushed when it ends.
 */
export function httpHandler(routes: Record<string, Route>) {
  // At cold start: a BRANDING that cannot be used fails the function here (naming the field), not a customer's page.
  branding();
  const base = async (event: HttpEvent): Promise<HttpResult> => {
    const trigger = routeTrigger(event.routeKey);
    const route = routes[event.routeKey];
    if (!trigger || !route) throw new HttpError(404, 'not_found', `no route ${event.routeKey}`);
    if (rawBody(event).length > MAX_BODY_BYTES) {
      throw new HttpError(413, 'payload_too_large', `request body exceeds ${MAX_BODY_BYTES} bytes`);
    }
    await authorise(event, trigger.auth);
    return route(event);
  };
  const handler = middy<HttpEvent, HttpResult, Error, Context>(base)
    .before((request) => addLambdaContext(request.context))
    .after(async (request) => {
      if (request.response) request.response = withSecurityHeaders(request.response);
    })
    .onError(async (request) => {
      const error = httpErrorOf(request.error);
      if (error) {
        request.response = withSecurityHeaders(
          json(error.statusCode, {
            error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) },
          }),
        );
        return;
      }
      logger.error('unhandled error', { routeKey: request.event.routeKey, error: errorForLog(request.error) });
      request.response = withSecurityHeaders(json(500, { error: { code: 'internal_error', message: 'internal error' } }));
    });
  // The context is optional, as middy's is: unit tests and in-process tests call a handler with the event alone.
  return (event: HttpEvent, context?: Context): Promise<HttpResult> =>
    withCorrelationId(requestCorrelationId(event), async () => {
      try {
        const result = await handler(event, context as Context);
        const id = correlationId();
        return id ? { ...result, headers: { ...result.headers, [CORRELATION_ID_HEADER]: id } } : result;
      } finally {
        flushMetrics();
      }
    });
}

/**
 * The local HTTP gateway: serves every manifest route by invoking its handler with an API Gateway v2 (HTTP API,
 * payload 2.0) event, exactly as AWS would (cookies in `event.cookies`; a result's `cookies` become Set-Cookie
 * headers). Local-only routes live under /local/: firing a schedule
 * (`POST /local/schedules/{name}/fire` with `{"time": <ISO>, "ifDue": true?}`: with ifDue, a sweep with nothing due is
 * not run — local/scheduler.ts), publishing to an SNS topic (`POST /local/sns/{topic}`) and listing the events
 * that left on the local bus (`GET /local/events?customerId=&type=&since=`).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { functions, throttleClasses, type FunctionSpec, type HttpMethod, type ThrottleClass } from '../shared/topology.ts';
import { localPublications } from '../shared/store/local-bus.ts';
import { invoke } from './invoke.ts';
import { fireSchedule } from './scheduler.ts';
import { isTopic, messageFromBody, publish } from './sns.ts';

interface CompiledRoute {
  fn: FunctionSpec;
  method: HttpMethod;
  routeKey: string;
  throttle: ThrottleClass;
  pattern: RegExp;
  params: string[];
}

export function compileRoutes(): CompiledRoute[] {
  const routes: CompiledRoute[] = [];
  for (const fn of functions) {
    for (const t of fn.triggers) {
      if (t.type !== 'http') continue;
      const params: string[] = [];
      const source = t.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
        params.push(name);
        return '([^/]+)';
      });
      routes.push({ fn, method: t.method, routeKey: `${t.method} ${t.path}`, throttle: t.throttle, pattern: new RegExp(`^${source}$`), params });
    }
  }
  return routes;
}

/**
 * API Gateway's throttling model: a token bucket holding at most `burstLimit` tokens, refilled at `rateLimit` tokens
 * per second; a request takes one token or is refused (429). Time is a parameter (milliseconds).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    readonly rateLimit: number,
    readonly burstLimit: number,
    now: number,
  ) {
    this.tokens = burstLimit;
    this.last = now;
  }

  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.tokens = Math.min(this.burstLimit, this.tokens + elapsed * this.rateLimit);
    this.last = Math.max(this.last, now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** One bucket per route, sized by the route's manifest throttle class (as the CDK stack's route settings). */
export function routeBuckets(routes: CompiledRoute[], now: number): Map<string, TokenBucket> {
  return new Map(routes.map((r) => [r.routeKey, new TokenBucket(throttleClasses[r.throttle].rateLimit, throttleClasses[r.throttle].burstLimit, now)]));
}

const TEXT_TYPES = /^(application\/(json|xml|x-www-form-urlencoded)|text\/)/i;
const MAX_REQUEST_BYTES = 10 * 1024 * 1024; // API Gateway's payload limit

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) throw Object.assign(new Error('payload too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function buildHttpEvent(
  req: { method: string; url: URL; headers: Record<string, string>; body: Buffer; sourceIp: string },
  routeKey: string,
  pathParameters: Record<string, string> | undefined,
  now: Date,
): APIGatewayProxyEventV2 {
  const contentType = req.headers['content-type'] ?? '';
  const isText = req.body.length === 0 || TEXT_TYPES.test(contentType);
  const query: Record<string, string> = {};
  for (const [k, v] of req.url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  // Payload 2.0 delivers cookies apart from the headers: `cookies` (one `name=value` per cookie), no `cookie` header.
  const { cookie, ...headers } = req.headers;
  const cookies = (cookie ?? '').split(';').map((c) => c.trim()).filter(Boolean);
  return {
    version: '2.0',
    routeKey,
    rawPath: req.url.pathname,
    rawQueryString: req.url.search.replace(/^\?/, ''),
    ...(cookies.length ? { cookies } : {}),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: req.url.host,
      domainPrefix: 'local',
      http: {
        method: req.method,
        path: req.url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: req.sourceIp,
        userAgent: req.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: req.body.length === 0 ? undefined : isText ? req.body.toString('utf8') : req.body.toString('base64'),
    isBase64Encoded: !isText,
  };
}

function normaliseResult(result: unknown): APIGatewayProxyStructuredResultV2 {
  if (result && typeof result === 'object' && 'statusCode' in result) return result as APIGatewayProxyStructuredResultV2;
  // API Gateway's rule for a non-structured result: 200 with the JSON of what was returned.
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result ?? null) };
}

export interface GatewayOptions {
  /** Per-route throttling as in AWS (429 `{"message":"Too Many Requests"}` when a route's bucket is empty). Off unless asked. */
  throttle?: boolean;
}

export function startGateway(port: number, host = '127.0.0.1', options: GatewayOptions = {}): Promise<Server> {
  const routes = compileRoutes();
  const buckets = options.throttle ? routeBuckets(routes, Date.now()) : undefined;
  const server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' });
      res.end(JSON.stringify(body));
    };
    try {
      const now = new Date();
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? `localhost:${port}`}`);
      const body = await readBody(req);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;

      const fire = /^\/local\/schedules\/([^/]+)\/fire$/.exec(url.pathname);
      if (fire && req.method === 'POST') {
        const parsed = body.length ? (JSON.parse(body.toString('utf8')) as { time?: string; ifDue?: boolean }) : {};
        const time = parsed.time ? new Date(parsed.time) : now;
        if (Number.isNaN(time.getTime())) return send(400, { error: { code: 'invalid_request', message: 'time: not an ISO date-time', field: 'time' } });
        const result = await fireSchedule(decodeURIComponent(fire[1] as string), time, { ifDue: parsed.ifDue === true });
        if (result === undefined) return send(404, { error: { code: 'not_found', message: `no scheduled function ${fire[1]}` } });
        return send(200, { fired: fire[1], time: time.toISOString(), result });
      }

      // Publish to a manifest topic as SNS would: the body is the message (e.g. an SES notification).
      const sns = /^\/local\/sns\/([^/]+)$/.exec(url.pathname);
      if (sns && req.method === 'POST') {
        const topic = decodeURIComponent(sns[1] as string);
        if (!isTopic(topic)) return send(404, { error: { code: 'not_found', message: `no topic ${topic}` } });
        if (body.length === 0) return send(400, { error: { code: 'invalid_request', message: 'body: the message to publish is required', field: 'body' } });
        const delivered = await publish(topic, messageFromBody(body.toString('utf8')), now);
        return send(200, { delivered });
      }

      // What left on the local bus (shared/store/local-bus.ts), in publication order: each publication once, so a
      // re-published event appears twice with the same id.
      if (url.pathname === '/local/events' && req.method === 'GET') {
        const q = url.searchParams;
        const since = q.get('since') || undefined;
        if (since !== undefined && Number.isNaN(new Date(since).getTime())) {
          return send(400, { error: { code: 'invalid_request', message: 'since: not an ISO date-time', field: 'since' } });
        }
        const items = await localPublications({
          ...(q.get('customerId') ? { customerId: q.get('customerId') as string } : {}),
          ...(q.get('type') ? { type: q.get('type') as string } : {}),
          ...(since ? { since: new Date(since).toISOString() } : {}),
        });
        return send(200, { items });
      }

      for (const route of routes) {
        if (route.method !== req.method) continue;
        const m = route.pattern.exec(url.pathname);
        if (!m) continue;
        // Throttled before anything else, as API Gateway does (the function is not invoked).
        if (buckets && !buckets.get(route.routeKey)!.take(Date.now())) return send(429, { message: 'Too Many Requests' });
        const pathParameters = route.params.length
          ? Object.fromEntries(route.params.map((p, i) => [p, decodeURIComponent(m[i + 1] as string)]))
          : undefined;
        // Time travel (local only): `X-Local-Time: <ISO>` makes the request happen at that instant, as the schedules'
        // fire endpoint does — the simulation books payments, disputes and holds on simulated days.
        const travelled = headers['x-local-time'] ? new Date(headers['x-local-time']) : now;
        if (Number.isNaN(travelled.getTime())) {
          return send(400, { error: { code: 'invalid_request', message: 'X-Local-Time: not an ISO date-time', field: 'x-local-time' } });
        }
        const event = buildHttpEvent(
          { method: req.method, url, headers, body, sourceIp: req.socket.remoteAddress ?? '127.0.0.1' },
          route.routeKey,
          pathParameters,
          travelled,
        );
        const result = normaliseResult(await invoke(route.fn, event));
        const outHeaders: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(result.headers ?? {})) outHeaders[k] = String(v);
        // Payload 2.0 results set cookies with `cookies`: one Set-Cookie header each, as API Gateway sends them.
        if (result.cookies?.length) outHeaders['set-cookie'] = result.cookies;
        res.writeHead(result.statusCode ?? 200, outHeaders);
        res.end(result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'));
        return;
      }
      send(404, { message: 'Not Found' });
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 413) return send(413, { message: 'Request Entity Too Large' });
      console.error('[gateway] handler crashed:', error);
      send(500, { message: 'Internal Server Error' });
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

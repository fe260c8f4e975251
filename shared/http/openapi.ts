/**
 * The API contract as an OpenAPI 3.1 document, built (pure, no I/O) from the topology's HTTP routes (method, path,
 * auth, throttle class) and their contracts (shared/http/contract/routes.ts: the zod schemas the handlers validate
 * with, the response schemas). Served at `GET /openapi.json` and rendered at `GET /docs` (functions/docs).
 */
import { z } from 'zod';
import { functions, throttleClasses, type HttpAuth, type HttpMethod, type Trigger } from '../topology.ts';
import { errorResponse } from './contract/responses.ts';
import { routeContracts, type ResponseSpec, type RouteContract } from './contract/routes.ts';

export type JsonSchema = Record<string, unknown>;
export type HttpRoute = Extract<Trigger, { type: 'http' }>;
export type OpenApiDocument = {
  openapi: '3.1.1';
  info: { title: string; version: string; description: string };
  servers?: { url: string }[];
  tags: { name: string }[];
  paths: Record<string, Record<string, OperationObject>>;
  components: { schemas: Record<string, JsonSchema>; parameters: Record<string, JsonSchema>; headers: Record<string, JsonSchema>; securitySchemes: Record<string, JsonSchema> };
};
export interface OperationObject {
  operationId: string;
  summary: string;
  tags: string[];
  security: Record<string, string[]>[];
  parameters?: JsonSchema[];
  requestBody?: JsonSchema;
  responses: Record<string, JsonSchema>;
  'x-throttle': { class: string; rateLimit: number; burstLimit: number };
}

/** Every HTTP route of the topology, in topology order. */
export function topologyRoutes(): HttpRoute[] {
  return functions.flatMap((f) => f.triggers.filter((t): t is HttpRoute => t.type === 'http'));
}

/** A zod schema as JSON Schema 2020-12 (the dialect of OpenAPI 3.1), inlined; `input` for requests, `output` for responses. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const out = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any', reused: 'inline' }) as JsonSchema;
  delete out.$schema;
  if (out.$defs) throw new Error('contract schemas must not be recursive (no $defs in an inline OpenAPI schema)');
  return out;
}

const SECURITY_SCHEMES: Record<string, JsonSchema> = {
  adminBearer: { type: 'http', scheme: 'bearer', description: 'The admin API key: `Authorization: Bearer <ADMIN_API_KEY>`.' },
  stripeSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'Stripe-Signature',
    description: "Stripe's webhook signature (HMAC-SHA256 of the raw body with the endpoint secret, `t=…,v1=…`), checked over the exact bytes.",
  },
  bankSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Bank-Signature',
    description: 'Hex HMAC-SHA256 of `<X-Bank-Timestamp>.<raw body>` with BANK_WEBHOOK_SECRET; the timestamp (Unix seconds) must be recent.',
  },
  signedLink: {
    type: 'apiKey',
    in: 'query',
    name: 't',
    description: 'The signed link token from a mail (HMAC with LINK_SIGNING_SECRET, bound to the customer and purpose; expires; revocable).',
  },
  portalSession: {
    type: 'apiKey',
    in: 'cookie',
    name: 'portal_session',
    description: 'The customer portal session cookie (HttpOnly, SameSite=Lax); every POST also carries the form field `csrf`.',
  },
  consoleSession: {
    type: 'apiKey',
    in: 'cookie',
    name: 'console_session',
    description: 'The staff console session cookie (HttpOnly, SameSite=Strict, Path=/console) of a member of the staff directory; every POST also carries the form field `csrf`; a viewer may not change anything (403).',
  },
};

/** The security requirement of a route from the topology's `auth` (and, for `signature`, which signature). */
export function securityOf(route: Pick<HttpRoute, 'auth' | 'path'>): Record<string, string[]>[] {
  const by: Record<HttpAuth, () => Record<string, string[]>[]> = {
    none: () => [],
    admin: () => [{ adminBearer: [] }],
    session: () => [{ portalSession: [] }],
    staff: () => [{ consoleSession: [] }],
    signature: () => {
      if (route.path === '/webhooks/stripe') return [{ stripeSignature: [] }];
      if (route.path === '/webhooks/bank') return [{ bankSignature: [] }];
      return [{ signedLink: [] }];
    },
  };
  return by[route.auth]();
}

/** What each error status means, for every route that gives it. */
export const ERROR_TEXT: Record<number, string> = {
  400: 'bad input: the first problem, naming the field; nothing changed',
  401: 'not signed in (admin: missing or wrong API key; portal or console POST: no live session)',
  403: 'refused: a revoked or not valid link, a missing or wrong CSRF token, or (console) a read-only member changing something',
  404: 'not found (or not this customer\'s)',
  409: 'conflict with the current state (e.g. Idempotency-Key reused with another body)',
  410: 'the link has expired (the page offers a fresh one)',
  413: 'request body larger than 256 KiB',
  429: 'throttled (API Gateway route throttling: the route\'s class)',
  500: 'internal error (a bug; logged)',
};

const ERROR_REF = { $ref: '#/components/schemas/Error' };
/** Every response carries the request's correlation id (shared/http/api.ts `requestCorrelationId`). */
const CORRELATION_HEADERS = { 'X-Correlation-Id': { $ref: '#/components/headers/CorrelationId' } };
const CORRELATION_ID = {
  parameter: {
    name: 'X-Correlation-Id',
    in: 'header',
    required: false,
    description:
      "Your id for this request (1–128 of letters, digits and `_ . : = + / -`): it follows the work into our logs, queue messages, mails and events out, and comes back on the response. Anything else is ignored and API Gateway's request id used instead.",
    schema: { type: 'string', pattern: '^[\\w.:=+/-]{1,128}$' },
  },
  header: { description: 'The correlation id the request ran under (yours if well-formed, else the request id).', schema: { type: 'string' } },
};

function isPageRoute(contract: RouteContract): boolean {
  // A route answering only "No Content" (204, e.g. DELETE /staff/{id}) is still a JSON API route: its errors are JSON.
  const answers = Object.values(contract.responses);
  return answers.every((r) => !r.json) && answers.some((r) => r.html || r.redirect || r.csv);
}

function responseObject(spec: ResponseSpec): JsonSchema {
  const content: Record<string, JsonSchema> = {};
  if (spec.json) content['application/json'] = { schema: jsonSchemaOf(spec.json, 'output') };
  if (spec.html) content['text/html'] = { schema: { type: 'string' } };
  if (spec.csv) content['text/csv'] = { schema: { type: 'string' } };
  return {
    description: spec.description,
    headers: { ...(spec.redirect ? { Location: { description: 'where to go next', schema: { type: 'string' } } } : {}), ...CORRELATION_HEADERS },
    ...(Object.keys(content).length ? { content } : {}),
  };
}

function errorObject(status: number, page: boolean): JsonSchema {
  const description = ERROR_TEXT[status] ?? 'error';
  // 429 comes from API Gateway (its own body); 413 and 500 from the shared HTTP edge, always JSON.
  if (status === 429) return { description };
  if (page && status !== 413 && status !== 500) return { description: `${description} (an HTML page saying so)`, headers: CORRELATION_HEADERS, content: { 'text/html': { schema: { type: 'string' } } } };
  return { description, headers: CORRELATION_HEADERS, content: { 'application/json': { schema: ERROR_REF } } };
}

function parametersOf(route: HttpRoute, contract: RouteContract): JsonSchema[] {
  const params: JsonSchema[] = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  params.push({ $ref: '#/components/parameters/CorrelationId' });
  if (contract.query) {
    const schema = jsonSchemaOf(contract.query, 'input');
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((schema.required ?? []) as string[]);
    for (const [name, s] of Object.entries(properties)) {
      params.push({ name, in: 'query', required: required.has(name), schema: s, ...(typeof s.description === 'string' ? { description: s.description } : {}) });
    }
  }
  if (contract.idempotent) {
    params.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Retry-safe creation: the same key and body answer 200 with the first result; the same key with another body 409.',
      schema: { type: 'string', maxLength: 255 },
    });
  }
  if (route.path === '/webhooks/bank') {
    params.push({ name: 'X-Bank-Timestamp', in: 'header', required: true, description: 'Unix seconds, signed with the body', schema: { type: 'string' } });
  }
  return params;
}

function requestBodyOf(contract: RouteContract): JsonSchema | undefined {
  const body = contract.body;
  if (!body) return undefined;
  const content: Record<string, JsonSchema> = {};
  if (body.json) content['application/json'] = { schema: jsonSchemaOf(body.json, 'input') };
  if (body.csv) content['text/csv'] = { schema: { type: 'string', description: 'CSV with a header row naming the same fields' } };
  if (body.xml) content['application/xml'] = { schema: { type: 'string', description: 'ISO 20022 camt.053 / camt.054' } };
  if (body.text) content['text/plain'] = { schema: { type: 'string', description: 'BAI2' } };
  if (body.form) content['application/x-www-form-urlencoded'] = { schema: jsonSchemaOf(body.form, 'input') };
  return { required: body.required ?? !!body.form, content };
}

function operationOf(route: HttpRoute, contract: RouteContract | undefined): OperationObject {
  const key = `${route.method} ${route.path}`;
  const throttle = { class: route.throttle, ...throttleClasses[route.throttle] };
  const operationId = `${route.method.toLowerCase()}${route.path.replace(/\{([^}]+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`;
  if (!contract) {
    // No contract: present in the document (the route exists) but flagged; the contract test fails on it.
    return { operationId, summary: `${key} (not documented)`, tags: ['Undocumented'], security: securityOf(route), responses: { default: { description: 'not documented' } }, 'x-throttle': throttle };
  }
  const page = isPageRoute(contract);
  const responses: Record<string, JsonSchema> = {};
  for (const [status, spec] of Object.entries(contract.responses).sort(([a], [b]) => Number(a) - Number(b))) responses[status] = responseObject(spec);
  for (const status of [...contract.errors, 500]) responses[String(status)] ??= errorObject(status, page);
  const parameters = parametersOf(route, contract);
  const requestBody = requestBodyOf(contract);
  return {
    operationId,
    summary: contract.summary,
    tags: [contract.tag],
    security: securityOf(route),
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
    'x-throttle': throttle,
  };
}

/** The OpenAPI 3.1 document of every topology HTTP route. */
export function openApiDocument(options: { version?: string; serverUrl?: string } = {}): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  const tags = new Set<string>();
  for (const route of topologyRoutes()) {
    const op = operationOf(route, routeContracts[`${route.method} ${route.path}`]);
    for (const t of op.tags) tags.add(t);
    (paths[route.path] ??= {})[route.method.toLowerCase() as Lowercase<HttpMethod>] = op;
  }
  return {
    openapi: '3.1.1',
    info: {
      title: 'Collections backend API',
      version: options.version ?? '1',
      description:
        'Payments in from everywhere, applied without guessing; collections on schedules. Money is an integer in minor units of the ISO 4217 currency; ' +
        'errors are `{ "error": { "code", "message", "field"? } }`; list endpoints page with an opaque `nextCursor`. Generated from the zod schemas the ' +
        'handlers validate with and the topology (shared/topology.ts).',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    tags: [...tags].map((name) => ({ name })),
    paths,
    components: {
      schemas: { Error: jsonSchemaOf(errorResponse, 'output') },
      parameters: { CorrelationId: CORRELATION_ID.parameter },
      headers: { CorrelationId: CORRELATION_ID.header },
      securitySchemes: SECURITY_SCHEMES,
    },
  };
}

/** The response schema the contract gives a route for a status (JSON bodies), for checking responses in tests. */
export function responseSchemaFor(method: string, path: string, status: number): z.ZodType | undefined {
  const contract = routeContracts[`${method.toUpperCase()} ${path}`];
  if (!contract) return undefined;
  const spec = contract.responses[status];
  if (spec) return spec.json;
  if (contract.errors.includes(status) || status === 500) return isPageRoute(contract) && status !== 413 && status !== 500 ? undefined : errorResponse;
  return undefined;
}

/**
 * `GET /docs`: the OpenAPI document (./openapi.ts) as a readable reference page, rendered on the server on the
 * customer-page layout (one stylesheet, no script, no external assets). Pure: document in, HTML out.
 */
import { html, join, type Html } from '../domain/html.ts';
import type { Brand } from '../domain/ui/brand.ts';
import { customerPage } from '../domain/ui/layout.ts';
import { ERROR_TEXT as ERROR_MEANING, type JsonSchema, type OpenApiDocument, type OperationObject } from './openapi.ts';

/** A short type label of a JSON Schema: `string`, `integer ≥ 1`, `open | paid`, `array of object`… */
export function typeLabel(s: JsonSchema | undefined): string {
  if (!s) return 'any';
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if ('const' in s) return JSON.stringify(s.const);
  const union = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (union) return union.map(typeLabel).join(' | ');
  if (s.type === 'array') return `array of ${typeLabel(s.items as JsonSchema | undefined)}`;
  const type = Array.isArray(s.type) ? s.type.join(' | ') : typeof s.type === 'string' ? s.type : 'any';
  const bounds = [
    typeof s.minimum === 'number' && s.minimum > Number.MIN_SAFE_INTEGER ? `≥ ${s.minimum}` : '',
    typeof s.maximum === 'number' && s.maximum < Number.MAX_SAFE_INTEGER ? `≤ ${s.maximum}` : '',
    typeof s.maxLength === 'number' ? `max ${s.maxLength} chars` : '',
    typeof s.format === 'string' ? s.format : '',
  ].filter(Boolean);
  return bounds.length ? `${type} (${bounds.join(', ')})` : type;
}

function fieldsTable(schema: JsonSchema, caption: string): Html {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const names = Object.keys(properties);
  if (names.length === 0) return html`<p>${caption}: ${typeLabel(schema)}</p>`;
  return html`<h4>${caption}</h4><ul>${names.map((name) => {
    const p = properties[name] as JsonSchema;
    return html`<li><code>${name}</code> ${typeLabel(p)}${required.has(name) ? ', required' : ''}${typeof p.description === 'string' && html` — ${p.description}`}</li>`;
  })}</ul>`;
}

const AUTH_TEXT: Record<string, string> = {
  adminBearer: 'admin API key (Authorization: Bearer)',
  stripeSignature: 'Stripe-Signature header',
  bankSignature: 'X-Bank-Signature header (HMAC)',
  signedLink: 'signed link (t query parameter)',
  portalSession: 'portal session cookie + csrf form field',
  consoleSession: 'console session cookie (staff) + csrf form field',
};

function operation(path: string, method: string, op: OperationObject): Html {
  const auth = op.security.flatMap((s) => Object.keys(s)).map((k) => AUTH_TEXT[k] ?? k);
  // The correlation id (a `$ref` on every operation) is described once, at the top of the page.
  const params = ((op.parameters ?? []) as JsonSchema[]).filter((p) => !p.$ref);
  const body = op.requestBody?.content as Record<string, { schema: JsonSchema }> | undefined;
  return html`<section class="card" id="${op.operationId}" aria-labelledby="${`${op.operationId}-h`}">
<h3 id="${`${op.operationId}-h`}"><code>${method.toUpperCase()} ${path}</code></h3>
<p>${op.summary}</p>
<p>Auth: ${auth.length ? auth.join(', ') : 'none'} · Throttle: ${op['x-throttle'].class} (${op['x-throttle'].rateLimit}/s, burst ${op['x-throttle'].burstLimit})</p>
${params.length > 0 &&
  html`<h4>Parameters</h4><ul>${params.map(
    (p) => html`<li><code>${String(p.name)}</code> in ${String(p.in)}: ${typeLabel(p.schema as JsonSchema)}${p.required ? ', required' : ''}${typeof p.description === 'string' && html` — ${p.description}`}</li>`,
  )}</ul>`}
${body && Object.entries(body).map(([type, c]) => fieldsTable(c.schema, `Request body (${type})`))}
<ul>${Object.entries(op.responses)
  .filter(([status]) => !/^[45]/.test(status))
  .map(([status, r]) => html`<li><strong>${status}</strong> ${Object.keys((r.content ?? {}) as object).join(', ') || '(no body)'}: ${String(r.description ?? '')}</li>`)}</ul>
<p>Errors: ${Object.keys(op.responses)
  .filter((status) => /^[45]/.test(status))
  .join(', ')}.</p>
${Object.entries(op.responses)
  .filter(([s, r]) => /^2/.test(s) && (r.content as Record<string, { schema: JsonSchema }> | undefined)?.['application/json'])
  .map(([status, r]) => fieldsTable((r.content as Record<string, { schema: JsonSchema }>)['application/json']!.schema, `Response ${status} (application/json)`))}
</section>`;
}

/** The reference page of a document. */
export function renderDocsPage(doc: OpenApiDocument, brand: Brand): string {
  const byTag = new Map<string, Html[]>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = op.tags[0] ?? 'Other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operation(path, method, op)]);
    }
  }
  const slug = (tag: string) => `tag-${tag.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  const body = html`<p>${doc.info.description}</p>
<p>Error statuses: ${join(Object.entries(ERROR_MEANING).map(([status, text]) => html`<strong>${status}</strong> ${text}`), '; ')}.</p>
<p>The machine-readable document: <a href="openapi.json">openapi.json</a> (OpenAPI ${doc.openapi}, version ${doc.info.version}). Errors are JSON <code>{"error":{"code","message","field"?}}</code> except on pages, which answer with a page.</p>
<p>Every route takes an optional <code>X-Correlation-Id</code> header (1–128 of letters, digits and <code>_ . : = + / -</code>): the work runs under it — logs, queue messages, mails, events out — and every response carries it back (API Gateway's request id when none or a malformed one was sent).</p>
<nav aria-label="Sections"><ul>${[...byTag.keys()].map((tag) => html`<li><a href="${`#${slug(tag)}`}">${tag}</a></li>`)}</ul></nav>
${join(
  [...byTag.entries()].map(([tag, ops]) => html`<section id="${slug(tag)}" aria-labelledby="${`${slug(tag)}-h`}"><h2 id="${`${slug(tag)}-h`}">${tag}</h2>${ops}</section>`),
  '\n',
)}`;
  return customerPage({ locale: 'en-US', title: 'API reference', brand, body, wide: true });
}

/**
 * The API contract (issue 13): every HTTP route of the topology is in the OpenAPI document with its answers
 * described, and the document is valid OpenAPI 3.1 (checked by a real validator, @readme/openapi-parser).
 */
import { validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { openApiDocument, responseSchemaFor, topologyRoutes } from '../../shared/http/openapi.ts';
import { routeContracts } from '../../shared/http/contract/routes.ts';

describe('OpenAPI contract', () => {
  const doc = openApiDocument();

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(doc.openapi).toMatch(/^3\.1\./);
  });

  it('has every topology HTTP route, each with a described success answer', () => {
    const missing: string[] = [];
    for (const route of topologyRoutes()) {
      const op = doc.paths[route.path]?.[route.method.toLowerCase()];
      const key = `${route.method} ${route.path}`;
      if (!op || !routeContracts[key]) {
        missing.push(`${key}: not in the contract (shared/http/contract/routes.ts)`);
        continue;
      }
      const ok = Object.entries(op.responses).filter(([s]) => /^[23]\d\d$/.test(s));
      if (ok.length === 0) missing.push(`${key}: no success response`);
      for (const [status, response] of ok) {
        const r = response as { content?: object; headers?: object };
        // 204 No Content has no body by definition (DELETE /staff/{id}).
        if (!r.content && status !== '204' && !(status.startsWith('3') && r.headers)) missing.push(`${key} ${status}: no response schema`);
      }
      if (!op.responses['500']) missing.push(`${key}: no 500`);
    }
    expect(missing).toEqual([]);
  });

  it('documents no route the topology does not have', () => {
    const routes = new Set(topologyRoutes().map((r) => `${r.method} ${r.path}`));
    expect(Object.keys(routeContracts).filter((k) => !routes.has(k))).toEqual([]);
  });

  it('takes X-Correlation-Id on every route and says every answer carries it back', () => {
    const ref = '#/components/parameters/CorrelationId';
    expect(doc.components.parameters.CorrelationId).toMatchObject({ name: 'X-Correlation-Id', in: 'header', required: false });
    for (const route of topologyRoutes()) {
      const op = doc.paths[route.path]?.[route.method.toLowerCase()];
      if (!routeContracts[`${route.method} ${route.path}`]) continue; // undocumented: the test above fails on it
      expect(op?.parameters?.some((p: { $ref?: string }) => p.$ref === ref), `${route.method} ${route.path}`).toBe(true);
      for (const [status, response] of Object.entries(op?.responses ?? {})) {
        if (status === '429') continue; // API Gateway's own answer
        expect((response as { headers?: Record<string, unknown> }).headers?.['X-Correlation-Id'], `${route.method} ${route.path} ${status}`).toBeDefined();
      }
    }
  });

  it('gives each route the security scheme of its auth', () => {
    const schemes = (path: string, method: string) => doc.paths[path]?.[method]?.security.flatMap((s) => Object.keys(s));
    expect(schemes('/customers', 'post')).toEqual(['adminBearer']);
    expect(schemes('/webhooks/stripe', 'post')).toEqual(['stripeSignature']);
    expect(schemes('/webhooks/bank', 'post')).toEqual(['bankSignature']);
    expect(schemes('/pay/{invoiceId}', 'get')).toEqual(['signedLink']);
    expect(schemes('/portal/invoices', 'get')).toEqual(['portalSession']);
    expect(schemes('/console', 'get')).toEqual(['consoleSession']);
    expect(schemes('/health', 'get')).toEqual([]);
    for (const route of topologyRoutes().filter((r) => r.auth === 'admin')) {
      expect(doc.paths[route.path]?.[route.method.toLowerCase()]?.responses['401'], `${route.method} ${route.path}`).toBeDefined();
    }
  });

  it('describes request bodies from the handlers\' schemas and forms as urlencoded', () => {
    const body = (path: string, method: string) => doc.paths[path]?.[method]?.requestBody as { content: Record<string, { schema: { required?: string[] } }> } | undefined;
    expect(body('/customers', 'post')?.content['application/json']?.schema.required).toEqual(expect.arrayContaining(['name', 'email']));
    expect(Object.keys(body('/portal/pay', 'post')?.content ?? {})).toEqual(['application/x-www-form-urlencoded']);
    expect(body('/portal/pay', 'post')?.content['application/x-www-form-urlencoded']?.schema.required).toContain('csrf');
    expect(doc.paths['/portal']?.get?.responses['200']).toMatchObject({ content: { 'text/html': {} } });
  });

  it('gives tests the schema of a route\'s answer by status', () => {
    expect(responseSchemaFor('GET', '/health', 200)?.safeParse({ status: 'ok' }).success).toBe(true);
    expect(responseSchemaFor('GET', '/customers/{id}', 404)?.safeParse({ error: { code: 'not_found', message: 'x' } }).success).toBe(true);
    expect(responseSchemaFor('GET', '/customers/{id}', 404)?.safeParse({ message: 'x' }).success).toBe(false);
  });
});

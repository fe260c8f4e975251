/**
 * GET /docs, the API reference rendered from the OpenAPI document, in a real browser: on a desktop and a 360 px
 * phone, accessible (axe-core), no sideways scrolling, every topology route on it; GET /openapi.json is the same
 * document.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { routeContracts } from '../../shared/http/contract/routes.ts';
import { topologyRoutes } from '../../shared/http/openapi.ts';
import { expectAccessible, expectNoHorizontalScroll, newContext, useBrowser, type Device } from '../support/browser.ts';
import { api, stack } from '../support/stack.ts';

const chromium = useBrowser();

describe.each<Device>(['desktop', 'phone'])('on a %s', (device) => {
  it('the API reference page lists every route, accessibly', async () => {
    const context = await newContext(chromium.browser, device);
    try {
      const page = await context.newPage();
      const res = await page.goto(`${stack.apiUrl}/docs`);
      expect(res?.status()).toBe(200);
      expect(res?.headers()['content-security-policy']).toContain("default-src 'none'");
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('API reference');
      const headings = await page.locator('h3').allTextContents();
      for (const route of topologyRoutes()) expect(headings).toContain(`${route.method} ${route.path}`);
      // axe and the 360 px check (no full-page screenshot: the reference is long).
      await expectAccessible(page, `docs-${device}`);
      await expectNoHorizontalScroll(page, `docs-${device}`);
    } finally {
      await context.close();
    }
  }, 120_000);
});

it('GET /openapi.json is the OpenAPI 3.1 document of every route', async () => {
  const res = await api('GET', '/openapi.json');
  expect(res.status).toBe(200);
  expect(res.body.openapi).toMatch(/^3\.1\./);
  for (const route of topologyRoutes()) expect(res.body.paths[route.path]?.[route.method.toLowerCase()], `${route.method} ${route.path}`).toBeDefined();
});

it('api() fails a test whose answer does not match the contract, naming route, status and field', async () => {
  const health = routeContracts['GET /health']!.responses[200]!;
  const documented = health.json;
  health.json = z.object({ status: z.literal('degraded') });
  try {
    await expect(api('GET', '/health')).rejects.toThrow(/API contract: GET \/health 200: status: /);
  } finally {
    health.json = documented;
  }
  expect((await api('GET', '/health')).body).toEqual({ status: 'ok' });
});

/**
 * The customer portal's HTTP edge: the session cookie (payload 2.0 `event.cookies`), the CSRF check of every
 * signed-in POST, and the one place that maps problems to portal pages:
 * - no live session → GET 303 to `/portal/login`, POST 401 page (nothing changed);
 * - POST without the session's CSRF token (form field `csrf`, constant-time compare) → 403 page, nothing changed;
 * - NotFound (also for another customer's id: services answer the same) → the portal's 404 page;
 * - other use-case/client errors → a portal page with the status of `httpErrorOf`, naming the field.
 * Everything else stays a 500 (logged by `httpHandler`, without the cookie: it logs the route key and the error).
 * Pages are never cached (`cache-control: no-store`); security headers come from `httpHandler`.
 */
import type { Customer } from '../domain/customer.ts';
import type { Html } from '../domain/html.ts';
import { translator } from '../domain/i18n/catalog.ts';
import { clearedSessionCookie, cookieSecure, sessionTokenOf } from '../domain/portal/session-rules.ts';
import { csrfInput, problemBody, renderSignedOutPage, signedInPage, type PortalSection } from '../domain/portal/shell.ts';
import { branding, publicBaseUrl } from '../config/runtime.ts';
import { sessionOf } from '../services/portal-auth.ts';
import { getHeader, httpErrorOf, rawBody, sameSecret, type HttpEvent, type HttpResult, type Route } from './api.ts';
import { browserLocale, PAGE_HEADERS } from './link-pages.ts';

export type { PortalSection } from '../domain/portal/shell.ts';

export interface PortalContext {
  event: HttpEvent;
  now: Date;
  customer: Customer;
  session: { id: string; csrf: string; customerId: string };
  /** The parsed urlencoded body; empty on GET. */
  form: URLSearchParams;
  locale: string;
  timeZone: string;
}
export type PortalRoute = (ctx: PortalContext) => Promise<HttpResult>;

/** The request's time (time travel locally: the gateway's `X-Local-Time`). */
export const requestTime = (event: HttpEvent) => new Date(event.requestContext.timeEpoch);

/** The request's cookies: payload 2.0 `cookies`, else a raw `Cookie` header (a proxy or test that sends one). */
export function requestCookies(event: HttpEvent): string[] {
  if (event.cookies?.length) return event.cookies;
  const header = getHeader(event, 'cookie');
  return header ? header.split(';').map((c) => c.trim()).filter(Boolean) : [];
}

export function formOf(event: HttpEvent): URLSearchParams {
  return event.requestContext.http.method === 'POST' ? new URLSearchParams(rawBody(event).toString('utf8')) : new URLSearchParams();
}

export function htmlResult(statusCode: number, body: string, cookies?: string[]): HttpResult {
  return { statusCode, headers: { ...PAGE_HEADERS }, body, ...(cookies ? { cookies } : {}) };
}

/** 303 See Other (after a POST, and to the sign-in page). */
export function redirect(location: string, cookies?: string[]): HttpResult {
  return { statusCode: 303, headers: { location, 'cache-control': 'no-store' }, ...(cookies ? { cookies } : {}) };
}

export function csrfField(ctx: PortalContext): Html {
  return csrfInput(ctx.session.csrf);
}

/** Whether cookies get `Secure` (everywhere except a plain-http localhost base URL). */
export function secureCookies(): boolean {
  return cookieSecure(publicBaseUrl());
}

/** A signed-in page in the portal shell (header with brand + nav + sign-out form, footer with support contacts). */
export function portalPage(ctx: PortalContext, input: { title: string; current?: PortalSection; body: Html; status?: number; wide?: boolean }): HttpResult {
  return htmlResult(
    input.status ?? 200,
    signedInPage({ locale: ctx.locale, brand: branding(), title: input.title, current: input.current, csrf: ctx.session.csrf, body: input.body, ...(input.wide ? { wide: true } : {}) }),
  );
}

/** Whether a POST's form carries the session's CSRF token (field `csrf`; constant-time; never an empty one). */
export function csrfMatches(form: URLSearchParams, csrf: string): boolean {
  const given = form.get('csrf') ?? '';
  return given.length > 0 && sameSecret(given, csrf);
}

/** The portal's error page for a client error inside a signed-in route. */
export function portalProblem(ctx: PortalContext, error: unknown): HttpResult | undefined {
  const clientError = httpErrorOf(error);
  if (!clientError || clientError.statusCode >= 500) return undefined;
  const t = translator(ctx.locale);
  if (clientError.statusCode === 404) {
    return portalPage(ctx, { title: t('portal.notFound.title'), body: problemBody({ locale: ctx.locale, message: t('portal.notFound.body') }), status: 404 });
  }
  // The message names the field (`field: detail`, as use-case errors and `parse` write it).
  return portalPage(ctx, { title: t('portal.error.title'), body: problemBody({ locale: ctx.locale, message: clientError.message, alert: true }), status: clientError.statusCode });
}

/** Wraps signed-in routes (see the module comment). */
export function portalRoutes(routes: Record<string, PortalRoute>): Record<string, Route> {
  return Object.fromEntries(
    Object.entries(routes).map(([key, route]) => [
      key,
      async (event: HttpEvent): Promise<HttpResult> => {
        const now = requestTime(event);
        const isPost = event.requestContext.http.method === 'POST';
        const live = await sessionOf(sessionTokenOf(requestCookies(event)), now);
        if (!live) {
          if (!isPost) return redirect('/portal/login');
          return htmlResult(401, renderSignedOutPage({ locale: browserLocale(event), brand: branding(), reason: 'expired' }), [clearedSessionCookie(secureCookies())]);
        }
        const { session, customer } = live;
        const ctx: PortalContext = {
          event,
          now,
          customer,
          session: { id: session.id, csrf: session.csrf, customerId: session.customerId },
          form: formOf(event),
          locale: customer.locale,
          timeZone: customer.timeZone,
        };
        if (isPost && !csrfMatches(ctx.form, session.csrf)) {
          const t = translator(ctx.locale);
          return portalPage(ctx, { title: t('portal.csrf.title'), body: problemBody({ locale: ctx.locale, message: t('portal.csrf.body'), alert: true }), status: 403 });
        }
        try {
          return await route(ctx);
        } catch (error) {
          const page = portalProblem(ctx, error);
          if (page) return page;
          throw error;
        }
      },
    ]),
  );
}

/** A declared portal route not built yet: the portal's 404 page (behind the session and CSRF checks). */
export const portalNotBuilt: PortalRoute = async (ctx) => {
  const t = translator(ctx.locale);
  return portalPage(ctx, { title: t('portal.notFound.title'), body: problemBody({ locale: ctx.locale, message: t('portal.notFound.body') }), status: 404 });
};

/**
 * The HTTP edge of the pages signed links open: HTML responses (never cached, no referrer), and the
 * one place that maps a refused link to its page — expired 410, revoked 403 (both in the customer's language, with
 * the fresh-link button), not valid 403 (in the browser's language, no button) — and a client error to an HTML page
 * (a customer never sees JSON or a 500 for a link problem).
 */
import { renderFieldErrorPage, renderLinkNotFoundPage, renderLinkProblemPage } from '../domain/link-pages.ts';
import { languageOf, localeForLanguage } from '../domain/i18n/catalog.ts';
import { branding } from '../config/runtime.ts';
import { LinkRefused } from '../services/links.ts';
import { getHeader, httpErrorOf, type HttpEvent, type HttpResult, type Route } from './api.ts';

/** (CSP, nosniff, framing and the referrer policy are added to every response by `httpHandler`: `withSecurityHeaders` in api.ts.) */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
} as const;

export function htmlPage(statusCode: number, body: string): HttpResult {
  return { statusCode, headers: { ...PAGE_HEADERS }, body };
}

/**
 * The browser's language, for pages shown before we know whose link it is: the first language of `Accept-Language`
 * if we have a catalog for it (as that catalog's locale), else English.
 */
export function browserLocale(event: HttpEvent): string {
  const first = (getHeader(event, 'accept-language') ?? '').split(',')[0]?.split(';')[0] ?? '';
  return localeForLanguage(languageOf(first));
}

export function linkProblemResponse(error: LinkRefused, event: HttpEvent): HttpResult {
  const locale = error.locale ?? browserLocale(event);
  const status = error.state === 'expired' ? 410 : 403;
  const fresh = error.target && error.token ? { target: error.target, token: error.token } : undefined;
  return htmlPage(status, renderLinkProblemPage({ locale, brand: branding(), state: error.state, ...(fresh ? { fresh } : {}) }));
}

/** Wraps a link function's routes: refused links and client errors become pages; anything else stays a 500. */
export function linkRoutes(routes: Record<string, Route>): Record<string, Route> {
  return Object.fromEntries(
    Object.entries(routes).map(([key, route]) => [
      key,
      async (event: HttpEvent) => {
        try {
          return await route(event);
        } catch (error) {
          if (error instanceof LinkRefused) return linkProblemResponse(error, event);
          const clientError = httpErrorOf(error);
          if (clientError?.statusCode === 404) return htmlPage(404, renderLinkNotFoundPage(browserLocale(event), branding()));
          if (clientError && clientError.statusCode < 500) {
            return htmlPage(clientError.statusCode, renderFieldErrorPage({ locale: browserLocale(event), brand: branding(), field: clientError.field ?? clientError.code, message: clientError.message }));
          }
          throw error;
        }
      },
    ]),
  );
}

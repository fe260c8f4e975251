/**
 * The staff console's HTTP edge: the session cookie, the CSRF check of every signed-in POST, the role check, who is
 * acting (the services record it: shared/context.ts `actedBy()`), and the one place that maps problems to console
 * pages:
 * - no live session → GET 303 to `/console/login`, POST 401 page (nothing changed);
 * - POST without the session's CSRF token (form field `csrf`, constant-time compare) → 403 page, nothing changed;
 * - POST by a read-only member (role `viewer`), other than sign-out → 403 page, nothing changed;
 * - NotFound → the console's 404 page; other use-case/client errors → a console page with the status of
 *   `httpErrorOf`, naming the field.
 * Everything else stays a 500 (logged by `httpHandler`, without the cookie). Pages are never cached; security
 * headers come from `httpHandler`.
 */
import { asStaff } from '../context.ts';
import { clearedConsoleCookie, consoleTokenOf, cookieSecure } from '../domain/console/session-rules.ts';
import { consoleDocument, consoleProblemBody, type ConsoleSection } from '../domain/console/layout.ts';
import { mayChange, type StaffMember } from '../domain/console/staff.ts';
import type { Html } from '../domain/html.ts';
import { branding, publicBaseUrl } from '../config/runtime.ts';
import { staffSessionOf } from '../services/console-auth.ts';
import { httpErrorOf, type HttpEvent, type HttpResult, type Route } from './api.ts';
import { csrfMatches, formOf, htmlResult, redirect, requestCookies, requestTime } from './portal.ts';

export type { ConsoleSection } from '../domain/console/layout.ts';
export { formOf, htmlResult, redirect, requestTime };

export interface ConsoleContext {
  event: HttpEvent;
  now: Date;
  staff: StaffMember;
  session: { id: string; csrf: string };
  /** The parsed urlencoded body; empty on GET. */
  form: URLSearchParams;
  /** The query string's parameters. */
  query: Record<string, string | undefined>;
}
export type ConsoleRoute = (ctx: ConsoleContext) => Promise<HttpResult>;

/** Whether cookies get `Secure` (everywhere except a plain-http localhost base URL). */
export function secureConsoleCookies(): boolean {
  return cookieSecure(publicBaseUrl());
}

/** A signed-in console page. `notice` shows a success line (after a POST's redirect: `?notice=`). */
export function consolePage(
  ctx: ConsoleContext,
  input: { title: string; current?: ConsoleSection; body: Html; meta?: Html; status?: number },
): HttpResult {
  return htmlResult(
    input.status ?? 200,
    consoleDocument({
      brand: branding(),
      title: input.title,
      body: input.body,
      ...(input.meta ? { meta: input.meta } : {}),
      signedIn: { current: input.current, staffName: ctx.staff.name, role: ctx.staff.role, csrf: ctx.session.csrf },
    }),
  );
}

/** A console page without a session (sign-in, problems). */
export function consolePublicPage(statusCode: number, title: string, body: Html, cookies?: string[]): HttpResult {
  return htmlResult(statusCode, consoleDocument({ brand: branding(), title, body }), cookies);
}

/** The console's page for a client error inside a signed-in route (undefined for anything else: a bug, a 500). */
export function consoleProblem(ctx: ConsoleContext, error: unknown): HttpResult | undefined {
  const clientError = httpErrorOf(error);
  if (!clientError || clientError.statusCode >= 500) return undefined;
  if (clientError.statusCode === 404) {
    return consolePage(ctx, { title: 'Not found', body: consoleProblemBody(clientError.message || 'There is nothing at this address.'), status: 404 });
  }
  // The message names the field (`field: detail`, as use-case errors and `parse` write it).
  return consolePage(ctx, { title: 'Not done', body: consoleProblemBody(clientError.message), status: clientError.statusCode });
}

/** Wraps signed-in routes (see the module comment). `POST /console/logout` is allowed to every role. */
export function consoleRoutes(routes: Record<string, ConsoleRoute>): Record<string, Route> {
  return Object.fromEntries(
    Object.entries(routes).map(([key, route]) => [
      key,
      async (event: HttpEvent): Promise<HttpResult> => {
        const now = requestTime(event);
        const isPost = event.requestContext.http.method === 'POST';
        const live = await staffSessionOf(consoleTokenOf(requestCookies(event)), now);
        if (!live) {
          if (!isPost) return redirect('/console/login');
          return consolePublicPage(401, 'Signed out', consoleProblemBody('Your session has ended: nothing was changed. Sign in again to continue.'), [clearedConsoleCookie(secureConsoleCookies())]);
        }
        const ctx: ConsoleContext = {
          event,
          now,
          staff: live.staff,
          session: { id: live.session.id, csrf: live.session.csrf },
          form: formOf(event),
          query: event.queryStringParameters ?? {},
        };
        if (isPost && !csrfMatches(ctx.form, live.session.csrf)) {
          return consolePage(ctx, { title: 'Not done', body: consoleProblemBody('This form was not sent from this session (missing or old security token): nothing was changed. Reload the page and try again.'), status: 403 });
        }
        if (isPost && key !== 'POST /console/logout' && !mayChange(ctx.staff.role)) {
          return consolePage(ctx, { title: 'Read only', body: consoleProblemBody('Your role is read only: nothing was changed. Ask an administrator for the collector role.'), status: 403 });
        }
        try {
          return await asStaff(ctx.staff.id, () => route(ctx));
        } catch (error) {
          const page = consoleProblem(ctx, error);
          if (page) return page;
          throw error;
        }
      },
    ]),
  );
}

/** A declared console route not built yet: the console's 404 page (behind the session checks). */
export const consoleNotBuilt: ConsoleRoute = async (ctx) =>
  consolePage(ctx, { title: 'Not found', body: consoleProblemBody('There is nothing at this address.'), status: 404 });

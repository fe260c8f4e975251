/**
 * The console's sign-in routes (public: the form, the mailed link's one-button page and its POST) and sign-out.
 * Thin: shared/services/console-auth.ts decides, shared/domain/console/sign-in.ts renders. Addresses, tokens and
 * cookies are never logged (outcomes and staff ids only).
 */
import { z } from 'zod';
import { clearedConsoleCookie, consoleCookie, consoleTokenOf } from '../../shared/domain/console/session-rules.ts';
import { loginPage, loginSentPage, sessionPage, signInProblemPage, signInProblemStatus, tooManyPage, type ConsolePublicPage } from '../../shared/domain/console/sign-in.ts';
import type { HttpEvent, HttpResult, Route } from '../../shared/http/api.ts';
import { consolePublicPage, formOf, redirect, requestTime, secureConsoleCookies, type ConsoleRoute } from '../../shared/http/console.ts';
import { requestCookies } from '../../shared/http/portal.ts';
import { logger } from '../../shared/logger.ts';
import {
  ConsoleSignInRefused,
  checkConsoleSignInLink,
  endConsoleSession,
  requestConsoleSignIn,
  staffSessionOf,
  startConsoleSession,
} from '../../shared/services/console-auth.ts';

const emailSchema = z.email().max(254);

const show = (status: number, page: ConsolePublicPage, cookies?: string[]): HttpResult => consolePublicPage(status, page.title, page.body, cookies);

function signInProblem(error: unknown): HttpResult {
  if (!(error instanceof ConsoleSignInRefused)) throw error;
  return show(signInProblemStatus(error.state), signInProblemPage(error.state));
}

const query = (event: HttpEvent) => event.queryStringParameters ?? {};

/** Routes without a session: the sign-in form and the mailed link's page. */
export const signInRoutes: Record<string, Route> = {
  // Already signed in: straight to the console (the session check only reads, and moves the idle expiry as any page does).
  'GET /console/login': async (event) => {
    if (await staffSessionOf(consoleTokenOf(requestCookies(event)), requestTime(event))) return redirect('/console');
    return show(200, loginPage({ notice: query(event).notice }));
  },

  // The same answer for members and for any other address (and when an address is over its limit); 429 only when
  // one client asks too often. The outcome is logged, never the address.
  'POST /console/login': async (event) => {
    const email = (formOf(event).get('email') ?? '').trim();
    if (!emailSchema.safeParse(email).success) return show(400, loginPage({ email: email.slice(0, 254), error: 'enter a whole email address, like name@example.com' }));
    const outcome = await requestConsoleSignIn(email, event.requestContext.http.sourceIp, requestTime(event));
    logger.info('console sign-in requested', { outcome });
    if (outcome === 'client_limited') return show(429, tooManyPage());
    return show(200, loginSentPage());
  },

  // Mail scanners open every link: GET shows one button and spends nothing.
  'GET /console/session': async (event) => {
    const s = query(event).s ?? '';
    const t = query(event).t ?? '';
    try {
      const staff = await checkConsoleSignInLink(s, t, requestTime(event));
      return show(200, sessionPage({ staffName: staff.name, s, t }));
    } catch (error) {
      return signInProblem(error);
    }
  },

  'POST /console/session': async (event) => {
    const form = formOf(event);
    try {
      const { token } = await startConsoleSession(form.get('s') ?? '', form.get('t') ?? '', requestTime(event));
      return redirect('/console', [consoleCookie(token, secureConsoleCookies())]);
    } catch (error) {
      return signInProblem(error);
    }
  },
};

/** Sign-out (any role): the session item is deleted, the cookie cleared, back to the sign-in form. */
const logout: ConsoleRoute = async (ctx) => {
  await endConsoleSession(ctx.session.id);
  logger.info('console session ended', { staffId: ctx.staff.id });
  return redirect('/console/login?notice=signed_out', [clearedConsoleCookie(secureConsoleCookies())]);
};

/** Signed-in auth routes: sign-out. */
export const signedInAuthRoutes: Record<string, ConsoleRoute> = {
  'POST /console/logout': logout,
};

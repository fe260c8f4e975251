/**
 * The portal's own routes: sign-in (public: the form, the mailed link's one-button page and its POST), sign-out, and
 * the signed-in account pages. Thin: services decide, domain/portal renders, shared/http/portal.ts maps problems.
 */
import { z } from 'zod';
import { translator } from '../../shared/domain/i18n/catalog.ts';
import { clearedSessionCookie, sessionCookie } from '../../shared/domain/portal/session-rules.ts';
import {
  renderLoginPage,
  renderLoginSentPage,
  renderSessionPage,
  renderSignedOutPage,
  renderSignInProblemPage,
  renderTooManyPage,
} from '../../shared/domain/portal/shell.ts';
import { branding } from '../../shared/config/runtime.ts';
import { logger } from '../../shared/logger.ts';
import type { Route } from '../../shared/http/api.ts';
import { browserLocale } from '../../shared/http/link-pages.ts';
import { formOf, htmlResult, redirect, requestTime, secureCookies, type PortalRoute } from '../../shared/http/portal.ts';
import { endSession, requestSignIn, SignInRefused, checkSignInLink, startSession } from '../../shared/services/portal-auth.ts';
import { accountPageRoutes } from './pages.ts';

const emailSchema = z.email().max(254);

function signInProblem(error: unknown, locale: string): ReturnType<typeof htmlResult> {
  if (!(error instanceof SignInRefused)) throw error;
  const state = error.state;
  return htmlResult(state === 'expired' || state === 'used' ? 410 : 403, renderSignInProblemPage({ locale: error.locale ?? locale, brand: branding(), state }));
}

/** Routes without a session: the sign-in form and the mailed link's page. */
export const signInRoutes: Record<string, Route> = {
  'GET /portal/login': async (event) => htmlResult(200, renderLoginPage({ locale: browserLocale(event), brand: branding() })),

  // The same answer for known and unknown addresses (and when an address is over its limit); 429 only when one
  // client asks too often. The outcome is logged, never the address.
  'POST /portal/login': async (event) => {
    const locale = browserLocale(event);
    const email = (formOf(event).get('email') ?? '').trim();
    if (!emailSchema.safeParse(email).success) {
      return htmlResult(400, renderLoginPage({ locale, brand: branding(), email: email.slice(0, 254), error: translator(locale)('portal.login.emailInvalid') }));
    }
    const outcome = await requestSignIn(email, event.requestContext.http.sourceIp, requestTime(event));
    logger.info('portal sign-in requested', { outcome });
    if (outcome === 'client_limited') return htmlResult(429, renderTooManyPage({ locale, brand: branding() }));
    return htmlResult(200, renderLoginSentPage({ locale, brand: branding() }));
  },

  // Mail scanners open every link: GET shows one button and spends nothing.
  'GET /portal/session': async (event) => {
    const q = event.queryStringParameters ?? {};
    const c = q.c ?? '';
    const t = q.t ?? '';
    try {
      const customer = await checkSignInLink(c, t, requestTime(event));
      return htmlResult(200, renderSessionPage({ locale: customer.locale, brand: branding(), customerName: customer.name, c, t, n: q.n }));
    } catch (error) {
      return signInProblem(error, browserLocale(event));
    }
  },

  'POST /portal/session': async (event) => {
    const form = formOf(event);
    try {
      const { token } = await startSession(form.get('c') ?? '', form.get('t') ?? '', requestTime(event));
      logger.info('portal session started');
      return redirect('/portal', [sessionCookie(token, secureCookies())]);
    } catch (error) {
      return signInProblem(error, browserLocale(event));
    }
  },
};

/** Sign-out: the session item is deleted and the cookie cleared. */
const logout: PortalRoute = async (ctx) => {
  await endSession(ctx.session.id);
  return htmlResult(200, renderSignedOutPage({ locale: ctx.locale, brand: branding(), reason: 'signedOut' }), [clearedSessionCookie(secureCookies())]);
};

/** The signed-in routes of the portal core (C's casework routes are composed next to these in handler.ts). */
export const accountRoutes: Record<string, PortalRoute> = {
  'POST /portal/logout': logout,
  ...accountPageRoutes,
};

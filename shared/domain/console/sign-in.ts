/**
 * The console's pages without a session (the sign-in form, "check your mail", the mailed link's one-button page, a
 * link that no longer works, too many requests) and the sign-in mail. English only (staff-facing); every value escaped
 * through ../html.ts. Each page is a title and a body for the console's shell (`consoleDocument`, ./layout.ts). Pure.
 */
import { html, type Html } from '../html.ts';
import { composeMail, type RenderedMail } from '../messages.ts';
import type { Brand } from '../ui/brand.ts';
import { consoleNotice, noticeText } from './layout.ts';

export interface ConsolePublicPage {
  title: string;
  body: Html;
}

/** Notices the sign-in form shows after a redirect (`?notice=`): a fixed map, never free text from the query. */
const LOGIN_NOTICES: Record<string, string> = {
  signed_out: 'You have signed out.',
};

export function loginPage(input: { email?: string; error?: string; notice?: string | undefined } = {}): ConsolePublicPage {
  return {
    title: 'Sign in',
    body: html`${consoleNotice(noticeText(LOGIN_NOTICES, input.notice))}${input.error ? html`<p class="alert" role="alert" id="email-error">Email address: ${input.error}</p>` : ''}
<p>Staff of the accounts receivable team sign in with a link sent to their work address.</p>
<form method="post" action="/console/login" class="card">
<div class="field"><label for="email">Email address</label><input id="email" name="email" type="email" autocomplete="email" required maxlength="254" value="${input.email ?? ''}"${input.error ? html` aria-invalid="true" aria-describedby="email-error"` : ''}></div>
<div class="actions"><button type="submit" class="btn">Send me a sign-in link</button></div>
</form>`,
  };
}

/** The same page for every address (a member's or not): nobody learns from it who is on the staff. */
export function loginSentPage(): ConsolePublicPage {
  return {
    title: 'Check your mail',
    body: html`<p class="notice" role="status">If this address belongs to a member of staff, a sign-in link is on its way. It works once, for 15 minutes.</p><p><a href="/console/login">Send another link</a></p>`,
  };
}

export function tooManyPage(): ConsolePublicPage {
  return { title: 'Too many requests', body: html`<p class="alert" role="alert">Too many sign-in requests from this connection. Wait a few minutes and try again.</p>` };
}

/** The mailed link's page: one button whose POST spends the link (mail scanners open links with GET). */
export function sessionPage(input: { staffName: string; s: string; t: string }): ConsolePublicPage {
  return {
    title: 'Sign in to the console',
    body: html`<p>Signing in as ${input.staffName}.</p>
<form method="post" action="/console/session"><input type="hidden" name="s" value="${input.s}"><input type="hidden" name="t" value="${input.t}"><div class="actions"><button type="submit" class="btn">Sign in</button></div></form>`,
  };
}

export type ConsoleSignInProblem = 'invalid' | 'expired' | 'used' | 'revoked';

const PROBLEMS: Record<ConsoleSignInProblem, { title: string; why: string }> = {
  invalid: { title: 'This link does not work', why: 'The sign-in link is not valid (it may have been cut short by your mail program).' },
  expired: { title: 'This link has expired', why: 'Sign-in links work for 15 minutes.' },
  used: { title: 'This link has been used', why: 'Each sign-in link works once.' },
  revoked: { title: 'This link no longer works', why: 'Your access has changed since the link was sent.' },
};

/** The HTTP status of a link problem: gone (410) for expired or used links, forbidden (403) for the others. */
export function signInProblemStatus(state: ConsoleSignInProblem): 403 | 410 {
  return state === 'expired' || state === 'used' ? 410 : 403;
}

export function signInProblemPage(state: ConsoleSignInProblem): ConsolePublicPage {
  const p = PROBLEMS[state];
  return { title: p.title, body: html`<p>${p.why}</p><div class="actions"><a class="btn" href="/console/login">Ask for a new link</a></div>` };
}

/** The sign-in mail: one button, a one-time link valid until `expiresAt` (shown in UTC: staff may be anywhere). */
export function consoleLoginMail(input: { staffName: string; href: string; expiresAt: Date; brand?: Brand }): RenderedMail {
  const until = `${input.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return composeMail('en', 'Your console sign-in link', [
    `Hello ${input.staffName},`,
    `Use the button below to sign in to the collections console. The link works once, until ${until}.`,
    [{ href: input.href, label: 'Sign in to the console', button: true }],
    'If you did not ask to sign in, ignore this mail: nothing happens without the link.',
  ], { brand: input.brand });
}

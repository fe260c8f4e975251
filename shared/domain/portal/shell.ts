/**
 * The portal's page shell and its public pages (sign-in, the one-button session page, problems): every page through
 * the customer page layout (../ui/layout.ts) and the message catalogs. Pure.
 */
import { html, type Html } from '../html.ts';
import { translator, type MessageKey } from '../i18n/catalog.ts';
import type { Brand } from '../ui/brand.ts';
import { customerPage } from '../ui/layout.ts';

export type PortalSection = 'overview' | 'invoices' | 'payments' | 'statement' | 'messages' | 'planRequest' | 'preferences' | 'feedback';

export const PORTAL_NAV: readonly { section: PortalSection; href: string }[] = [
  { section: 'overview', href: '/portal' },
  { section: 'invoices', href: '/portal/invoices' },
  { section: 'payments', href: '/portal/payments' },
  { section: 'statement', href: '/portal/statement' },
  { section: 'messages', href: '/portal/messages' },
  { section: 'planRequest', href: '/portal/plan-request' },
  { section: 'preferences', href: '/portal/preferences' },
  { section: 'feedback', href: '/portal/feedback' },
];

/** The hidden CSRF field every signed-in POST form carries. */
export function csrfInput(csrf: string): Html {
  return html`<input type="hidden" name="csrf" value="${csrf}">`;
}

/** The signed-in header: the portal navigation and the sign-out form. */
export function portalNav(input: { locale: string; current?: PortalSection | undefined; csrf: string }): Html {
  const t = translator(input.locale);
  return html`<nav class="portal-nav" aria-label="${t('portal.nav.label')}"><ul>${PORTAL_NAV.map(
    (item) => html`<li><a href="${item.href}"${item.section === input.current ? html` aria-current="page"` : ''}>${t(`portal.nav.${item.section}` as MessageKey)}</a></li>`,
  )}</ul><form method="post" action="/portal/logout">${csrfInput(input.csrf)}<button type="submit" class="btn-link">${t('portal.signOut')}</button></form></nav>`;
}

export function signedInPage(input: { locale: string; brand: Brand; title: string; current?: PortalSection | undefined; csrf: string; body: Html; wide?: boolean }): string {
  return customerPage({
    locale: input.locale,
    title: input.title,
    brand: input.brand,
    header: portalNav(input),
    body: input.body,
    ...(input.wide ? { wide: true } : {}),
  });
}

/** A page without a session (sign-in, problems): the layout without the navigation. */
export function publicPage(input: { locale: string; brand: Brand; title: string; body: Html }): string {
  return customerPage({ locale: input.locale, title: input.title, brand: input.brand, body: input.body });
}

export function renderLoginPage(input: { locale: string; brand: Brand; email?: string; error?: string }): string {
  const t = translator(input.locale);
  return publicPage({
    ...input,
    title: t('portal.login.title'),
    body: html`${input.error ? html`<p class="alert" role="alert" id="email-error">${t('portal.error.field', { field: t('portal.login.email'), message: input.error })}</p>` : ''}
<p>${t('portal.login.intro')}</p>
<form method="post" action="/portal/login" class="card">
<div class="field"><label for="email">${t('portal.login.email')}</label><input id="email" name="email" type="email" autocomplete="email" required maxlength="254" value="${input.email ?? ''}"${input.error ? html` aria-invalid="true" aria-describedby="email-error"` : ''}></div>
<div class="actions"><button type="submit" class="btn">${t('portal.login.button')}</button></div>
</form>`,
  });
}

export function renderLoginSentPage(input: { locale: string; brand: Brand }): string {
  const t = translator(input.locale);
  return publicPage({
    ...input,
    title: t('portal.login.sentTitle'),
    body: html`<p class="notice" role="status">${t('portal.login.sent')}</p><p><a href="/portal/login">${t('portal.login.again')}</a></p>`,
  });
}

export function renderTooManyPage(input: { locale: string; brand: Brand }): string {
  const t = translator(input.locale);
  return publicPage({ ...input, title: t('portal.login.tooManyTitle'), body: html`<p class="alert" role="alert">${t('portal.login.tooMany')}</p>` });
}

/** `GET /portal/session`: one button; its form posts the link's customer and token back (GET spends nothing). */
export function renderSessionPage(input: { locale: string; brand: Brand; customerName: string; c: string; t: string; n?: string | undefined }): string {
  const t = translator(input.locale);
  return publicPage({
    ...input,
    title: t('portal.session.title'),
    body: html`<p>${t('portal.session.intro', { name: input.customerName })}</p>
<form method="post" action="/portal/session"><input type="hidden" name="c" value="${input.c}"><input type="hidden" name="t" value="${input.t}">${input.n ? html`<input type="hidden" name="n" value="${input.n}">` : ''}<div class="actions"><button type="submit" class="btn">${t('portal.session.button')}</button></div></form>`,
  });
}

export type SignInProblem = 'invalid' | 'expired' | 'used' | 'revoked';

export function renderSignInProblemPage(input: { locale: string; brand: Brand; state: SignInProblem }): string {
  const t = translator(input.locale);
  return publicPage({
    ...input,
    title: t(`portal.session.${input.state}.title` as MessageKey),
    body: html`<p>${t(`portal.session.${input.state}.why` as MessageKey)}</p><div class="actions"><a class="btn" href="/portal/login">${t('portal.session.signInAgain')}</a></div>`,
  });
}

/** A page without a live session: signed out, session expired (with the sign-in button). */
export function renderSignedOutPage(input: { locale: string; brand: Brand; reason: 'signedOut' | 'expired' }): string {
  const t = translator(input.locale);
  return publicPage({
    ...input,
    title: t(`portal.${input.reason}.title`),
    body: html`<p>${t(`portal.${input.reason}.body`)}</p><div class="actions"><a class="btn" href="/portal/login">${t('portal.session.signInAgain')}</a></div>`,
  });
}

/** The body of a problem inside the portal (not found, CSRF refused, a field to correct). */
export function problemBody(input: { locale: string; message: string; alert?: boolean }): Html {
  const t = translator(input.locale);
  return html`<p${input.alert ? html` class="alert" role="alert"` : ''}>${input.message}</p><p><a href="/portal">${t('portal.back')}</a></p>`;
}

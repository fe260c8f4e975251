/**
 * The signed-in account pages of the portal core (overview, invoices, payments, statement, pay, plan request,
 * preferences, feedback).
 */
import { html } from '../../shared/domain/html.ts';
import { translator } from '../../shared/domain/i18n/catalog.ts';
import { portalPage, type PortalRoute } from '../../shared/http/portal.ts';

export const accountPageRoutes: Record<string, PortalRoute> = {
  'GET /portal': async (ctx) => {
    const t = translator(ctx.locale);
    return portalPage(ctx, { title: t('portal.nav.overview'), current: 'overview', body: html`<p>${t('portal.signedInAs', { name: ctx.customer.name })}</p>` });
  },
};

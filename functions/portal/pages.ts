/**
 * The signed-in account pages of the portal core: overview, invoices, an invoice, pay, payments, statement, and the
 * plan request, preferences and feedback forms (the rules of the signed-link pages, reused).
 */
import { localDate } from '../../shared/domain/dates.ts';
import { html } from '../../shared/domain/html.ts';
import { translator, type MessageKey } from '../../shared/domain/i18n/catalog.ts';
import { renderFeedbackPage, ratingError, renderFieldErrorPage, renderPlanRequestPage, renderPreferencesPage, type PageSlots } from '../../shared/domain/link-pages.ts';
import { parseRating } from '../../shared/domain/links.ts';
import { newPlanSchema, planEligible } from '../../shared/domain/plans.ts';
import { bankDetails, invoiceDetailBody, invoicesBody, overviewBody, paymentsBody, statementForm } from '../../shared/domain/portal/pages.ts';
import { csrfInput, portalNav } from '../../shared/domain/portal/shell.ts';
import { preferencesChange } from '../../shared/domain/preferences.ts';
import { statementCsv, statementFileName } from '../../shared/domain/statement-csv.ts';
import { statementHtml } from '../../shared/domain/statement-html.ts';
import type { CustomerPatch } from '../../shared/domain/customer.ts';
import { branding as brand, payeeAccount, publicBaseUrl } from '../../shared/config/runtime.ts';
import { httpErrorOf } from '../../shared/http/api.ts';
import { htmlResult, portalPage, redirect, type PortalContext, type PortalRoute } from '../../shared/http/portal.ts';
import { updateProfile } from '../../shared/services/casework.ts';
import { feedbackContext, recordFeedback } from '../../shared/services/feedback.ts';
import { Invalid } from '../../shared/services/errors.ts';
import { createPlan } from '../../shared/services/plans.ts';
import { accountOverview, assertOwnInvoices, customerInvoices, customerPayments, invoiceDetail, invoiceFilter, invoiceNumbersOf, payInvoices } from '../../shared/services/portal-account.ts';
import { unpaidInvoicesOf } from '../../shared/services/queries.ts';
import { requestedPeriod, statementOf, statementQuerySchema } from '../../shared/services/statements.ts';

const today = (ctx: PortalContext) => localDate(ctx.now, ctx.timeZone);
const view = (ctx: PortalContext) => ({ locale: ctx.locale, timeZone: ctx.timeZone, today: today(ctx), csrf: ctx.session.csrf });
const query = (ctx: PortalContext) => ctx.event.queryStringParameters ?? {};

/** A `?notice=` code shown as a message from the catalog (unknown codes show nothing). */
function notice(ctx: PortalContext): string | undefined {
  const code = query(ctx).notice;
  if (!code || !/^[a-z_]{1,40}$/.test(code)) return undefined;
  const key = `portal.notice.${code}`;
  const t = translator(ctx.locale);
  const text = t(key as MessageKey);
  return text === key ? undefined : text;
}

/**
 * The link pages' renderers (shared/domain/link-pages.ts) inside the portal, through their slots: the portal
 * navigation in the page header and the CSRF field in each form they post.
 */
function portalSlots(ctx: PortalContext, current: 'planRequest' | 'preferences' | 'feedback'): PageSlots {
  return { header: portalNav({ locale: ctx.locale, current, csrf: ctx.session.csrf }), hidden: csrfInput(ctx.session.csrf) };
}

function preferencesView(ctx: PortalContext, customer = ctx.customer, saved = false) {
  return renderPreferencesPage({
    ...portalSlots(ctx, 'preferences'),
    locale: customer.locale,
    brand: brand(),
    tone: customer.dunning?.tone,
    cadence: customer.dunning?.cadence as string | undefined,
    preferredPaymentMethod: customer.preferredPaymentMethod,
    quietHours: customer.dunning?.quietHours,
    letters: customer.dunning?.letters,
    hasAddress: !!customer.postalAddress?.length,
    action: '/portal/preferences',
    ...(saved ? { saved: true } : {}),
  });
}

export const accountPageRoutes: Record<string, PortalRoute> = {
  'GET /portal': async (ctx) => {
    const t = translator(ctx.locale);
    const o = await accountOverview(ctx.customer);
    const paid = query(ctx).paid === '1' ? t('portal.notice.paid') : undefined;
    return portalPage(ctx, {
      title: t('portal.nav.overview'),
      current: 'overview',
      wide: true,
      body: overviewBody({ ...view(ctx), unpaid: o.unpaid, balances: o.balances, plans: o.activePlans as never, notice: paid ?? notice(ctx) }),
    });
  },

  'GET /portal/invoices': async (ctx) => {
    const filter = invoiceFilter(query(ctx).status);
    const invoices = await customerInvoices(ctx.customer, filter);
    return portalPage(ctx, { title: translator(ctx.locale)('portal.nav.invoices'), current: 'invoices', wide: true, body: invoicesBody({ ...view(ctx), invoices, filter }) });
  },

  'GET /portal/invoices/{id}': async (ctx) => {
    const detail = await invoiceDetail(ctx.customer, ctx.event.pathParameters?.id ?? '');
    const t = translator(ctx.locale);
    return portalPage(ctx, {
      title: t('portal.detail.title', { number: detail.invoice.number }),
      current: 'invoices',
      wide: true,
      body: invoiceDetailBody({ ...view(ctx), ...detail, payee: payeeAccount(), notice: query(ctx).paid === '1' ? t('portal.notice.paid') : notice(ctx) }),
    });
  },

  // One Checkout Session for the chosen invoices' balances; bank transfer when card payment cannot take them.
  'POST /portal/pay': async (ctx) => {
    const ids = ctx.form.getAll('invoiceIds').flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
    const returnUrl = `${publicBaseUrl().replace(/\/+$/, '')}/portal`;
    const outcome = await payInvoices(ctx.customer, ids, returnUrl);
    if (outcome.kind === 'checkout') return redirect(outcome.url);
    if (outcome.kind === 'nothing_due') return redirect('/portal');
    const t = translator(ctx.locale);
    return portalPage(ctx, {
      title: t('portal.pay.title'),
      current: 'overview',
      status: 422,
      body: html`<p class="alert" role="alert">${t('portal.pay.cardUnavailable')}</p>${bankDetails(ctx, payeeAccount(), outcome.invoices)}`,
    });
  },

  'GET /portal/payments': async (ctx) => {
    const payments = await customerPayments(ctx.customer);
    const numbers = await invoiceNumbersOf(ctx.customer, payments.flatMap((p) => p.allocations.map((a) => a.invoiceId)));
    const rows = payments.map((p) => ({
      receivedAt: p.receivedAt,
      amount: p.amount,
      currency: p.currency,
      method: p.method,
      allocations: p.allocations.filter((a) => numbers.has(a.invoiceId)).map((a) => ({ ...a, number: numbers.get(a.invoiceId) })),
      credit: p.credit,
      unapplied: p.unapplied,
    }));
    return portalPage(ctx, { title: translator(ctx.locale)('portal.nav.payments'), current: 'payments', wide: true, body: paymentsBody(ctx, rows) });
  },

  // The period form; `format=html` is the printable statement, `format=csv` the download (the staff statement's rules).
  'GET /portal/statement': async (ctx) => {
    const q = query(ctx);
    const parsed = statementQuerySchema.safeParse({ from: q.from, to: q.to, format: q.format ?? 'json' });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Invalid(String(issue?.path[0] ?? 'query'), issue?.message ?? 'invalid');
    }
    const period = requestedPeriod(parsed.data, ctx.timeZone, ctx.now);
    if (q.format === 'csv' || q.format === 'html') {
      const { statement } = await statementOf(ctx.customer, period.from, period.to);
      // Printable without the portal navigation; a link back to the account (not printed).
      if (q.format === 'html') return htmlResult(200, statementHtml(statement, brand(), { back: { href: '/portal', label: translator(ctx.locale)('portal.back') } }));
      return {
        statusCode: 200,
        headers: { 'content-type': 'text/csv; charset=utf-8; header=present', 'content-disposition': `attachment; filename="${statementFileName(statement, 'csv')}"`, 'cache-control': 'no-store' },
        body: statementCsv(statement),
      };
    }
    return portalPage(ctx, { title: translator(ctx.locale)('portal.nav.statement'), current: 'statement', body: statementForm(ctx, period) });
  },

  'GET /portal/plan-request': async (ctx) => {
    const invoices = (await unpaidInvoicesOf(ctx.customer.id)).filter(planEligible);
    return htmlResult(200, renderPlanRequestPage({ ...portalSlots(ctx, 'planRequest'), locale: ctx.locale, brand: brand(), timeZone: ctx.timeZone, invoices, action: '/portal/plan-request' }));
  },

  'POST /portal/plan-request': async (ctx) => {
    const input = newPlanSchema.safeParse({
      customerId: ctx.customer.id,
      invoiceIds: ctx.form.getAll('invoiceId'),
      instalments: Number(ctx.form.get('instalments')),
      frequency: ctx.form.get('frequency'),
    });
    const invoices = (await unpaidInvoicesOf(ctx.customer.id)).filter(planEligible);
    const pageView = { ...portalSlots(ctx, 'planRequest'), locale: ctx.locale, brand: brand(), timeZone: ctx.timeZone, invoices, action: '/portal/plan-request' };
    if (!input.success) {
      return htmlResult(400, renderPlanRequestPage({ ...pageView, result: { error: input.error.issues[0]?.message ?? 'invalid request' } }));
    }
    // Only this customer's invoices: another's id is the same 404 as an unknown one (createPlan checks ownership too).
    await assertOwnInvoices(ctx.customer, input.data.invoiceIds);
    try {
      const key = `customer-request:${today(ctx)}:${[...input.data.invoiceIds].sort().join(',')}:${input.data.instalments}:${input.data.frequency}`;
      const { plan } = await createPlan(input.data, 'customer', key, ctx.now);
      return htmlResult(200, renderPlanRequestPage({ ...pageView, result: { status: plan.status === 'active' ? 'active' : 'pending_approval', instalments: plan.instalments, currency: plan.currency } }));
    } catch (error) {
      const clientError = httpErrorOf(error);
      if (clientError && clientError.statusCode < 500 && clientError.statusCode !== 404) {
        return htmlResult(clientError.statusCode, renderPlanRequestPage({ ...pageView, result: { error: clientError.message } }));
      }
      throw error;
    }
  },

  'GET /portal/preferences': async (ctx) => htmlResult(200, preferencesView(ctx)),

  'POST /portal/preferences': async (ctx) => {
    const f = ctx.form;
    const decision = preferencesChange(
      { locale: f.get('locale'), tone: f.get('tone'), cadence: f.get('cadence'), preferredPaymentMethod: f.get('preferredPaymentMethod'), quietStart: f.get('quietStart'), quietEnd: f.get('quietEnd'), letters: f.get('letters') },
      ctx.customer,
    );
    if (!decision.ok) throw new Invalid(decision.field, decision.message);
    const updated = await updateProfile(ctx.customer.id, { ...decision.change, dunning: decision.change.dunning as CustomerPatch['dunning'] }, ctx.now);
    return htmlResult(200, preferencesView({ ...ctx, locale: updated.locale }, updated, true));
  },

  // Rate a payment or plan (`?c=payment:<id>` / `plan:<id>`, default: the latest payment).
  'GET /portal/feedback': async (ctx) => {
    const context = query(ctx).c ?? (await latestPaymentContext(ctx));
    if (!context) return portalPage(ctx, { title: translator(ctx.locale)('feedback.title'), current: 'feedback', body: html`<p>${translator(ctx.locale)('portal.feedback.none')}</p>` });
    await feedbackContext(ctx.customer, context); // another customer's payment or plan: 404
    return htmlResult(200, renderFeedbackPage({ ...portalSlots(ctx, 'feedback'), locale: ctx.locale, brand: brand(), action: `/portal/feedback?c=${encodeURIComponent(context)}` }));
  },

  'POST /portal/feedback': async (ctx) => {
    const context = query(ctx).c ?? ctx.form.get('c') ?? (await latestPaymentContext(ctx));
    if (!context) throw new Invalid('c', 'nothing to rate yet');
    const fc = await feedbackContext(ctx.customer, context);
    const rating = parseRating(ctx.form.get('rating'));
    if (rating === undefined) return htmlResult(400, renderFieldErrorPage({ header: portalSlots(ctx, 'feedback').header, locale: ctx.locale, brand: brand(), field: 'rating', message: ratingError(ctx.locale) }));
    const comment = ctx.form.get('comment') || undefined;
    await recordFeedback(ctx.customer, fc, rating, comment, ctx.now);
    const action = `/portal/feedback?c=${encodeURIComponent(context)}`;
    return htmlResult(200, renderFeedbackPage({ ...portalSlots(ctx, 'feedback'), locale: ctx.locale, brand: brand(), rating, action, ...(comment ? { comment } : {}), saved: true }));
  },
};

async function latestPaymentContext(ctx: PortalContext): Promise<string | undefined> {
  const [latest] = await customerPayments(ctx.customer);
  return latest ? `payment:${latest.id}` : undefined;
}

import { ratingError, renderFeedbackPage, renderFieldErrorPage, renderFreshLinkSentPage, renderPlanRequestPage, renderPreferencesPage } from '../../shared/domain/link-pages.ts';
import { parseRating, type LinkTarget } from '../../shared/domain/links.ts';
import { newPlanSchema, planEligible } from '../../shared/domain/plans.ts';
import { preferencesChange } from '../../shared/domain/preferences.ts';
import { localDate } from '../../shared/domain/dates.ts';
import { httpErrorOf, httpHandler, HttpError, rawBody, type HttpEvent, type HttpResult } from '../../shared/http/api.ts';
import { browserLocale, htmlPage, linkRoutes } from '../../shared/http/link-pages.ts';
import { updateProfile } from '../../shared/services/casework.ts';
import type { CustomerPatch } from '../../shared/domain/customer.ts';
import { feedbackContext, recordFeedback } from '../../shared/services/feedback.ts';
import { openCustomerLink, sendFreshLink } from '../../shared/services/links.ts';
import { logger } from '../../shared/logger.ts';
import { branding } from '../../shared/config/runtime.ts';
import { createPlan } from '../../shared/services/plans.ts';
import { unpaidInvoicesOf } from '../../shared/services/queries.ts';

/**
 * Signed customer links from our mails (no login): rate us, change preferences, ask for a payment plan — and the
 * fresh link for one that expired or was revoked. GET only renders; every change is a POST from the page, the token
 * posted back in the form's action.
 */
async function authorised(event: HttpEvent, purpose: 'feedback' | 'preferences' | 'plan-request') {
  const id = event.pathParameters?.customerId ?? '';
  const target: LinkTarget = purpose === 'feedback' ? { purpose, id, context: event.queryStringParameters?.c ?? '' } : { purpose, id };
  return openCustomerLink(target, event.queryStringParameters?.t, at(event));
}

const html = (body: string): HttpResult => htmlPage(200, body);
const form = (event: HttpEvent) => new URLSearchParams(rawBody(event).toString('utf8'));
/** The page's own link without the preselected rating: forms post the token back to it. */
const self = (event: HttpEvent) => {
  const q = new URLSearchParams(event.rawQueryString ?? '');
  q.delete('r');
  return `${event.rawPath}?${q.toString()}`;
};
const at = (event: HttpEvent) => new Date(event.requestContext.timeEpoch);

export const handler = httpHandler(linkRoutes({
  // Mail scanners open every link: GET shows the form (the rating from the link preselected) and records nothing.
  'GET /feedback/{customerId}': async (event) => {
    const customer = await authorised(event, 'feedback');
    await feedbackContext(customer, event.queryStringParameters?.c ?? ''); // 404 for a payment or plan no longer theirs
    const rating = parseRating(event.queryStringParameters?.r);
    return html(renderFeedbackPage({ locale: customer.locale, brand: branding(), ...(rating !== undefined ? { rating } : {}), action: self(event) }));
  },
  'POST /feedback/{customerId}': async (event) => {
    const c = event.queryStringParameters?.c ?? '';
    const customer = await authorised(event, 'feedback');
    const body = form(event);
    const rating = parseRating(body.get('rating'));
    if (rating === undefined) return htmlPage(400, renderFieldErrorPage({ locale: customer.locale, brand: branding(), field: 'rating', message: ratingError(customer.locale) }));
    const comment = body.get('comment') || undefined;
    await recordFeedback(customer, await feedbackContext(customer, c), rating, comment, at(event));
    return html(renderFeedbackPage({ locale: customer.locale, brand: branding(), rating, action: self(event), ...(comment ? { comment } : {}), saved: true }));
  },
  // The button on an expired or revoked link's page: mails a fresh link to the address on file. The same answer
  // whether or not a mail went out (rate-limited, unknown, suppressed); never the address.
  'POST /links/fresh': async (event) => {
    const body = form(event);
    const { outcome, locale } = await sendFreshLink({ p: body.get('p'), id: body.get('id'), c: body.get('c'), t: body.get('t') }, at(event));
    logger.info('fresh link requested', { outcome, purpose: body.get('p') });
    return html(renderFreshLinkSentPage(locale ?? browserLocale(event), branding()));
  },
  'GET /preferences/{customerId}': async (event) => {
    const customer = await authorised(event, 'preferences');
    return html(renderPreferencesPage({ locale: customer.locale, brand: branding(), tone: customer.dunning?.tone, cadence: customer.dunning?.cadence as string | undefined, preferredPaymentMethod: customer.preferredPaymentMethod, quietHours: customer.dunning?.quietHours, letters: customer.dunning?.letters, hasAddress: !!customer.postalAddress?.length, action: self(event) }));
  },
  'POST /preferences/{customerId}': async (event) => {
    const customer = await authorised(event, 'preferences');
    const body = form(event);
    // The form's rules are the domain's (domain/preferences.ts): the first one broken answers 400 naming its field.
    const decision = preferencesChange(
      {
        locale: body.get('locale'),
        tone: body.get('tone'),
        cadence: body.get('cadence'),
        preferredPaymentMethod: body.get('preferredPaymentMethod'),
        quietStart: body.get('quietStart'),
        quietEnd: body.get('quietEnd'),
        letters: body.get('letters'),
      },
      customer,
    );
    if (!decision.ok) throw new HttpError(400, 'invalid_request', `${decision.field}: ${decision.message}`, decision.field);
    const updated = await updateProfile(customer.id, { ...decision.change, dunning: decision.change.dunning as CustomerPatch['dunning'] }, at(event));
    return html(renderPreferencesPage({ locale: updated.locale, brand: branding(), tone: updated.dunning?.tone, cadence: updated.dunning?.cadence as string | undefined, preferredPaymentMethod: updated.preferredPaymentMethod, quietHours: updated.dunning?.quietHours, letters: updated.dunning?.letters, hasAddress: !!updated.postalAddress?.length, action: self(event), saved: true }));
  },
  'GET /plan-request/{customerId}': async (event) => {
    const customer = await authorised(event, 'plan-request');
    const invoices = (await unpaidInvoicesOf(customer.id)).filter(planEligible);
    return html(renderPlanRequestPage({ locale: customer.locale, brand: branding(), timeZone: customer.timeZone, invoices, action: self(event) }));
  },
  'POST /plan-request/{customerId}': async (event) => {
    const customer = await authorised(event, 'plan-request');
    const body = form(event);
    const input = newPlanSchema.safeParse({
      customerId: customer.id,
      invoiceIds: body.getAll('invoiceId'),
      instalments: Number(body.get('instalments')),
      frequency: body.get('frequency'),
    });
    const invoices = (await unpaidInvoicesOf(customer.id)).filter(planEligible);
    const view = { locale: customer.locale, brand: branding(), timeZone: customer.timeZone, invoices, action: self(event) };
    if (!input.success) {
      return { ...html(renderPlanRequestPage({ ...view, result: { error: input.error.issues[0]?.message ?? 'invalid request' } })), statusCode: 400 };
    }
    try {
      // A double submit (or a reload) of the same request on the same day is the same plan, not a second one.
      const key = `customer-request:${localDate(at(event), customer.timeZone)}:${[...input.data.invoiceIds].sort().join(',')}:${input.data.instalments}:${input.data.frequency}`;
      const { plan } = await createPlan(input.data, 'customer', key, at(event));
      return html(renderPlanRequestPage({ ...view, result: { status: plan.status === 'active' ? 'active' : 'pending_approval', instalments: plan.instalments, currency: plan.currency } }));
    } catch (error) {
      const clientError = httpErrorOf(error);
      if (clientError && clientError.statusCode < 500) {
        return { ...html(renderPlanRequestPage({ ...view, result: { error: clientError.message } })), statusCode: clientError.statusCode };
      }
      throw error;
    }
  },
}));

import { renderPayPage } from '../../shared/domain/messages.ts';
import { payUrl } from '../../shared/domain/pay-link.ts';
import type { Invoice } from '../../shared/domain/invoice.ts';
import { formatRfReference } from '../../shared/domain/rf-reference.ts';
import { httpHandler, type HttpEvent } from '../../shared/http/api.ts';
import { htmlPage, linkRoutes } from '../../shared/http/link-pages.ts';
import { openPayLink } from '../../shared/services/links.ts';
import { cardPaymentProblem, startCardPayment } from '../../shared/services/card-payment.ts';
import { branding, payeeAccount, publicBaseUrl } from '../../shared/config/runtime.ts';

/** The invoice of a valid pay link (expired, revoked or forged links get their page: see shared/http/link-pages.ts). */
async function authorisedInvoice(event: HttpEvent) {
  const invoiceId = event.pathParameters?.invoiceId ?? '';
  const token = event.queryStringParameters?.t ?? '';
  const { invoice, customer } = await openPayLink(invoiceId, token, new Date(event.requestContext.timeEpoch));
  return { invoice, customer, link: payUrl(publicBaseUrl(), invoiceId, token) };
}

/** The pay page in the customer's language (200, or the status given). */
function payPage(invoice: Invoice, locale: string, extra: { checkoutUrl?: string; cardUnavailable?: boolean }, statusCode = 200) {
  return htmlPage(
    statusCode,
    renderPayPage({
      locale,
      brand: branding(),
      invoiceNumber: invoice.number,
      currency: invoice.currency,
      balanceDue: invoice.balanceDue,
      total: invoice.total,
      issueDate: invoice.issueDate,
      dueDate: invoice.dueDate,
      paymentReference: formatRfReference(invoice.paymentReference),
      payeeAccount: payeeAccount(),
      ...extra,
    }),
  );
}

export const handler = httpHandler(linkRoutes({
  'GET /pay/{invoiceId}': async (event) => {
    const { invoice, customer, link } = await authorisedInvoice(event);
    const checkoutUrl = link.replace(`/pay/${encodeURIComponent(invoice.id)}?`, `/pay/${encodeURIComponent(invoice.id)}/checkout?`);
    const cardUnavailable = invoice.balanceDue > 0 && cardPaymentProblem(invoice) !== undefined;
    return payPage(invoice, customer?.locale ?? 'en-US', cardUnavailable ? { cardUnavailable } : invoice.balanceDue > 0 ? { checkoutUrl } : {});
  },
  'POST /pay/{invoiceId}/checkout': async (event) => {
    const { invoice, customer, link } = await authorisedInvoice(event);
    if (invoice.balanceDue === 0) return { statusCode: 303, headers: { location: link }, body: '' };
    const card = await startCardPayment(invoice, link, customer?.email);
    // Stripe cannot charge this amount exactly: the same page, in the customer's language, offering bank transfer.
    if (card.kind === 'card_unavailable') return payPage(invoice, customer?.locale ?? 'en-US', { cardUnavailable: true }, 422);
    return { statusCode: 303, headers: { location: card.url }, body: '' };
  },
}));

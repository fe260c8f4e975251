import { createCheckoutSession } from '../../shared/adapters/stripe-checkout.ts';
import { getSecret } from '../../shared/adapters/secrets.ts';
import { renderPayPage } from '../../shared/domain/messages.ts';
import { payUrl } from '../../shared/domain/pay-link.ts';
import { formatRfReference } from '../../shared/domain/rf-reference.ts';
import { httpHandler, type HttpEvent } from '../../shared/http/api.ts';
import { linkRoutes } from '../../shared/http/link-pages.ts';
import { openPayLink } from '../../shared/services/links.ts';
import { getCustomer } from '../../shared/store/customers.ts';
import { env } from '../../shared/topology.ts';

/** The invoice of a valid pay link (expired, revoked or forged links get their page: see shared/http/link-pages.ts). */
async function authorisedInvoice(event: HttpEvent) {
  const invoiceId = event.pathParameters?.invoiceId ?? '';
  const token = event.queryStringParameters?.t ?? '';
  const { invoice } = await openPayLink(invoiceId, token, new Date(event.requestContext.timeEpoch));
  return { invoice, link: payUrl(process.env[env.publicBaseUrl] ?? '', invoiceId, token) };
}

export const handler = httpHandler(linkRoutes({
  'GET /pay/{invoiceId}': async (event) => {
    const { invoice, link } = await authorisedInvoice(event);
    const customer = await getCustomer(invoice.customerId);
    const checkoutUrl = link.replace(`/pay/${encodeURIComponent(invoice.id)}?`, `/pay/${encodeURIComponent(invoice.id)}/checkout?`);
    return {
      statusCode: 200,
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
      body: renderPayPage({
        locale: customer?.locale ?? 'en-US',
        invoiceNumber: invoice.number,
        currency: invoice.currency,
        balanceDue: invoice.balanceDue,
        dueDate: invoice.dueDate,
        paymentReference: formatRfReference(invoice.paymentReference),
        payeeAccount: process.env[env.payeeAccount] ?? '',
        ...(invoice.balanceDue > 0 ? { checkoutUrl } : {}),
      }),
    };
  },
  'POST /pay/{invoiceId}/checkout': async (event) => {
    const { invoice, link } = await authorisedInvoice(event);
    if (invoice.balanceDue === 0) return { statusCode: 303, headers: { location: link }, body: '' };
    const customer = await getCustomer(invoice.customerId);
    const url = await createCheckoutSession(await getSecret('STRIPE_API_KEY'), {
      invoiceId: invoice.id,
      invoiceNumber: invoice.number,
      currency: invoice.currency,
      amount: invoice.balanceDue,
      returnUrl: link,
      ...(customer?.email ? { customerEmail: customer.email } : {}),
    });
    return { statusCode: 303, headers: { location: url }, body: '' };
  },
}));

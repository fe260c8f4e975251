import { newInvoiceSchema } from '../../shared/domain/invoice.ts';
import { getHeader, httpHandler, json, jsonBody, parse } from '../../shared/http/api.ts';
import { invoiceListQuery as listQuery } from '../../shared/http/contract/requests.ts';
import { issueInvoice } from '../../shared/services/admin.ts';
import { applyCustomerCredit } from '../../shared/services/payments.ts';
import { invoicePage, invoiceView, issuedInvoiceView } from '../../shared/services/queries.ts';

export const handler = httpHandler({
  'POST /invoices': async (event) => {
    const input = parse(newInvoiceSchema, jsonBody(event));
    const now = new Date(event.requestContext.timeEpoch);
    const { invoice, created } = await issueInvoice(input, getHeader(event, 'idempotency-key'), now);
    // Policy: the customer's credit from earlier overpayments settles the new invoice first. Also on a replay: a
    // crash after the invoice was written must not leave the credit unused (applying it again is a no-op).
    const credited = await applyCustomerCredit(invoice.id, now);
    return json(created ? 201 : 200, await issuedInvoiceView(invoice, !created || credited !== 0));
  },
  'GET /invoices/{id}': async (event) => {
    return json(200, await invoiceView(event.pathParameters?.id ?? ''));
  },
  'GET /invoices': async (event) => {
    const q = parse(listQuery, event.queryStringParameters ?? {});
    return json(200, await invoicePage(q));
  },
});

import { z } from 'zod';
import { newInvoiceSchema } from '../../shared/domain/invoice.ts';
import { getHeader, httpHandler, HttpError, json, jsonBody, parse } from '../../shared/http/api.ts';
import { cursorScope, decodeCursor, encodeCursor, MAX_CURSOR_CHARS } from '../../shared/services/cursor.ts';
import { issueInvoice } from '../../shared/services/admin.ts';
import { applyCustomerCredit } from '../../shared/services/payments.ts';
import { getAppliedPayments, getInvoice, listInvoices } from '../../shared/store/invoices.ts';

const listQuery = z
  .object({
    customerId: z.string().min(1).max(100).optional(),
    status: z.enum(['open', 'partially_paid', 'paid']).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().max(MAX_CURSOR_CHARS).optional(),
  })
  .refine((q) => q.customerId !== undefined || q.status !== undefined, {
    message: 'give customerId, status, or both',
    path: ['customerId'],
  });

export const handler = httpHandler({
  'POST /invoices': async (event) => {
    const input = parse(newInvoiceSchema, jsonBody(event));
    const now = new Date(event.requestContext.timeEpoch);
    const { invoice, created } = await issueInvoice(input, getHeader(event, 'idempotency-key'), now);
    // Policy: the customer's credit from earlier overpayments settles the new invoice first. Also on a replay: a
    // crash after the invoice was written must not leave the credit unused (applying it again is a no-op).
    const credited = await applyCustomerCredit(invoice.id, now);
    const current = created && credited === 0 ? invoice : ((await getInvoice(invoice.id)) ?? invoice);
    const { requestHash: _h, ...body } = current as typeof current & { requestHash?: string };
    return json(created ? 201 : 200, { ...body, appliedPayments: await getAppliedPayments(invoice.id) });
  },
  'GET /invoices/{id}': async (event) => {
    const id = event.pathParameters?.id ?? '';
    const invoice = await getInvoice(id);
    if (!invoice) throw new HttpError(404, 'not_found', `invoice ${id} not found`);
    const { requestHash: _h, ...body } = invoice;
    return json(200, { ...body, appliedPayments: await getAppliedPayments(id) });
  },
  'GET /invoices': async (event) => {
    const q = parse(listQuery, event.queryStringParameters ?? {});
    // The cursor is bound to the filter that issued it: another customer's or another status's is refused.
    const scope = cursorScope('GET /invoices', { customerId: q.customerId, status: q.status });
    const page = await listInvoices({ customerId: q.customerId, status: q.status }, q.limit, await decodeCursor(scope, q.cursor));
    const items = q.customerId && q.status ? page.items : page.items.filter((i) => !q.status || i.status === q.status);
    return json(200, {
      items: items.map(({ requestHash: _h, ...i }: typeof items[number] & { requestHash?: string }) => i),
      nextCursor: await encodeCursor(scope, page.lastKey),
    });
  },
});

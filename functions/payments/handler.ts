import { z } from 'zod';
import { getHeader, httpHandler, HttpError, json, jsonBody, parse } from '../../shared/http/api.ts';
import { cursorScope, decodeCursor, encodeCursor, MAX_CURSOR_CHARS } from '../../shared/services/cursor.ts';
import { allocateByStaff, manualPaymentSchema, recordManualPayment, reverseByStaff, shown, staffAllocationSchema } from '../../shared/services/review.ts';
import { getFacts, getPayment, listPayments } from '../../shared/store/payments.ts';

const listQuery = z.object({
  status: z.enum(['unapplied', 'applied', 'pending']).default('unapplied'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(MAX_CURSOR_CHARS).optional(),
});

const now = (event: { requestContext: { timeEpoch: number } }) => new Date(event.requestContext.timeEpoch);

export const handler = httpHandler({
  'POST /payments': async (event) => {
    const input = parse(manualPaymentSchema, jsonBody(event));
    const { payment, created } = await recordManualPayment(input, getHeader(event, 'idempotency-key'), now(event));
    return json(created ? 201 : 200, payment);
  },
  'GET /payments': async (event) => {
    const q = parse(listQuery, event.queryStringParameters ?? {});
    const scope = cursorScope('GET /payments', { status: q.status });
    const page = await listPayments(q.status, q.limit, await decodeCursor(scope, q.cursor));
    return json(200, {
      items: page.items.map(shown),
      nextCursor: await encodeCursor(scope, page.lastKey),
    });
  },
  'GET /payments/{id}': async (event) => {
    const id = event.pathParameters?.id ?? '';
    const payment = await getPayment(id);
    if (!payment) throw new HttpError(404, 'not_found', `payment ${id} not found`);
    return json(200, { ...shown(payment), facts: (await getFacts(id)).facts });
  },
  'POST /payments/{id}/allocations': async (event) => {
    const input = parse(staffAllocationSchema, jsonBody(event));
    return json(200, await allocateByStaff(event.pathParameters?.id ?? '', input.allocations, now(event)));
  },
  'POST /payments/{id}/allocations/{invoiceId}/reverse': async (event) =>
    json(200, await reverseByStaff(event.pathParameters?.id ?? '', event.pathParameters?.invoiceId ?? '', now(event))),
});

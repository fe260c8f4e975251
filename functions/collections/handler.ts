import { getHeader, httpHandler, json, jsonBody, parse, rawBody } from '../../shared/http/api.ts';
import { htmlPage } from '../../shared/http/link-pages.ts';
import { lettersQuery } from '../../shared/http/contract/requests.ts';
import {
  extensionSchema,
  grantExtension,
  holdSchema,
  newDisputeSchema,
  openDispute,
  placeHold,
  releaseHold,
  resolveDispute,
  resolveDisputeSchema,
} from '../../shared/services/casework.ts';
import { communications, communicationsQuery, ledgerOf, ledgerQuery } from '../../shared/services/history.ts';
import { renderLetters } from '../../shared/domain/letters.ts';
import { branding } from '../../shared/config/runtime.ts';
import { lettersWrittenOn } from '../../shared/services/queries.ts';
import { listPromises, promisesQuery } from '../../shared/services/promises.ts';
import {
  closeRequestSchema,
  closeSupportRequestAsStaff,
  listSupportRequests,
  replySchema,
  replyToSupportRequest,
  supportRequestOf,
  supportRequestsQuery,
} from '../../shared/services/support.ts';

const at = (event: { requestContext: { timeEpoch: number } }) => new Date(event.requestContext.timeEpoch);
const supportRequestIds = (event: { pathParameters?: Record<string, string | undefined> }) => [event.pathParameters?.customerId ?? '', event.pathParameters?.id ?? ''] as const;

export const handler = httpHandler({
  'POST /invoices/{id}/disputes': async (event) => {
    const input = parse(newDisputeSchema, jsonBody(event));
    const { dispute, created } = await openDispute(event.pathParameters?.id ?? '', input, getHeader(event, 'idempotency-key'), at(event));
    return json(created ? 201 : 200, dispute);
  },
  'POST /disputes/{id}/resolve': async (event) => {
    const input = parse(resolveDisputeSchema, jsonBody(event));
    // Chargeback disputes live on the invoice: `?invoiceId=` names it.
    const result = await resolveDispute(event.pathParameters?.id ?? '', input, event.queryStringParameters?.invoiceId, at(event));
    return json(200, { dispute: result.dispute, invoice: { id: result.invoice.id, balanceDue: result.invoice.balanceDue, status: result.invoice.status } });
  },
  'POST /invoices/{id}/extensions': async (event) => {
    const input = parse(extensionSchema, jsonBody(event));
    const { invoice, created } = await grantExtension(event.pathParameters?.id ?? '', input, at(event));
    return json(created ? 201 : 200, { invoiceId: invoice.id, extension: invoice.extension });
  },
  'POST /customers/{id}/holds': async (event) => {
    const input = parse(holdSchema, jsonBody(event));
    const { hold, created } = await placeHold(event.pathParameters?.id ?? '', input, getHeader(event, 'idempotency-key'), at(event));
    return json(created ? 201 : 200, hold);
  },
  'POST /customers/{id}/holds/{holdId}/release': async (event) => {
    const hold = await releaseHold(event.pathParameters?.id ?? '', event.pathParameters?.holdId ?? '', at(event));
    return json(200, hold);
  },
  'GET /customers/{id}/communications': async (event) =>
    json(200, await communications(event.pathParameters?.id ?? '', parse(communicationsQuery, event.queryStringParameters ?? {}))),
  'GET /customers/{id}/ledger': async (event) =>
    json(200, await ledgerOf(event.pathParameters?.id ?? '', parse(ledgerQuery, event.queryStringParameters ?? {}))),
  'GET /promises': async (event) => json(200, await listPromises(parse(promisesQuery, event.queryStringParameters ?? {}))),
  'GET /support-requests': async (event) => json(200, await listSupportRequests(parse(supportRequestsQuery, event.queryStringParameters ?? {}))),
  'GET /support-requests/{customerId}/{id}': async (event) => json(200, await supportRequestOf(...supportRequestIds(event))),
  'POST /support-requests/{customerId}/{id}/replies': async (event) => {
    const input = parse(replySchema, jsonBody(event));
    const { reply, request, created } = await replyToSupportRequest(...supportRequestIds(event), input, getHeader(event, 'idempotency-key'), at(event));
    return json(created ? 201 : 200, { reply, request });
  },
  'POST /support-requests/{customerId}/{id}/close': async (event) => {
    // The body is optional (`{"by": …}`): an empty POST closes too.
    const input = parse(closeRequestSchema, rawBody(event).length ? jsonBody(event) : {});
    return json(200, await closeSupportRequestAsStaff(...supportRequestIds(event), input, at(event)));
  },
  'GET /letters': async (event) => {
    // The day's formal notices for customers who asked for letters, ready to print (or as JSON).
    const q = parse(lettersQuery, event.queryStringParameters ?? {});
    const letters = await lettersWrittenOn(q.date);
    if (q.format === 'json') return json(200, { date: q.date, letters });
    return htmlPage(200, renderLetters(letters.map((l) => ({ address: l.address, subject: l.subject, text: l.text, date: l.date })), q.date, branding()));
  },
});

import { getHeader, httpHandler, json, jsonBody, parse } from '../../shared/http/api.ts';
import { recordMetric } from '../../shared/metrics.ts';
import { paymentListQuery as listQuery } from '../../shared/http/contract/requests.ts';
import { paymentPage, paymentView } from '../../shared/services/queries.ts';
import { allocateByStaff, manualPaymentSchema, recordManualPayment, reverseByStaff, staffAllocationSchema } from '../../shared/services/review.ts';

const now = (event: { requestContext: { timeEpoch: number } }) => new Date(event.requestContext.timeEpoch);

export const handler = httpHandler({
  'POST /payments': async (event) => {
    const input = parse(manualPaymentSchema, jsonBody(event));
    const { payment, created } = await recordManualPayment(input, getHeader(event, 'idempotency-key'), now(event));
    if (created) recordMetric('ManualPaymentsRecorded');
    return json(created ? 201 : 200, payment);
  },
  'GET /payments': async (event) => {
    const q = parse(listQuery, event.queryStringParameters ?? {});
    return json(200, await paymentPage(q));
  },
  'GET /payments/{id}': async (event) => {
    return json(200, await paymentView(event.pathParameters?.id ?? ''));
  },
  'POST /payments/{id}/allocations': async (event) => {
    const input = parse(staffAllocationSchema, jsonBody(event));
    const payment = await allocateByStaff(event.pathParameters?.id ?? '', input.allocations, now(event), input.revision === undefined ? undefined : { revision: input.revision });
    recordMetric('PaymentsAllocatedByStaff');
    return json(200, payment);
  },
  'POST /payments/{id}/allocations/{invoiceId}/reverse': async (event) => {
    const payment = await reverseByStaff(event.pathParameters?.id ?? '', event.pathParameters?.invoiceId ?? '', now(event));
    recordMetric('PaymentsReversedByStaff');
    return json(200, payment);
  },
});

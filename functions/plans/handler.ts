import { newPlanSchema } from '../../shared/domain/plans.ts';
import { getHeader, httpHandler, json, jsonBody, parse } from '../../shared/http/api.ts';
import { approve, createPlan } from '../../shared/services/plans.ts';
import { planView } from '../../shared/services/queries.ts';

export const handler = httpHandler({
  'POST /payment-plans': async (event) => {
    const input = parse(newPlanSchema, jsonBody(event));
    const { plan, created } = await createPlan(input, 'staff', getHeader(event, 'idempotency-key'), new Date(event.requestContext.timeEpoch));
    return json(created ? 201 : 200, plan);
  },
  'GET /payment-plans/{id}': async (event) => {
    return json(200, await planView(event.pathParameters?.id ?? ''));
  },
  'POST /payment-plans/{id}/approve': async (event) => json(200, await approve(event.pathParameters?.id ?? '', new Date(event.requestContext.timeEpoch))),
});

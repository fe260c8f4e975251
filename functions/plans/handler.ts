import { newPlanSchema } from '../../shared/domain/plans.ts';
import { getHeader, httpHandler, HttpError, json, jsonBody, parse } from '../../shared/http/api.ts';
import { approve, createPlan } from '../../shared/services/plans.ts';
import { getPlan } from '../../shared/store/plans.ts';

export const handler = httpHandler({
  'POST /payment-plans': async (event) => {
    const input = parse(newPlanSchema, jsonBody(event));
    const { plan, created } = await createPlan(input, 'staff', getHeader(event, 'idempotency-key'), new Date(event.requestContext.timeEpoch));
    return json(created ? 201 : 200, plan);
  },
  'GET /payment-plans/{id}': async (event) => {
    const id = event.pathParameters?.id ?? '';
    const plan = await getPlan(id);
    if (!plan) throw new HttpError(404, 'not_found', `plan ${id} not found`);
    const { requestHash: _h, ...body } = plan;
    return json(200, body);
  },
  'POST /payment-plans/{id}/approve': async (event) => json(200, await approve(event.pathParameters?.id ?? '', new Date(event.requestContext.timeEpoch))),
});

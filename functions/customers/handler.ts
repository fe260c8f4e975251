import { newCustomerSchema } from '../../shared/domain/customer.ts';
import { getHeader, httpHandler, HttpError, json, jsonBody, parse } from '../../shared/http/api.ts';
import { createCustomer } from '../../shared/services/admin.ts';
import { getCustomer } from '../../shared/store/customers.ts';

export const handler = httpHandler({
  'POST /customers': async (event) => {
    const input = parse(newCustomerSchema, jsonBody(event));
    const now = new Date(event.requestContext.timeEpoch);
    const { customer, created } = await createCustomer(input, getHeader(event, 'idempotency-key'), now);
    return json(created ? 201 : 200, customer);
  },
  'GET /customers/{id}': async (event) => {
    const id = event.pathParameters?.id ?? '';
    const customer = await getCustomer(id);
    if (!customer) throw new HttpError(404, 'not_found', `customer ${id} not found`);
    const { requestHash: _h, ...body } = customer;
    return json(200, body);
  },
});

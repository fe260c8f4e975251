import { customerPatchSchema, newCustomerSchema } from '../../shared/domain/customer.ts';
import { updateProfile } from '../../shared/services/casework.ts';
import { getHeader, httpHandler, json, jsonBody, parse } from '../../shared/http/api.ts';
import { createCustomer } from '../../shared/services/admin.ts';
import { revokeLinks } from '../../shared/services/links.ts';
import { customerView } from '../../shared/services/queries.ts';

export const handler = httpHandler({
  'POST /customers': async (event) => {
    const input = parse(newCustomerSchema, jsonBody(event));
    const now = new Date(event.requestContext.timeEpoch);
    const { customer, created } = await createCustomer(input, getHeader(event, 'idempotency-key'), now);
    return json(created ? 201 : 200, customer);
  },
  'GET /customers/{id}': async (event) => {
    return json(200, await customerView(event.pathParameters?.id ?? ''));
  },
  'PATCH /customers/{id}': async (event) => {
    const patch = parse(customerPatchSchema, jsonBody(event));
    const customer = await updateProfile(event.pathParameters?.id ?? '', patch, new Date(event.requestContext.timeEpoch));
    return json(200, customer);
  },
  // Revokes every signed link mailed to the customer so far (pay, rating, preferences, plan request); the secret
  // and everyone else's links stay as they are. The customer can ask for a fresh link from the refused link's page.
  'POST /customers/{id}/links/revoke': async (event) => json(200, await revokeLinks(event.pathParameters?.id ?? '')),
});

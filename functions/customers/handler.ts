import { customerPatchSchema, newCustomerSchema } from '../../shared/domain/customer.ts';
import { updateProfile } from '../../shared/services/casework.ts';
import { getHeader, httpHandler, HttpError, json, jsonBody, parse } from '../../shared/http/api.ts';
import { createCustomer } from '../../shared/services/admin.ts';
import { revokeLinks } from '../../shared/services/links.ts';
import { balances as ledgerBalances } from '../../shared/domain/ledger.ts';
import { getCustomer } from '../../shared/store/customers.ts';
import { ledgerEntries } from '../../shared/store/ledger.ts';

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
    // Balances derived from the append-only ledger, per account and currency: what they owe (receivable), what we
    // owe them (customer_credit), and money of theirs still waiting in review (unapplied).
    const balances: Record<string, Record<string, number>> = {};
    for (const [key, amount] of ledgerBalances(await ledgerEntries(id))) {
      const [account, currency] = key.split('/') as [string, string];
      (balances[account] ??= {})[currency] = amount;
    }
    return json(200, { ...body, balances });
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

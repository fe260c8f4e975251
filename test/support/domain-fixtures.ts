import type { CollectionsInvoice } from '../../shared/domain/collections.ts';
import { DEFAULT_TERMS } from '../../shared/domain/terms.ts';

/** An open 1,000.00 EUR invoice due 31 March 2027 (net 30 default terms) for the domain unit tests; override any field. */
export function collectionsInvoice(fields: Partial<CollectionsInvoice> = {}): CollectionsInvoice {
  return {
    id: 'inv_1',
    customerId: 'cus_1',
    number: 'INV-1',
    currency: 'EUR',
    total: 100_000,
    balanceDue: 100_000,
    issueDate: '2027-03-01',
    dueDate: '2027-03-31',
    paymentReference: 'RF18539007547034',
    version: 1,
    terms: DEFAULT_TERMS,
    ...fields,
  };
}

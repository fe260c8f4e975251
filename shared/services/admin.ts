import { buildCustomer, type Customer, type NewCustomer } from '../domain/customer.ts';
import { buildInvoice, sequenceInvoiceNumber, type Invoice, type NewInvoice } from '../domain/invoice.ts';
import { invoiceIssuedEvent } from '../domain/events/casework-events.ts';
import { createRfReference } from '../domain/rf-reference.ts';
import { Conflict, IdempotencyKeyReused, Invalid } from './errors.ts';
import { replayed, requestHash } from './idempotency.ts';
import { getCustomer, getCustomerForReplay, putNewCustomer } from '../store/customers.ts';
import type { Replayable } from '../store/table.ts';
import { createInvoice, getInvoiceForReplay, nextSequence, type InvoiceSchedule } from '../store/invoices.ts';
import { actionShard, firstActionAt, interestRun } from '../domain/collections.ts';
import { resolveTerms, type TermsOverride } from '../domain/terms.ts';
import { accountTerms } from '../config/terms.ts';
import { adaptiveCadence } from '../config/runtime.ts';
import { ACTION_SHARDS } from '../topology.ts';
import { newId, randomReferenceBody, stableId } from './ids.ts';

/**
 * Admin use cases. With an Idempotency-Key the new id is derived from the key, so a retried request finds its own
 * earlier result (200) instead of creating a second record; the same key with a different body is a 409.
 */
export async function createCustomer(
  input: NewCustomer,
  idempotencyKey: string | undefined,
  now: Date,
): Promise<{ customer: Customer; created: boolean }> {
  const id = idempotencyKey ? stableId('cus', `customer:${idempotencyKey}`) : newId('cus');
  const hash = requestHash(input);
  const customer = buildCustomer(input, id, now);
  const result = await putNewCustomer(customer, hash);
  if (result === 'created') return { customer, created: true };
  if (result === 'account_taken') {
    throw new Conflict('account_taken', 'bankAccounts: an account or the Stripe customer belongs to another customer', 'bankAccounts');
  }
  const existing = await getCustomerForReplay(id);
  if (!existing) throw new IdempotencyKeyReused();
  return { customer: replayed(existing, hash), created: false };
}

export async function issueInvoice(
  input: NewInvoice,
  idempotencyKey: string | undefined,
  now: Date,
): Promise<{ invoice: Invoice; created: boolean }> {
  const id = idempotencyKey ? stableId('inv', `invoice:${idempotencyKey}`) : newId('inv');
  const hash = requestHash(input);
  const customer = await getCustomer(input.customerId);
  if (!customer) throw new Invalid('customerId', 'no such customer');
  if (idempotencyKey) {
    const existing = await getInvoiceForReplay(id);
    if (existing) return replay(existing, hash);
  }
  const number = input.number ?? sequenceInvoiceNumber(await nextSequence('invoice-number'));
  const terms = resolveTerms(accountTerms(), customer.terms, input.terms as TermsOverride | undefined);
  for (let attempt = 0; attempt < 3; attempt++) {
    const invoice = buildInvoice(input, { id, number, paymentReference: createRfReference(randomReferenceBody()) }, now, {
      terms,
      timeZone: customer.timeZone,
    });
    // Announced in the same transaction (invoice.issued); an idempotent replay writes nothing, so announces nothing.
    const result = await createInvoice(invoice, hash, [invoiceIssuedEvent(invoice)], initialSchedule(customer, invoice, now));
    switch (result) {
      case 'created':
        return { invoice, created: true };
      case 'exists': {
        const existing = await getInvoiceForReplay(id);
        if (existing) return replay(existing, hash);
        break;
      }
      case 'duplicate_number':
        throw new Conflict('duplicate_invoice_number', `number: invoice ${number} exists already`, 'number');
      case 'no_customer':
        throw new Invalid('customerId', 'no such customer');
      case 'duplicate_reference':
        continue; // astronomically rare: draw another reference
    }
  }
  throw new Error('could not allocate a unique payment reference');
}

/** Where a new invoice enters the sweeps: the dunning index at its first step, the interest index if its terms charge. */
function initialSchedule(customer: Customer, invoice: Invoice, now: Date): InvoiceSchedule {
  const shard = actionShard(customer.id, ACTION_SHARDS);
  const run = interestRun(invoice, customer, now);
  return { shard, dunningAt: firstActionAt(customer, invoice, now, adaptiveCadence()), ...(run.nextOn ? { interestOn: run.nextOn } : {}) };
}

function replay(existing: Replayable<Invoice>, hash: string): { invoice: Invoice; created: boolean } {
  return { invoice: replayed(existing, hash), created: false };
}

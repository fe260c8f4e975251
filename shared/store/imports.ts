/**
 * Imported invoice history: one transaction per invoice — the invoice (with its settle date and imported payments),
 * its unique number, its unique payment reference, the ledger entries (issued, then each payment made before the
 * import on its own day), its place in the reminder and interest indexes if still unpaid, and a check that the
 * customer exists. Either all of it is written or none.
 */
import type { Invoice } from '../domain/invoice.ts';
import type { LedgerEntry } from '../domain/ledger.ts';
import { keys } from './keys.ts';
import { getInvoiceForReplay, invoiceIssuedEntry, invoiceItem, schedulePut, type InvoiceSchedule } from './invoices.ts';
import { ledgerPut } from './ledger.ts';
import { tableName, transactWrite, type Replayable } from './table.ts';

/** `conflict`: another transaction touched one of the items at the same time (e.g. the customer's check): retry. */
export type ImportCommit = 'created' | 'exists' | 'duplicate_number' | 'duplicate_reference' | 'no_customer' | 'conflict';

export async function commitImportedInvoice(invoice: Invoice, requestHash: string, schedule?: InvoiceSchedule): Promise<ImportCommit> {
  const TableName = tableName();
  const ledger: LedgerEntry[] = [
    invoiceIssuedEntry(invoice),
    ...(invoice.importedPayments ?? []).map(
      (p, i): LedgerEntry => ({
        id: `${invoice.id}#imported#${i}`,
        customerId: invoice.customerId,
        account: 'receivable',
        type: 'imported_payment',
        amount: -p.amount,
        currency: invoice.currency,
        invoiceId: invoice.id,
        bookedAt: `${p.date}T00:00:00.000Z`,
      }),
    ),
  ];
  const codes = await transactWrite([
    {
      Put: {
        TableName,
        Item: { ...invoiceItem(invoice), ...(schedule ? keys.dunningDue(schedule.shard, schedule.dunningAt, invoice.id) : {}), requestHash },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    { Put: { TableName, Item: { ...keys.invoiceNumber(invoice.number), entity: 'invoice_number', invoiceId: invoice.id }, ConditionExpression: 'attribute_not_exists(PK)' } },
    { Put: { TableName, Item: { ...keys.reference(invoice.paymentReference), entity: 'reference', invoiceId: invoice.id }, ConditionExpression: 'attribute_not_exists(PK)' } },
    ...ledger.map((e) => ({ Put: ledgerPut(e) })),
    ...(schedule?.interestOn ? [{ Put: schedulePut('interest', invoice, schedule.shard, schedule.interestOn) }] : []),
    { ConditionCheck: { TableName, Key: keys.customer(invoice.customerId), ConditionExpression: 'attribute_exists(PK)' } },
  ]);
  if (!codes) return 'created';
  if (codes[0] === 'ConditionalCheckFailed') return 'exists';
  if (codes[1] === 'ConditionalCheckFailed') return 'duplicate_number';
  if (codes[2] === 'ConditionalCheckFailed') return 'duplicate_reference';
  if (codes.at(-1) === 'ConditionalCheckFailed') return 'no_customer';
  if (codes.includes('TransactionConflict')) return 'conflict';
  throw new Error(`transaction cancelled: ${codes.join(', ')}`);
}

/** An earlier import of the invoice with the hash of its row. */
export async function importedInvoice(id: string): Promise<Replayable<Invoice> | undefined> {
  return getInvoiceForReplay(id);
}

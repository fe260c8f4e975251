/**
 * Every key of the single table, in one place. See docs/data-model.md for the access pattern each one serves.
 */
import type { InvoiceStatus } from '../domain/invoice.ts';

export const keys = {
  customer: (id: string) => ({ PK: `CUSTOMER#${id}`, SK: 'PROFILE' }),
  invoice: (id: string) => ({ PK: `INVOICE#${id}`, SK: 'INVOICE' }),
  invoiceByCustomer: (customerId: string, status: InvoiceStatus, dueDate: string, id: string) => ({
    GSI1PK: `CUSTOMER#${customerId}`,
    GSI1SK: `INVOICE#${status}#${dueDate}#${id}`,
  }),
  invoiceByStatus: (status: InvoiceStatus, dueDate: string, id: string) => ({
    GSI3PK: `INVOICE_STATUS#${status}`,
    GSI3SK: `${dueDate}#${id}`,
  }),
  invoiceNumber: (number: string) => ({ PK: `INVOICE_NUMBER#${number}`, SK: 'INVOICE_NUMBER' }),
  reference: (reference: string) => ({ PK: `REFERENCE#${reference}`, SK: 'REFERENCE' }),
  counter: (name: string) => ({ PK: `COUNTER#${name}`, SK: 'COUNTER' }),
  allocation: (invoiceId: string, paymentId: string) => ({ PK: `INVOICE#${invoiceId}`, SK: `ALLOCATION#${paymentId}` }),
  payment: (id: string) => ({ PK: `PAYMENT#${id}`, SK: 'PAYMENT' }),
  paymentByCustomer: (customerId: string, receivedAt: string, id: string) => ({
    GSI1PK: `CUSTOMER#${customerId}`,
    GSI1SK: `PAYMENT#${receivedAt}#${id}`,
  }),
  paymentByStatus: (status: string, receivedAt: string, id: string) => ({
    GSI3PK: `PAYMENT_STATUS#${status}`,
    GSI3SK: `${receivedAt}#${id}`,
  }),
  ledgerEntry: (customerId: string, bookedAt: string, entryId: string) => ({
    PK: `CUSTOMER#${customerId}`,
    SK: `LEDGER#${bookedAt}#${entryId}`,
  }),
  ledgerPrefix: 'LEDGER#',
  paymentFacts: (paymentId: string) => ({ PK: `PAYMENT#${paymentId}`, SK: 'FACTS' }),
  /** `account:<IBAN or account>` or `stripe:<cus_…>` → the customer who pays from it. */
  payer: (payerKey: string) => ({ PK: `PAYER#${payerKey}`, SK: 'PAYER' }),
  inboxEvent: (source: string, eventId: string) => ({ PK: `EVENT#${source}#${eventId}`, SK: 'EVENT' }),
  inboxPending: (receivedAt: string) => ({ GSI2PK: 'INBOX#PENDING', GSI2SK: receivedAt }),
  mail: (customerId: string, mailKey: string) => ({ PK: `CUSTOMER#${customerId}`, SK: `MAIL#${mailKey}` }),
  mailPending: (createdAt: string) => ({ GSI2PK: 'MAIL#PENDING', GSI2SK: createdAt }),
};

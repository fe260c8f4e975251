/**
 * What the staff console reads about customers and invoices: finding a customer by an exact key (an e-mail address,
 * a customer id, a Stripe customer id, an invoice number or id, an RF payment reference), the collector's page on a
 * customer and the page on one invoice. Keyed reads only (the e-mail index, the number and reference uniqueness
 * items, the payer links): never a scan. Reuses the queries the admin API and the portal read through (queries.ts,
 * history.ts, portal-account.ts); the console's actions are the casework services themselves (casework.ts).
 */
import { startOfLocalDay } from '../domain/collections.ts';
import type { Customer } from '../domain/customer.ts';
import { addDays, isCalendarDate } from '../domain/dates.ts';
import type { Invoice } from '../domain/invoice.ts';
import type { PaymentPlan } from '../domain/plans.ts';
import { parseTypedAmount } from '../domain/console/payments.ts';
import { isValidRfReference, normaliseReference } from '../domain/rf-reference.ts';
import { getCustomer, customersByEmail } from '../store/customers.ts';
import { customerDecisionsPage, type CollectionsDecision } from '../store/decisions.ts';
import { mailPage } from '../store/mail.ts';
import { getDisputeRecord, type StoredDispute } from '../store/disputes.ts';
import { getInvoice, getInvoiceIdByNumber, getInvoiceIdByReference } from '../store/invoices.ts';
import { findPayer } from '../store/payments.ts';
import { getPlan, plansOfCustomer } from '../store/plans.ts';
import { allPages } from '../store/table.ts';
import { Invalid, NotFound } from './errors.ts';
import { MAX_CURSOR_CHARS } from './cursor.ts';
import { staffNames } from './console-casework.ts';
import { communications } from './history.ts';
import { customerPayments, invoiceDetail, invoiceNumbersOf } from './portal-account.ts';
import { customerView, unpaidInvoicesOf } from './queries.ts';

/** Longest search text taken (an e-mail address is at most 254 characters). */
export const MAX_SEARCH_CHARS = 254;
/** Customers shown for one e-mail address (several accounts may share one). */
const MAX_EMAIL_MATCHES = 20;
/** Communication history entries per page of the customer page's whole history. */
export const HISTORY_PAGE = 50;
/** Mails, and collections decisions, shown as the customer's recent communications (each newest first). */
export const RECENT_COMMUNICATIONS = 10;
/** Payments shown on the customer page, newest first. */
export const RECENT_PAYMENTS = 10;
/** Invoices read for their numbers on the customer page (the recent payments' allocations beyond the open ones). */
const MAX_NUMBERS_READ = 50;
/** The decisions trail read for an invoice page (a customer's promises and disputes, oldest first). */
const MAX_DECISIONS = 500;

export type MatchedBy = 'email' | 'customer_id' | 'stripe_customer' | 'invoice_number' | 'invoice_id' | 'payment_reference';

export interface CustomerMatch {
  customer: Pick<Customer, 'id' | 'name' | 'email' | 'currency' | 'timeZone'> & { mailSuppressed?: boolean; holds: number };
  by: MatchedBy;
  /** The invoice the query named (by number, id or reference). */
  invoice?: { id: string; number: string };
}

/**
 * The customers an exact search text names, each once (the strongest key first): an address (`@`) → its customers;
 * otherwise a customer id or Stripe customer id (`cus_…`), an invoice id (`inv_…`), an invoice number, an RF
 * reference — each a single keyed read. Empty text: no matches.
 */
export async function findCustomers(text: string): Promise<CustomerMatch[]> {
  const q = text.trim();
  if (q === '') return [];
  if (q.length > MAX_SEARCH_CHARS) throw new Invalid('q', `at most ${MAX_SEARCH_CHARS} characters`);
  const found: { customer: Customer; by: MatchedBy; invoice?: Invoice }[] = [];
  if (q.includes('@')) {
    for (const customer of await customersByEmail(q, MAX_EMAIL_MATCHES)) found.push({ customer, by: 'email' });
  } else {
    const viaInvoice = async (id: string | undefined, by: MatchedBy) => {
      const invoice = id ? await getInvoice(id) : undefined;
      const customer = invoice ? await getCustomer(invoice.customerId) : undefined;
      return customer && invoice ? [{ customer, by, invoice }] : [];
    };
    const reference = isValidRfReference(q) ? normaliseReference(q) : undefined;
    const lookups = await Promise.all([
      q.startsWith('cus_') ? getCustomer(q).then((c) => (c ? [{ customer: c, by: 'customer_id' as const }] : [])) : [],
      q.startsWith('cus_')
        ? findPayer(`stripe:${q}`).then(async (p) => {
            const c = p ? await getCustomer(p.customerId) : undefined;
            return c ? [{ customer: c, by: 'stripe_customer' as const }] : [];
          })
        : [],
      q.startsWith('inv_') ? viaInvoice(q, 'invoice_id') : [],
      getInvoiceIdByNumber(q).then((id) => viaInvoice(id, 'invoice_number')),
      // Numbers are printed in capitals (INV-000123); one typed in lower case is looked up as printed too.
      q !== q.toUpperCase() ? getInvoiceIdByNumber(q.toUpperCase()).then((id) => viaInvoice(id, 'invoice_number')) : [],
      reference ? getInvoiceIdByReference(reference).then((id) => viaInvoice(id, 'payment_reference')) : [],
    ]);
    found.push(...lookups.flat());
  }
  const seen = new Set<string>();
  return found.flatMap(({ customer, by, invoice }) => {
    if (seen.has(customer.id)) return [];
    seen.add(customer.id);
    const match: CustomerMatch = {
      customer: {
        id: customer.id,
        name: customer.name,
        email: customer.email,
        currency: customer.currency,
        timeZone: customer.timeZone,
        holds: (customer.holds ?? []).filter((h) => !h.releasedAt).length,
        ...(customer.mailSuppressed ? { mailSuppressed: true } : {}),
      },
      by,
      ...(invoice ? { invoice: { id: invoice.id, number: invoice.number } } : {}),
    };
    return [match];
  });
}

export interface CustomerFile {
  customer: Customer;
  /** Per ledger account (receivable, customer_credit, unapplied), per currency, minor units. */
  balances: Record<string, Record<string, number>>;
  openInvoices: Invoice[];
  payments: Awaited<ReturnType<typeof customerPayments>>;
  /** Invoice numbers by id, for the invoices the recent payments went to. */
  invoiceNumbers: Record<string, string>;
  paymentCount: number;
  plans: PaymentPlan[];
  /** The latest mails and collections decisions, newest first. */
  recent: { mails: Awaited<ReturnType<typeof mailPage>>['items']; decisions: CollectionsDecision[] };
  /** A page of the whole communication history (oldest first), when asked for. */
  history?: Awaited<ReturnType<typeof communications>>;
  /** Names of the console members who acted on the customer (holds), by id. */
  staffNames: Record<string, string>;
}

/**
 * The collector's page on a customer. `history`: also a page of the whole communication history — `all` from its start,
 * else the position a page's "Later entries" link carries.
 */
export async function customerFile(id: string, history?: string): Promise<CustomerFile> {
  if (id.length > 100) throw new NotFound(`customer ${id} not found`);
  const view = await customerView(id);
  const { balances, ...customer } = view;
  if (history !== undefined && history.length > MAX_CURSOR_CHARS) throw new Invalid('history', 'not a position in this history');
  const query = history === undefined ? undefined : { limit: HISTORY_PAGE, ...(history !== 'all' ? { cursor: history } : {}) };
  const [openInvoices, payments, plans, mails, decisions, historyPage] = await Promise.all([
    unpaidInvoicesOf(id),
    customerPayments(customer),
    plansOfCustomer(id),
    mailPage(id, RECENT_COMMUNICATIONS, undefined, 'newest'),
    customerDecisionsPage(id, RECENT_COMMUNICATIONS, undefined, 'newest'),
    query ? communications(id, query) : undefined,
  ]);
  const staffIds = [
    ...(customer.holds ?? []).flatMap((h) => [h.staffId, h.releasedBy]),
    ...[...decisions.items, ...(historyPage?.decisions ?? [])].map((d) => (d as { staffId?: string }).staffId),
  ];
  const recent = payments.slice(0, RECENT_PAYMENTS);
  // The numbers of the invoices the recent payments went to (a collector knows invoices by number): the open ones are
  // at hand, the others read one by one, at most MAX_NUMBERS_READ (beyond that the page shows the id).
  const numbers = new Map(openInvoices.map((i) => [i.id, i.number]));
  const missing = [...new Set(recent.flatMap((p) => p.allocations.map((a) => a.invoiceId)))].filter((i) => !numbers.has(i)).slice(0, MAX_NUMBERS_READ);
  for (const [invoiceId, number] of await invoiceNumbersOf(customer, missing)) numbers.set(invoiceId, number);
  return {
    customer,
    balances,
    openInvoices,
    payments: recent,
    invoiceNumbers: Object.fromEntries(numbers),
    paymentCount: payments.length,
    plans: plans.filter((p) => p.status === 'active' || p.status === 'pending_approval'),
    recent: { mails: mails.items, decisions: decisions.items },
    ...(historyPage ? { history: historyPage } : {}),
    staffNames: await staffNamesOf(staffIds),
  };
}

export interface InvoiceFile {
  invoice: Invoice;
  customer: Customer;
  detail: Awaited<ReturnType<typeof invoiceDetail>>;
  /** Every dispute this invoice had that has a record (open and resolved), oldest first. */
  disputes: StoredDispute[];
  /** The collections decisions about this invoice (promises made/kept/broken, disputes opened), oldest first. */
  decisions: CollectionsDecision[];
  plan?: PaymentPlan;
  staffNames: Record<string, string>;
}

/** The console's page on an invoice. */
export async function invoiceFile(id: string): Promise<InvoiceFile> {
  const invoice = id.length <= 100 ? await getInvoice(id) : undefined;
  if (!invoice) throw new NotFound(`invoice ${id} not found`);
  const customer = (await getCustomer(invoice.customerId)) ?? notFound(`customer ${invoice.customerId}`);
  const [detail, trail, plan] = await Promise.all([
    invoiceDetail(customer, id),
    allPages((cursor) => customerDecisionsPage(customer.id, 100, cursor), MAX_DECISIONS),
    invoice.planId ? getPlan(invoice.planId) : undefined,
  ]);
  const decisions = trail.filter((d) => d.invoiceId === invoice.id);
  const disputeIds = [...new Set([...decisions.filter((d) => d.kind === 'dispute_opened').map((d) => d.subjectId), ...(invoice.dispute ? [invoice.dispute.id] : [])])];
  const disputes = (await Promise.all(disputeIds.map((d) => getDisputeRecord(d))))
    .flatMap((d) => (d ? [withoutHash(d)] : []))
    .sort((a, b) => a.openedAt.localeCompare(b.openedAt));
  const staffIds = [
    invoice.extension?.staffId,
    ...disputes.map((d) => d.resolution?.staffId),
    ...decisions.map((d) => (d as { staffId?: string }).staffId),
    (plan?.approval as { staffId?: string } | undefined)?.staffId,
  ];
  return { invoice, customer, detail, disputes, decisions, ...(plan ? { plan } : {}), staffNames: await staffNamesOf(staffIds) };
}

/**
 * An amount typed in a console form as minor units of the invoice's currency, read by the console's one parser of
 * typed amounts (../domain/console/payments.ts parseTypedAmount: "1,234.50" or "1234.5"; a decimal comma is refused,
 * never read as a grouping or decimal separator by guess); Invalid(`field`) naming why otherwise.
 */
export async function formAmountFor(invoiceId: string, typed: string, field: string): Promise<number> {
  const invoice = invoiceId.length <= 100 ? await getInvoice(invoiceId) : undefined;
  if (!invoice) throw new NotFound(`invoice ${invoiceId} not found`);
  const parsed = parseTypedAmount(typed, invoice.currency);
  if (!parsed.ok) throw new Invalid(field, `${parsed.detail} (${invoice.currency})`);
  return parsed.amount;
}

/**
 * A hold's end from the console's form: the last day it holds, a calendar date in the customer's time zone → the
 * instant that day ends there (the start of the next local day). Empty: none (until released).
 */
export async function holdEndFromForm(customerId: string, lastDay: string): Promise<string | undefined> {
  if (lastDay === '') return undefined;
  if (!isCalendarDate(lastDay)) throw new Invalid('expiresAt', 'must be a calendar date YYYY-MM-DD');
  const customer = customerId.length <= 100 ? await getCustomer(customerId) : undefined;
  if (!customer) throw new NotFound(`customer ${customerId} not found`);
  return startOfLocalDay(addDays(lastDay, 1), customer.timeZone);
}

function withoutHash(d: StoredDispute & { requestHash?: string }): StoredDispute {
  const { requestHash: _h, ...rest } = d;
  return rest;
}

function notFound(what: string): never {
  throw new NotFound(`${what} not found`);
}

/** The names of console members by id (one directory read per member; a removed member is left out: pages show the id). */
async function staffNamesOf(ids: readonly (string | undefined)[]): Promise<Record<string, string>> {
  return Object.fromEntries(await staffNames(ids));
}

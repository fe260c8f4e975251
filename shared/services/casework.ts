/**
 * Staff casework that pauses or reshapes collection: disputes (pause; upheld → credit note; rejected → resume where
 * it was, the customer told why), hardship extensions (a new due date the ladder and interest follow), customer
 * holds (reason + expiry) and profile changes. Each change is one conditional write or transaction; the customer's
 * notice is written in the same transaction and delivered after it.
 */
import { z } from 'zod';
import { actionShard, addHold, effectiveDueDate, MAX_ACTIVE_HOLDS, type Hold, type InvoiceDispute } from '../domain/collections.ts';
import { patchCustomer, type Customer, type CustomerPatch } from '../domain/customer.ts';
import { addDays, isCalendarDate } from '../domain/dates.ts';
import { invoiceAmount, statusFor, type Invoice } from '../domain/invoice.ts';
import type { LedgerEntry } from '../domain/ledger.ts';
import { renderNotice, type Notice } from '../domain/notice-mail.ts';
import { Conflict, Invalid, NotFound } from './errors.ts';
import { DISPUTE_REASON_CODES } from '../domain/invoice-collections.ts';
import { disputeOpenedEvent, disputeResolvedEvent } from '../domain/events/casework-events.ts';
import type { CollectionsDecision } from '../store/decisions.ts';
import { unpaidInvoices } from '../store/due-index.ts';
import { getCustomer, updateCustomerRecord } from '../store/customers.ts';
import { commitDisputeResolution, commitNewDispute, getDisputeForReplay, getDisputeRecord, type StoredDispute } from '../store/disputes.ts';
import type { Replayable } from '../store/table.ts';
import { commitExtension, getInvoice, remindAt } from '../store/invoices.ts';
import { newMail, type MailMessage } from '../store/mail.ts';
import { linkSigner } from './links.ts';
import { mailFrame } from './mail-frame.ts';
import { ACTION_SHARDS } from '../topology.ts';
import { newId, stableId } from './ids.ts';
import { deliverSoon } from './outbox.ts';
import { replayed, requestHash } from './idempotency.ts';
import { actedBy, staffActor } from '../context.ts';

const positiveMinor = z.number().int('must be an integer in minor units').positive('must be positive').refine(Number.isSafeInteger, 'too large');

export const newDisputeSchema = z
  .object({
    reason: z.string().trim().min(1).max(1000),
    /** Why, as a code (reported); optional for staff (read as `other`), required in the portal. */
    reasonCode: z.enum(DISPUTE_REASON_CODES, { error: `must be one of ${DISPUTE_REASON_CODES.join(', ')}` }).optional(),
    amount: positiveMinor.optional(),
  })
  .strict();
export const resolveDisputeSchema = z
  .object({
    outcome: z.enum(['upheld', 'rejected'], { error: 'must be "upheld" or "rejected"' }),
    /** Upheld: the credit note's amount (default: the disputed amount, else the balance). */
    amount: positiveMinor.optional(),
    /** Told to the customer: why it was rejected, or what the credit covers. */
    explanation: z.string().trim().min(1).max(2000),
  })
  .strict()
  .refine((v) => v.outcome === 'upheld' || v.amount === undefined, { message: 'only an upheld dispute takes an amount', path: ['amount'] });
export const extensionSchema = z
  .object({
    newDueDate: z.string().refine(isCalendarDate, 'must be a calendar date YYYY-MM-DD'),
    reason: z.string().trim().min(1).max(1000),
  })
  .strict();
export const holdSchema = z
  .object({ reason: z.string().trim().min(1).max(1000), expiresAt: z.iso.datetime({ offset: true }).optional() })
  .strict();

function notFound(what: string, id: string): never {
  throw new NotFound(`${what} ${id} not found`);
}

async function notify(customer: Customer, key: string, kind: string, notice: Notice, now: Date): Promise<MailMessage | undefined> {
  if (customer.mailSuppressed) return undefined;
  const signer = await linkSigner(now);
  const rendered = renderNotice({ customerName: customer.name, locale: customer.locale, timeZone: customer.timeZone, notice, preferencesLink: signer.preferences(customer), ...mailFrame(signer, customer) });
  return newMail(customer, key, kind, rendered, now);
}

/** The reminder index's slot for "now": the customer's shard, this instant. */
function dueNow(customerId: string, now: Date) {
  return { shard: actionShard(customerId, ACTION_SHARDS), at: now.toISOString() };
}

// ---------------------------------------------------------------------------------------------------------------
// Disputes

/**
 * Opens a customer dispute: collection of the invoice pauses (out of the reminder index; no interest) until staff
 * resolve it. `by.customerId` (the portal): the invoice must be that customer's — another customer's is NotFound,
 * exactly like an unknown id.
 */
export async function openDispute(
  invoiceId: string,
  input: z.infer<typeof newDisputeSchema>,
  idempotencyKey: string | undefined,
  now: Date,
  by: { source: 'staff' | 'portal'; customerId?: string } = { source: 'staff' },
): Promise<{ dispute: StoredDispute; created: boolean }> {
  const id = idempotencyKey ? stableId('dsp', `dispute:${invoiceId}:${idempotencyKey}`) : newId('dsp');
  const hash = requestHash(input);
  if (idempotencyKey) {
    const existing = await getDisputeForReplay(id);
    if (existing) return replayDispute(existing, hash);
  }
  const invoice = (await getInvoice(invoiceId)) ?? notFound('invoice', invoiceId);
  if (by.customerId !== undefined && invoice.customerId !== by.customerId) notFound('invoice', invoiceId);
  const customer = (await getCustomer(invoice.customerId)) ?? notFound('customer', invoice.customerId);
  if (invoice.status === 'paid') throw new Conflict('invoice_paid', `invoice ${invoiceId} is paid; nothing to dispute`);
  if (invoice.dispute) throw new Conflict('already_disputed', `invoice ${invoiceId} has an open dispute ${invoice.dispute.id}`);
  if (input.amount !== undefined && input.amount > invoice.balanceDue) {
    throw new Invalid('amount', `must not exceed the balance due (${invoice.balanceDue})`);
  }
  const dispute: InvoiceDispute = {
    id,
    status: 'open',
    source: 'customer',
    reason: input.reason,
    reasonCode: input.reasonCode ?? 'other',
    ...(input.amount !== undefined ? { amount: input.amount } : {}),
    openedAt: now.toISOString(),
  };
  const stored: StoredDispute = { ...dispute, invoiceId, customerId: invoice.customerId };
  const mail = await notify(
    customer,
    `dispute#${id}#received`,
    'dispute_received',
    { kind: 'dispute_received', invoiceNumber: invoice.number, reason: input.reason, reasonCode: dispute.reasonCode ?? 'other' },
    now,
  );
  const decision: CollectionsDecision = {
    customerId: invoice.customerId,
    invoiceId,
    kind: 'dispute_opened',
    subjectId: id,
    by: by.source,
    at: now.toISOString(),
    reason: `disputed (${dispute.reasonCode ?? 'other'}): reminders and interest paused until staff resolve it`,
    detail: { reasonCode: dispute.reasonCode ?? 'other', ...(input.amount !== undefined ? { amount: input.amount } : {}) },
  };
  // Collection pauses: out of the reminder index; interest skips disputed invoices. Announced in the same transaction
  // (dispute.opened), whoever opened it: the portal's customer or staff through the API.
  const event = disputeOpenedEvent(dispute, invoice, by.source === 'portal' ? 'customer' : 'staff');
  const outcome = await commitNewDispute(stored, dispute, hash, mail, decision, [event]);
  if (outcome !== 'created') {
    if (outcome === 'duplicate') {
      const existing = await getDisputeForReplay(id);
      if (existing) return replayDispute(existing, hash);
    }
    throw new Conflict('conflict', `invoice ${invoiceId} changed (paid or disputed meanwhile); read it and retry`);
  }
  await deliverSoon(mail, now);
  return { dispute: stored, created: true };
}

function replayDispute(existing: Replayable<StoredDispute>, hash: string) {
  return { dispute: replayed(existing, hash), created: false };
}

/** A chargeback dispute lives on the invoice only; its id names payment and invoice: `chargeback_<payment>` on the invoice. */
async function disputeById(id: string, invoiceId: string | undefined): Promise<StoredDispute> {
  const record = await getDisputeRecord(id);
  if (record) return record;
  if (invoiceId) {
    const invoice = await getInvoice(invoiceId);
    if (invoice?.dispute?.id === id) return { ...invoice.dispute, invoiceId, customerId: invoice.customerId };
  }
  return notFound('dispute', id);
}

export async function resolveDispute(
  id: string,
  input: z.infer<typeof resolveDisputeSchema>,
  invoiceIdHint: string | undefined,
  now: Date,
): Promise<{ dispute: StoredDispute; invoice: Invoice; replayed: boolean }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const dispute = await disputeById(id, invoiceIdHint);
    const invoice = (await getInvoice(dispute.invoiceId)) ?? notFound('invoice', dispute.invoiceId);
    if (dispute.resolution) {
      const same = dispute.resolution.outcome === input.outcome && (input.amount === undefined || input.amount === dispute.resolution.amount);
      if (!same) throw new Conflict('already_resolved', `dispute ${id} was already resolved as ${dispute.resolution.outcome}`);
      return { dispute, invoice, replayed: true };
    }
    if (invoice.dispute?.id !== id) throw new Conflict('not_open', `dispute ${id} is not open on invoice ${invoice.id}`);
    const customer = (await getCustomer(invoice.customerId)) ?? notFound('customer', invoice.customerId);
    const shard = actionShard(customer.id, ACTION_SHARDS);
    const credit = input.outcome === 'upheld' ? (input.amount ?? dispute.amount ?? invoice.balanceDue) : 0;
    if (credit > invoice.balanceDue) {
      throw new Invalid('amount', `the credit note must not exceed the balance due (${invoice.balanceDue})`);
    }
    // Who resolved it: the console member (the admin API's shared key has no one to name).
    const resolution = { outcome: input.outcome, ...(credit ? { amount: credit } : {}), explanation: input.explanation, resolvedAt: now.toISOString(), ...actedBy() };
    const resolved = { ...dispute, resolution };
    const newBalance = invoice.balanceDue - credit;
    const after = { ...invoice, credited: (invoice.credited ?? 0) + credit };
    const newStatus = statusFor(invoiceAmount(after), newBalance);
    const notice: Notice =
      input.outcome === 'upheld'
        ? { kind: 'dispute_upheld', invoiceNumber: invoice.number, creditAmount: credit, currency: invoice.currency, balanceDue: newBalance, explanation: input.explanation }
        : { kind: 'dispute_rejected', invoiceNumber: invoice.number, explanation: input.explanation, balanceDue: invoice.balanceDue, currency: invoice.currency, dueDate: effectiveDueDate(invoice) };
    const mail = await notify(customer, `dispute#${id}#${input.outcome}`, `dispute_${input.outcome}`, notice, now);
    const entry: LedgerEntry | undefined = credit
      ? { id: `credit-note#${id}`, customerId: customer.id, account: 'receivable', type: 'credit_note', amount: -credit, currency: invoice.currency, invoiceId: invoice.id, bookedAt: now.toISOString() }
      : undefined;
    const codes = await commitDisputeResolution(
      resolved,
      // Collection resumes where it was: the ladder's last step is kept; the worker re-decides now.
      {
        invoice,
        delta: -credit,
        newStatus,
        set: credit ? { credited: after.credited } : {},
        remove: ['dispute'],
        dunningAt: newBalance > 0 ? now.toISOString() : null,
        shard,
      },
      entry,
      mail,
      [disputeResolvedEvent(resolved, { ...after, balanceDue: newBalance, status: newStatus })],
    );
    if (!codes) {
      await deliverSoon(mail, now);
      return { dispute: resolved, invoice: { ...after, balanceDue: newBalance, status: newStatus }, replayed: false };
    }
    if (!codes.includes('ConditionalCheckFailed') && !codes.includes('TransactionConflict')) throw new Error(`resolve dispute: ${codes.join(',')}`);
  }
  throw new Conflict('conflict', `invoice of dispute ${id} keeps changing; retry`);
}

// ---------------------------------------------------------------------------------------------------------------
// Extensions

/**
 * `expectedVersion` (the console's form): the invoice version the form was shown with; another version is a stale form
 * (409 `stale`, nothing changed) — the write is conditional on the version read either way.
 */
export async function grantExtension(
  invoiceId: string,
  input: z.infer<typeof extensionSchema>,
  now: Date,
  expectedVersion?: number,
): Promise<{ invoice: Invoice; created: boolean }> {
  const invoice = (await getInvoice(invoiceId)) ?? notFound('invoice', invoiceId);
  if (invoice.extension?.dueDate === input.newDueDate) return { invoice, created: false };
  if (expectedVersion !== undefined && invoice.version !== expectedVersion) {
    throw new Conflict('stale', `invoice ${invoice.number} changed since the form was shown (a payment, a credit or another action; due date in force ${effectiveDueDate(invoice)}): reload it and decide again`);
  }
  if (invoice.status === 'paid') throw new Conflict('invoice_paid', `invoice ${invoiceId} is paid`);
  if (invoice.escalatedAt) throw new Conflict('escalated', `invoice ${invoiceId} was handed over to legal on ${invoice.escalatedAt}`);
  const current = effectiveDueDate(invoice);
  if (input.newDueDate <= current) {
    throw new Invalid('newDueDate', `must be after the due date in force (${current})`);
  }
  if (input.newDueDate > addDays(current, 366)) throw new Invalid('newDueDate', 'at most one year after the due date in force');
  const customer = (await getCustomer(invoice.customerId)) ?? notFound('customer', invoice.customerId);
  const extension = { dueDate: input.newDueDate, reason: input.reason, grantedAt: now.toISOString(), ...actedBy() };
  const mail = await notify(
    customer,
    `extension#${invoiceId}#${input.newDueDate}`,
    'extension_confirmed',
    { kind: 'extension_confirmed', invoiceNumber: invoice.number, newDueDate: input.newDueDate, balanceDue: invoice.balanceDue, currency: invoice.currency },
    now,
  );
  // A new agreement: the ladder starts over from the new date (only steps due from now on are sent).
  if (!(await commitExtension(invoice, extension, dueNow(customer.id, now), mail))) {
    // The same extension sent twice at once (a double click): the other request granted it; this one answers the same.
    const meanwhile = await getInvoice(invoiceId);
    if (meanwhile?.extension?.dueDate === input.newDueDate) return { invoice: meanwhile, created: false };
    throw new Conflict('conflict', `invoice ${invoiceId} changed meanwhile; read it and retry`);
  }
  await deliverSoon(mail, now);
  return { invoice: { ...invoice, extension }, created: true };
}

// ---------------------------------------------------------------------------------------------------------------
// Holds and the profile

async function updateCustomer(customer: Customer, next: Customer): Promise<void> {
  if (!(await updateCustomerRecord(customer, next))) throw new Conflict('conflict', `customer ${customer.id} changed meanwhile; read it and retry`);
}

/** Brings every unpaid invoice of the customer to the reminder worker now (after a hold ends or the profile changes). */
async function reindex(customerId: string, now: Date): Promise<void> {
  for (const invoice of await unpaidInvoices(customerId)) {
    if (invoice.escalatedAt || invoice.dispute) continue;
    await remindAt(invoice.id, dueNow(customerId, now));
  }
}

export async function placeHold(customerId: string, input: z.infer<typeof holdSchema>, idempotencyKey: string | undefined, now: Date): Promise<{ hold: Hold; created: boolean }> {
  const customer = (await getCustomer(customerId)) ?? notFound('customer', customerId);
  const id = idempotencyKey ? stableId('hold', `hold:${customerId}:${idempotencyKey}`) : newId('hold');
  const existing = customer.holds?.find((h) => h.id === id);
  if (existing) return { hold: existing, created: false };
  if (input.expiresAt && Date.parse(input.expiresAt) <= now.getTime()) {
    throw new Invalid('expiresAt', 'must be in the future');
  }
  const hold: Hold = { id, reason: input.reason, createdAt: now.toISOString(), ...(input.expiresAt ? { expiresAt: new Date(input.expiresAt).toISOString() } : {}), ...actedBy() };
  // An active hold (a legal one among them) is never dropped to make room: the customer is full until one ends.
  const holds = addHold(customer.holds, hold, now);
  if (holds === 'limit') {
    throw new Conflict('too_many_holds', `customer ${customerId} has ${MAX_ACTIVE_HOLDS} active holds, the most allowed; release one first`);
  }
  if (!(await updateCustomerRecord(customer, { ...customer, holds, version: customer.version + 1 }))) {
    // The same request sent twice at once (a double click): the other one placed it, and this one answers the same.
    const placed = idempotencyKey ? (await getCustomer(customerId))?.holds?.find((h) => h.id === id) : undefined;
    if (placed) return { hold: placed, created: false };
    throw new Conflict('conflict', `customer ${customerId} changed meanwhile; read it and retry`);
  }
  return { hold, created: true };
}

export async function releaseHold(customerId: string, holdId: string, now: Date): Promise<Hold> {
  const customer = (await getCustomer(customerId)) ?? notFound('customer', customerId);
  const hold = customer.holds?.find((h) => h.id === holdId) ?? notFound('hold', holdId);
  if (hold.releasedAt) return hold;
  const by = staffActor();
  const released = { ...hold, releasedAt: now.toISOString(), ...(by ? { releasedBy: by } : {}) };
  await updateCustomer(customer, { ...customer, holds: (customer.holds ?? []).map((h) => (h.id === holdId ? released : h)), version: customer.version + 1 });
  await reindex(customerId, now);
  return released;
}

export async function updateProfile(customerId: string, patch: CustomerPatch, now: Date): Promise<Customer> {
  const customer = (await getCustomer(customerId)) ?? notFound('customer', customerId);
  const next = patchCustomer(customer, patch);
  await updateCustomer(customer, next);
  // Cadence, time zone, quiet hours or exclusion change when reminders are due: let the worker re-decide.
  if (patch.dunning !== undefined || patch.timeZone !== undefined) await reindex(customerId, now);
  return next;
}

/**
 * The correlation id of the work in progress: set by a handler at its edge (from the incoming request or queue
 * message, or a new one) and read wherever it is carried on — queue messages, stored mails, events out, log lines.
 * AsyncLocalStorage, so concurrent work in one process (a batch, the local runtime) never mixes ids.
 *
 * Where each edge takes it from (shared/http/api.ts, shared/handlers/*): HTTP — the `x-correlation-id` request header
 * if well-formed, else API Gateway's request id; SQS — the message's `correlationId` attribute, else the message id;
 * a schedule — the run's id (EventBridge Scheduler's execution id); SNS — the notification's message id.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

const store = new AsyncLocalStorage<{ correlationId: string }>();

/** The HTTP header that brings a correlation id in and carries it back on every response. */
export const CORRELATION_ID_HEADER = 'x-correlation-id';
/** The SQS message attribute (String) that carries it on every queue message. */
export const CORRELATION_ID_ATTRIBUTE = 'correlationId';

/**
 * A usable correlation id: 1–128 characters of letters, digits and `_ . : = + / -` — what request ids (UUIDs, API
 * Gateway's base64-like ids, Stripe-style ids) are made of, and safe in a header, a log line and a mail header as it
 * is. Anything else (a caller's free text, a header injection attempt) is not taken.
 */
export function isCorrelationId(value: unknown): value is string {
  return typeof value === 'string' && /^[\w.:=+/-]{1,128}$/.test(value);
}

/** The correlation id of the current work, if a handler set one. */
export function correlationId(): string | undefined {
  return store.getStore()?.correlationId;
}

/**
 * Runs `work` with `id` as its correlation id; a missing or malformed id gets a new one (a random UUID), never the
 * id of other work: nothing done inside can be mistaken for the work of another request or message.
 */
export function withCorrelationId<T>(id: string | undefined, work: () => Promise<T>): Promise<T> {
  return store.run({ correlationId: isCorrelationId(id) ? id : randomUUID() }, work);
}

/**
 * Who is acting: a staff member signed in to the console (set by its HTTP edge, shared/http/console.ts, around each
 * signed-in request). Services that record who did something (`by: 'staff'` on an allocation, a reversal, a plan
 * approval, a dispute resolution, a reply…) add `staffId` when there is one; the admin API (a shared key) has none.
 * A separate store from the correlation id's: nothing else reads it, and work outside a console request never has it.
 */
const actorStore = new AsyncLocalStorage<{ staffId: string }>();

/** The staff member acting in the current work (the console), if any. */
export function staffActor(): string | undefined {
  return actorStore.getStore()?.staffId;
}

/** `{ staffId }` to spread into a record of who did something, or nothing outside the console. */
export function actedBy(): { staffId?: string } {
  const staffId = staffActor();
  return staffId ? { staffId } : {};
}

/** Runs `work` as the staff member `staffId` (the console's edge). */
export function asStaff<T>(staffId: string, work: () => Promise<T>): Promise<T> {
  return actorStore.run({ staffId }, work);
}

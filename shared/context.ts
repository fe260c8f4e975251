/**
 * The correlation id of the work in progress: set by a handler at its edge (from the incoming request or queue
 * message, or a new one) and read wherever it is carried on — queue messages, stored mails, events out, log lines.
 * AsyncLocalStorage, so concurrent work in one process (a batch, the local runtime) never mixes ids.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

const store = new AsyncLocalStorage<{ correlationId: string }>();

/** The correlation id of the current work, if a handler set one. */
export function correlationId(): string | undefined {
  return store.getStore()?.correlationId;
}

/** Runs `work` with `id` (or a new id) as its correlation id. */
export function withCorrelationId<T>(id: string | undefined, work: () => Promise<T>): Promise<T> {
  return store.run({ correlationId: id && /^[\w.:-]{1,128}$/.test(id) ? id : randomUUID() }, work);
}

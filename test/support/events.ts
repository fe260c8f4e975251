/**
 * The events that left the system, as the local bus recorded them (`GET /local/events`): every publication once, in
 * publication order — a re-published event appears twice with the same id. Publications from functions run in the
 * test process itself (EVENT_BUS_NAME=local) are recorded in the same table, so they are listed too.
 */
import type { EventEnvelope } from '../../shared/domain/events/envelope.ts';
import { eventually, stack } from './stack.ts';

export type PublishedEvent = EventEnvelope & { publishedAt: string };

export interface PublishedEventFilter {
  customerId?: string;
  type?: string;
  /** Publications at or after this instant (ISO 8601). */
  since?: string;
}

/** `apiUrl`: another stack's (a test file's own stack, test/support/own-stack.ts); by default the suite's shared one. */
export async function publishedEvents(filter: PublishedEventFilter = {}, apiUrl = stack.apiUrl): Promise<PublishedEvent[]> {
  const query = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
  const res = await fetch(`${apiUrl}/local/events${query.size ? `?${query}` : ''}`);
  if (res.status !== 200) throw new Error(`GET /local/events answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { items: PublishedEvent[] }).items;
}

/**
 * Polls the local bus until `until(events)` holds for the publications matching `filter` (by default: at least one),
 * and returns them; fails with what was published when the deadline passes.
 */
export async function waitForEvents(
  filter: PublishedEventFilter,
  until: (events: PublishedEvent[]) => boolean = (events) => events.length > 0,
  timeoutMs = 10_000,
  apiUrl = stack.apiUrl,
): Promise<PublishedEvent[]> {
  let last: PublishedEvent[] = [];
  try {
    return await eventually(
      async () => {
        last = await publishedEvents(filter, apiUrl);
        return until(last) ? last : undefined;
      },
      timeoutMs,
      `events ${JSON.stringify(filter)}`,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; published: ${JSON.stringify(last.map((e) => ({ id: e.id, type: e.type })))}`, { cause: error });
  }
}

/** The distinct event ids of a list of publications, in first-publication order. */
export function distinctIds(events: readonly { id: string }[]): string[] {
  return [...new Set(events.map((e) => e.id))];
}

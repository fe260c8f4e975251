/**
 * Driving a running local stack through time: fire a schedule as if at an instant, wait until the work it fanned out
 * through the queues is done, read what was mailed. Used by the simulation (`npm run simulate`) and the collections
 * tests; everything goes through the stack's public endpoints (HTTP API, SQS, the SES emulator's store).
 */
import { sweepWouldFind } from '../shared/services/collections.ts';
import type { SweepKind } from '../shared/store/keys.ts';
import type { StackInfo } from './child-stack.ts';

/** What a fire did: ran, or skipped a sweep with nothing due (its index's earliest key then). */
export type FireOutcome = { ran: true } | { ran: false; sweep: SweepKind; earliestKey: string | undefined };

export interface SesStoredMail {
  messageId: string;
  destination: { to: string[] };
  subject: string;
  body: { html: string; text: string };
  at?: number;
}

export class StackDriver {
  /** The stack's queues (not their DLQs), by URL path. */
  private readonly queuePaths: ReadonlySet<string>;

  constructor(readonly info: StackInfo) {
    this.queuePaths = new Set(Object.values(info.queueUrls).map((url) => new URL(url).pathname));
  }

  async api<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T; text: string }> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const res = await fetch(`${this.info.apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.info.adminKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: T;
    try {
      json = (text ? JSON.parse(text) : undefined) as T;
    } catch {
      json = undefined as T;
    }
    return { status: res.status, body: json, text };
  }

  /**
   * Fires a scheduled function as if at `time`, then waits until the queues are drained. Work already in flight is
   * drained first, so the run sees everything that came before it. A sweep (reminders, interest, escalation) with
   * nothing due at `time` is not run (`ifDue`, local/scheduler.ts): its run would only fan empty index pages out, and
   * replaying months hour by hour is mostly such runs. `always` runs it regardless.
   */
  async fire(name: 'reminders' | 'interest' | 'escalation' | string, time: Date | string, options: { always?: boolean } = {}): Promise<FireOutcome> {
    const iso = typeof time === 'string' ? time : time.toISOString();
    await this.drain();
    const res = await this.api('POST', `/local/schedules/${name}/fire`, { time: iso, ifDue: !options.always });
    if (res.status !== 200) throw new Error(`firing ${name} at ${iso} failed: ${res.status} ${res.text}`);
    const result = (res.body as { result?: { skipped?: string; sweep?: SweepKind; earliestKey?: string | null } }).result;
    if (result?.skipped && result.sweep) return { ran: false, sweep: result.sweep, earliestKey: result.earliestKey ?? undefined };
    await this.drain();
    return { ran: true };
  }

  /** Fires for a stretch in which nothing else changes the stack: see `Replay`. */
  replay(): Replay {
    return new Replay(this);
  }

  /**
   * Messages waiting or in flight on every queue of the stack (delayed ones, such as webhook retries due later, are
   * not work to wait for). Read from the SQS emulator's own inspection endpoint — one plain GET for all queues, where
   * GetQueueAttributes takes a signed call per queue: `drain` asks after every fired schedule, and those calls cost
   * the stack and this process more CPU than the sweep they wait for.
   */
  async depth(): Promise<number> {
    const res = await fetch(`${this.info.sqsEndpoint}/_fauxqs/queues`);
    if (!res.ok) throw new Error(`the SQS emulator's queue listing answered ${res.status}`);
    const listed = (await res.json()) as { url: string; approximateMessageCount: number; approximateInflightCount: number }[];
    let total = 0;
    for (const q of listed) if (this.queuePaths.has(new URL(q.url).pathname)) total += q.approximateMessageCount + q.approximateInflightCount;
    return total;
  }

  /** Polls until no queue has work (twice in a row), or fails after the deadline. */
  async drain(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let empty = 0;
    while (Date.now() < deadline) {
      empty = (await this.depth()) === 0 ? empty + 1 : 0;
      if (empty >= 2) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`queues not drained within ${timeoutMs} ms`);
  }

  async mails(to?: string): Promise<SesStoredMail[]> {
    // With an address, only its mails (`?to=`, local/emulators.ts), not the whole store.
    const res = await fetch(`${this.info.sesEndpoint}/store${to === undefined ? '' : `?to=${encodeURIComponent(to)}`}`);
    const store = (await res.json()) as { emails: SesStoredMail[] };
    return to === undefined ? store.emails : store.emails.filter((e) => e.destination.to.includes(to));
  }

  close(): void {
    // Nothing to release (plain fetch); kept for callers that close the driver with the stack.
  }
}

/**
 * Fires in a stretch with nothing else changing the stack — no API call, payment or direct write in between (call
 * `changed()` after any). A sweep skipped for having nothing due tells its index's earliest key; until a run does work
 * or `changed()`, later fires of that sweep that the key shows would find nothing (`sweepWouldFind`, the due slice's
 * own bound) are skipped without asking the stack. So replaying months costs the runs that do something, not every
 * hour of them.
 */
export class Replay {
  private readonly known = new Map<string, { sweep: SweepKind; earliestKey: string | undefined }>();

  constructor(private readonly driver: StackDriver) {}

  async fire(name: 'reminders' | 'interest' | 'escalation' | string, time: Date | string): Promise<void> {
    const at = new Date(typeof time === 'string' ? time : time.getTime());
    // The run's "now" has whole seconds (EventBridge's `time`), as the stack decides with it.
    const now = new Date(Math.floor(at.getTime() / 1000) * 1000);
    const index = this.known.get(name);
    if (index && !sweepWouldFind(index.sweep, index.earliestKey, now)) return;
    const outcome = await this.driver.fire(name, at);
    if (outcome.ran) this.known.clear();
    else this.known.set(name, { sweep: outcome.sweep, earliestKey: outcome.earliestKey });
  }

  /** Something else may have changed the stack: ask again before skipping. */
  changed(): void {
    this.known.clear();
  }
}

/**
 * Driving a running local stack through time: fire a schedule as if at an instant, wait until the work it fanned out
 * through the queues is done, read what was mailed. Used by the simulation (`npm run simulate`) and the collections
 * tests; everything goes through the stack's public endpoints (HTTP API, SQS, the SES emulator's store).
 */
import type { StackInfo } from './child-stack.ts';

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

  /** Fires a scheduled function as if at `time`, then waits until the queues are drained. */
  async fire(name: 'reminders' | 'interest' | 'escalation' | string, time: Date | string): Promise<void> {
    const iso = typeof time === 'string' ? time : time.toISOString();
    const res = await this.api('POST', `/local/schedules/${name}/fire`, { time: iso });
    if (res.status !== 200) throw new Error(`firing ${name} at ${iso} failed: ${res.status} ${res.text}`);
    await this.drain();
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
    const res = await fetch(`${this.info.sesEndpoint}/store`);
    const store = (await res.json()) as { emails: SesStoredMail[] };
    return to ? store.emails.filter((e) => e.destination.to.includes(to)) : store.emails;
  }

  close(): void {
    // Nothing to release (plain fetch); kept for callers that close the driver with the stack.
  }
}

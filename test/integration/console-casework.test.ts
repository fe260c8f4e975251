/**
 * The console's casework through the shared local stack, signed in as real members of staff (test/support/console.ts):
 * a question asked in the portal is in the console's queue, answered there (the customer's mail in their language,
 * the reply naming the member) and closed; a plan the customer asked for outside the policy is approved there. A
 * viewer's POST, a stale form (the question changed since the page was loaded) and bad fields are refused with 4xx,
 * nothing changed (read back through the admin API). Promises to pay made in the portal are listed.
 */
import { describe, expect, it } from 'vitest';
import { consoleSignIn, type ConsoleClient, type ConsoleResponse } from '../support/console.ts';
import { decodeEntities, signIn } from '../support/portal.ts';
import { api, eventually, newCustomer, newInvoice, sentMail, unique } from '../support/stack.ts';

/**
 * Follows a listing's next-page links (`linkText`) from `path` until a page contains `needle` (the shared stack
 * holds other files' items too); answers that page.
 */
async function pageWith(staff: ConsoleClient, path: string, needle: string, linkText: RegExp): Promise<ConsoleResponse> {
  let next: string | undefined = path;
  for (let i = 0; next && i < 40; i++) {
    const page = await staff.get(next);
    expect(page.status, page.text.slice(0, 300)).toBe(200);
    if (page.text.includes(needle)) return page;
    const href = new RegExp(`<a href="([^"]+)">${linkText.source}`).exec(page.text)?.[1];
    next = href ? decodeEntities(href) : undefined;
  }
  throw new Error(`${needle} not listed from ${path}`);
}

/** Whether any page of a listing (following its next-page links) contains `needle`. */
async function listed(staff: ConsoleClient, path: string, needle: string, linkText: RegExp): Promise<boolean> {
  return pageWith(staff, path, needle, linkText).then(
    () => true,
    () => false,
  );
}

interface StoredQuestion {
  status: string;
  version?: number;
  replies?: { body: string; by: string; staffId?: string }[];
  closedBy?: string;
  closedByStaffId?: string;
}

describe('console: questions', () => {
  it('a portal question is in the queue, answered from the console (mailed in German, naming the member) and closed; viewer, stale and bad forms change nothing', async () => {
    const [collector, viewer] = await Promise.all([consoleSignIn({ role: 'collector', name: unique('Mia') }), consoleSignIn({ role: 'viewer' })]);
    const c = await newCustomer({ name: 'Grün & <Söhne>', locale: 'de-DE', timeZone: 'Europe/Berlin' });
    const inv = await newInvoice(c.id, { amount: 12_000 });
    const { client, csrf } = await signIn(c.email);
    const subject = unique('Rechnungsadresse');
    expect((await client.post('/portal/messages', { csrf, subject, message: 'Bitte an die neue Adresse schicken.', invoiceId: inv.id })).status).toBe(303);

    // The queue: open questions oldest first; ours is found by following the pages.
    const queue = await pageWith(collector, '/console/questions', subject, /Next page/);
    const link = new RegExp(`<a href="(/console/questions/${c.id}/[^"]+)">${subject}</a>`).exec(queue.text)?.[1];
    if (!link) throw new Error('no link to the question');
    expect(queue.text).toContain('Grün &amp; &lt;Söhne&gt;');
    // The home page counts it among the questions to answer (a count of the open ones: at least ours).
    const waiting = /Questions to answer<\/span><span class="amount">(\d+)<\/span>/.exec((await collector.get('/console')).text)?.[1];
    expect(Number(waiting)).toBeGreaterThanOrEqual(1);
    const id = link.split('/').at(-1) as string;
    const stored = async () => (await api('GET', `/support-requests/${c.id}/${id}`)).body as StoredQuestion;

    // The thread: the customer and their language, the invoice, the forms at version 0.
    const thread = await collector.get(link);
    expect(thread.status).toBe(200);
    expect(thread.text).toContain('Bitte an die neue Adresse schicken.');
    expect(thread.text).toContain('German (Germany), de-DE');
    expect(thread.text).toContain(`${inv.number} · €120.00 · still owed €120.00 · due 2026-12-01`);
    expect(thread.text).toContain('<input type="hidden" name="version" value="0">');

    // A viewer may read but not answer; bad fields name the field; nothing changes.
    expect((await viewer.get(link)).text).not.toContain(`action="${link}/replies"`);
    expect((await viewer.post(`${link}/replies`, { body: 'Nein', version: '0' })).status).toBe(403);
    const empty = await collector.post(`${link}/replies`, { body: '  ', version: '0' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('body:');
    const noVersion = await collector.post(`${link}/replies`, { body: 'Ohne Version' });
    expect(noVersion.status).toBe(400);
    expect(noVersion.text).toContain('version:');
    expect(await stored()).toMatchObject({ status: 'open', version: 0 });
    expect((await stored()).replies).toBeUndefined();

    // Answered: the service's reply, by the member (name and id), mailed in German; back to the thread with a notice.
    const answer = 'Wir haben die Adresse geändert.';
    const replied = await collector.post(`${link}/replies`, { body: answer, version: '0' });
    expect(replied.status, replied.text.slice(0, 300)).toBe(303);
    expect(replied.headers.get('location')).toBe(`${link}?notice=replied`);
    // A double click (the same form again) is the same reply: no second reply, no second mail.
    expect((await collector.post(`${link}/replies`, { body: answer, version: '0' })).status).toBe(303);
    const answered = await stored();
    expect(answered).toMatchObject({ status: 'answered', version: 1 });
    expect(answered.replies).toEqual([expect.objectContaining({ body: answer, by: collector.name, staffId: collector.staffId })]);
    const answerSubject = `Unsere Antwort auf Ihre Frage: ${subject}`;
    const mails = await eventually(async () => {
      const found = (await sentMail(c.email)).filter((m) => m.subject === answerSubject);
      return found.length > 0 && found;
    }, 8000, 'the answer mail');
    expect(mails[0]?.body.text).toContain(answer);
    const shown = await collector.get(`${link}?notice=replied`);
    expect(shown.text).toContain('role="status"');
    expect(shown.text).toContain(`by ${collector.name}`);
    expect(shown.text).toContain('<input type="hidden" name="version" value="1">');
    // Answered: out of the open queue, among the answered ones.
    expect(await listed(collector, '/console/questions', subject, /Next page/)).toBe(false);
    expect((await pageWith(collector, '/console/questions?status=answered', subject, /Next page/)).text).toContain('Answered');

    // A stale form (the page before the answer: version 0) is refused — 409 naming the version, nothing sent.
    const stale = await collector.post(`${link}/replies`, { body: 'Noch eine Antwort', version: '0' });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('version:');
    const staleClose = await collector.post(`${link}/close`, { version: '0' });
    expect(staleClose.status).toBe(409);
    expect(await stored()).toMatchObject({ status: 'answered', version: 1 });
    expect((await stored()).replies).toHaveLength(1);

    // Closed by the member; closing again answers the same; the viewer cannot.
    expect((await viewer.post(`${link}/close`, { version: '1' })).status).toBe(403);
    const closed = await collector.post(`${link}/close`, { version: '1' });
    expect(closed.status).toBe(303);
    expect(closed.headers.get('location')).toBe(`${link}?notice=closed`);
    expect(await stored()).toMatchObject({ status: 'closed', version: 2, closedBy: collector.name, closedByStaffId: collector.staffId });
    expect((await collector.post(`${link}/close`, { version: '1' })).status).toBe(303);
    const after = await collector.get(link);
    expect(after.text).not.toContain(`action="${link}/replies"`);
    expect(after.text).toContain('the customer can ask a new one');
    // One answer mail in all (the double click and the close sent none).
    expect((await sentMail(c.email)).filter((m) => m.subject === answerSubject)).toHaveLength(1);

    // Unknown question → the console's 404; a bad filter → 400 naming it.
    expect((await collector.get(`/console/questions/${c.id}/sr_nothing`)).status).toBe(404);
    const badFilter = await collector.get('/console/questions?status=pending');
    expect(badFilter.status).toBe(400);
    expect(badFilter.text).toContain('status:');
  });
});

describe('console: payment plans', () => {
  it('a plan the customer asked for outside the policy waits in the console and is approved there by the member; a viewer cannot', async () => {
    const [collector, viewer] = await Promise.all([consoleSignIn({ role: 'collector', name: unique('Ola') }), consoleSignIn({ role: 'viewer' })]);
    const c = await newCustomer({ name: unique('Plan Kunde'), timeZone: 'Europe/Berlin', locale: 'en-GB' });
    const inv = await newInvoice(c.id, { amount: 120_000 });
    const { client, csrf } = await signIn(c.email);
    // 12 instalments: more than the policy's 6 → waits for staff.
    expect((await client.post('/portal/plan-request', { csrf, invoiceId: inv.id, instalments: '12', frequency: 'monthly' })).status).toBe(200);
    const planId = await eventually(async () => {
      const mails = (await api('GET', `/customers/${c.id}/communications`)).body.mails as { key: string }[];
      return mails.map((m) => /^plan#(plan_[^#]+)#requested$/.exec(m.key)?.[1]).find(Boolean);
    }, 8000, 'the plan request');

    // Listed among the plans waiting for approval, with why it waits.
    const list = await pageWith(collector, '/console/plans', `/console/plans/${planId}"`, /More: waiting for approval/);
    expect(list.text.indexOf('Waiting for approval')).toBeLessThan(list.text.indexOf('Active plans'));
    expect(list.text).toContain('more than 6 instalments');

    const path = `/console/plans/${planId}`;
    const pending = await collector.get(path);
    expect(pending.status).toBe(200);
    expect(pending.text).toContain(c.id);
    expect(pending.text).toContain('12 × monthly');
    expect(pending.text).toContain(inv.number);
    expect(pending.text).toContain(`action="${path}/approve"`);

    // A viewer's approval is refused; nothing changes.
    expect((await viewer.post(`${path}/approve`, {})).status).toBe(403);
    expect((await api('GET', `/payment-plans/${planId}`)).body.status).toBe('pending_approval');

    // Approved by the member: the service's approval (the same as the admin API's), recording who.
    const approved = await collector.post(`${path}/approve`, {});
    expect(approved.status, approved.text.slice(0, 300)).toBe(303);
    expect(approved.headers.get('location')).toBe(`${path}?notice=approved`);
    const plan = (await api('GET', `/payment-plans/${planId}`)).body as { status: string; approval: { by: string; staffId?: string }; instalments: { amount: number }[] };
    expect(plan.status).toBe('active');
    expect(plan.approval).toMatchObject({ by: 'staff', staffId: collector.staffId });
    expect(plan.instalments.reduce((s, i) => s + i.amount, 0)).toBe(120_000);
    const shown = await collector.get(`${path}?notice=approved`);
    expect(shown.text).toContain('role="status"');
    expect(shown.text).toContain(`by ${collector.name}`);
    expect(shown.text).not.toContain(`action="${path}/approve"`);
    // Approving again (a double click) answers the plan as it is.
    expect((await collector.post(`${path}/approve`, {})).status).toBe(303);

    // An unknown plan → 404; a bad status filter → 400 naming it.
    expect((await collector.get('/console/plans/plan_nothing')).status).toBe(404);
    expect((await collector.post('/console/plans/plan_nothing/approve', {})).status).toBe(404);
    const bad = await collector.get('/console/plans?status=paused');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('status:');
  });
});

describe('console: promises to pay', () => {
  it('a promise made in the portal is listed among the open ones, a viewer may read them', async () => {
    const viewer = await consoleSignIn({ role: 'viewer' });
    const c = await newCustomer({ name: unique('Promise Kunde'), timeZone: 'Europe/Berlin', locale: 'en-GB' });
    const inv = await newInvoice(c.id, { amount: 7_000 });
    const { client, csrf } = await signIn(c.email);
    const date = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const promised = await client.post(`/portal/invoices/${inv.id}/promise`, { csrf, date, amount: '30.00' });
    expect(promised.status, promised.body.slice(0, 300)).toBe(303);
    const page = await pageWith(viewer, '/console/promises', inv.number, /Next page/);
    const row = page.text.split('<tr>').find((r) => r.includes(inv.number)) ?? '';
    expect(row).toContain(c.id);
    expect(row).toContain(date);
    expect(row).toContain('€30.00');
    expect(row).toContain('Open');
    expect((await viewer.get('/console/promises?status=someday')).status).toBe(400);
  });
});

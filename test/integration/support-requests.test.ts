/**
 * Questions from the portal (POST /portal/messages) through the shared local stack: stored for staff
 * (GET /support-requests, newest first, paginated), acknowledged by mail, one request for a double submit, listed on
 * the customer's own page; a missing CSRF token, another customer's invoice or an overlong message change nothing.
 */
import { describe, expect, it } from 'vitest';
import { api, eventually, newCustomer, newInvoice, sentMail, unique } from '../support/stack.ts';
import { PortalClient, signIn } from '../support/portal.ts';

interface Request {
  id: string;
  customerId: string;
  subject: string;
  message: string;
  invoiceId?: string;
  invoiceNumber?: string;
  status: string;
  createdAt: string;
}

async function requestsOf(customerId: string): Promise<Request[]> {
  const out: Request[] = [];
  let cursor: string | null = null;
  do {
    const res = await api('GET', `/support-requests?status=open&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status, res.text).toBe(200);
    out.push(...(res.body.items as Request[]).filter((r) => r.customerId === customerId));
    cursor = res.body.nextCursor;
  } while (cursor);
  return out;
}

describe('questions from the portal', () => {
  it('stores the question for staff, acknowledges it by mail, and treats a double submit as one request', async () => {
    const c = await newCustomer({ locale: 'en-GB' });
    const inv = await newInvoice(c.id, { amount: 12_000 });
    const { client, csrf } = await signIn(c.email);
    const subject = unique('Address change');
    const form = { csrf, subject, message: 'Please send future invoices to\nAccounts Payable, 1 Main St.', invoiceId: inv.id };
    const sent = await client.post('/portal/messages', form);
    expect(sent.status, sent.body.slice(0, 300)).toBe(303);
    expect(sent.headers.location).toBe('/portal/messages?notice=sent');
    expect((await client.post('/portal/messages', form)).status).toBe(303);

    const mine = await requestsOf(c.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ subject, invoiceId: inv.id, invoiceNumber: inv.number, status: 'open', message: form.message });
    const ack = await eventually(async () => (await sentMail(c.email)).filter((m) => m.subject === `We received your question: ${subject}`), 8000, 'the acknowledgement');
    expect(ack.length).toBe(1);

    const page = await client.get('/portal/messages?notice=sent');
    expect(page.status).toBe(200);
    expect(page.body).toContain('role="status"');
    expect(page.body).toContain(subject);
    expect(page.body).toContain(`about invoice ${inv.number}`);
    expect(page.body).toContain('<textarea id="q-message" name="message" required maxlength="2000"');

    // A second question is another request; staff see the newest first.
    const second = unique('Receipt');
    expect((await client.post('/portal/messages', { csrf, subject: second, message: 'Could you send a receipt?' })).status).toBe(303);
    const both = await requestsOf(c.id);
    expect(both.map((r) => r.subject)).toEqual([second, subject]);
    const first = await api('GET', '/support-requests?limit=1');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(typeof first.body.nextCursor).toBe('string');
    expect((await api('GET', `/support-requests?status=open&cursor=${encodeURIComponent(first.body.nextCursor)}`)).status).toBe(400);
    expect((await api('GET', '/support-requests?status=closed')).status).toBe(400);
  });

  it('refuses a missing CSRF token, another customer’s invoice and an overlong message, storing nothing', async () => {
    const c = await newCustomer();
    const other = await newCustomer();
    const theirs = await newInvoice(other.id, { amount: 5_000 });
    const { client, csrf } = await signIn(c.email);
    expect((await client.post('/portal/messages', { subject: 'Hello', message: 'No token' })).status).toBe(403);
    expect((await client.post('/portal/messages', { csrf, subject: 'Hello', message: 'Not my invoice', invoiceId: theirs.id })).status).toBe(404);
    const long = await client.post('/portal/messages', { csrf, subject: 'Hello', message: 'x'.repeat(2001) });
    expect(long.status).toBe(400);
    expect(long.body).toContain('message:');
    const empty = await client.post('/portal/messages', { csrf, subject: '', message: 'Hi' });
    expect(empty.status).toBe(400);
    expect(empty.body).toContain('subject:');
    expect(await requestsOf(c.id)).toEqual([]);
    const page = await client.get('/portal/messages');
    expect(page.body).toContain('You have not asked us anything yet.');
    // Signed out: the page sends to the sign-in form, the form answers 401.
    const anonymous = new PortalClient();
    expect((await anonymous.get('/portal/messages')).status).toBe(303);
    expect((await anonymous.post('/portal/messages', { csrf, subject: 'x', message: 'y' })).status).toBe(401);
  });
});

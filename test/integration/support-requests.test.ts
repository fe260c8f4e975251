/**
 * Questions from the portal (POST /portal/messages) through the shared local stack: stored for staff
 * (GET /support-requests, newest first, paginated), acknowledged by mail, one request for a double submit, listed on
 * the customer's own page; a missing CSRF token, another customer's invoice or an overlong message change nothing.
 * Staff answer them (POST /support-requests/{customerId}/{id}/replies): the customer's mail in their language and tone
 * with the answer and the account link, the answer and status on their page, one mail for a replay or a double
 * click, closing without a mail; bad input and unknown requests change nothing.
 */
import { describe, expect, it } from 'vitest';
import { api, eventually, newCustomer, newInvoice, sentMail, unique } from '../support/stack.ts';
import { decodeEntities, PortalClient, signIn } from '../support/portal.ts';
import { closeSupportRequest, commitSupportReply, getSupportRequest, type SupportRequest } from '../../shared/store/support-requests.ts';

interface Request {
  id: string;
  customerId: string;
  subject: string;
  message: string;
  invoiceId?: string;
  invoiceNumber?: string;
  status: string;
  createdAt: string;
  replies?: { id: string; body: string; by: string; at: string }[];
  version?: number;
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
    expect((await api('GET', '/support-requests?status=pending')).status).toBe(400);
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

  it('staff answer: the customer gets the answer by mail in their language and tone, sees it in the portal; a replay or a double click sends one mail; closing sends none', async () => {
    const c = await newCustomer({ locale: 'de-DE', timeZone: 'Europe/Berlin', dunning: { tone: 'formal' } });
    const { client, csrf } = await signIn(c.email);
    const subject = unique('Rechnungsadresse');
    expect((await client.post('/portal/messages', { csrf, subject, message: 'Bitte an die neue Adresse schicken.' })).status).toBe(303);
    const [asked] = await requestsOf(c.id);
    if (!asked) throw new Error('the question was not stored');
    const path = `/support-requests/${c.id}/${asked.id}`;
    const one = await api('GET', path);
    expect(one.status, one.text).toBe(200);
    expect(one.body).toMatchObject({ id: asked.id, customerId: c.id, subject, status: 'open' });
    expect(one.body.replies).toBeUndefined();

    const answer = 'Wir haben die Adresse geändert.\n<b>Sonst</b> ist nichts zu tun.';
    const key = { 'idempotency-key': unique('reply') };
    const replied = await api('POST', `${path}/replies`, { body: answer, by: 'M. Muster' }, key);
    expect(replied.status, replied.text).toBe(201);
    expect(replied.body.reply).toMatchObject({ body: answer, by: 'M. Muster' });
    expect(replied.body.request).toMatchObject({ status: 'answered', replies: [replied.body.reply] });
    // A replay (the same key and body) answers the same reply; the same key with another body is refused.
    const replay = await api('POST', `${path}/replies`, { body: answer, by: 'M. Muster' }, key);
    expect(replay.status).toBe(200);
    expect(replay.body.reply).toEqual(replied.body.reply);
    const reused = await api('POST', `${path}/replies`, { body: 'Etwas anderes', by: 'M. Muster' }, key);
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    // A double click without a key: both requests at once, one reply.
    const second = 'Die nächste Rechnung geht schon an die neue Adresse.';
    const clicks = await Promise.all([api('POST', `${path}/replies`, { body: second }), api('POST', `${path}/replies`, { body: second })]);
    expect(clicks.map((r) => r.status).sort()).toEqual([200, 201]);
    expect(clicks[0]?.body.reply.id).toBe(clicks[1]?.body.reply.id);
    const after = (await api('GET', path)).body as Request;
    expect(after.status).toBe('answered');
    expect(after.replies?.map((r) => [r.body, r.by])).toEqual([[answer, 'M. Muster'], [second, 'staff']]);

    // Two replies, two mails (sent before the API answered), in German and the formal tone, with the account link.
    const answerSubject = `Unsere Antwort auf Ihre Frage: ${subject}`;
    const mails = await eventually(async () => {
      const found = (await sentMail(c.email)).filter((m) => m.subject === answerSubject);
      return found.length >= 2 && found;
    }, 8000, 'the answer mails');
    expect(mails).toHaveLength(2);
    const first = mails.find((m) => m.body.text.includes('Wir haben die Adresse geändert.'));
    if (!first) throw new Error('no mail with the first answer');
    expect(first.body.text).toContain(`bezugnehmend auf Ihre Anfrage vom`);
    expect(first.body.text).toContain('<b>Sonst</b> ist nichts zu tun.');
    expect(first.body.html).toContain('&lt;b&gt;Sonst&lt;/b&gt;');
    const portalLink = /Ihr Kundenkonto ansehen: (\S+)/.exec(first.body.text)?.[1] ?? '';
    expect(new URL(portalLink).pathname).toBe('/portal/session');
    expect(new URL(portalLink).searchParams.get('c')).toBe(c.id);
    expect(decodeEntities(first.body.html)).toContain(`href="${portalLink}"`);

    // The customer's page: the answers under the question (escaped), and the status.
    const page = await client.get('/portal/messages');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Wir haben die Adresse geändert.<br>&lt;b&gt;Sonst&lt;/b&gt; ist nichts zu tun.');
    expect(page.body).toContain('<span class="badge badge-answered">Beantwortet</span>');
    expect(page.body).not.toContain('M. Muster');
    // Staff's list: the request as answered, without the replies' text (how many, and when the last was written).
    const listed = await eventually(async () => {
      const items = (await api('GET', '/support-requests?status=answered&limit=100')).body.items as (Request & { replyCount: number; lastReplyAt?: string })[];
      return items.find((r) => r.id === asked.id);
    }, 5000, 'the answered request in the list');
    expect(listed).toMatchObject({ replyCount: 2, lastReplyAt: after.replies?.[1]?.at });
    expect(listed.replies).toBeUndefined();

    // Closing: no mail; again: the same answer; then no more replies, though a replay still answers its reply.
    const closed = await api('POST', `${path}/close`, { by: 'M. Muster' });
    expect(closed.status, closed.text).toBe(200);
    expect(closed.body).toMatchObject({ status: 'closed', closedBy: 'M. Muster' });
    const again = await api('POST', `${path}/close`);
    expect(again.status).toBe(200);
    expect(again.body.closedAt).toBe(closed.body.closedAt);
    const late = await api('POST', `${path}/replies`, { body: 'Noch etwas' });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('request_closed');
    expect((await api('POST', `${path}/replies`, { body: answer, by: 'M. Muster' }, key)).status).toBe(200);
    expect((await client.get('/portal/messages')).body).toContain('<span class="badge">Abgeschlossen</span>');
    expect((await sentMail(c.email)).filter((m) => m.subject === answerSubject)).toHaveLength(2);
  });

  it('a reply that closes says so in the customer language; bad input and unknown requests answer 4xx and change nothing', async () => {
    const c = await newCustomer({ locale: 'en-GB' });
    const other = await newCustomer();
    const { client, csrf } = await signIn(c.email);
    const subject = unique('Receipt');
    expect((await client.post('/portal/messages', { csrf, subject, message: 'Could you send a receipt?' })).status).toBe(303);
    const [asked] = await requestsOf(c.id);
    if (!asked) throw new Error('the question was not stored');
    const path = `/support-requests/${c.id}/${asked.id}`;

    const bad: [unknown, string][] = [
      [{ body: '   ' }, 'body'],
      [{ body: 'x'.repeat(4001) }, 'body'],
      [{ body: 'ok', close: 'yes' }, 'close'],
      [{ body: 'ok', by: '' }, 'by'],
      [{ body: 'ok', cc: 'someone' }, ''],
      [{}, 'body'],
    ];
    for (const [body, field] of bad) {
      const res = await api('POST', `${path}/replies`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      if (field) expect(res.body.error.field, JSON.stringify(body)).toBe(field);
    }
    expect((await api('POST', `${path}/replies`, '{not json')).status).toBe(400);
    expect((await api('POST', `${path}/close`, { by: 42 })).body.error.field).toBe('by');
    // Unknown, or another customer's: 404, like an unknown id.
    for (const wrong of [`/support-requests/${c.id}/sr_unknown`, `/support-requests/${other.id}/${asked.id}`]) {
      expect((await api('GET', wrong)).status).toBe(404);
      expect((await api('POST', `${wrong}/replies`, { body: 'Hello' })).status).toBe(404);
      expect((await api('POST', `${wrong}/close`)).status).toBe(404);
    }
    const unchanged = await api('GET', path);
    expect(unchanged.body).toMatchObject({ status: 'open', version: 0 });
    expect(unchanged.body.replies).toBeUndefined();

    const stale = (await getSupportRequest(c.id, asked.id)) as SupportRequest;
    const res = await api('POST', `${path}/replies`, { body: 'Your receipt is attached to your account.', close: true });
    expect(res.status, res.text).toBe(201);
    expect(res.body.request).toMatchObject({ status: 'closed', closedBy: 'staff', version: 1 });
    // A writer that read the request before that reply (a concurrent click, another staff member) is refused by the
    // version condition, reply and close alike: it reads again and decides again.
    const lateReply = { id: 'srr_stale', body: 'Stale', by: 'staff', at: new Date().toISOString() };
    expect(await commitSupportReply(stale, lateReply, 'hash', 'answered', undefined)).toBe('conflict');
    expect(await closeSupportRequest(stale, 'staff', lateReply.at)).toBe('conflict');
    expect((await api('GET', path)).body).toMatchObject({ status: 'closed', version: 1, replies: [res.body.reply] });
    const [mail] = await eventually(async () => {
      const found = (await sentMail(c.email)).filter((m) => m.subject === `Our answer to your question: ${subject}`);
      return found.length > 0 && found;
    }, 8000, 'the answer mail');
    expect(mail?.body.text).toContain('thank you for your question of');
    expect(mail?.body.text).toContain('Your receipt is attached to your account.');
    expect(mail?.body.text).toContain('We consider your question answered and have closed it.');
    expect(mail?.body.text).toMatch(/View your account: http\S+\/portal\/session\?c=/);
    const page = await client.get('/portal/messages');
    expect(page.body).toContain('<span class="badge">Closed</span>');
    expect(page.body).toContain('Your receipt is attached to your account.');
  });
});

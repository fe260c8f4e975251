/**
 * Staff's answers to customers' questions, the pure parts: how a reply or closing moves a request's status, the answer
 * mail's tone, the mail itself (en + de, the answer escaped, the account link) and the portal's questions page with
 * the replies under each question.
 */
import { describe, expect, it } from 'vitest';
import { html } from '../../shared/domain/html.ts';
import { renderNotice } from '../../shared/domain/notice-mail.ts';
import { renderQuestionsBody, type QuestionView } from '../../shared/domain/questions-page.ts';
import { answerTone, closes, MAX_REPLIES, statusAfterReply, type SupportReply } from '../../shared/domain/support-requests.ts';

const reply = (n: number): SupportReply => ({ id: `srr_${n}`, body: `answer ${n}`, by: 'staff', at: '2027-03-02T10:00:00.000Z' });

describe('support request rules', () => {
  it('a reply answers an open or answered request, closes it with close, and a closed one takes none', () => {
    expect(statusAfterReply({ id: 'sr_1', status: 'open' }, false)).toBe('answered');
    expect(statusAfterReply({ id: 'sr_1', status: 'open' }, true)).toBe('closed');
    expect(statusAfterReply({ id: 'sr_1', status: 'answered', replies: [reply(1)] }, false)).toBe('answered');
    expect(statusAfterReply({ id: 'sr_1', status: 'answered', replies: [reply(1)] }, true)).toBe('closed');
    expect(statusAfterReply({ id: 'sr_1', status: 'closed', replies: [reply(1)] }, false)).toMatchObject({ code: 'request_closed' });
    expect(statusAfterReply({ id: 'sr_1', status: 'closed' }, true)).toMatchObject({ code: 'request_closed' });
  });

  it('holds at most MAX_REPLIES replies (one item stays under 400 KB)', () => {
    const replies = Array.from({ length: MAX_REPLIES - 1 }, (_, i) => reply(i));
    expect(statusAfterReply({ id: 'sr_1', status: 'answered', replies }, false)).toBe('answered');
    expect(statusAfterReply({ id: 'sr_1', status: 'answered', replies: [...replies, reply(99)] }, false)).toMatchObject({ code: 'too_many_replies' });
    // The worst case the limits allow: every reply and the question of 3-byte characters.
    const worst = JSON.stringify({ message: '€'.repeat(2000), replies: Array.from({ length: MAX_REPLIES }, (_, i) => ({ ...reply(i), body: '€'.repeat(4000), requestHash: 'f'.repeat(64) })) });
    expect(Buffer.byteLength(worst, 'utf8')).toBeLessThan(350 * 1024);
  });

  it('closing changes an open or answered request, and a closed one not', () => {
    expect(closes({ status: 'open' })).toBe(true);
    expect(closes({ status: 'answered' })).toBe(true);
    expect(closes({ status: 'closed' })).toBe(false);
  });

  it('answers in the customer tone, never firm (neutral), friendly when none is set', () => {
    expect(answerTone(undefined)).toBe('friendly');
    expect(answerTone('friendly')).toBe('friendly');
    expect(answerTone('neutral')).toBe('neutral');
    expect(answerTone('formal')).toBe('formal');
    expect(answerTone('firm')).toBe('neutral');
  });
});

describe('the answer mail', () => {
  const notice = { kind: 'question_answered' as const, subject: 'Billing <address>', askedAt: '2027-03-01T09:00:00.000Z', answer: 'We have changed it.\n<b>Nothing else</b> to do.', tone: 'friendly' as const, closed: false };
  const frame = { portalLink: 'https://ar.example/portal/link?c=cus_1&t=abc' };

  it('carries the answer (escaped, line breaks kept) and the account link, in English', () => {
    const mail = renderNotice({ customerName: 'Ada', locale: 'en-GB', timeZone: 'Europe/London', notice, ...frame });
    expect(mail.subject).toBe('Our answer to your question: Billing <address>');
    expect(mail.text).toContain('thank you for your question of 1 March 2027 ("Billing <address>"). Here is our answer:');
    expect(mail.text).toContain('We have changed it.\n<b>Nothing else</b> to do.');
    expect(mail.text).toContain('You can read our answer in your account at any time');
    expect(mail.text).toContain(`View your account: ${frame.portalLink}`);
    expect(mail.html).toContain('We have changed it.<br>&lt;b&gt;Nothing else&lt;/b&gt; to do.');
    expect(mail.html).not.toContain('<b>Nothing else');
    expect(mail.html).toContain(`href="${frame.portalLink.replace(/&/g, '&amp;')}"`);
  });

  it('opens in the tone and says when the question is closed, in German', () => {
    const formal = renderNotice({ customerName: 'Ada', locale: 'de-DE', timeZone: 'Europe/Berlin', notice: { ...notice, tone: 'formal', closed: true }, ...frame });
    expect(formal.subject).toBe('Unsere Antwort auf Ihre Frage: Billing <address>');
    expect(formal.text).toContain('bezugnehmend auf Ihre Anfrage vom 1. März 2027 („Billing <address>“) teilen wir Ihnen Folgendes mit:');
    expect(formal.text).toContain('haben sie abgeschlossen');
    expect(formal.text).toContain('Ihr Kundenkonto ansehen: https://ar.example/portal/link');
    const neutral = renderNotice({ customerName: 'Ada', locale: 'de-DE', timeZone: 'Europe/Berlin', notice: { ...notice, tone: 'neutral' } });
    expect(neutral.text).toContain('hier ist unsere Antwort auf Ihre Frage vom 1. März 2027');
    expect(neutral.text).toContain('unter „Fragen“');
  });
});

describe('the questions page', () => {
  const base = { timeZone: 'Europe/Berlin', csrf: html`<input type="hidden" name="csrf" value="x">`, invoices: [], maxChars: 2000 };
  const questions: QuestionView[] = [
    { subject: 'Receipt', message: 'Could you send a receipt?', createdAt: '2027-03-03T09:00:00.000Z', status: 'open' },
    {
      subject: 'Address',
      message: 'New address',
      createdAt: '2027-03-01T09:00:00.000Z',
      status: 'closed',
      replies: [
        { body: 'Noted <script>alert(1)</script>\nThanks', at: '2027-03-02T10:00:00.000Z' },
        { body: 'Done.', at: '2027-03-04T10:00:00.000Z' },
      ],
    },
    { subject: 'Due date', message: 'When?', createdAt: '2027-02-01T09:00:00.000Z', status: 'answered', replies: [{ body: 'On the 5th.', at: '2027-02-02T10:00:00.000Z' }] },
  ];

  it('shows each question with its status and the replies under it, escaped (English)', () => {
    const page = renderQuestionsBody({ ...base, locale: 'en-GB', questions }).toString();
    expect(page).toContain('<span class="badge badge-open">Open</span>');
    expect(page).toContain('<span class="badge">Closed</span>');
    expect(page).toContain('<span class="badge badge-answered">Answered</span>');
    expect(page).toContain('<div class="reply"><p class="muted">Our answer of 2 March 2027</p><p>Noted &lt;script&gt;alert(1)&lt;/script&gt;<br>Thanks</p></div>');
    expect(page).not.toContain('<script>');
    // Oldest reply first, under its own question.
    expect(page.indexOf('Noted')).toBeLessThan(page.indexOf('Done.'));
    expect(page.indexOf('Done.')).toBeLessThan(page.indexOf('Due date'));
    expect(page).not.toContain('staff');
  });

  it('speaks German', () => {
    const page = renderQuestionsBody({ ...base, locale: 'de-DE', questions }).toString();
    expect(page).toContain('>Beantwortet</span>');
    expect(page).toContain('>Abgeschlossen</span>');
    expect(page).toContain('>Offen</span>');
    expect(page).toContain('Unsere Antwort vom 2. März 2027');
  });
});

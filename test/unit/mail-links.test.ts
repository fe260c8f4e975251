import { describe, expect, it } from 'vitest';
import type { StepKind, Tone } from '../../shared/domain/dunning.ts';
import { escapeHtml } from '../../shared/domain/html.ts';
import { renderFreshLinkMail } from '../../shared/domain/link-pages.ts';
import type { LinkPurpose } from '../../shared/domain/links.ts';
import { renderPaymentFailed, renderReceipt, type RenderedMail } from '../../shared/domain/messages.ts';
import { renderNotice, type Notice } from '../../shared/domain/notice-mail.ts';
import { renderPlanMail, type PlanMail } from '../../shared/domain/plan-mail.ts';
import { renderReminder } from '../../shared/domain/reminder-mail.ts';
import { buildStatement } from '../../shared/domain/statement.ts';
import { renderStatementMail } from '../../shared/domain/statement-mail.ts';


/** Links with characters HTML must escape in an attribute (`&`), as signed links have. */
const link = (name: string) => `https://pay.example.com/${name}?c=a&t=v1.123.0.abc_-`;
const prefs = link('preferences');
const ratings = [1, 2, 3, 4, 5].map((r) => link(`feedback-${r}`));
const customer = { customerName: 'Ada <Lovelace> & Co', timeZone: 'Europe/Berlin' };

/** Every mail kind we send, with the links it must carry. */
function everyMail(locale: string): { kind: string; mail: RenderedMail; links: string[] }[] {
  const mails: { kind: string; mail: RenderedMail; links: string[] }[] = [];
  mails.push({
    kind: 'receipt',
    mail: renderReceipt({ ...customer, locale, currency: 'EUR', amount: 12_500, receivedAt: '2027-03-01T10:00:00Z', invoices: [{ number: 'INV-1', applied: 12_500, balanceDue: 0 }], credit: 0, feedbackLinks: ratings, preferencesLink: prefs }),
    links: [...ratings, prefs],
  });
  mails.push({
    kind: 'payment_failed',
    mail: renderPaymentFailed({ ...customer, locale, currency: 'EUR', amount: 5_000, invoices: [{ number: 'INV-1', paymentReference: 'RF18539007547034', balanceDue: 5_000, payLink: link('pay-1') }, { number: 'INV-2', paymentReference: 'RF18539007547034', balanceDue: 1, payLink: link('pay-2') }] }),
    links: [link('pay-1'), link('pay-2')],
  });
  const steps: StepKind[] = ['heads_up', 'due_day', 'reminder', 'final_notice', 'legal_handover'];
  const tones: Tone[] = ['friendly', 'neutral', 'firm', 'formal'];
  for (const kind of steps) {
    const item = { invoiceNumber: 'INV-1', currency: 'EUR', balanceDue: 12_500, dueDate: '2027-03-01', paymentReference: 'RF18539007547034', payLink: link('pay-1') };
    const mail = renderReminder({ ...customer, locale, tone: tones[steps.indexOf(kind) % tones.length] as Tone, kind, items: [item, { ...item, invoiceNumber: 'INV-2', payLink: link('pay-2') }], payeeAccount: 'DE89 3704 0044 0532 0130 00', legalDate: '2027-04-01', preferencesLink: prefs, planRequestLink: link('plan-request') });
    mails.push({ kind: `reminder:${kind}`, mail, links: [link('pay-1'), link('pay-2'), ...(kind === 'legal_handover' ? [] : [link('plan-request')]), prefs] });
  }
  const notices: Notice[] = [
    { kind: 'dispute_received', invoiceNumber: 'INV-1', reason: 'wrong quantity' },
    { kind: 'dispute_upheld', invoiceNumber: 'INV-1', creditAmount: 500, currency: 'EUR', balanceDue: 100, explanation: 'Sorry.' },
    { kind: 'dispute_rejected', invoiceNumber: 'INV-1', explanation: 'Signed.', balanceDue: 100, currency: 'EUR', dueDate: '2027-04-30' },
    { kind: 'extension_confirmed', invoiceNumber: 'INV-1', newDueDate: '2027-06-30', balanceDue: 5_000, currency: 'EUR' },
  ];
  for (const notice of notices) mails.push({ kind: `notice:${notice.kind}`, mail: renderNotice({ ...customer, locale, notice, preferencesLink: prefs }), links: [prefs] });
  const instalment = { seq: 1, dueDate: '2027-04-01', amount: 5_000 };
  const plans: PlanMail[] = [
    { kind: 'plan_confirmed', instalments: [instalment] },
    { kind: 'plan_requested' },
    { kind: 'instalment_reminder', instalment, owed: 5_000 },
    { kind: 'plan_completed', feedbackLinks: ratings },
    { kind: 'plan_defaulted', instalment },
  ];
  for (const plan of plans) {
    mails.push({
      kind: `plan:${plan.kind}`,
      mail: renderPlanMail({ ...customer, locale, currency: 'EUR', total: 10_000, invoiceNumbers: ['INV-1'], paymentReference: 'RF18539007547034', payeeAccount: 'DE89', mail: plan, preferencesLink: prefs }),
      links: [...(plan.kind === 'plan_completed' ? ratings : []), prefs],
    });
  }
  for (const purpose of ['pay', 'feedback', 'preferences', 'plan-request'] as LinkPurpose[]) {
    mails.push({ kind: `fresh_link:${purpose}`, mail: renderFreshLinkMail({ ...customer, locale, purpose, link: link(`fresh-${purpose}`), expiresAt: new Date('2027-05-01T10:00:00Z') }), links: [link(`fresh-${purpose}`)] });
  }
  const statement = buildStatement({
    customer: { id: 'cus_1', name: customer.customerName, locale, timeZone: customer.timeZone },
    from: '2027-03-01',
    to: '2027-03-31',
    entries: [
      { id: 'e1', customerId: 'cus_1', account: 'receivable', currency: 'EUR', type: 'invoice_issued', amount: 10_000, invoiceId: 'inv_a', bookedAt: '2027-03-05T00:00:00.000Z' },
      { id: 'e2', customerId: 'cus_1', account: 'receivable', currency: 'EUR', type: 'invoice_issued', amount: 2_000, invoiceId: 'inv_b', bookedAt: '2027-03-06T00:00:00.000Z' },
    ],
    invoices: [
      { id: 'inv_a', number: 'INV-1', currency: 'EUR', dueDate: '2027-03-20' },
      { id: 'inv_b', number: 'INV-2', currency: 'EUR', dueDate: '2027-04-20' },
    ],
  });
  mails.push({ kind: 'statement', mail: renderStatementMail(statement, { payLinks: new Map([['inv_a', link('pay-a')], ['inv_b', link('pay-b')]]) }), links: [link('pay-a'), link('pay-b')] });
  return mails;
}

describe('every mail has real links and a plain-text part', () => {
  for (const locale of ['en-GB', 'de-DE']) {
    it(`${locale}: each link is an anchor in the HTML and the URL in the text; no URL is left as bare HTML text`, () => {
      const mails = everyMail(locale);
      expect(mails.length).toBe(21);
      for (const { kind, mail, links } of mails) {
        expect(mail.subject, kind).not.toBe('');
        expect(mail.text.trim().length, kind).toBeGreaterThan(50);
        expect(mail.text, kind).not.toMatch(/<\/?(a|p|br|html|body)\b/i);
        expect(mail.text, kind).toContain('Ada <Lovelace> & Co'); // plain text is not HTML-escaped
        const anchors = [...mail.html.matchAll(/<a href="([^"]*)"[^>]*>[^<]+<\/a>/g)].map((m) => m[1]);
        for (const url of links) {
          expect(mail.text, `${kind}: text has ${url}`).toContain(url);
          expect(anchors, `${kind}: anchor for ${url}`).toContain(escapeHtml(url));
        }
        expect(anchors.length, kind).toBe(links.length);
        // Outside the anchors, no link remains as text.
        expect(mail.html.replace(/<a href="[^"]*"[^>]*>[^<]+<\/a>/g, ''), kind).not.toContain('https://');
        // Customer data stays escaped in both the text around the links and the anchors.
        expect(mail.html, kind).not.toContain('<Lovelace>');
      }
    });
  }

  it('pay links are buttons labelled in the customer language; other links show a human label, never their URL', () => {
    const [failed] = everyMail('de-DE').filter((m) => m.kind === 'payment_failed');
    expect(failed!.mail.html).toMatch(/<a href="[^"]*pay-1[^"]*" style="display:inline-block[^"]*">Jetzt bezahlen<\/a>/);
    expect(failed!.mail.text).toContain(`Jetzt bezahlen: ${link('pay-1')}`);
    const [notice] = everyMail('en-GB').filter((m) => m.kind === 'notice:dispute_received');
    expect(notice!.mail.html).toMatch(new RegExp(`<a href="${escapeHtml(prefs).replace(/[.?&]/g, '\\$&')}" style="[^"]*">Change your preferences</a>`));
    expect(notice!.mail.text).toContain(`Change your preferences: ${prefs}`);
  });

  it('a link that is not a web address is never made clickable', () => {
    const mail = renderNotice({ ...customer, locale: 'en-GB', notice: { kind: 'dispute_received', invoiceNumber: 'INV-1', reason: 'x' }, preferencesLink: 'javascript:alert(1)' });
    expect(mail.html).not.toContain('<a ');
    expect(mail.text).toContain('javascript:alert(1)');
  });

});

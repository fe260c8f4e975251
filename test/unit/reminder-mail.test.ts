import { describe, expect, it } from 'vitest';
import { renderReminder, type ReminderInput } from '../../shared/domain/reminder-mail.ts';

const base: ReminderInput = {
  customerName: 'Ada',
  locale: 'en-GB',
  timeZone: 'Europe/London',
  tone: 'friendly',
  kind: 'heads_up',
  payeeAccount: 'DE89 3704 0044 0532 0130 00',
  items: [
    {
      invoiceNumber: 'INV-000001',
      currency: 'EUR',
      balanceDue: 12500,
      dueDate: '2026-12-01',
      paymentReference: 'RF18539007547034',
      payLink: 'https://pay.example.com/pay/inv_1?t=abc',
      discount: { until: '2026-11-11', discountedAmount: 12250 },
      interestFrom: '2027-01-31',
    },
  ],
};

describe('reminder mail', () => {
  it('states amount, due date, reference, how to pay and the terms', () => {
    const mail = renderReminder(base);
    expect(mail.subject).toBe('Your invoice is due soon');
    expect(mail.text).toContain('€125.00');
    expect(mail.text).toContain('1 December 2026');
    expect(mail.text).toContain('RF18 5390 0754 7034');
    expect(mail.text).toContain('https://pay.example.com/pay/inv_1?t=abc');
    expect(mail.text).toContain('DE89 3704 0044 0532 0130 00');
    expect(mail.text).toMatch(/Pay €122\.50 by 11 November 2026/);
    expect(mail.text).toMatch(/Late interest applies from 31 January 2027/);
  });

  it('covers several invoices in one mail and speaks German, formally, for a final notice', () => {
    const mail = renderReminder({
      ...base,
      locale: 'de-DE',
      timeZone: 'Europe/Berlin',
      tone: 'formal',
      kind: 'final_notice',
      legalDate: '2027-01-15',
      items: [base.items[0]!, { ...base.items[0]!, invoiceNumber: 'INV-000002', discount: undefined, interestFrom: undefined }],
    });
    expect(mail.subject).toBe('Letzte Mahnung vor rechtlichen Schritten');
    expect(mail.text).toContain('INV-000001');
    expect(mail.text).toContain('INV-000002');
    expect(mail.text.replace(/\u00a0/g, ' ')).toContain('125,00 €');
    expect(mail.text).toContain('15. Januar 2027');
    expect(mail.text).toMatch(/trotz unserer bisherigen Erinnerungen/);
  });

  it('escapes customer data in HTML', () => {
    expect(renderReminder({ ...base, customerName: '<b>x</b>' }).html).toContain('&lt;b&gt;x&lt;/b&gt;');
  });
});

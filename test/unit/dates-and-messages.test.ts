import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, isCalendarDate, isTimeZone, localDate } from '../../shared/domain/dates.ts';
import { renderReceipt } from '../../shared/domain/messages.ts';

describe('dates', () => {
  it('validates calendar dates, including leap years', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('2026-1-01')).toBe(false);
  });
  it('knows the local date of an instant across time zones and DST', () => {
    expect(localDate(new Date('2026-03-29T00:30:00Z'), 'Europe/Berlin')).toBe('2026-03-29');
    expect(localDate(new Date('2026-03-28T23:30:00Z'), 'Europe/Berlin')).toBe('2026-03-29');
    expect(localDate(new Date('2026-03-29T03:00:00Z'), 'America/Los_Angeles')).toBe('2026-03-28');
    expect(isTimeZone('Asia/Kolkata')).toBe(true);
    expect(isTimeZone('Nowhere/Land')).toBe(false);
  });
  it('adds days across month ends and counts them', () => {
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(daysBetween('2026-01-31', '2026-03-02')).toBe(30);
  });
});

describe('receipt mail', () => {
  const base = {
    customerName: 'Ada <script>',
    timeZone: 'Europe/Berlin',
    currency: 'EUR',
    amount: 12500,
    receivedAt: '2026-11-23T23:30:00.000Z',
    invoices: [{ number: 'INV-000001', applied: 12500, balanceDue: 0 }],
    credit: 0,
  };
  it('speaks German to a German customer, with their date and money format', () => {
    const mail = renderReceipt({ ...base, locale: 'de-DE' });
    expect(mail.subject.replace(/\u00a0/g, ' ')).toBe('Zahlung erhalten: 125,00 € — vielen Dank');
    expect(mail.text).toContain('24. November 2026'); // 23:30 UTC is the 24th in Berlin
    expect(mail.text).toContain('vollständig bezahlt');
  });
  it('escapes HTML and mentions credit', () => {
    const mail = renderReceipt({ ...base, locale: 'en-GB', credit: 500 });
    expect(mail.html).toContain('Ada &lt;script&gt;');
    expect(mail.html).not.toContain('<script>');
    expect(mail.text).toContain('€5.00 more than was owed');
  });
});

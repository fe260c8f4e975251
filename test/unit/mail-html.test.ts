import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../shared/domain/html.ts';
import { composeMail, customerMail, renderReceipt } from '../../shared/domain/messages.ts';
import { renderReminder } from '../../shared/domain/reminder-mail.ts';
import type { Brand } from '../../shared/domain/ui/brand.ts';
import { contrastRatio } from '../../shared/domain/ui/colour.ts';
import { htmlPolicy } from '../../shared/http/api.ts';

const brand: Brand = { companyName: 'Acme <Tools> & Co', primaryColour: '#ffcc00', supportEmail: 'help@acme.example', supportPhone: '+49 30 123' };
const token = (name: string) => `https://acme.example/${name}?c=cus_1&t=v1.123.0.SECRETTOKEN_${name}`;
const portal = token('portal/session');

/** The HTML's visible text: tags removed, entities decoded (what a reader sees). */
const visibleText = (html: string) =>
  html
    .replace(/<head>[^]*<\/head>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");

function reminder(locale: string) {
  const item = { invoiceNumber: 'INV-1', currency: 'EUR', balanceDue: 12_500, dueDate: '2027-03-01', paymentReference: 'RF18539007547034', payLink: token('pay/inv_1') };
  return renderReminder({
    customerName: 'Ada <Lovelace>',
    locale,
    timeZone: 'Europe/Berlin',
    tone: 'neutral',
    kind: 'reminder',
    items: [item, { ...item, invoiceNumber: 'INV-2', payLink: token('pay/inv_2') }],
    payeeAccount: 'DE89 3704 0044 0532 0130 00',
    preferencesLink: token('preferences'),
    planRequestLink: token('plan-request'),
    brand,
    portalLink: portal,
  });
}

describe('composeMail: responsive HTML mail with a plain-text alternative', () => {
  it.each(['en-GB', 'de-DE'])('%s: no URL is visible text, every anchor has a human label, the text part has every URL as "Label: URL"', (locale) => {
    const mail = reminder(locale);
    const visible = visibleText(mail.html);
    expect(visible).not.toMatch(/https?:\/\//);
    expect(visible).not.toContain('SECRETTOKEN');
    const anchors = [...mail.html.matchAll(/<a href="([^"]*)"[^>]*>([^<]*)<\/a>/g)].map((m) => ({ href: m[1] as string, label: (m[2] as string).trim() }));
    expect(anchors.length).toBeGreaterThanOrEqual(6); // 2 × pay, plan, preferences, portal, mailto, tel
    for (const a of anchors) {
      expect(a.label, a.href).not.toBe('');
      expect(a.label, a.href).not.toMatch(/^https?:|SECRETTOKEN/);
    }
    for (const url of [token('pay/inv_1'), token('pay/inv_2'), token('preferences'), token('plan-request'), portal]) {
      expect(anchors.map((a) => a.href)).toContain(escapeHtml(url));
      expect(mail.text).toMatch(new RegExp(`(^|\\n)\\s*[^\\n:]+: ${url.replace(/[.?]/g, '\\$&')}(\\n|$)`));
    }
  });

  it('inline styles only: no <style> block, no class; table layout for mail clients, at most 600 px wide', () => {
    const { html } = reminder('en-GB');
    expect(html).not.toMatch(/<style|<link|\sclass=|<script/i);
    expect(html).toContain('<table role="presentation"');
    expect(html).toContain('max-width:600px');
    expect(html).toContain('<html lang="en-GB">');
    for (const table of html.matchAll(/<table\b[^>]*>/g)) expect(table[0]).toContain('role="presentation"');
  });

  it('has the brand header, bulletproof buttons in readable colours, the portal button, and the support footer', () => {
    const { html, text } = reminder('en-GB');
    expect(html).toContain('Acme &lt;Tools&gt; &amp; Co');
    expect(html).not.toContain('<Tools>');
    // "Pay now": a table cell in the brand colour; dark text on the light yellow (contrast ≥ 4.5).
    const pay = /<td align="center" bgcolor="(#[0-9a-f]{6})"[^>]*><a href="[^"]*pay\/inv_1[^"]*" style="[^"]*color:(#[0-9a-f]{6})[^"]*">Pay now<\/a>/.exec(html);
    expect(pay).not.toBeNull();
    expect(contrastRatio(pay![1] as string, pay![2] as string)).toBeGreaterThanOrEqual(4.5);
    expect(html).toMatch(/<a href="[^"]*portal\/session[^"]*" style="[^"]*">View your account<\/a>/);
    expect(text).toContain(`View your account: ${portal}`);
    expect(html).toContain('href="mailto:help@acme.example"');
    expect(html).toContain('href="tel:+4930123"');
    expect(text).toContain('Email: help@acme.example');
    // The account button comes before the closing words.
    expect(text.indexOf('View your account:')).toBeLessThan(text.indexOf('Kind regards'));
  });

  it('in German: labels from the catalog', () => {
    const { html, text } = reminder('de-DE');
    expect(html).toContain('>Jetzt bezahlen</a>');
    expect(html).toContain('>Ihr Kundenkonto ansehen</a>');
    expect(html).toContain('>Ratenzahlung anfragen</a>');
    expect(html).toContain('>Einstellungen ändern</a>');
    expect(text).toContain(`Ihr Kundenkonto ansehen: ${portal}`);
  });

  it('the rating links are five small labelled links; without a brand the neutral default frames the mail', () => {
    const mail = renderReceipt({ customerName: 'Ada', locale: 'en-GB', timeZone: 'UTC', currency: 'EUR', amount: 100, receivedAt: '2027-03-01T10:00:00Z', invoices: [{ number: 'INV-1', applied: 100, balanceDue: 0 }], credit: 0, feedbackLinks: [1, 2, 3, 4, 5].map((r) => token(`rate-${r}`)) });
    for (let r = 1; r <= 5; r++) {
      expect(mail.html).toMatch(new RegExp(`<a href="[^"]*rate-${r}[^"]*" style="[^"]*">${r} of 5</a>`));
      expect(mail.text).toContain(`${r} of 5: ${token(`rate-${r}`)}`);
    }
    expect(mail.html).toContain('Accounts receivable');
    expect(mail.html).not.toContain('View your account');
  });

  it('a link that is not a web address shows its label as text, never a clickable anchor', () => {
    const mail = composeMail('en-GB', 'S', [['Go: ', { href: 'javascript:alert(1)', label: 'Open' }]]);
    expect(mail.html).not.toContain('javascript:');
    expect(mail.html).toContain('Open');
    expect(mail.text).toContain('Open: javascript:alert(1)');
  });

  it('customerMail: greeting, body, closing, preferences, in the frame', () => {
    const mail = customerMail({ locale: 'en-GB', customerName: 'Ada', preferencesLink: token('preferences'), brand, portalLink: portal }, 'Subject', ['Body.']);
    expect(mail.text.split('\n\n').slice(0, 3)).toEqual(['Dear Ada,', 'Body.', expect.stringContaining('View your account')]);
  });
});

describe('CSP for a logo URL', () => {
  it('allows exactly the https image URLs of the page, nothing else', () => {
    const policy = htmlPolicy('<style>a{}</style><img src="https://cdn.acme.example/logo.png?v=1&amp;x=2" alt="">');
    expect(policy).toContain("img-src https://cdn.acme.example/logo.png?v=1&x=2;");
    expect(policy).toMatch(/^default-src 'none'; style-src 'sha256-[^']+'; img-src /);
    expect(htmlPolicy('<p>no images</p>')).not.toContain('img-src');
    expect(htmlPolicy('<img src="http://plain.example/x.png">')).not.toContain('img-src');
    expect(htmlPolicy('&lt;img src="https://evil.example/x.png"&gt;')).not.toContain('img-src');
  });
});

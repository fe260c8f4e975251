import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_BRAND } from '../../shared/domain/ui/brand.ts';
import { html, join, lines, raw } from '../../shared/domain/html.ts';
import { de } from '../../shared/domain/i18n/de.ts';
import { en } from '../../shared/domain/i18n/en.ts';
import {
  BUILT_IN_CATALOGS,
  catalogFor,
  catalogs,
  languageOf,
  message,
  registerCatalog,
  unregisterCatalog,
  type Catalog,
} from '../../shared/domain/i18n/catalog.ts';
import { renderFeedbackPage, renderPreferencesPage } from '../../shared/domain/link-pages.ts';
import { preferencesChange, type PreferencesForm } from '../../shared/domain/preferences.ts';
import { renderReminder, type ReminderInput } from '../../shared/domain/reminder-mail.ts';
import { browserLocale } from '../../shared/http/link-pages.ts';
import type { HttpEvent } from '../../shared/http/api.ts';

const nbsp = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

/** A third language as a test would add it: one catalog, a few keys; everything else falls back to English. */
const fr: Catalog = {
  language: 'fr',
  locale: 'fr-FR',
  name: 'Français',
  messages: {
    'mail.greeting': 'Bonjour {name},',
    'reminder.subject.reminder': '{count, plural, one {Rappel : facture impayée} other {Rappel : # factures impayées}}',
    'reminder.item': 'Facture {number} : {amount}, échue le {date}, référence {reference}',
    'feedback.title': 'Votre avis nous intéresse',
    'feedback.send': 'Envoyer',
  },
};

const reminder: ReminderInput = {
  customerName: 'Zoé <Martin>',
  locale: 'fr-FR',
  timeZone: 'Europe/Paris',
  tone: 'neutral',
  kind: 'reminder',
  payeeAccount: 'FR76 3000 6000 0112 3456 7890 189',
  items: [
    { invoiceNumber: 'INV-000001', currency: 'EUR', balanceDue: 123_456, dueDate: '2027-03-01', paymentReference: 'RF18539007547034', payLink: 'https://pay.example.com/pay/inv_1?t=a' },
    { invoiceNumber: 'INV-000002', currency: 'EUR', balanceDue: 500, dueDate: '2027-03-05', paymentReference: 'RF18539007547034', payLink: 'https://pay.example.com/pay/inv_2?t=b' },
  ],
};

const event = (acceptLanguage: string) => ({ headers: { 'accept-language': acceptLanguage } }) as unknown as HttpEvent;

afterEach(() => {
  if (catalogs().some((c) => c.language === 'fr')) unregisterCatalog('fr');
});

describe('message catalogs', () => {
  it('ship English and German; German has every key English has, and every message compiles', () => {
    expect(catalogs().map((c) => c.language)).toEqual(BUILT_IN_CATALOGS.map((c) => c.language));
    expect(catalogs().map((c) => c.language)).toEqual(['en', 'de']);
    expect(Object.keys(de.messages).sort()).toEqual(Object.keys(en.messages).sort());
    // registerCatalog compiles every message: a syntax error fails here, not in a customer's mail.
    expect(() => registerCatalog({ ...fr, messages: { 'feedback.title': 'Votre {avis' } })).toThrow();
    expect(() => registerCatalog({ ...fr, messages: { 'no.such.key': 'x' } as Catalog['messages'] })).toThrow(/unknown message key/);
  });

  it('pick the catalog by the locale language and fall back to English for a language without one', () => {
    expect(languageOf('de-DE')).toBe('de');
    expect(languageOf('de_AT')).toBe('de');
    expect(languageOf('DE')).toBe('de');
    expect(languageOf('fr-FR')).toBe('en');
    expect(message('fr-FR', 'mail.greeting', { name: 'Zoé' })).toBe('Dear Zoé,');
    expect(catalogFor('pt-BR').language).toBe('en');
  });

  it('choose plurals by Intl.PluralRules', () => {
    expect(message('en-GB', 'reminder.subject.heads_up', { count: 1 })).toBe('Your invoice is due soon');
    expect(message('en-GB', 'reminder.subject.heads_up', { count: 3 })).toBe('3 invoices due soon');
    expect(message('de-DE', 'reminder.subject.reminder', { count: 2 })).toBe('Zahlungserinnerung: 2 offene Rechnungen');
  });

  it('a third language is one more catalog: a reminder mail and a page in French, English for the keys it leaves out', () => {
    registerCatalog(fr);
    expect(catalogs().map((c) => c.language)).toEqual(['en', 'de', 'fr']);
    const mail = renderReminder(reminder);
    expect(mail.subject).toBe('Rappel : 2 factures impayées');
    expect(renderReminder({ ...reminder, items: [reminder.items[0]!] }).subject).toBe('Rappel : facture impayée');
    expect(mail.text).toMatch(/^Bonjour Zoé <Martin>,\n\n/);
    // French keys, amounts and dates in the French locale…
    expect(nbsp(mail.text)).toContain('Facture INV-000001 : 1 234,56 €, échue le 1 mars 2027, référence RF18 5390 0754 7034');
    // …and English for what the catalog leaves out.
    expect(mail.text).toContain('this is a reminder about the following open amounts on your account.');
    expect(mail.text).toContain('Kind regards,\nAccounts receivable');
    expect(mail.html).toContain('<html lang="fr-FR">');
    expect(mail.html).toContain('Bonjour Zoé &lt;Martin&gt;,');
    expect(mail.html).toContain('<a href="https://pay.example.com/pay/inv_1?t=a"');

    const page = renderFeedbackPage({ locale: 'fr-FR', brand: DEFAULT_BRAND, action: '/feedback/cus_1?t=x' });
    expect(page).toContain('<html lang="fr-FR">');
    expect(page).toContain('<h1>Votre avis nous intéresse</h1>');
    expect(page).toContain('>Envoyer</button>');
    expect(page).toContain('Your rating (1 = poor, 5 = excellent)'); // fallback

    // The language chooser and the browser's language come from the catalogs present.
    const prefs = renderPreferencesPage({ locale: 'fr-FR', brand: DEFAULT_BRAND, action: '/preferences/cus_1?t=x' });
    expect(prefs).toContain('<option value="fr-FR" selected>Français</option>');
    expect(prefs).toContain('<option value="de-DE">Deutsch</option>');
    expect(browserLocale(event('fr-CH, de;q=0.8'))).toBe('fr-FR');

    unregisterCatalog('fr');
    expect(renderReminder(reminder).subject).toBe('Reminder: 2 open invoices');
    expect(browserLocale(event('fr-CH, de;q=0.8'))).toBe('en-GB');
  });

  it('a third language can be chosen on the preferences form once its catalog is registered, and not before', () => {
    const form: PreferencesForm = { locale: 'fr-FR', tone: null, cadence: null, preferredPaymentMethod: null, quietStart: null, quietEnd: null, letters: null };
    expect(preferencesChange(form, {})).toMatchObject({ ok: false, field: 'locale' });
    registerCatalog(fr);
    expect(preferencesChange(form, {})).toMatchObject({ ok: true });
  });

  it('the browser language picks a page language as before for English and German', () => {
    expect(browserLocale(event('de-DE,de;q=0.9,en;q=0.8'))).toBe('de-DE');
    expect(browserLocale(event(' de'))).toBe('de-DE');
    expect(browserLocale(event('en-US'))).toBe('en-GB');
    expect(browserLocale(event('deutsch'))).toBe('en-GB');
    expect(browserLocale(event(''))).toBe('en-GB');
  });
});

describe('html template', () => {
  it('escapes every value unless it is Html', () => {
    const name = `<script>alert("x")</script> & 'y'`;
    expect(html`<p title="${name}">${name}</p>`.toString()).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</p>',
    );
    expect(html`<div>${html`<b>${'<i>'}</b>`}</div>`.toString()).toBe('<div><b>&lt;i&gt;</b></div>');
    expect(html`<style>${raw('a>b{}')}</style>`.toString()).toBe('<style>a>b{}</style>');
  });

  it('renders arrays, numbers, and nothing for false, null and undefined', () => {
    expect(html`<ul>${['<a>', 'b'].map((x) => html`<li>${x}</li>`)}</ul>`.toString()).toBe('<ul><li>&lt;a&gt;</li><li>b</li></ul>');
    expect(html`${0}|${false}|${null}|${undefined}|${''}`.toString()).toBe('0||||');
    expect(lines('a<\nb').toString()).toBe('a&lt;<br>b');
    expect(join(['x', '<y>'], raw('<br>')).toString()).toBe('x<br>&lt;y&gt;');
  });
});

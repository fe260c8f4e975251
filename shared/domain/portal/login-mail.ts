import { translator } from '../i18n/catalog.ts';
import { composeMail, type MailLink, type MailParagraph, type RenderedMail } from '../messages.ts';
import type { Brand } from '../ui/brand.ts';

/**
 * The portal's sign-in mail: one "Sign in" button (or one per account, when several customers share the address),
 * each a one-time link valid until `expiresAt` (shown as a time in the customer's zone). Pure.
 */
export function renderLoginMail(input: {
  locale: string;
  timeZone: string;
  customerName: string;
  accounts: readonly { name: string; href: string }[];
  expiresAt: Date;
  /** The business's branding (the mail's header and footer). */
  brand?: Brand;
}): RenderedMail {
  const t = translator(input.locale);
  const time = new Intl.DateTimeFormat(input.locale, { timeStyle: 'short', dateStyle: 'medium', timeZone: input.timeZone }).format(input.expiresAt);
  const many = input.accounts.length > 1;
  const buttons: MailParagraph[] = input.accounts.map((a): MailParagraph => {
    const link: MailLink = { href: a.href, label: many ? t('portal.loginMail.buttonFor', { name: a.name }) : t('portal.loginMail.button'), button: true };
    return many ? [`${a.name}:\n`, link] : [link];
  });
  return composeMail(input.locale, t('portal.loginMail.subject'), [
    // Several accounts share the address: no one name fits, so a greeting without one (the buttons name each account).
    many ? t('portal.loginMail.greetingMany') : t('mail.greeting', { name: input.customerName }),
    many ? t('portal.loginMail.introMany', { count: input.accounts.length, time }) : t('portal.loginMail.intro', { time }),
    ...buttons,
    t('portal.loginMail.ignore'),
    t('mail.closing'),
  ], { brand: input.brand });
}

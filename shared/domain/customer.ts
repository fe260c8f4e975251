import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import { z } from 'zod';
import { isCurrency } from './money.ts';
import { isLocale, isTimeZone } from './dates.ts';

export interface Customer {
  id: string;
  name: string;
  email: string;
  /** BCP 47 locale for messages, e.g. "de-DE". */
  locale: string;
  /** IANA time zone: due dates and business hours are in it. */
  timeZone: string;
  /** Default currency for the customer's invoices. */
  currency: string;
  /** Accounts this customer pays from (IBAN or domestic account number, normalised); a payment from one identifies them. */
  bankAccounts: string[];
  /** The customer's id at Stripe (`cus_…`); Stripe payments of that customer identify them. */
  stripeCustomerId?: string;
  createdAt: string;
  version: number;
}

export const newCustomerSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    email: z.email().max(254),
    locale: z.string().refine(isLocale, 'must be a BCP 47 locale such as "en-GB" or "de-DE"').default('en-US'),
    timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as "Europe/Berlin"').default('UTC'),
    currency: z.string().refine(isCurrency, 'must be an ISO 4217 currency code such as "EUR"').default('EUR'),
    bankAccounts: z
      .array(
        z
          .string()
          .transform(normaliseAccount)
          .refine(isAccount, 'must be a valid IBAN (checksum) or a domestic account number of 4–34 letters/digits'),
      )
      .max(20)
      .default([]),
    stripeCustomerId: z.string().regex(/^cus_[A-Za-z0-9]{1,64}$/, 'must be a Stripe customer id (cus_…)').optional(),
  })
  .strict();

export type NewCustomer = z.infer<typeof newCustomerSchema>;

/** Upper case, no spaces or dashes: how accounts are compared. */
export function normaliseAccount(raw: string): string {
  return (electronicFormatIBAN(raw) ?? raw).replace(/[\s-]/g, '').toUpperCase();
}

/** An IBAN must pass its checksum; anything else must look like a domestic account number. */
export function isAccount(account: string): boolean {
  if (/^[A-Z]{2}\d{2}/.test(account)) return isValidIBAN(account);
  return /^[A-Z0-9]{4,34}$/.test(account);
}

export function buildCustomer(input: NewCustomer, id: string, now: Date): Customer {
  return {
    id,
    name: input.name,
    email: input.email,
    locale: Intl.getCanonicalLocales(input.locale)[0] ?? 'en-US',
    timeZone: input.timeZone,
    currency: input.currency,
    bankAccounts: [...new Set(input.bankAccounts)],
    ...(input.stripeCustomerId ? { stripeCustomerId: input.stripeCustomerId } : {}),
    createdAt: now.toISOString(),
    version: 1,
  };
}

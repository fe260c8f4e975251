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
  })
  .strict();

export type NewCustomer = z.infer<typeof newCustomerSchema>;

export function buildCustomer(input: NewCustomer, id: string, now: Date): Customer {
  return {
    id,
    name: input.name,
    email: input.email,
    locale: Intl.getCanonicalLocales(input.locale)[0] ?? 'en-US',
    timeZone: input.timeZone,
    currency: input.currency,
    createdAt: now.toISOString(),
    version: 1,
  };
}

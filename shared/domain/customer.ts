import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import { z } from 'zod';
import { isCurrency } from './money.ts';
import { isLocale, isTimeZone } from './dates.ts';
import type { Hold } from './collections.ts';
import { DEFAULT_BUSINESS_HOURS, leavesSendingTime, type CustomerDunningOverrides } from './dunning.ts';
import { termsOverrideSchema, type TermsOverride } from './terms.ts';
import type { PaymentBehaviour } from './prediction/types.ts';

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
  /** Overrides of the account's payment terms for this customer's new invoices. */
  terms?: TermsOverride;
  /** Reminder cadence, tone, quiet hours, exclusion. */
  dunning?: CustomerDunningOverrides;
  /** Collection holds (hardship, negotiation…): no reminders, no interest while one is active. */
  holds?: Hold[];
  /** Address lines for letters (formal notices by post, when the customer asks for them). */
  postalAddress?: string[];
  /** How the customer prefers to pay: mails lead with it (card → the pay link; bank_transfer → the bank details). */
  preferredPaymentMethod?: 'card' | 'bank_transfer';
  /** Set when SES reported a permanent bounce or a complaint for the address: no more mail to it. */
  mailSuppressed?: { reason: string; at: string };
  /** Signed links carry it; bumping it revokes every link issued before (absent = 0). See links.ts. */
  linkVersion?: number;
  /** The nightly insights run's summary of how this customer pays (shared/domain/prediction). */
  paymentBehaviour?: PaymentBehaviour;
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
    terms: termsOverrideSchema.optional(),
    dunning: z.lazy(() => dunningSchema).optional(),
    /** For letters (formal notices by post): the address lines as printed. */
    postalAddress: z.lazy(() => postalAddressSchema).optional(),
  })
  .strict();

const hour = (name: string) => z.number({ error: `${name} must be an hour 0–24` }).int().min(0).max(24);

export const dunningSchema = z
  .object({
    cadence: z.enum(['default', 'minimal'], { error: 'must be "default" or "minimal"' }).optional(),
    tone: z.enum(['friendly', 'neutral', 'firm', 'formal'], { error: 'must be friendly, neutral, firm or formal' }).optional(),
    quietHours: z
      .object({ startHour: hour('startHour'), endHour: hour('endHour') })
      .strict()
      .refine((q) => leavesSendingTime(DEFAULT_BUSINESS_HOURS, q), { message: 'quiet hours must leave at least one hour between 09 and 17 for messages' })
      .optional(),
    excluded: z.boolean().optional(),
    letters: z.boolean().optional(),
    /** The adaptive cadence by predicted payment behaviour: true/false for this customer; omitted = the account's. */
    adaptive: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .strict();

const postalAddressSchema = z.array(z.string().trim().min(1).max(100)).min(1).max(6);

/** PATCH /customers/{id}: the collections profile and contact details; omitted fields stay as they are. */
export const customerPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    email: z.email().max(254).optional(),
    locale: z.string().refine(isLocale, 'must be a BCP 47 locale such as "en-GB" or "de-DE"').optional(),
    timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as "Europe/Berlin"').optional(),
    terms: termsOverrideSchema.nullable().optional(),
    dunning: dunningSchema.nullable().optional(),
    preferredPaymentMethod: z.enum(['card', 'bank_transfer'], { error: 'must be "card" or "bank_transfer"' }).nullable().optional(),
    postalAddress: postalAddressSchema.nullable().optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'give at least one field to change' });

export type CustomerPatch = z.infer<typeof customerPatchSchema>;

/** The customer after a patch (null removes an override). */
export function patchCustomer(customer: Customer, patch: CustomerPatch): Customer {
  const out: Customer = { ...customer };
  if (patch.name !== undefined) out.name = patch.name;
  if (patch.email !== undefined && patch.email !== customer.email) {
    out.email = patch.email;
    // A new address is not the one SES reported: mail may go to it again.
    delete out.mailSuppressed;
  }
  if (patch.locale !== undefined) out.locale = Intl.getCanonicalLocales(patch.locale)[0] ?? out.locale;
  if (patch.timeZone !== undefined) out.timeZone = patch.timeZone;
  if (patch.terms === null) delete out.terms;
  else if (patch.terms !== undefined) out.terms = patch.terms as TermsOverride;
  if (patch.postalAddress === null) delete out.postalAddress;
  else if (patch.postalAddress !== undefined) out.postalAddress = patch.postalAddress;
  if (patch.preferredPaymentMethod === null) delete out.preferredPaymentMethod;
  else if (patch.preferredPaymentMethod !== undefined) out.preferredPaymentMethod = patch.preferredPaymentMethod;
  if (patch.dunning === null) delete out.dunning;
  else if (patch.dunning !== undefined) out.dunning = patch.dunning;
  out.version = customer.version + 1;
  return out;
}

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
    ...(input.terms ? { terms: input.terms as TermsOverride } : {}),
    ...(input.dunning ? { dunning: input.dunning } : {}),
    ...(input.postalAddress ? { postalAddress: input.postalAddress } : {}),
    createdAt: now.toISOString(),
    version: 1,
  };
}

import { accountTermsSchema, DEFAULT_TERMS, type PaymentTerms } from '../domain/terms.ts';
import { env } from '../topology.ts';

let cached: { raw: string | undefined; terms: PaymentTerms } | undefined;

/**
 * The account's default payment terms, from the `ACCOUNT_TERMS` env var (JSON in the shape of `accountTermsSchema`;
 * CDK context `collections:accountTerms`). Unset: net 30, no discount, no interest, no fee. Invalid: an error naming
 * the field — the function refuses to run on terms it cannot read rather than guess.
 */
export function accountTerms(): PaymentTerms {
  const raw = process.env[env.accountTerms];
  if (cached && cached.raw === raw) return cached.terms;
  let terms: PaymentTerms = DEFAULT_TERMS;
  if (raw !== undefined && raw.trim() !== '') {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new Error(`${env.accountTerms} is not valid JSON`);
    }
    const parsed = accountTermsSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${env.accountTerms}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
    }
    terms = parsed.data as PaymentTerms;
  }
  cached = { raw, terms };
  return terms;
}

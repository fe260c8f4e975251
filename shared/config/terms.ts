/**
 * The account's default payment terms, from the `ACCOUNT_TERMS` env var (JSON in the shape of `accountTermsSchema`;
 * CDK context `collections:accountTerms`), read and validated by the runtime config module.
 */
export { accountTerms } from './runtime.ts';

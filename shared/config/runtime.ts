/**
 * The runtime configuration: the one module that reads `process.env` (ESLint allows it nowhere else outside local/,
 * infra/, bench/ and test/).
 *
 * Every variable is declared in the topology (`shared/topology.ts` → `env`, `functionEnv`) and read here through
 * one zod schema each. A variable is read and validated on first use and the result cached, so in a Lambda it is
 * parsed once per container; a bad value fails with an error naming the variable. (The cache is keyed by the raw
 * string: tests and the local runtime that change a variable between runs get the new value, never a stale one.)
 *
 * Each variable is one top-level `variable(...)` call marked pure, with its name written as a literal: esbuild drops
 * the ones a function's bundle never reads, which lets test/infra/environment.test.ts check that every variable a
 * function can read is declared for it in the topology and set for it by the stack.
 */
import { z } from 'zod';
import { adaptiveCadenceSchema, DEFAULT_ADAPTIVE_CADENCE, type AdaptiveCadenceSettings } from '../domain/adaptive-cadence.ts';
import { accountTermsSchema, DEFAULT_TERMS, type PaymentTerms } from '../domain/terms.ts';
import { brandSchema, DEFAULT_BRAND, type Brand } from '../domain/ui/brand.ts';
import { retryScheduleSchema, STANDARD_RETRY_SCHEDULE } from '../domain/webhooks.ts';
import { queueUrlEnvVar, secretArnEnvVar, type EnvVarName, type QueueId, type SecretName } from '../topology.ts';

/** A configuration variable that cannot be used: the message names it. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`${variable} ${detail}`);
    this.name = 'ConfigError';
  }
}

function describeIssue(name: string, error: z.ZodError): ConfigError {
  const issue = error.issues[0];
  const path = issue?.path.length ? `.${issue.path.join('.')}` : '';
  return new ConfigError(`${name}${path}`, `is invalid: ${issue?.message ?? 'invalid'}`);
}

/** Reads one variable through its schema (given the raw string or undefined), cached by the raw value. */
function variable<T>(name: EnvVarName | string, parse: (raw: string | undefined, name: string) => T): () => T {
  let cached: { raw: string | undefined; value: T } | undefined;
  return () => {
    const raw = process.env[name];
    if (cached && cached.raw === raw) return cached.value;
    const value = parse(raw, name);
    cached = { raw, value };
    return value;
  };
}

function withSchema<T>(schema: z.ZodType<T>, raw: string | undefined, name: string): T {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw describeIssue(name, parsed.error);
  return parsed.data;
}

/** A JSON variable: unset or blank → `fallback`; otherwise JSON checked by `schema`. */
function json<T>(schema: z.ZodType<T>, fallback: T, raw: string | undefined, name: string): T {
  if (raw === undefined || raw.trim() === '') return fallback;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConfigError(name, 'is not valid JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw describeIssue(name, parsed.error);
  return parsed.data;
}

const required = (raw: string | undefined, name: string): string => {
  if (!raw) throw new ConfigError(name, 'is not set');
  return raw;
};

/** Unset or empty, or an absolute URL. */
const optionalUrl = () =>
  z
    .string()
    .optional()
    .transform((s) => (s ? s : undefined))
    .refine((s) => s === undefined || URL.canParse(s), 'must be an absolute URL')
    .transform((s) => (s === undefined ? undefined : new URL(s)));

/** Default shortfall tolerance per currency (minor units): see README "Cash application". */
export const DEFAULT_SHORTFALL_TOLERANCE: Record<string, number> = { EUR: 1000, USD: 1000, GBP: 1000, CHF: 1000 };

// Each parser is an arrow function (no work at import time), so esbuild can drop an unused variable whole.
const tableNameVar = /* @__PURE__ */ variable('TABLE_NAME', required);
const mailFromVar = /* @__PURE__ */ variable('MAIL_FROM', required);
const sesConfigurationSetVar = /* @__PURE__ */ variable('SES_CONFIGURATION_SET', (raw) => raw || undefined);
const publicBaseUrlVar = /* @__PURE__ */ variable('PUBLIC_BASE_URL', (raw) => raw ?? '');
const payeeAccountVar = /* @__PURE__ */ variable('PAYEE_ACCOUNT', (raw) => raw ?? '');
const eventBusNameVar = /* @__PURE__ */ variable('EVENT_BUS_NAME', (raw) => raw ?? 'local');
const serviceNameVar = /* @__PURE__ */ variable('POWERTOOLS_SERVICE_NAME', (raw) => raw ?? 'collections');
const stripeApiBaseVar = /* @__PURE__ */ variable('STRIPE_API_BASE', (raw, name) => withSchema(optionalUrl(), raw, name));
const applyCreditVar = /* @__PURE__ */ variable('APPLY_CREDIT_TO_NEW_INVOICES', (raw) => raw !== 'false');
const accountTermsVar = /* @__PURE__ */ variable('ACCOUNT_TERMS', (raw, name) =>
  json(accountTermsSchema as unknown as z.ZodType<PaymentTerms>, DEFAULT_TERMS, raw, name),
);
const brandingVar = /* @__PURE__ */ variable('BRANDING', (raw, name) => json<Brand>(brandSchema, DEFAULT_BRAND, raw, name));
const adaptiveCadenceVar = /* @__PURE__ */ variable('ADAPTIVE_CADENCE', (raw, name) =>
  json(adaptiveCadenceSchema as unknown as z.ZodType<AdaptiveCadenceSettings>, DEFAULT_ADAPTIVE_CADENCE, raw, name),
);
const shortfallToleranceVar = /* @__PURE__ */ variable('SHORTFALL_TOLERANCE', (raw, name) =>
  json(z.record(z.string(), z.number().int().nonnegative()), DEFAULT_SHORTFALL_TOLERANCE, raw, name),
);
const webhookAllowLoopbackVar = /* @__PURE__ */ variable('WEBHOOK_ALLOW_LOOPBACK', (raw) => raw === 'true');
const webhookRetryScheduleVar = /* @__PURE__ */ variable('WEBHOOK_RETRY_SCHEDULE', (raw, name) =>
  json<readonly number[]>(retryScheduleSchema, STANDARD_RETRY_SCHEDULE, raw, name),
);

/** The DynamoDB table (`TABLE_NAME`, required for functions with table access). */
export function tableName(): string {
  return tableNameVar();
}
/** The sender of every mail (`MAIL_FROM`, required for functions that send mail). */
export function mailFrom(): string {
  return mailFromVar();
}
/** The SES configuration set mails are sent with (`SES_CONFIGURATION_SET`); unset or empty = none. */
export function sesConfigurationSet(): string | undefined {
  return sesConfigurationSetVar();
}
/** Base of the links in mails and pages (`PUBLIC_BASE_URL`); unset = relative links. */
export function publicBaseUrl(): string {
  return publicBaseUrlVar();
}
/** Where customers send bank transfers (`PAYEE_ACCOUNT`); unset = none shown. */
export function payeeAccount(): string {
  return payeeAccountVar();
}
/** EventBridge bus for `collections.*` events (`EVENT_BUS_NAME`); `local` (the default) = recorded only. */
export function eventBusName(): string {
  return eventBusNameVar();
}
/** The service name in every log line (`POWERTOOLS_SERVICE_NAME`, default `collections`). */
export function serviceName(): string {
  return serviceNameVar();
}
/** Where Stripe API calls go (`STRIPE_API_BASE`, local work and tests only); unset = api.stripe.com. */
export function stripeApiBase(): URL | undefined {
  return stripeApiBaseVar();
}
/** Whether customer credit settles their next invoice (`APPLY_CREDIT_TO_NEW_INVOICES`; only `false` turns it off). */
export function applyCreditToNewInvoices(): boolean {
  return applyCreditVar();
}
/**
 * The account's default payment terms (`ACCOUNT_TERMS`, JSON in the shape of `accountTermsSchema`). Unset: net 30,
 * no discount, no interest, no fee. Invalid: an error naming the field — the function refuses to run on terms it
 * cannot read rather than guess.
 */
export function accountTerms(): PaymentTerms {
  return accountTermsVar();
}
/**
 * The account's adaptive cadence (`ADAPTIVE_CADENCE`, JSON `{ enabled, highRiskHeadsUpDays, reliableMinInvoices,
 * reliableMaxMedianDaysLate }`, see domain/adaptive-cadence.ts). Unset: on, heads-up 10 days early for high risk;
 * reliable = low risk, 3+ settled invoices, a median of at most 3 days after due, not worsening.
 */
export function adaptiveCadence(): AdaptiveCadenceSettings {
  return adaptiveCadenceVar();
}
/** Largest bank-transfer shortfall written off as fees, per currency (`SHORTFALL_TOLERANCE`, JSON currency → minor units). */
export function shortfallTolerance(): Record<string, number> {
  return shortfallToleranceVar();
}

/**
 * Whether webhook subscriber URLs may use http and loopback hosts (`WEBHOOK_ALLOW_LOOPBACK=true`): set by the local
 * runtime and the tests only (a subscriber on 127.0.0.1), never in AWS — unset, only https to public hosts.
 */
export function webhookAllowLoopback(): boolean {
  return webhookAllowLoopbackVar();
}
/**
 * The webhook retry schedule (`WEBHOOK_RETRY_SCHEDULE`, JSON: the delay in seconds before each attempt, the first 0);
 * unset = the Standard Webhooks schedule (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h).
 */
export function webhookRetrySchedule(): readonly number[] {
  return webhookRetryScheduleVar();
}

/**
 * The business's branding on every customer page and mail (`BRANDING`, JSON in the shape of `brandSchema`: company
 * name, logo `{svg}` or `{url}` (https), primary colour `#rrggbb`, support e-mail and phone). Unset: a neutral default
 * (DEFAULT_BRAND). Invalid: an error naming the field (`BRANDING.primaryColour is invalid: …`).
 */
export function branding(): Brand {
  return brandingVar();
}

const queueUrlVars = new Map<QueueId, () => string>();
/** A queue's URL (`<ID>_QUEUE_URL`, set for the functions whose manifest entry may send to it). */
export function queueUrl(id: QueueId): string {
  let read = queueUrlVars.get(id);
  if (!read) queueUrlVars.set(id, (read = variable(queueUrlEnvVar(id), required)));
  return read();
}

const secretVars = new Map<string, () => string | undefined>();
function optionalRaw(name: string): string | undefined {
  let read = secretVars.get(name);
  if (!read) secretVars.set(name, (read = variable(name, (raw) => raw)));
  return read();
}
/**
 * Where a secret comes from: in AWS `<NAME>_SECRET_ARN` (set for the functions whose manifest entry lists the
 * secret), locally the variable of the same name holding the value itself. The value is never cached here.
 */
export function secretSource(name: SecretName): { arn: string } | { value: string | undefined } {
  const arn = optionalRaw(secretArnEnvVar(name));
  return arn ? { arn } : { value: process.env[name] };
}

/**
 * Sample events (events/) are templates: `{{name}}` is replaced from variables, `{{file:path}}` by the rendered
 * contents of another sample (as a string, e.g. a Stripe event as an HTTP body), and a `{{stripe-signature}}` header
 * is computed over the rendered body with the Stripe SDK — the same way Stripe signs.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Stripe from 'stripe';
import { signBankPayload } from '../shared/adapters/bank/signature.ts';
import type { TopicId } from '../shared/topology.ts';

/** Number values replace a string that is exactly `{{name}}` by the number itself (epoch times, amounts). */
export type Vars = Record<string, string | number>;

function renderString(text: string, vars: Vars): string {
  return text
    .replace(/\{\{file:([^}]+)\}\}/g, (_m, path: string) => JSON.stringify(renderFile(path.trim(), vars)))
    .replace(/\{\{([A-Za-z][\w.-]*)\}\}/g, (m, name: string) => (name === 'stripe-signature' || name === 'bank-signature' ? m : String(vars[name] ?? m)));
}

function renderValue(value: unknown, vars: Vars): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{([A-Za-z][\w.-]*)\}\}$/.exec(value);
    if (whole && typeof vars[whole[1] as string] === 'number') return vars[whole[1] as string];
    return renderString(value, vars);
  }
  if (Array.isArray(value)) return value.map((v) => renderValue(v, vars));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderValue(v, vars)]));
  }
  return value;
}

/** A non-JSON sample (camt XML, BAI2) with its `{{name}}` placeholders filled. */
export function renderText(path: string, vars: Vars): string {
  return renderString(readFileSync(resolve(path), 'utf8'), vars);
}

export function renderFile(path: string, vars: Vars): unknown {
  return renderTemplate(JSON.parse(readFileSync(resolve(path), 'utf8')), vars);
}

export function renderTemplate(template: unknown, vars: Vars): unknown {
  const rendered = renderValue(template, vars) as Record<string, unknown>;
  const headers = rendered?.headers as Record<string, string> | undefined;
  if (headers && headers['stripe-signature'] === '{{stripe-signature}}') {
    headers['stripe-signature'] = Stripe.webhooks.generateTestHeaderString({
      payload: String(rendered.body ?? ''),
      secret: String(vars.stripeWebhookSecret ?? ''),
    });
  }
  if (headers && headers['x-bank-signature'] === '{{bank-signature}}') {
    headers['x-bank-signature'] = signBankPayload(
      String(rendered.body ?? ''),
      String(vars.bankWebhookSecret ?? ''),
      Number(headers['x-bank-timestamp']),
    );
  }
  return rendered;
}

/** Variables every sample may use: now, a unique suffix, the local secrets. */
export function defaultVars(
  now: Date,
  secrets: { ADMIN_API_KEY: string; STRIPE_WEBHOOK_SECRET: string; BANK_WEBHOOK_SECRET?: string },
): Vars {
  return {
    now: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    nowEpochMs: now.getTime(),
    nowEpochMsString: String(now.getTime()),
    nowEpochSeconds: Math.floor(now.getTime() / 1000),
    unique: `${now.getTime().toString(36)}${Math.random().toString(36).slice(2, 8)}`,
    // The payment intent the Stripe samples share (succeeded, refunded, disputed…); pass paymentIntent=… to chain them.
    paymentIntent: `${now.getTime().toString(36)}${Math.random().toString(36).slice(2, 8)}`,
    adminKey: secrets.ADMIN_API_KEY,
    stripeWebhookSecret: secrets.STRIPE_WEBHOOK_SECRET,
    bankWebhookSecret: secrets.BANK_WEBHOOK_SECRET ?? '',
    nowEpochSecondsString: String(Math.floor(now.getTime() / 1000)),
  };
}

/** The default sample of each SNS topic (others sit next to it in events/sns/). */
const SNS_SAMPLES: Record<TopicId, string> = {
  'ses-events': 'events/sns/ses-bounce.json',
};

/**
 * The sample file for a trigger: events/http/<METHOD>-<path>.json, events/sqs/<queue>.json,
 * events/schedule/<fn>.json, events/stream/<fn>.json (a table-stream batch), and for an SNS topic its default sample
 * in events/sns/.
 */
export function samplePath(
  trigger:
    | { type: 'http'; method: string; path: string }
    | { type: 'queue'; queue: string }
    | { type: 'schedule' }
    | { type: 'sns'; topic: TopicId }
    | { type: 'stream' },
  functionName: string,
): string {
  if (trigger.type === 'http') {
    const slug = trigger.path.replace(/^\//, '').replace(/[{}]/g, '').replace(/\//g, '-');
    return `events/http/${trigger.method}-${slug}.json`;
  }
  if (trigger.type === 'queue') return `events/sqs/${trigger.queue}.json`;
  if (trigger.type === 'sns') return SNS_SAMPLES[trigger.topic];
  if (trigger.type === 'stream') return `events/stream/${functionName}.json`;
  return `events/schedule/${functionName}.json`;
}

/** `name=value` command-line arguments as template variables (other arguments are ignored). */
export function cliVars(args: readonly string[]): Vars {
  return Object.fromEntries(args.filter((a) => a.includes('=')).map((a) => a.split(/=(.*)/s).slice(0, 2) as [string, string]));
}

/** A Stripe payment-intent event as Stripe sends it, for tests and the benchmark (sign it with the Stripe SDK). */
export function stripePaymentIntentEvent(fields: {
  eventId: string;
  paymentIntentId: string;
  invoiceId: string;
  amount: number;
  currency?: string;
  type?: string;
  createdSeconds?: number;
}) {
  return {
    id: fields.eventId,
    object: 'event',
    api_version: '2025-01-27.acacia',
    type: fields.type ?? 'payment_intent.succeeded',
    created: fields.createdSeconds ?? Math.floor(Date.now() / 1000),
    livemode: false,
    data: {
      object: {
        id: fields.paymentIntentId,
        object: 'payment_intent',
        amount: fields.amount,
        amount_received: fields.amount,
        currency: fields.currency ?? 'eur',
        status: 'succeeded',
        payment_method_types: ['card'],
        metadata: { invoice_id: fields.invoiceId },
      },
    },
  };
}

/**
 * Starts the whole local stack once for the test run — the same `local/start.ts` that `npm start` runs, on free
 * ports, in memory, with schedules fired only by hand — and hands its endpoints to the tests.
 */
import type { TestProject } from 'vitest/node';
import { startChildStack, type ChildStack, type StackInfo } from '../../local/child-stack.ts';
import { startStripeStandIn, type StripeStandIn } from '../../local/stripe-stand-in.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
    /** The Stripe stand-in the stack creates Checkout Sessions with (its STRIPE_API_BASE). */
    stripeStandInUrl: string;
  }
}

let stack: ChildStack | undefined;
let stripe: StripeStandIn | undefined;

export async function setup(project: TestProject): Promise<void> {
  stripe = await startStripeStandIn();
  stack = await startChildStack({
    name: 'test',
    tableName: 'collections-test',
    secrets: {
      ADMIN_API_KEY: 'test-admin-key',
      STRIPE_WEBHOOK_SECRET: 'whsec_test_secret',
      BANK_WEBHOOK_SECRET: 'test-bank-secret',
      LINK_SIGNING_SECRET: 'test-link-secret',
    },
    // The portal's Pay button creates Checkout Sessions from inside the stack (browser tests).
    env: { STRIPE_API_BASE: stripe.url },
  });
  project.provide('stack', stack.info);
  project.provide('stripeStandInUrl', stripe.url);
}

export async function teardown(): Promise<void> {
  await stack?.stop();
  await stripe?.stop();
}

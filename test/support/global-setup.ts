/**
 * Starts the whole local stack once for the test run — the same `local/start.ts` that `npm start` runs, on free
 * ports, in memory, with schedules fired only by hand — and hands its endpoints to the tests.
 */
import type { TestProject } from 'vitest/node';
import { startChildStack, type ChildStack, type StackInfo } from '../../local/child-stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

let stack: ChildStack | undefined;

export async function setup(project: TestProject): Promise<void> {
  stack = await startChildStack({
    name: 'test',
    tableName: 'collections-test',
    secrets: {
      ADMIN_API_KEY: 'test-admin-key',
      STRIPE_WEBHOOK_SECRET: 'whsec_test_secret',
      BANK_WEBHOOK_SECRET: 'test-bank-secret',
      LINK_SIGNING_SECRET: 'test-link-secret',
    },
  });
  project.provide('stack', stack.info);
}

export async function teardown(): Promise<void> {
  await stack?.stop();
}

/**
 * A local stack of a test file's own — for tests that move the clock (time travel) or need an exact book, which must
 * not share the suite's stack with tests that count mails or read everything. Registers its own beforeAll/afterAll.
 */
import { afterAll, beforeAll } from 'vitest';
import { startChildStack, type ChildStack, type StackInfo } from '../../local/child-stack.ts';
import { SHORT_LIVED_DYNAMODB_JVM_OPTIONS } from '../../local/emulators.ts';
import { StackDriver } from '../../local/time-travel.ts';

export function useOwnStack(name: string): { readonly stack: StackDriver; readonly info: StackInfo } {
  let child: ChildStack | undefined;
  let driver: StackDriver | undefined;
  beforeAll(async () => {
    child = await startChildStack({
      name,
      tableName: `collections-${name}`,
      secrets: {
        ADMIN_API_KEY: `${name}-admin-key`,
        STRIPE_WEBHOOK_SECRET: `whsec_${name}_secret`,
        BANK_WEBHOOK_SECRET: `${name}-bank-secret`,
        LINK_SIGNING_SECRET: `${name}-link-secret`,
      },
      // It lives as long as the file: DynamoDB Local's JVM tuned for a short life (local/emulators.ts).
      env: { DYNAMODB_JVM_OPTIONS: SHORT_LIVED_DYNAMODB_JVM_OPTIONS },
    });
    driver = new StackDriver(child.info);
  }, 180_000); // beyond the stack's own start deadline (local/child-stack.ts), for a busy machine
  afterAll(async () => {
    driver?.close();
    await child?.stop();
  });
  return {
    get stack() {
      if (!driver) throw new Error('the stack is not started yet (use it inside tests or hooks)');
      return driver;
    },
    get info() {
      if (!child) throw new Error('the stack is not started yet (use it inside tests or hooks)');
      return child.info;
    },
  };
}

let seq = 0;
/** A name no other test run uses. */
export function unique(prefix: string): string {
  seq += 1;
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${seq}`;
}

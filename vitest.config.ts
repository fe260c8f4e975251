import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // No EMF lines from business metrics in test output (test/unit/metrics.test.ts turns them on for itself).
    env: { POWERTOOLS_LOG_LEVEL: 'WARN', POWERTOOLS_METRICS_DISABLED: 'true' },
    projects: [
      {
        // Pure domain code and CDK assertions: no emulators needed.
        test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/infra/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 120_000 },
      },
      {
        // Through the running local stack (real DynamoDB Local, SQS and SES emulators), started once; the browser
        // tests (Debian's Chromium via playwright-core) walk the customer's pages on the same stack.
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/browser/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/env.ts'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

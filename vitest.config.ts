import { defineConfig } from 'vitest/config';

/**
 * Three projects in two groups. First the unit and infra tests, two files at a time (they share nothing: pure code
 * and CDK synthesis, each CPU-bound); then the integration tests, one file at a time, as they share one local stack
 * whose sweeps act on everything in its table.
 *
 * Unit and integration files run in worker threads, which start and import far cheaper than a process per file
 * (measured: 16 small integration files 90–110 → 81–94 CPU s; the unit files, two at a time, 35 → 24 s and 64 → 43
 * CPU s). The infra tests keep a process per file: CDK's local esbuild bundling spawns with `stdio: process.stderr`,
 * which a worker thread's stderr cannot be.
 */
export default defineConfig({
  test: {
    // No EMF lines from business metrics in test output (test/unit/metrics.test.ts turns them on for itself).
    env: { POWERTOOLS_LOG_LEVEL: 'WARN', POWERTOOLS_METRICS_DISABLED: 'true' },
    projects: [
      {
        // Pure domain code: no emulators needed.
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: 'threads',
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        // CDK assertions and cdk-nag: synthesis (with esbuild bundling) in a process per file.
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: 'forks',
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
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
          pool: 'threads',
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});

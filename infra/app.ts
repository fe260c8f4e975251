/**
 * CDK app entry (`cdk.json`: `npx tsx infra/app.ts`). Environment-agnostic: synthesizes offline, with no credentials.
 *
 * Tests import `buildApp()` / `createStack()` instead of spawning the CLI.
 */
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { CollectionsStack, type CollectionsStackProps } from './stack.ts';

export const STACK_ID = 'CollectionsStack';

export interface BuildAppOptions {
  /** Cloud assembly directory. @default CDK's default (`cdk.out`, or the CLI's CDK_OUTDIR) */
  readonly outdir?: string;
  /** Extra context (e.g. `collections:*` keys); the CLI's context (cdk.json, -c) takes precedence. */
  readonly context?: AppProps['context'];
  /** Run the cdk-nag AwsSolutions and Serverless packs at synth. @default true */
  readonly nag?: boolean;
  readonly stackProps?: CollectionsStackProps;
}

/** Adds the Collections stack to an app. */
export function createStack(app: App, props: CollectionsStackProps = {}): CollectionsStack {
  return new CollectionsStack(app, STACK_ID, {
    description: 'Collections backend: invoices, payments, dunning',
    ...props,
  });
}

/** Builds the app with the stack and (by default) cdk-nag; call `app.synth()` to synthesize and validate. */
export function buildApp(options: BuildAppOptions = {}): { app: App; stack: CollectionsStack } {
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    context: options.context,
  });
  const stack = createStack(app, options.stackProps);
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stack };
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return fs.realpathSync(entry) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  buildApp().app.synth();
}

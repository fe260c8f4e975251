/**
 * Configuration is read once, in shared/config/runtime.ts, and every variable a function can read is declared for it
 * in the topology (shared/topology.ts `functionEnv`) and set for it by the stack.
 *
 * "Can read" is measured, not listed by hand: each function's entry is bundled with esbuild as CDK bundles it
 * (tree-shaken), and a variable counts as readable when its name survives in the bundle — the config module declares
 * each variable as its own pure top-level call, so esbuild drops the ones a function never reaches.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { repoRoot } from '../../infra/manifest-function.ts';
import { contextKeys } from '../../infra/stack.ts';
import { env, functionEnv, functions, type FunctionSpec } from '../../shared/topology.ts';

// CloudFormation JSON is untyped; tests navigate it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const allNames = Object.values(env) as string[];

async function readableVariables(spec: FunctionSpec): Promise<string[]> {
  const out = await build({
    entryPoints: [path.join(repoRoot, spec.entry)],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    packages: 'external',
    treeShaking: true,
    logLevel: 'silent',
  });
  const code = out.outputFiles.map((f) => f.text).join('\n');
  // The config module's declarations that survived tree-shaking (`variable("TABLE_NAME", …)`; esbuild may suffix the name).
  return [...code.matchAll(/\bvariable\d*\(\s*["'`]([A-Z0-9_]+)["'`]/g)].map((m) => m[1]!);
}

const readable = new Map<string, string[]>();
beforeAll(async () => {
  for (const spec of functions) readable.set(spec.name, await readableVariables(spec));
}, 120_000);

describe('runtime configuration', () => {
  it('the config module reads every variable the topology names, each by its literal name', () => {
    const source = fs.readFileSync(path.join(repoRoot, 'shared/config/runtime.ts'), 'utf8');
    const declared = [...source.matchAll(/variable\(\s*'([A-Z0-9_]+)'/g)].map((m) => m[1]);
    expect(new Set(declared)).toEqual(new Set(allNames));
  });

  it('the measurement sees variables: pay-link can read PUBLIC_BASE_URL and STRIPE_API_BASE, only the events relay reads the bus name, health reads no table', () => {
    expect(allNames).toEqual(expect.arrayContaining(readable.get('pay-link')!));
    expect(readable.get('pay-link')).toEqual(expect.arrayContaining([env.publicBaseUrl, env.stripeApiBase, env.tableName]));
    expect(readable.get('events')).toContain(env.eventBusName);
    expect(readable.get('collections-worker')).not.toContain(env.eventBusName);
    expect(readable.get('health')).not.toContain(env.tableName);
  });

  it.each(functions.map((f) => [f.name, f] as const))('%s: every variable it can read is declared for it in the topology', (name, spec) => {
    const declared = new Set(functionEnv(spec).map((d) => d.name));
    const undeclared = readable.get(name)!.filter((v) => !declared.has(v));
    expect(undeclared, `${name} can read ${undeclared.join(', ')} but the topology does not declare it`).toEqual([]);
  });
});

describe('the stack sets what the topology declares', () => {
  /** Synthesized without bundling (the environment does not depend on the code). */
  function lambdaEnvironments(context: Record<string, unknown>): Map<string, Json> {
    const { app, stack } = buildApp({ nag: false, context: { 'aws:cdk:bundling-stacks': [], ...context } });
    app.synth();
    const out = new Map<string, Json>();
    for (const [, r] of Object.entries(Template.fromStack(stack).findResources('AWS::Lambda::Function'))) {
      const spec = functions.find((f) => f.description === r.Properties.Description);
      if (spec) out.set(spec.name, r.Properties.Environment.Variables as Json);
    }
    return out;
  }

  it('with every setting configured, each function gets exactly its declared variables (local-only ones never)', () => {
    const envs = lambdaEnvironments({
      [contextKeys.accountTerms]: '{"netDays":14}',
      [contextKeys.shortfallTolerance]: '{"EUR":1500}',
      [contextKeys.applyCreditToNewInvoices]: 'false',
      [contextKeys.adaptiveCadence]: '{"enabled":false}',
      [contextKeys.branding]: '{"companyName":"Acme","primaryColour":"#123456"}',
      [contextKeys.webhookRetrySchedule]: '[0,60,3600]',
    });
    expect(envs.size).toBe(functions.length);
    for (const spec of functions) {
      const expected = functionEnv(spec).filter((d) => d.source !== 'local').map((d) => d.name);
      expect(new Set(Object.keys(envs.get(spec.name)!)), spec.name).toEqual(new Set(['NODE_OPTIONS', ...expected]));
      if (spec.access.table) {
        expect(envs.get(spec.name)![env.shortfallTolerance]).toBe('{"EUR":1500}');
        expect(envs.get(spec.name)![env.applyCreditToNewInvoices]).toBe('false');
        expect(envs.get(spec.name)![env.adaptiveCadence]).toBe('{"enabled":false}');
      }
    }
  });

  it('with nothing configured, every variable the topology always sets is still set', () => {
    const envs = lambdaEnvironments({});
    for (const spec of functions) {
      for (const d of functionEnv(spec).filter((x) => x.source === 'always')) expect(envs.get(spec.name), spec.name).toHaveProperty([d.name]);
      for (const d of functionEnv(spec).filter((x) => x.source !== 'always')) expect(envs.get(spec.name), spec.name).not.toHaveProperty([d.name]);
    }
  });
});

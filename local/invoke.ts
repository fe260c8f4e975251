/** Loads manifest handlers and invokes them with a Lambda-like context. */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { FunctionSpec } from '../shared/topology.ts';

type Handler = (event: unknown, context: Context) => Promise<unknown>;
const loaded = new Map<string, Handler>();

export async function loadHandler(fn: FunctionSpec): Promise<Handler> {
  const cached = loaded.get(fn.name);
  if (cached) return cached;
  const mod = (await import(pathToFileURL(resolve(fn.entry)).href)) as { handler?: Handler };
  if (typeof mod.handler !== 'function') throw new Error(`${fn.entry} exports no handler`);
  loaded.set(fn.name, mod.handler);
  return mod.handler;
}

export function lambdaContext(fn: FunctionSpec): Context {
  const deadline = Date.now() + fn.timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: fn.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${fn.name}`,
    memoryLimitInMB: String(fn.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/local/${fn.name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export async function invoke(fn: FunctionSpec, event: unknown): Promise<unknown> {
  const handler = await loadHandler(fn);
  return handler(event, lambdaContext(fn));
}

import { Logger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions, LogItemExtraInput, LogItemMessage } from '@aws-lambda-powertools/logger/types';
import type { Context } from 'aws-lambda';
import { serviceName } from './config/runtime.ts';
import { correlationId } from './context.ts';

/**
 * Powertools' Logger with the correlation id of the work in progress (shared/context.ts) as `correlation_id` in every
 * line. It is read from the AsyncLocalStorage when the line is written — not appended as a key — so it cannot leak
 * into the next invocation, into another record of the same batch, or across work running concurrently in one process
 * (the local runtime): each line carries the id of the work that wrote it, and lines outside any work carry none.
 */
class CorrelatedLogger extends Logger {
  protected override createAndPopulateLogItem(logLevel: number, input: LogItemMessage, extraInput: LogItemExtraInput) {
    const item = super.createAndPopulateLogItem(logLevel, input, extraInput);
    const id = correlationId();
    if (id) item.addAttributes({ correlation_id: id });
    return item;
  }

  protected override createLogger(options?: ConstructorOptions): Logger {
    return new CorrelatedLogger(options);
  }
}

/**
 * Structured JSON logs (Powertools). Never log personal data (names, emails, IBANs, free remittance text) or
 * secrets: log ids, types, amounts and outcomes only.
 */
export const logger: Logger = new CorrelatedLogger({ serviceName: serviceName() });

/**
 * Puts the Lambda context (function name and version, request id, cold start) into every following log line of the
 * invocation: Powertools' `addContext`, as its middy `injectLambdaContext` does. Without a context (a local poller or a
 * unit test calling the handler with the event alone) nothing is added.
 */
export function addLambdaContext(context: Context | undefined): void {
  if (context) logger.addContext(context);
}

/** A handler that is not a middy handler, with the Lambda context in every log line (`addLambdaContext`). */
export function withLambdaContext<E, R>(handler: (event: E) => Promise<R>): (event: E, context?: Context) => Promise<R> {
  return (event, context) => {
    addLambdaContext(context);
    return handler(event);
  };
}

const EMAIL = /[^\s@<>"',;:]+@[^\s@<>"',;:]+\.[A-Za-z]{2,}/g;
const IBAN = /\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?\b/g;

/** Strips what could be personal data (email addresses, account numbers) from text bound for the logs. */
export function redact(text: string): string {
  return text.replace(EMAIL, '<email>').replace(IBAN, '<account>');
}

/**
 * An error as it may be logged: name, redacted message and stack, and AWS request metadata — never the raw message
 * of an outside service (SES puts recipient addresses in its errors).
 */
export function errorForLog(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { name: 'NonError', message: redact(String(error)) };
  const meta = (error as { $metadata?: { httpStatusCode?: number; requestId?: string } }).$metadata;
  return {
    name: error.name,
    message: redact(error.message),
    ...(error.stack ? { stack: redact(error.stack) } : {}),
    ...(meta ? { httpStatusCode: meta.httpStatusCode, requestId: meta.requestId } : {}),
  };
}

import type { Context, ScheduledEvent } from 'aws-lambda';
import { statementCsv, statementFileName } from '../../shared/domain/statement-csv.ts';
import { statementHtml } from '../../shared/domain/statement-html.ts';
import { httpHandler, json, type HttpEvent, type HttpResult } from '../../shared/http/api.ts';
import { scheduledHandler } from '../../shared/handlers/scheduled.ts';
import { logger } from '../../shared/logger.ts';
import { branding } from '../../shared/config/runtime.ts';
import { requestStatement, runStatements } from '../../shared/services/statements.ts';

const http = httpHandler({
  'GET /customers/{id}/statement': async (event) => {
    const now = new Date(event.requestContext.timeEpoch);
    const { statement, format } = await requestStatement(event.pathParameters?.id ?? '', event.queryStringParameters ?? {}, now);
    if (format === 'csv') {
      return {
        statusCode: 200,
        headers: {
          'content-type': 'text/csv; charset=utf-8; header=present',
          'content-disposition': `attachment; filename="${statementFileName(statement, 'csv')}"`,
        },
        body: statementCsv(statement),
      };
    }
    if (format === 'html') {
      return {
        statusCode: 200,
        // The security headers (CSP with the page's style hash, nosniff, no referrer) are added by httpHandler.
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: statementHtml(statement, branding()),
      };
    }
    return json(200, statement);
  },
});

/** The monthly run: "now" is the schedule's firing time, never the wall clock. */
const scheduled = scheduledHandler(async (now) => {
  const result = await runStatements(now);
  logger.info('statements run', { now: now.toISOString(), sent: result.sent, pages: result.pages, complete: result.complete });
  return { function: 'statements', now: now.toISOString(), ...result };
});

/** Two triggers: the admin route (API Gateway v2, has `routeKey`) and the monthly schedule (EventBridge, has `time`). */
export const handler = async (event: HttpEvent | ScheduledEvent, context: Context): Promise<HttpResult | Awaited<ReturnType<typeof scheduled>>> => {
  if ('routeKey' in event) return http(event, context);
  return scheduled(event, context);
};

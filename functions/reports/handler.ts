import { httpHandler, json, parse } from '../../shared/http/api.ts';
import { agingFor, agingQuerySchema, feedbackFor, feedbackQuerySchema, kpiQuerySchema, kpisFor } from '../../shared/services/reports.ts';
import { forecastFor, forecastQuerySchema, worklistFor, worklistQuerySchema } from '../../shared/services/insights-reports.ts';

/** The request's time (API Gateway's receipt time; locally `X-Local-Time` moves it): "today" for the defaults. */
const at = (event: { requestContext: { timeEpoch: number } }) => new Date(event.requestContext.timeEpoch);

export const handler = httpHandler({
  'GET /reports/aging': async (event) => json(200, await agingFor(parse(agingQuerySchema, event.queryStringParameters ?? {}), at(event))),
  'GET /reports/kpis': async (event) => json(200, await kpisFor(parse(kpiQuerySchema, event.queryStringParameters ?? {}), at(event))),
  'GET /reports/feedback': async (event) => json(200, await feedbackFor(parse(feedbackQuerySchema, event.queryStringParameters ?? {}), at(event))),
  'GET /reports/forecast': async (event) => json(200, await forecastFor(parse(forecastQuerySchema, event.queryStringParameters ?? {}), at(event))),
  'GET /worklist': async (event) => json(200, await worklistFor(parse(worklistQuerySchema, event.queryStringParameters ?? {}), at(event))),
});

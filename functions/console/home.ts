import { parse } from '../../shared/http/api.ts';
import { consolePage, type ConsoleRoute } from '../../shared/http/console.ts';
import { html } from '../../shared/domain/html.ts';
import { HOME_PAGE_SIZE, homeBody } from '../../shared/domain/console/home.ts';
import { worklistOverview, worklistQuerySchema } from '../../shared/services/insights-reports.ts';
import { plansAwaitingApproval, questionsAwaitingAnswer, reviewQueueLength } from '../../shared/services/queries.ts';

/**
 * Console routes: the home page (GET /console?currency=&cursor=&notice=) — the counters and the worklist, through
 * the same services as GET /worklist, GET /reports/aging and the operators' review gauge. One read of the unpaid
 * invoices (worklist and aging together), a customer item per row shown, three counts.
 */
export const homeRoutes: Record<string, ConsoleRoute> = {
  'GET /console': async (ctx) => {
    // The filter form sends `currency=` for "all currencies"; `notice` is the page's own, not the worklist's.
    const { currency, cursor, notice } = ctx.query;
    const query = parse(worklistQuerySchema, { ...(currency ? { currency } : {}), ...(cursor ? { cursor } : {}), limit: HOME_PAGE_SIZE });
    const [overview, reviewCount, plansPending, questionsOpen] = await Promise.all([worklistOverview(query, ctx.now), reviewQueueLength(), plansAwaitingApproval(), questionsAwaitingAnswer()]);
    return consolePage(ctx, {
      title: 'Worklist',
      current: 'worklist',
      meta: html`<span>As of ${overview.asOf} (UTC)</span>`,
      body: homeBody({
        asOf: overview.asOf,
        reviewCount,
        plansPending,
        questionsOpen,
        aging: overview.aging,
        worklist: overview,
        currency: query.currency,
        cursor: query.cursor,
        notice,
      }),
    });
  },
};

import { z } from 'zod';
import { planPath, questionPath, renderPlanDetail, renderPlansList, renderPromisesList, renderQuestionsList, renderQuestionThread } from '../../shared/domain/console/casework.ts';
import { mayChange } from '../../shared/domain/console/staff.ts';
import { parse } from '../../shared/http/api.ts';
import { consolePage, redirect, type ConsoleContext, type ConsoleRoute } from '../../shared/http/console.ts';
import {
  consolePlansQuery,
  consolePromisesQuery,
  consoleQuestionsQuery,
  planDetail,
  plansForConsole,
  promisesForConsole,
  questionsForConsole,
  questionThread,
} from '../../shared/services/console-casework.ts';
import { approve } from '../../shared/services/plans.ts';
import { closeRequestSchema, closeSupportRequestAsStaff, replySchema, replyToSupportRequest } from '../../shared/services/support.ts';

const questionIds = (ctx: ConsoleContext) => [ctx.event.pathParameters?.customerId ?? '', ctx.event.pathParameters?.id ?? ''] as const;

/** The version the form showed (every answer and close form carries it: a stale form is refused, nothing written). */
const versionField = z.object({ version: z.coerce.number({ error: 'must be the version the page showed' }).int('must be a whole number').min(0, 'must not be negative') });

function seenVersion(ctx: ConsoleContext): number {
  return parse(versionField, { version: ctx.form.get('version') || undefined }).version;
}

/** Answers carry the member's name (as the admin API's `by`); the member's id is recorded by the service (actedBy). */
const byName = (ctx: ConsoleContext) => ctx.staff.name.trim().slice(0, 100) || ctx.staff.id;

/**
 * Console routes: customers' questions (the queue, a thread, answer, close), payment plans (list, one, approve) and
 * promises to pay (list).
 */
export const caseworkRoutes: Record<string, ConsoleRoute> = {
  'GET /console/questions': async (ctx) => {
    const query = parse(consoleQuestionsQuery, { status: ctx.query.status || undefined, cursor: ctx.query.cursor || undefined });
    const page = await questionsForConsole(query);
    return consolePage(ctx, {
      title: 'Questions',
      current: 'questions',
      body: renderQuestionsList({ status: query.status, items: page.items, nextCursor: page.nextCursor, ...(ctx.query.notice ? { notice: ctx.query.notice } : {}) }),
    });
  },
  'GET /console/questions/{customerId}/{id}': async (ctx) => {
    const thread = await questionThread(...questionIds(ctx));
    return consolePage(ctx, {
      title: 'Question',
      current: 'questions',
      body: renderQuestionThread({ ...thread, csrf: ctx.session.csrf, mayChange: mayChange(ctx.staff.role), ...(ctx.query.notice ? { notice: ctx.query.notice } : {}) }),
    });
  },
  'POST /console/questions/{customerId}/{id}/replies': async (ctx) => {
    const version = seenVersion(ctx);
    const input = parse(replySchema, { body: ctx.form.get('body') ?? '', close: ctx.form.get('close') === 'on', by: byName(ctx) });
    // No Idempotency-Key: a double click sends the same reply, which the service recognises (one reply, one mail).
    const { request } = await replyToSupportRequest(...questionIds(ctx), input, undefined, ctx.now, { expectedVersion: version });
    return redirect(`${questionPath(request)}?notice=replied`);
  },
  'POST /console/questions/{customerId}/{id}/close': async (ctx) => {
    const version = seenVersion(ctx);
    const request = await closeSupportRequestAsStaff(...questionIds(ctx), parse(closeRequestSchema, { by: byName(ctx) }), ctx.now, { expectedVersion: version });
    return redirect(`${questionPath(request)}?notice=closed`);
  },
  'GET /console/plans': async (ctx) => {
    const query = parse(consolePlansQuery, { status: ctx.query.status || undefined, cursor: ctx.query.cursor || undefined });
    const sections = await plansForConsole(query);
    return consolePage(ctx, {
      title: 'Payment plans',
      current: 'plans',
      body: renderPlansList({ sections, now: ctx.now, ...(ctx.query.notice ? { notice: ctx.query.notice } : {}) }),
    });
  },
  'GET /console/plans/{id}': async (ctx) => {
    const detail = await planDetail(ctx.event.pathParameters?.id ?? '');
    return consolePage(ctx, {
      title: 'Payment plan',
      current: 'plans',
      body: renderPlanDetail({ ...detail, now: ctx.now, csrf: ctx.session.csrf, mayChange: mayChange(ctx.staff.role), ...(ctx.query.notice ? { notice: ctx.query.notice } : {}) }),
    });
  },
  'POST /console/plans/{id}/approve': async (ctx) => {
    const plan = await approve(ctx.event.pathParameters?.id ?? '', ctx.now);
    return redirect(`${planPath(plan)}?notice=approved`);
  },
  'GET /console/promises': async (ctx) => {
    const query = parse(consolePromisesQuery, { status: ctx.query.status || undefined, cursor: ctx.query.cursor || undefined });
    const page = await promisesForConsole(query);
    // Casework: under the plans section of the navigation (the plans page links here).
    return consolePage(ctx, { title: 'Promises to pay', current: 'plans', body: renderPromisesList({ status: query.status, items: page.items, nextCursor: page.nextCursor }) });
  },
};

/**
 * The portal's casework forms (engineer C): a dispute with a reason code, a promise to pay, and questions. Thin:
 * services decide (the same dispute workflow staff use; promises in shared/services/promises.ts; questions in
 * shared/services/support.ts), the portal edge (shared/http/portal.ts) checks the session and the CSRF token and maps
 * problems to pages (another customer's invoice: the 404 page, nothing changed).
 */
import { createHash } from 'node:crypto';
import { translator } from '../../shared/domain/i18n/catalog.ts';
import { DISPUTE_REASON_CODES, type DisputeReasonCode } from '../../shared/domain/invoice-collections.ts';
import { renderQuestionsBody } from '../../shared/domain/questions-page.ts';
import { csrfField, portalPage, redirect, type PortalRoute } from '../../shared/http/portal.ts';
import { openDispute } from '../../shared/services/casework.ts';
import { Invalid } from '../../shared/services/errors.ts';
import { promiseFromForm } from '../../shared/services/promises.ts';
import { askQuestion, MAX_QUESTION_CHARS, questionsOf, questionSchema } from '../../shared/services/support.ts';
import { parse } from '../../shared/http/api.ts';

const invoicePath = (id: string) => `/portal/invoices/${encodeURIComponent(id)}`;

function reasonCode(value: string | null): DisputeReasonCode {
  if (value && (DISPUTE_REASON_CODES as readonly string[]).includes(value)) return value as DisputeReasonCode;
  throw new Invalid('reason', `choose one of ${DISPUTE_REASON_CODES.join(', ')}`);
}

export const caseworkRoutes: Record<string, PortalRoute> = {
  'POST /portal/invoices/{id}/disputes': async (ctx) => {
    const id = ctx.event.pathParameters?.id ?? '';
    const code = reasonCode(ctx.form.get('reason'));
    const message = (ctx.form.get('message') ?? '').trim();
    if (!message) throw new Invalid('message', 'tell us what is wrong');
    if (message.length > 1000) throw new Invalid('message', 'at most 1000 characters');
    // A double submit of the same dispute (same reason and words, the same day) is one dispute (the workflow's
    // idempotency key).
    const key = `portal:${ctx.customer.id}:${ctx.now.toISOString().slice(0, 10)}:${createHash('sha256').update(`${code}\n${message}`).digest('hex')}`;
    await openDispute(id, { reason: message, reasonCode: code }, key, ctx.now, { source: 'portal', customerId: ctx.customer.id });
    return redirect(`${invoicePath(id)}?notice=dispute_opened`);
  },

  'POST /portal/invoices/{id}/promise': async (ctx) => {
    const id = ctx.event.pathParameters?.id ?? '';
    await promiseFromForm(ctx.customer, id, { date: (ctx.form.get('date') ?? '').trim(), amount: ctx.form.get('amount') ?? undefined }, ctx.now);
    return redirect(`${invoicePath(id)}?notice=promise_made`);
  },

  'GET /portal/messages': async (ctx) => {
    const t = translator(ctx.locale);
    const { questions, invoices } = await questionsOf(ctx.customer);
    const q = ctx.event.queryStringParameters ?? {};
    const body = renderQuestionsBody({
      locale: ctx.locale,
      timeZone: ctx.timeZone,
      csrf: csrfField(ctx),
      questions,
      invoices,
      ...(q.invoiceId ? { invoiceId: q.invoiceId } : {}),
      sent: q.notice === 'sent',
      maxChars: MAX_QUESTION_CHARS,
    });
    return portalPage(ctx, { title: t('portal.messages.title'), current: 'messages', body });
  },

  'POST /portal/messages': async (ctx) => {
    const invoiceId = (ctx.form.get('invoiceId') ?? '').trim();
    const input = parse(questionSchema, {
      subject: ctx.form.get('subject') ?? '',
      message: ctx.form.get('message') ?? '',
      ...(invoiceId ? { invoiceId } : {}),
    });
    await askQuestion(ctx.customer, input, ctx.now);
    return redirect('/portal/messages?notice=sent');
  },
};

/**
 * The console's casework pages: customers' questions (the queue, one thread with its answer and close forms) and
 * payment plans (those waiting for approval, the active ones with their next instalment, one plan with its approve
 * form). Bodies for the console shell (./layout.ts); plain data in, escaped Html out. Pure: `now` is a parameter.
 *
 * Who acted is shown by name when the id is a known staff member ("by Mia Collector"), else by the id (a member
 * since removed), else as the admin API recorded it (`staff`, or the name its caller gave). Forms are shown only to
 * members who may change things (a viewer's POST is refused by the edge anyway); each carries the CSRF token and,
 * where the service checks it, the version the page showed (a stale form is refused, nothing written).
 */
import { localDate } from '../dates.ts';
import { html, lines, type Html } from '../html.ts';
import type { Invoice } from '../invoice.ts';
import type { InvoicePromise } from '../invoice-collections.ts';
import { planProgress, type Instalment, type PaymentPlan, type PlanStatus } from '../plans.ts';
import type { SupportRequest, SupportRequestStatus } from '../support-requests.ts';
import { consoleAmount, consoleCsrfInput, consoleInstant, consoleNotice, memberName, noticeText } from './layout.ts';

/** The customer as casework pages show them. */
export interface CaseCustomerView {
  id: string;
  name: string;
  email: string;
  locale: string;
  timeZone: string;
}

/** The notices a casework POST redirects with (`?notice=`): a fixed map, never text from the request. */
export const CASEWORK_NOTICES = {
  replied: 'Answer sent: the customer gets it by mail in their language.',
  closed: 'Question closed. The customer sees it closed in the portal.',
  approved: 'Plan approved: it is active and the customer gets the confirmation with the schedule by mail.',
} as const;
export type CaseworkNotice = keyof typeof CASEWORK_NOTICES;

/** The notice line for `?notice=<code>` (nothing for an unknown code). */
export function caseworkNotice(code: string | undefined): Html | '' {
  return consoleNotice(noticeText(CASEWORK_NOTICES, code));
}

const amount = consoleAmount;

/** The language a locale names, in English, with the locale itself ("German (Germany), de-DE"). */
export function languageOf(locale: string): string {
  try {
    const name = new Intl.DisplayNames(['en'], { type: 'language' }).of(locale);
    return name && name !== locale ? `${name}, ${locale}` : locale;
  } catch {
    return locale;
  }
}

/** "by <name>" for a staff id (the id when no member has it), else the name the admin API recorded. */
export function actor(staffId: string | undefined, names: ReadonlyMap<string, string>, recorded?: string): string {
  if (staffId) return `by ${memberName(staffId, names)}`;
  return recorded ? `by ${recorded}` : '';
}

// ---------------------------------------------------------------------------------------------------------------
// Questions

const QUESTION_STATUS: Record<SupportRequestStatus, { label: string; badge: string }> = {
  open: { label: 'Open', badge: 'badge badge-open' },
  answered: { label: 'Answered', badge: 'badge badge-answered' },
  closed: { label: 'Closed', badge: 'badge' },
};

export type QuestionFilter = SupportRequestStatus | 'all';
const FILTERS: readonly { value: QuestionFilter; label: string }[] = [
  { value: 'open', label: 'Open (oldest first)' },
  { value: 'answered', label: 'Answered' },
  { value: 'closed', label: 'Closed' },
  { value: 'all', label: 'All (newest first)' },
];

export const questionPath = (q: { customerId: string; id: string }) => `/console/questions/${encodeURIComponent(q.customerId)}/${encodeURIComponent(q.id)}`;

export interface QuestionRow {
  id: string;
  customerId: string;
  subject: string;
  invoiceNumber?: string;
  status: SupportRequestStatus;
  createdAt: string;
  replyCount: number;
  lastReplyAt?: string;
  customer?: { name: string };
}

export interface QuestionsPageInput {
  status: QuestionFilter;
  items: readonly QuestionRow[];
  /** The next page's cursor, if there is one. */
  nextCursor: string | null;
  notice?: string;
}

function statusBadge(status: SupportRequestStatus): Html {
  const s = QUESTION_STATUS[status];
  return html`<span class="${s.badge}">${s.label}</span>`;
}

/** GET /console/questions: the status filter, the questions (a table that stacks on a phone), the next page link. */
export function renderQuestionsList(input: QuestionsPageInput): Html {
  const filter = html`<form class="inline" method="get" action="/console/questions"><div class="field"><label for="q-status">Status</label><select id="q-status" name="status">${FILTERS.map(
    (f) => html`<option value="${f.value}"${f.value === input.status ? html` selected` : ''}>${f.label}</option>`,
  )}</select></div><button type="submit" class="btn-secondary">Show</button></form>`;
  // A filtered page may come back empty with more after it (answered and closed share one listing).
  const empty = input.nextCursor ? 'None on this page: see the next one.' : input.status === 'open' ? 'No open questions: every question has an answer.' : 'No questions here.';
  const rows = input.items.map(
    (q) => html`<tr><td data-label="Asked">${consoleInstant(q.createdAt)}</td><td data-label="Customer">${q.customer?.name ?? q.customerId}</td><td data-label="Question"><a href="${questionPath(q)}">${q.subject}</a></td><td data-label="Invoice">${q.invoiceNumber ?? html`<span class="muted">—</span>`}</td><td data-label="Status">${statusBadge(q.status)}</td><td data-label="Answers" class="num">${q.replyCount}</td><td data-label="Last answer">${q.lastReplyAt ? consoleInstant(q.lastReplyAt) : html`<span class="muted">—</span>`}</td></tr>`,
  );
  const table = input.items.length
    ? html`<table class="rows"><caption class="visually-hidden">Questions</caption><thead><tr><th scope="col">Asked</th><th scope="col">Customer</th><th scope="col">Question</th><th scope="col">Invoice</th><th scope="col">Status</th><th scope="col" class="num">Answers</th><th scope="col">Last answer</th></tr></thead><tbody>${rows}</tbody></table>`
    : html`<p class="muted">${empty}</p>`;
  const next = input.nextCursor
    ? html`<p class="actions"><a href="/console/questions?${new URLSearchParams({ status: input.status, cursor: input.nextCursor }).toString()}">Next page</a></p>`
    : '';
  return html`${caseworkNotice(input.notice)}${filter}${table}${next}`;
}

export interface QuestionThreadInput {
  request: SupportRequest;
  customer?: CaseCustomerView;
  invoice?: Pick<Invoice, 'id' | 'number' | 'currency' | 'total' | 'balanceDue' | 'dueDate' | 'status'>;
  /** Staff members' names by id (who answered, who closed). */
  staff: ReadonlyMap<string, string>;
  csrf: string;
  /** The member may change things (answer, close); a viewer sees no forms. */
  mayChange: boolean;
  notice?: string;
}

/** GET /console/questions/{customerId}/{id}: the question, who asked and about what, the answers, the forms. */
export function renderQuestionThread(input: QuestionThreadInput): Html {
  const { request: q, customer, invoice } = input;
  const details = html`<dl class="details">
<dt>Customer</dt><dd>${customer ? html`<a href="/console/customers/${encodeURIComponent(customer.id)}">${customer.name}</a>` : q.customerId}</dd>
${customer ? html`<dt>E-mail</dt><dd>${customer.email}</dd><dt>Language</dt><dd>${languageOf(customer.locale)}</dd>` : ''}
<dt>Asked</dt><dd>${consoleInstant(q.createdAt)}</dd>
<dt>Status</dt><dd>${statusBadge(q.status)}${q.status === 'closed' && q.closedAt ? html` <span class="muted">${consoleInstant(q.closedAt)} ${actor(q.closedByStaffId, input.staff, q.closedBy)}</span>` : ''}</dd>
${
  invoice
    ? html`<dt>Invoice</dt><dd>${invoice.number} · ${amount(invoice.total, invoice.currency)} · still owed ${amount(invoice.balanceDue, invoice.currency)} · due ${invoice.dueDate} · ${invoice.status.replace('_', ' ')}</dd>`
    : q.invoiceNumber
      ? html`<dt>Invoice</dt><dd>${q.invoiceNumber}</dd>`
      : ''
}
</dl>`;
  const question = html`<section class="card" aria-labelledby="question-heading"><h2 id="question-heading">${q.subject}</h2><p>${lines(q.message)}</p>${(q.replies ?? []).map(
    (r) => html`<div class="reply"><p class="muted">Answered ${consoleInstant(r.at)} ${actor(r.staffId, input.staff, r.by)}</p><p>${lines(r.body)}</p></div>`,
  )}</section>`;
  const version = html`<input type="hidden" name="version" value="${q.version ?? 0}">`;
  const language = customer ? languageOf(customer.locale) : 'their language';
  const forms =
    q.status === 'closed'
      ? html`<p class="muted">This question is closed: the customer can ask a new one in the portal.</p>`
      : input.mayChange
        ? html`<section class="card" aria-labelledby="answer-heading"><h2 id="answer-heading">Answer</h2>
<form method="post" action="${questionPath(q)}/replies">${consoleCsrfInput(input.csrf)}${version}
<div class="field"><label for="a-body">Your answer</label><textarea id="a-body" name="body" required maxlength="4000" rows="6" aria-describedby="a-body-hint"></textarea>
<p id="a-body-hint" class="muted">Mailed to the customer as written, in a mail in ${language}; at most 4000 characters.</p></div>
<fieldset><legend class="visually-hidden">After answering</legend><label class="choice"><input type="checkbox" name="close" value="on"> Close the question with this answer</label></fieldset>
<div class="actions"><button type="submit" class="btn">Send answer</button></div></form>
<form method="post" action="${questionPath(q)}/close">${consoleCsrfInput(input.csrf)}${version}<div class="actions"><button type="submit" class="btn-secondary">Close without answering</button></div></form></section>`
        : html`<p class="muted">Your role is read only: you cannot answer or close questions.</p>`;
  return html`${caseworkNotice(input.notice)}${details}${question}${forms}<p><a href="/console/questions">Back to the questions</a></p>`;
}

// ---------------------------------------------------------------------------------------------------------------
// Payment plans

const PLAN_STATUS: Record<PlanStatus, { label: string; badge: string }> = {
  pending_approval: { label: 'Waiting for approval', badge: 'badge badge-medium' },
  active: { label: 'Active', badge: 'badge badge-open' },
  completed: { label: 'Completed', badge: 'badge badge-paid' },
  defaulted: { label: 'Defaulted', badge: 'badge badge-overdue' },
  cancelled: { label: 'Cancelled', badge: 'badge' },
};

const SECTION_TITLE: Record<PlanStatus, string> = {
  pending_approval: 'Waiting for approval',
  active: 'Active plans',
  completed: 'Completed plans',
  defaulted: 'Defaulted plans',
  cancelled: 'Cancelled plans',
};

const FREQUENCY: Record<PaymentPlan['frequency'], string> = { weekly: 'weekly', biweekly: 'every two weeks', monthly: 'monthly' };

export const planPath = (plan: { id: string }) => `/console/plans/${encodeURIComponent(plan.id)}`;

function planBadge(status: PlanStatus): Html {
  const s = PLAN_STATUS[status];
  return html`<span class="${s.badge}">${s.label}</span>`;
}

/** The next instalment still owed on a plan, given what its invoices owe now: when, how much of it is still owed. */
export function nextInstalment(plan: Pick<PaymentPlan, 'total' | 'instalments'>, coveredBalance: number): { seq: number; dueDate: string; owed: number } | undefined {
  const progress = planProgress(plan, coveredBalance);
  const next = progress.instalments.find((i) => !i.paid);
  if (!next) return undefined;
  // Part of it may be paid already (payments apply to instalments in order).
  return { seq: next.seq, dueDate: next.dueDate, owed: Math.min(next.amount, next.owedUpTo - progress.paid) };
}

function schedule(plan: Pick<PaymentPlan, 'instalments' | 'frequency'>): string {
  const regular = plan.instalments.filter((i) => i.seq > 0).length;
  const down = plan.instalments.some((i) => i.seq === 0);
  return `${regular} × ${FREQUENCY[plan.frequency]}${down ? ' after a down payment' : ''}`;
}

export interface PlanRow {
  plan: PaymentPlan;
  customer?: { name: string; timeZone: string };
  /** What the plan's invoices still owe now (active plans). */
  coveredBalance?: number;
}

export interface PlansPageInput {
  sections: readonly { status: PlanStatus; items: readonly PlanRow[]; nextCursor: string | null }[];
  now: Date;
  notice?: string;
}

function pendingTable(items: readonly PlanRow[]): Html {
  return html`<table class="rows"><caption class="visually-hidden">Plans waiting for approval</caption><thead><tr><th scope="col">Requested</th><th scope="col">Customer</th><th scope="col" class="num">Total</th><th scope="col">Instalments</th><th scope="col">Why it waits</th><th scope="col"><span class="visually-hidden">Open</span></th></tr></thead><tbody>${items.map(
    ({ plan, customer }) =>
      html`<tr><td data-label="Requested">${consoleInstant(plan.createdAt)}</td><td data-label="Customer">${customer?.name ?? plan.customerId}</td><td data-label="Total" class="num">${amount(plan.total, plan.currency)}</td><td data-label="Instalments">${schedule(plan)}</td><td data-label="Why it waits">${plan.approval.reasons.length ? plan.approval.reasons.join('; ') : html`<span class="muted">—</span>`}</td><td data-label="Open"><a href="${planPath(plan)}">Review plan<span class="visually-hidden"> of ${customer?.name ?? plan.customerId}</span></a></td></tr>`,
  )}</tbody></table>`;
}

function activeTable(items: readonly PlanRow[], now: Date): Html {
  return html`<table class="rows"><caption class="visually-hidden">Active plans</caption><thead><tr><th scope="col">Customer</th><th scope="col" class="num">Total</th><th scope="col" class="num">Paid so far</th><th scope="col">Next instalment</th><th scope="col"><span class="visually-hidden">Open</span></th></tr></thead><tbody>${items.map(({ plan, customer, coveredBalance }) => {
    const covered = coveredBalance ?? plan.total;
    const next = nextInstalment(plan, covered);
    const today = localDate(now, customer?.timeZone ?? 'UTC');
    const late = next && next.dueDate < today;
    const nextText = next
      ? html`${next.dueDate} · ${amount(next.owed, plan.currency)}${late ? html` <span class="badge badge-overdue">Overdue</span>` : ''}`
      : html`<span class="muted">All paid</span>`;
    return html`<tr><td data-label="Customer">${customer?.name ?? plan.customerId}</td><td data-label="Total" class="num">${amount(plan.total, plan.currency)}</td><td data-label="Paid so far" class="num">${amount(Math.max(0, plan.total - covered), plan.currency)}</td><td data-label="Next instalment">${nextText}</td><td data-label="Open"><a href="${planPath(plan)}">Open plan<span class="visually-hidden"> of ${customer?.name ?? plan.customerId}</span></a></td></tr>`;
  })}</tbody></table>`;
}

function endedTable(items: readonly PlanRow[]): Html {
  return html`<table class="rows"><caption class="visually-hidden">Plans</caption><thead><tr><th scope="col">Requested</th><th scope="col">Customer</th><th scope="col" class="num">Total</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Open</span></th></tr></thead><tbody>${items.map(
    ({ plan, customer }) =>
      html`<tr><td data-label="Requested">${consoleInstant(plan.createdAt)}</td><td data-label="Customer">${customer?.name ?? plan.customerId}</td><td data-label="Total" class="num">${amount(plan.total, plan.currency)}</td><td data-label="Status">${planBadge(plan.status)}</td><td data-label="Open"><a href="${planPath(plan)}">Open plan<span class="visually-hidden"> of ${customer?.name ?? plan.customerId}</span></a></td></tr>`,
  )}</tbody></table>`;
}

/** GET /console/plans: a section per status (waiting for approval first, then active), each with its next page link. */
export function renderPlansList(input: PlansPageInput): Html {
  const sections = input.sections.map((s) => {
    const id = `plans-${s.status}`;
    const empty = s.status === 'pending_approval' ? 'No plan is waiting for approval.' : 'None.';
    const table = !s.items.length
      ? html`<p class="muted">${empty}</p>`
      : s.status === 'pending_approval'
        ? pendingTable(s.items)
        : s.status === 'active'
          ? activeTable(s.items, input.now)
          : endedTable(s.items);
    const next = s.nextCursor ? html`<p class="actions"><a href="/console/plans?${new URLSearchParams({ status: s.status, cursor: s.nextCursor }).toString()}">More: ${SECTION_TITLE[s.status].toLowerCase()}</a></p>` : '';
    return html`<section aria-labelledby="${id}"><h2 id="${id}">${SECTION_TITLE[s.status]}</h2>${table}${next}</section>`;
  });
  const others = html`<p class="muted">Ended plans: <a href="/console/plans?status=completed">completed</a> · <a href="/console/plans?status=defaulted">defaulted</a> · <a href="/console/plans?status=cancelled">cancelled</a>. <a href="/console/promises">Promises to pay</a></p>`;
  return html`${caseworkNotice(input.notice)}${sections}${others}`;
}

export interface PlanDetailInput {
  plan: PaymentPlan;
  customer?: CaseCustomerView;
  invoices: readonly Pick<Invoice, 'id' | 'number' | 'currency' | 'total' | 'balanceDue' | 'dueDate' | 'status'>[];
  staff: ReadonlyMap<string, string>;
  now: Date;
  csrf: string;
  mayChange: boolean;
  notice?: string;
}

function approvalText(plan: PaymentPlan, staff: ReadonlyMap<string, string>): string {
  if (plan.status === 'pending_approval') return 'Waiting for staff';
  const at = plan.approval.at ? ` on ${consoleInstant(plan.approval.at)}` : '';
  if (plan.approval.by === 'policy') return `By policy (inside its limits)${at}`;
  return plan.approval.staffId ? `${at.trim()} ${actor(plan.approval.staffId, staff)}`.trim() : `By staff${at}`;
}

/** GET /console/plans/{id}: the plan (status, customer, approval), its invoices now, its instalments, the approve form. */
export function renderPlanDetail(input: PlanDetailInput): Html {
  const { plan, customer } = input;
  const covered = input.invoices.reduce((s, i) => s + i.balanceDue, 0);
  // A plan not yet in force has nothing paid towards it: its schedule is as requested.
  const progress = planProgress(plan, plan.status === 'pending_approval' ? plan.total : covered);
  const today = localDate(input.now, customer?.timeZone ?? 'UTC');
  const details = html`<dl class="details">
<dt>Customer</dt><dd>${customer ? html`<a href="/console/customers/${encodeURIComponent(customer.id)}">${customer.name}</a>` : plan.customerId}</dd>
${customer ? html`<dt>E-mail</dt><dd>${customer.email}</dd><dt>Language</dt><dd>${languageOf(customer.locale)}</dd>` : ''}
<dt>Status</dt><dd>${planBadge(plan.status)}</dd>
<dt>Requested</dt><dd>${consoleInstant(plan.createdAt)} by ${plan.requestedBy === 'customer' ? 'the customer' : 'staff'}</dd>
<dt>Approval</dt><dd>${approvalText(plan, input.staff)}</dd>
${plan.approval.reasons.length ? html`<dt>Outside the policy</dt><dd>${plan.approval.reasons.join('; ')}</dd>` : ''}
<dt>Total</dt><dd>${amount(plan.total, plan.currency)}</dd>
${plan.status !== 'pending_approval' ? html`<dt>Paid so far</dt><dd>${amount(progress.paid, plan.currency)}</dd>` : ''}
<dt>Schedule</dt><dd>${schedule(plan)}, ${plan.graceDays} days' grace</dd>
<dt>Payment reference</dt><dd>${plan.paymentReference}</dd>
</dl>`;
  const invoices = html`<section aria-labelledby="plan-invoices"><h2 id="plan-invoices">Invoices</h2><table class="rows"><caption class="visually-hidden">Invoices in the plan</caption><thead><tr><th scope="col">Invoice</th><th scope="col">Due</th><th scope="col" class="num">Total</th><th scope="col" class="num">Still owed</th><th scope="col">Status</th></tr></thead><tbody>${input.invoices.map(
    (i) => html`<tr><td data-label="Invoice">${i.number}</td><td data-label="Due">${i.dueDate}</td><td data-label="Total" class="num">${amount(i.total, i.currency)}</td><td data-label="Still owed" class="num">${amount(i.balanceDue, i.currency)}</td><td data-label="Status">${i.status.replace('_', ' ')}</td></tr>`,
  )}</tbody></table></section>`;
  const paidCell = (i: Instalment & { paid: boolean }) => {
    if (plan.status === 'pending_approval') return html`<span class="muted">Not in force yet</span>`;
    if (i.paid) return html`<span class="badge badge-paid">Paid</span>`;
    return i.dueDate < today ? html`<span class="badge badge-overdue">Overdue</span>` : html`<span class="badge badge-open">Due</span>`;
  };
  const instalments = html`<section aria-labelledby="plan-instalments"><h2 id="plan-instalments">Instalments</h2><table class="rows"><caption class="visually-hidden">Instalments</caption><thead><tr><th scope="col">Instalment</th><th scope="col">Due</th><th scope="col" class="num">Amount</th><th scope="col">Paid</th></tr></thead><tbody>${progress.instalments.map(
    (i) => html`<tr><td data-label="Instalment">${i.seq === 0 ? 'Down payment' : `${i.seq} of ${plan.instalments.filter((x) => x.seq > 0).length}`}</td><td data-label="Due">${i.dueDate}</td><td data-label="Amount" class="num">${amount(i.amount, plan.currency)}</td><td data-label="Paid">${paidCell(i)}</td></tr>`,
  )}</tbody></table></section>`;
  const approve =
    plan.status !== 'pending_approval'
      ? ''
      : input.mayChange
        ? html`<section class="card" aria-labelledby="approve-heading"><h2 id="approve-heading">Approve</h2><p>Approving puts the plan in force over what its invoices owe today; the instalments move by the days since the request. The customer gets the confirmation with the schedule by mail.</p><form method="post" action="${planPath(plan)}/approve">${consoleCsrfInput(input.csrf)}<div class="actions"><button type="submit" class="btn">Approve plan</button></div></form></section>`
        : html`<p class="muted">Your role is read only: you cannot approve plans.</p>`;
  return html`${caseworkNotice(input.notice)}${details}${approve}${invoices}${instalments}<p><a href="/console/plans">Back to the plans</a></p>`;
}

// ---------------------------------------------------------------------------------------------------------------
// Promises to pay

type PromiseStatus = InvoicePromise['status'];
const PROMISE_STATUS: Record<PromiseStatus, { label: string; badge: string; title: string }> = {
  open: { label: 'Open', badge: 'badge badge-promised', title: 'Open promises (newest first)' },
  kept: { label: 'Kept', badge: 'badge badge-paid', title: 'Kept promises (latest first)' },
  broken: { label: 'Broken', badge: 'badge badge-overdue', title: 'Broken promises (latest first)' },
};

export interface PromiseRow {
  id: string;
  customerId: string;
  invoiceId: string;
  invoiceNumber: string;
  currency: string;
  date: string;
  amount?: number;
  balanceAtPromise: number;
  status: PromiseStatus;
  madeAt: string;
  settledAt?: string;
  source: 'portal' | 'staff';
  customer?: { name: string };
}

export interface PromisesPageInput {
  status: PromiseStatus;
  items: readonly PromiseRow[];
  nextCursor: string | null;
}

/** GET /console/promises: promises to pay of one status, a page at a time, with a status filter. */
export function renderPromisesList(input: PromisesPageInput): Html {
  const filter = html`<form class="inline" method="get" action="/console/promises"><div class="field"><label for="p-status">Status</label><select id="p-status" name="status">${(Object.keys(PROMISE_STATUS) as PromiseStatus[]).map(
    (s) => html`<option value="${s}"${s === input.status ? html` selected` : ''}>${PROMISE_STATUS[s].label}</option>`,
  )}</select></div><button type="submit" class="btn-secondary">Show</button></form>`;
  const rows = input.items.map((p) => {
    const s = PROMISE_STATUS[p.status];
    return html`<tr><td data-label="Made">${consoleInstant(p.madeAt)} <span class="muted">(${p.source === 'portal' ? 'customer' : 'staff'})</span></td><td data-label="Customer">${p.customer ? html`<a href="/console/customers/${encodeURIComponent(p.customerId)}">${p.customer.name}</a>` : p.customerId}</td><td data-label="Invoice">${p.invoiceNumber}</td><td data-label="Pay by">${p.date}</td><td data-label="Amount" class="num">${p.amount !== undefined ? amount(p.amount, p.currency) : html`the balance (${amount(p.balanceAtPromise, p.currency)})`}</td><td data-label="Status"><span class="${s.badge}">${s.label}</span>${p.settledAt ? html` <span class="muted">${consoleInstant(p.settledAt)}</span>` : ''}</td></tr>`;
  });
  const table = input.items.length
    ? html`<table class="rows"><caption class="visually-hidden">${PROMISE_STATUS[input.status].title}</caption><thead><tr><th scope="col">Made</th><th scope="col">Customer</th><th scope="col">Invoice</th><th scope="col">Pay by</th><th scope="col" class="num">Amount</th><th scope="col">Status</th></tr></thead><tbody>${rows}</tbody></table>`
    : html`<p class="muted">No ${PROMISE_STATUS[input.status].label.toLowerCase()} promises.</p>`;
  const next = input.nextCursor
    ? html`<p class="actions"><a href="/console/promises?${new URLSearchParams({ status: input.status, cursor: input.nextCursor }).toString()}">Next page</a></p>`
    : '';
  return html`${filter}<h2>${PROMISE_STATUS[input.status].title}</h2>${table}${next}`;
}

import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACTION_SHARDS, functions } from '../../shared/topology.ts';
import { defaultVars, renderFile, samplePath } from '../../local/events.ts';
import { invoke } from '../../local/invoke.ts';
import { getEvent } from '../../shared/store/inbox.ts';
import { api, eventually, newCustomer, newInvoice, sentMail, stack } from '../support/stack.ts';
import { invoiceState, ledgerAgrees, processed, stripeSample } from '../support/flows.ts';
import { withFakeStripe } from '../support/fake-stripe.ts';
import { linkToken } from '../support/links.ts';
import { SESSION_COOKIE } from '../../shared/domain/portal/session-rules.ts';
import { paymentIdFor } from '../../shared/services/payments.ts';
import { PortalClient, signIn, signInLinks } from '../support/portal.ts';
import { consoleSignIn, mailedConsoleLink } from '../support/console.ts';
import { staffIdFor } from '../../shared/services/console-auth.ts';
import { createDelivery } from '../../shared/store/subscriptions.ts';
import { commitSupportRequest } from '../../shared/store/support-requests.ts';

/**
 * What each scheduled or SNS-triggered sample returns, given the sample's own `time`. A sweep only starts its
 * shards (the collections worker does the work); the SES sample is a permanent bounce to an address of nobody's.
 */
const expectedResults: Record<string, (now: string, result: Record<string, unknown>) => unknown> = {
  reminders: (now) => ({ function: 'reminders', now, shards: ACTION_SHARDS }),
  interest: (now) => ({ function: 'interest', now, shards: ACTION_SHARDS }),
  escalation: (now) => ({ function: 'escalation', now, shards: ACTION_SHARDS }),
  'inbox-redrive': () => ({ redriven: expect.any(Number), mailed: expect.any(Number) }),
  // One page of 100 customers: when the stack holds more, the run is not complete and carries the cursor to go on from.
  statements: (now, result) => ({
    function: 'statements',
    now,
    sent: expect.any(Number),
    pages: 1,
    ...(result.complete === false ? { complete: false, cursor: expect.any(Object) } : { complete: true }),
  }),
  'ses-events': () => ({ suppressed: 1, alreadySuppressed: 0, customersFlagged: 0, ignored: 0 }),
  // The insights run only starts its paged work (the collections worker fits the model): as of the day before.
  insights: (now) => ({ function: 'insights', now, asOf: new Date(Date.parse(now) - 86_400_000).toISOString().slice(0, 10) }),
  // The outbox sweep publishes whatever records of the shared stack are still pending after the grace period.
  events: () => ({ published: expect.any(Number), failed: 0 }),
  // The webhook retry sweep queues whatever deliveries of the shared stack are due.
  'webhook-deliveries': (now) => ({ function: 'webhook-deliveries', now, queued: expect.any(Number) }),
};

/**
 * The portal samples' sessions, started through the real routes (login form → mailed link → its POST): one for the
 * signed-in samples, one of its own for the logout sample (it runs first, and ends the session it carries); and an
 * unspent mailed sign-in link for the session samples (GET shows its page, POST spends it). Three sign-in mails: the
 * limit per address, so the login sample's request is answered the same 200 without a fourth mail.
 */
async function portalVars(email: string) {
  const main = await signIn(email);
  const logout = await signIn(email);
  const subject = /^(Your sign-in link|Ihr Anmeldelink)$/;
  const before = (await sentMail(email)).filter((m) => subject.test(m.subject)).length;
  const login = await new PortalClient().post('/portal/login', { email });
  if (login.status !== 200) throw new Error(`login answered ${login.status}`);
  const link = new URL((await signInLinks(email, before + 1)).at(-1) as string);
  const cookie = (client: PortalClient) => {
    const value = client.cookies.get(SESSION_COOKIE);
    if (!value) throw new Error('no portal session cookie');
    return value;
  };
  return {
    customerEmail: email,
    portalSession: cookie(main.client),
    portalCsrf: encodeURIComponent(main.csrf),
    portalLogoutSession: cookie(logout.client),
    portalLogoutCsrf: encodeURIComponent(logout.csrf),
    portalLinkCustomer: link.searchParams.get('c') ?? '',
    portalLinkToken: link.searchParams.get('t') ?? '',
  };
}

/**
 * The console samples' sessions (collectors signed in through the real routes, like the portal's): one for the
 * signed-in samples, one of its own for the logout sample (it ends the session it carries); an unspent mailed link
 * for the session samples; and the address of a member the POST /staff sample adds and the DELETE sample removes.
 */
async function consoleVars(unique: string) {
  const [main, logout] = await Promise.all([
    consoleSignIn({ role: 'collector', name: 'Sample Collector' }),
    consoleSignIn({ role: 'collector', name: 'Sample Collector (sign-out)' }),
  ]);
  const link = new URL(await mailedConsoleLink(main.email), stack.apiUrl);
  const staffSampleEmail = `sample-staff-${unique}@example.com`;
  return {
    consoleSession: main.cookie,
    consoleCsrf: encodeURIComponent(main.csrf),
    consoleLogoutSession: logout.cookie,
    consoleLogoutCsrf: encodeURIComponent(logout.csrf),
    consoleLinkStaff: link.searchParams.get('s') ?? '',
    consoleLinkToken: link.searchParams.get('t') ?? '',
    staffSampleEmail,
    staffSampleId: staffIdFor(staffSampleEmail),
  };
}

/**
 * The console's customer samples: a customer of their own (the hold does not pause the sample customer's reminders)
 * with an invoice to find and extend at the version it has, an open dispute to resolve, and a hold to release.
 */
async function consoleCustomerVars() {
  const customer = await newCustomer();
  const extend = await newInvoice(customer.id, { amount: 4_000 });
  const disputed = await newInvoice(customer.id, { amount: 6_000 });
  const dispute = await api('POST', `/invoices/${disputed.id}/disputes`, { reason: 'sample', amount: 3_000 });
  const hold = await api('POST', `/customers/${customer.id}/holds`, { reason: 'sample' });
  const [shown, profile] = [await api('GET', `/invoices/${extend.id}`), await api('GET', `/customers/${customer.id}`)];
  if (dispute.status !== 201 || hold.status !== 201 || shown.status !== 200) throw new Error(`console customer samples: ${dispute.text} ${hold.text} ${shown.text}`);
  const after = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  return {
    consoleCustomerId: customer.id,
    consoleCustomerVersion: String(profile.body.version),
    consoleHoldUntil: after(new Date().toISOString().slice(0, 10), 30),
    consoleHoldId: hold.body.id as string,
    consoleInvoiceId: extend.id,
    consoleInvoiceNumber: extend.number,
    consoleInvoiceVersion: String(shown.body.version),
    consoleExtensionDate: after(shown.body.dueDate as string, 14),
    consoleDisputeId: dispute.body.id as string,
    consoleDisputeInvoiceId: disputed.id,
  };
}

/** What the webhook samples' URL says: a subscriber nobody runs (every attempt is refused at once). */
const SAMPLE_SUBSCRIBER = 'sample subscriber (nothing listens: every attempt fails)';

/**
 * The webhook samples' subscription (the POST sample's body, so nothing listens at its URL) with one pending delivery
 * for the retry and worker samples; the DELETE sample, its function's last, deletes it.
 */
async function webhookVars() {
  const created = await api('POST', '/subscriptions', { url: 'http://127.0.0.1:9/sample-subscriber', types: ['customer.mail_suppressed'], description: SAMPLE_SUBSCRIBER });
  if (created.status !== 201) throw new Error(`subscription not created: ${created.status} ${created.text}`);
  const webhookEventId = `evt_sample_${Date.now().toString(36)}`;
  const now = new Date();
  await createDelivery(
    { subscriptionId: created.body.id, eventId: webhookEventId, eventType: 'customer.mail_suppressed', body: '{}', createdAt: now.toISOString() },
    new Date(now.getTime() + 300_000).toISOString(),
  );
  return { subscriptionId: created.body.id as string, webhookEventId };
}

/** A question as the portal stores it (asking through the portal is the portal sample's; this one must exist first). */
async function sampleQuestion(customerId: string): Promise<string> {
  const id = `sr_sample_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const stored = await commitSupportRequest(
    { id, customerId, subject: 'Billing address', message: 'Please send future invoices to our new address.', status: 'open', createdAt: new Date().toISOString(), source: 'portal', version: 0 },
    undefined,
  );
  if (!stored) throw new Error('sample question not stored');
  return id;
}

/**
 * The console's payment samples: a check of a customer of their own waiting in review (no invoice has its amount), the
 * invoice the allocation sample applies 12.34 to, and the payment's revisions the allocation and reverse forms carry
 * (the samples run in that order: the allocation moves the payment one revision on).
 */
async function consolePaymentVars() {
  const customer = await newCustomer();
  const allocation = await newInvoice(customer.id, { amount: 9_000 });
  const other = await newInvoice(customer.id, { amount: 8_000 });
  const res = await api('POST', '/payments', { customerId: customer.id, method: 'check', reference: `sample-${Date.now().toString(36)}`, amount: 1_234, currency: 'EUR', receivedDate: '2026-11-20' });
  if (res.status !== 201 || res.body.status !== 'unapplied') throw new Error(`console sample payment not waiting in review: ${res.status} ${res.text}`);
  return {
    consolePaymentId: res.body.id as string,
    consoleAllocationInvoiceId: allocation.id,
    consoleOtherInvoiceId: other.id,
    consolePaymentRevision: String(res.body.revision),
    consoleReverseRevision: String((res.body.revision as number) + 1),
  };
}

const triggers = functions.flatMap((fn) => fn.triggers.map((trigger) => ({ fn, trigger, file: samplePath(trigger, fn.name) })));

describe('sample events (events/)', () => {
  it.each(triggers.map((t) => [t.fn.name, t.file]))('%s has a sample event %s', (_name, file) => {
    expect(existsSync(file)).toBe(true);
  });

  it('every sample, invoked through its handler against the emulators, is handled without a server error', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id);
    const base = defaultVars(new Date(), { ADMIN_API_KEY: stack.adminKey, STRIPE_WEBHOOK_SECRET: stack.stripeWebhookSecret, BANK_WEBHOOK_SECRET: stack.bankWebhookSecret });
    // A payment waiting in review (its metadata names no invoice of ours), for the allocation samples.
    const waiting = await stripeSample('payment_intent.succeeded', { ...base, invoiceId: 'inv_unknown', paymentIntent: `waiting_${base.unique}` });
    const vars = {
      ...base,
      customerId: customer.id,
      invoiceId: invoice.id,
      eventId: 'evt_not_stored',
      paymentId: paymentIdFor("stripe", waiting.data.object.id),
      allocationInvoiceId: (await newInvoice(customer.id, { amount: 5000 })).id,
      payInvoiceId: (await newInvoice(customer.id, { amount: 700 })).id,
      // The bank sample quotes a reference of no invoice: paying by reference would teach the system that the sample's
      // debtor account (Muster GmbH's, which bank.test.ts registers) belongs to this customer.
      reference: 'RF18539007547034',
      invoiceNumber: invoice.number,
      // Collections samples: an invoice to dispute, an open dispute to resolve, a hold to release.
      disputeInvoiceId: (await newInvoice(customer.id, { amount: 9000 })).id,
      disputeId: (await api('POST', `/invoices/${(await newInvoice(customer.id, { amount: 8000 })).id}/disputes`, { reason: 'sample', amount: 5000 })).body.id,
      holdId: (await api('POST', `/customers/${customer.id}/holds`, { reason: 'sample' })).body.id,
      // A question of the sample customer's for staff to read, answer and close (in that order: the samples' order).
      supportRequestId: await sampleQuestion(customer.id),
      // The console's: one to answer, one to close (each at version 0, whatever the admin samples did to theirs).
      consoleQuestionId: await sampleQuestion(customer.id),
      consoleCloseQuestionId: await sampleQuestion(customer.id),
      ...(await consoleCustomerVars()),
      // Payment plans and signed customer links.
      planInvoiceId: (await newInvoice(customer.id, { amount: 9000 })).id,
      planRequestInvoiceId: (await newInvoice(customer.id, { amount: 9000 })).id,
      planId: (await api('POST', '/payment-plans', { customerId: customer.id, invoiceIds: [(await newInvoice(customer.id, { amount: 9000 })).id], instalments: 2, frequency: 'monthly' })).body.id,
      // Revoking links: a customer of its own (the sample customer's links must keep working for the other samples).
      revokeCustomerId: (await newCustomer()).id,
      // SES notification samples (events/sns/): an address of nobody's, so no other test's mail is suppressed.
      email: `sample-${base.unique}@example.com`,
      // Portal samples: invoices of the sample customer's own (the sample invoice is the one the Stripe sample pays),
      // to show and pay (one Checkout Session for two), to dispute, to promise (a week ahead), to ask for a plan.
      portalInvoiceId: (await newInvoice(customer.id, { amount: 6000 })).id,
      portalPayInvoiceId: (await newInvoice(customer.id, { amount: 4000 })).id,
      portalDisputeInvoiceId: (await newInvoice(customer.id, { amount: 7000 })).id,
      portalPromiseInvoiceId: (await newInvoice(customer.id, { amount: 3000 })).id,
      portalPlanInvoiceId: (await newInvoice(customer.id, { amount: 9000 })).id,
      portalPromiseDate: new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10),
      ...(await portalVars(customer.email)),
      ...(await webhookVars()),
      ...(await consolePaymentVars()),
      ...(await consoleVars(String(base.unique))),
    };
    const payToken = linkToken({ purpose: 'pay', id: vars.payInvoiceId });
    Object.assign(vars, {
      feedbackToken: linkToken({ purpose: 'feedback', id: customer.id, context: `plan:${vars.planId}` }),
      preferencesToken: linkToken({ purpose: 'preferences', id: customer.id }),
      planRequestToken: linkToken({ purpose: 'plan-request', id: customer.id }),
    });
    await withFakeStripe(async () => {
    for (const { fn, trigger, file } of triggers) {
      const sample = renderFile(file, { ...vars, payToken }) as { time?: string; body?: string };
      const result = (await invoke(fn, sample)) as { statusCode?: number; batchItemFailures?: unknown[] };
      if (trigger.type === 'http') {
        expect(result.statusCode, `${file} → ${JSON.stringify(result)}`).toBeLessThan(400);
        // A signed-in portal or console page without a live session answers 303 to its sign-in form: the sample's session must
        // hold (a sign-out POST goes there by design).
        if (trigger.method === 'GET') expect(['/portal/login', '/console/login'], file).not.toContain((result as { headers?: Record<string, string> }).headers?.location);
        // The Stripe sample's payment is applied by the stack's queue worker before the next sample (a check payment
        // of the same amount from the same customer) could take the invoice.
        if (fn.name === 'stripe-webhook') await processed('stripe', (JSON.parse(sample.body ?? '{}') as { id: string }).id, 20_000);
      } else if (trigger.type === 'queue' || trigger.type === 'stream') {
        expect(result.batchItemFailures, file).toEqual([]);
      } else {
        const expected = expectedResults[fn.name];
        if (!expected) throw new Error(`${file}: no expected result for ${fn.name} (${trigger.type}) — add one to expectedResults`);
        expect(result, file).toEqual(expected(new Date(sample.time ?? 0).toISOString(), result as Record<string, unknown>));
      }
    }
    });
    // The POST /subscriptions sample made a subscription of its own: nothing is delivered to it after this test.
    for (const s of (await api('GET', '/subscriptions?limit=100')).body.items as { id: string; description?: string }[]) {
      if (s.description === SAMPLE_SUBSCRIBER) await api('DELETE', `/subscriptions/${s.id}`);
    }
    // The Stripe webhook sample (its payment intent names the sample invoice) paid the 125.00 EUR invoice through the
    // queue worker of the running stack; the ledger agrees.
    const paid = await eventually(async () => {
      const state = await invoiceState(invoice.id);
      return state.status === 'paid' && state;
    }, 20_000, 'the sample invoice paid');
    expect(paid.balanceDue).toBe(0);
    expect(paid.appliedPayments.map((a) => [a.paymentId, a.amount])).toEqual([[paymentIdFor('stripe', `pi_sample_${String(base.paymentIntent)}`), 12500]]);
    await ledgerAgrees(customer.id, [invoice.id, vars.allocationInvoiceId, vars.payInvoiceId]);
    // Every sample of every function in turn (over a hundred, the console's signed in through the real flow): longer
    // than the integration project's 30 s default on a busy machine.
  }, 90_000);

  it('the Stripe sample sent through the gateway pays a 125.00 EUR invoice', async () => {
    const customer = await newCustomer();
    const invoice = await newInvoice(customer.id, { amount: 12500 });
    const vars = { ...defaultVars(new Date(), { ADMIN_API_KEY: stack.adminKey, STRIPE_WEBHOOK_SECRET: stack.stripeWebhookSecret, BANK_WEBHOOK_SECRET: stack.bankWebhookSecret }), invoiceId: invoice.id };
    const event = renderFile('events/http/POST-webhooks-stripe.json', vars) as { headers: Record<string, string>; body: string };
    const res = await fetch(`${stack.apiUrl}/webhooks/stripe`, { method: 'POST', headers: event.headers, body: event.body });
    expect(res.status).toBe(200);
    const eventId = (JSON.parse(event.body) as { id: string }).id;
    await eventually(async () => (await getEvent('stripe', eventId))?.status === 'processed', 20_000, 'sample processed');
    const state = await invoiceState(invoice.id);
    expect(state).toMatchObject({ status: 'paid', balanceDue: 0 });
    expect(state.appliedPayments).toEqual([expect.objectContaining({ amount: 12500 })]);
    const ledger = await ledgerAgrees(customer.id, [invoice.id]);
    expect(ledger.get('receivable/EUR')).toBe(0);
  });
});

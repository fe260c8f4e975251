/**
 * Signing in to the staff console through the running stack: the staff directory (admin API), the sign-in mail, the
 * mailed link's page and its POST, the session cookie, sign-out, and what ends a session. Every member here has a
 * unique address (other files share the stack); each client connects from a loopback address of its own.
 */
import { describe, expect, it } from 'vitest';
import { CONSOLE_ABSOLUTE_MS, CONSOLE_IDLE_MS } from '../../shared/domain/console/session-rules.ts';
import { staffIdFor } from '../../shared/services/console-auth.ts';
import {
  CONSOLE_LOGIN_SUBJECT,
  consoleCookieOf,
  consoleRequest,
  consoleSignIn,
  mailedConsoleLink,
  newStaffMember,
} from '../support/console.ts';
import { freshClientIp, hiddenFields } from '../support/portal.ts';
import { api, sentMail, unique } from '../support/stack.ts';

const minutes = (n: number) => new Date(Date.now() + n * 60_000);

/** The one-button page of a mailed link, then its POST (from one client). */
async function spend(linkPath: string, ip = freshClientIp(), at?: Date) {
  const page = await consoleRequest('GET', linkPath, { ip, ...(at ? { at } : {}) });
  expect(page.status).toBe(200);
  return consoleRequest('POST', '/console/session', { ip, form: hiddenFields(page.text, '/console/session'), ...(at ? { at } : {}) });
}

/** Finds a member in the directory, page by page (the shared stack's directory holds every test's members). */
async function listed(id: string): Promise<boolean> {
  let cursor: string | null | undefined;
  do {
    const res = await api('GET', `/staff?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status).toBe(200);
    if ((res.body.items as { id: string }[]).some((m) => m.id === id)) return true;
    cursor = res.body.nextCursor as string | null;
  } while (cursor);
  return false;
}

describe('the staff directory (admin API)', () => {
  it('adds a member once per address (201, then 200 with the same member), refuses another name or role (409 naming the field), lists and removes', async () => {
    const email = `${unique('dir')}@example.com`;
    const body = { email: email.toUpperCase(), name: 'Dana Director', role: 'viewer' };
    const first = await api('POST', '/staff', body);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ id: staffIdFor(email), email, name: 'Dana Director', role: 'viewer', sessionVersion: 0, version: 0 });
    expect(first.body.id).toMatch(/^stf_[0-9a-f]{32}$/);

    const again = await api('POST', '/staff', { ...body, email });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);

    const otherName = await api('POST', '/staff', { ...body, name: 'Someone Else' });
    expect(otherName.status).toBe(409);
    expect(otherName.body.error).toMatchObject({ code: 'staff_member_exists', field: 'name' });
    const otherRole = await api('POST', '/staff', { ...body, role: 'collector' });
    expect(otherRole.status).toBe(409);
    expect(otherRole.body.error).toMatchObject({ code: 'staff_member_exists', field: 'role' });

    expect(await listed(first.body.id)).toBe(true);
    const removed = await api('DELETE', `/staff/${first.body.id}`);
    expect(removed.status).toBe(204);
    expect(removed.text).toBe('');
    expect(await listed(first.body.id)).toBe(false);
    expect((await api('DELETE', `/staff/${first.body.id}`)).status).toBe(404);
  });

  it('refuses bad input naming the field, and a tampered cursor', async () => {
    const badEmail = await api('POST', '/staff', { email: 'not-an-address', name: 'X', role: 'viewer' });
    expect(badEmail.status).toBe(400);
    expect(badEmail.body.error.field).toBe('email');
    const badRole = await api('POST', '/staff', { email: `${unique('dir')}@example.com`, name: 'X', role: 'admin' });
    expect(badRole.status).toBe(400);
    expect(badRole.body.error.field).toBe('role');
    const noName = await api('POST', '/staff', { email: `${unique('dir')}@example.com`, name: '  ', role: 'viewer' });
    expect(noName.status).toBe(400);
    expect(noName.body.error.field).toBe('name');
    const cursor = await api('GET', '/staff?cursor=abc.def');
    expect(cursor.status).toBe(400);
    expect(cursor.body.error.field).toBe('cursor');
    expect((await api('POST', '/staff', { email: `${unique('dir')}@example.com`, name: 'X', role: 'viewer' }, { authorization: 'Bearer wrong' })).status).toBe(401);
  });
});

describe('console sign-in', () => {
  it('signs a collector in through the mailed link: a session cookie HttpOnly, SameSite=Strict, Path=/console, no Secure on localhost', async () => {
    const member = await newStaffMember({ role: 'collector', name: 'Casey <Collector>' });
    const linkPath = await mailedConsoleLink(member.email);
    expect(linkPath).toMatch(new RegExp(`^/console/session\\?s=${member.id}&t=login\\.`));
    const mail = (await sentMail(member.email)).find((m) => m.subject === CONSOLE_LOGIN_SUBJECT);
    expect(mail?.body.html).toContain('Casey &lt;Collector&gt;');

    const ip = freshClientIp();
    const page = await consoleRequest('GET', linkPath, { ip });
    expect(page.status).toBe(200);
    expect(page.text).toContain('Signing in as Casey &lt;Collector&gt;');
    const started = await consoleRequest('POST', '/console/session', { ip, form: hiddenFields(page.text, '/console/session') });
    expect(started.status).toBe(303);
    expect(started.headers.get('location')).toBe('/console');
    const [setCookie] = started.headers.getSetCookie();
    expect(setCookie).toMatch(/^console_session=[A-Za-z0-9_-]{43}; /);
    expect(setCookie).toContain('; Path=/console');
    expect(setCookie).toContain('; HttpOnly');
    expect(setCookie).toContain('; SameSite=Strict');
    expect(setCookie).toContain(`; Max-Age=${CONSOLE_ABSOLUTE_MS / 1000}`);
    expect(setCookie).not.toMatch(/;\s*Secure/i);

    const cookie = consoleCookieOf(started) as string;
    const home = await consoleRequest('GET', '/console', { cookie, ip });
    expect(home.status).toBe(200);
    expect(home.text).toContain('Casey &lt;Collector&gt;');
    expect(home.text).toMatch(/<form method="post" action="\/console\/logout"><input type="hidden" name="csrf" value="[A-Za-z0-9_-]{43}">/);
    // Signed in, the sign-in form sends the member on to the console.
    const login = await consoleRequest('GET', '/console/login', { cookie, ip });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/console');
  });

  it('answers the same page for an address that is not a member, and mails nothing to it', async () => {
    const member = await newStaffMember();
    const stranger = `${unique('stranger')}@example.com`;
    const known = await consoleRequest('POST', '/console/login', { form: { email: member.email }, ip: freshClientIp() });
    const unknown = await consoleRequest('POST', '/console/login', { form: { email: stranger }, ip: freshClientIp() });
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect(unknown.text).toBe(known.text);
    expect(await sentMail(stranger)).toEqual([]);
    const bad = await consoleRequest('POST', '/console/login', { form: { email: 'nope<script>' }, ip: freshClientIp() });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Email address:');
    expect(bad.text).not.toContain('<script>');
  });

  it('a link: GET spends nothing; the POST works once (then 410); a forged one is 403', async () => {
    const member = await newStaffMember();
    const linkPath = await mailedConsoleLink(member.email);
    const ip = freshClientIp();
    // Scanners open links: twice here, and the link still works.
    expect((await consoleRequest('GET', linkPath, { ip })).status).toBe(200);
    const first = await spend(linkPath, ip);
    expect(first.status).toBe(303);
    const second = await consoleRequest('POST', '/console/session', { ip, form: Object.fromEntries(new URL(linkPath, 'http://x').searchParams) });
    expect(second.status).toBe(410);
    expect(second.text).toContain('This link has been used');
    expect(consoleCookieOf(second)).toBeUndefined();

    const url = new URL(linkPath, 'http://x');
    const t = url.searchParams.get('t') as string;
    const forged = `/console/session?s=${member.id}&t=${encodeURIComponent(`${t.slice(0, -2)}${t.endsWith('AA') ? 'BB' : 'AA'}`)}`;
    expect((await consoleRequest('GET', forged, { ip })).status).toBe(403);
    // Another member's id with this member's token: the MAC covers the id.
    expect((await consoleRequest('GET', `/console/session?s=${staffIdFor(`${unique('x')}@example.com`)}&t=${encodeURIComponent(t)}`, { ip })).status).toBe(403);
  });

  it('an expired link answers 410 and starts nothing', async () => {
    const member = await newStaffMember();
    const linkPath = await mailedConsoleLink(member.email);
    const ip = freshClientIp();
    const late = minutes(16);
    const page = await consoleRequest('GET', linkPath, { ip, at: late });
    expect(page.status).toBe(410);
    expect(page.text).toContain('This link has expired');
    const post = await consoleRequest('POST', '/console/session', { ip, at: late, form: Object.fromEntries(new URL(linkPath, 'http://x').searchParams) });
    expect(post.status).toBe(410);
    expect(consoleCookieOf(post)).toBeUndefined();
  });

  it('sign-out ends the session: 303 to the sign-in form with the cookie cleared; the old cookie is refused', async () => {
    const staff = await consoleSignIn({ role: 'viewer' });
    const out = await staff.post('/console/logout', {});
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/console/login?notice=signed_out');
    expect(consoleCookieOf(out)).toBe('');
    const login = await consoleRequest('GET', '/console/login?notice=signed_out', { ip: staff.ip });
    expect(login.text).toContain('You have signed out.');
    const after = await staff.get('/console');
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe('/console/login');
    expect((await staff.post('/console/logout', {})).status).toBe(401);
  });

  it('removing a member ends their session at once, and their unspent links; adding them again does not revive either', async () => {
    const staff = await consoleSignIn({ role: 'collector' });
    const unspent = await mailedConsoleLink(staff.email);
    expect((await staff.get('/console')).status).toBe(200);
    expect((await api('DELETE', `/staff/${staff.staffId}`)).status).toBe(204);
    const after = await staff.get('/console');
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe('/console/login');
    expect((await consoleRequest('GET', unspent, { ip: staff.ip })).status).toBe(403);

    await newStaffMember({ email: staff.email, role: 'collector', name: staff.name });
    expect((await staff.get('/console')).status).toBe(303);
    const respent = await consoleRequest('POST', '/console/session', { ip: staff.ip, form: Object.fromEntries(new URL(unspent, 'http://x').searchParams) });
    expect(respent.status).toBe(403);
    expect(respent.text).toContain('This link no longer works');
  });

  it('a session ends after 30 idle minutes; a request within them keeps it going', async () => {
    const staff = await consoleSignIn();
    expect((await staff.get('/console', { at: minutes(CONSOLE_IDLE_MS / 60_000 - 5) })).status).toBe(200);
    // 25 + 29 minutes: within the idle window the request above moved.
    expect((await staff.get('/console', { at: minutes(54) })).status).toBe(200);
    const idle = await staff.get('/console', { at: minutes(54 + 31) });
    expect(idle.status).toBe(303);
    expect(idle.headers.get('location')).toBe('/console/login');
  });

  it('a viewer may read but not change (403, before anything runs); a POST without the CSRF token is 403; without a session 401', async () => {
    const viewer = await consoleSignIn({ role: 'viewer', name: 'Vic Viewer' });
    const home = await viewer.get('/console');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Vic Viewer (read only)');
    const change = await viewer.post('/console/plans/plan_unknown/approve', { version: '0' });
    expect(change.status).toBe(403);
    expect(change.text).toContain('Your role is read only');

    const collector = await consoleSignIn({ role: 'collector' });
    const noCsrf = await consoleRequest('POST', '/console/plans/plan_unknown/approve', { cookie: collector.cookie, ip: collector.ip, form: { version: '0' } });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.text).toContain('security token');
    const otherCsrf = await collector.post('/console/plans/plan_unknown/approve', { version: '0', csrf: viewer.csrf });
    expect(otherCsrf.status).toBe(403);
    // The collector's own token passes the edge: the route itself answers (no such plan).
    expect((await collector.post('/console/plans/plan_unknown/approve', { version: '0' })).status).toBe(404);

    const signedOut = await consoleRequest('POST', '/console/logout', { ip: freshClientIp(), form: { csrf: 'x' } });
    expect(signedOut.status).toBe(401);
  });

  it('limits sign-in mails per address (3 in 15 minutes: the same page after) and requests per client (429 after 20)', async () => {
    // One instant for every request: the limits count in fixed windows, and a window must not end halfway.
    const at = new Date();
    const member = await newStaffMember();
    for (let i = 0; i < 4; i++) {
      expect((await consoleRequest('POST', '/console/login', { form: { email: member.email }, ip: freshClientIp(), at })).status).toBe(200);
    }
    expect((await sentMail(member.email)).filter((m) => m.subject === CONSOLE_LOGIN_SUBJECT)).toHaveLength(3);

    const ip = freshClientIp();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await consoleRequest('POST', '/console/login', { form: { email: `${unique('nobody')}@example.com` }, ip, at })).status);
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses[20]).toBe(429);
  });
});

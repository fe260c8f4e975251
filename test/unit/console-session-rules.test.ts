/**
 * The console's pure sign-in rules: the one-time token (its own purpose: a portal token is never a console token, nor
 * the other way round), the session cookie's attributes and reading it back, idle and absolute expiry; and the
 * sign-in pages and mail (escaped, the same "check your mail" page for everyone, fixed notices only).
 */
import { describe, expect, it } from 'vitest';
import type { LinkKeys } from '../../shared/domain/links.ts';
import {
  checkConsoleLoginToken,
  clearedConsoleCookie,
  CONSOLE_ABSOLUTE_MS,
  CONSOLE_COOKIE,
  CONSOLE_IDLE_MS,
  consoleCookie,
  consoleTokenOf,
  LOGIN_TOKEN_LIFETIME_MS,
  nextConsoleIdleExpiry,
  sessionLive,
  signConsoleLoginToken,
} from '../../shared/domain/console/session-rules.ts';
import { consoleLoginMail, loginPage, loginSentPage, sessionPage, signInProblemPage, signInProblemStatus } from '../../shared/domain/console/sign-in.ts';
import { checkLoginToken, SESSION_IDLE_MS, signLoginToken } from '../../shared/domain/portal/session-rules.ts';

const keys: LinkKeys = { current: 'v1', secrets: { v1: 'test-secret-of-the-link-key-ring' } };
const NONCE = 'n0nce_n0nce-n0nce_n0nce-n0nce_n0nce-n0nce0';
const STAFF = 'stf_0123456789abcdef0123456789abcdef';
const TOKEN = 'A'.repeat(21) + '_-' + 'b9'.repeat(10); // 43 base64url characters
const now = new Date('2026-11-30T09:00:00Z');
const later = (ms: number) => new Date(now.getTime() + ms);

describe('console sign-in token', () => {
  it('is valid for 15 minutes for its member, then expired', () => {
    const token = signConsoleLoginToken(keys, STAFF, NONCE, now);
    expect(token).toMatch(/^login\.v1\.[0-9]+\./);
    expect(checkConsoleLoginToken(keys, STAFF, token, now)).toEqual({ state: 'valid', nonce: NONCE, expiresAt: later(LOGIN_TOKEN_LIFETIME_MS) });
    expect(checkConsoleLoginToken(keys, STAFF, token, later(LOGIN_TOKEN_LIFETIME_MS - 1000)).state).toBe('valid');
    expect(checkConsoleLoginToken(keys, STAFF, token, later(LOGIN_TOKEN_LIFETIME_MS)).state).toBe('expired');
  });

  it('is refused for another member, altered, or under an unknown key', () => {
    const token = signConsoleLoginToken(keys, STAFF, NONCE, now);
    expect(checkConsoleLoginToken(keys, 'stf_ffffffffffffffffffffffffffffffff', token, now)).toEqual({ state: 'invalid' });
    const mac = token.slice(-43);
    const other = mac.startsWith('A') ? `B${mac.slice(1)}` : `A${mac.slice(1)}`;
    expect(checkConsoleLoginToken(keys, STAFF, `${token.slice(0, -43)}${other}`, now).state).toBe('invalid');
    // A later expiry written into the token breaks its MAC.
    const [, key, exp, nonce, sig] = token.split('.');
    expect(checkConsoleLoginToken(keys, STAFF, ['login', key, Number(exp) + 3600, nonce, sig].join('.'), now).state).toBe('invalid');
    expect(checkConsoleLoginToken({ current: 'v2', secrets: { v2: 'another' } }, STAFF, token, now).state).toBe('invalid');
    expect(checkConsoleLoginToken(keys, STAFF, 'login.v1.1.short.x', now).state).toBe('invalid');
  });

  it('is never a portal token, and a portal token is never a console one (its purpose is in the MAC)', () => {
    const consoleToken = signConsoleLoginToken(keys, STAFF, NONCE, now);
    const portalToken = signLoginToken(keys, STAFF, NONCE, now);
    expect(portalToken).not.toBe(consoleToken);
    expect(checkLoginToken(keys, STAFF, consoleToken, now).state).toBe('invalid');
    expect(checkConsoleLoginToken(keys, STAFF, portalToken, now).state).toBe('invalid');
    expect(checkLoginToken(keys, STAFF, portalToken, now).state).toBe('valid');
  });
});

describe('console session cookie', () => {
  const attributes = (cookie: string) => cookie.split('; ').slice(1);

  it('is HttpOnly, SameSite=Strict, scoped to /console, lives as long as the absolute expiry, Secure when asked', () => {
    expect(consoleCookie(TOKEN, true).startsWith(`${CONSOLE_COOKIE}=${TOKEN}; `)).toBe(true);
    expect(attributes(consoleCookie(TOKEN, true))).toEqual(['Path=/console', 'HttpOnly', 'SameSite=Strict', `Max-Age=${CONSOLE_ABSOLUTE_MS / 1000}`, 'Secure']);
    expect(attributes(consoleCookie(TOKEN, false))).not.toContain('Secure');
    expect(attributes(clearedConsoleCookie(true))).toEqual(['Path=/console', 'HttpOnly', 'SameSite=Strict', 'Max-Age=0', 'Secure']);
  });

  it('is read back from the request cookies; the portal cookie or a malformed value is not a console token', () => {
    expect(consoleTokenOf([`portal_session=${TOKEN}`, `${CONSOLE_COOKIE}=${TOKEN}`])).toBe(TOKEN);
    expect(consoleTokenOf([`a=b; ${CONSOLE_COOKIE}=${TOKEN}`])).toBe(TOKEN);
    expect(consoleTokenOf([`portal_session=${TOKEN}`])).toBeUndefined();
    expect(consoleTokenOf([`${CONSOLE_COOKIE}=short`])).toBeUndefined();
    expect(consoleTokenOf([])).toBeUndefined();
  });
});

describe('console session expiry', () => {
  const session = { idleUntil: later(CONSOLE_IDLE_MS).toISOString(), absoluteUntil: later(CONSOLE_ABSOLUTE_MS).toISOString() };

  it('ends at the idle expiry, which a request moves by the console idle window (not the portal one), never past the absolute expiry', () => {
    expect(sessionLive(session, later(CONSOLE_IDLE_MS - 1))).toBe(true);
    expect(sessionLive(session, later(CONSOLE_IDLE_MS))).toBe(false);
    expect(nextConsoleIdleExpiry(session, later(60_000))).toBe(later(60_000 + CONSOLE_IDLE_MS).toISOString());
    expect(CONSOLE_IDLE_MS).toBe(30 * 60_000);
    expect(SESSION_IDLE_MS).toBe(30 * 60_000); // equal today; the console passes its own all the same
    expect(nextConsoleIdleExpiry(session, later(CONSOLE_ABSOLUTE_MS - 60_000))).toBe(session.absoluteUntil);
  });

  it('ends at the absolute expiry (10 hours) however busy', () => {
    const busy = { idleUntil: later(CONSOLE_ABSOLUTE_MS + CONSOLE_IDLE_MS).toISOString(), absoluteUntil: session.absoluteUntil };
    expect(sessionLive(busy, later(CONSOLE_ABSOLUTE_MS - 1))).toBe(true);
    expect(sessionLive(busy, later(CONSOLE_ABSOLUTE_MS))).toBe(false);
    expect(CONSOLE_ABSOLUTE_MS).toBe(10 * 3_600_000);
  });
});

describe('console sign-in pages and mail', () => {
  it('the form: labelled, the address and the error escaped; notices from a fixed map only', () => {
    const page = loginPage({ email: '"><script>x</script>', error: 'enter a whole email address' });
    expect(page.title).toBe('Sign in');
    const body = page.body.toString();
    expect(body).toContain('<label for="email">Email address</label>');
    expect(body).toContain('value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
    expect(body).not.toContain('<script>');
    expect(body).toContain('aria-invalid="true" aria-describedby="email-error"');
    expect(loginPage({ notice: 'signed_out' }).body.toString()).toContain('<p class="notice" role="status">You have signed out.</p>');
    expect(loginPage({ notice: '<b>free text</b>' }).body.toString()).not.toContain('free text');
    expect(loginPage({ notice: 'toString' }).body.toString()).not.toContain('class="notice"');
  });

  it('"check your mail" says nothing about whether the address is a member', () => {
    expect(loginSentPage().body.toString()).toContain('If this address belongs to a member of staff');
  });

  it('the link page: one POST button carrying the link, the name escaped', () => {
    const body = sessionPage({ staffName: 'Ann <b>', s: STAFF, t: 'login.v1.1.a"b.c' }).body.toString();
    expect(body).toContain('Signing in as Ann &lt;b&gt;');
    expect(body).toContain('<form method="post" action="/console/session">');
    expect(body).toContain(`<input type="hidden" name="s" value="${STAFF}">`);
    expect(body).toContain('<input type="hidden" name="t" value="login.v1.1.a&quot;b.c">');
  });

  it('link problems: expired and used are gone (410), invalid and revoked forbidden (403), each with a way back', () => {
    expect([signInProblemStatus('expired'), signInProblemStatus('used'), signInProblemStatus('invalid'), signInProblemStatus('revoked')]).toEqual([410, 410, 403, 403]);
    for (const state of ['expired', 'used', 'invalid', 'revoked'] as const) expect(signInProblemPage(state).body.toString()).toContain('href="/console/login"');
  });

  it('the mail: a button and the bare URL in the text part, the expiry in UTC, the name escaped', () => {
    const href = `https://ar.example.com/console/session?s=${STAFF}&t=login.v1.1.n.m`;
    const mail = consoleLoginMail({ staffName: 'Ann <b>', href, expiresAt: later(LOGIN_TOKEN_LIFETIME_MS) });
    expect(mail.subject).toBe('Your console sign-in link');
    expect(mail.text).toContain(href);
    expect(mail.text).toContain('until 2026-11-30 09:15 UTC');
    expect(mail.html).toContain(`href="${href.replace('&', '&amp;')}"`);
    expect(mail.html).toContain('Hello Ann &lt;b&gt;');
  });
});

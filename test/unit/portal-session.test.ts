/**
 * The portal's pure rules: the session cookie's attributes (Secure unless the base URL is plain-http localhost),
 * reading the session token back from payload 2.0 cookies, idle and absolute expiry, the once-a-minute touch, the
 * one-time sign-in token; the sign-in mail's greeting; the link pages' portal slots.
 */
import { describe, expect, it } from 'vitest';
import { html } from '../../shared/domain/html.ts';
import { renderFeedbackPage, renderPlanRequestPage, renderPreferencesPage } from '../../shared/domain/link-pages.ts';
import type { LinkKeys } from '../../shared/domain/links.ts';
import { renderLoginMail } from '../../shared/domain/portal/login-mail.ts';
import {
  checkLoginToken,
  clearedSessionCookie,
  cookieSecure,
  LOGIN_TOKEN_LIFETIME_MS,
  nextIdleExpiry,
  SESSION_ABSOLUTE_MS,
  SESSION_COOKIE,
  SESSION_IDLE_MS,
  sessionCookie,
  sessionLive,
  sessionTokenOf,
  signLoginToken,
  touchDue,
} from '../../shared/domain/portal/session-rules.ts';
import { DEFAULT_BRAND } from '../../shared/domain/ui/brand.ts';

const TOKEN = 'A'.repeat(21) + '_-' + 'b9'.repeat(10); // 43 base64url characters
const at = (iso: string) => new Date(iso);
const plus = (iso: string, ms: number) => new Date(at(iso).getTime() + ms).toISOString();

describe('session cookie', () => {
  const attributes = (cookie: string) => cookie.split('; ').slice(1);

  it('is HttpOnly, SameSite=Lax, scoped to /portal, lives as long as the absolute expiry, Secure when asked', () => {
    const secure = sessionCookie(TOKEN, true);
    expect(secure.startsWith(`${SESSION_COOKIE}=${TOKEN}; `)).toBe(true);
    expect(attributes(secure)).toEqual(['Path=/portal', 'HttpOnly', 'SameSite=Lax', `Max-Age=${SESSION_ABSOLUTE_MS / 1000}`, 'Secure']);
    expect(SESSION_ABSOLUTE_MS / 1000).toBe(43_200);
    expect(attributes(sessionCookie(TOKEN, false))).not.toContain('Secure');
  });

  it('is cleared with the same attributes and Max-Age=0', () => {
    expect(clearedSessionCookie(true)).toBe(`${SESSION_COOKIE}=; Path=/portal; HttpOnly; SameSite=Lax; Max-Age=0; Secure`);
    expect(clearedSessionCookie(false)).toBe(`${SESSION_COOKIE}=; Path=/portal; HttpOnly; SameSite=Lax; Max-Age=0`);
  });

  it('is Secure for every base URL except plain-http localhost / 127.0.0.1', () => {
    for (const url of ['http://localhost:3000', 'http://localhost', 'http://127.0.0.1:8080/', ' HTTP://LOCALHOST:3000/portal ']) expect(cookieSecure(url), url).toBe(false);
    for (const url of ['https://localhost:3000', 'https://pay.example.com', 'http://pay.example.com', 'http://localhost.example.com', 'http://127.0.0.1.nip.io', 'http://localhost:3000evil']) {
      expect(cookieSecure(url), url).toBe(true);
    }
  });

  it('is read back from payload 2.0 cookies; anything but a well-formed token is no session', () => {
    expect(sessionTokenOf([`theme=dark`, `${SESSION_COOKIE}=${TOKEN}`])).toBe(TOKEN);
    expect(sessionTokenOf([`theme=dark; ${SESSION_COOKIE}=${TOKEN}`])).toBe(TOKEN);
    expect(sessionTokenOf([` ${SESSION_COOKIE} = ${TOKEN} `])).toBe(TOKEN);
    expect(sessionTokenOf([])).toBeUndefined();
    expect(sessionTokenOf([`${SESSION_COOKIE}=`])).toBeUndefined();
    expect(sessionTokenOf([`${SESSION_COOKIE}=${TOKEN.slice(1)}`])).toBeUndefined();
    expect(sessionTokenOf([`${SESSION_COOKIE}=${TOKEN.slice(1)}!`])).toBeUndefined();
    expect(sessionTokenOf([`x${SESSION_COOKIE}=${TOKEN}`, 'novalue'])).toBeUndefined();
  });
});

describe('session expiry', () => {
  const start = '2026-11-30T08:00:00.000Z';
  const session = { idleUntil: plus(start, SESSION_IDLE_MS), absoluteUntil: plus(start, SESSION_ABSOLUTE_MS), lastSeenAt: start };

  it('is live before both expiries and ends at either (the expiry instant itself is expired)', () => {
    expect(SESSION_IDLE_MS).toBe(30 * 60_000);
    expect(sessionLive(session, at(start))).toBe(true);
    expect(sessionLive(session, at(plus(start, SESSION_IDLE_MS - 1)))).toBe(true);
    expect(sessionLive(session, at(plus(start, SESSION_IDLE_MS)))).toBe(false);
    // Kept alive by activity, still ends at the absolute expiry.
    const busy = { ...session, idleUntil: plus(start, SESSION_ABSOLUTE_MS + SESSION_IDLE_MS) };
    expect(sessionLive(busy, at(plus(start, SESSION_ABSOLUTE_MS - 1)))).toBe(true);
    expect(sessionLive(busy, at(plus(start, SESSION_ABSOLUTE_MS)))).toBe(false);
  });

  it('moves the idle expiry 30 minutes past the request, never past the absolute expiry', () => {
    const later = plus(start, 2 * 60 * 60_000);
    expect(nextIdleExpiry(session, at(later))).toBe(plus(later, SESSION_IDLE_MS));
    const nearEnd = plus(start, SESSION_ABSOLUTE_MS - 5 * 60_000);
    expect(nextIdleExpiry(session, at(nearEnd))).toBe(session.absoluteUntil);
  });

  it('is touched at most once a minute', () => {
    expect(touchDue(session, at(plus(start, 59_999)))).toBe(false);
    expect(touchDue(session, at(plus(start, 60_000)))).toBe(true);
  });
});

describe('sign-in token', () => {
  const keys: LinkKeys = { current: 'v2', secrets: { v1: 'old-secret', v2: 'new-secret' } };
  const nonce = 'n0nce_n0nce-n0nce_12';
  const now = at('2026-11-30T08:00:00Z');

  it('is valid for its customer for 15 minutes, then expired; another customer, key or tampering is invalid', () => {
    const token = signLoginToken(keys, 'cus_1', nonce, now);
    expect(checkLoginToken(keys, 'cus_1', token, now)).toEqual({ state: 'valid', nonce, expiresAt: new Date(now.getTime() + LOGIN_TOKEN_LIFETIME_MS) });
    expect(checkLoginToken(keys, 'cus_1', token, new Date(now.getTime() + LOGIN_TOKEN_LIFETIME_MS)).state).toBe('expired');
    // The MAC's last character carries 2 unused bits: the other spellings of the same bytes are refused.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const lastIndex = alphabet.indexOf(token.slice(-1));
    for (let bits = 1; bits < 4; bits += 1) {
      expect(checkLoginToken(keys, 'cus_1', token.slice(0, -1) + alphabet[lastIndex ^ bits], now).state).toBe('invalid');
    }
    expect(checkLoginToken(keys, 'cus_2', token, now).state).toBe('invalid');
    expect(checkLoginToken({ ...keys, secrets: { v1: 'old-secret' } }, 'cus_1', token, now).state).toBe('invalid');
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    expect(checkLoginToken(keys, 'cus_1', token.slice(0, -1) + last, now).state).toBe('invalid');
    expect(checkLoginToken(keys, 'cus_1', 'login.v2.1.x.y', now).state).toBe('invalid');
  });
});

describe('sign-in mail greeting', () => {
  const base = { timeZone: 'Europe/Berlin', expiresAt: at('2026-11-30T08:15:00Z'), brand: DEFAULT_BRAND };

  it('greets the one customer by name', () => {
    const mail = renderLoginMail({ ...base, locale: 'en-GB', customerName: 'Ada Lovelace', accounts: [{ name: 'Ada Lovelace', href: 'https://x.test/portal/session?t=1' }] });
    expect(mail.text.startsWith('Dear Ada Lovelace,')).toBe(true);
  });

  it('an address shared by several customers: a greeting without a name, never "Dear,"', () => {
    const accounts = [
      { name: 'Werkstatt Nord', href: 'https://x.test/portal/session?t=1' },
      { name: 'Werkstatt Süd', href: 'https://x.test/portal/session?t=2' },
    ];
    const en = renderLoginMail({ ...base, locale: 'en-GB', customerName: 'Werkstatt Nord', accounts });
    expect(en.text.split('\n')[0]).toBe('Hello,');
    expect(en.html).toContain('Hello,');
    expect(en.text).not.toMatch(/Dear\s*,/);
    const de = renderLoginMail({ ...base, locale: 'de-DE', customerName: 'Werkstatt Nord', accounts });
    expect(de.text.split('\n')[0]).toBe('Guten Tag,');
    expect(de.text).toContain('Werkstatt Süd');
  });
});

describe('link pages in the portal (slots)', () => {
  const header = html`<nav class="portal-nav">nav</nav>`;
  const hidden = html`<input type="hidden" name="csrf" value="k">`;
  const invoices = [{ id: 'inv_1', number: 'INV-1', currency: 'EUR', balanceDue: 12_000, dueDate: '2027-03-01' }];
  const pages = (slots: { header?: typeof header; hidden?: typeof hidden }) => [
    renderFeedbackPage({ ...slots, locale: 'en-GB', brand: DEFAULT_BRAND, rating: 3, action: '/portal/feedback?c=x' }),
    renderPreferencesPage({ ...slots, locale: 'en-GB', brand: DEFAULT_BRAND, action: '/portal/preferences' }),
    renderPlanRequestPage({ ...slots, locale: 'en-GB', brand: DEFAULT_BRAND, timeZone: 'Europe/Berlin', invoices, action: '/portal/plan-request' }),
  ];

  it('put the header in the page header and the hidden field first in the form', () => {
    for (const page of pages({ header, hidden })) {
      expect(page).toMatch(/<header class="site-header"><div class="wrap">[\s\S]*<nav class="portal-nav">nav<\/nav><\/div><\/header>/);
      expect(page).toMatch(/<form method="post" action="[^"]*" class="card"><input type="hidden" name="csrf" value="k">/);
      expect(page.match(/name="csrf"/g)).toHaveLength(1);
    }
  });

  it('without slots (a signed link) render neither', () => {
    for (const page of pages({})) {
      expect(page).not.toContain('<nav');
      expect(page).not.toContain('name="csrf"');
      expect(page).toContain('</div></header>');
    }
  });
});

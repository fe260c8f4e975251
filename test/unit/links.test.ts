import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BRAND } from '../../shared/domain/ui/brand.ts';
import {
  checkLinkToken,
  feedbackLinks,
  issueLinkToken,
  LINK_LIFETIME_DAYS,
  linkExpiry,
  linkState,
  linkUrl,
  parseRating,
  signLinkToken,
  type LinkKeys,
  type LinkTarget,
} from '../../shared/domain/links.ts';
import {
  renderFeedbackPage,
  renderFieldErrorPage,
  renderFreshLinkMail,
  renderFreshLinkSentPage,
  renderLinkNotFoundPage,
  renderLinkProblemPage,
  renderPlanRequestPage,
  renderPreferencesPage,
} from '../../shared/domain/link-pages.ts';

const keys: LinkKeys = { current: 'v1', secrets: { v1: 'secret-one' } };
const pay: LinkTarget = { purpose: 'pay', id: 'inv_1' };
const feedback: LinkTarget = { purpose: 'feedback', id: 'cus_1', context: 'payment:pay_1' };
const now = new Date('2027-03-01T10:00:00Z');
const later = (days: number) => new Date(now.getTime() + days * 86_400_000);

const state = (k: LinkKeys, target: LinkTarget, token: string | undefined, at: Date, version = 0) => linkState(checkLinkToken(k, target, token, at), version);

describe('signed link tokens', () => {
  it('carry a key id, an expiry, the link version and a MAC; a fresh one is valid for its own target only', () => {
    const token = issueLinkToken(keys, pay, 0, now);
    expect(token).toMatch(/^v1\.\d+\.0\.[A-Za-z0-9_-]{43}$/);
    expect(Number(token.split('.')[1])).toBe(Math.floor(later(60).getTime() / 1000));
    expect(state(keys, pay, token, now)).toBe('valid');
    expect(state(keys, { purpose: 'pay', id: 'inv_2' }, token, now)).toBe('invalid');
    expect(state(keys, { purpose: 'preferences', id: 'inv_1' }, token, now)).toBe('invalid');
    const rating = issueLinkToken(keys, feedback, 0, now);
    expect(state(keys, feedback, rating, now)).toBe('valid');
    expect(state(keys, { ...feedback, context: 'payment:pay_2' }, rating, now)).toBe('invalid');
  });

  it('lifetimes per purpose: pay, preferences and plan requests 60 days, ratings and the portal 30', () => {
    expect(LINK_LIFETIME_DAYS).toEqual({ pay: 60, preferences: 60, 'plan-request': 60, feedback: 30, portal: 30 });
    const rating = issueLinkToken(keys, feedback, 0, now);
    expect(state(keys, feedback, rating, new Date(later(30).getTime() - 1000))).toBe('valid');
    expect(state(keys, feedback, rating, later(30))).toBe('expired');
    expect(linkExpiry('pay', now)).toEqual(later(60));
  });

  it('expire at their expiry (a link signed with a past expiry is expired, still authentic)', () => {
    const token = signLinkToken(keys, pay, { version: 0, expiresAt: new Date('2027-02-01T00:00:00Z') });
    const check = checkLinkToken(keys, pay, token, now);
    expect(check).toMatchObject({ authentic: true, legacy: false, expired: true, version: 0, keyId: 'v1' });
    expect(linkState(check, 0)).toBe('expired');
    const exact = signLinkToken(keys, pay, { version: 0, expiresAt: now });
    expect(state(keys, pay, exact, now)).toBe('expired');
    expect(state(keys, pay, exact, new Date(now.getTime() - 1000))).toBe('valid');
  });

  it('any change to a part is refused: MAC, expiry, version, key id, purpose', () => {
    const token = issueLinkToken(keys, pay, 2, now);
    const [kid, exp, ver, mac] = token.split('.') as [string, string, string, string];
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    expect(state(keys, pay, [kid, exp, ver, flip(mac)].join('.'), now, 2)).toBe('invalid');
    expect(state(keys, pay, [kid, String(Number(exp) + 86_400 * 365), ver, mac].join('.'), now, 2)).toBe('invalid');
    expect(state(keys, pay, [kid, exp, '3', mac].join('.'), now, 3)).toBe('invalid');
    expect(state(keys, pay, ['v2', exp, ver, mac].join('.'), now, 2)).toBe('invalid');
    expect(state(keys, pay, `${token}x`, now, 2)).toBe('invalid');
    expect(state(keys, pay, token.slice(0, -1), now, 2)).toBe('invalid');
    // The MAC's last character carries 2 unused bits: each of the 3 other spellings of the same bytes is refused too.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(mac.slice(-1));
    for (let bits = 1; bits < 4; bits += 1) {
      expect(state(keys, pay, [kid, exp, ver, mac.slice(0, -1) + alphabet[last ^ bits]].join('.'), now, 2)).toBe('invalid');
    }
    for (const junk of [undefined, '', 'forged', 'v1...', 'v1.1.1.' + 'a'.repeat(43), '__proto__.1.0.' + 'a'.repeat(43)]) {
      expect(state(keys, pay, junk, now)).toBe('invalid');
    }
    // Another secret does not verify it.
    expect(state({ current: 'v1', secrets: { v1: 'secret-two' } }, pay, token, now, 2)).toBe('invalid');
  });

  it('a link of an older link version is revoked (also when it has expired); a newer one is valid', () => {
    const v0 = issueLinkToken(keys, pay, 0, now);
    const v1 = issueLinkToken(keys, pay, 1, now);
    expect(state(keys, pay, v0, now, 1)).toBe('revoked');
    expect(state(keys, pay, v0, later(90), 1)).toBe('revoked');
    expect(state(keys, pay, v1, now, 1)).toBe('valid');
  });

  it('key rotation: a link signed with a key still in the ring verifies; a key no longer in it is refused', () => {
    const old = issueLinkToken(keys, pay, 0, now);
    const rotated: LinkKeys = { current: 'v2', secrets: { v1: 'secret-one', v2: 'secret-two' } };
    const fresh = issueLinkToken(rotated, pay, 0, now);
    expect(fresh.startsWith('v2.')).toBe(true);
    expect(state(rotated, pay, old, now)).toBe('valid');
    expect(state(rotated, pay, fresh, now)).toBe('valid');
    expect(state({ current: 'v2', secrets: { v2: 'secret-two' } }, pay, old, now)).toBe('invalid');
    expect(state(keys, pay, fresh, now)).toBe('invalid');
  });

  it('old-format tokens (no expiry) are recognised but never accepted: expired, or revoked after a revocation', () => {
    const legacy = createHmac('sha256', 'secret-one').update('feedback:cus_1:payment:pay_1').digest('base64url').slice(0, 32);
    expect(checkLinkToken(keys, feedback, legacy, now)).toEqual({ authentic: true, legacy: true });
    expect(state(keys, feedback, legacy, now, 0)).toBe('expired');
    expect(state(keys, feedback, legacy, now, 1)).toBe('revoked');
    expect(state(keys, feedback, legacy.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')), now)).toBe('invalid');
    const legacyPay = createHmac('sha256', 'secret-one').update('pay:inv_1').digest('base64url').slice(0, 32);
    expect(state(keys, pay, legacyPay, now)).toBe('expired');
  });

  it('refuses to sign with a key it does not have or a bad version', () => {
    expect(() => issueLinkToken({ current: 'v9', secrets: {} }, pay, 0, now)).toThrow(/not in the key ring/);
    expect(() => issueLinkToken(keys, pay, -1, now)).toThrow(/version/);
  });
});

describe('link URLs and ratings', () => {
  it('build each purpose’s URL; rating links differ only in the preselected rating', () => {
    expect(linkUrl('https://x.test/', pay, 'v1.1.0.abc')).toBe('https://x.test/pay/inv_1?t=v1.1.0.abc');
    expect(linkUrl('https://x.test', { purpose: 'preferences', id: 'cus 1' }, 't')).toBe('https://x.test/preferences/cus%201?t=t');
    expect(linkUrl('https://x.test', { purpose: 'plan-request', id: 'cus_1' }, 't')).toBe('https://x.test/plan-request/cus_1?t=t');
    const links = feedbackLinks('https://x.test', 'cus_1', 'payment:pay_1', 'tok');
    expect(links).toHaveLength(5);
    expect(links[3]).toBe('https://x.test/feedback/cus_1?c=payment%3Apay_1&r=4&t=tok');
  });

  it('a rating is a whole number from 1 to 5 written plainly', () => {
    expect(['1', '5', ' 3 '].map(parseRating)).toEqual([1, 5, 3]);
    for (const bad of [null, undefined, '', '0', '6', '4.5', '1e0', '-1', '٣', 'five', '05']) expect(parseRating(bad)).toBeUndefined();
  });
});

describe('link pages', () => {
  it('the rating page is a form (nothing recorded by opening it), labelled, with landmarks, no script', () => {
    const html = renderFeedbackPage({ locale: 'de-DE', brand: DEFAULT_BRAND, rating: 4, action: '/feedback/cus_1?c=x&t="><script>' });
    expect(html).toContain('<main id="main">');
    expect(html).toContain('<form method="post"');
    expect(html).toContain('<legend>');
    expect(html).toContain('value="4" required checked');
    expect(html).not.toContain('<script>');
    expect(html).toContain('name="viewport" content="width=device-width, initial-scale=1"');
  });

  it('an expired link’s page offers a fresh link by POST without showing an address; a forged one offers nothing', () => {
    const expired = renderLinkProblemPage({ locale: 'de-DE', brand: DEFAULT_BRAND, state: 'expired', fresh: { target: feedback, token: 'v1.1.0.x' } });
    expect(expired).toContain('Dieser Link ist abgelaufen');
    expect(expired).toContain('<form method="post" action="/links/fresh">');
    expect(expired).toContain('name="c" value="payment:pay_1"');
    expect(expired.replace(/<style>[^]*<\/style>/, '')).not.toContain('@'); // no address (the style sheet has @media)
    const invalid = renderLinkProblemPage({ locale: 'en-GB', brand: DEFAULT_BRAND, state: 'invalid', fresh: { target: feedback, token: 'x' } });
    expect(invalid).toContain('This link is not valid');
    expect(invalid).not.toContain('<form');
  });

  it('the fresh-link mail carries the link and when it stops working, in the customer’s language', () => {
    const mail = renderFreshLinkMail({ customerName: 'Ada', locale: 'en-GB', timeZone: 'Europe/London', purpose: 'pay', link: 'https://x.test/pay/inv_1?t=abc', expiresAt: later(60) });
    expect(mail.subject).toBe('Your new link');
    expect(mail.text).toContain('https://x.test/pay/inv_1?t=abc');
    expect(mail.text).toContain('30 April 2027');
  });
});

describe('every link page: no JavaScript, a phone-sized layout, labels and landmarks', () => {
  const pages = (locale: string) => [
    renderFeedbackPage({ locale, brand: DEFAULT_BRAND, rating: 3, action: '/feedback/cus_1?c=x&t=y' }),
    renderFeedbackPage({ locale, brand: DEFAULT_BRAND, rating: 3, comment: 'ok', saved: true, action: '/feedback/cus_1?c=x&t=y' }),
    renderPreferencesPage({ locale, brand: DEFAULT_BRAND, action: '/preferences/cus_1?t=y', hasAddress: true, letters: true, quietHours: { startHour: 18, endHour: 8 } }),
    renderPlanRequestPage({ locale, brand: DEFAULT_BRAND, timeZone: 'Europe/Berlin', action: '/plan-request/cus_1?t=y', invoices: [{ id: 'inv_1', number: 'INV-1', currency: 'EUR', balanceDue: 12_000, dueDate: '2027-03-01' }] }),
    renderLinkProblemPage({ locale, brand: DEFAULT_BRAND, state: 'expired', fresh: { target: pay, token: 'v1.1.0.x' } }),
    renderLinkProblemPage({ locale, brand: DEFAULT_BRAND, state: 'revoked', fresh: { target: pay, token: 'v1.1.0.x' } }),
    renderLinkProblemPage({ locale, brand: DEFAULT_BRAND, state: 'invalid' }),
    renderFreshLinkSentPage(locale, DEFAULT_BRAND),
    renderFieldErrorPage({ locale, brand: DEFAULT_BRAND, field: 'rating', message: 'choose 1 to 5' }),
    renderLinkNotFoundPage(locale, DEFAULT_BRAND),
  ];

  it.each(['en-GB', 'de-DE'])('%s', (locale) => {
    for (const html of pages(locale)) {
      expect(html).toMatch(new RegExp(`^<!doctype html><html lang="${locale}">`));
      expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
      expect(html).toMatch(/<main id="main"><div class="wrap"><h1>[^<]+<\/h1>/);
      expect(html).not.toMatch(/<script|\sstyle=|\son[a-z]+=|\scols=|width:\s*\d{3,}px/i);
      // Every control a person uses has a label: it sits inside a <label>, or a <label for> names its id.
      for (const m of html.matchAll(/<(input|select|textarea)\b([^>]*)>/g)) {
        const attrs = m[2] as string;
        if (/type="hidden"/.test(attrs)) continue;
        const before = html.slice(0, m.index);
        const insideLabel = before.lastIndexOf('<label') > before.lastIndexOf('</label>');
        const id = /\sid="([^"]+)"/.exec(attrs)?.[1];
        expect(insideLabel || (id !== undefined && html.includes(`<label for="${id}">`)), `${m[0]} has no label`).toBe(true);
      }
      // Forms only POST (nothing happens on GET).
      for (const f of html.matchAll(/<form\b[^>]*>/g)) expect(f[0]).toContain('method="post"');
    }
  });
});

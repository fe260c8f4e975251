/**
 * A real browser for tests: Debian's Chromium (`/usr/bin/chromium`, which `.ci/run` installs with apt) driven by
 * playwright-core — never playwright's own browser download. One browser per test file (`useBrowser`), a fresh
 * context per journey (desktop or phone), axe-core on every page (`expectAccessible`), screenshots as test artifacts
 * (`test-artifacts/screenshots/`, not committed).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from '../../local/chromium.ts';

export { CHROMIUM_PATH, launchChromium } from '../../local/chromium.ts';

/** One browser for the test file: launched in beforeAll, closed in afterAll. */
export function useBrowser(): { readonly browser: Browser } {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    get browser() {
      if (!browser) throw new Error('the browser is not launched yet (use it inside tests or hooks)');
      return browser;
    },
  };
}

export type Device = 'desktop' | 'phone' | 'phone-390';

export const devices: Record<Device, BrowserContextOptions> = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  'phone-390': { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
};

/** A fresh context (own cookies) for a device; `options` add to or override the device's. */
export async function newContext(browser: Browser, device: Device, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ ...devices[device], locale: 'en-GB', ...options });
  // A missing element fails the step in seconds, naming it, rather than the whole test at its timeout.
  context.setDefaultTimeout(15_000);
  return context;
}

/** Runs axe-core on the page; fails on serious or critical violations, listing each one readably. */
export async function expectAccessible(page: Page, what = page.url()): Promise<void> {
  // Only violations are collected (passes and incomplete results cost time and are not read).
  const results = await new AxeBuilder({ page }).options({ resultTypes: ['violations'] }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length === 0) return;
  const lines = bad.flatMap((v) => [
    `- [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`,
    ...v.nodes.slice(0, 5).map((n) => `    at ${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ').trim()}`),
  ]);
  throw new Error(`axe-core found ${bad.length} serious/critical accessibility violation(s) on ${what}:\n${lines.join('\n')}`);
}

/** Fails when the page is wider than the viewport (horizontal scrolling on a phone). */
export async function expectNoHorizontalScroll(page: Page, what = page.url()): Promise<void> {
  const width = page.viewportSize()?.width ?? 0;
  const scrollWidth = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  if (scrollWidth > width) {
    const wide = (await page.evaluate(`[...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > ${width} + 1)
      .slice(0, 5).map((e) => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '') + ' (right ' + Math.round(e.getBoundingClientRect().right) + ')')`)) as string[];
    throw new Error(`${what} scrolls sideways at ${width} px: the document is ${scrollWidth} px wide; widest: ${wide.join(', ')}`);
  }
}

export const SCREENSHOT_DIR = join('test-artifacts', 'screenshots');

/** Saves a full-page PNG to test-artifacts/screenshots/<name>.png (a test artifact, gitignored). */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Every check a customer-facing page gets: axe, no sideways scrolling on a phone, a screenshot. */
export async function checkPage(page: Page, name: string): Promise<void> {
  await expectAccessible(page, name);
  await expectNoHorizontalScroll(page, name);
  await screenshot(page, name);
}

import { afterEach, describe, expect, it } from 'vitest';
import { branding, ConfigError } from '../../shared/config/runtime.ts';
import { html } from '../../shared/domain/html.ts';
import { DEFAULT_BRAND, telHref, type Brand } from '../../shared/domain/ui/brand.ts';
import { buttonColours, contrastRatio, darken, linkColour, luminance, MIN_CONTRAST } from '../../shared/domain/ui/colour.ts';
import { customerPage } from '../../shared/domain/ui/layout.ts';
import { stylesheet } from '../../shared/domain/ui/style.ts';

const brand: Brand = {
  companyName: 'Acme <Tools> & Co',
  primaryColour: '#0b6e4f',
  supportEmail: 'help@acme.example',
  supportPhone: '+49 30 1234-567',
};

describe('colour: contrast of the brand colour', () => {
  it('computes WCAG luminance and contrast', () => {
    expect(luminance('#ffffff')).toBeCloseTo(1, 5);
    expect(luminance('#000000')).toBe(0);
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#ffffff')).toBe(1);
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
  });

  it.each(['#0b6e4f', '#1a4f8b', '#ffcc00', '#f97316', '#00ff00', '#777777', '#e11d48', '#ffffff', '#000000', '#808080'])(
    'a button in %s has readable text (≥ 4.5:1), and links in it read on white',
    (colour) => {
      const b = buttonColours(colour);
      expect(contrastRatio(b.background, b.text)).toBeGreaterThanOrEqual(MIN_CONTRAST);
      expect(contrastRatio(linkColour(colour), '#ffffff')).toBeGreaterThanOrEqual(MIN_CONTRAST);
      expect(contrastRatio(linkColour(colour), '#f4f5f7')).toBeGreaterThanOrEqual(MIN_CONTRAST);
    },
  );

  it('keeps a colour that already reads, picks dark text on a light one, darkens a mid-tone that fails both ways', () => {
    expect(buttonColours('#1a4f8b')).toEqual({ background: '#1a4f8b', text: '#ffffff' });
    expect(buttonColours('#ffcc00')).toEqual({ background: '#ffcc00', text: '#111827' });
    const mid = buttonColours('#808080');
    expect(mid.background).not.toBe('#808080');
    expect(mid.text).toBe('#ffffff');
    expect(darken('#808080', 0.5)).toBe('#404040');
  });
});

describe('stylesheet', () => {
  it('carries the brand colours, the focus state, stacked rows on a phone, print rules; small', () => {
    const css = stylesheet(brand);
    expect(css).toContain('--brand:#0b6e4f');
    expect(css).toContain(':focus-visible');
    expect(css).toMatch(/@media \(max-width:37\.5em\)\{[^]*table\.rows td\[data-label\]::before\{content:attr\(data-label\)/);
    expect(css).toContain('@media print');
    expect(css).not.toMatch(/@import|url\(/);
    expect(css.length).toBeLessThan(10_000); // ~9 KB, ~2.5 KB gzipped
  });
});

describe('customerPage', () => {
  const page = customerPage({ locale: 'de-DE', title: 'Rechnung <1> & "2"', brand, header: html`<nav class="portal-nav"><a href="/portal">Übersicht</a></nav>`, body: html`<p>${'<script>alert(1)</script>'}</p>` });

  it('is one document: lang, title with the company name, the title as the one h1, escaped', () => {
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain('<html lang="de-DE">');
    expect(page).toContain('<title>Rechnung &lt;1&gt; &amp; &quot;2&quot; · Acme &lt;Tools&gt; &amp; Co</title>');
    expect(page.match(/<h1>/g)).toHaveLength(1);
    expect(page).toContain('<h1>Rechnung &lt;1&gt; &amp; &quot;2&quot;</h1>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script');
    expect(page).not.toMatch(/\sstyle=/);
  });

  it('has the brand in the header, the nav slot, the skip link in the language, the support contacts in the footer', () => {
    expect(page).toMatch(/<header class="site-header">.*<div class="brand"><span>Acme &lt;Tools&gt; &amp; Co<\/span><\/div><nav class="portal-nav">/);
    expect(page).toContain('<a class="skip" href="#main">Zum Inhalt springen</a>');
    expect(page).toContain('<main id="main">');
    expect(page).toContain('href="mailto:help@acme.example"');
    expect(page).toContain(`href="${telHref('+49 30 1234-567')}"`);
    expect(telHref('+49 30 1234-567')).toBe('tel:+49301234567');
    expect(page).toContain('Fragen zu Ihrem Konto?');
  });

  it('shows an inline SVG logo (decorative: the name is beside it) or a logo URL; wide pages get the wide class', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="5" fill="#0b6e4f"/></svg>';
    expect(customerPage({ locale: 'en', title: 'T', brand: { ...brand, logo: { svg } }, body: html`` })).toContain(`<span class="logo" aria-hidden="true">${svg}</span>`);
    const withUrl = customerPage({ locale: 'en', title: 'T', brand: { ...brand, logo: { url: 'https://cdn.acme.example/logo.svg?v=1&x=2' } }, body: html``, wide: true });
    expect(withUrl).toContain('<img src="https://cdn.acme.example/logo.svg?v=1&amp;x=2" alt=""');
    expect(withUrl).toContain('<body class="wide">');
  });

  it('leaves the support list out when there are no contacts (the default brand)', () => {
    const plain = customerPage({ locale: 'en-GB', title: 'T', brand: DEFAULT_BRAND, body: html`` });
    expect(plain).toContain('<strong>Accounts receivable</strong>');
    expect(plain).not.toContain('mailto:');
  });
});

describe('branding(): BRANDING from the environment', () => {
  const saved = process.env.BRANDING;
  afterEach(() => {
    if (saved === undefined) delete process.env.BRANDING;
    else process.env.BRANDING = saved;
  });
  const fails = (value: unknown) => {
    process.env.BRANDING = typeof value === 'string' ? value : JSON.stringify(value);
    try {
      branding();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('expected a ConfigError');
  };

  it('unset or blank → the neutral default', () => {
    delete process.env.BRANDING;
    expect(branding()).toEqual(DEFAULT_BRAND);
    process.env.BRANDING = '  ';
    expect(branding()).toEqual(DEFAULT_BRAND);
  });

  it('reads a full brand (SVG or https logo)', () => {
    process.env.BRANDING = JSON.stringify({ ...brand, logo: { svg: '<svg viewBox="0 0 1 1"></svg>' } });
    expect(branding()).toEqual({ ...brand, logo: { svg: '<svg viewBox="0 0 1 1"></svg>' } });
    process.env.BRANDING = JSON.stringify({ companyName: 'Acme', primaryColour: '#AABBCC', logo: { url: 'https://acme.example/l.png' } });
    expect(branding().logo).toEqual({ url: 'https://acme.example/l.png' });
  });

  it('refuses a bad value with an error naming the field', () => {
    expect(fails('{nope')).toBe('BRANDING is not valid JSON');
    expect(fails({ companyName: 'Acme', primaryColour: 'blue' })).toMatch(/^BRANDING\.primaryColour is invalid: must be a colour #rrggbb/);
    expect(fails({ primaryColour: '#000000' })).toMatch(/^BRANDING\.companyName is invalid/);
    expect(fails({ companyName: 'Acme', primaryColour: '#000000', supportEmail: 'not-an-address' })).toMatch(/^BRANDING\.supportEmail is invalid/);
    expect(fails({ companyName: 'Acme', primaryColour: '#000000', supportPhone: 'call us' })).toMatch(/^BRANDING\.supportPhone is invalid/);
    expect(fails({ companyName: 'Acme', primaryColour: '#000000', colour: '#000000' })).toMatch(/^BRANDING is invalid: .*colour/);
    expect(fails({ companyName: 'Acme', primaryColour: '#000000', logo: { url: 'http://acme.example/l.png' } })).toMatch(/^BRANDING\.logo/);
    expect(fails({ companyName: 'Acme', primaryColour: '#000000', logo: { svg: '<svg onload="x()"></svg>' } })).toMatch(/^BRANDING\.logo/);
    expect(fails({ companyName: 'Acme', primaryColour: '#000000', logo: { svg: '<svg><script>x()</script></svg>' } })).toMatch(/^BRANDING\.logo/);
  });
});

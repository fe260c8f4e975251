/**
 * The message catalogs: one per language, each a file beside this one (`en.ts`, `de.ts`, …) listed in
 * `BUILT_IN_CATALOGS`. The languages we speak are the catalogs registered — nothing else in the code names a
 * language. A customer's `locale` picks the catalog by its language subtag (`de-AT` → `de`); a language without a
 * catalog, and a key a catalog leaves out, fall back to English. Messages are ICU MessageFormat (intl-messageformat:
 * plurals by `Intl.PluralRules`), compiled once and checked when a catalog is registered. Pure: no I/O, no clock.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import { de } from './de.ts';
import { en, type MessageKey } from './en.ts';

export type { MessageKey } from './en.ts';

export interface Catalog {
  /** ISO 639 language subtag, lower case: `en`, `de`, `fr`. */
  language: string;
  /** The locale used when only the language is known (a browser's, the preferences form's value): `de-DE`. */
  locale: string;
  /** The language's name in itself, for the language chooser: `Deutsch`. */
  name: string;
  /** ICU messages by key; a missing key falls back to English. */
  messages: Partial<Record<MessageKey, string>>;
}

/** Every catalog shipped: a new language is a new file beside this one, added here. */
export const BUILT_IN_CATALOGS: readonly Catalog[] = [en, de];

export const FALLBACK_LANGUAGE = 'en';

const registry = new Map<string, Catalog>();
const compiled = new Map<string, IntlMessageFormat>();

function compile(language: string, source: string): IntlMessageFormat {
  return new IntlMessageFormat(source, language, undefined, { ignoreTag: true });
}

/**
 * Adds (or replaces) a language. Every message is compiled now, so a syntax error in a catalog fails at start-up
 * (and in the catalog test), never in a customer's mail.
 */
export function registerCatalog(catalog: Catalog): void {
  if (!/^[a-z]{2,3}$/.test(catalog.language)) throw new RangeError(`catalog language must be an ISO 639 subtag, got ${catalog.language}`);
  for (const [key, source] of Object.entries(catalog.messages)) {
    if (!(key in en.messages)) throw new RangeError(`catalog ${catalog.language}: unknown message key ${key}`);
    compiled.set(`${catalog.language}\u0000${key}`, compile(catalog.language, source as string));
  }
  for (const cacheKey of [...compiled.keys()]) {
    const [language, key] = cacheKey.split('\u0000') as [string, string];
    if (language === catalog.language && !(key in catalog.messages)) compiled.delete(cacheKey);
  }
  registry.set(catalog.language, catalog);
}

/** Removes a language (English stays: it is the fallback). */
export function unregisterCatalog(language: string): void {
  if (language === FALLBACK_LANGUAGE) throw new RangeError('English is the fallback catalog and cannot be removed');
  registry.delete(language);
  for (const cacheKey of [...compiled.keys()]) if (cacheKey.startsWith(`${language}\u0000`)) compiled.delete(cacheKey);
}

for (const catalog of BUILT_IN_CATALOGS) registerCatalog(catalog);

/** The catalogs we speak, English first, then in the order registered. */
export function catalogs(): Catalog[] {
  return [...registry.values()];
}

/** The catalog language for a locale (`de-DE`, `de_AT`, `DE` → `de`); English when no catalog speaks it. */
export function languageOf(locale: string): string {
  const subtag = locale.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return registry.has(subtag) ? subtag : FALLBACK_LANGUAGE;
}

/** The catalog for a locale (English when none speaks its language). */
export function catalogFor(locale: string): Catalog {
  return registry.get(languageOf(locale)) as Catalog;
}

/** The default locale of a catalog language, for a language chosen without a region (a browser's first choice). */
export function localeForLanguage(language: string): string {
  return (registry.get(language) ?? (registry.get(FALLBACK_LANGUAGE) as Catalog)).locale;
}

/** Whether the locale's catalog, or English, has this key (for keys built from data, e.g. a ledger entry type). */
export function hasMessage(key: string): key is MessageKey {
  return key in en.messages;
}

function formatter(locale: string, key: MessageKey): IntlMessageFormat {
  const language = languageOf(locale);
  const own = compiled.get(`${language}\u0000${key}`);
  if (own) return own;
  const fallback = compiled.get(`${FALLBACK_LANGUAGE}\u0000${key}`);
  if (!fallback) throw new RangeError(`no message ${key}`);
  return fallback;
}

export type MessageArgs = Record<string, string | number>;

/** A message as text. Arguments are inserted as given (format money and dates before). */
export function message(locale: string, key: MessageKey, args: MessageArgs = {}): string {
  return String(formatter(locale, key).format(args));
}

/**
 * A message whose arguments include objects (links): the literal text and the objects in order, for a renderer to
 * turn into plain text (the URL) and HTML (an anchor).
 */
export function messageParts<T extends object>(locale: string, key: MessageKey, args: Record<string, string | number | T>): (string | T)[] {
  const parts: (string | T)[] = [];
  for (const part of formatter(locale, key).formatToParts<T>(args)) {
    const value = part.value as string | T;
    if (typeof value === 'string') {
      const last = parts[parts.length - 1];
      if (typeof last === 'string') parts[parts.length - 1] = last + value;
      else parts.push(value);
    } else parts.push(value);
  }
  return parts;
}

/** A translator bound to one locale: `t('mail.greeting', { name })`. */
export interface Translator {
  (key: MessageKey, args?: MessageArgs): string;
  parts<T extends object>(key: MessageKey, args: Record<string, string | number | T>): (string | T)[];
  readonly locale: string;
  readonly language: string;
}

export function translator(locale: string): Translator {
  const t = ((key: MessageKey, args?: MessageArgs) => message(locale, key, args)) as Translator;
  t.parts = (key, args) => messageParts(locale, key, args);
  Object.defineProperty(t, 'locale', { value: locale });
  Object.defineProperty(t, 'language', { value: languageOf(locale) });
  return t;
}

/**
 * The preferences form's rules (the signed link in every mail): what a customer may choose for themselves, and the
 * profile change a valid form makes. Pure: the caller reads the form and applies the change.
 *
 * - language: a locale of a registered message catalog (today en-GB, de-DE) or en-US; tone: friendly, neutral or formal (firm is staff's choice only; an empty
 *   choice removes the override); frequency (cadence): standard or minimal; payment method: card or bank transfer (an
 *   empty choice removes it);
 * - quiet hours: both hours or neither, start 0–23, end 0–24, and they must leave at least one hour of the default
 *   business hours (09–17) for messages;
 * - letters: a checkbox offered only when a postal address is on file (present = yes, absent = no); without an
 *   address the setting stays as it is.
 * Omitted fields leave the profile as it is. The first rule broken is the answer, naming its field.
 */
import type { CustomerPatch } from './customer.ts';
import { DEFAULT_BUSINESS_HOURS, leavesSendingTime, type CustomerDunningOverrides } from './dunning.ts';
import { catalogs } from './i18n/catalog.ts';

/** The languages a customer may choose: every registered catalog's locale, plus US English (a new catalog adds one). */
export function preferenceLocales(): string[] {
  return [...new Set(['en-US', ...catalogs().map((c) => c.locale)])].sort();
}
export const PREFERENCE_TONES = ['friendly', 'neutral', 'formal'] as const;
export const PREFERENCE_CADENCES = ['default', 'minimal'] as const;
export const PAYMENT_METHODS = ['card', 'bank_transfer'] as const;

/** The form's fields as posted (null: not in the form). */
export interface PreferencesForm {
  locale: string | null;
  tone: string | null;
  cadence: string | null;
  preferredPaymentMethod: string | null;
  quietStart: string | null;
  quietEnd: string | null;
  letters: string | null;
}

/** The profile change a valid form makes (the customer's other dunning settings kept). */
export type PreferencesChange = Pick<CustomerPatch, 'locale' | 'preferredPaymentMethod'> & { dunning: CustomerDunningOverrides };

export type PreferencesDecision = { ok: true; change: PreferencesChange } | { ok: false; field: keyof PreferencesForm; message: string };

const includes = <T extends string>(list: readonly T[], value: string): value is T => (list as readonly string[]).includes(value);

function hour(value: string | null, max: number): number | undefined | 'invalid' {
  if (value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 && n <= max ? n : 'invalid';
}

export function preferencesChange(
  form: PreferencesForm,
  customer: { dunning?: CustomerDunningOverrides; postalAddress?: readonly string[] },
): PreferencesDecision {
  const refuse = (field: keyof PreferencesForm, message: string): PreferencesDecision => ({ ok: false, field, message });
  const { locale, tone, cadence, preferredPaymentMethod: method } = form;
  if (locale && !preferenceLocales().includes(locale)) return refuse('locale', `choose one of ${preferenceLocales().join(', ')}`);
  if (tone && !includes(PREFERENCE_TONES, tone)) return refuse('tone', 'choose friendly, neutral or formal');
  if (cadence && !includes(PREFERENCE_CADENCES, cadence)) return refuse('cadence', 'choose standard or minimal');
  if (method && !includes(PAYMENT_METHODS, method)) return refuse('preferredPaymentMethod', 'card or bank_transfer');
  const start = hour(form.quietStart, 23);
  if (start === 'invalid') return refuse('quietStart', 'an hour from 0 to 23');
  const end = hour(form.quietEnd, 24);
  if (end === 'invalid') return refuse('quietEnd', 'an hour from 0 to 24');
  if ((start === undefined) !== (end === undefined)) return refuse('quietStart', 'give both hours or neither');
  if (start !== undefined && end !== undefined && !leavesSendingTime(DEFAULT_BUSINESS_HOURS, { startHour: start, endHour: end })) {
    return refuse('quietStart', 'quiet hours must leave at least one hour between 09 and 17');
  }
  const dunning: CustomerDunningOverrides = {
    ...(customer.dunning ?? {}),
    ...(tone && includes(PREFERENCE_TONES, tone) ? { tone } : {}),
    ...(cadence && includes(PREFERENCE_CADENCES, cadence) ? { cadence } : {}),
    ...(start !== undefined && end !== undefined ? { quietHours: { startHour: start, endHour: end } } : {}),
    ...(customer.postalAddress?.length ? { letters: form.letters === 'yes' } : {}),
  };
  if (tone === '') delete dunning.tone;
  return {
    ok: true,
    change: {
      ...(locale ? { locale } : {}),
      dunning,
      ...(method !== null ? { preferredPaymentMethod: method === '' ? null : (method as (typeof PAYMENT_METHODS)[number]) } : {}),
    },
  };
}

/**
 * The business's branding on every customer page and mail: company name, logo (inline SVG, or an https URL), primary
 * colour, support e-mail and phone. Configured once (`BRANDING`, JSON, read by shared/config/runtime.ts `branding()`
 * through `brandSchema`); unset → `DEFAULT_BRAND`, a neutral look. Pure.
 */
import { z } from 'zod';

export interface Brand {
  companyName: string;
  /** Inline SVG markup (trusted configuration, checked by `brandSchema`), or an https URL of an image. */
  logo?: { svg: string } | { url: string };
  /** `#rrggbb`: buttons, the header rule, links (darkened where needed for contrast: ./colour.ts). */
  primaryColour: string;
  supportEmail?: string;
  supportPhone?: string;
}

/** The look when nothing is configured: neutral, no logo, no support contacts. */
export const DEFAULT_BRAND: Brand = { companyName: 'Accounts receivable', primaryColour: '#1a4f8b' };

/** An inline SVG logo: one `<svg>` element, no scripts, no event handlers, no external references. */
const svgLogo = z
  .string()
  .trim()
  .max(50_000, 'must be at most 50000 characters')
  .refine((s) => /^<svg[\s>][\s\S]*<\/svg>$/i.test(s), 'must be one <svg>…</svg> element')
  .refine((s) => !/<\s*(script|foreignObject|iframe|object|embed|image|use)\b/i.test(s), 'must not contain script, foreignObject, image, use or embedded content')
  .refine((s) => !/\son[a-z]+\s*=/i.test(s) && !/(javascript|data):/i.test(s), 'must not contain event handlers or javascript:/data: URLs');

/** An https URL that can stand in a CSP source list and an HTML attribute as it is. */
const logoUrl = z
  .string()
  .max(2000)
  .refine((s) => /^https:\/\/[^\s;,'"<>\\]+$/.test(s) && URL.canParse(s), 'must be an https URL');

/** `BRANDING`: unknown fields are refused (a typo must not silently fall back to the default). */
export const brandSchema = z.strictObject({
  companyName: z.string().trim().min(1, 'must not be empty').max(100),
  logo: z.union([z.strictObject({ svg: svgLogo }), z.strictObject({ url: logoUrl })]).optional(),
  primaryColour: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour #rrggbb'),
  supportEmail: z.email().max(254).optional(),
  supportPhone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()./-]{5,30}$/, 'must be a phone number (digits, spaces, + ( ) . / -)')
    .optional(),
}) satisfies z.ZodType<Brand, unknown>;

/** A phone number as a `tel:` URI (digits and a leading +). */
export function telHref(phone: string): string {
  return `tel:${phone.trim().startsWith('+') ? '+' : ''}${phone.replace(/\D/g, '')}`;
}

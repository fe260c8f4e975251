/**
 * Cash-application policy. Defaults documented in the README; override the shortfall tolerance with the env var
 * SHORTFALL_TOLERANCE, a JSON map of currency → minor units (e.g. {"EUR":1500,"USD":2500}).
 */
export const DEFAULT_SHORTFALL_TOLERANCE: Record<string, number> = { EUR: 1000, USD: 1000, GBP: 1000, CHF: 1000 };

export function shortfallTolerance(): Record<string, number> {
  const raw = process.env.SHORTFALL_TOLERANCE;
  if (!raw) return DEFAULT_SHORTFALL_TOLERANCE;
  const parsed = JSON.parse(raw) as Record<string, unknown>;
  const out: Record<string, number> = {};
  for (const [currency, value] of Object.entries(parsed)) {
    if (!Number.isSafeInteger(value) || (value as number) < 0) throw new Error(`SHORTFALL_TOLERANCE.${currency} must be a non-negative integer`);
    out[currency] = value as number;
  }
  return out;
}

/**
 * Cash-application policy. Defaults documented in the README; override the shortfall tolerance with the env var
 * SHORTFALL_TOLERANCE, a JSON map of currency → minor units (e.g. {"EUR":1500,"USD":2500}), read and validated by
 * the runtime config module.
 */
export { DEFAULT_SHORTFALL_TOLERANCE, shortfallTolerance } from './runtime.ts';

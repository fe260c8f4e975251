import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Structured JSON logs (Powertools). Never log personal data (names, emails, IBANs, free remittance text) or
 * secrets: log ids, types, amounts and outcomes only.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'collections' });

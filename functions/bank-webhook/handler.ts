import { BankFormatError, BankSignatureError } from '../../shared/adapters/bank/index.ts';
import { getHeader, httpHandler, HttpError, json, rawBody } from '../../shared/http/api.ts';
import { ingestBank } from '../../shared/services/ingest.ts';

/** Verify over the raw bytes → validate the format → store → enqueue → 200. */
export const handler = httpHandler({
  'POST /webhooks/bank': async (event) => {
    try {
      const result = await ingestBank(
        rawBody(event),
        {
          timestamp: getHeader(event, 'x-bank-timestamp'),
          signature: getHeader(event, 'x-bank-signature'),
          contentType: getHeader(event, 'content-type'),
        },
        new Date(event.requestContext.timeEpoch),
      );
      return json(200, { received: true, duplicate: result.outcome === 'duplicate', format: result.format, lines: result.lines });
    } catch (error) {
      if (error instanceof BankSignatureError) throw new HttpError(400, 'invalid_signature', `X-Bank-Signature: ${error.message}`, 'X-Bank-Signature');
      if (error instanceof BankFormatError) throw new HttpError(400, 'invalid_bank_payload', error.message);
      throw error;
    }
  },
});

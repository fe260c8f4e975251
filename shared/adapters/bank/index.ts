/**
 * Bank payloads → normalised bank lines. One entry point for the bank webhook: verify the signature over the raw
 * bytes (verifyBankSignature), then parseBankPayload(body, contentType). Formats: docs/bank-formats.md.
 */
import { parseBai2 } from './bai2.ts';
import { parseCamt } from './camt.ts';
import { parseBankJson } from './json.ts';
import { type ParseResult, BankFormatError } from './types.ts';

export { BankFormatError } from './types.ts';
export type { BankFormat, BankLine, IgnoredEntry, ParseResult } from './types.ts';
export {
  BANK_SIGNATURE_HEADER,
  BANK_SIGNATURE_TOLERANCE_SECONDS,
  BANK_TIMESTAMP_HEADER,
  BankSignatureError,
  bankSignatureHeaders,
  signBankPayload,
  verifyBankSignature,
} from './signature.ts';
export { parseBai2, classifyBai2TypeCode } from './bai2.ts';
export { parseCamt } from './camt.ts';
export { parseBankJson, bankNotificationSchema, type BankNotification } from './json.ts';

type Family = 'camt' | 'bai2' | 'json';

const FAMILY_NAMES: Record<Family, string> = { camt: 'camt XML', bai2: 'BAI2', json: 'JSON' };

/** What the body looks like: `<?xml`/`<Document`/any tag → camt; `01,` → BAI2; `{` → JSON. */
function sniff(body: string): Family | undefined {
  const start = body.replace(/^\uFEFF/, '').trimStart();
  if (start.startsWith('<')) return 'camt';
  if (start.startsWith('01,')) return 'bai2';
  if (start.startsWith('{')) return 'json';
  return undefined;
}

/** What the Content-Type says, when it says something specific. */
function declared(contentType: string | undefined): Family | undefined {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (type === 'application/xml' || type === 'text/xml' || type.endsWith('+xml')) return 'camt';
  if (type === 'application/x-bai2' || type === 'text/x-bai2' || type === 'application/bai2') return 'bai2';
  return undefined; // text/plain, application/octet-stream, missing: decided by the body
}

/**
 * Text of a raw body: XML in the encoding its declaration names (banks still send ISO-8859-1), JSON as UTF-8 (RFC
 * 8259), anything else (BAI2) as UTF-8, or Latin-1 when it is not valid UTF-8.
 */
export function decodeBankBody(raw: Buffer | Uint8Array): string {
  const head = Buffer.from(raw.subarray(0, 256)).toString('latin1');
  const xmlEncoding = /^(?:\uFEFF|\u00EF\u00BB\u00BF)?\s*<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)["']/i.exec(head)?.[1];
  const label = xmlEncoding ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    throw new BankFormatError(`XML encoding "${label}" is not supported`);
  }
  try {
    return decoder.decode(raw);
  } catch {
    if (xmlEncoding || sniff(head) === 'json') throw new BankFormatError(`bank payload is not valid ${label}`);
    return new TextDecoder('latin1').decode(raw);
  }
}

/**
 * Parses a verified bank payload (the raw bytes, or text already decoded). The body decides the format; a specific
 * Content-Type that contradicts it is rejected (a sender bug better surfaced than guessed around). Throws
 * BankFormatError for anything malformed.
 */
export function parseBankPayload(payload: string | Buffer | Uint8Array, contentType: string | undefined): ParseResult {
  const body = typeof payload === 'string' ? payload : decodeBankBody(payload);
  const fromBody = sniff(body);
  const fromHeader = declared(contentType);
  if (fromBody && fromHeader && fromBody !== fromHeader) {
    throw new BankFormatError(`Content-Type ${contentType} says ${FAMILY_NAMES[fromHeader]} but the body is ${FAMILY_NAMES[fromBody]}`);
  }
  const family = fromBody ?? fromHeader;
  const text = body.replace(/^\uFEFF/, '');
  switch (family) {
    case 'camt':
      return parseCamt(text.trimStart());
    case 'bai2':
      return parseBai2(text);
    case 'json':
      return parseBankJson(text);
    default:
      throw new BankFormatError(
        'unrecognised bank payload: expected camt.053/054 XML, a BAI2 file (starting with "01,") or a JSON notification',
      );
  }
}

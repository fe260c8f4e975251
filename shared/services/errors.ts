/**
 * The use-case errors services speak. A service says what went wrong in its own terms (not found, invalid input,
 * a conflict with the state it found, an idempotency key reused); the HTTP edge maps each kind to a status code in
 * one place (`httpErrorOf` in shared/http/api.ts), like lago-api's api_errors.rb. The `code` strings are the stable
 * error codes clients see (`not_found`, `invalid_request`, `conflict`, `already_disputed`, …), the message is the
 * text they see, and `field` names the input at fault when there is one.
 */

export type UseCaseErrorKind = 'not_found' | 'invalid' | 'conflict';

export abstract class UseCaseError extends Error {
  abstract readonly kind: UseCaseErrorKind;
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Something named does not exist (or is not the caller's to see). */
export class NotFound extends UseCaseError {
  readonly kind = 'not_found';
  constructor(message: string) {
    super('not_found', message);
  }
}

/** The input is wrong: `field` names it, the message reads `<field>: <detail>`. */
export class Invalid extends UseCaseError {
  readonly kind = 'invalid';
  constructor(field: string, detail: string, code = 'invalid_request') {
    super(code, `${field}: ${detail}`, field);
  }
}

/** The request is well-formed but the state forbids it (`code` says why: `invoice_paid`, `too_many_holds`, …). */
export class Conflict extends UseCaseError {
  readonly kind = 'conflict';
  constructor(code: string, message: string, field?: string) {
    super(code, message, field);
  }
}

export const KEY_REUSED_MESSAGE = 'Idempotency-Key was already used with a different request';

/** An Idempotency-Key (or natural key) already used with another request body. */
export class IdempotencyKeyReused extends Conflict {
  constructor(code = 'idempotency_key_reused', message = KEY_REUSED_MESSAGE) {
    super(code, message);
  }
}

/**
 * Our documented JSON bank notification (docs/bank-formats.md): one or more credits on one of our accounts, amounts
 * as integer minor units with an ISO 4217 currency, like the rest of the API.
 */
import { z } from 'zod';
import { isCurrency } from '../../domain/money.ts';
import {
  type BankLine,
  type IgnoredEntry,
  type ParseResult,
  BankFormatError,
  assertUniqueKeys,
  clean,
  collectReferences,
  isIsoDate,
  normaliseAccount,
  realEndToEndId,
  referenceKey,
} from './types.ts';

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const isoDate = z.string().refine(isIsoDate, 'must be a date written YYYY-MM-DD');

export const bankCreditSchema = z
  .object({
    id: text(200),
    status: z.enum(['booked', 'pending', 'reversed']),
    amount: z
      .number({ error: 'must be an integer count of minor units (12500 = 125.00 EUR), not a string' })
      .int('must be an integer count of minor units (12500 = 125.00 EUR)')
      .positive('must be positive')
      .max(Number.MAX_SAFE_INTEGER, 'is too large'),
    currency: z.string().refine(isCurrency, 'must be an upper-case ISO 4217 code'),
    bookingDate: isoDate,
    valueDate: isoDate.optional(),
    debtor: z.object({ name: z.string().max(500).optional(), iban: z.string().max(100).optional() }).optional(),
    remittance: z.string().max(10_000).optional(),
    references: z.array(text(200)).max(50).optional(),
    endToEndId: z.string().max(200).optional(),
    reverses: text(200).optional(),
  })
  .refine((c) => c.reverses === undefined || c.status === 'reversed', {
    message: 'is only allowed on a credit with status "reversed"',
    path: ['reverses'],
  });

export const bankNotificationSchema = z.object({
  id: text(200),
  account: z.object({ iban: text(100) }),
  credits: z.array(bankCreditSchema).min(1, 'must hold at least one credit'),
});

export type BankNotification = z.infer<typeof bankNotificationSchema>;

function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
}

export function parseBankJson(body: string): ParseResult {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (error) {
    throw new BankFormatError(`bank notification is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = bankNotificationSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((issue) => `${pathOf(issue.path) || '(body)'}: ${issue.message}`);
    throw new BankFormatError(`bank notification is invalid: ${problems.join('; ')}`);
  }
  const notification = parsed.data;
  const accountIban = normaliseAccount(notification.account.iban);
  const lines: BankLine[] = [];
  const positions: string[] = [];
  const ignored: IgnoredEntry[] = [];

  notification.credits.forEach((credit, index) => {
    const position = `credits[${index}]`;
    if (credit.status === 'pending') {
      ignored.push({ position, reason: 'status pending is not booked; only booked credits are money' });
      return;
    }
    const kind: BankLine['kind'] = credit.status === 'reversed' ? 'reversal' : 'credit';
    const remittanceText = clean(credit.remittance) ?? '';
    const endToEndId = realEndToEndId(credit.endToEndId);
    const line: BankLine = {
      key: referenceKey('prov', credit.id, kind),
      kind,
      amount: credit.amount,
      currency: credit.currency,
      bookingDate: credit.bookingDate,
      references: collectReferences(credit.references ?? [], remittanceText, endToEndId),
      remittanceText,
      format: 'json',
    };
    if (credit.valueDate) line.valueDate = credit.valueDate;
    if (accountIban) line.accountIban = accountIban;
    const debtorName = clean(credit.debtor?.name);
    if (debtorName) line.debtorName = debtorName;
    const debtorAccount = normaliseAccount(credit.debtor?.iban);
    if (debtorAccount) line.debtorAccount = debtorAccount;
    if (endToEndId) line.endToEndId = endToEndId;
    // A reversed credit names what it reverses; without `reverses` it is the same transaction id, now reversed.
    if (kind === 'reversal') line.reversesKey = referenceKey('prov', credit.reverses ?? credit.id, 'credit');
    lines.push(line);
    positions.push(position);
  });

  assertUniqueKeys(lines, positions);
  return { format: 'json', lines, ignored };
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BankFormatError, parseBankJson, parseBankPayload } from '../../shared/adapters/bank/index.ts';
import { createRfReference } from '../../shared/domain/rf-reference.ts';

const sample = (): string => readFileSync(new URL('../../events/bank/notification.json', import.meta.url), 'utf8');
const RF1 = createRfReference('539007547034');

interface Credit {
  id: string;
  status: string;
  amount: unknown;
  currency: string;
  bookingDate: string;
  [field: string]: unknown;
}

const credit = (over: Partial<Credit> = {}): Credit => ({
  id: 'txn_1',
  status: 'booked',
  amount: 810,
  currency: 'EUR',
  bookingDate: '2026-03-05',
  ...over,
});
const notification = (...credits: Credit[]): string =>
  JSON.stringify({ id: 'ntf_1', account: { iban: 'DE89 3704 0044 0532 0130 00' }, credits });

describe('JSON bank notification sample', () => {
  it('turns both booked credits into exact lines', () => {
    const body = sample().replaceAll('{{reference}}', RF1).replaceAll('{{invoiceNumber}}', 'INV-2026-0042');
    const result = parseBankPayload(body, 'application/json; charset=utf-8');
    expect(result).toEqual({
      format: 'json',
      ignored: [],
      lines: [
        {
          key: 'prov:txn_0004654654',
          kind: 'credit',
          amount: 12500,
          currency: 'EUR',
          bookingDate: '2026-03-05',
          valueDate: '2026-03-05',
          accountIban: 'DE89370400440532013000',
          debtorName: 'Muster GmbH',
          debtorAccount: 'DE02120300000000202051',
          references: [RF1, 'E2E-20260305-0001'],
          remittanceText: 'Payment for our order 4711',
          endToEndId: 'E2E-20260305-0001',
          format: 'json',
        },
        {
          key: 'prov:txn_0004654655',
          kind: 'credit',
          amount: 810,
          currency: 'EUR',
          bookingDate: '2026-03-05',
          accountIban: 'DE89370400440532013000',
          debtorName: 'Jean Dupont',
          debtorAccount: 'FR1420041010050500013M02606',
          references: [],
          remittanceText: 'Invoice INV-2026-0042',
          format: 'json',
        },
      ],
    });
  });

  it('is valid with its placeholders left as literal text, and gives the same keys every time', () => {
    const first = parseBankJson(sample());
    expect(first.lines[0]?.references[0]).toBe('{{reference}}');
    expect(parseBankJson(sample())).toEqual(first);
  });
});

describe('JSON bank notification', () => {
  it('takes amounts as integer minor units in the currency given (EUR, JPY, BHD)', () => {
    const { lines } = parseBankJson(
      notification(
        credit({ id: 'a', amount: 810, currency: 'EUR' }),
        credit({ id: 'b', amount: 1500, currency: 'JPY' }),
        credit({ id: 'c', amount: 8125, currency: 'BHD' }),
      ),
    );
    expect(lines.map((l) => [l.amount, l.currency])).toEqual([
      [810, 'EUR'],
      [1500, 'JPY'],
      [8125, 'BHD'],
    ]);
  });

  it('ignores pending credits with a reason, and turns reversed ones into reversals', () => {
    const { lines, ignored } = parseBankJson(
      notification(
        credit({ id: 'txn_1' }),
        credit({ id: 'txn_2', status: 'pending' }),
        credit({ id: 'txn_3', status: 'reversed', reverses: 'txn_0' }),
        credit({ id: 'txn_1', status: 'reversed' }),
      ),
    );
    expect(ignored).toEqual([{ position: 'credits[1]', reason: 'status pending is not booked; only booked credits are money' }]);
    expect(lines.map((l) => [l.key, l.kind, l.reversesKey])).toEqual([
      ['prov:txn_1', 'credit', undefined],
      ['prov:txn_3:reversal', 'reversal', 'prov:txn_0'],
      ['prov:txn_1:reversal', 'reversal', 'prov:txn_1'], // the same transaction, now reversed
    ]);
  });

  it('collects references: given ones, RF references in the remittance, a real end-to-end id', () => {
    const [line] = parseBankJson(
      notification(credit({ references: ['0004654654'], remittance: `Thanks  ${RF1.slice(0, 4)} ${RF1.slice(4)}`, endToEndId: 'E2E-1' })),
    ).lines;
    expect(line).toMatchObject({ references: ['0004654654', RF1, 'E2E-1'], remittanceText: `Thanks ${RF1.slice(0, 4)} ${RF1.slice(4)}` });
    const [none] = parseBankJson(notification(credit({ endToEndId: 'NOTPROVIDED' }))).lines;
    expect(none?.references).toEqual([]);
    expect(none).not.toHaveProperty('endToEndId');
  });

  const invalid: [string, string, RegExp][] = [
    ['amount as a decimal string', notification(credit({ amount: '125.00' })), /credits\[0\]\.amount: must be an integer count of minor units/],
    ['amount with decimals', notification(credit({ amount: 8.1 })), /credits\[0\]\.amount: must be an integer count of minor units/],
    ['zero amount', notification(credit({ amount: 0 })), /credits\[0\]\.amount: must be positive/],
    ['negative amount', notification(credit({ amount: -810 })), /credits\[0\]\.amount: must be positive/],
    ['unsafe amount', notification(credit({ amount: 2 ** 53 })), /credits\[0\]\.amount/],
    ['lower-case currency', notification(credit({ currency: 'eur' })), /credits\[0\]\.currency: must be an upper-case ISO 4217 code/],
    ['unknown currency', notification(credit({ currency: 'XYZ' })), /credits\[0\]\.currency/],
    ['impossible date', notification(credit({ bookingDate: '2026-02-30' })), /credits\[0\]\.bookingDate: must be a date/],
    ['bad value date', notification(credit({ valueDate: '05.03.2026' })), /credits\[0\]\.valueDate/],
    ['unknown status', notification(credit({ status: 'settled' })), /credits\[0\]\.status/],
    ['missing id', notification(credit({ id: '' })), /credits\[0\]\.id: must not be empty/],
    ['reverses on a booked credit', notification(credit({ reverses: 'txn_0' })), /credits\[0\]\.reverses: is only allowed on a credit with status "reversed"/],
    ['references not strings', notification(credit({ references: [42] })), /credits\[0\]\.references\[0\]/],
    ['no credits', notification(), /credits: must hold at least one credit/],
    ['no account', JSON.stringify({ id: 'n', credits: [credit()] }), /account/],
    ['array body', '[]', /\(body\)/],
    ['null body', 'null', /\(body\)/],
    ['not JSON', '{"id": ', /not valid JSON/],
    ['duplicate credit id', notification(credit({ id: 'x' }), credit({ id: 'x', amount: 100 })), /prov:x appears twice \(credits\[0\] and credits\[1\]\)/],
  ];
  for (const [name, body, message] of invalid) {
    it(`rejects ${name} with a BankFormatError naming the field`, () => {
      expect(() => parseBankJson(body)).toThrow(BankFormatError);
      expect(() => parseBankJson(body)).toThrow(message);
    });
  }

  it('ignores unknown fields and is not fooled by __proto__ keys', () => {
    const body = `{"id":"n","__proto__":{"polluted":1},"account":{"iban":"DE89370400440532013000"},"credits":[${JSON.stringify(credit({ extra: true }))}]}`;
    expect(parseBankJson(body).lines).toHaveLength(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

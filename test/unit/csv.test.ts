import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell, csvDecimal, csvDocument, neutraliseFormula } from '../../shared/domain/csv.ts';
import type { LedgerEntry } from '../../shared/domain/ledger.ts';
import { buildStatement } from '../../shared/domain/statement.ts';
import { statementCsv } from '../../shared/domain/statement-csv.ts';

/** Splits an RFC 4180 document back into rows of fields (quotes removed, doubled quotes undone). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else field += ch;
  }
  return rows;
}

const TRIGGERS = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];

describe('CSV injection (OWASP): text cells never start a formula', () => {
  it('prefixes = + - @ tab CR (and full-width forms) with a single quote, and only those', () => {
    expect(neutraliseFormula('=HYPERLINK("http://evil","pay")')).toBe(`'=HYPERLINK("http://evil","pay")`);
    expect(neutraliseFormula('+1+2')).toBe("'+1+2");
    expect(neutraliseFormula('-2+3')).toBe("'-2+3");
    expect(neutraliseFormula('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(neutraliseFormula('\t=1')).toBe("'\t=1");
    expect(neutraliseFormula('\r=1')).toBe("'\r=1");
    expect(neutraliseFormula('＝1+1')).toBe("'＝1+1");
    for (const plain of ['RF18539007547034', 'INV-000001', 'pay_1', 'a=b', '', "'quoted", ' =1']) expect(neutraliseFormula(plain)).toBe(plain);
  });

  it('quotes after neutralising: the cell reads back as the quoted text', () => {
    expect(csvCell('=1,2')).toBe(`"'=1,2"`);
    expect(csvCell('=cmd|" /C calc"!A0')).toBe(`"'=cmd|"" /C calc""!A0"`);
    expect(csvCell('\r\n=1')).toBe(`"'\r\n=1"`);
  });

  it('property: whatever the text, its parsed cell does not start with a trigger and round-trips after the quote', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom(...TRIGGERS).chain((t) => fc.string().map((s) => t + s))), { minLength: 1, maxLength: 6 }), (cells) => {
        const [parsed] = parseCsv(csvDocument([cells]));
        expect(parsed).toHaveLength(cells.length);
        parsed!.forEach((value, i) => {
          expect(TRIGGERS.some((t) => value.startsWith(t))).toBe(false);
          expect(value).toBe(TRIGGERS.some((t) => cells[i]!.startsWith(t)) ? `'${cells[i]}` : cells[i]);
        });
      }),
    );
  });

  it('amounts stay numbers: a negative amount is written as -12.50, not neutralised', () => {
    expect(csvCell(csvDecimal('-12.50'))).toBe('-12.50');
    expect(csvCell(csvDecimal('0.005'))).toBe('0.005');
    expect(csvCell(csvDecimal('-1234'))).toBe('-1234');
    // Only a plain decimal can be an amount cell: nothing else bypasses the neutralisation.
    for (const bad of ['-1+2', '=1', '1e5', '-', '', '12.', ' 1', '1,5']) {
      expect(() => csvDecimal(bad)).toThrow(RangeError);
      expect(() => csvCell({ decimal: bad })).toThrow(RangeError);
    }
  });
});

describe('statement CSV', () => {
  it('neutralises a payer-written reference and an invoice number, keeps amounts numeric', () => {
    const customer = { id: 'cus_1', name: 'Ada', locale: 'en-GB', timeZone: 'Europe/London' };
    const entries: LedgerEntry[] = [
      { id: 'e1', customerId: 'cus_1', account: 'receivable', currency: 'EUR', type: 'invoice_issued', amount: 1_250, invoiceId: 'inv_x', bookedAt: '2027-03-03T00:00:00.000Z' },
      { id: 'e2', customerId: 'cus_1', account: 'receivable', currency: 'EUR', type: 'payment_applied', amount: -1_250, invoiceId: 'inv_x', paymentId: '=HYPERLINK("http://evil")', bookedAt: '2027-03-04T00:00:00.000Z' },
    ];
    const statement = buildStatement({ customer, from: '2027-03-01', to: '2027-03-31', entries, invoices: [{ id: 'inv_x', number: '@SUM(1+1)', currency: 'EUR', dueDate: '2027-03-31' }] });
    const rows = parseCsv(statementCsv(statement));
    const payment = rows.find((r) => r[3] === 'payment')!;
    const invoice = rows.find((r) => r[3] === 'invoice')!;
    expect(payment[4]).toBe(`'=HYPERLINK("http://evil")`);
    expect(payment[5]).toBe("'@SUM(1+1)");
    expect(payment[6]).toBe('-12.50');
    expect(invoice[4]).toBe("'@SUM(1+1)");
    expect(invoice[6]).toBe('12.50');
    for (const r of rows) for (const cell of r) if (!/^-?\d+(\.\d+)?$/.test(cell)) expect(TRIGGERS.some((t) => cell.startsWith(t)), cell).toBe(false);
  });
});

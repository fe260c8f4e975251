import { readFileSync } from 'node:fs';
import { renderText } from '../../local/events.ts';
import { describe, expect, it } from 'vitest';
import { BankFormatError, type BankLine, classifyBai2TypeCode, parseBai2, parseBankPayload } from '../../shared/adapters/bank/index.ts';
import { createRfReference } from '../../shared/domain/rf-reference.ts';

const sample = (): string => readFileSync(new URL('../../events/bank/bai2.txt', import.meta.url), 'utf8');
const RF1 = createRfReference('539007547034');
const RF2 = createRfReference('2026000417');
const filled = (): string =>
  sample().replaceAll('{{reference}}', RF1).replaceAll('{{reference2}}', RF2).replaceAll('{{invoiceNumber}}', 'INV-2026-0042');

interface Account {
  number: string;
  currency?: string;
  /** Summary triplets after the currency, e.g. ['010,1000,,', '015,2000,,']. */
  summary?: string[];
  /** 16 records (with their 88 lines) and the amount each adds to the control total. */
  details: { lines: string[]; amount: number }[];
}

/** Lines that are records of their own (a wrapped line continuing a 16's text is not one). */
const records = (lines: readonly string[]): number => lines.filter((l) => /^\d{2}[,:]/.test(l)).length;

/** Builds a BAI2 file with correct control totals and record counts (tests then break them on purpose). */
function bai2(groups: { currency?: string; date?: string; accounts: Account[] }[]): string {
  const out = ['01,BANKUS33,OURCOMPANY,260305,0600,1,80,,2/'];
  let fileTotal = 0;
  for (const group of groups) {
    const start = out.length;
    out.push(`02,OURCOMPANY,BANKUS33,1,${group.date ?? '260305'},0600,${group.currency ?? ''},2/`);
    let groupTotal = 0;
    for (const account of group.accounts) {
      const accountStart = out.length;
      const summary = account.summary ?? [];
      out.push(`03,${account.number},${account.currency ?? ''}${summary.map((s) => `,${s}`).join('')}/`);
      let total = summary.reduce((sum, s) => sum + Number(s.split(',')[1] || 0), 0);
      for (const detail of account.details) {
        out.push(...detail.lines);
        total += detail.amount;
      }
      out.push(`49,${total},${records(out.slice(accountStart)) + 1}/`);
      groupTotal += total;
    }
    out.push(`98,${groupTotal},${group.accounts.length},${records(out.slice(start)) + 1}/`);
    fileTotal += groupTotal;
  }
  out.push(`99,${fileTotal},${groups.length},${records(out) + 1}/`);
  return out.join('\n');
}

const credit = (line: string, amount: number, ...more: string[]) => ({ lines: [line, ...more], amount });
const one = (detail: { lines: string[]; amount: number }, currency = 'USD'): BankLine[] =>
  parseBai2(bai2([{ accounts: [{ number: '0012345678', currency, details: [detail] }] }])).lines;

describe('BAI2 sample', () => {
  const result = parseBankPayload(filled(), 'text/plain');

  it('turns credit details into exact lines, appending 88 continuations to the text', () => {
    expect(result.format).toBe('bai2');
    expect(result.lines).toEqual([
      {
        key: 'prov:0004654654',
        kind: 'credit',
        amount: 810,
        currency: 'USD',
        bookingDate: '2026-03-05',
        accountIban: '0012345678',
        references: [RF1],
        remittanceText: `WIRE FROM ACME CORP, INVOICE INV-2026-0042, THANK YOU OBI ${RF1}`,
        format: 'bai2',
      },
      {
        key: 'prov:20260305000042',
        kind: 'credit',
        amount: 125000,
        currency: 'USD',
        bookingDate: '2026-03-05',
        valueDate: '2026-03-05',
        accountIban: '0012345678',
        references: [RF2],
        remittanceText: `ACH CREDIT ORIG CO NAME:GLOBEX LLC ADDENDA: PAYMENT FOR ${RF2}`,
        format: 'bai2',
      },
      {
        key: 'prov:20260305000099',
        kind: 'credit',
        amount: 250000,
        currency: 'USD', // blank on the 03 record: the group's currency
        bookingDate: '2026-03-05',
        accountIban: '7700012345',
        references: ['0451'],
        remittanceText: 'LOCKBOX 0451 DEPOSIT',
        format: 'bai2',
      },
    ]);
  });

  it('ignores the debit, saying why', () => {
    expect(result.ignored).toEqual([
      { position: '02[1]/03[1]/16[3]', reason: 'debit type code 475: money going out is not a customer payment' },
    ]);
  });

  it('gives the same keys every time the same file is parsed, with or without CRLF line ends', () => {
    expect(parseBai2(filled())).toEqual(result);
    expect(parseBai2(filled().replaceAll('\n', '\r\n'))).toEqual(result);
  });

  it('parses the sample with its placeholders as literal text', () => {
    expect(parseBai2(sample()).lines[0]?.remittanceText).toContain('{{invoiceNumber}}');
  });
});

describe('BAI2 control totals', () => {
  const good = filled();

  it('rejects an account, group or file control total that does not match, naming both totals', () => {
    expect(() => parseBai2(good.replace('49,3251620,7/', '49,3251621,7/'))).toThrow(
      'BAI2 account 0012345678 control total 3251621 does not match the sum of its amounts 3251620',
    );
    expect(() => parseBai2(good.replace('98,3751620,2,12/', '98,3751600,2,12/'))).toThrow(
      'BAI2 group 1 control total 3751600 does not match the sum of accounts 3751620',
    );
    expect(() => parseBai2(good.replace('99,3751620,1,14/', '99,12345,1,14/'))).toThrow(
      'BAI2 file control total 12345 does not match the sum of groups 3751620',
    );
  });

  it('notices a changed amount (the totals no longer add up)', () => {
    expect(() => parseBai2(good.replace('16,195,810,', '16,195,811,'))).toThrow(/control total 3251620 does not match the sum of its amounts 3251621/);
  });

  it('checks record counts and the number of accounts and groups', () => {
    expect(() => parseBai2(good.replace('49,3251620,7/', '49,3251620,6/'))).toThrow(/declares 6 records but the account has 7/);
    expect(() => parseBai2(good.replace('98,3751620,2,12/', '98,3751620,3,12/'))).toThrow(/declares 3 accounts but the group has 2/);
    expect(() => parseBai2(good.replace('98,3751620,2,12/', '98,3751620,2,11/'))).toThrow(/declares 11 records but the group has 12/);
    expect(() => parseBai2(good.replace('99,3751620,1,14/', '99,3751620,2,14/'))).toThrow(/declares 2 groups but the file has 1/);
    expect(() => parseBai2(good.replace('99,3751620,1,14/', '99,3751620,1,15/'))).toThrow(/declares 15 records but the file has 14/);
  });

  it('includes signed status amounts of the 03 record in the account total', () => {
    const file = bai2([{ accounts: [{ number: '1', currency: 'USD', summary: ['010,-5000,,', '015,-4190,,'], details: [credit('16,142,810,0,R1,,X', 810)] }] }]);
    expect(file).toContain('49,-8380,3/');
    expect(parseBai2(file).lines).toHaveLength(1);
  });

  it('skips funds-availability amounts in the 03 summary (S, V, D) when adding the total', () => {
    const file = bai2([
      {
        accounts: [
          {
            number: '1',
            currency: 'USD',
            summary: ['100,3000,2,S,1000,1000,1000', '110,2000,1,V,260305,', '140,1500,1,D,2,0,500,1,1000'],
            details: [],
          },
        ],
      },
    ]);
    expect(file).toContain('49,6500,2/');
    expect(parseBai2(file)).toEqual({ format: 'bai2', lines: [], ignored: [] });
  });
});

describe('BAI2 records', () => {
  it('reads every funds type: 0/1/2/Z, V (value date), S (three amounts), D (count and pairs)', () => {
    const lines = parseBai2(
      bai2([
        {
          accounts: [
            {
              number: '1',
              currency: 'USD',
              details: [
                credit('16,142,100,Z,R1,C1,zee', 100),
                credit('16,142,200,V,260306,1200,R2,C2,vee', 200),
                credit('16,142,300,S,100,100,100,R3,C3,ess', 300),
                credit('16,142,400,D,2,1,200,2,200,R4,C4,dee', 400),
                credit('16,142,500,,R5,,blank', 500),
              ],
            },
          ],
        },
      ]),
    ).lines;
    expect(lines.map((l) => [l.key, l.amount, l.references, l.remittanceText, l.valueDate])).toEqual([
      ['prov:R1', 100, ['C1'], 'zee', undefined],
      ['prov:R2', 200, ['C2'], 'vee', '2026-03-06'],
      ['prov:R3', 300, ['C3'], 'ess', undefined],
      ['prov:R4', 400, ['C4'], 'dee', undefined],
      ['prov:R5', 500, [], 'blank', undefined],
    ]);
  });

  it('keeps commas and slashes inside the text, and an empty text ended by a slash', () => {
    expect(one(credit('16,195,810,0,R1,C1,PAID INV 2026/0042, 2026/0043, THANKS', 810))[0]?.remittanceText).toBe(
      'PAID INV 2026/0042, 2026/0043, THANKS',
    );
    expect(one(credit('16,195,810,0,R1,C1,TEXT ENDING IN SLASH/', 810))[0]?.remittanceText).toBe('TEXT ENDING IN SLASH');
    expect(one(credit('16,195,810,0,R1,C1/', 810))[0]).toMatchObject({ remittanceText: '', references: ['C1'] });
    expect(one(credit('16,195,810,0,R1,,/', 810))[0]).toMatchObject({ remittanceText: '', references: [] });
  });

  it('continues the fields of a 16 cut before its references in the next 88', () => {
    const [line] = one(credit('16,115,810,S,300,500,10/', 810, '88,R9,C9,LOCKBOX ITEM', '88,SECOND LINE'));
    expect(line).toMatchObject({ key: 'prov:R9', references: ['C9'], remittanceText: 'LOCKBOX ITEM SECOND LINE' });
  });

  it('continues an 03 record in an 88', () => {
    const file = [
      '01,B,C,260305,0600,1,80,,2/',
      '02,C,B,1,260305,0600,USD,2/',
      '03,1,USD,010,1000,,/',
      '88,015,1810,,/',
      '16,142,810,0,R1,,T',
      '49,3620,4/',
      '98,3620,1,6/',
      '99,3620,1,8/',
    ].join('\n');
    expect(parseBai2(file).lines).toHaveLength(1);
  });

  it('uses the currency exponent: USD 810 = 8.10, JPY 1500 = ¥1500, BHD 8100 = 8.100 (amounts are minor units)', () => {
    expect(one(credit('16,142,810,0,R,,X', 810), 'USD')[0]).toMatchObject({ amount: 810, currency: 'USD' });
    expect(one(credit('16,142,1500,0,R,,X', 1500), 'JPY')[0]).toMatchObject({ amount: 1500, currency: 'JPY' });
    expect(one(credit('16,142,8100,0,R,,X', 8100), 'BHD')[0]).toMatchObject({ amount: 8100, currency: 'BHD' });
    expect(one(credit('16,142,00810,0,R,,X', 810))[0]?.amount).toBe(810);
  });

  it('defaults a blank account currency to the group currency, and both blank to USD', () => {
    const file = (group: string | undefined) => bai2([{ ...(group ? { currency: group } : {}), accounts: [{ number: '1', details: [credit('16,142,810,0,R,,X', 810)] }] }]);
    expect(parseBai2(file('EUR')).lines[0]?.currency).toBe('EUR');
    expect(parseBai2(file(undefined)).lines[0]?.currency).toBe('USD');
    expect(() => parseBai2(file('ABC'))).toThrow(/"ABC" is not an ISO 4217 currency code/);
  });

  it('classifies type codes: credits 101–399, debits ignored, returns and reversals', () => {
    expect(classifyBai2TypeCode('142')).toEqual({ kind: 'credit' });
    expect(classifyBai2TypeCode('195')).toEqual({ kind: 'credit' });
    expect(classifyBai2TypeCode('115')).toEqual({ kind: 'credit' });
    expect(classifyBai2TypeCode('301')).toEqual({ kind: 'credit' });
    expect(classifyBai2TypeCode('555')).toEqual({ kind: 'reversal' });
    expect(classifyBai2TypeCode('558')).toEqual({ kind: 'reversal' });
    expect(classifyBai2TypeCode('258')).toEqual({ ignore: expect.stringMatching(/reverses one of our debits/) });
    expect(classifyBai2TypeCode('475')).toEqual({ ignore: expect.stringMatching(/^debit type code 475/) });
    expect(classifyBai2TypeCode('010')).toEqual({ ignore: expect.stringMatching(/status type code/) });
    expect(classifyBai2TypeCode('100')).toEqual({ ignore: expect.stringMatching(/summary/) });
    expect(classifyBai2TypeCode('920')).toEqual({ ignore: expect.stringMatching(/customised/) });
  });

  it('turns a returned deposit into a reversal whose key never collides with a credit of the same bank reference', () => {
    const { lines, ignored } = parseBai2(
      bai2([
        {
          accounts: [
            {
              number: '1',
              currency: 'USD',
              details: [
                credit('16,142,810,0,R1,,ACH CREDIT', 810),
                credit('16,555,810,0,R1,,DEPOSITED ITEM RETURNED', 810),
                credit('16,258,500,0,R2,,ACH REVERSAL OF OUR DEBIT', 500),
                credit('16,142,0,0,R3,,ZERO', 0),
              ],
            },
          ],
        },
      ]),
    );
    expect(lines.map((l) => [l.key, l.kind])).toEqual([
      ['prov:R1', 'credit'],
      ['prov:R1:reversal', 'reversal'],
    ]);
    expect(lines[1]).not.toHaveProperty('reversesKey');
    expect(ignored).toEqual([
      { position: '02[1]/03[1]/16[3]', reason: expect.stringMatching(/258 returns or reverses one of our debits/) },
      { position: '02[1]/03[1]/16[4]', reason: 'zero amount' },
    ]);
  });

  it('hashes lines without a bank reference: stable, and distinct for identical lines', () => {
    const file = bai2([{ accounts: [{ number: '1', currency: 'USD', details: [credit('16,142,810,0,,,SAME', 810), credit('16,142,810,0,,,SAME', 810)] }] }]);
    const lines = parseBai2(file).lines;
    expect(lines.map((l) => l.key)).toEqual(parseBai2(file).lines.map((l) => l.key));
    expect(lines[0]?.key).toMatch(/^hash:[0-9a-f]{64}$/);
    expect(lines[0]?.key).not.toBe(lines[1]?.key);
  });

  it('refuses a file that names the same bank reference for two credits', () => {
    const file = bai2([{ accounts: [{ number: '1', currency: 'USD', details: [credit('16,142,810,0,R1,,A', 810), credit('16,142,100,0,R1,,B', 100)] }] }]);
    expect(() => parseBai2(file)).toThrow(/prov:R1 appears twice/);
  });

  it('supports several groups with their own as-of dates', () => {
    const file = bai2([
      { currency: 'USD', date: '260305', accounts: [{ number: '1', details: [credit('16,142,810,0,R1,,A', 810)] }] },
      { currency: 'EUR', date: '260306', accounts: [{ number: '2', details: [credit('16,142,100,0,R2,,B', 100)] }] },
    ]);
    expect(parseBai2(file).lines.map((l) => [l.bookingDate, l.currency, l.accountIban])).toEqual([
      ['2026-03-05', 'USD', '1'],
      ['2026-03-06', 'EUR', '2'],
    ]);
  });
});

describe('malformed BAI2', () => {
  const good = filled();
  const lines = good.trimEnd().split('\n');
  const cases: [string, string, RegExp][] = [
    ['empty', '', /empty/],
    ['no header', lines.slice(1).join('\n'), /must start with an 01 file header/],
    ['version 1', good.replace(',80,,2/', ',80,,1/'), /version is "1"; only version 2/],
    ['truncated', lines.slice(0, -1).join('\n'), /no 99 file trailer/],
    ['no 98', lines.filter((l) => !l.startsWith('98')).join('\n'), /expected an 03 account record or 98 group trailer, found 99/],
    ['no 49', lines.filter((l) => !l.startsWith('49')).join('\n'), /expected a 16 detail or 49 account trailer, found 03/],
    ['after 99', `${good}\n02,X/`, /after the 99 file trailer/],
    ['88 first', `88,X\n${good}`, /88 continuation record without a record to continue/],
    ['garbage line', good.replace('16,475', 'XX,475'), /does not start with a record code/],
    ['bad date', good.replace('1,260305,0600,USD', '1,260231,0600,USD'), /"260231" is not a date/],
    ['bad amount', good.replace('16,195,810,', '16,195,8.10,'), /"8\.10" is not a whole number/],
    ['missing amount', good.replace('16,195,810,', '16,195,,'), /amount is missing/],
    ['bad type code', good.replace('16,195,', '16,19X,'), /type code "19X" is not three digits/],
    ['bad funds type', good.replace('16,195,810,0,', '16,195,810,Q,'), /unknown funds type "Q"/],
    ['bad D count', good.replace('16,195,810,0,', '16,195,810,D,x,'), /funds type D needs a distribution count/],
    ['cut 16', good.replace(/16,475,41520,0,20260305000043,1042\//, '16,475,41520/'), /ends before its bank and customer reference/],
    ['bad total', good.replace('49,3251620,7/', '49,abc,7/'), /"abc" is not a whole number/],
    ['bad count', good.replace('49,3251620,7/', '49,3251620,/'), /is not a record count/],
    ['huge amount', good.replace('16,195,810,', '16,195,99999999999999999999,'), /too large/],
  ];
  for (const [name, body, message] of cases) {
    it(`${name} → BankFormatError`, () => {
      expect(() => parseBai2(body)).toThrow(BankFormatError);
      expect(() => parseBai2(body)).toThrow(message);
    });
  }
});

describe('BAI2 bank dialects (read when the strict reading fails; accepted only when every total holds)', () => {
  const publicFile = (name: string): string => readFileSync(new URL(`../../events/bank/public/${name}`, import.meta.url), 'utf8');
  const account = (details: { lines: string[]; amount: number }[]) => bai2([{ accounts: [{ number: '0012345678', currency: 'USD', details }] }]);

  it('a 16 whose text runs on to the next line without an 88: the line joins the text, and is not a record', () => {
    const file = account([credit('16,195,125000,0,W1,,INCOMING WIRE PAYMENT', 125000, `FOR ${RF1} THANK YOU`), credit('16,142,500,0,W2,,NEXT', 500)]);
    expect(file).toContain('49,125500,4/'); // 03, two 16s, 49: the wrapped line is not counted
    const { lines } = parseBai2(file);
    expect(lines.map((l) => [l.key, l.amount, l.remittanceText, l.references])).toEqual([
      ['prov:W1', 125000, `INCOMING WIRE PAYMENT FOR ${RF1} THANK YOU`, [RF1]],
      ['prov:W2', 500, 'NEXT', []],
    ]);
  });

  it('a 16 wrapped inside its fixed fields joins the line as it is (no space added)', () => {
    const [line] = parseBai2(account([credit('16,142,810,0,R', 810, '1,C9,LOCKBOX ITEM')])).lines;
    expect(line).toMatchObject({ key: 'prov:R1', references: ['C9'], remittanceText: 'LOCKBOX ITEM' });
  });

  it('"88:" in place of "88,": a continuation like any other', () => {
    const [line] = parseBai2(account([credit('16,195,810,0,R1,,WIRE FROM ACME', 810, `88:OBI ${RF1}`, '88,SECOND LINE')])).lines;
    expect(line).toMatchObject({ key: 'prov:R1', references: [RF1], remittanceText: `WIRE FROM ACME OBI ${RF1} SECOND LINE` });
  });

  it('records without the trailing "/" and with CRLF line ends read exactly like the canonical file', () => {
    const canonical = parseBai2(filled());
    const bare = filled()
      .split('\n')
      .map((l) => l.replace(/\/$/, ''))
      .join('\r\n');
    expect(bare).not.toMatch(/\/\r\n/);
    expect(parseBai2(bare)).toEqual(canonical);
  });

  it('refuses a dialect file whose totals do not hold, naming the total and the dialect read', () => {
    const wrapped = account([credit('16,195,125000,0,W1,,INCOMING WIRE PAYMENT', 125000, `FOR ${RF1} THANK YOU`)]);
    expect(() => parseBai2(wrapped.replace('16,195,125000,', '16,195,125001,'))).toThrow(
      /^BAI2 line 5 does not start with a record code: "FOR RF.*"; read with bank dialects \(a 16 record whose text runs on to the next line without an 88\): BAI2 account 0012345678 control total 125000 does not match the sum of its amounts 125001$/,
    );
    const colon = account([credit('16,195,810,0,R1,,WIRE', 810, '88:OBI X')]);
    expect(() => parseBai2(colon.replace('49,810,4/', '49,810,3/'))).toThrow(/read with bank dialects \("88:" in place of "88,"\): .* declares 3 records but the account has 4$/);
    expect(() => parseBai2(colon.replace('99,810,', '99,811,'))).toThrow(BankFormatError);
  });

  it('keeps refusing a line without a record code that does not continue a 16 text', () => {
    const afterTrailer = filled().replace('49,3251620,7/', '49,3251620,7/\nSTRAY LINE');
    expect(() => parseBai2(afterTrailer)).toThrow(/line 10 does not start with a record code: "STRAY LINE"/);
    const afterEndedText = account([credit('16,142,810,0,R1,,ENDED/', 810, 'STRAY LINE')]);
    expect(() => parseBai2(afterEndedText)).toThrow(/does not start with a record code: "STRAY LINE"/);
  });

  it('reads a text containing "/ 16," literally when the file is valid as written (the strict reading comes first)', () => {
    const [line] = parseBai2(account([credit('16,142,810,0,R1,,PAID 2026/ 16,00 EUR', 810)])).lines;
    expect(line?.remittanceText).toBe('PAID 2026/ 16,00 EUR');
  });

  describe('public files written by other projects (events/bank/public, see its README)', () => {
    it('moov-io/bai2 sample3: wrapped 16 text and several records per line; every total holds, so it is read', () => {
      const body = publicFile('moov-io-sample3.txt');
      const result = parseBai2(body);
      expect(result.lines).toHaveLength(13);
      expect(result.ignored).toHaveLength(13);
      expect(result.lines.reduce((sum, l) => sum + l.amount, 0)).toBe(2500 + 500 + 100 + 2500 + 600 + 600 + 215 + 105 + 13855 + 11521 + 4783 + 2347 + 87);
      expect(result.lines[3]).toMatchObject({
        amount: 2500,
        accountIban: '11111111',
        remittanceText: '111111     ACH_SETL           1111111111 111111111111111 1111111111',
      });
      expect(result.lines.every((l) => l.currency === 'USD' && l.bookingDate === '2022-09-19' && l.kind === 'credit')).toBe(true);
      expect(parseBai2(body.replaceAll('\n', '\r\n'))).toEqual(result);
    });

    it('moov-io/bai2 sample3 with one amount changed is refused', () => {
      const body = publicFile('moov-io-sample3.txt');
      expect(() => parseBai2(body.replace('16,142,2500,Z,,,111111', '16,142,2600,Z,,,111111'))).toThrow(/control total 2515864 does not match the sum of its amounts 2515964/);
      expect(() => parseBai2(body.replace('99,2508440,1,74/', '99,2508440,1,73/'))).toThrow(/declares 73 records but the file has 74/);
    });

    it('moov-io/bai2 sample4 ("88:" continuation) is refused: its own account totals do not hold', () => {
      expect(() => parseBai2(publicFile('moov-io-sample4-continuations-newline-delimited.txt'))).toThrow(
        'BAI2 line 63 does not start with a record code: "88:EREF: 07370568132"; read with bank dialects ("88:" in place of "88,"): ' +
          'BAI2 account 107049932 control total -1260161341762 does not match the sum of its amounts 7999960',
      );
    });

    it.each(['moov-io-sample1.txt', 'moov-io-sample2.txt', 'moov-io-spec-section3.txt'])('%s (canonical) is read as before', (name) => {
      const result = parseBai2(publicFile(name));
      expect(result.lines.length).toBeGreaterThan(0);
    });
  });

  it('the dialect sample events/bank/bai2-dialects.txt (all three dialects) is read, and refused once tampered', () => {
    const body = renderText('events/bank/bai2-dialects.txt', { reference: RF2, invoiceNumber: 'INV-2026-0042' });
    const { lines, ignored } = parseBai2(body);
    expect(lines.map((l) => [l.key, l.amount, l.references, l.remittanceText])).toEqual([
      ['prov:20260306000101', 125000, [RF2], `INCOMING WIRE FROM GLOBEX LLC PAYMENT FOR ${RF2} THANK YOU OBI INVOICE INV-2026-0042`],
      ['prov:20260306000102', 500, [], 'ACH CREDIT'],
    ]);
    expect(ignored).toEqual([{ position: '02[1]/03[1]/16[3]', reason: 'debit type code 475: money going out is not a customer payment' }]);
    expect(() => parseBai2(body.replace('16,195,125000,', '16,195,126000,'))).toThrow(/control total 1627500 does not match the sum of its amounts 1628500/);
  });
});

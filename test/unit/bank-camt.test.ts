import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BankFormatError, type BankLine, parseBankPayload, parseCamt } from '../../shared/adapters/bank/index.ts';
import { createRfReference } from '../../shared/domain/rf-reference.ts';

const sample = (name: string): string => readFileSync(new URL(`../../events/bank/${name}`, import.meta.url), 'utf8');
const RF1 = createRfReference('539007547034'); // RF18539007547034
const RF2 = createRfReference('2026000417');
const filled = (name: string): string =>
  sample(name).replaceAll('{{reference}}', RF1).replaceAll('{{reference2}}', RF2).replaceAll('{{invoiceNumber}}', 'INV-2026-0042');

const OUR_IBAN = 'DE89370400440532013000';

/** One Ntry in the shape of the given camt version (Sts text ≤ v6, Sts/Cd ≥ v7; Dbtr/Nm ≤ v7, Dbtr/Pty/Nm ≥ v8). */
function entry(version: number, o: {
  amount?: string;
  ccy?: string;
  cdi?: string;
  status?: string;
  reversal?: string;
  ref?: string;
  bookingDate?: string;
  txs?: string[];
  extra?: string;
} = {}): string {
  const status = o.status ?? 'BOOK';
  return `<Ntry>
    <Amt Ccy="${o.ccy ?? 'EUR'}">${o.amount ?? '8.10'}</Amt>
    <CdtDbtInd>${o.cdi ?? 'CRDT'}</CdtDbtInd>
    ${o.reversal !== undefined ? `<RvslInd>${o.reversal}</RvslInd>` : ''}
    ${version >= 7 ? `<Sts><Cd>${status}</Cd></Sts>` : `<Sts>${status}</Sts>`}
    <BookgDt><Dt>${o.bookingDate ?? '2026-03-05'}</Dt></BookgDt>
    <ValDt><Dt>2026-03-06</Dt></ValDt>
    ${o.ref !== undefined ? `<AcctSvcrRef>${o.ref}</AcctSvcrRef>` : ''}
    ${o.extra ?? ''}
    ${o.txs ? `<NtryDtls>${o.txs.join('')}</NtryDtls>` : ''}
  </Ntry>`;
}

function tx(version: number, o: {
  amount?: string;
  amtDtls?: string;
  ccy?: string;
  ref?: string;
  e2e?: string;
  debtor?: string;
  debtorIban?: string;
  debtorOther?: string;
  ustrd?: string[];
  strd?: string[];
  rfrdDoc?: string[];
} = {}): string {
  const name = o.debtor === undefined ? '' : version >= 8 ? `<Dbtr><Pty><Nm>${o.debtor}</Nm></Pty></Dbtr>` : `<Dbtr><Nm>${o.debtor}</Nm></Dbtr>`;
  const account = o.debtorIban
    ? `<DbtrAcct><Id><IBAN>${o.debtorIban}</IBAN></Id></DbtrAcct>`
    : o.debtorOther
      ? `<DbtrAcct><Id><Othr><Id>${o.debtorOther}</Id></Othr></Id></DbtrAcct>`
      : '';
  const strd = [
    ...(o.strd ?? []).map((r) => `<Strd><CdtrRefInf><Ref>${r}</Ref></CdtrRefInf></Strd>`),
    ...(o.rfrdDoc ?? []).map((n) => `<Strd><RfrdDocInf><Nb>${n}</Nb></RfrdDocInf></Strd>`),
  ];
  return `<TxDtls>
    <Refs>${o.ref ? `<AcctSvcrRef>${o.ref}</AcctSvcrRef>` : ''}${o.e2e ? `<EndToEndId>${o.e2e}</EndToEndId>` : ''}</Refs>
    ${o.amount ? `<Amt Ccy="${o.ccy ?? 'EUR'}">${o.amount}</Amt>` : ''}
    ${o.amtDtls ? `<AmtDtls><TxAmt><Amt Ccy="${o.ccy ?? 'EUR'}">${o.amtDtls}</Amt></TxAmt></AmtDtls>` : ''}
    <RltdPties>${name}${account}</RltdPties>
    <RmtInf>${(o.ustrd ?? []).map((u) => `<Ustrd>${u}</Ustrd>`).join('')}${strd.join('')}</RmtInf>
  </TxDtls>`;
}

function camt(kind: '053' | '054', version: number, entries: string[], account = `<IBAN>${OUR_IBAN}</IBAN>`): string {
  const v = String(version).padStart(2, '0');
  const [root, report] = kind === '054' ? ['BkToCstmrDbtCdtNtfctn', 'Ntfctn'] : ['BkToCstmrStmt', 'Stmt'];
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.${kind}.001.${v}">
  <${root}>
    <GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-03-05T10:00:00</CreDtTm></GrpHdr>
    <${report}><Id>R1</Id><Acct><Id>${account}</Id></Acct>${entries.join('\n')}</${report}>
  </${root}>
</Document>`;
}

const keys = (lines: BankLine[]): string[] => lines.map((l) => l.key);

describe('camt.054 v02 sample', () => {
  it('turns the booked credit into one exact line and ignores the pending entry with its reason', () => {
    const result = parseBankPayload(filled('camt054-v02.xml'), 'application/xml');
    expect(result.format).toBe('camt.054');
    expect(result.lines).toEqual([
      {
        key: 'acct:0004654654',
        kind: 'credit',
        amount: 810,
        currency: 'EUR',
        bookingDate: '2026-03-05',
        valueDate: '2026-03-05',
        accountIban: OUR_IBAN,
        debtorName: 'Muster GmbH',
        debtorAccount: 'DE02120300000000202051',
        references: [RF1],
        remittanceText: '',
        format: 'camt.054',
      },
    ]);
    expect(result.ignored).toEqual([{ position: 'Ntfctn[1]/Ntry[2]', reason: expect.stringMatching(/PDNG.*not booked/) }]);
  });

  it('keeps the placeholders as literal text when they are not replaced', () => {
    const [line] = parseCamt(sample('camt054-v02.xml')).lines;
    expect(line?.references).toEqual(['{{reference}}']);
  });
});

describe('camt.054 v08 sample', () => {
  it('reads Sts/Cd, Dbtr/Pty/Nm, TxDtls/Amt and joins repeated Ustrd lines', () => {
    const { lines, ignored } = parseCamt(filled('camt054-v08.xml'));
    expect(ignored).toEqual([]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({
      key: 'acct:2026030500000817',
      kind: 'credit',
      amount: 125000,
      currency: 'EUR',
      bookingDate: '2026-03-05',
      valueDate: '2026-03-05',
      accountIban: OUR_IBAN,
      debtorName: 'ACME Industries B.V.',
      debtorAccount: 'NL91ABNA0417164300', // spaces removed
      references: ['ACME-PAY-000417'],
      remittanceText: 'Invoice INV-2026-0042 thank you for your patience',
      endToEndId: 'ACME-PAY-000417',
      format: 'camt.054',
    });
    expect(lines[1]).toMatchObject({ key: 'acct:2026030500000818', amount: 810, references: [RF2], debtorName: 'Jean Dupont' });
    expect(lines[1]).not.toHaveProperty('endToEndId'); // NOTPROVIDED
  });
});

describe('camt.053 v08 sample', () => {
  const result = parseCamt(filled('camt053-v08.xml'));

  it('splits the batched entry into one line per TxDtls, keyed by each TxDtls AcctSvcrRef', () => {
    expect(result.format).toBe('camt.053');
    expect(keys(result.lines)).toEqual([
      'acct:2026030500000817',
      'acct:2026030500001201',
      'acct:2026030500001202',
      'acct:2026022800000455:reversal',
    ]);
    const [, first, second] = result.lines;
    expect(first).toMatchObject({ amount: 33440, references: [RF1], debtorName: 'Muster GmbH', kind: 'credit' });
    expect(second).toMatchObject({
      amount: 810,
      endToEndId: '0004654654',
      references: ['0004654654'],
      remittanceText: 'Facture INV-2026-0042',
    });
  });

  it('ignores the debit and the pending entry, saying why', () => {
    expect(result.ignored).toEqual([
      { position: 'Stmt[1]/Ntry[3]', reason: expect.stringMatching(/debit/i) },
      { position: 'Stmt[1]/Ntry[4]', reason: expect.stringMatching(/PDNG/) },
    ]);
  });

  it('turns a DBIT with RvslInd=true into a reversal naming the reversed booking', () => {
    const reversal = result.lines[3];
    expect(reversal).toMatchObject({
      kind: 'reversal',
      amount: 7500,
      bookingDate: '2026-03-05',
      valueDate: '2026-02-28',
      reversesKey: 'acct:2026022800000455',
      remittanceText: 'STORNO Gutschrift vom 28.02.2026', // AddtlNtryInf when the transaction has no remittance
      debtorAccount: 'GB29NWBK60161331926819',
    });
  });

  it('gives the same booking the same key in the notification and in the statement', () => {
    const notified = parseCamt(filled('camt054-v08.xml')).lines[0] as BankLine;
    const stated = result.lines[0] as BankLine;
    expect(stated.key).toBe(notified.key);
    expect({ ...stated, format: 'camt.054' }).toEqual(notified);
  });

  it('gives the same keys every time the same file is parsed', () => {
    for (const name of ['camt054-v02.xml', 'camt054-v08.xml', 'camt053-v08.xml']) {
      expect(parseCamt(filled(name))).toEqual(parseCamt(filled(name)));
    }
  });
});

describe('camt versions .001.02 to .001.14', () => {
  for (let version = 2; version <= 14; version++) {
    for (const kind of ['053', '054'] as const) {
      it(`camt.${kind}.001.${String(version).padStart(2, '0')}`, () => {
        const amountField = version >= 3 ? { amount: '8.10' } : { amtDtls: '8.10' };
        const body = camt(kind, version, [
          entry(version, {
            ref: '0004654654',
            txs: [tx(version, { ...amountField, debtor: 'Muster GmbH', debtorIban: 'de02 1203 0000 0000 2020 51', ustrd: ['Invoice 42'] })],
          }),
          entry(version, { status: 'PDNG', ref: '0004654655' }),
        ]);
        const result = parseBankPayload(body, undefined);
        expect(result.format).toBe(`camt.${kind}`);
        expect(result.lines).toEqual([
          expect.objectContaining({
            key: 'acct:0004654654',
            amount: 810,
            currency: 'EUR',
            debtorName: 'Muster GmbH',
            debtorAccount: 'DE02120300000000202051',
            remittanceText: 'Invoice 42',
          }),
        ]);
        expect(result.ignored).toHaveLength(1);
      });
    }
  }

  it('refuses versions outside .02–.14 and other messages, naming them', () => {
    expect(() => parseCamt(camt('054', 1, [entry(2)]))).toThrow(/camt\.054\.001\.01 is not a supported version/);
    expect(() => parseCamt(camt('053', 15, [entry(8)]))).toThrow(/camt\.053\.001\.15 is not a supported version/);
    const pain = camt('054', 8, [entry(8)]).replace('camt.054.001.08', 'pain.001.001.09');
    expect(() => parseCamt(pain)).toThrow(/pain\.001\.001\.09 is not a camt\.053 or camt\.054/);
    const mismatch = camt('054', 8, [entry(8)]).replace('camt.054.001.08', 'camt.053.001.08');
    expect(() => parseCamt(mismatch)).toThrow(/does not match the BkToCstmrDbtCdtNtfctn message/);
    const report = `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.08"><BkToCstmrAcctRpt><Rpt/></BkToCstmrAcctRpt></Document>`;
    expect(() => parseCamt(report)).toThrow(/camt\.052 .*not supported/);
  });

  it('accepts a file without a namespace, and a Document inside a business message envelope', () => {
    const plain = camt('054', 8, [entry(8, { ref: 'A1' })]).replace(/ xmlns="[^"]+"/, '');
    expect(parseCamt(plain).lines).toHaveLength(1);
    const envelope = `<BizMsg><AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head.001.001.02"><BizMsgIdr>X</BizMsgIdr></AppHdr>${camt('053', 8, [entry(8, { ref: 'A2' })]).replace(/^<\?xml[^>]*>/, '')}</BizMsg>`;
    expect(parseCamt(envelope)).toMatchObject({ format: 'camt.053', lines: [{ key: 'acct:A2' }] });
  });
});

describe('camt entries', () => {
  it('keeps every value an exact string: leading zeros, trailing zeros, long references', () => {
    const body = camt('054', 8, [
      entry(8, {
        ref: '0004654654',
        amount: '1000000.10',
        txs: [tx(8, { amount: '1000000.10', strd: ['0004654654', '000000000000000000000012345'], e2e: '00123' })],
      }),
    ]);
    const [line] = parseCamt(body).lines;
    expect(line).toMatchObject({
      key: 'acct:0004654654',
      amount: 100000010,
      references: ['0004654654', '000000000000000000000012345', '00123'],
      endToEndId: '00123',
    });
  });

  it('converts amounts with the currency exponent (EUR 2, JPY 0, BHD 3), never through floating point', () => {
    const amount = (value: string, ccy: string): number | undefined =>
      parseCamt(camt('054', 8, [entry(8, { amount: value, ccy, ref: 'R' })])).lines[0]?.amount;
    expect(amount('8.10', 'EUR')).toBe(810);
    expect(amount('8.1', 'EUR')).toBe(810);
    expect(amount('0.29', 'EUR')).toBe(29); // 0.29 * 100 = 28.999999999999996 in floating point
    expect(amount('8.100', 'EUR')).toBe(810);
    expect(amount('1500', 'JPY')).toBe(1500);
    expect(amount('1500.00', 'JPY')).toBe(1500);
    expect(amount('8.125', 'BHD')).toBe(8125);
    expect(amount('8.1', 'BHD')).toBe(8100);
    expect(amount('90071992547409.91', 'EUR')).toBe(9007199254740991);
    expect(() => amount('8.105', 'EUR')).toThrow(/8\.105 has more decimals than EUR allows \(2\)/);
    expect(() => amount('1500.5', 'JPY')).toThrow(/more decimals than JPY allows \(0\)/);
    expect(() => amount('90071992547409.92', 'EUR')).toThrow(/too large/);
    for (const bad of ['8,10', '-8.10', '1e3', '', ' . ', '8.', '.5', '0x10']) {
      expect(() => amount(bad, 'EUR'), bad).toThrow(BankFormatError);
    }
    expect(() => amount('8.10', 'XYZ')).toThrow(/"XYZ" is not an ISO 4217 currency code/);
    expect(() => amount('8.10', 'eur')).toThrow(BankFormatError);
  });

  it('takes the amount from TxDtls/Amt, else TxDtls/AmtDtls/TxAmt/Amt, else Ntry/Amt', () => {
    const one = (txXml?: string): BankLine =>
      parseCamt(camt('054', 8, [entry(8, { amount: '10.00', ref: 'R', ...(txXml ? { txs: [txXml] } : {}) })])).lines[0] as BankLine;
    expect(one(tx(8, { amount: '9.00', amtDtls: '9.50' })).amount).toBe(900);
    expect(one(tx(8, { amtDtls: '9.50' })).amount).toBe(950);
    expect(one(tx(8, {})).amount).toBe(1000);
    expect(one().amount).toBe(1000);
  });

  it('ignores debits, reversals of debits and pending or informational entries, with reasons', () => {
    const { lines, ignored } = parseCamt(
      camt('053', 8, [
        entry(8, { cdi: 'DBIT', ref: 'D1' }),
        entry(8, { cdi: 'CRDT', reversal: 'true', ref: 'D2' }),
        entry(8, { status: 'PDNG', ref: 'P1' }),
        entry(8, { status: 'INFO', ref: 'I1' }),
        entry(2, { ref: 'V2' }).replace('<Sts>BOOK</Sts>', ''),
      ]),
    );
    expect(lines).toEqual([]);
    expect(ignored).toEqual([
      { position: 'Stmt[1]/Ntry[1]', reason: 'debit (DBIT) entry: money going out is not a customer payment' },
      { position: 'Stmt[1]/Ntry[2]', reason: 'reversal of a debit (CRDT with RvslInd=true) is not a customer payment' },
      { position: 'Stmt[1]/Ntry[3]', reason: 'status PDNG is not booked; only BOOK entries are money' },
      { position: 'Stmt[1]/Ntry[4]', reason: 'status INFO is not booked; only BOOK entries are money' },
      { position: 'Stmt[1]/Ntry[5]', reason: 'entry has no status (Sts); only booked (BOOK) entries are money' },
    ]);
  });

  it('ignores a zero amount', () => {
    const { lines, ignored } = parseCamt(camt('054', 8, [entry(8, { amount: '0.00', ref: 'Z' })]));
    expect(lines).toEqual([]);
    expect(ignored).toEqual([{ position: 'Ntfctn[1]/Ntry[1]', reason: 'zero amount' }]);
  });

  it('reads RvslInd as 1/true and a reversal keyed by reference never collides with the credit it reverses', () => {
    const { lines } = parseCamt(
      camt('053', 8, [entry(8, { ref: 'X1' }), entry(8, { cdi: 'DBIT', reversal: '1', ref: 'X1', bookingDate: '2026-03-09' })]),
    );
    expect(lines.map((l) => [l.key, l.kind, l.reversesKey])).toEqual([
      ['acct:X1', 'credit', undefined],
      ['acct:X1:reversal', 'reversal', 'acct:X1'],
    ]);
    expect(() => parseCamt(camt('053', 8, [entry(8, { cdi: 'DBIT', reversal: 'yes', ref: 'X' })]))).toThrow(/RvslInd: "yes" is not a boolean/);
  });

  it('splits a batched entry per TxDtls; without TxDtls references the keys are the entry reference plus the index', () => {
    const batch = (refs: (string | undefined)[]): BankLine[] =>
      parseCamt(
        camt('053', 8, [
          entry(8, {
            amount: '20.00',
            ref: 'B1',
            txs: refs.map((ref, i) => tx(8, { amount: i === 0 ? '12.00' : '8.00', ...(ref ? { ref } : {}), debtor: `Payer ${i}` })),
          }),
        ]),
      ).lines;
    expect(batch(['T1', 'T2']).map((l) => [l.key, l.amount, l.debtorName])).toEqual([
      ['acct:T1', 1200, 'Payer 0'],
      ['acct:T2', 800, 'Payer 1'],
    ]);
    expect(keys(batch([undefined, undefined]))).toEqual(['acct:B1/1', 'acct:B1/2']);
  });

  it('keeps a batch whose TxDtls carry no amounts as one line for the entry total, with all their evidence', () => {
    const { lines } = parseCamt(
      camt('053', 8, [
        entry(8, {
          amount: '20.00',
          ref: 'B2',
          txs: [tx(8, { strd: [RF1], debtor: 'Same Payer' }), tx(8, { ustrd: ['INV-7'], debtor: 'Same Payer' })],
        }),
      ]),
    );
    expect(lines).toEqual([
      expect.objectContaining({ key: 'acct:B2', amount: 2000, references: [RF1], remittanceText: 'INV-7', debtorName: 'Same Payer' }),
    ]);
  });

  it('reads Strd repeats, referred document numbers and RF references written in the free text', () => {
    const { lines } = parseCamt(
      camt('054', 8, [
        entry(8, {
          ref: 'S1',
          txs: [
            tx(8, {
              amount: '8.10',
              strd: [RF1],
              rfrdDoc: ['INV-2026-0042'],
              ustrd: ['Payment RF18 5390 0754 7034 and', 'RF62 2026 0004 17 and RF00BROKEN'],
              e2e: 'NOTPROVIDED',
            }),
          ],
        }),
      ]),
    );
    expect(lines[0]).toMatchObject({
      // The structured one once (the same RF in the text is not repeated), the valid one from the text, not the typo.
      references: [RF1, 'RF622026000417'],
      remittanceText: 'Payment RF18 5390 0754 7034 and RF62 2026 0004 17 and RF00BROKEN INV-2026-0042',
    });
    expect(lines[0]).not.toHaveProperty('endToEndId');
    expect(RF2).toBe('RF622026000417');
  });

  it('reads v2 Dbtr/Nm, v8 Dbtr/Pty/Nm, DbtrAcct Othr/Id, our account Othr/Id and BookgDt DtTm', () => {
    const v2 = parseCamt(camt('054', 2, [entry(2, { ref: 'A', txs: [tx(2, { debtor: 'Old Style', debtorOther: 'acct 77 01' })] })])).lines[0];
    expect(v2).toMatchObject({ debtorName: 'Old Style', debtorAccount: 'ACCT7701' });
    const other = camt('054', 8, [entry(8, { ref: 'B' }).replace('<Dt>2026-03-05</Dt>', '<DtTm>2026-03-05T23:30:00+01:00</DtTm>')], '<Othr><Id>0004654654</Id></Othr>');
    expect(parseCamt(other).lines[0]).toMatchObject({ accountIban: '0004654654', bookingDate: '2026-03-05' });
  });

  it('hashes the content when there is no reference: stable, and distinct for identical payments at different positions', () => {
    const body = camt('054', 8, [
      entry(8, { txs: [tx(8, { amount: '8.10', debtor: 'Twin', ustrd: ['same'] })] }),
      entry(8, { txs: [tx(8, { amount: '8.10', debtor: 'Twin', ustrd: ['same'] })] }),
    ]);
    const first = parseCamt(body).lines;
    expect(first).toHaveLength(2);
    for (const line of first) expect(line.key).toMatch(/^hash:[0-9a-f]{64}$/);
    expect(first[0]?.key).not.toBe(first[1]?.key);
    expect(keys(parseCamt(body).lines)).toEqual(keys(first));
  });

  it('refuses a payload that names the same reference for two lines', () => {
    expect(() => parseCamt(camt('054', 8, [entry(8, { ref: 'DUP' }), entry(8, { ref: 'DUP', amount: '1.00' })]))).toThrow(
      /acct:DUP appears twice \(Ntfctn\[1\]\/Ntry\[1\] and Ntfctn\[1\]\/Ntry\[2\]\)/,
    );
  });

  it('rejects malformed XML and structure with BankFormatError naming the problem', () => {
    const cases: [string, RegExp][] = [
      ['<Document><BkToCstmrStmt></Document>', /malformed at line 1/],
      ['<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Document/>', /DOCTYPE/],
      ['<Other/>', /no <Document>/],
      ['<Document><Foo/></Document>', /holds Foo/],
      [camt('054', 8, []).replace(/<Ntfctn>.*<\/Ntfctn>/s, ''), /has no Ntfctn/],
      [camt('054', 8, [entry(8, { cdi: 'CRED', ref: 'A' })]), /CdtDbtInd: "CRED" is neither CRDT nor DBIT/],
      [camt('054', 8, [entry(8, { bookingDate: '2026-02-30', ref: 'A' })]), /"2026-02-30" is not a date/],
      [camt('054', 8, [entry(8, { ref: 'A' }).replace(' Ccy="EUR"', '')]), /Ntry\[1\]\/Amt Ccy: currency is missing/],
      [camt('054', 8, [entry(8, { ref: 'A' }).replace(/<Amt[^/]*\/Amt>/, '')]), /entry amount is missing/],
      [camt('054', 8, [entry(8, { ref: 'A' }).replace(/<BookgDt>.*<\/ValDt>/s, '')]), /neither BookgDt nor ValDt/],
      [camt('054', 8, [entry(8, { ref: 'A' }).replace('<AcctSvcrRef>', '<__proto__>x</__proto__><AcctSvcrRef>')]), /could not be parsed/],
    ];
    for (const [body, message] of cases) {
      expect(() => parseCamt(body), String(message)).toThrow(BankFormatError);
      expect(() => parseCamt(body), String(message)).toThrow(message);
    }
  });
});

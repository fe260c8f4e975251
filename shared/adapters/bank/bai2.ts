/**
 * BAI2 cash management balance reporting files.
 *
 * Records: 01 file header, 02 group header (as-of date), 03 account identifier (currency, summary amounts),
 * 16 transaction detail, 88 continuation of the previous record, 49 account trailer, 98 group trailer, 99 file trailer.
 * Fields are comma-separated and a record ends with `/`, except the text field of a 16, which runs to the end of
 * the physical record (it may contain commas and slashes); 88 records after a 16 append to its text.
 *
 * Amounts carry the currency's implied decimals (USD 810 = 8.10, JPY 810 = ¥810, BHD 8100 = 8.100), so the integer
 * in the file is already the amount in minor units. Every control total and record count is checked.
 *
 * A file the strict reading refuses is read again with common bank dialects (a 16's text wrapped on to the next line
 * without an 88, `88:` for `88,`, several records on one line) and accepted only when that reading passes every
 * check; see docs/bank-formats.md.
 */
import {
  type BankLine,
  type IgnoredEntry,
  type ParseResult,
  BankFormatError,
  assertUniqueKeys,
  checkCurrency,
  clean,
  collectReferences,
  contentHashKey,
  isIsoDate,
  normaliseAccount,
  referenceKey,
  toSafeInteger,
} from './types.ts';

/** Credit codes that return or reverse money we paid out (not a customer paying us): ignored. */
export const BAI2_DEBIT_REVERSAL_CREDIT_CODES: ReadonlySet<string> = new Set([
  '123', // EDIBANX credit return
  '168', // ACH return item or adjustment settlement
  '251', // total debit reversals
  '252', // debit reversal
  '255', // check posted and returned
  '256', // total ACH return items
  '257', // individual ACH return item
  '258', // ACH reversal credit
  '261', // individual rejected credit
  '266', // return item
  '268', // return item adjustment
  '395', // check reversal
]);

/** Debit codes that take back money that was credited to us (a customer payment bounced): kind 'reversal'. */
export const BAI2_CREDIT_REVERSAL_DEBIT_CODES: ReadonlySet<string> = new Set([
  '423', // EDIBANX return item debit
  '552', // credit reversal
  '555', // deposited item returned
  '557', // individual ACH return item
  '558', // ACH reversal debit
  '566', // return item
  '694', // deposit reversal
]);

type Classification = { kind: BankLine['kind'] } | { ignore: string };

/** What a 16 record's type code means for us; see docs/bank-formats.md. */
export function classifyBai2TypeCode(code: string): Classification {
  const n = Number(code);
  if (BAI2_DEBIT_REVERSAL_CREDIT_CODES.has(code)) {
    return { ignore: `type code ${code} returns or reverses one of our debits; not a customer payment` };
  }
  if (BAI2_CREDIT_REVERSAL_DEBIT_CODES.has(code)) return { kind: 'reversal' };
  if (n >= 101 && n <= 399) return { kind: 'credit' };
  if (n >= 400 && n <= 699) return { ignore: `debit type code ${code}: money going out is not a customer payment` };
  if (n < 100) return { ignore: `status type code ${code} is a balance, not a transaction` };
  if (n === 100) return { ignore: 'type code 100 is the total-credits summary, not a transaction' };
  return { ignore: `type code ${code} is in the customised/loan range (700–999); not a recognised credit` };
}

interface PhysicalRecord {
  code: string;
  /** Everything after `NN,`. */
  content: string;
  lineNo: number;
}

interface LogicalRecord extends PhysicalRecord {
  continuations: string[];
}

function stripSlash(s: string): string {
  const t = s.trimEnd();
  return t.endsWith('/') ? t.slice(0, -1) : t;
}

/** Fields of a record that has no free text: the `/` ends it, continuations add fields. */
function fieldsOf(record: LogicalRecord): string[] {
  return [record.content, ...record.continuations].flatMap((part) => stripSlash(part).split(',').map((f) => f.trim()));
}

function readDate(raw: string | undefined, where: string): string {
  const value = (raw ?? '').trim();
  const m = /^(\d{2})(\d{2})(\d{2})$/.exec(value);
  const iso = m ? `20${m[1]}-${m[2]}-${m[3]}` : '';
  if (!isIsoDate(iso)) throw new BankFormatError(`${where}: "${value}" is not a date (YYMMDD)`);
  return iso;
}

function signed(raw: string | undefined, where: string): bigint {
  const value = (raw ?? '').trim();
  if (value === '') return 0n;
  if (!/^[+-]?\d+$/.test(value)) throw new BankFormatError(`${where}: "${value}" is not a whole number`);
  return BigInt(value);
}

function count(raw: string | undefined, where: string): number {
  const value = (raw ?? '').trim();
  if (!/^\d+$/.test(value)) throw new BankFormatError(`${where}: "${value}" is not a record count`);
  return Number(value);
}

/** How many fields follow a funds type: S → 3, V → 2, D → 1 + 2 × count, 0/1/2/Z/blank → 0. */
function fundsDetailLength(fundsType: string, fields: readonly string[], start: number, where: string): number {
  switch (fundsType.toUpperCase()) {
    case '':
    case '0':
    case '1':
    case '2':
    case 'Z':
      return 0;
    case 'S':
      return 3;
    case 'V':
      return 2;
    case 'D': {
      const n = (fields[start] ?? '').trim();
      if (!/^\d{1,3}$/.test(n)) throw new BankFormatError(`${where}: funds type D needs a distribution count, got "${n}"`);
      return 1 + 2 * Number(n);
    }
    default:
      throw new BankFormatError(`${where}: unknown funds type "${fundsType}"`);
  }
}

interface Detail {
  typeCode: string;
  amount: string;
  fundsType: string;
  fundsDetail: string[];
  bankReference: string;
  customerReference: string;
  text: string;
}

/**
 * Splits a 16 record: fixed fields up to the customer reference (the funds type decides how many), then the text,
 * which is the rest of the record. Returns undefined when the record stops before the customer reference, i.e. its
 * fields continue in the next 88.
 */
function splitDetail(content: string, where: string): Detail | undefined {
  const fields: string[] = [];
  let pos = 0;
  let ended = false;
  const next = (): string => {
    if (ended || pos > content.length) return '';
    let i = pos;
    while (i < content.length && content[i] !== ',' && content[i] !== '/') i++;
    const value = content.slice(pos, i).trim();
    if (i >= content.length || content[i] === '/') ended = true;
    pos = i + 1;
    return value;
  };
  const fixed = (n: number): boolean => {
    while (fields.length < n) {
      if (ended) return false;
      fields.push(next());
    }
    return true;
  };
  if (!fixed(3)) return undefined;
  const fundsType = fields[2] as string;
  if (fundsType.toUpperCase() === 'D' && !fixed(4)) return undefined;
  const detailLength = fundsDetailLength(fundsType, fields, 3, where);
  if (!fixed(3 + detailLength + 2)) return undefined;
  const rest = ended ? '' : content.slice(pos).trimEnd();
  return {
    typeCode: fields[0] as string,
    amount: fields[1] as string,
    fundsType,
    fundsDetail: fields.slice(3, 3 + detailLength),
    bankReference: fields[3 + detailLength] as string,
    customerReference: fields[4 + detailLength] as string,
    text: stripSlash(rest).trim(),
  };
}

function readDetail(record: LogicalRecord, where: string): Detail {
  let content = record.content;
  let parsed = splitDetail(content, where);
  const textParts: string[] = [];
  for (const continuation of record.continuations) {
    if (parsed) {
      textParts.push(stripSlash(continuation).trim());
    } else {
      content = `${stripSlash(content)},${continuation}`;
      parsed = splitDetail(content, where);
    }
  }
  if (!parsed) throw new BankFormatError(`${where}: 16 record ends before its bank and customer reference fields`);
  parsed.text = [parsed.text, ...textParts].filter((t) => t !== '').join(' ');
  return parsed;
}

/** Sum of the amount fields of an 03 record's summaries (status amounts may be signed). */
function accountSummaryTotal(fields: readonly string[], where: string): bigint {
  let total = 0n;
  let i = 2; // after account number and currency
  while (i < fields.length) {
    const rest = fields.slice(i);
    if (rest.every((f) => f === '')) break;
    const typeCode = fields[i] ?? '';
    if (typeCode !== '' && !/^\d{3}$/.test(typeCode)) {
      throw new BankFormatError(`${where}: summary type code "${typeCode}" is not three digits`);
    }
    total += signed(fields[i + 1], `${where} amount for type ${typeCode}`);
    const fundsType = fields[i + 3] ?? '';
    i += 4 + fundsDetailLength(fundsType, fields, i + 4, where);
  }
  return total;
}

/**
 * Dialects of real bank files, read only when the strict reading fails, and accepted only when every control total
 * and record count then holds (a wrong reading changes amounts or counts, so the totals catch it).
 */
type Dialect = 'wrapped_text' | 'colon_88' | 'packed_records';

const DIALECT_NAMES: Record<Dialect, string> = {
  wrapped_text: 'a 16 record whose text runs on to the next line without an 88',
  colon_88: '"88:" in place of "88,"',
  packed_records: 'several "/"-ended records on one line',
};

/** Where a line holds several records: after a `/`, before the code of the next one (`88:` included). */
const PACKED_RECORDS = /(?<=\/)\s*(?=(?:01|02|03|16|49|88|98|99),|88:)/;

/** True when the text of the last record read (a 16, or an 88 continuing one) may run on to the next line. */
function textRunsOn(records: readonly PhysicalRecord[]): boolean {
  const last = records.at(-1);
  if (!last || last.content.trimEnd().endsWith('/')) return false;
  const owner = records.findLast((r) => r.code !== '88');
  return (last.code === '16' || last.code === '88') && owner?.code === '16';
}

/** Appends a wrapped line to the record it continues: to the text with a space, or to a field cut mid-way as is. */
function appendWrapped(record: PhysicalRecord, line: string): void {
  let fieldsComplete = true;
  if (record.code === '16') {
    try {
      fieldsComplete = splitDetail(record.content, 'wrapped line') !== undefined;
    } catch {
      fieldsComplete = true; // the reading proper reports what is wrong with the record
    }
  }
  record.content = fieldsComplete ? `${record.content} ${line.trimStart()}` : `${record.content}${line}`;
}

function parseRecords(body: string, lenient: boolean): { records: PhysicalRecord[]; dialects: Set<Dialect> } {
  const records: PhysicalRecord[] = [];
  const dialects = new Set<Dialect>();
  body.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const line = raw.replace(/^\uFEFF/, '').trimEnd();
    if (line.trim() === '') return;
    const pieces = lenient ? line.split(PACKED_RECORDS) : [line];
    if (pieces.length > 1) dialects.add('packed_records');
    pieces.forEach((piece, p) => {
      const colon = lenient ? /^(88):(.*)$/s.exec(piece) : null;
      if (colon) dialects.add('colon_88');
      const m = /^(\d{2}),(.*)$/s.exec(piece) ?? /^(\d{2})(\/)$/.exec(piece) ?? colon;
      if (m) {
        records.push({ code: m[1] as string, content: m[2] as string, lineNo: index + 1 });
      } else if (lenient && p === 0 && textRunsOn(records)) {
        appendWrapped(records.at(-1) as PhysicalRecord, piece);
        dialects.add('wrapped_text');
      } else {
        throw new BankFormatError(`BAI2 line ${index + 1} does not start with a record code: "${piece.slice(0, 20)}"`);
      }
    });
  });
  return { records, dialects };
}

/**
 * Reads a BAI2 file. A file the strict reading refuses is read again with the dialects above; it is accepted only
 * if that reading passes every check (control totals, record counts, structure), else refused with the reason.
 */
export function parseBai2(body: string): ParseResult {
  let strictError: BankFormatError;
  try {
    return readRecords(parseRecords(body, false).records);
  } catch (error) {
    if (!(error instanceof BankFormatError)) throw error;
    strictError = error;
  }
  let lenient: ReturnType<typeof parseRecords>;
  try {
    lenient = parseRecords(body, true);
  } catch {
    throw strictError;
  }
  if (lenient.dialects.size === 0) throw strictError;
  try {
    return readRecords(lenient.records);
  } catch (error) {
    if (!(error instanceof BankFormatError)) throw error;
    const names = [...lenient.dialects].map((d) => DIALECT_NAMES[d]).join('; ');
    throw new BankFormatError(`${strictError.message}; read with bank dialects (${names}): ${error.message}`);
  }
}

function readRecords(physical: PhysicalRecord[]): ParseResult {
  if (physical.length === 0) throw new BankFormatError('BAI2 file is empty');

  // Attach 88 continuations to the record they continue.
  const records: LogicalRecord[] = [];
  for (const record of physical) {
    if (record.code === '88') {
      const previous = records.at(-1);
      if (!previous || previous.code === '99') {
        throw new BankFormatError(`BAI2 line ${record.lineNo}: 88 continuation record without a record to continue`);
      }
      previous.continuations.push(record.content);
    } else {
      records.push({ ...record, continuations: [] });
    }
  }
  const physicalCount = (r: LogicalRecord): number => 1 + r.continuations.length;

  const lines: BankLine[] = [];
  const positions: string[] = [];
  const ignored: IgnoredEntry[] = [];

  const header = records[0] as LogicalRecord;
  if (header.code !== '01') throw new BankFormatError(`BAI2 file must start with an 01 file header, found ${header.code}`);
  const headerFields = fieldsOf(header);
  const version = headerFields[7] ?? '';
  if (version !== '2') throw new BankFormatError(`BAI2 file header version is "${version}"; only version 2 is supported`);

  let fileTotal = 0n;
  let groupCount = 0;
  let fileRecords = physicalCount(header);
  let ended = false;
  let i = 1;

  while (i < records.length) {
    const record = records[i] as LogicalRecord;
    if (ended) throw new BankFormatError(`BAI2 line ${record.lineNo}: record ${record.code} after the 99 file trailer`);
    if (record.code === '99') {
      const f = fieldsOf(record);
      const declared = signed(f[0], `BAI2 line ${record.lineNo} file control total`);
      fileRecords += physicalCount(record);
      if (declared !== fileTotal) {
        throw new BankFormatError(`BAI2 file control total ${declared} does not match the sum of groups ${fileTotal}`);
      }
      const declaredGroups = count(f[1], `BAI2 line ${record.lineNo} number of groups`);
      if (declaredGroups !== groupCount) {
        throw new BankFormatError(`BAI2 file trailer declares ${declaredGroups} groups but the file has ${groupCount}`);
      }
      const declaredRecords = count(f[2], `BAI2 line ${record.lineNo} number of records`);
      if (declaredRecords !== fileRecords) {
        throw new BankFormatError(`BAI2 file trailer declares ${declaredRecords} records but the file has ${fileRecords}`);
      }
      ended = true;
      i++;
      continue;
    }
    if (record.code !== '02') {
      throw new BankFormatError(`BAI2 line ${record.lineNo}: expected an 02 group header or 99 file trailer, found ${record.code}`);
    }

    // ---- group ----
    groupCount++;
    const g = groupCount;
    const groupFields = fieldsOf(record);
    const asOfDate = readDate(groupFields[3], `BAI2 line ${record.lineNo} group as-of date`);
    const groupCurrency = clean(groupFields[5]);
    let groupTotal = 0n;
    let accountCount = 0;
    let groupRecords = physicalCount(record);
    i++;
    let groupClosed = false;

    while (i < records.length) {
      const rec = records[i] as LogicalRecord;
      if (rec.code === '98') {
        const f = fieldsOf(rec);
        groupRecords += physicalCount(rec);
        const declared = signed(f[0], `BAI2 line ${rec.lineNo} group control total`);
        if (declared !== groupTotal) {
          throw new BankFormatError(`BAI2 group ${g} control total ${declared} does not match the sum of accounts ${groupTotal}`);
        }
        const declaredAccounts = count(f[1], `BAI2 line ${rec.lineNo} number of accounts`);
        if (declaredAccounts !== accountCount) {
          throw new BankFormatError(`BAI2 group ${g} trailer declares ${declaredAccounts} accounts but the group has ${accountCount}`);
        }
        const declaredRecords = count(f[2], `BAI2 line ${rec.lineNo} number of records`);
        if (declaredRecords !== groupRecords) {
          throw new BankFormatError(`BAI2 group ${g} trailer declares ${declaredRecords} records but the group has ${groupRecords}`);
        }
        fileTotal += groupTotal;
        fileRecords += groupRecords;
        groupClosed = true;
        i++;
        break;
      }
      if (rec.code !== '03') {
        throw new BankFormatError(`BAI2 line ${rec.lineNo}: expected an 03 account record or 98 group trailer, found ${rec.code}`);
      }

      // ---- account ----
      accountCount++;
      const a = accountCount;
      const accountFields = fieldsOf(rec);
      const accountNumber = normaliseAccount(accountFields[0]);
      if (!accountNumber) throw new BankFormatError(`BAI2 line ${rec.lineNo}: account number is missing`);
      const currency = checkCurrency(
        clean(accountFields[1]) ?? groupCurrency ?? 'USD',
        `BAI2 line ${rec.lineNo} account ${accountNumber}`,
      );
      let accountTotal = accountSummaryTotal(accountFields, `BAI2 line ${rec.lineNo}`);
      let accountRecords = physicalCount(rec);
      let detailIndex = 0;
      i++;
      let accountClosed = false;

      while (i < records.length) {
        const d = records[i] as LogicalRecord;
        if (d.code === '49') {
          const f = fieldsOf(d);
          accountRecords += physicalCount(d);
          const declared = signed(f[0], `BAI2 line ${d.lineNo} account control total`);
          if (declared !== accountTotal) {
            throw new BankFormatError(
              `BAI2 account ${accountNumber} control total ${declared} does not match the sum of its amounts ${accountTotal}`,
            );
          }
          const declaredRecords = count(f[1], `BAI2 line ${d.lineNo} number of records`);
          if (declaredRecords !== accountRecords) {
            throw new BankFormatError(
              `BAI2 account ${accountNumber} trailer declares ${declaredRecords} records but the account has ${accountRecords}`,
            );
          }
          groupTotal += accountTotal;
          groupRecords += accountRecords;
          accountClosed = true;
          i++;
          break;
        }
        if (d.code !== '16') {
          throw new BankFormatError(`BAI2 line ${d.lineNo}: expected a 16 detail or 49 account trailer, found ${d.code}`);
        }
        detailIndex++;
        accountRecords += physicalCount(d);
        const position = `02[${g}]/03[${a}]/16[${detailIndex}]`;
        const where = `BAI2 line ${d.lineNo} (${position})`;
        const detail = readDetail(d, where);
        if (!/^\d{3}$/.test(detail.typeCode)) {
          throw new BankFormatError(`${where}: type code "${detail.typeCode}" is not three digits`);
        }
        if (detail.amount === '') throw new BankFormatError(`${where}: amount is missing`);
        const amount = toSafeInteger(detail.amount, where);
        accountTotal += BigInt(amount);
        i++;

        const classification = classifyBai2TypeCode(detail.typeCode);
        if ('ignore' in classification) {
          ignored.push({ position, reason: classification.ignore });
          continue;
        }
        if (amount === 0) {
          ignored.push({ position, reason: 'zero amount' });
          continue;
        }
        const kind = classification.kind;
        const customerReference = clean(detail.customerReference);
        const line: Omit<BankLine, 'key'> = {
          kind,
          amount,
          currency,
          bookingDate: asOfDate,
          accountIban: accountNumber,
          references: collectReferences(customerReference ? [customerReference] : [], detail.text, undefined),
          remittanceText: detail.text,
          format: 'bai2',
        };
        if (detail.fundsType.toUpperCase() === 'V') {
          line.valueDate = readDate(detail.fundsDetail[0], `${where} value date`);
        }
        const bankReference = clean(detail.bankReference);
        const key = bankReference ? referenceKey('prov', bankReference, kind) : contentHashKey(line, position);
        lines.push({ key, ...line });
        positions.push(position);
      }
      if (!accountClosed) throw new BankFormatError(`BAI2 account ${accountNumber} has no 49 account trailer (file truncated?)`);
    }
    if (!groupClosed) throw new BankFormatError(`BAI2 group ${g} has no 98 group trailer (file truncated?)`);
  }
  if (!ended) throw new BankFormatError('BAI2 file has no 99 file trailer (file truncated?)');
  if (groupCount === 0) throw new BankFormatError('BAI2 file has no 02 group');

  assertUniqueKeys(lines, positions);
  return { format: 'bai2', lines, ignored };
}

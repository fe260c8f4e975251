/**
 * ISO 20022 camt.054 (debit/credit notification) and camt.053 (statement), versions .001.02 to .001.14.
 *
 * Every value stays the exact string the bank wrote (fast-xml-parser with `parseTagValue: false`): references keep
 * their leading zeros (`0004654654`) and amounts are converted to minor units with string arithmetic (`8.10` → 810).
 * The version differences handled: `<Sts>BOOK</Sts>` (≤ v6) vs `<Sts><Cd>BOOK</Cd></Sts>` (≥ v7), `Dbtr/Nm` (≤ v7)
 * vs `Dbtr/Pty/Nm` (≥ v8), `TxDtls/Amt` (≥ v3) vs `TxDtls/AmtDtls/TxAmt/Amt`. Either shape is accepted in any version.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
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
  decimalToMinorUnits,
  isIsoDate,
  normaliseAccount,
  realEndToEndId,
  referenceKey,
} from './types.ts';

/** Elements that repeat in camt.053/054; always arrays, even when a file has only one. */
const REPEATING = new Set([
  'Ntfctn',
  'Stmt',
  'Ntry',
  'NtryDtls',
  'TxDtls',
  'Ustrd',
  'Strd',
  'RfrdDocInf',
  'AddtlRmtInf',
  'Bal',
  'Rcrd',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (tagName) => REPEATING.has(tagName),
});

export const MIN_CAMT_VERSION = 2;
export const MAX_CAMT_VERSION = 14;

const MESSAGES = {
  BkToCstmrDbtCdtNtfctn: { format: 'camt.054', report: 'Ntfctn' },
  BkToCstmrStmt: { format: 'camt.053', report: 'Stmt' },
} as const;

// ---- navigation over the parsed tree, tolerant of any shape a malformed file produces ----

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function at(node: unknown, ...path: string[]): unknown {
  let current = node;
  for (const key of path) {
    const o = obj(current);
    if (!o || !Object.hasOwn(o, key)) return undefined;
    current = o[key];
  }
  return current;
}

/** The text of a leaf element (`<Ref>x</Ref>`, or `#text` of `<Amt Ccy="EUR">8.10</Amt>`), trimmed. */
function text(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (typeof v === 'string') return v.trim();
  const o = obj(v);
  if (o && Object.hasOwn(o, '#text') && typeof o['#text'] === 'string') return o['#text'].trim();
  return undefined;
}

function attr(value: unknown, name: string): string | undefined {
  const o = obj(value);
  const a = o && Object.hasOwn(o, `@_${name}`) ? o[`@_${name}`] : undefined;
  return typeof a === 'string' ? a.trim() : undefined;
}

function texts(value: unknown): string[] {
  return list(value)
    .map((v) => clean(text(v)))
    .filter((v): v is string => v !== undefined);
}

// ---- field readers ----

interface Amount {
  amount: number;
  currency: string;
}

function amountOf(node: unknown, where: string): Amount | undefined {
  if (node === undefined) return undefined;
  const currency = checkCurrency(attr(node, 'Ccy'), `${where} Ccy`);
  return { amount: decimalToMinorUnits(text(node), currency, where), currency };
}

/** `<BookgDt>`/`<ValDt>`: `Dt` (YYYY-MM-DD) or `DtTm` (the bank's local date is its first ten characters). */
function dateOf(node: unknown, where: string): string | undefined {
  if (node === undefined) return undefined;
  const raw = text(at(node, 'Dt')) ?? text(at(node, 'DtTm'))?.slice(0, 10);
  if (raw === undefined || raw === '') return undefined;
  if (!isIsoDate(raw)) throw new BankFormatError(`${where}: "${raw}" is not a date (YYYY-MM-DD)`);
  return raw;
}

function booleanOf(node: unknown, where: string): boolean {
  const raw = text(node);
  if (raw === undefined || raw === '') return false;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new BankFormatError(`${where}: "${raw}" is not a boolean`);
}

function statusOf(entry: unknown): string | undefined {
  return clean(text(at(entry, 'Sts'))) ?? clean(text(at(entry, 'Sts', 'Cd'))) ?? clean(text(at(entry, 'Sts', 'Prtry')));
}

interface TxInfo {
  amount?: Amount;
  acctSvcrRef?: string;
  endToEndId?: string;
  debtorName?: string;
  debtorAccount?: string;
  structured: string[];
  textParts: string[];
}

function readTx(tx: unknown, where: string): TxInfo {
  const refs = at(tx, 'Refs');
  const parties = at(tx, 'RltdPties');
  const remittance = at(tx, 'RmtInf');
  const strd = list(at(remittance, 'Strd'));
  const amount =
    amountOf(at(tx, 'Amt'), `${where}/Amt`) ?? amountOf(at(tx, 'AmtDtls', 'TxAmt', 'Amt'), `${where}/AmtDtls/TxAmt/Amt`);
  const textParts = [
    ...texts(at(remittance, 'Ustrd')),
    ...strd.flatMap((s) => list(at(s, 'RfrdDocInf')).flatMap((d) => texts(at(d, 'Nb')))),
    ...strd.flatMap((s) => texts(at(s, 'AddtlRmtInf'))),
  ];
  if (textParts.length === 0) textParts.push(...texts(at(tx, 'AddtlTxInf')));
  const info: TxInfo = {
    structured: strd.flatMap((s) => texts(at(s, 'CdtrRefInf', 'Ref'))),
    textParts,
  };
  if (amount) info.amount = amount;
  const acctSvcrRef = clean(text(at(refs, 'AcctSvcrRef')));
  if (acctSvcrRef) info.acctSvcrRef = acctSvcrRef;
  const endToEndId = realEndToEndId(text(at(refs, 'EndToEndId')));
  if (endToEndId) info.endToEndId = endToEndId;
  const debtorName = clean(text(at(parties, 'Dbtr', 'Nm'))) ?? clean(text(at(parties, 'Dbtr', 'Pty', 'Nm')));
  if (debtorName) info.debtorName = debtorName;
  const debtorAccount =
    normaliseAccount(text(at(parties, 'DbtrAcct', 'Id', 'IBAN'))) ??
    normaliseAccount(text(at(parties, 'DbtrAcct', 'Id', 'Othr', 'Id')));
  if (debtorAccount) info.debtorAccount = debtorAccount;
  return info;
}

/** Several TxDtls without their own amounts: one line for the entry total, evidence of all of them merged. */
function mergeTxs(txs: TxInfo[]): TxInfo {
  const merged: TxInfo = {
    structured: txs.flatMap((t) => t.structured),
    textParts: txs.flatMap((t) => t.textParts),
  };
  const names = new Set(txs.map((t) => t.debtorName));
  const accounts = new Set(txs.map((t) => t.debtorAccount));
  const [name] = names;
  const [account] = accounts;
  if (names.size === 1 && name) merged.debtorName = name;
  if (accounts.size === 1 && account) merged.debtorAccount = account;
  return merged;
}

// ---- message detection ----

const NAMESPACE = /xmlns(?::[\w.-]+)?\s*=\s*["']urn:iso:std:iso:20022:tech:xsd:([a-z]{4}\.\d{3}\.\d{3}\.(\d{2}))["']/g;

function detectMessage(body: string, root: unknown): { format: 'camt.053' | 'camt.054'; report: string; document: unknown } {
  let document = at(root, 'Document');
  if (document === undefined) {
    // A business message envelope (AppHdr + Document) one level down.
    const top = obj(root);
    for (const key of Object.keys(top ?? {})) {
      const inner = at(top, key, 'Document');
      if (inner !== undefined) {
        document = inner;
        break;
      }
    }
  }
  if (document === undefined || !obj(document)) {
    throw new BankFormatError('camt XML has no <Document> element with a camt.053 or camt.054 message');
  }
  const rootName = Object.keys(obj(document) ?? {}).find((k) => Object.hasOwn(MESSAGES, k)) as
    | keyof typeof MESSAGES
    | undefined;
  if (!rootName) {
    const found = Object.keys(obj(document) ?? {}).filter((k) => !k.startsWith('@_'));
    if (found.includes('BkToCstmrAcctRpt')) {
      throw new BankFormatError('camt.052 account reports (BkToCstmrAcctRpt) are not supported: send camt.053 or camt.054');
    }
    throw new BankFormatError(
      `camt Document holds ${found.join(', ') || 'nothing'}; expected BkToCstmrDbtCdtNtfctn (camt.054) or BkToCstmrStmt (camt.053)`,
    );
  }
  const message = MESSAGES[rootName];
  const namespaces = [...body.matchAll(NAMESPACE)].map((m) => ({ id: m[1] as string, version: Number(m[2]) }));
  const camt = namespaces.find((n) => n.id.startsWith('camt.053.') || n.id.startsWith('camt.054.'));
  const other = namespaces.find((n) => !n.id.startsWith('head.'));
  if (!camt && other) {
    throw new BankFormatError(`namespace ${other.id} is not a camt.053 or camt.054 message`);
  }
  if (camt) {
    if (camt.id.slice(0, 8) !== message.format) {
      throw new BankFormatError(`namespace ${camt.id} does not match the ${rootName} message (${message.format})`);
    }
    if (camt.version < MIN_CAMT_VERSION || camt.version > MAX_CAMT_VERSION) {
      throw new BankFormatError(
        `${camt.id} is not a supported version (.001.${String(MIN_CAMT_VERSION).padStart(2, '0')} to .001.${MAX_CAMT_VERSION})`,
      );
    }
  }
  return { format: message.format, report: message.report, document: at(document, rootName) };
}

// ---- parse ----

export function parseCamt(body: string): ParseResult {
  if (/<!DOCTYPE/i.test(body)) throw new BankFormatError('camt XML must not contain a DOCTYPE declaration');
  const validation = XMLValidator.validate(body);
  if (validation !== true) {
    const { line, col, msg } = validation.err;
    throw new BankFormatError(`camt XML is malformed at line ${line}${col ? `, column ${col}` : ''}: ${msg}`);
  }
  let root: unknown;
  try {
    root = parser.parse(body);
  } catch (error) {
    throw new BankFormatError(`camt XML could not be parsed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { format, report: reportTag, document } = detectMessage(body, root);
  const reports = list(at(document, reportTag));
  if (reports.length === 0) throw new BankFormatError(`${format} has no ${reportTag} element`);

  const lines: BankLine[] = [];
  const positions: string[] = [];
  const ignored: IgnoredEntry[] = [];

  reports.forEach((report, r) => {
    const accountIban =
      normaliseAccount(text(at(report, 'Acct', 'Id', 'IBAN'))) ?? normaliseAccount(text(at(report, 'Acct', 'Id', 'Othr', 'Id')));
    list(at(report, 'Ntry')).forEach((entry, n) => {
      const where = `${reportTag}[${r + 1}]/Ntry[${n + 1}]`;
      const status = statusOf(entry);
      if (!status) {
        ignored.push({ position: where, reason: 'entry has no status (Sts); only booked (BOOK) entries are money' });
        return;
      }
      if (status.toUpperCase() !== 'BOOK') {
        ignored.push({ position: where, reason: `status ${status} is not booked; only BOOK entries are money` });
        return;
      }
      const direction = clean(text(at(entry, 'CdtDbtInd')));
      if (direction !== 'CRDT' && direction !== 'DBIT') {
        throw new BankFormatError(`${where}/CdtDbtInd: "${direction ?? ''}" is neither CRDT nor DBIT`);
      }
      const reversal = booleanOf(at(entry, 'RvslInd'), `${where}/RvslInd`);
      if (direction === 'DBIT' && !reversal) {
        ignored.push({ position: where, reason: 'debit (DBIT) entry: money going out is not a customer payment' });
        return;
      }
      if (direction === 'CRDT' && reversal) {
        ignored.push({ position: where, reason: 'reversal of a debit (CRDT with RvslInd=true) is not a customer payment' });
        return;
      }
      const kind: BankLine['kind'] = reversal ? 'reversal' : 'credit';
      const entryAmount = amountOf(at(entry, 'Amt'), `${where}/Amt`);
      if (!entryAmount) throw new BankFormatError(`${where}/Amt: entry amount is missing`);
      const valueDate = dateOf(at(entry, 'ValDt'), `${where}/ValDt`);
      const bookingDate = dateOf(at(entry, 'BookgDt'), `${where}/BookgDt`) ?? valueDate;
      if (!bookingDate) throw new BankFormatError(`${where}: booked entry has neither BookgDt nor ValDt`);
      const entryRef = clean(text(at(entry, 'AcctSvcrRef')));
      const entryText = texts(at(entry, 'AddtlNtryInf'));

      const rawTxs = list(at(entry, 'NtryDtls')).flatMap((d) => list(at(d, 'TxDtls')));
      const txs = rawTxs.map((tx, t) => readTx(tx, `${where}/TxDtls[${t + 1}]`));
      const batched = txs.length > 1;

      // One candidate line per TxDtls; when a batch lacks per-transaction amounts, one line for the entry.
      let candidates: { info: TxInfo; position: string; ref: string | undefined }[];
      if (txs.length === 0) {
        candidates = [{ info: { structured: [], textParts: entryText, amount: entryAmount }, position: where, ref: entryRef }];
      } else if (!batched) {
        const info = txs[0] as TxInfo;
        candidates = [{ info: { ...info, amount: info.amount ?? entryAmount }, position: `${where}/TxDtls[1]`, ref: entryRef ?? info.acctSvcrRef }];
      } else if (txs.every((t) => t.amount)) {
        candidates = txs.map((info, t) => ({
          info,
          position: `${where}/TxDtls[${t + 1}]`,
          ref: info.acctSvcrRef ?? (entryRef ? `${entryRef}/${t + 1}` : undefined),
        }));
      } else {
        candidates = [{ info: { ...mergeTxs(txs), amount: entryAmount }, position: where, ref: entryRef }];
      }

      for (const { info, position, ref } of candidates) {
        const amount = info.amount as Amount;
        if (amount.amount === 0) {
          ignored.push({ position, reason: 'zero amount' });
          continue;
        }
        const remittanceText = (info.textParts.length > 0 ? info.textParts : entryText).join(' ');
        const line: Omit<BankLine, 'key'> = {
          kind,
          amount: amount.amount,
          currency: amount.currency,
          bookingDate,
          references: collectReferences(info.structured, remittanceText, info.endToEndId),
          remittanceText,
          format,
        };
        if (valueDate) line.valueDate = valueDate;
        if (accountIban) line.accountIban = accountIban;
        if (info.debtorName) line.debtorName = info.debtorName;
        if (info.debtorAccount) line.debtorAccount = info.debtorAccount;
        if (info.endToEndId) line.endToEndId = info.endToEndId;
        let key: string;
        if (ref) {
          key = referenceKey('acct', ref, kind);
          // A storno (RvslInd) repeats the reversed booking's account-servicer reference.
          if (kind === 'reversal') line.reversesKey = referenceKey('acct', ref, 'credit');
        } else {
          key = contentHashKey(line, position);
        }
        lines.push({ key, ...line });
        positions.push(position);
      }
    });
  });

  assertUniqueKeys(lines, positions);
  return { format, lines, ignored };
}

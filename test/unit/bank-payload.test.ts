import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BankFormatError, type ParseResult, decodeBankBody, parseBankPayload } from '../../shared/adapters/bank/index.ts';
import { isCurrency } from '../../shared/domain/money.ts';

const SAMPLES = {
  'notification.json': { format: 'json', contentType: 'application/json' },
  'camt054-v02.xml': { format: 'camt.054', contentType: 'application/xml' },
  'camt054-v08.xml': { format: 'camt.054', contentType: 'text/xml; charset=utf-8' },
  'camt053-v08.xml': { format: 'camt.053', contentType: 'application/xml' },
  'bai2.txt': { format: 'bai2', contentType: 'text/plain' },
} as const;
type SampleName = keyof typeof SAMPLES;
const NAMES = Object.keys(SAMPLES) as SampleName[];
const sample = (name: string): string => readFileSync(new URL(`../../events/bank/${name}`, import.meta.url), 'utf8');

describe('parseBankPayload dispatch', () => {
  it('recognises every sample by its body, with or without a content type', () => {
    for (const name of NAMES) {
      const { format, contentType } = SAMPLES[name];
      for (const type of [undefined, contentType, 'application/octet-stream', 'text/plain']) {
        expect(parseBankPayload(sample(name), type).format, `${name} as ${type}`).toBe(format);
      }
    }
  });

  it('tolerates a byte order mark and leading whitespace', () => {
    expect(parseBankPayload(`\uFEFF  \n${sample('camt054-v08.xml')}`, undefined).format).toBe('camt.054');
    expect(parseBankPayload(`\uFEFF${sample('bai2.txt')}`, undefined).format).toBe('bai2');
    expect(parseBankPayload(`\n ${sample('notification.json')}`, undefined).format).toBe('json');
  });

  it('refuses a content type that contradicts the body', () => {
    expect(() => parseBankPayload(sample('notification.json'), 'application/xml')).toThrow(
      'Content-Type application/xml says camt XML but the body is JSON',
    );
    expect(() => parseBankPayload(sample('camt053-v08.xml'), 'application/json')).toThrow(BankFormatError);
  });

  it('refuses what it cannot recognise, and lets a specific content type name the parser that explains why', () => {
    for (const body of ['', '   ', 'hello', '02,not a header/', '[1,2]', '\u0000']) {
      expect(() => parseBankPayload(body, undefined), JSON.stringify(body)).toThrow(/unrecognised bank payload/);
    }
    expect(() => parseBankPayload('garbage', 'application/json')).toThrow(/not valid JSON/);
    expect(() => parseBankPayload('garbage', 'application/xml')).toThrow(/camt XML is malformed/);
    expect(() => parseBankPayload('garbage', 'application/x-bai2')).toThrow(/BAI2 line 1 does not start with a record code/);
  });
});

describe('raw bodies', () => {
  it('parses the raw bytes of every sample exactly like the text', () => {
    for (const name of NAMES) {
      const raw = readFileSync(new URL(`../../events/bank/${name}`, import.meta.url));
      expect(parseBankPayload(raw, undefined)).toEqual(parseBankPayload(sample(name), undefined));
    }
  });

  it('decodes XML in the encoding its declaration names (ISO-8859-1 from older bank systems)', () => {
    const xml = sample('camt054-v08.xml')
      .replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
      .replace('ACME Industries B.V.', 'Müller & Söhne GmbH'.replace('&', '&amp;'));
    const raw = Buffer.from(xml, 'latin1');
    expect(decodeBankBody(raw)).toBe(xml);
    expect(parseBankPayload(raw, 'application/xml').lines[0]?.debtorName).toBe('Müller & Söhne GmbH');
    expect(() => decodeBankBody(Buffer.from('<?xml version="1.0" encoding="EBCDIC-XYZ"?><a/>'))).toThrow(/encoding "EBCDIC-XYZ" is not supported/);
    expect(() => decodeBankBody(Buffer.from([...Buffer.from('<?xml version="1.0" encoding="UTF-8"?><a>'), 0xff, 0x3c, 0x2f, 0x61, 0x3e]))).toThrow(
      /not valid UTF-8/,
    );
  });

  it('requires JSON to be UTF-8 and reads a BAI2 file in Latin-1 when it is not UTF-8', () => {
    expect(() => decodeBankBody(Buffer.from([0x7b, 0x22, 0xfc, 0x22, 0x7d]))).toThrow(/not valid utf-8/);
    const bai2 = sample('bai2.txt').replace('GLOBEX LLC', 'GLOBEX MÜNCHEN');
    expect(decodeBankBody(Buffer.from(bai2, 'latin1'))).toBe(bai2);
    expect(decodeBankBody(Buffer.from(`\uFEFF${bai2}`, 'utf8'))).toBe(bai2);
  });
});

// ---- fuzzing: random mutations of the samples never throw anything but BankFormatError ----

const INTERESTING = [
  '', ' ', '0', '-1', '8.10', '8.105', '8,10', '1e5', 'NaN', '99999999999999999999', '0004654654', 'BOOK', 'PDNG', 'CRDT',
  'DBIT', 'true', 'yes', 'EUR', 'JPY', 'XXX', 'eur', '2026-02-30', '260231', '__proto__', 'constructor', '{{reference}}',
  '/', ',', '<', '>', '&', '&amp;', '"', '\u0000', '\uFFFF', 'S', 'V', 'D', 'Z', '88', '16', '49', '99', 'null', '[]', '{}',
];

type Mutation =
  | { op: 'delete'; at: number; length: number }
  | { op: 'insert'; at: number; text: string }
  | { op: 'truncate'; at: number }
  | { op: 'value'; which: number; text: string }
  | { op: 'duplicateLine'; which: number }
  | { op: 'dropLine'; which: number };

const fragment = fc.oneof(fc.constantFrom(...INTERESTING), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 }));
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fragment }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('value' as const), which: fc.nat(), text: fragment }),
  fc.record({ op: fc.constant('duplicateLine' as const), which: fc.nat() }),
  fc.record({ op: fc.constant('dropLine' as const), which: fc.nat() }),
);

/** Values: XML element text, JSON string/number values, BAI2 comma fields. */
const VALUE = /(?<=>)[^<>]*(?=<\/)|(?<=": ?)("[^"]*"|-?\d+)|(?<=,)[^,\n/]*(?=[,/\n])/g;

function apply(body: string, m: Mutation): string {
  const at = body.length === 0 ? 0 : 'at' in m ? m.at % (body.length + 1) : 0;
  switch (m.op) {
    case 'delete':
      return body.slice(0, at) + body.slice(at + m.length);
    case 'insert':
      return body.slice(0, at) + m.text + body.slice(at);
    case 'truncate':
      return body.slice(0, at);
    case 'value': {
      const matches = [...body.matchAll(VALUE)];
      const target = matches[m.which % Math.max(matches.length, 1)];
      if (!target) return body;
      // JSON values stay JSON (a string, or the text itself when it is a JSON literal) so the schema is what fails.
      const isJson = /^"|^-?\d+$/.test(target[0]) && body.trimStart().startsWith('{');
      const replacement = isJson && !/^(-?\d+(\.\d+)?|null|true|\[\]|\{\})$/.test(m.text) ? JSON.stringify(m.text) : m.text;
      return body.slice(0, target.index) + replacement + body.slice(target.index + target[0].length);
    }
    case 'duplicateLine':
    case 'dropLine': {
      const lines = body.split('\n');
      const i = m.which % lines.length;
      if (m.op === 'duplicateLine') lines.splice(i, 0, lines[i] as string);
      else lines.splice(i, 1);
      return lines.join('\n');
    }
  }
}

function checkInvariants(result: ParseResult): void {
  const keys = new Set<string>();
  for (const line of result.lines) {
    expect(Number.isSafeInteger(line.amount) && line.amount > 0).toBe(true);
    expect(isCurrency(line.currency)).toBe(true);
    expect(line.bookingDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(['credit', 'reversal']).toContain(line.kind);
    expect(line.key).toMatch(/^(acct|prov|hash):./);
    expect(line.key.endsWith(':reversal')).toBe(line.kind === 'reversal');
    expect(keys.has(line.key)).toBe(false);
    keys.add(line.key);
    expect(line.format).toBe(result.format);
    expect(Array.isArray(line.references)).toBe(true);
    expect(typeof line.remittanceText).toBe('string');
  }
  for (const entry of result.ignored) {
    expect(entry.reason).not.toBe('');
    expect(entry.position).not.toBe('');
  }
}

describe('parseBankPayload under random mutation', () => {
  for (const name of NAMES) {
    it(`${name}: never throws anything but BankFormatError, and whatever parses is well-formed`, () => {
      const original = sample(name);
      fc.assert(
        fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.constantFrom(undefined, SAMPLES[name].contentType), (mutations, type) => {
          const body = mutations.reduce(apply, original);
          let result: ParseResult;
          try {
            result = parseBankPayload(body, type);
          } catch (error) {
            if (!(error instanceof BankFormatError)) throw error;
            expect(error.message.length).toBeGreaterThan(0);
            return;
          }
          checkInvariants(result);
        }),
        { numRuns: 400 },
      );
    });
  }

  it('raw bytes with random byte changes never throw anything but BankFormatError', () => {
    const raws = NAMES.map((name) => readFileSync(new URL(`../../events/bank/${name}`, import.meta.url)));
    fc.assert(
      fc.property(
        fc.nat({ max: raws.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        (which, flips) => {
          const raw = Buffer.from(raws[which] as Buffer);
          for (const [at, byte] of flips) raw[at % raw.length] = byte;
          try {
            checkInvariants(parseBankPayload(raw, undefined));
          } catch (error) {
            if (!(error instanceof BankFormatError)) throw error;
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

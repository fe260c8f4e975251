import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BANK_SIGNATURE_HEADER,
  BANK_TIMESTAMP_HEADER,
  BankSignatureError,
  bankSignatureHeaders,
  signBankPayload,
  verifyBankSignature,
} from '../../shared/adapters/bank/index.ts';

const SECRET = 'bank-secret-new';
const OLD_SECRET = 'bank-secret-old';
const NOW = new Date('2026-03-05T10:15:00.000Z');
const TS = Math.floor(NOW.getTime() / 1000);
const body = Buffer.from(readFileSync(new URL('../../events/bank/notification.json', import.meta.url)));

const verify = (opts: { raw?: Buffer; ts?: string | undefined; sig?: string | undefined; secret?: string | string[]; now?: Date } = {}) => () =>
  verifyBankSignature(
    opts.raw ?? body,
    'ts' in opts ? opts.ts : String(TS),
    'sig' in opts ? opts.sig : signBankPayload(body, SECRET, TS),
    opts.secret ?? SECRET,
    opts.now ?? NOW,
  );

describe('bank webhook signature', () => {
  it('signs HMAC-SHA256 of "<timestamp>.<raw body>" as v1=<hex>', () => {
    const expected = createHmac('sha256', SECRET).update(`${TS}.`).update(body).digest('hex');
    expect(signBankPayload(body, SECRET, TS)).toBe(`v1=${expected}`);
    expect(bankSignatureHeaders(body, SECRET, TS)).toEqual({ [BANK_TIMESTAMP_HEADER]: String(TS), [BANK_SIGNATURE_HEADER]: `v1=${expected}` });
    expect(BANK_TIMESTAMP_HEADER).toBe('X-Bank-Timestamp');
    expect(BANK_SIGNATURE_HEADER).toBe('X-Bank-Signature');
  });

  it('accepts a good signature over every sample', () => {
    for (const name of ['notification.json', 'camt054-v02.xml', 'camt054-v08.xml', 'camt053-v08.xml', 'bai2.txt']) {
      const raw = readFileSync(new URL(`../../events/bank/${name}`, import.meta.url));
      const headers = bankSignatureHeaders(raw, SECRET, TS);
      expect(() => verifyBankSignature(raw, headers['X-Bank-Timestamp'], headers['X-Bank-Signature'], SECRET, NOW)).not.toThrow();
    }
  });

  it('verifies the raw bytes, not a re-encoded string', () => {
    const raw = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]); // not valid UTF-8
    const sig = signBankPayload(raw, SECRET, TS);
    expect(verify({ raw, sig })).not.toThrow();
    expect(verify({ raw: Buffer.from(raw.toString('utf8')), sig })).toThrow(BankSignatureError);
  });

  it('rejects a tampered body', () => {
    const tampered = Buffer.from(body.toString('utf8').replace('12500', '12501'));
    expect(verify({ raw: tampered })).toThrow(BankSignatureError);
    expect(verify({ raw: tampered })).toThrow(/no X-Bank-Signature v1 value matches the payload/);
    expect(verify({ raw: Buffer.concat([body, Buffer.from(' ')]) })).toThrow(BankSignatureError);
  });

  it('rejects a signature made with another secret, or for another timestamp', () => {
    expect(verify({ secret: 'wrong' })).toThrow(/wrong secret, or the body was changed/);
    expect(verify({ ts: String(TS - 1) })).toThrow(BankSignatureError);
  });

  it('accepts timestamps up to 300 s old or ahead and rejects beyond, both ways', () => {
    const at = (ts: number) => verify({ ts: String(ts), sig: signBankPayload(body, SECRET, ts) });
    expect(at(TS - 300)).not.toThrow();
    expect(at(TS + 300)).not.toThrow();
    expect(at(TS - 301)).toThrow(/is 301 s old, outside the 300 s tolerance/);
    expect(at(TS + 301)).toThrow(/is 301 s in the future, outside the 300 s tolerance/);
    expect(at(0)).toThrow(BankSignatureError);
    expect(() => verifyBankSignature(body, String(TS - 600), signBankPayload(body, SECRET, TS - 600), SECRET, NOW, 900)).not.toThrow();
  });

  it('rejects missing or malformed headers with a clear message', () => {
    expect(verify({ ts: undefined })).toThrow('missing X-Bank-Timestamp header');
    expect(verify({ ts: ' ' })).toThrow('missing X-Bank-Timestamp header');
    expect(verify({ sig: undefined })).toThrow('missing X-Bank-Signature header');
    expect(verify({ sig: '' })).toThrow('missing X-Bank-Signature header');
    expect(verify({ ts: '1772705700.5' })).toThrow(/must be Unix seconds/);
    expect(verify({ ts: new Date(NOW).toISOString() })).toThrow(/must be Unix seconds/);
    expect(verify({ ts: String(TS * 1000) })).toThrow(BankSignatureError); // milliseconds: far in the future
    const hex = signBankPayload(body, SECRET, TS).slice(3);
    expect(verify({ sig: hex })).toThrow('X-Bank-Signature has no v1= signature');
    expect(verify({ sig: `v0=${hex}` })).toThrow('X-Bank-Signature has no v1= signature');
    expect(verify({ sig: 'v1=zz' })).toThrow(/no X-Bank-Signature v1 value matches/);
    expect(verify({ sig: `v1=${hex.slice(0, 63)}` })).toThrow(/no X-Bank-Signature v1 value matches/);
    expect(verify({ sig: `v1=${hex}00` })).toThrow(/no X-Bank-Signature v1 value matches/);
  });

  it('accepts several v1 values while the bank rotates its secret, in any order and with spaces', () => {
    const oldSig = signBankPayload(body, OLD_SECRET, TS);
    const newSig = signBankPayload(body, SECRET, TS);
    expect(verify({ sig: `${oldSig},${newSig}` })).not.toThrow();
    expect(verify({ sig: `${newSig}, ${oldSig}` })).not.toThrow();
    expect(verify({ sig: `v0=abc, ${oldSig} ,${newSig}` })).not.toThrow();
    expect(verify({ sig: `${oldSig},${oldSig}` })).toThrow(BankSignatureError);
  });

  it('accepts our old and new secret while we rotate ours', () => {
    const oldSig = signBankPayload(body, OLD_SECRET, TS);
    expect(verify({ sig: oldSig, secret: [SECRET, OLD_SECRET] })).not.toThrow();
    expect(verify({ sig: oldSig, secret: [SECRET] })).toThrow(BankSignatureError);
  });

  it('trims secrets, and treats an empty secret as a deployment error rather than a bad request', () => {
    expect(verify({ secret: `  ${SECRET}\n` })).not.toThrow();
    expect(verify({ secret: ' ' })).toThrow('bank webhook secret is empty: set BANK_WEBHOOK_SECRET');
    expect(verify({ secret: ' ' })).not.toThrow(BankSignatureError);
    expect(() => signBankPayload(body, SECRET, -1)).toThrow(RangeError);
  });
});

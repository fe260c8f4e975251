import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createRfReference,
  findRfReferences,
  formatRfReference,
  isValidRfReference,
  mod97,
} from '../../shared/domain/rf-reference.ts';

describe('ISO 11649 RF references', () => {
  it('matches the standard example', () => {
    expect(createRfReference('539007547034')).toBe('RF18539007547034');
    expect(isValidRfReference('RF18 5390 0754 7034')).toBe(true);
    expect(formatRfReference('RF18539007547034')).toBe('RF18 5390 0754 7034');
  });

  it('computes mod 97 over long digit strings exactly', () => {
    expect(mod97('3214282912345698765432161182')).toBe(1); // IBAN-style check of a 28-digit string
  });

  it('every created reference is valid, and every single-character typo fails the checksum', () => {
    const alnum = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split(''));
    fc.assert(
      fc.property(fc.array(alnum, { minLength: 1, maxLength: 21 }), fc.nat(), alnum, (chars, pos, replacement) => {
        const ref = createRfReference(chars.join(''));
        expect(isValidRfReference(ref)).toBe(true);
        const i = 4 + (pos % (ref.length - 4));
        fc.pre(ref[i] !== replacement);
        const typo = ref.slice(0, i) + replacement + ref.slice(i + 1);
        expect(isValidRfReference(typo)).toBe(false);
      }),
    );
  });

  it('rejects malformed references', () => {
    for (const bad of ['', 'RF', 'RF1', 'RF18', 'XX18539007547034', 'RF18539007547034539007547034', 'RF185390-0754']) {
      expect(isValidRfReference(bad)).toBe(false);
    }
    expect(() => createRfReference('')).toThrow();
    expect(() => createRfReference('A'.repeat(22))).toThrow();
  });

  it('finds valid references in remittance text and ignores invalid ones', () => {
    expect(findRfReferences('Invoice payment RF18 5390 0754 7034 thanks')).toEqual(['RF18539007547034']);
    expect(findRfReferences('ref RF18539007547035')).toEqual([]);
  });
});

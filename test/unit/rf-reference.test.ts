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

  it('every created reference is valid, and every same-kind single-character typo fails the checksum', () => {
    // Mod 97 catches every substitution of a digit for a digit or a letter for a letter (the difference is never a
    // multiple of 97). A letter typed for a digit changes the digit string's length and is caught only with high
    // probability, so the property is stated for same-kind typos; the matcher also never corrects a reference.
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
    const digits = '0123456789'.split('');
    const alnum = fc.constantFrom(...letters, ...digits);
    fc.assert(
      fc.property(fc.array(alnum, { minLength: 1, maxLength: 21 }), fc.nat(), fc.nat(), (chars, pos, pick) => {
        const ref = createRfReference(chars.join(''));
        expect(isValidRfReference(ref)).toBe(true);
        const i = 4 + (pos % (ref.length - 4));
        const original = ref[i] as string;
        const pool = (digits.includes(original) ? digits : letters).filter((c) => c !== original);
        const typo = ref.slice(0, i) + (pool[pick % pool.length] as string) + ref.slice(i + 1);
        expect(isValidRfReference(typo)).toBe(false);
      }),
      { numRuns: 2000 },
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
    const second = createRfReference('ABC123');
    expect(findRfReferences(`RF18 5390 0754 7034 and ${second} too`)).toEqual(['RF18539007547034', second]);
  });
});

import { describe, expect, it } from 'vitest';
import { customerNameKey, nameAnswers, normalisePartyName, payerNameQueries } from '../../shared/domain/party-name.ts';

describe('party names: normal form', () => {
  it('folds case, strips diacritics (NFKD) and spells out letters that do not decompose', () => {
    expect(normalisePartyName('Müller Maschinenbau')).toBe('muller maschinenbau');
    expect(normalisePartyName('MULLER MASCHINENBAU')).toBe('muller maschinenbau');
    expect(normalisePartyName('Lefèvre & Fils')).toBe('lefevre fils');
    expect(normalisePartyName('Strauß Øresund Łódź Æble')).toBe('strauss oresund lodz aeble');
    expect(normalisePartyName('Ｆｕｌｌｗｉｄｔｈ')).toBe('fullwidth');
  });

  it('removes punctuation: dots and apostrophes join, anything else separates; spaces collapse', () => {
    expect(normalisePartyName("O'Brien-Smith,  J.P.")).toBe('obrien smith jp');
    expect(normalisePartyName('  Lovelace,\tAda  ')).toBe('lovelace ada');
  });

  it('removes legal forms at the end, repeatedly, and a dangling "and"', () => {
    for (const raw of [
      'Acme GmbH',
      'ACME GMBH',
      'Acme',
      'Acme AG',
      'Acme Ltd.',
      'Acme Limited',
      'Acme, Inc.',
      'Acme LLC',
      'Acme S.A.',
      'Acme SARL',
      'Acme B.V.',
      'Acme KG',
      'Acme e.K.',
      'Acme GmbH & Co. KG',
      'Acme & Co',
      'Acme and Co',
      'Acme Co., Ltd.',
    ]) {
      expect(normalisePartyName(raw), raw).toBe('acme');
    }
    // Only at the end: a legal-form word inside the name stays, and a name that is nothing but one is kept.
    expect(normalisePartyName('AG Immobilien GmbH')).toBe('ag immobilien');
    expect(normalisePartyName('GmbH')).toBe('gmbh');
    expect(normalisePartyName('...')).toBe('');
  });

  it('the index key: first word as the partition, the whole normal form as the sort prefix', () => {
    expect(customerNameKey('Müller Bau GmbH')).toEqual({ partition: 'muller', sortPrefix: 'muller bau' });
    expect(customerNameKey(' - ')).toBeUndefined();
  });
});

describe('party names: reads for a payer name', () => {
  it('the normal form, and surname first for 2–3 words', () => {
    expect(payerNameQueries('LOVELACE ADA')).toEqual([
      { partition: 'lovelace', name: 'lovelace ada', kind: 'exact' },
      { partition: 'ada', name: 'ada lovelace', kind: 'reordered' },
    ]);
    expect(nameAnswers(payerNameQueries('LOVELACE ADA')[1]!, 'Ada Lovelace')).toBe(true);
    expect(payerNameQueries('ACME GMBH')).toEqual([{ partition: 'acme', name: 'acme', kind: 'exact' }]);
    expect(payerNameQueries('GmbH & Co. KG ...')).toEqual([{ partition: 'gmbh', name: 'gmbh', kind: 'exact' }]);
    expect(payerNameQueries('DVORAK IMPORT EXPORT NORD')).toHaveLength(1);
    expect(payerNameQueries('')).toEqual([]);
  });

  it('a name of exactly 35 characters may be cut: its last word is dropped and the rest read as a prefix at a word boundary', () => {
    const full = 'Mueller Maschinenbau und Anlagentechnik GmbH';
    const cut = full.toUpperCase().slice(0, 35);
    expect(cut).toBe('MUELLER MASCHINENBAU UND ANLAGENTEC');
    const queries = payerNameQueries(cut);
    const prefix = queries.find((q) => q.kind === 'cut');
    // The cut word goes, and the dangling "und" with it.
    expect(prefix).toEqual({ partition: 'mueller', name: 'mueller maschinenbau', kind: 'cut' });
    expect(nameAnswers(prefix!, full)).toBe(true);
    expect(nameAnswers(prefix!, 'Mueller Maschinenbauer GmbH')).toBe(false);
    expect(queries.filter((q) => q.kind === 'exact').some((q) => nameAnswers(q, full))).toBe(false);
    // A cut on a space that the bank trimmed (34 characters) counts too; shorter names are taken as whole.
    expect(payerNameQueries('MUELLER MASCHINENBAU UND ANLAGENTE').some((q) => q.kind === 'cut')).toBe(true);
    expect(payerNameQueries('MUELLER MASCHINENBAU UND ANLAGEN').some((q) => q.kind === 'cut')).toBe(false);
  });

  it('an exact read answers only the same normal form', () => {
    const [q] = payerNameQueries('acme gmbh');
    expect(nameAnswers(q!, 'ACME Ltd')).toBe(true);
    expect(nameAnswers(q!, 'Acme Widgets GmbH')).toBe(false);
  });
});

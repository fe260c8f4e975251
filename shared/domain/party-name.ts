/**
 * Party names as banks deliver them (camt `Dbtr/Nm`, BAI2 text, a JSON `payerName`) compared with our customers'
 * names. Pure. A name is evidence for ranking review suggestions only: it never identifies a payer and never applies
 * money (see matching.ts).
 *
 * Normal form (`normalisePartyName`): Unicode NFKD with combining marks removed (Müller → muller, Lefèvre → lefevre),
 * a few letters that do not decompose spelled out (ß → ss, æ → ae, ø → o, ł → l, đ → d, þ → th, œ → oe), lower case;
 * dots and apostrophes removed inside words (e.K. → ek, O'Brien → obrien), every other non-letter/digit a space;
 * legal-form words at the end removed repeatedly (GmbH & Co. KG, Ltd, Limited, Inc, LLC, S.A., SARL, B.V., e.K. …,
 * and a dangling "and"/"und"/"et"); spaces collapsed. "ACME GMBH", "Acme GmbH" and "acme" are the same name.
 *
 * Banks cut long names (35 characters in SWIFT/SEPA-era fields, 70 or 140 in camt), and some then trim the space the
 * cut ended on: a name of exactly such a length, or one less, may be cut, so its normal form is also looked up as a
 * prefix of a customer's (`payerNameQueries`). A person's name written surname first ("LOVELACE ADA") is also looked
 * up with its first word moved to the end.
 */

/** Legal-form words removed from the end of a name (already normalised: no dots, lower case). */
const LEGAL_FORMS = new Set([
  'gmbh', 'mbh', 'ag', 'kg', 'kgaa', 'ohg', 'gbr', 'ug', 'ek', 'ev', 'se', 'co', 'cie', 'corp', 'corporation', 'company',
  'ltd', 'limited', 'plc', 'llp', 'lp', 'inc', 'incorporated', 'llc', 'sa', 'sas', 'sarl', 'srl', 'spa', 'sl', 'bv',
  'nv', 'vof', 'oy', 'oyj', 'ab', 'as', 'asa', 'aps', 'pty', 'haftungsbeschrankt',
]);
/** Joining words left dangling once the legal form is gone ("Smith and Co" → "smith"). */
const DANGLING = new Set(['and', 'und', 'et', 'y', 'e']);

const SPELLED: Record<string, string> = { ß: 'ss', æ: 'ae', ø: 'o', ł: 'l', đ: 'd', þ: 'th', œ: 'oe', ı: 'i' };

/** Lengths at which banks cut names: a name of exactly this many characters (or one less) may be cut. */
export const NAME_CUT_LENGTHS = [35, 70, 140] as const;

/** The name's words in normal form (see the module comment); empty when nothing but legal forms or punctuation. */
export function partyNameTokens(raw: string): string[] {
  const folded = raw
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßæøłđþœı]/g, (c) => SPELLED[c] ?? c)
    .replace(/(?<=[\p{L}\p{N}])[.'’](?=[\p{L}\p{N}])/gu, '')
    .replace(/[.'’]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  const tokens = folded.length > 0 ? folded.split(' ') : [];
  return stripLegalForms(tokens);
}

function stripLegalForms(tokens: readonly string[]): string[] {
  const out = [...tokens];
  while (out.length > 1 && (LEGAL_FORMS.has(out[out.length - 1] as string) || DANGLING.has(out[out.length - 1] as string))) out.pop();
  return out;
}

/** The normal form of a party name (words joined by one space); '' when nothing is left. */
export function normalisePartyName(raw: string): string {
  return partyNameTokens(raw).join(' ');
}

/**
 * The keys a customer is found by (the store's name index): `partition` is the first word of the normal form (spreads
 * names over many partitions), `sortPrefix` the whole normal form. Undefined when the name normalises to nothing.
 */
export function customerNameKey(name: string): { partition: string; sortPrefix: string } | undefined {
  const tokens = partyNameTokens(name);
  const [first] = tokens;
  return first === undefined ? undefined : { partition: first, sortPrefix: tokens.join(' ') };
}

export type NameMatchKind = 'exact' | 'reordered' | 'cut';

/** One keyed read of the name index: customers in `partition` whose normal form equals (or, for `cut`, starts with) `name`. */
export interface NameQuery {
  partition: string;
  name: string;
  kind: NameMatchKind;
}

/**
 * The name-index reads for a payer name, strongest first: the normal form itself; for 2–3 words, the first word moved
 * to the end (surname first: "LOVELACE ADA" → "ada lovelace"); and when the raw name has a cut length (35, 70 or 140
 * characters, or one less), a prefix read of the normal form without its last word (which may be cut mid-word),
 * needing at least two words or ten characters. At most three reads.
 */
export function payerNameQueries(raw: string): NameQuery[] {
  const tokens = partyNameTokens(raw);
  if (tokens.length === 0) return [];
  const queries: NameQuery[] = [{ partition: tokens[0] as string, name: tokens.join(' '), kind: 'exact' }];
  if (tokens.length >= 2 && tokens.length <= 3) {
    const rotated = [...tokens.slice(1), tokens[0] as string];
    queries.push({ partition: rotated[0] as string, name: rotated.join(' '), kind: 'reordered' });
  }
  const length = raw.trim().length;
  if (NAME_CUT_LENGTHS.some((cut) => length === cut || length === cut - 1) && tokens.length >= 2) {
    const kept = stripLegalForms(tokens.slice(0, -1));
    const name = kept.join(' ');
    if (kept.length >= 2 || name.length >= 10) queries.push({ partition: kept[0] as string, name, kind: 'cut' });
  }
  return queries;
}

/** Whether a customer's name answers the query: the same normal form, or for `cut` one that starts with it at a word boundary. */
export function nameAnswers(query: NameQuery, customerName: string): boolean {
  const name = normalisePartyName(customerName);
  if (query.kind !== 'cut') return name === query.name;
  return name === query.name || name.startsWith(`${query.name} `);
}

/** Weight of each kind of name match in the suggestion ranking (matching.ts). */
export const NAME_MATCH_WEIGHT: Record<NameMatchKind, number> = { exact: 1, reordered: 0.9, cut: 0.8 };

/**
 * People's names as staff search them: the one normalisation that both the stored index key and
 * the typed prefix go through, so "Zsófia", "ZSOFIA" and "zso" meet. Pure.
 *
 * - Case folded (every script that has case: Latin, Cyrillic, Armenian, Greek).
 * - Diacritics dropped from Latin letters only (Hungarian ő → o, é → e). Letters of other
 *   scripts are kept whole: Ukrainian й, ї, ґ are letters of their own, not и, і, г with a mark.
 * - Persian: the Arabic code points keyboards still produce for ی and ک read as the Persian
 *   ones, short-vowel marks (harakat) and the tatweel are dropped, ZWNJ joins (زهرا‌سادات = زهراسادات).
 * - Apostrophes vanish (O'Brien, Мар'яна); any other run of non-letters, non-digits is one space.
 */
const MAX_LENGTH = 100;

const arabicMarks = /[\u064B-\u065F\u0670\u06D6-\u06ED\u0640]/g;
const apostrophes = /['\u2019\u02BC\u2018`´]/g;
const joiners = /[\u200C\u200D\u200E\u200F]/g;

/**
 * The patterns with Unicode property classes, built on the first name: building them reads the
 * classes' code point ranges (about a millisecond), which every bundle that stores customers paid
 * at import whether or not it normalised a name.
 */
let unicode: { readonly latinWithMarks: RegExp; readonly separators: RegExp } | undefined;
const unicodePatterns = () => (unicode ??= { latinWithMarks: /(\p{Script=Latin})(\p{M}+)/gu, separators: /[^\p{L}\p{N}]+/gu });

export function normalizeName(name: string): string {
  const { latinWithMarks, separators } = unicodePatterns();
  return name
    .normalize('NFKD')
    .replace(latinWithMarks, '$1')
    .normalize('NFC')
    .replace(arabicMarks, '')
    .replace(/\u064A/g, '\u06CC')
    .replace(/\u0649/g, '\u06CC')
    .replace(/\u0643/g, '\u06A9')
    .replace(joiners, '')
    .replace(apostrophes, '')
    .toLowerCase()
    .replace(separators, ' ')
    .trim()
    .slice(0, MAX_LENGTH)
    .trimEnd();
}

export const NAME_SEARCH_RULE = 'must hold at least one letter or digit';
